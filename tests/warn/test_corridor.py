"""The launch corridor of a boosting track, against the flight core's truth of shipped
scenarios (a catalog Hwasong-12 and KN-23, shaped to their published figures), a two-stage
IRBM flown by the flight core, and the simulated SBIRS-like IR feed."""

import numpy as np
import pytest

from launchwatch.earth import frames, geodesy
from launchwatch.pipeline.chain import ir_cue_settings
from launchwatch.pipeline.feed import simulate_feed
from launchwatch.sense.geometry import aer_from
from launchwatch.sense.scenario import load_scenario
from launchwatch.track.history import history_dtype
from launchwatch.warn.corridor import T_FINE, Corridor, fan, ir_ground_points, turn
from launchwatch.warn.score import truth_windows
from launchwatch.warn.threat import ThreatModel

from .conftest import make_assessment, truth_rows


def test_ir_line_of_sight_back_to_the_ground():
    """A plume at 15 km seen from GEO comes back to its own ground point (and at another
    height, displaced away from the satellite by about the height difference)."""
    sat = frames.geodetic_to_ecef(0.0, np.radians(110.0), 35_786e3)
    lat = np.radians([39.2, 40.6, 38.0])
    lon = np.radians([125.7, 126.5, 127.9])
    plume = frames.geodetic_to_ecef(lat, lon, np.full(3, 15e3))
    _, az, el = aer_from(sat, plume)
    det = np.zeros(3, dtype=[("z", float, (4,)), ("sensor_ecef_m", float, (3,))])
    det["z"][:, 0], det["z"][:, 1] = az, el
    det["sensor_ecef_m"] = sat
    g_lat, g_lon = ir_ground_points(det, 15e3)
    np.testing.assert_allclose(g_lat, np.degrees(lat), atol=1e-7)
    np.testing.assert_allclose(g_lon, np.degrees(lon), atol=1e-7)
    g_lat, g_lon = ir_ground_points(det, 5e3)
    _, _, d = geodesy.inverse(g_lat, g_lon, np.degrees(lat), np.degrees(lon))
    assert np.all((d > 5e3) & (d < 30e3))


def _case(name, times_s, boost):
    """Truth-exact track rows of a scenario's first missile at ``times_s`` (1 km, 60 m/s
    sigma; boost-model probability ``boost``) and its simulated IR detections."""
    sc = load_scenario(name)
    feed = simulate_feed(sc)
    truth = feed.truth
    rows = truth_rows(truth, times_s, boost)
    corridor = Corridor(seed=1)
    corridor.ir_revisit_s, corridor.ir_min_height_m = ir_cue_settings(feed.sensors)
    corridor.feed(rows, feed.detections[feed.detections["kind"] == "ir"])
    win, imp = truth_windows(truth.times_s, truth.states_ecef)
    return corridor, truth, set(win) | set(imp)


@pytest.fixture(scope="module")
def model():
    return ThreatModel()


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
    return out, corridor.judges(a, 0)


def test_boosting_irbm_corridor_finds_hokkaido_within_a_minute(model):
    """A Hwasong-12 over Hokkaido (overflight): at +56 s, still burning (IR sees it), the
    corridor from Sunan puts Hokkaido above the issue level and no other area near it."""
    corridor, truth, reached = _case("overflight", [44.0, 48.0, 52.0, 56.0], 0.95)
    assert reached == {"JP-01"}
    out, judged = _judge(corridor, model, 56.0)
    assert judged
    info = corridor.last[1]
    assert info["launch"][2] == "Sunan" and info["b"] == 1.0
    p = dict(zip(model.codes, out["p_over"][0], strict=True))
    assert p["JP-01"] >= corridor.p_issue
    others = [c for c in model.codes if c != "JP-01"]
    assert max(p[c] for c in others) < corridor.p_issue
    assert np.isfinite(out["t_entry_s"][0, model.codes.index("JP-01")])
    assert out["p_issue"][0] == corridor.p_issue


def test_burnt_out_srbm_is_left_to_its_ballistic_prediction(model):
    """A KN-23 (reference scenario) has burnt out at ~30 s: at +44 s the IR has been silent for
    more than a revisit, so the corridor does not judge it (no fan of longer burns)."""
    corridor, _, reached = _case("reference-2025-11-07", [36.0, 40.0, 44.0], 0.45)
    assert reached == set()
    out, judged = _judge(corridor, model, 44.0)
    assert not judged and corridor.last[1]["b"] == 0.0
    assert np.all(out["p_over"] == 0.0)


def test_corridor_rejects_bad_settings():
    with pytest.raises(ValueError):
        Corridor(n_draws=0)
    with pytest.raises(ValueError):
        Corridor(p_issue=0.0)
    with pytest.raises(ValueError):
        Corridor(ir_revisit_s=-1.0)


def _staged_irbm_rows(times_s):
    """Truth-exact rows (1 km, 60 m/s sigma, boost model 0.95) of a two-stage solid IRBM from
    Sunan over Hokkaido, flown by the flight core: the catalog's solid two-stage boost (stages
    of 68.4 s and 69.7 s) at a kick and thrust scale *between* the fan's grid points, aimed
    69 deg; and its truth (times, ECEF states)."""
    from launchwatch.flight.boosts import load_boosts
    from launchwatch.flight.propagate import make_controls, propagate

    b = next(x for x in load_boosts() if x.name.startswith("solid two-stage"))
    times = np.arange(0.0, 2000.0, 1.0)
    tr = propagate(
        b.model(),
        39.03,
        125.67,
        69.0,
        make_controls(1, kick_rad=0.8, thrust_scale=0.9),
        sample_times_s=times,
        t_max_s=2000.0,
    )
    st = tr.samples_ecef()
    rows = np.zeros(len(times_s), history_dtype(3))
    rows["state"] = st[0, np.asarray(times_s, int)]
    rows["t_s"] = times_s
    rows["track_id"] = 1
    rows["cov"] = np.diag([1e6] * 3 + [3600.0] * 3)
    rows["mu"] = np.array([0.05, 0.95, 0.0])
    rows["confirmed"] = True
    return rows, times, st


def test_two_stage_irbm_over_hokkaido_is_followed_by_the_staged_fan(model):
    """A two-stage IRBM over Hokkaido, judged at +60 s (first stage) and +80 s (second
    stage): Hokkaido above the issue level and no other area near it; after staging most of
    the weight is on the catalog's multi-stage members of the fan (a one-stage template cannot
    burn, stop and burn again), none on the ICBM-only Titan II staging."""
    from launchwatch.warn.corridor import staged_templates

    names = [n for n, *_ in staged_templates()]
    assert any("two-stage" in n for n in names) and any("three-stage" in n for n in names)
    for t in (60.0, 80.0):
        rows, times, st = _staged_irbm_rows([t - 12.0, t - 8.0, t - 4.0, t])
        win, imp = truth_windows(times, st)
        assert set(win) | set(imp) == {"JP-01"}
        corridor = Corridor(seed=1)
        corridor.feed(rows)
        out, judged = _judge(corridor, model, t)
        assert judged
        p = dict(zip(model.codes, out["p_over"][0], strict=True))
        assert p["JP-01"] >= corridor.p_issue, (t, p["JP-01"])
        assert max(v for c, v in p.items() if c != "JP-01") < corridor.p_issue
        staged = corridor.last[1]["staged"]
        assert staged["liquid two-stage (Titan II staging)"] < 0.05
        if t == 80.0:
            assert sum(staged.values()) >= 0.5, staged


def test_fan_downranges_are_the_geodesics_within_2_cm():
    """The fan's downranges (exact geodesics every 16 s of the climb, Andoyer-Lambert and its
    interpolated difference between: :func:`launchwatch.earth.geodesy.distances_from`) against
    the exact geodesic from the launch point at every still-flying fine-grid point."""
    times, pos, h, dist, *_ = fan(39.66, 124.7, 90.0)
    d = dist.table()
    nf = T_FINE.size
    lat, lon, hh = frames.ecef_to_geodetic(pos[:, :nf])
    ok = np.isfinite(hh)
    assert np.array_equal(np.isfinite(d), ok)
    _, _, exact = geodesy.inverse(39.66, 124.7, np.degrees(lat[ok]), np.degrees(lon[ok]))
    assert np.max(exact) > 2.0e6  # the fastest templates are ~2,300 km out after 400 s
    assert np.max(np.abs(d[ok] - exact)) < 0.02


def test_a_match_reads_two_downranges_per_template_not_the_table(monkeypatch):
    """A fan computes its downrange table only where a match reads it (the two points around
    the track's height per template, ``geodesy.PathDistances``): the whole table was a quarter
    of a fan's CPU, and a match reads 2 of its 400 points per template."""
    from launchwatch.warn import corridor as cor

    asked = []
    real = geodesy.distances_from

    def count(*args, **kwargs):
        asked.append(np.size(args[2]))
        return real(*args, **kwargs)

    monkeypatch.setattr(geodesy, "distances_from", count)
    times, pos, h, dist, *_ = cor.fan.__wrapped__(39.66, 124.7, 90.0)
    assert asked == []  # flying the fan computes no downrange
    fidx = cor.first_crossing(h, 60e3)
    got = cor._at_points(dist, fidx)
    assert asked == []  # neither does a match
    monkeypatch.setattr(geodesy, "distances_from", real)
    assert np.array_equal(got, cor._at(dist.table(), fidx), equal_nan=True)
    assert np.isfinite(got).sum() > 100


def test_a_match_reads_speeds_and_angles_where_it_needs_them():
    """A fan's speeds and flight-path angles (``FineKinematics``) are computed at the points a
    match reads, the floats of the whole table there; the table is the states' speed and
    angle against the geocentric radial."""
    from launchwatch.warn import corridor as cor

    times, pos, h, dist, speed, gamma, *_ = cor.fan.__wrapped__(39.66, 124.7, 90.0)
    fidx = cor.first_crossing(h, 60e3)
    got_s, got_g = cor._at_points(speed, fidx), cor._at_points(gamma, fidx)
    assert speed._table is None and gamma._table is None  # a match computes no table
    assert np.array_equal(got_s, cor._at(speed.table(), fidx), equal_nan=True)
    assert np.array_equal(got_g, cor._at(gamma.table(), fidx), equal_nan=True)
    assert np.isfinite(got_s).sum() > 100
    nf = T_FINE.size
    r, v = pos[:, :nf], speed.vel
    want_s = np.linalg.norm(v, axis=-1)
    ok = np.isfinite(r[..., 0]) & (want_s > 1.0)  # not on the pad
    up = np.sum(r * v, axis=-1) / np.linalg.norm(r, axis=-1)
    np.testing.assert_allclose(speed.table()[ok], want_s[ok], rtol=1e-12)
    np.testing.assert_allclose(gamma.table()[ok], np.arcsin(up[ok] / want_s[ok]), atol=1e-9)
    assert np.all(np.isnan(speed.table()[~np.isfinite(r[..., 0])]))


def test_turning_shared_rows_is_turning_each_row():
    """``turn(..., rows=)`` (each distinct path's geodesics solved once) gives the same floats
    as turning the repeated rows themselves."""
    rng = np.random.default_rng(3)
    lat = 40.0 + rng.normal(0.0, 3.0, (5, 30))
    lon = 132.0 + rng.normal(0.0, 5.0, (5, 30))
    lat[1, 20:] = lon[1, 20:] = np.nan
    rows = rng.integers(0, 5, 40)
    dpsi = rng.normal(0.0, 2.0, (40, 1))
    want = turn(39.0, 125.0, lat[rows], lon[rows], dpsi)
    got = turn(39.0, 125.0, lat, lon, dpsi, rows=rows)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert np.isnan(got[0][rows == 1, 20:]).all()
