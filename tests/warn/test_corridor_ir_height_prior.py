"""The IR-only fit's prior over the plume's height (issue 12): a campaign Hwasong-12 from
Mupyong-ri, depressed, east-north-east over Japan (tests/warn/data/irbm-mupyong-ir-height-prior.yaml:
japan-overflights seed 1 engagement 7), below every radar's horizon through its third IR scan.

One geostationary satellite (110 E, south-south-west of Korea) fixes a plume only up to its
height: a heading turned clockwise, towards the satellite, fits the lines of sight as well with
a template flown higher.  The fan's templates were all equally likely a priori, and its many
fast-climbing one-stage boosts (7 burn times x 7 thrust scales) outnumber the slow ones: on
main the fit at the third scan read (+49.7 s) put the heading 45.9 deg clockwise of the true
bearing, on a plume 9 km too high.  The prior now weighs each template by how often the
catalog's vehicles, still burning at that time, fly at its height over how often the fan's
templates do (:func:`launchwatch.warn.corridor_ir.height_log_prior`): 25.2 deg.
"""

from pathlib import Path

import numpy as np
import pytest

from launchwatch.earth import frames, geodesy
from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.scenario import load_scenario, outage_windows
from launchwatch.warn import corridor as cor
from launchwatch.warn import corridor_ir
from launchwatch.warn.corridor import Corridor

DATA = Path(__file__).parent / "data"


def _third_read_heading_error(feed, scen) -> float:
    """Fitted minus true heading (deg, clockwise positive) at the chain's third scan read."""
    c = Corridor(seed=scen.seed)
    c.set_ir_sensors(feed.sensors, outage_windows(scen, [s.name for s in feed.sensors]))
    det = feed.detections
    c.feed(None, det[det["kind"] == "ir"])
    ir = c.ir_det()
    assert ir is not None
    mine = ir[:3]  # one missile, no IR false alarm: its first three plumes
    t = float(mine["t_s"][-1]) + cor.IR_READ_LAG_S
    info: dict = {}
    assert c.cues is not None
    assert c.cues.read_times(t - 1.0, t) == [round(t, 6)]
    c.cues.judge(t, _NoThreat())
    info = c.cues.last[corridor_ir.PSEUDO_BASE + 0]
    assert info["n_los"] == 3 and info["launch"][2] == "Mupyong-ri"
    truth = feed.truth
    st = truth.states_ecef[0]
    k0 = int(np.flatnonzero(np.isfinite(st[:, 0]))[0])
    la0, lo0, _ = frames.ecef_to_geodetic(st[k0, :3])
    la, lo, _ = frames.ecef_to_geodetic(truth.at(float(mine["t_s"][-1]))[0, :3])
    az = geodesy.inverse(*np.degrees([la0, lo0, la, lo]).tolist())[0]
    return float((info["heading_deg"] - az + 180.0) % 360.0 - 180.0)


class _NoThreat:
    """A threat model stub: the test reads only the fit's record (``IrCues.last``)."""

    codes = ["XX"]

    def threat(self, a):
        n = len(a.track_id)
        return {"p_over": np.zeros((n, 1)), "ellipse": np.zeros((n, 1))}


@pytest.fixture(scope="module")
def engagement():
    scen = load_scenario(DATA / "irbm-mupyong-ir-height-prior.yaml")
    return scen, simulate_feed(scen)


def test_height_prior_turns_the_ir_only_heading_back_from_the_satellite(engagement, monkeypatch):
    scen, feed = engagement
    after = _third_read_heading_error(feed, scen)
    assert abs(after) <= 30.0, after
    # the same fit with every template equally likely: the bias this test was written against
    monkeypatch.setattr(corridor_ir, "height_log_prior", lambda tau, h, step: np.zeros(h.shape))
    before = _third_read_heading_error(feed, scen)
    assert before >= 40.0, before


def test_height_prior_favours_climbs_the_catalog_flies():
    """At +50 s a burning catalog vehicle's plume is at 5-35 km (Hwasong-12, -15, -17, -18,
    -19, -16B flown with the fan's kicks; the KN-23 and KN-25 have burnt out): a template there
    weighs more than one at 70 km, where only the fan's fast one-stage boosts still burn."""
    tau = np.full(3, 50.0)
    lp = corridor_ir.height_log_prior(tau, np.array([25e3, 70e3, np.nan]), 1.0)
    assert lp[0] > lp[1] + np.log(10.0)
    assert lp[2] == 0.0  # unknown height: no weight either way
