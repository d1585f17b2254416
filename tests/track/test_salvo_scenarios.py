"""Dense salvos from scenario files (tests/track/scenarios, not shipped): identities kept."""

from pathlib import Path

import pytest

from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import load_scenario

HERE = Path(__file__).parent / "scenarios"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["salvo-16", "salvo-24"])
def test_dense_salvo_without_swaps_or_breaks(name):
    """16 missiles (aim points 3-10 km apart, a crossing pair) and 24 (2 km apart, crossing
    ground tracks), 1-4 s apart from two sites: one track each, no swap, no break (before the
    cue-confirmation rule the 24-missile salvo scored 2 swaps)."""
    res = run_simulation(load_scenario(HERE / f"{name}.yaml"))
    s = res.score
    n = res.truth.n_missiles
    assert s.n_swaps == 0 and s.n_breaks == 0, (s.n_swaps, s.n_breaks)
    assert s.n_false_tracks == 0
    assert len({int(t) for t in s.assignment[s.assignment >= 0]}) == n


@pytest.mark.slow
def test_a_lost_salvo_member_is_not_refound_in_a_neighbour():
    """Twenty gliders 4.9 s apart: re-acquisition by a single model's gate (a young boosting
    track's boost model, tests/track/test_boost_continuity.py) is not used while another
    confirmed track lies in that gate, so a member's track lost for 24 s is not taken over by a
    neighbour's new track 32 km off (with the union used regardless: one swap)."""
    res = run_simulation(load_scenario(HERE / "salvo-kn23-glide-20.yaml"))
    s = res.score
    assert s.n_swaps == 0, (s.n_swaps, s.n_breaks)
