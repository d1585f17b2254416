"""The corridor's launch point: candidate sites weighed by how well the fan and the IR lines of
sight fit from each, and by the track's direction of motion, not the site nearest to the first
cue put on the ground at a fixed height (issue 12: a late cue's parallax snapped a Sunan launch
to another site).

Sukchon and Sunan are 25 km apart.  A salvo fired from both by turns puts plumes from both sites
in every track's early IR lines of sight, and those alone once put the Sunan missiles' launch at
Sukchon: from there the bearing to the track's ground point is 55 deg off its flight, and the
corridor warned south-west Japan for missiles bound for the East Sea.  The track's own direction
of motion tells the sites apart (:func:`launchwatch.warn.corridor.heading_term`)."""

from pathlib import Path

import numpy as np
import pytest

from launchwatch.earth import frames, geodesy
from launchwatch.flight.catalog import load_sites
from launchwatch.pipeline.chain import run_chain
from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn import corridor as corridor_mod
from launchwatch.warn.corridor import (
    IR_CUE_HEIGHT_M,
    SIGMA_TRACK_AZ_DEG,
    Corridor,
    heading_term,
    ir_ground_points,
)
from launchwatch.warn.score import truth_windows
from launchwatch.warn.threat import ThreatModel

from .conftest import make_assessment, no_threat, truth_rows

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def overflight():
    sc = load_scenario("overflight")
    return simulate_feed(sc)


@pytest.fixture(scope="module")
def model():
    return ThreatModel()


def _judge(corridor, model, t_s):
    a = make_assessment(t_s, (39.0, 125.7), [(39.5, 128.0)] * 10, t_s + 300.0)
    th = no_threat(len(model.codes))
    return corridor.blend(a, th, np.ones(1), model), corridor.judges(a, 0)


def _nearest_site(lat, lon):
    sites = load_sites()
    names = list(sites)
    _, _, d = geodesy.inverse(
        np.full(len(names), lat),
        np.full(len(names), lon),
        [sites[n].lat_deg for n in names],
        [sites[n].lon_deg for n in names],
    )
    return names[int(np.argmin(d))], float(d.min())


def test_late_cue_picks_the_site_the_fan_and_lines_of_sight_fit(overflight, model):
    """The Hwasong-12 of ``overflight`` (from Sunan) with its first IR scan on it, +35.5 s,
    missed (cloud): the first cue, at +45.5 s, is a plume ~25 km up. Put on the ground at the
    fixed 15 km cue height it lies nearest another site, Pyongsong (the old snap); weighed over
    the candidate sites by the fan's match and the lines of sight, Sunan wins and the heading
    is the truth's."""
    truth = overflight.truth
    ir = overflight.detections[overflight.detections["kind"] == "ir"]
    ir = ir[ir["t_s"] >= 40.0]
    cue = ir[np.argmin(ir["t_s"])]
    la, lo = ir_ground_points(cue[None], IR_CUE_HEIGHT_M)
    snapped, d_km = _nearest_site(la[0], lo[0])
    assert snapped != "Sunan" and d_km < 40e3  # what the nearest-site rule took
    times = [50.0, 54.0, 58.0, 62.0]
    corridor = Corridor(seed=1)
    corridor.set_ir_sensors(overflight.sensors)
    corridor.feed(truth_rows(truth, times), ir)
    _judge(corridor, model, times[-1])
    info = corridor.last[1]
    assert info["launch"][2] == "Sunan", info.get("sites")
    assert info["sites"]["Sunan"] > 0.5 and snapped in info["sites"]
    # the heading from Sunan to the truth's ground point then
    lat, lon, _ = frames.ecef_to_geodetic(truth.at(times[-1])[0, :3])
    s = load_sites()["Sunan"]
    az, _, _ = geodesy.inverse(s.lat_deg, s.lon_deg, np.degrees(lat), np.degrees(lon))
    assert abs(info["heading_deg"] - float(az)) < 0.5


def test_a_prompt_cue_keeps_its_site(overflight, model):
    """With every scan (first cue at +35.5 s, ~15 km up) the candidates still settle on
    Sunan: the site weighing does not move a launch the old rule placed right."""
    truth = overflight.truth
    ir = overflight.detections[overflight.detections["kind"] == "ir"]
    corridor = Corridor(seed=1)
    corridor.set_ir_sensors(overflight.sensors)
    corridor.feed(truth_rows(truth, [44.0, 48.0, 52.0, 56.0]), ir)
    _judge(corridor, model, 56.0)
    sites = corridor.last[1]["sites"]
    assert corridor.last[1]["launch"][2] == "Sunan" and len(sites) > 1
    assert sites["Sunan"] > 0.5, sites


def test_the_traced_late_cue_launches_from_sunan_and_warns_hokkaido(model):
    """japan-overflights seed 1, engagement 8 (``data/irbm-sunan-late-cue.yaml``): the first
    IR detection, +45.9 s, lay 8 km from Sunchon at the 15 km cue height and the old rule
    launched the Hwasong-12 from there (the heading swung; no fan match until +75 s, then a
    false Aomori). At +58 s the fan weighed over the candidate sites launches it from Sunan,
    on the truth's heading, and warns Hokkaido only."""
    feed = simulate_feed(load_scenario(DATA / "irbm-sunan-late-cue.yaml"))
    truth = feed.truth
    ir = feed.detections[feed.detections["kind"] == "ir"]
    la, lo = ir_ground_points(ir[np.argmin(ir["t_s"])][None], IR_CUE_HEIGHT_M)
    assert _nearest_site(la[0], lo[0])[0] == "Sunchon"  # the old snap
    win, imp = truth_windows(truth.times_s, truth.states_ecef)
    assert set(win) | set(imp) == {"JP-01"}
    corridor = Corridor(seed=1)
    corridor.set_ir_sensors(feed.sensors)
    corridor.feed(truth_rows(truth, [46.0, 50.0, 54.0, 58.0]), ir)
    out, judged = _judge(corridor, model, 58.0)
    info = corridor.last[1]
    sites = info["sites"]
    assert info["launch"][2] == "Sunan" and sites["Sunan"] > 1.5 * sites["Sunchon"], sites
    lat, lon, _ = frames.ecef_to_geodetic(truth.at(58.0)[0, :3])
    s = load_sites()["Sunan"]
    az, _, _ = geodesy.inverse(s.lat_deg, s.lon_deg, np.degrees(lat), np.degrees(lon))
    assert abs(info["heading_deg"] - float(az)) < 0.5
    # and, with the IR timing right (one scan, +32.6 s, missed the plume), the fan matches:
    # Hokkaido, the one area the flight crosses, above the issue level and nothing else
    assert judged
    p = dict(zip(model.codes, out["p_over"][0], strict=True))
    assert p["JP-01"] >= corridor.p_issue
    assert max(v for c, v in p.items() if c != "JP-01") < corridor.p_issue
    # the matched templates' launch clock: the truth's (0 s) within a revisit
    assert abs(info["t_launch_mean_s"]) < 13.3


def test_heading_term_weighs_the_turn_between_flight_and_bearing():
    obs = {"vaz_deg": 70.0, "sig_vaz_deg": 2.0}
    assert heading_term(obs, 70.0, 1.0) == 0.0
    # across north: 359 and 1 deg are 2 deg apart, not 358
    assert heading_term({"vaz_deg": 359.0, "sig_vaz_deg": 2.0}, 1.0, 1.0) == pytest.approx(
        -0.5 * 4.0 / (4.0 + 1.0 + SIGMA_TRACK_AZ_DEG**2)
    )
    # symmetric, and a 55 deg turn is decisive at these sigmas
    assert heading_term(obs, 125.0, 1.0) == pytest.approx(heading_term(obs, 15.0, 1.0))
    assert heading_term(obs, 125.0, 1.0) < -50.0
    # wider sigmas weigh less; no horizontal speed to read: no word at all
    assert heading_term({"vaz_deg": 70.0, "sig_vaz_deg": 20.0}, 125.0, 1.0) > -5.0
    assert heading_term({"vaz_deg": 70.0, "sig_vaz_deg": np.inf}, 125.0, 1.0) == 0.0


@pytest.mark.slow
def test_alternating_sites_each_missile_judged_from_its_own_site(monkeypatch):
    scenario = load_scenario(DATA / "salvo-sukchon-sunan-crossing.yaml")
    seen = []  # (t, track id, launch site name, heading deg) of every corridor judgement
    real = corridor_mod.Corridor.blend

    def blend(self, a, th, boost, model):
        out = real(self, a, th, boost, model)
        for tid in np.asarray(a.track_id).astype(int):
            info = self.last.get(int(tid), {})
            if info.get("used"):
                seen.append((float(a.t_s), int(tid), info["launch"][2], info["heading_deg"]))
        return out

    monkeypatch.setattr(corridor_mod.Corridor, "blend", blend)
    run = run_chain(scenario, interval_s=5.0, n_samples=200)
    score = run.sim.score
    sites = load_sites()
    launches = scenario.launches
    judged = set()
    assert seen
    for t, tid, site, heading in seen:
        # the missile this track follows: the one it is assigned to most, over its life
        _, m_of = np.nonzero(score.assignment == tid)
        m = int(np.bincount(m_of).argmax())
        launch = launches[m]
        assert site == launch.site, (t, tid, launch.id, site, launch.site)
        s = sites[launch.site]
        az = geodesy.inverse(s.lat_deg, s.lon_deg, launch.target.lat_deg, launch.target.lon_deg)[0]
        assert abs((heading - float(az) + 180.0) % 360.0 - 180.0) < 10.0, (t, launch.id, heading)
        judged.add(launch.site)
    assert judged == {"Sukchon", "Sunan"}  # both sites' missiles were judged by the corridor


@pytest.mark.parametrize("sigma_v_m_s", [60.0, 400.0])
def test_a_track_still_over_its_site_is_not_judged_from_another(overflight, model, sigma_v_m_s):
    """The Hwasong-12 of ``overflight`` at +34-42 s: its ground point is 3-7 km from Sunan, too
    near for a bearing from there.  The bearing to it from any other candidate site (Sukchon,
    Pyongyang, 20-25 km away) is a direction across the flight, not along it: Sunan stays a
    candidate, judged along the track's own direction of motion, and the corridor flies that
    heading -- or, with a velocity too uncertain to give one (400 m/s per axis), waits."""
    truth = overflight.truth
    ir = overflight.detections[overflight.detections["kind"] == "ir"]
    times = [34.0, 38.0, 42.0]
    rows = truth_rows(truth, times)
    rows["cov"] = np.diag([1e6] * 3 + [sigma_v_m_s**2] * 3)
    s = load_sites()["Sunan"]
    lat, lon, _ = frames.ecef_to_geodetic(truth.at(times[-1])[0, :3])
    assert geodesy.inverse(s.lat_deg, s.lon_deg, np.degrees(lat), np.degrees(lon))[2] < 8e3
    corridor = Corridor(seed=1)
    corridor.set_ir_sensors(overflight.sensors)
    corridor.feed(rows, ir)
    out, _ = _judge(corridor, model, times[-1])
    info = corridor.last[1]
    # the truth's direction of motion over the ground (ENU azimuth of its velocity)
    x = truth.at(times[-1])[0]
    v_enu = frames.enu_matrix(lat, lon) @ x[3:6]
    vaz = float(np.degrees(np.arctan2(v_enu[0], v_enu[1])))
    if sigma_v_m_s < 100.0:
        assert info["used"] and info["launch"][2] == "Sunan", info.get("sites")
        assert abs((info["heading_deg"] - vaz + 180.0) % 360.0 - 180.0) < 5.0
    else:
        assert not info["used"] and info.get("over_site")
        assert np.all(out["p_over"] == 0.0)  # nothing judged from a borrowed bearing
