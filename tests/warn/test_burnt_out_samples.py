"""A track the IR has seen burn out is judged on its coasting samples: the assessor's samples
that flew a remaining burn (a young track's boost probability) are what the IR rules out."""

from dataclasses import replace

import numpy as np
import pytest

from launchwatch.warn.corridor import Corridor
from launchwatch.warn.threat import ThreatModel

from .conftest import SUNAN, make_assessment

#: A coasting SRBM's impacts in the Sea of Japan (~600 km from Sunan) and the long tail of its
#: burning samples over Hokkaido (Cape Erimo) into the Pacific.
SEA = (40.3, 132.8)
TAIL = (42.3, 146.0)


def _assessment(n=100, n_burning=15, seed=0):
    rng = np.random.default_rng(seed)
    imp = np.array([SEA] * n, float) + rng.normal(0.0, 0.1, (n, 2))
    imp[:n_burning] = np.array(TAIL) + rng.normal(0.0, 0.1, (n_burning, 2))
    a = make_assessment(50.0, SUNAN, imp, 600.0)
    burning = np.zeros((1, n), bool)
    burning[0, :n_burning] = True
    return replace(a, sample_burning=burning, boost_prob=np.array([n_burning / n]))


@pytest.fixture(scope="module")
def model():
    return ThreatModel()


def test_threat_counts_only_the_chosen_samples(model):
    a = _assessment()
    j = model.codes.index("JP-01")
    every = model.threat(a)
    assert every["p_over"][0, j] == pytest.approx(0.15)
    coast = model.threat(a, samples=~a.sample_burning)
    assert coast["p_over"][0, j] == 0.0 and np.isnan(coast["t_entry_s"][0, j])
    tail = model.threat(a, samples=a.sample_burning)
    assert tail["p_over"][0, j] == pytest.approx(1.0)
    # no sample chosen: all count (never a division by zero)
    none = model.threat(a, samples=np.zeros_like(a.sample_burning))
    np.testing.assert_allclose(none["p_over"], every["p_over"])


def _th(model, a):
    return model.threat(a)


def test_ir_burnt_out_track_drops_its_burning_samples(model):
    """The corridor's IR says the motor is out: Hokkaido's 0.15 (from the burning tail alone)
    goes to 0; without that word from the IR the assessment is judged as it is."""
    a = _assessment()
    j = model.codes.index("JP-01")
    corridor = Corridor(seed=0)
    corridor.last[int(a.track_id[0])] = {"t_s": a.t_s, "used": False, "b": 0.0}
    th = _th(model, a)
    out = corridor._burnt_out(a, th, model, [0])
    assert out["p_over"][0, j] == 0.0
    assert th["p_over"][0, j] == pytest.approx(0.15)  # the input is left as it was
    assert corridor.last[int(a.track_id[0])]["coasting_samples"] == 85
    assert corridor._burnt_out(a, th, model, [])["p_over"][0, j] == pytest.approx(0.15)
    # an assessment that did not record its burning samples is judged whole
    bare = replace(a, sample_burning=np.zeros((0, 0), bool))
    assert corridor._burnt_out(bare, th, model, [0])["p_over"][0, j] == pytest.approx(0.15)
