"""The launch corridor from IR alone (issue 12): a warning thread started from the IR lines of
sight before any radar track exists, and the radar track joining that thread."""

from pathlib import Path

import numpy as np

from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn.corridor import Corridor
from launchwatch.warn.corridor_ir import PSEUDO_BASE
from launchwatch.warn.policy import WarningPolicy
from launchwatch.warn.score import score_warnings

from .conftest import make_assessment

DATA = Path(__file__).parent / "data"
MUPYONG = (40.616, 126.463)


def _ir_only(name: str):
    """The scenario's IR detections alone through a chain policy (no radar, no assessment)."""
    sc = load_scenario(str(DATA / f"{name}.yaml"))
    feed = simulate_feed(sc)
    assert {s.kind for s in feed.sensors} == {"ir"}  # every radar blinded
    corridor = Corridor(seed=sc.seed)
    corridor.set_ir_sensors(feed.sensors)
    corridor.epoch = sc.epoch
    ir = feed.detections[feed.detections["kind"] == "ir"]
    corridor.feed(None, ir)
    policy = WarningPolicy(early=corridor)
    policy.finish(float(feed.truth.times_s[-1]))
    score = score_warnings(policy.events, feed.truth, feed.truth.launch_time_s)
    return policy, score, corridor


def test_ir_alone_warns_hokkaido_within_60_s_without_a_false_area():
    """A Hwasong-12 from Mupyong-ri over central Hokkaido, every radar blinded, seen by two
    GEO IR sensors: the corridor fitted to the lines of sight warns Hokkaido within 60 s of
    launch, and no area the missile does not reach.  (On main no warning at all: the policy
    only sees assessments, and they exist only for radar tracks.)"""
    policy, score, corridor = _ir_only("irbm-mupyongri-ir-stereo")
    assert set(score["overflown"]) == {"JP-01"}
    assert score["first_warning_s"] is not None and score["first_warning_s"] <= 60.0
    assert score["false_alarms"] == []
    assert score["misses"] == []
    first = policy.events[0]
    assert first.kind == "issue" and first.msg_type == "Alert" and "JP-01" in first.areas
    assert all(t >= PSEUDO_BASE for t in first.track_ids)  # from IR alone
    info = corridor.cues.last[first.track_ids[0]]
    assert info["launch"][2] == "Mupyong-ri"
    # never "passed over" from IR alone: the plume burns out, nobody holds the missile
    assert "passed_over" not in {e.kind for e in policy.events}


def test_ir_alone_does_not_warn_a_flight_away_from_every_area():
    """The same site and sensors, the missile flown west-south-west towards the Bohai Sea: the
    IR corridor judges it (a pseudo-track with a heading) and warns nobody."""
    policy, score, corridor = _ir_only("irbm-mupyongri-west-ir-stereo")
    assert score["overflown"] == {} or not score["overflown"]
    judged = [v for v in corridor.cues.last.values() if "heading_deg" in v]
    assert judged, "the IR corridor never judged the flight"
    assert all(200.0 <= v["heading_deg"] <= 290.0 for v in judged[-2:])
    assert policy.events == []


class _Cues:
    """A stand-in for the IR-only pseudo-tracks: one pseudo-track judged at ``times``."""

    def __init__(self, model, times):
        self.model, self.times = model, times
        self.p_issue = 0.6

    def read_times(self, t_lo, t_hi):
        return [t for t in self.times if t_lo < t <= t_hi]

    def judge(self, t, model, epoch=None):
        a = _flight(t, PSEUDO_BASE)
        th = model.threat(a)
        th["p_issue"] = np.full(1, self.p_issue)
        th["ellipse"] = np.zeros_like(th["ellipse"])
        return a, th

    def hosts(self, tid, t):
        return [PSEUDO_BASE]


class _Early:
    """A corridor stand-in: judges every radar track by its ballistic threat."""

    def __init__(self, cues):
        self.cues = cues

    def blend(self, a, th, boost, model):
        return th

    def judges(self, a, k):
        return True


def _flight(t, track_id):
    """Mupyong-ri over central Hokkaido into the Pacific, landing at +1,500 s."""
    rng = np.random.default_rng(3)
    impacts = np.stack(
        [43.48 + 0.2 * rng.standard_normal(20), 162.79 + 0.2 * rng.standard_normal(20)], 1
    )
    return make_assessment(t, MUPYONG, impacts, 1500.0, track_id=track_id, dt_s=10.0)


def test_radar_track_joins_the_ir_thread():
    """IR alone issues Hokkaido at +50 s; the radar track (id 1) whose IR cue is that
    pseudo-track's takes the thread over: one Alert, then Updates (passed over, fell) on the
    same message chain, no second "issue" and no "tracking lost" for the IR thread."""
    policy = WarningPolicy()
    policy.early = _Early(_Cues(policy.model, [50.0, 60.0]))
    for t in np.arange(66.0, 1500.0, 10.0):
        policy.update(_flight(float(t), 1))
    policy.finish(1600.0)
    ev = policy.events
    issues = [e for e in ev if e.kind == "issue"]
    assert issues[0].t_s == 50.0 and issues[0].track_ids == (PSEUDO_BASE,)
    assert "JP-01" in issues[0].areas
    assert len(issues) == 1
    assert [e.msg_type for e in ev] == ["Alert"] + ["Update"] * (len(ev) - 1)
    stem = issues[0].identifier.rsplit("-", 1)[0]
    assert all(e.identifier.rsplit("-", 1)[0] == stem for e in ev)
    assert all(len(e.references) == i for i, e in enumerate(ev))
    kinds = [e.kind for e in ev]
    assert "passed_over" in kinds and kinds[-1] == "fell"
    assert "tracking_lost" not in kinds
