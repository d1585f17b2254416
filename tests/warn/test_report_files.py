"""The report folder's pictures and files for the field's tools (issue 17): vector zones that
agree with the zone verdicts, a KML that Google Earth reads, the side view."""

import numpy as np
import pytest
from lxml import etree

from launchwatch.earth.zones import classify


def test_vector_zones_agree_with_the_verdicts():
    """Smooth NE-based bands vs the GSHHG verdict engine on 4,000 random points of the Sea of
    Japan map: the same kind almost everywhere (they differ only within ~1 km of a coast).
    Built here (:func:`build_basemap`), never read from a cache a former run wrote."""
    import shapely

    from launchwatch.warn.basemap import build_basemap

    box = (127.0, 142.0, 34.0, 44.0)
    bm = build_basemap(*box)
    rng = np.random.default_rng(3)
    lon = rng.uniform(box[0], box[1], 4000)
    lat = rng.uniform(box[2], box[3], 4000)
    land = shapely.union_all(list(bm.land.values()))
    ts = shapely.union_all(list(bm.territorial_sea.values()))
    kind = np.where(
        shapely.contains_xy(land, lon, lat),
        "land",
        np.where(
            shapely.contains_xy(ts, lon, lat),
            "territorial_sea",
            np.where(shapely.contains_xy(bm.eez_outer, lon, lat), "eez", "high_seas"),
        ),
    )
    truth = classify(lat, lon).kind
    agree = np.mean(kind == truth)
    assert agree > 0.97, agree
    assert {"land", "territorial_sea", "eez"} <= set(kind)
    assert bm.median_lines, "Japan, Korea and Russia share the sea: lines between their waters"
    assert any(t == "EEZ JPN" for *_, t in bm.labels)


@pytest.fixture
def basemaps_in(tmp_path, monkeypatch):
    """The basemap module with its cache in ``tmp_path`` and nothing kept in memory."""
    from launchwatch.warn import basemap as basemap_mod

    monkeypatch.setattr(basemap_mod, "cache_folder", lambda: tmp_path)
    basemap_mod.basemap.cache_clear()
    yield basemap_mod
    basemap_mod.basemap.cache_clear()


def test_a_basemap_drawn_again_is_read_back_vertex_for_vertex(basemaps_in, tmp_path, monkeypatch):
    """The Korea Strait (land, territorial seas, EEZs, a median line, labels): built once and
    written to the cache; asked again (not in memory) it is read back without building, every
    geometry's WKB (each double), the lines and the labels as built, in the same order."""
    import shapely

    box = (126.0, 132.0, 33.0, 37.0)
    built = basemaps_in.basemap(*box)
    assert [p.name for p in tmp_path.iterdir()] == [basemaps_in.cache_path(*box).name]
    assert built.land and built.territorial_sea and built.median_lines and built.labels
    basemaps_in.basemap.cache_clear()

    def no_build(*args):
        raise AssertionError("built again")

    monkeypatch.setattr(basemaps_in, "build_basemap", no_build)
    read = basemaps_in.basemap(*box)
    assert read is not built
    for got, want in ((read.land, built.land), (read.territorial_sea, built.territorial_sea)):
        assert list(got) == list(want)
        assert [shapely.to_wkb(g) for g in got.values()] == [
            shapely.to_wkb(g) for g in want.values()
        ]
    assert shapely.to_wkb(read.eez_outer) == shapely.to_wkb(built.eez_outer)
    assert len(read.median_lines) == len(built.median_lines)
    for (lo, la), (lo0, la0) in zip(read.median_lines, built.median_lines, strict=True):
        assert np.array_equal(lo, lo0) and np.array_equal(la, la0)
    assert read.labels == built.labels
    # another box is another file (the key holds every bit of the box)
    assert basemaps_in.cache_path(126.0, 132.0, 33.0, 37.0 + 1e-12) != basemaps_in.cache_path(*box)
    # an unreadable file, or one whose geometry does not parse, is built again
    from launchwatch.earth import zones_data

    broken = dict(basemaps_in._tables(built))
    broken["land_wkb"] = np.full_like(broken["land_wkb"], 7)
    for content in (b"not an npz", broken):
        if isinstance(content, bytes):
            basemaps_in.cache_path(*box).write_bytes(content)
        else:
            zones_data.write_cache(basemaps_in.cache_path(*box), content)
        basemaps_in.basemap.cache_clear()
        with pytest.raises(AssertionError, match="built again"):
            basemaps_in.basemap(*box)


def test_basemaps_of_open_ocean_are_cached_and_the_oldest_pruned(
    basemaps_in, tmp_path, monkeypatch
):
    """A box with no land within 200 nmi (empty geometry) reads back empty; past
    ``CACHE_KEEP`` files the least recently used one goes."""
    import os

    monkeypatch.setattr(basemaps_in, "CACHE_KEEP", 2)
    boxes = [
        (-150.0, -149.0, 10.0, 11.0),
        (-150.0, -149.0, 12.0, 13.0),
        (-150.0, -149.0, 14.0, 15.0),
    ]
    for k, box in enumerate(boxes[:2]):
        bm = basemaps_in.basemap(*box)
        assert not bm.land and bm.eez_outer.is_empty and not bm.median_lines
        os.utime(basemaps_in.cache_path(*box), (1e9 + k, 1e9 + k))
    basemaps_in.basemap.cache_clear()
    again = basemaps_in.basemap(*boxes[0])  # read: now the most recently used
    assert not again.land and again.eez_outer.is_empty and again.labels == []
    basemaps_in.basemap(*boxes[2])
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {basemaps_in.cache_path(*boxes[k]).name for k in (0, 2)}


@pytest.fixture
def report(cli_chain):
    """The report folder ``simulate overflight --assess --out DIR`` wrote: the chain run the
    overflight tests of test_chain.py read (``cli_chain``), not one of its own."""
    from pathlib import Path

    run = cli_chain("overflight", chain=True)
    return run.chain, run.out, [Path(f) for f in run.summary["files"]]


@pytest.mark.xdist_group("chain-overflight")
def test_report_lists_its_pictures_and_kml(report):
    _, out, files = report
    names = {f.name for f in files}
    assert {"map.png", "side.png", "flight.kml", "summary.json", "timeline.txt"} <= names
    for png in ("map.png", "side.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / png).stat().st_size > 10_000


@pytest.mark.xdist_group("chain-overflight")
def test_kml_is_valid_xml_with_tracks_ellipses_and_warned_areas(report):
    chain, out, _ = report
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    doc = etree.parse(str(out / "flight.kml"))
    names = doc.xpath("//k:Placemark/k:name/text()", namespaces=ns)
    assert "M1 (truth)" in names and "M1 final 95 % impact ellipse" in names
    assert "Hokkaido" in names  # the warned prefecture, as a polygon
    line = doc.xpath(
        "//k:Placemark[k:name='M1 (truth)']/k:LineString/k:coordinates/text()", namespaces=ns
    )[0].split()
    lon0, lat0, h0 = map(float, line[0].split(","))
    first = chain.truth_impacts[0]
    assert (lon0, lat0) == pytest.approx((first["launch_lon"], first["launch_lat"]), abs=1e-4)
    assert max(float(p.split(",")[2]) for p in line) / 1e3 == pytest.approx(
        first["apogee_km"], rel=0.01
    )
    ring = doc.xpath(
        "//k:Placemark[k:name='M1 final 95 % impact ellipse']//k:coordinates/text()", namespaces=ns
    )[0].split()
    assert ring[0] == ring[-1] and len(ring) > 20  # a closed ring
    # the ellipse ring is centred on the final predicted impact
    pts = np.array([[float(v) for v in p.split(",")[:2]] for p in ring[:-1]])
    final = chain.per_missile[0]["final"]
    assert pts.mean(axis=0) == pytest.approx([final["impact_lon"], final["impact_lat"]], abs=0.05)
