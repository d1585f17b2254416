"""Area lookup: known points, vectorised shape handling, agreement with the polygons, errors."""

import numpy as np
import pytest
import shapely

from launchwatch.warn import areas

KNOWN = [
    ("Tokyo station", 35.6812, 139.7671, "JP-13"),
    ("Sapporo", 43.0618, 141.3545, "JP-01"),
    ("Cape Erimo", 41.95, 143.22, "JP-01"),
    ("Aomori city", 40.8244, 140.7400, "JP-02"),
    ("Naha", 26.2124, 127.6809, "JP-47"),
    ("Minamitorishima", 24.2867, 153.9807, "JP-13"),
    ("Seoul city hall", 37.5665, 126.9780, "KR-11"),
    ("Busan", 35.1796, 129.0756, "KR-26"),
    ("Jeju city", 33.4996, 126.5312, "KR-49"),
    ("Sejong", 36.4800, 127.2890, "KR-50"),
    ("Sea of Japan", 40.0, 135.0, ""),
    ("Pacific east of Erimo", 42.2, 157.5, ""),
    ("Pyongyang", 39.0392, 125.7625, ""),
]


@pytest.mark.parametrize("name,lat,lon,code", KNOWN, ids=[k[0] for k in KNOWN])
def test_known_points(name, lat, lon, code):
    assert areas.area_of(lat, lon) == code


def test_vectorised_shape_and_nan():
    lat = np.array([[35.6812, np.nan], [43.0618, 37.5665]])
    lon = np.array([[139.7671, 139.0], [141.3545, 126.9780]])
    out = areas.area_of(lat, lon)
    assert out.shape == (2, 2)
    assert out.tolist() == [["JP-13", ""], ["JP-01", "KR-11"]]


def test_country_filter_and_overlap():
    # Takeshima/Dokdo is in both sources: first country asked for wins
    assert areas.area_of(37.2417, 131.8644) == "JP-32"
    assert areas.area_of(37.2417, 131.8644, countries=("KOR",)) == "KR-47"
    assert areas.area_of(35.6812, 139.7671, countries=("KOR",)) == ""


def test_codes_names_polygons():
    jp, kr = areas.area_codes(("JPN",)), areas.area_codes(("KOR",))
    assert len(jp) == 47 and jp[0] == "JP-01" and jp[-1] == "JP-47"
    assert len(kr) == 17 and "KR-11" in kr
    assert areas.area_name("JP-13") == "Tokyo" and areas.area_name("KR-26") == "Busan"
    polys = areas.area_polygons(("KOR",))
    assert set(polys) == set(kr)
    assert all(p.is_valid and not p.is_empty for p in polys.values())
    # Hokkaido ~83,400 km^2 incl. Northern Territories (~5,000 km^2): rough planar check
    hk = areas.area_polygons()["JP-01"]
    km2 = hk.area * 111.2**2 * np.cos(np.radians(43.3))
    assert 75_000 < km2 < 95_000


def test_raster_agrees_with_polygons():
    rng = np.random.default_rng(3)
    lat = rng.uniform(30, 46, 50_000)
    lon = rng.uniform(124, 146, 50_000)
    got = areas.area_index_of(lat, lon)
    index = areas.load_index()
    exact = np.full(lat.size, -1)
    for i, g in enumerate(index.geoms):
        inside = shapely.contains_xy(g, lon, lat)
        exact[inside & (exact < 0)] = i
    assert np.array_equal(got, exact)
    assert (got >= 0).mean() > 0.1  # the box is a good part land


def test_bad_input():
    with pytest.raises(ValueError, match="differ in shape"):
        areas.area_of(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="countries"):
        areas.area_of(35.0, 139.0, countries=("PRK",))
    with pytest.raises(ValueError, match="unknown area"):
        areas.area_name("JP-99")
