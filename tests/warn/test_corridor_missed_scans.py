"""A missed IR scan is evidence of burnout (:meth:`launchwatch.warn.corridor.Corridor.burning`):
each scan read since the last plume that saw nothing where the track was weighs "still burning"
by ``1 - Pd`` (the IR model's :func:`launchwatch.sense.infrared.plume_pd`) against the radar's
odds (the fan's matched share of templates still burning among those that burned at the last
plume), and a warning that only a still-burning motor makes waits for the scan that tests it
while that keeps the first warning within the 60 s target.  On the campaign SRBM that burnt out at +36.4 s between its last
plume (+34.6 s) and its +40.9 s radar update (tests/warn/data/srbm-wonsan-plume-then-burnout.yaml),
truth-exact track rows, the scenario's own IR feed (scans at +24.6, +34.6, +44.6 s, ...)."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.geometry import aer_from
from launchwatch.sense.infrared import plume_pd
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn.corridor import IR_READ_LAG_S, Corridor, burn_posterior
from launchwatch.warn.threat import ThreatModel

from .conftest import make_assessment, no_threat, truth_rows

DATA = Path(__file__).parent / "data"
#: The corridor's issue level in the hold tests: the radar's odds that this burnt-out SRBM
#: still burns (0.75 at +40.9 s, its truth rows climbing at a boost model of 0.95) put the
#: fan's largest overflight probability at 0.57 there, under the default 0.6.
P_ISSUE_HOLD = 0.5
#: The radar track's update times (the chain's: the radar missed the +36.9 s update)
ROWS_S = [28.9, 32.9, 40.9, 44.9, 48.9, 52.9, 56.9]


@pytest.fixture(scope="module")
def feed():
    return simulate_feed(load_scenario(DATA / "srbm-wonsan-plume-then-burnout.yaml"))


@pytest.fixture(scope="module")
def model():
    return ThreatModel()


def _rows(truth, boost=0.95, times_s=ROWS_S):
    """Truth-exact rows (1 km, 60 m/s sigma) whose boost model never says "coasting": only
    the IR can tell the burnout here."""
    return truth_rows(truth, times_s, boost)


def _corridor(feed, sensors=None, p_issue=P_ISSUE_HOLD):
    c = Corridor(seed=1, p_issue=p_issue)
    c.set_ir_sensors(feed.sensors if sensors is None else sensors)
    c.feed(_rows(feed.truth), feed.detections[feed.detections["kind"] == "ir"])
    return c


def _judge(c, model, t_s):
    a = make_assessment(t_s, (39.17, 127.48), [(40.3, 131.5)] * 10, t_s + 400.0)
    th = no_threat(len(model.codes))
    return c.blend(a, th, np.ones(1), model), c.last[1]


def _ir(feed):
    return next(s for s in feed.sensors if s.kind == "ir")


def test_the_scenario_is_what_the_tests_say(feed):
    ir = feed.detections[feed.detections["kind"] == "ir"]
    on = ir["t_s"][ir["t_s"] < 60.0]
    np.testing.assert_allclose(on, [24.6, 34.6], atol=0.05)
    burn = feed.truth.times_s[np.flatnonzero(feed.truth.burning[0])[-1]]
    assert 34.6 < burn < 40.9
    # the +44.6 s scan would have seen a burning plume there
    assert plume_pd(_ir(feed), feed.truth.at(44.6)[0][None, :3])[0] == _ir(feed).pd


def test_each_scan_read_without_the_plume_weighs_burning_by_one_minus_pd(feed, model):
    c = _corridor(feed)
    pd = _ir(feed).pd
    _, info = _judge(c, model, 40.9)  # no scan since the plume of +34.6 s
    # no scan to weigh: the radar's odds alone, which keep the templates burnt out since the
    # plume (and only those: the plume rules out the ones out before it)
    assert info["ir_missed"] == [] and info["ir_lr"] == 1.0
    assert info["b"] == pytest.approx(info["p_radar"]) and 0.5 < info["b"] < 1.0
    _, info = _judge(c, model, 44.6 + IR_READ_LAG_S - 0.1)  # the +44.6 s scan not yet read
    assert info["b"] == pytest.approx(info["p_radar"]) and info["ir_missed"] == []
    _, info = _judge(c, model, 44.6 + IR_READ_LAG_S + 0.1)
    # the miss weighs the radar's odds of a burning motor by 1 - Pd; the radar sees the
    # body coasting (its speed falls), so its odds are below even
    assert info["ir_missed"] == [pd] and info["ir_lr"] == pytest.approx(1.0 - pd)
    assert info["p_radar"] < 0.5
    assert info["b"] == pytest.approx(burn_posterior(info["p_radar"], 1.0 - pd))
    assert info["b"] < 1.0 - pd
    assert info["ir_out"]  # the rest is judged on the assessment's coasting samples
    _, info = _judge(c, model, 54.6 + IR_READ_LAG_S + 0.1)
    assert info["ir_lr"] == pytest.approx((1.0 - pd) ** 2)
    assert info["b"] == pytest.approx(burn_posterior(info["p_radar"], (1.0 - pd) ** 2))


def test_the_weight_is_the_sensors_own_pd_and_a_scan_that_cannot_see_is_no_evidence(feed, model):
    ir = _ir(feed)
    others = [s for s in feed.sensors if s.kind != "ir"]
    c = _corridor(feed, others + [replace(ir, pd=0.6)])
    _, info = _judge(c, model, 47.0)
    assert info["ir_lr"] == pytest.approx(0.4)
    assert info["b"] == pytest.approx(burn_posterior(info["p_radar"], 0.4))
    # a floor above the track: the scan could not have seen a plume, it says nothing
    c = _corridor(feed, others + [replace(ir, min_target_altitude_km=200.0)])
    _, info = _judge(c, model, 47.0)
    assert info["ir_missed"] == [] and info["b"] == pytest.approx(info["p_radar"])


def test_a_warning_only_a_burning_motor_makes_waits_for_the_scan_that_tests_it(feed, model):
    """At +40.9 s the fan (still-burning templates) puts an area above the corridor's issue
    level; the +44.6 s scan, read at +46.6 s, decides: the corridor holds its issue (open areas
    would be kept); once the miss is read the motor's share is 1 - Pd and no area issues."""
    c = _corridor(feed)
    _judge(c, model, 32.9)  # the previous judgement: the cadence is 8 s
    out, info = _judge(c, model, 40.9)
    assert np.max(out["p_over"][0]) >= c.p_issue  # what warned Aomori / Akita
    assert info["hold"] and info["t_read_s"] == pytest.approx(44.6 + IR_READ_LAG_S, abs=0.05)
    assert out["p_issue"][0] == np.inf
    out, info = _judge(c, model, 48.9)
    assert info["b"] == pytest.approx(burn_posterior(info["p_radar"], 1.0 - _ir(feed).pd))
    assert np.max(out["p_over"][0]) < c.p_issue


def test_no_hold_past_the_first_warning_target(feed, model):
    """The same state judged on a 20 s cadence: the first judgement after the deciding scan is
    read would come at +60.9 s, past 60 s after the launch: the corridor issues at once."""
    c = _corridor(feed)
    _judge(c, model, 20.9)
    out, info = _judge(c, model, 40.9)
    assert np.max(out["p_over"][0]) >= c.p_issue
    assert info["hold"] is False and out["p_issue"][0] == c.p_issue


def _with_plume_at(feed, t_scan):
    """The scenario's IR detections plus one on the track at ``t_scan`` (as if the motor still
    burnt then)."""
    ir = feed.detections[feed.detections["kind"] == "ir"]
    extra = ir[:1].copy()
    extra["t_s"] = t_scan
    _, az, el = aer_from(extra["sensor_ecef_m"][0], feed.truth.at(t_scan)[0][:3])
    extra["z"][0, :2] = az, el
    return np.concatenate([ir, extra])


def test_a_hold_whose_scan_saw_the_plume_waits_for_the_next_scan(feed, model):
    """Held at +40.9 s for the +44.6 s scan, which (here) sees the plume: the motor may have
    burnt out since that plume as well, so the corridor waits for the next scan while its read
    still comes within 60 s of the launch -- as a corridor that never held does.  (Was: one
    scan per track; with plumes from before the track's first row counted, the hold was spent
    at +32.9 s on the +34.6 s scan and the burnt-out SRBM warned Aomori and Akita at +40.9 s,
    tests/warn/test_chain_plume_burnout.py.)  (No radar update after +40.9 s here.)"""
    ir = _ir(feed)
    t_scan = float(feed.detections["t_s"][feed.detections["kind"] == "ir"][1]) + ir.revisit_s
    dets = _with_plume_at(feed, t_scan)
    c = Corridor(seed=1, p_issue=P_ISSUE_HOLD)
    c.set_ir_sensors(feed.sensors)
    rows = _rows(feed.truth, times_s=ROWS_S[:3])
    c.feed(rows, dets)
    _judge(c, model, 32.9)
    _, info = _judge(c, model, 40.9)
    assert info["hold"]
    out, info = _judge(c, model, t_scan + IR_READ_LAG_S + 0.1)
    assert info["b"] == pytest.approx(info["p_radar"])
    assert info["last_plume_s"] == pytest.approx(t_scan, abs=0.01)
    assert np.max(out["p_over"][0]) >= c.p_issue and out["p_issue"][0] == np.inf
    assert info["hold"] and info["t_read_s"] == pytest.approx(t_scan + ir.revisit_s + 2.0, 0.01)
    fresh = Corridor(seed=1, p_issue=P_ISSUE_HOLD)
    fresh.set_ir_sensors(feed.sensors)
    fresh.feed(rows, dets)
    out, info = _judge(fresh, model, t_scan + IR_READ_LAG_S + 0.1)
    assert info["hold"] and info["t_read_s"] == pytest.approx(t_scan + ir.revisit_s + 2.0, 0.01)


def test_a_scan_made_during_an_outage_is_no_evidence(feed, model):
    """A sensor out of service (the scenario's outage, the operator's sensor status) made no
    scan: its silence does not weigh the burn, and a hold waits for the next scan it makes.
    (Was: japan-overflights seed 2 engagement 10, SBIRS out from +57.2 s: each scan of the
    outage read as a missed plume while the Hwasong-12 burned to ~+85 s.)"""
    ir = _ir(feed)
    pd = ir.pd
    c = Corridor(seed=1, p_issue=P_ISSUE_HOLD)
    c.set_ir_sensors(feed.sensors, {ir.name: [(44.0, 45.0)]})  # the +44.6 s scan not made
    c.feed(_rows(feed.truth), feed.detections[feed.detections["kind"] == "ir"])
    _judge(c, model, 32.9)
    _, info = _judge(c, model, 40.9)  # the scan that tests the burn: the next one made
    assert info["t_read_s"] == pytest.approx(54.6 + IR_READ_LAG_S, abs=0.05)
    _, info = _judge(c, model, 44.6 + IR_READ_LAG_S + 0.1)
    assert info["ir_missed"] == [] and info["b"] == pytest.approx(info["p_radar"])
    _, info = _judge(c, model, 54.6 + IR_READ_LAG_S + 0.1)
    assert info["ir_missed"] == [pd] and info["ir_lr"] == pytest.approx(1.0 - pd)


def _burnt_out_assessment(t_s, n_burning=0, boost=0.95, n=120):
    """An assessment of the SRBM's track whose ``n`` samples fly from Wonsan over Aomori,
    ``n_burning`` of them still burning, the tracker's boost probability ``boost``."""
    impacts = [(40.6, 141.6 + 0.01 * i) for i in range(n)]
    a = make_assessment(t_s, (39.17, 127.48), impacts, t_s + 400.0)
    burning = np.zeros((1, n), bool)
    burning[0, :n_burning] = True
    return replace(a, boost_prob=np.array([boost]), sample_burning=burning)


def test_the_ir_says_burnt_out_only_on_evidence_and_with_coasting_samples_to_judge(feed, model):
    """:meth:`Corridor.burnt_out`: the burn probability at most the policy's gate, from scans
    that could see the plume and saw none, and enough coasting samples to judge by."""
    c = _corridor(feed)
    gate = 0.3

    def ask(t, **kw):
        a = _burnt_out_assessment(t, **kw)
        c.blend(a, no_threat(len(model.codes)), a.boost_prob, model)
        return c.burnt_out(a, 0, gate), c.last[1]

    out, info = ask(40.9)  # no scan read since the last plume: no evidence
    assert not out and info["ir_missed"] == []
    out, info = ask(54.6 + IR_READ_LAG_S + 0.1)  # two scans missed at Pd 0.95
    assert info["b"] <= gate and len(info["ir_missed"]) == 2
    assert out and info["coasting_samples"] == 120
    out, info = ask(54.6 + IR_READ_LAG_S + 0.2, n_burning=60)  # 60 coasting: too few
    assert not out and info["coasting_samples"] == 60
    assert not c.burnt_out(_burnt_out_assessment(70.0), 0, gate)  # not this judgement's time


def test_a_track_the_ir_says_burnt_out_is_judged_while_the_tracker_says_boosting(feed, model):
    """The tracker's boost model still at 0.95 (it lags a burnout), the IR's two missed scans
    put the burn at ~0: the ballistic prediction (over Tohoku here) judges the track and
    warns.  On main nobody judged it until the tracker's boost probability fell to 0.3.  With
    too few coasting samples to judge by, it still waits."""
    from launchwatch.warn.policy import WarningPolicy

    def policy():
        c = Corridor(seed=1, ir_only=False)
        c.set_ir_sensors(feed.sensors)
        c.feed(_rows(feed.truth), feed.detections[feed.detections["kind"] == "ir"])
        return WarningPolicy(early=c)

    t = 54.6 + IR_READ_LAG_S + 0.1
    events = policy().update(_burnt_out_assessment(t))
    assert [e.kind for e in events] == ["issue"] and "JP-02" in events[0].areas
    assert policy().update(_burnt_out_assessment(t, n_burning=60)) == []
