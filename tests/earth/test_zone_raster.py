"""The interior-cell raster of the zones: identical answers to the exact path on 10^6 random
points over its region, a small boundary share, and the land-mask pixel convention it relies
on."""

import numpy as np
import pytest

from launchwatch.bench.zones import region_points
from launchwatch.earth import zone_raster, zones


@pytest.fixture(scope="module")
def model():
    return zones.zone_model()


def test_identical_to_exact_path_on_a_million_random_points(model):
    lat, lon = region_points(1_000_000, seed=2026)
    kind, country = zones.classify_codes(lat, lon)
    ex_kind, ex_country, _, _ = zones.exact(model, lat, lon)
    assert np.array_equal(kind, ex_kind), np.flatnonzero(kind != ex_kind)[:10]
    assert np.array_equal(country, ex_country), np.flatnonzero(country != ex_country)[:10]
    # every kind occurs, so the test exercises every branch of the proof
    assert set(np.unique(kind)) == {0, 1, 2, 3}
    bkind, _ = zone_raster.raster().lookup_codes(lat, lon)
    share = np.mean(bkind < 0)
    print(f"points answered by the exact path (boundary cells): {share:.2%}")
    assert share < 0.03
    assert abs(share - zone_raster.raster().stats["boundary_area_share"]) < 0.002


def test_points_on_cell_edges_and_outside_the_region(model):
    # exact multiples of the cell size, pixel edges, and points outside the raster
    la0, la1, lo0, lo1 = zone_raster.REGION
    e = 0.5 / zone_raster.PX_PER_DEG
    lat = np.r_[np.arange(la0, la1, 0.125) - e, np.arange(la0, la1, 0.125), 10.0, -30.0, 60.0]
    lon = np.r_[
        np.arange(lo0, lo1, 45.0 / 320) - e, np.arange(lo0, lo1, 45 / 320), 130.0, 150.0, 170.0
    ]
    kind, country = zones.classify_codes(lat, lon)
    ex_kind, ex_country, _, _ = zones.exact(model, lat, lon)
    assert np.array_equal(kind, ex_kind) and np.array_equal(country, ex_country)


def test_strings_and_distance_match_the_exact_path(model):
    lat, lon = region_points(2_000, seed=5)
    z = zones.classify(lat, lon)
    e = zones._exact_zones(lat, lon)
    assert np.array_equal(z.kind, e.kind) and np.array_equal(z.country, e.country)
    assert np.array_equal(z.distance_to_coast_km, e.distance_to_coast_km)
    assert np.array_equal(z.nearest_coast_country, e.nearest_coast_country)


def test_mask_pixel_convention(model):
    # the raster checks the mask at pixel centres: a point has its pixel centre's answer
    rng = np.random.default_rng(3)
    lat = rng.uniform(30.0, 45.0, 200_000)
    lon = rng.uniform(125.0, 145.0, 200_000)
    ppd = zone_raster.PX_PER_DEG
    cx = (np.floor(lon * ppd + 43200.5) - 43200.0) / ppd
    cy = (np.floor(lat * ppd + 21600.5) - 21600.0) / ppd
    a = np.asarray(model.mask.contains_many(lon, lat))
    b = np.asarray(model.mask.contains_many(cx, cy))
    assert np.array_equal(a, b)
    assert 0.05 < a.mean() < 0.95


# --------------------------------------------------------------------------------------------
# one point, fast (issue 17: ``zone LAT LON`` starts in well under 2 s)


@pytest.fixture(scope="module")
def fresh():
    """A zone model of its own (the shared one may have its tree built by other tests), whose
    brute force never hands over to the tree (these tests compare the two paths)."""
    from launchwatch.earth import zones_data

    m = zones.ZoneModel(zones_data.load_tables())
    m.brute_budget = np.inf
    return m


def test_brute_force_hands_over_to_the_tree_past_its_budget(model):
    """Points far from every coast cost the brute force a wide band: past its budget the model
    builds the tree, and the answers are the same either way."""
    from launchwatch.earth import zones_data

    m = zones.ZoneModel(zones_data.load_tables())
    m.brute_budget = 1_000_000
    p = zones_data.unit_vectors(np.array([30.0, -60.0, 5.0]), np.array([-40.0, 100.0, -150.0]))
    want_d, want_i = model.tree.query(p, k=1)
    got = [m.nearest(p[i : i + 1]) for i in range(len(p))]
    assert m.brute_scanned > m.brute_budget and "tree" in m.__dict__
    assert np.array_equal(np.concatenate([g[1] for g in got]), want_i)
    assert np.allclose(np.concatenate([g[0] for g in got]), want_d, rtol=1e-12, atol=1e-15)
    small = zones.ZoneModel(zones_data.load_tables())  # one point near a coast: no tree
    small.nearest(zones_data.unit_vectors(np.array([41.5]), np.array([137.2])))
    assert "tree" not in small.__dict__ and 0 < small.brute_scanned < small.brute_budget


def test_python_and_compiled_lookups_agree(model):
    r = zone_raster.raster()
    lat, lon = region_points(20_000, seed=11)
    outs = []
    for kernel in (zone_raster._lookup_kernel, zone_raster._compiled_kernel()):
        kind = np.empty(len(lat), np.int8)
        country = np.empty(len(lat), np.int16)
        kernel(lat, lon, r.lat0, r.lon0, float(zone_raster.UNITS_PER_DEG), r.base, r.flat,
               kind, country, zone_raster.KIND_BASE)  # fmt: skip
        outs.append((kind, country))
    assert np.array_equal(outs[0][0], outs[1][0]) and np.array_equal(outs[0][1], outs[1][1])
    assert (outs[0][0] < 0).any() and (outs[0][0] >= 0).any()  # both kinds of cell


def test_brute_force_nearest_is_the_trees(model, fresh):
    from launchwatch.earth import zones_data

    rng = np.random.default_rng(8)
    lat, lon = region_points(6, seed=3)
    # points near coasts too (a few km off coast vertices), where neighbours are dense
    v = rng.choice(len(model.xyz), 6, replace=False)
    clat, clon = zones_data.lat_lon(model.xyz[v])
    # and far from any coast, at the poles and on the antimeridian (wide bands of z)
    lat = np.r_[lat, clat + rng.uniform(-0.02, 0.02, 6), -89.0, 0.0, 90.0, -90.0, 30.0, 52.0]
    lon = np.r_[lon, clon + rng.uniform(-0.02, 0.02, 6), 10.0, -150.0, 0.0, 0.0, -40.0, 180.0]
    p = zones_data.unit_vectors(lat, lon)
    for k in (1, 8):
        want_d, want_i = model.tree.query(p, k=k)
        got_d, got_i = zip(*(fresh.nearest(p[i : i + 1], k) for i in range(len(p))), strict=True)
        assert np.array_equal(np.concatenate(got_i), want_i)
        assert np.allclose(np.concatenate(got_d), want_d, rtol=1e-12, atol=1e-15)
    assert "tree" not in fresh.__dict__


def _coastal_points(model, n, seed, spread_deg=0.03):
    """Points within a few km of coast vertices inside the region (boundary cells, the exact
    path's near-coast test)."""
    from launchwatch.earth import zones_data

    la0, la1, lo0, lo1 = zone_raster.REGION
    rng = np.random.default_rng(seed)
    v = rng.choice(len(model.coast_code), 400_000, replace=False)
    clat, clon = zones_data.lat_lon(model.vertices(v))
    keep = np.flatnonzero((clat > la0 + 0.1) & (clat < la1 - 0.1) & (clon > lo0 + 0.1)
                          & (clon < lo1 - 0.1))[:n]  # fmt: skip
    return (clat[keep] + rng.uniform(-spread_deg, spread_deg, len(keep)),
            clon[keep] + rng.uniform(-spread_deg, spread_deg, len(keep)))  # fmt: skip


def test_one_point_needs_no_tree_and_no_mask(model, fresh, monkeypatch):
    """zone_of for points anywhere in the raster's region -- interior cells, boundary cells on
    coasts -- gives the exact path's answer (computed with the k-d tree and roaring-landmask's
    own mask) without building the tree or loading the mask (the raster keeps the mask's
    pixels); outside the region it loads them and agrees too.

    100 random points of the region (the first 100 of the 300 this test once drew: each costs
    the brute force ~20 ms of CPU, most far from a coast): with the coastal points they still
    reach every kind through the raster's interior cells (checked below), and the brute force
    against the k-d tree is compared on its own in test_brute_force_nearest_is_the_trees."""
    lat, lon = region_points(100, seed=12)
    clat, clon = _coastal_points(model, 150, seed=13)
    lat = np.r_[lat, clat, 41.5, 35.68, 37.24, 33.0, 39.0, 37.5, 35.6, 10.0]
    lon = np.r_[lon, clon, 137.2, 139.76, 131.87, 126.5, 140.0, 127.0, 139.77, -150.0]
    with monkeypatch.context() as m:  # the reference: no raster, the mask itself
        m.setattr(zone_raster, "cached_raster", lambda: None)
        want = zones._exact_zones(lat, lon)
    monkeypatch.setattr(zones, "zone_model", lambda: fresh)
    inside = zone_raster.raster().mask_at(lon, lat)[0]
    boundary = zone_raster.raster().lookup_codes(lat, lon)[0] < 0
    for i in range(len(lat)):
        got = zones.zone_of(float(lat[i]), float(lon[i]))
        assert got["kind"] == want.kind[i], (lat[i], lon[i])
        assert (got["country"] or "") == want.country[i], (lat[i], lon[i])
        assert (got["nearest_coast_country"] or "") == want.nearest_coast_country[i]
        assert got["distance_to_coast_km"] == pytest.approx(
            float(want.distance_to_coast_km[i]), rel=1e-12
        )
        if i == len(lat) - 2:  # every point of the region is done: neither was needed
            assert "tree" not in fresh.__dict__ and "mask" not in fresh.__dict__
    assert inside[:-1].all() and not inside[-1]
    assert (boundary & inside).sum() > 50  # coastal points took the exact path
    # the raster's interior cells answered points of every kind
    assert set(want.kind[inside & ~boundary]) == {"land", "territorial_sea", "eez", "high_seas"}
    assert "mask" in fresh.__dict__  # the point outside the region loaded it


def test_mask_bits_are_the_masks(model):
    """The raster's copy of roaring-landmask's pixels answers as the mask does: random points,
    points on and next to pixel edges (the mask's own rounding), longitudes written past
    180 degrees; points outside the region are not known."""
    r = zone_raster.raster()
    rng = np.random.default_rng(21)
    la0, la1, lo0, lo1 = zone_raster.REGION
    # the raster's cells start half a pixel below and west of the region's corner
    e = 0.5 / zone_raster.PX_PER_DEG
    lat = rng.uniform(la0 - e, la1 - e, 300_000)
    lon = rng.uniform(lo0 - e, lo1 - e, 300_000)
    # pixel edges lie at odd multiples of 1/480 degree; also one ulp either side
    ky = rng.integers(int(la0 * 240) + 1, int(la1 * 240) - 1, 20_000)
    kx = rng.integers(int(lo0 * 240) + 1, int(lo1 * 240) - 1, 20_000)
    ey, ex = (2 * ky + 1) / 480.0, (2 * kx + 1) / 480.0
    lat = np.r_[lat, ey, np.nextafter(ey, -np.inf), np.nextafter(ey, np.inf), ey, ey]
    lon = np.r_[lon, ex, np.nextafter(ex, np.inf), np.nextafter(ex, -np.inf), ex - 360.0,
                ex + 360.0]  # fmt: skip
    lon_n = (lon + 180.0) % 360.0 - 180.0  # as the zone code passes them
    known, land = r.mask_at(lon_n, lat)
    want = np.asarray(model.mask.contains_many(lon_n, lat), dtype=bool)
    assert known.all()
    assert np.array_equal(land, want), np.flatnonzero(land != want)[:10]
    assert 0.05 < land.mean() < 0.95
    out_lat = np.array([10.0, 60.0, 30.0, 30.0, la1 - e, 30.0])
    out_lon = np.array([130.0, 130.0, 100.0, 170.0, 130.0, lo1 - e])
    assert not r.mask_at(out_lon, out_lat)[0].any()


def test_neighbours_are_the_coast_order(model, fresh):
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(model.coast_code), 5_000)
    starts = np.flatnonzero(model.prv != np.arange(len(model.prv)) - 1)[:200]  # ring starts
    idx = np.r_[idx, starts, 0, len(model.coast_code) - 1]
    prv, nxt = fresh.neighbours(idx)
    assert np.array_equal(prv, model.prv[idx]) and np.array_equal(nxt, model.nxt[idx])
    assert "prv" not in fresh.__dict__
