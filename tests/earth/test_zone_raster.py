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
