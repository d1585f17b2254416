"""A salvo flown as a train (one site, seconds apart, one trajectory): a known swap in boost."""

from pathlib import Path

import pytest

from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import load_scenario

HERE = Path(__file__).parent / "scenarios"


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="a young boost-phase track whose missile a 4 s radar scan missed takes the untracked "
    "next missile's detection inside its 0.999 gate (d^2 12.7): GNN has no 'new object' "
    "alternative; a tighter gate for young tracks fixed this engagement but broke others "
    "(dense-salvos seed 2 engagement 4: 6 breaks; the IRBM test scenario: a break)",
)
def test_salvo_train_keeps_identities():
    """8 SRBMs from one site 2.9 s apart (campaign dense-salvos seed 2, engagement 6): one track
    each, no swap, no break."""
    res = run_simulation(load_scenario(HERE / "salvo-8-train.yaml"))
    s = res.score
    assert s.n_swaps == 0 and s.n_breaks == 0, (s.n_swaps, s.n_breaks)
