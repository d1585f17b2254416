"""``launchwatch bench zones``: zone look-ups over the raster region, side by side in one run.

Points are uniform (by area) over :data:`launchwatch.earth.zone_raster.REGION`. Figures, each the
median of ``repeats`` calls on the same points:

* **launchwatch** -- :func:`~launchwatch.earth.zones.classify_codes` (kind and country as
  integers): the interior-cell raster, and the exact path for points in boundary cells;
* **launchwatch, strings** -- :func:`~launchwatch.earth.zones.classify` (the same answers as
  ISO3 / kind strings; the distance to the coast is computed only when read, not here);
* **exact path** -- :func:`~launchwatch.earth.zones.exact` on every point (k-d tree, land mask,
  exact coast segments near the coast): what every point cost before the raster;
* **peer: shapely** ``contains_xy`` on one prepared EEZ-like polygon: Japan's four main islands
  (GSHHG) buffered by 200 nmi in degrees, with every GSHHG island inside cut out as a hole
  (simplified to ~500 m), as published EEZ polygons have them -- a point-in-polygon test
  against one zone of one country (the product never uses this polygon).

Also reported: agreement of the raster path with the exact path on these points, the share of
points answered by the exact path (boundary cells), the set-up times and the CPU time per point
(the machine is shared; wall and CPU time differ under load).
"""

from __future__ import annotations

import time

import numpy as np

from ..earth import zone_raster, zones, zones_data
from ..earth.constants import NMI_M
from .stages import ProgressFn, Stages


def _timed(fn, repeats: int):
    wall, cpu, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return float(np.median(wall)), float(np.median(cpu)), out


#: Bump when the peer polygon's recipe (:func:`_build_peer_polygon`) changes: invalidates its cache.
PEER_VERSION = 1


def _peer_cache_path():
    import shapely

    rl = zones_data.package_version("roaring-landmask")
    name = f"bench-peer-eez-v{PEER_VERSION}-rl{rl}-shapely{shapely.__version__}.npz"
    return zones_data.cache_dir() / name


def _peer_polygon():
    """The peer's polygon (:func:`_build_peer_polygon`) and its vertex count, prepared.

    Built once (about 10 s: reading every GSHHG polygon, the buffer, the simplified holes) and
    kept as WKB in launchwatch's cache folder beside the zone tables, keyed by the versions of
    roaring-landmask and shapely; WKB keeps every coordinate's float64 bits, so a run that reads
    it tests the same polygon as one that builds it. Its set-up is not part of any figure."""
    import shapely

    path = _peer_cache_path()
    cached = zones_data.read_cache(path, key="version", expected=PEER_VERSION)
    if cached is not None:
        eez = shapely.from_wkb(cached["wkb"].tobytes())
    else:
        eez = _build_peer_polygon()
        wkb = np.frombuffer(shapely.to_wkb(eez), dtype=np.uint8)
        zones_data.write_cache(path, {"version": np.array(PEER_VERSION), "wkb": wkb})
    shapely.prepare(eez)
    return eez, int(shapely.get_num_coordinates(eez))


def _build_peer_polygon():
    """Japan's four main islands (GSHHG) buffered by 200 nmi (in degrees), islands as holes."""
    import shapely

    polys = zones_data.load_gshhg_polygons()
    c = shapely.centroid(polys)
    x, y = shapely.get_x(c), shapely.get_y(c)
    big = polys[(shapely.area(polys) > 0.5) & (x > 128) & (x < 146) & (y > 30) & (y < 46)]
    eez = shapely.buffer(shapely.union_all(big), 200 * NMI_M / 111_320.0, quad_segs=16)
    # land is a hole, as in published EEZ polygons: every GSHHG island inside, ~500 m
    land = polys[shapely.intersects(polys, eez)]
    return shapely.difference(eez, shapely.union_all(shapely.simplify(land, 0.005)))


def region_points(n: int, seed: int = 7):
    """``n`` points uniform by area over the raster region (degrees)."""
    la0, la1, lo0, lo1 = zone_raster.REGION
    rng = np.random.default_rng(seed)
    s0, s1 = np.sin(np.radians(la0)), np.sin(np.radians(la1))
    return np.degrees(np.arcsin(rng.uniform(s0, s1, n))), rng.uniform(lo0, lo1, n)


def bench_zones(
    n: int = 1_000_000, repeats: int = 5, seed: int = 7, step: ProgressFn | None = None
) -> dict:
    """Throughputs (points/s, wall-clock medians) of the look-ups above, one run;
    ``step(stage, fraction)`` is told how far the run is (the command line's bar)."""
    import shapely

    m = n / 1e6  # stage weights: rough seconds at 10^6 points on two cores (estimate)
    stages = Stages(
        step,
        {
            "set-up": 4.0,
            "raster + exact": 1.0 * m * repeats,
            "strings": 1.2 * m * repeats,
            "exact path": 4.0 * m * max(1, repeats // 2),
            "shapely peer": 1.0 * m * repeats,
        },
    )
    stages.at("set-up")
    t0 = time.perf_counter()
    zones.zone_model().warm()  # the tree and the mask (built on first need otherwise)
    setup_exact_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    zone_raster.raster()
    setup_raster_s = time.perf_counter() - t0
    lat, lon = region_points(n, seed)
    zones.classify_codes(lat[:1000], lon[:1000])  # compile / warm the kernels and indexes
    zones.classify(lat[:1000], lon[:1000])
    stages.at("raster + exact")
    fast_wall, fast_cpu, (kind, country) = _timed(lambda: zones.classify_codes(lat, lon), repeats)
    stages.at("strings")
    str_wall, _, _ = _timed(lambda: zones.classify(lat, lon).kind, repeats)
    stages.at("exact path")
    model = zones.zone_model()
    ex_wall, ex_cpu, ex = _timed(lambda: zones.exact(model, lat, lon), max(1, repeats // 2))
    stages.at("shapely peer")
    poly, n_vertices = _peer_polygon()
    shp_wall, shp_cpu, _ = _timed(lambda: shapely.contains_xy(poly, lon, lat), repeats)
    stages.done()
    bkind, _ = zone_raster.raster().lookup_codes(lat, lon)
    return {
        "n": n,
        "region": list(zone_raster.REGION),
        "launchwatch_points_per_s": n / fast_wall,
        "launchwatch_cpu_ns_per_point": fast_cpu / n * 1e9,
        "launchwatch_strings_points_per_s": n / str_wall,
        "exact_points_per_s": n / ex_wall,
        "exact_cpu_ns_per_point": ex_cpu / n * 1e9,
        "shapely_points_per_s": n / shp_wall,
        "shapely_cpu_ns_per_point": shp_cpu / n * 1e9,
        "shapely_polygon_vertices": n_vertices,
        "ratio_vs_exact": ex_wall / fast_wall,
        "ratio_vs_shapely": shp_wall / fast_wall,
        "identical_to_exact": bool(np.array_equal(kind, ex[0]) and np.array_equal(country, ex[1])),
        "exact_path_share": float(np.mean(bkind < 0)),
        "boundary_area_share": zone_raster.raster().stats.get("boundary_area_share"),
        "setup_exact_s": setup_exact_s,
        "setup_raster_s": setup_raster_s,
    }
