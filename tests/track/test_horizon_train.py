"""A salvo train rising over a radar's horizon (tests/track/scenarios/salvo-horizon-train.yaml):
dense-salvos seed 2, engagement 8 of issue 14 (7 swaps, 4 breaks).  21 KN-25-class rockets 8.15 s
apart on one path are first seen by a radar revisiting every 4 s as each rises over its horizon
where the one before it did.  A young track whose missile one scan missed took the next
missile's first sighting -- there is no earlier detection of that missile, so the "new object"
alternative cannot act; the birth alternative (tracker step 3) weighs the track's likelihood
against a new object's density."""

from pathlib import Path

import pytest

from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import load_scenario
from launchwatch.track.tracker import TrackerConfig

SCENARIO = Path(__file__).parent / "scenarios" / "salvo-horizon-train.yaml"


@pytest.mark.slow
def test_horizon_train_keeps_identities_and_needs_the_birth_alternative():
    sc = load_scenario(SCENARIO)
    s = run_simulation(sc).score
    assert s.n_swaps == 0 and s.n_breaks == 0, (s.n_swaps, s.n_breaks)
    assert s.n_false_tracks == 0
    old = run_simulation(sc, config=TrackerConfig(birth_alternative=False)).score
    assert old.n_swaps > 0  # without it the identities are lost (the test can fail)
