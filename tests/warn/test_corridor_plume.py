"""The launch corridor reads an IR plume as "the motor burnt when it was seen": its
continuations are the fan templates burning at the plume, burnt out since or not.  Truth-exact
track rows of a burnt-out SRBM and a burning IRBM, with their simulated IR feeds."""

from pathlib import Path

import numpy as np
import pytest

from launchwatch.pipeline.chain import ir_cue_settings
from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.scenario import load_scenario
from launchwatch.track.history import history_dtype
from launchwatch.warn.corridor import Corridor
from launchwatch.warn.score import truth_windows
from launchwatch.warn.threat import ThreatModel

from .conftest import make_assessment

SRBM = Path(__file__).parent / "data" / "srbm-wonsan-east-burnout.yaml"


@pytest.fixture(scope="module")
def model():
    return ThreatModel()


def _feed(name):
    sc = load_scenario(name)
    return simulate_feed(sc)


def _corridor(feed, times_s, boost=0.5, confirmed_from=0):
    """Truth-exact rows (1 km, 60 m/s sigma) of the feed's first missile at ``times_s``,
    confirmed from row ``confirmed_from`` on, and the feed's IR detections."""
    truth = feed.truth
    rows = np.zeros(len(times_s), history_dtype(3))
    for i, t in enumerate(times_s):
        rows[i]["state"] = truth.at(float(t))[0]
    rows["t_s"] = times_s
    rows["track_id"] = 1
    rows["cov"] = np.diag([1e6] * 3 + [3600.0] * 3)
    rows["mu"] = np.array([1.0 - boost, boost, 0.0])
    rows["confirmed"] = np.arange(len(times_s)) >= confirmed_from
    corridor = Corridor(seed=1)
    corridor.ir_revisit_s, corridor.ir_min_height_m = ir_cue_settings(feed.sensors)
    corridor.feed(rows, feed.detections[feed.detections["kind"] == "ir"])
    return corridor


def _judge(corridor, model, t_s):
    a = make_assessment(t_s, (39.0, 125.7), [(39.5, 128.0)] * 10, t_s + 300.0)
    K, A = 1, len(model.codes)
    zero = np.zeros((K, A))
    th = {
        "p_over": zero,
        "p_fall": zero,
        "ellipse": np.zeros((K, A), bool),
        "t_entry_s": np.full((K, A), np.nan),
        "t_exit_s": np.full((K, A), np.nan),
    }
    out = corridor.blend(a, th, np.ones(1), model)
    return dict(zip(model.codes, out["p_over"][0], strict=True)), corridor.last[1]


def _ir_times(feed):
    det = feed.detections[feed.detections["kind"] == "ir"]
    return np.sort(det["t_s"])


def test_srbm_plume_before_burnout_does_not_fly_it_on_to_tohoku(model):
    """The 435 km SRBM of the campaign (30 s burn): its last plume is seen at +27.5 s, just before
    burnout; judged at +36 s on rows from +24 s, the plume counts (it lies on the track), but
    the fan's continuations are the templates burning *at the plume*: the short burns that have
    stopped since carry most of the weight, and no Japanese area reaches the issue level (the
    fan of templates still burning at +36 s put Miyagi and Yamagata at 0.7-0.8)."""
    feed = _feed(SRBM)
    win, imp = truth_windows(feed.truth.times_s, feed.truth.states_ecef)
    assert not win and not imp  # it falls into the sea, over nobody
    ir = _ir_times(feed)
    last = ir[(ir > 20.0) & (ir <= 36.0)]
    assert last.size and 25.0 <= last.max() <= 32.0, ir[:6]
    corridor = _corridor(feed, [24.0, 28.0, 32.0, 36.0], confirmed_from=2)
    p, info = _judge(corridor, model, 36.0)
    assert info["used"] and info["b"] == 1.0
    assert info["t_plume_s"] == pytest.approx(float(last.max()))
    jp = {c: v for c, v in p.items() if c.startswith("JP-")}
    assert max(jp.values()) < corridor.p_issue, jp
    # the templates that burnt out between the plume and now weigh in: 30 s burns
    assert info["burn_s"].get(30.0, 0.0) >= 0.2, info["burn_s"]


def test_irbm_plume_just_before_confirmation_still_warns_hokkaido(model):
    """The overflight Hwasong-12 (85 s burn): a plume seen just before the track's second row,
    judged at that row. The templates still burning keep the weight (the speed climbs between
    the rows), so Hokkaido is above the issue level -- at the track's first judgement, not a
    revisit later."""
    feed = _feed("overflight")
    ir = _ir_times(feed)
    plume = float(ir[(ir > 45.0) & (ir < 60.0)].max())
    t = plume + 4.0
    corridor = _corridor(feed, [plume, t], boost=0.1, confirmed_from=1)
    p, info = _judge(corridor, model, t)
    assert info["used"] and info["t_plume_s"] == pytest.approx(plume)
    assert p["JP-01"] >= corridor.p_issue, p["JP-01"]
    assert max(v for c, v in p.items() if c != "JP-01") < corridor.p_issue
