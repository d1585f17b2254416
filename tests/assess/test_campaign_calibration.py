"""Ellipses on whole engagements, scored as the campaign scores them.

The first three engagements of the shipped japan-overflights campaign at seed 2 (Hwasong-12
shots over Japan, tracked from ~40 s after launch), sensed, tracked and assessed as a campaign
engagement does (no warning policy: it does not change the assessments); each engagement is
simulated and assessed once for both tests.

- Boost: while the truth's motor burns the remaining burn is unknown, so an honest boost
  prediction is a wide fan, not a narrow guess: the 95 % ellipse must hold the impact point.
  12 boost-regime assessments, of which the 95 % ellipse held the truth in 9 before the
  catalog-matched remaining burn and the widened boost heading (assess/burn.py), in 12 after.
- Exo-atmospheric: above the atmosphere nothing measures the body's ballistic coefficient, so
  the coast fit's ln beta prior sets the cloud's length along the track.  The tracker's
  one-for-all prior (ln 6000 +- 0.75, the catalog's whole spread) left the 50 % ellipse of an
  IRBM holding the truth far more often than half the time; the prior of the catalog bodies
  that explain the track's class and burnout time (assess/beta_prior.py) is narrower and still
  holds the truth in the 95 % ellipse.  Engagement 2's exo-atmospheric assessments (113) had
  in50 / in95 0.63 / 1.00 with the tracker's prior, 0.49 / 0.98 with the catalog's."""

import types
from functools import cache

import numpy as np

from launchwatch.assess.run import assess_history
from launchwatch.campaign.generate import generate
from launchwatch.campaign.score import REGIMES, assessment_rows
from launchwatch.campaign.spec import load_spec
from launchwatch.pipeline.chain import _truth_impacts, track_truth
from launchwatch.pipeline.simulate import run_simulation

BOOST = REGIMES.index("boost")
EXO = REGIMES.index("exo")
SEED = 2


@cache
def _rows(index: int):
    """The campaign's assessment rows of japan-overflights engagement ``index`` at :data:`SEED`."""
    spec, _ = load_spec("japan-overflights")
    eng = generate(spec, SEED, index)
    sim = run_simulation(eng.scenario)
    run = assess_history(
        sim.tracker.history,
        eng.scenario.epoch,
        interval_s=eng.chain["interval_s"],
        n_samples=eng.chain["n_samples"],
        seed=eng.scenario.seed,
        detections=sim.detections,
    )
    chain = types.SimpleNamespace(sim=sim, truth_impacts=_truth_impacts(sim), run=run)
    return assessment_rows(chain, track_truth(sim))


def test_boost_ellipses_hold_the_truth_on_campaign_engagements():
    r2 = []
    for index in range(3):
        rows = _rows(index)
        r2.extend(rows["r2_95"][rows["regime"] == BOOST].tolist())
    in95 = np.asarray(r2) <= 1.0
    assert in95.size >= 10  # enough boost assessments for the figure to mean something
    assert in95.mean() >= 0.85


def test_irbm_exo_ellipses_are_not_too_wide():
    rows = _rows(2)
    exo = np.asarray(rows["regime"]) == EXO
    r50 = np.asarray(rows["r2_50"], float)[exo]
    r95 = np.asarray(rows["r2_95"], float)[exo]
    assert r50.size >= 50  # enough exo assessments for the figure to mean something
    in50, in95 = np.mean(r50 <= 1.0), np.mean(r95 <= 1.0)
    assert in50 <= 0.58, in50
    assert in95 >= 0.90, in95
