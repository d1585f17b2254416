"""Ingestion picks the boost from the named missile's family when the catalog lacks it."""

from __future__ import annotations

from launchwatch.record.extract import Extracted
from launchwatch.record.ingest import reconstruct_report


def _report(name: str | None) -> Extracted:
    # Wonsan-area launch, 450 km and 120 km apogee into the East Sea (Scud-type figures).
    return Extracted(
        site_lat_deg=39.17,
        site_lon_deg=127.48,
        missile_name=name,
        range_km=450.0,
        apogee_km=120.0,
        sea_area="East Sea",
    )


def test_a_named_scud_flies_the_longer_liquid_burn() -> None:
    named, why_named = reconstruct_report(_report("Scud-type"), path=False)
    unnamed, why_unnamed = reconstruct_report(_report(None), path=False)
    assert named is not None, why_named
    assert unnamed is not None, why_unnamed
    t_named, t_unnamed = named["flight_time_s"], unnamed["flight_time_s"]
    # A 62 s liquid burn instead of the solid class's 30 s lengthens the same arc by more than
    # ten seconds (the powered climb is slower).
    assert t_named > t_unnamed + 10.0
