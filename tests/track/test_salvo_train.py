"""A salvo flown as a train (one site, seconds apart, one trajectory): kept apart by the
association's "new object" alternative (track/newobject.py)."""

from pathlib import Path

import pytest

from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import load_scenario

HERE = Path(__file__).parent / "scenarios"


@pytest.mark.slow
def test_salvo_train_keeps_identities():
    """8 SRBMs from one site 2.9 s apart (campaign dense-salvos seed 2, engagement 6): one track
    each, no swap, no break."""
    res = run_simulation(load_scenario(HERE / "salvo-8-train.yaml"))
    s = res.score
    assert s.n_swaps == 0 and s.n_breaks == 0, (s.n_swaps, s.n_breaks)
