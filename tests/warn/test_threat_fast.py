"""The pruned overflight computation of WarningPolicy.threat against brute force.

``threat`` densifies and looks up only the path segments that may touch land (coarse land mask,
:class:`launchwatch.warn.land_mask.LandMask`). Here the reference densifies every segment of every
sample and looks up every point, as the policy did before the pruning; both must give the same
``p_over``/``p_fall`` and entry/exit times within one densified step.
"""

import warnings
from dataclasses import replace

import numpy as np
import pytest

from launchwatch.earth import geodesy
from launchwatch.warn import areas
from launchwatch.warn.policy import WarningPolicy
from launchwatch.warn.threat import merge_impacts
from launchwatch.warn.threat import path_hits as _path_hits

from .conftest import SUNAN, make_assessment


def fan(center, along_m, cross_m, bearing_deg, n, rng):
    """``n`` impact points around ``center``: sigma ``along_m`` along ``bearing_deg``,
    ``cross_m`` across it."""
    a = rng.normal(0.0, along_m, n)
    c = rng.normal(0.0, cross_m, n)
    az = (bearing_deg + np.degrees(np.arctan2(c, a))) % 360.0
    lat, lon, _ = geodesy.direct(np.full(n, center[0]), np.full(n, center[1]), az, np.hypot(a, c))
    return np.stack([lat, lon], axis=1)


def overflight(
    t_s,
    target,
    flight_s,
    *,
    n=1000,
    apogee_m=550e3,
    seed=0,
    wobble_m=5e3,
    dt_s=5.0,
    sigma_m=(150e3, 60e3),
    jitter_s=15.0,
):
    """``n`` samples from Sunan towards ``target`` (along/cross-track impact noise ``sigma_m``,
    impact-time jitter, hence NaN tails), paths bent by a smooth random lateral wobble (not
    geodesics), sampled every ``dt_s``."""
    rng = np.random.default_rng(seed)
    brg = geodesy.inverse(SUNAN[0], SUNAN[1], target[0], target[1])[1]
    imps = fan(target, sigma_m[0], sigma_m[1], float(brg), n, rng)
    a = make_assessment(
        t_s,
        SUNAN,
        imps,
        flight_s,
        apogee_m=apogee_m,
        dt_s=dt_s,
        impact_t_jitter=rng.normal(0.0, jitter_s, n) if jitter_s else None,
    )
    lat, lon = a.path_lat_deg[0], a.path_lon_deg[0]
    amp = rng.normal(0.0, wobble_m, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    off = amp * np.sin(phase + a.path_t_s[None, :] / 90.0)
    ok = np.isfinite(lat)
    la2, lo2, _ = geodesy.direct(
        np.where(ok, lat, 0.0),
        np.where(ok, lon, 0.0),
        np.full(lat.shape, (float(brg) + 90.0) % 360.0),
        np.abs(off),
    )
    la3, lo3, _ = geodesy.direct(
        np.where(ok, lat, 0.0),
        np.where(ok, lon, 0.0),
        np.full(lat.shape, (float(brg) + 270.0) % 360.0),
        np.abs(off),
    )
    lat = np.where(ok, np.where(off >= 0, la2, la3), np.nan)
    lon = np.where(ok, np.where(off >= 0, lo2, lo3), np.nan)
    return replace(a, path_lat_deg=lat[None], path_lon_deg=lon[None])


def brute_force_paths(a, densify_km=2.0, countries=("JPN", "KOR")):
    """Per track, sample and area (K, S, A): whether the path touches the area's land, first and
    last time on it (inf/-inf if not), and the densified step (s) -- every segment of every path
    densified, every point looked up (the policy before its pruning)."""
    index = areas.load_index()
    t = np.asarray(a.path_t_s, float)
    keep = t >= a.t_s - 1e-9
    lat, lon, t = a.path_lat_deg[..., keep], a.path_lon_deg[..., keep], t[keep]
    n = 1
    if t.size >= 2:
        dlat = np.diff(lat, axis=-1)
        dlon = (np.diff(lon, axis=-1) + 180.0) % 360.0 - 180.0
        step_m = geodesy.segment_lengths_m(lat[..., :-1], lon[..., :-1], lat[..., 1:], lon[..., 1:])
        n = geodesy.densify_count(step_m, densify_km * 1e3, 64)
    if n > 1:
        f = np.arange(n) / n
        shape = lat.shape[:-1] + (-1,)
        la = np.concatenate(
            [(lat[..., :-1, None] + dlat[..., None] * f).reshape(shape), lat[..., -1:]], axis=-1
        )
        lo = np.concatenate(
            [(lon[..., :-1, None] + dlon[..., None] * f).reshape(shape), lon[..., -1:]], axis=-1
        )
        tt = np.concatenate([(t[:-1, None] + np.diff(t)[:, None] * f).ravel(), t[-1:]])
    else:
        la, lo, tt = lat, lon, t
    valid = np.isfinite(la) & np.isfinite(lo)
    idx = np.full(la.shape, -1)
    idx[valid] = index.index_of(la[valid], lo[valid], countries)
    K, S = lat.shape[:2]
    A = len(index.codes)
    hit = np.zeros((K, S, A), dtype=bool)
    t_in = np.full((K, S, A), np.inf)
    t_out = np.full((K, S, A), -np.inf)
    for area in np.unique(idx[idx >= 0]):
        m = idx == area
        hit[..., area] = m.any(axis=-1)
        t_in[..., area] = np.where(m, tt, np.inf).min(axis=-1)
        t_out[..., area] = np.where(m, tt, -np.inf).max(axis=-1)
    step_s = float(np.diff(t).max() / n) if t.size >= 2 else 0.0
    return hit, t_in, t_out, step_s


def brute_force(a, densify_km=2.0, countries=("JPN", "KOR")):
    """p_over, p_fall, t_entry, t_exit (K, A) and the densified step (s), as the policy computed
    them before its pruning."""
    index = areas.load_index()
    hit, t_in, t_out, step_s = brute_force_paths(a, densify_km, countries)
    K, S, A = hit.shape
    # impact points: the same rule as the policy's (only the path pruning is under test)
    hit, fall, t_in, t_out = merge_impacts(index, countries, a, hit, t_in, t_out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        t_entry = np.nanmedian(np.where(hit, t_in, np.nan), axis=1)
        t_exit = np.nanmedian(np.where(hit, t_out, np.nan), axis=1)
    return hit.mean(axis=1), fall.mean(axis=1), t_entry, t_exit, step_s


def fast_paths(a, densify_km=2.0, countries=("JPN", "KOR")):
    """:func:`brute_force_paths` from the policy's pruned path lookup."""
    ks, tt, aa = _path_hits(a, densify_km, areas.load_index(), countries)
    K, S = a.path_lat_deg.shape[:2]
    A = len(areas.load_index().codes)
    hit = np.zeros((K * S, A), dtype=bool)
    t_in = np.full((K * S, A), np.inf)
    t_out = np.full((K * S, A), -np.inf)
    hit[ks, aa] = True
    np.minimum.at(t_in, (ks, aa), tt)
    np.maximum.at(t_out, (ks, aa), tt)
    return hit.reshape(K, S, A), t_in.reshape(K, S, A), t_out.reshape(K, S, A)


def assert_same(a, policy):
    p_over, p_fall, t_entry, t_exit, step_s = brute_force(
        a, policy.model.densify_km, policy.countries
    )
    th = policy.threat(a)
    np.testing.assert_array_equal(th["p_over"], p_over)
    np.testing.assert_array_equal(th["p_fall"], p_fall)
    for got, ref in ((th["t_entry_s"], t_entry), (th["t_exit_s"], t_exit)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        np.testing.assert_allclose(got, ref, rtol=0, atol=step_s + 1e-9, equal_nan=True)
    return p_over


HOKKAIDO_FAR = (42.0, 157.5)  # Hwasong-12 of 2017-08-29 style: over Hokkaido, 880 s


@pytest.mark.parametrize("t_s", [0.0, 150.0, 300.0, 420.0])
def test_hokkaido_overflight_matches_brute_force(t_s):
    a = overflight(t_s, HOKKAIDO_FAR, 880.0, seed=int(t_s))
    p_over = assert_same(a, WarningPolicy())
    codes = areas.load_index().codes
    if t_s < 300.0:  # before the crossing: a real test, many samples over Hokkaido's land
        assert 0.2 < p_over[0, codes.index("JP-01")] < 1.0


@pytest.mark.parametrize(
    "target,flight_s,countries,densify_km",
    [
        ((35.5, 132.0), 600.0, ("JPN", "KOR"), 2.0),  # over South Korea into western Honshu
        ((35.5, 132.0), 600.0, ("KOR",), 2.0),  # country filter
        ((39.0, 172.0), 1195.0, ("JPN",), 2.0),  # 240 path points, over Tohoku
        ((39.0, 172.0), 1195.0, ("JPN", "KOR"), 60.0),  # steps below densify_km: no densifying
    ],
)
def test_other_paths_match_brute_force(target, flight_s, countries, densify_km):
    a = overflight(0.0, target, flight_s, n=300, seed=7, apogee_m=600e3)
    p_over = assert_same(a, WarningPolicy(country_areas=countries, densify_km=densify_km))
    assert p_over.max() > 0.1


# paths sampled every 20 s (60-80 km steps) over island-strewn seas: crossings of small islands
# between two far-apart path points are what a too-eager pruning would miss
SOUTH = dict(target=(26.6, 127.9), flight_s=900.0, dt_s=20.0)  # SW Korea's isles, Jeju, Okinawa
TSUSHIMA = dict(target=(33.0, 129.5), flight_s=500.0, dt_s=20.0)  # Tsushima, Iki, Goto
ULLEUNG = dict(target=(36.8, 134.0), flight_s=600.0, dt_s=30.0)  # Ulleungdo, Oki, Honshu
SENDAI = dict(target=(38.0, 141.5), flight_s=620.0, dt_s=5.0, jitter_s=0.0)  # on land, no NaN


@pytest.mark.parametrize(
    "case,countries",
    [
        (SOUTH, ("JPN", "KOR")),
        (SOUTH, ("JPN",)),
        (TSUSHIMA, ("JPN", "KOR")),
        (TSUSHIMA, ("KOR",)),
        (ULLEUNG, ("JPN", "KOR")),
        (SENDAI, ("JPN",)),
    ],
    ids=["south", "south-JPN", "tsushima", "tsushima-KOR", "ulleung", "sendai-JPN"],
)
def test_per_sample_hits_match_brute_force(case, countries):
    """Per sample and area: touched or not (exactly), first/last time within one step."""
    case = dict(case)
    a = overflight(
        0.0, case.pop("target"), case.pop("flight_s"), n=400, seed=3, sigma_m=(200e3, 120e3), **case
    )
    ref_hit, ref_in, ref_out, step_s = brute_force_paths(a, 2.0, countries)
    hit, t_in, t_out = fast_paths(a, 2.0, countries)
    assert ref_hit.sum() > 100
    np.testing.assert_array_equal(hit, ref_hit)
    np.testing.assert_allclose(t_in[hit], ref_in[hit], rtol=0, atol=step_s + 1e-9)
    np.testing.assert_allclose(t_out[hit], ref_out[hit], rtol=0, atol=step_s + 1e-9)
    assert_same(a, WarningPolicy(country_areas=countries))


def test_small_island_between_far_path_points(rng):
    """Paths eastward across Ulleungdo (~10 km wide) with points 1 deg (~90 km) apart: the island
    lies anywhere in a segment, up to ~45 km from both of its ends."""
    S = 300
    base = overflight(0.0, (36.8, 134.0), 600.0, n=S, seed=5)
    t = np.arange(6) * 50.0
    lat = np.repeat(rng.uniform(37.40, 37.60, (S, 1)), t.size, axis=1)
    lon = 129.6 + rng.uniform(0.0, 1.0, (S, 1)) + np.arange(t.size)[None, :] * 1.0
    a = replace(
        base,
        path_t_s=t,
        path_lat_deg=lat[None],
        path_lon_deg=lon[None],
        path_h_m=np.full((1, S, t.size), 300e3),
        impact_t_s=np.array([600.0]),
    )
    ref_hit, *_ = brute_force_paths(a)
    hit, _, _ = fast_paths(a)
    kr47 = areas.load_index().codes.index("KR-47")
    assert 0.1 < ref_hit[0, :, kr47].mean() < 0.9
    np.testing.assert_array_equal(hit, ref_hit)
    assert_same(a, WarningPolicy())


def test_land_mask_is_conservative():
    """Where the mask says "no land", index_of finds none on a dense sample of the box."""
    index = areas.load_index()
    rng = np.random.default_rng(1)
    for countries in (("JPN", "KOR"), ("KOR",)):
        mask = index.land_mask(countries)
        lat0 = rng.uniform(30.0, 46.0, 3000)
        lon0 = rng.uniform(124.0, 146.0, 3000)
        dlat = rng.uniform(-0.3, 0.3, 3000)
        dlon = rng.uniform(-0.3, 0.3, 3000)
        box = mask.may_touch(
            np.minimum(lat0, lat0 + dlat),
            np.maximum(lat0, lat0 + dlat),
            np.minimum(lon0, lon0 + dlon),
            np.maximum(lon0, lon0 + dlon),
        )
        assert 0.05 < box.mean() < 0.95
        f = np.linspace(0.0, 1.0, 200)
        g = rng.uniform(0.0, 1.0, (1, 200))
        la = lat0[~box, None] + dlat[~box, None] * f  # the diagonal and random box points
        lo = lon0[~box, None] + dlon[~box, None] * f
        la2 = lat0[~box, None] + dlat[~box, None] * g
        lo2 = lon0[~box, None] + dlon[~box, None] * rng.uniform(0.0, 1.0, (1, 200))
        for y, x in ((la, lo), (la2, lo2)):
            assert (index.index_of(y, x, countries) < 0).all()
        # a point on land has distance 0 and its box touches
        pts = index.index_of(lat0, lon0, countries) >= 0
        assert pts.any()
        assert (mask.distance(lat0[pts], lon0[pts]) == 0).all()
        assert mask.may_touch(lat0[pts], lat0[pts], lon0[pts], lon0[pts]).all()
    # longitudes in any turn, boxes across the antimeridian, NaN
    tokyo = (35.68, 139.77)
    mask = index.land_mask()
    assert mask.may_touch(tokyo[0], tokyo[0], tokyo[1] - 360.0, tokyo[1] - 360.0)
    assert mask.may_touch(tokyo[0], tokyo[0], tokyo[1] + 720.0, tokyo[1] + 720.0)
    assert mask.may_touch(tokyo[0], tokyo[0], 170.0, 139.77 + 360.0)  # 170E .. 139.77E east
    assert not mask.may_touch(tokyo[0], tokyo[0], 170.0, 190.0)
    assert mask.may_touch(tokyo[0], tokyo[0], -500.0, 0.0)  # wider than the globe
    assert not mask.may_touch(np.nan, 1.0, 139.0, 140.0)
    assert mask.distance(tokyo[0], tokyo[1] + 360.0) == 0
