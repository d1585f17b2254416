"""``launchwatch reconstruct``: a launch rebuilt from the figures a government publishes."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..earth.notation import latlon_text
from . import choices
from .common import UsageError, console, fail, finite

#: Heading assumed when a command gives none (most launches reported go to the East Sea).
DEFAULT_TOWARD = "East Sea"


def reconstruct(
    ctx: typer.Context,
    site: Annotated[
        str | None,
        typer.Option(help=f"Launch site name or alias: {choices.listing(choices.sites())}."),
    ] = None,
    lat: Annotated[float | None, typer.Option(help="Launch latitude, degrees north.")] = None,
    lon: Annotated[float | None, typer.Option(help="Launch longitude, degrees east.")] = None,
    range_km: Annotated[
        float | None, typer.Option("--range-km", help="Reported range, km.")
    ] = None,
    apogee_km: Annotated[
        float | None, typer.Option("--apogee-km", help="Reported apogee, km.")
    ] = None,
    flight_time_s: Annotated[
        float | None, typer.Option("--flight-time-s", help="Reported flight time, s.")
    ] = None,
    trajectory: Annotated[
        str | None,
        typer.Option(help="min-energy | lofted | depressed (when no apogee or flight time)."),
    ] = None,
    azimuth_deg: Annotated[
        float | None, typer.Option("--azimuth-deg", help="Heading, deg from north.")
    ] = None,
    toward: Annotated[
        str | None, typer.Option(help=f"Named sea area: {choices.listing(choices.sea_areas())}.")
    ] = None,
    vehicle: Annotated[
        str | None,
        typer.Option(
            help="Fit a catalog vehicle instead of the generic boost: "
            f"{choices.listing(choices.vehicles())}."
        ),
    ] = None,
    launch_time: Annotated[
        str | None, typer.Option("--launch-time", help="ISO 8601 launch time.")
    ] = None,
    landing: Annotated[
        str | None,
        typer.Option(help='Landing as reported, e.g. "about 200 km west of Oshima-Oshima".'),
    ] = None,
    propellant: Annotated[
        str | None, typer.Option(help="liquid | solid: the generic boost's propellant.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Reconstruct a launch from any two or three of range, apogee and flight time (with a
    heading, a sea area or a landing description): the rest of the trajectory, whether the
    figures agree, the landing zone and the capability."""
    # The options are reconstruct_figures' parameters by name (typer collects them in ctx).
    figures = {k: v for k, v in ctx.params.items() if k != "json_out"}
    try:
        result = reconstruct_figures(**figures)
    except UsageError as exc:
        fail(str(exc))
    if json_out:
        typer.echo(json.dumps(result))
        return
    print_reconstruction(result)


def reconstruct_figures(
    site=None,
    lat=None,
    lon=None,
    range_km=None,
    apogee_km=None,
    flight_time_s=None,
    trajectory=None,
    azimuth_deg=None,
    toward=None,
    vehicle=None,
    launch_time=None,
    *,
    landing=None,
    propellant=None,
) -> dict:
    from ..flight.catalog import UnknownNameError, get_site, get_vehicle
    from ..flight.landing import LandingError, parse_landing
    from ..flight.reconstruct import (
        ReconstructionError,
        impact_time_iso,
        landing_zone,
        reconstruct,
    )
    from ..flight.sea_areas import bearing_toward
    from ..flight.shaping import TRAJECTORIES

    for name, v in (
        ("--lat", lat),
        ("--lon", lon),
        ("--range-km", range_km),
        ("--apogee-km", apogee_km),
        ("--flight-time-s", flight_time_s),
        ("--azimuth-deg", azimuth_deg),
    ):
        finite(name, v)
    if site is None and (lat is None or lon is None):
        raise UsageError("give --site NAME, or both --lat and --lon")
    if site is not None and (lat is not None or lon is not None):
        raise UsageError("give either --site or --lat/--lon, not both")
    if range_km is not None and range_km <= 0:
        raise UsageError(f"--range-km must be positive (got {range_km:g})")
    figures = sum(x is not None for x in (range_km, apogee_km, flight_time_s))
    if range_km is None and landing is None and figures < 2:
        raise UsageError(
            "give --range-km (or a --landing description), or both --apogee-km and --flight-time-s"
        )
    if trajectory is not None and (apogee_km is not None or flight_time_s is not None):
        raise UsageError(
            "--trajectory goes with --range-km alone, not with --apogee-km or --flight-time-s"
        )
    if figures + (landing is not None) < 2 and trajectory is None:
        raise UsageError(
            "give two or three of --range-km, --apogee-km, --flight-time-s "
            "(or --range-km with --trajectory)"
        )
    if propellant is not None and propellant not in ("liquid", "solid"):
        raise UsageError(f"--propellant must be liquid or solid (got {propellant!r})")
    if apogee_km is not None and apogee_km <= 0:
        raise UsageError(f"--apogee-km must be above zero (got {apogee_km:g})")
    if flight_time_s is not None and flight_time_s <= 0:
        raise UsageError(f"--flight-time-s must be positive (got {flight_time_s:g})")
    if trajectory is not None and trajectory not in TRAJECTORIES:
        raise UsageError(f"--trajectory must be one of {', '.join(TRAJECTORIES)}")
    if azimuth_deg is not None and toward is not None:
        raise UsageError("give one of --azimuth-deg, --toward, not both")
    assumed_heading = azimuth_deg is None and toward is None and landing is None
    if assumed_heading:
        # No heading given: the figures do not depend on it much (Earth rotation); the impact
        # point and zone do, so the assumption is stated in the output.
        toward = DEFAULT_TOWARD
    if lat is not None and not -90.0 <= lat <= 90.0:
        raise UsageError(f"--lat {lat:g} is outside [-90, 90]")
    if lon is not None and not -180.0 <= lon <= 360.0:
        raise UsageError(f"--lon {lon:g} is outside [-180, 360]")
    if launch_time is not None:
        import datetime as dt

        try:
            t0 = dt.datetime.fromisoformat(launch_time)
        except ValueError:
            raise UsageError(f"--launch-time {launch_time!r} is not ISO 8601") from None
        if t0.tzinfo is None:
            raise UsageError("--launch-time needs a UTC offset, e.g. 2025-11-07T12:35+09:00")
    try:
        if site is not None:
            s = get_site(site)
            lat, lon, site_name = s.lat_deg, s.lon_deg, s.name
        else:
            site_name = None
        if vehicle is not None:
            vehicle = get_vehicle(vehicle).name
        est = None
        if landing is not None:
            est = parse_landing(landing, lat, lon)
            if est is None:
                raise UsageError(
                    f"cannot read a landing point from {landing!r} (expected e.g. "
                    "'about 200 km west of Oshima-Oshima')"
                )
        if toward is not None:
            az = bearing_toward(lat, lon, toward)
        elif azimuth_deg is not None:
            az = azimuth_deg % 360.0
        else:
            az = None
        rec = reconstruct(
            lat_deg=lat,
            lon_deg=lon,
            range_km=range_km,
            azimuth_deg=az,
            apogee_km=apogee_km,
            flight_time_s=flight_time_s,
            trajectory=trajectory,
            vehicle=vehicle,
            propellant=propellant,
            landing=est,
        )
    except (UnknownNameError, ReconstructionError, LandingError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None
    out = rec.as_dict()
    out["site"] = site_name
    out["toward"] = toward
    out["zone"] = landing_zone(rec, est)
    if assumed_heading:
        out["assumptions"]["heading"] = (
            f"none given: assumed towards the {DEFAULT_TOWARD}; "
            "give --azimuth-deg, --toward or --landing"
        )
    if launch_time is not None:
        out["launch_time"] = launch_time
        out["impact_time"] = impact_time_iso(launch_time, out["flight_time_s"])
    return out


def print_reconstruction(d: dict) -> None:
    where = d["site"] or latlon_text(d["launch_lat"], d["launch_lon"], 3)
    a = d["assumptions"]
    lo, hi = d["min_energy_range_band_km"]
    console.print(
        f"[bold]Reconstruction[/bold] from {where}, heading {d['azimuth_deg']:.1f} deg"
        + (f" (towards {d['toward']})" if d["toward"] else "")
    )
    console.print(
        f"  range {d['range_km']:,.0f} km, apogee {d['apogee_km']:,.1f} km, "
        f"flight time {d['flight_time_s']:,.0f} s ({d['flight_time_s'] / 60:.1f} min)"
    )
    console.print(
        f"  burnout at {d['burnout_time_s']:.0f} s: {d['burnout_speed_km_s']:.3f} km/s, "
        f"{d['burnout_angle_deg']:.1f} deg, {d['burnout_altitude_km']:.0f} km up"
    )
    console.print(
        f"  impact {latlon_text(d['impact_lat'], d['impact_lon'], 3)}"
        + (f" at {d['impact_time']}" if d.get("impact_time") else "")
    )
    console.print(
        f"  minimum-energy range for that burnout: {d['min_energy_range_km']:,.0f} km "
        f"-> [bold]{d['range_class']}[/bold]; band {lo:,.0f}-{hi:,.0f} km for burn "
        f"times {a['band_burn_time_s'][0]:.0f}-{a['band_burn_time_s'][1]:.0f} s"
    )
    console.print(f"  boost: {a['boost']}")
    v = d.get("verdict") or {}
    if v.get("status") in ("consistent", "inconsistent"):
        console.print(f"  figures [bold]{v['status']}[/bold]: {v['summary']}")
    for where_, z in (d.get("zone") or {}).items():
        console.print(
            f"  {where_} landing: {z['kind']} {z['country'] or ''}, "
            f"P(Japan EEZ) {z['p_jpn_eez']:.2f}"
        )
        if (c := z.get("range_conflict")) is not None:
            from ..flight.reconstruct import range_conflict_text

            console.print(
                f"  [bold]range and landing disagree[/bold]: {range_conflict_text(c)} "
                f"({c['gap_km']:,.0f} km apart); the derived impact follows the range"
            )


REFERENCE_LAUNCH = {
    "site": "Taekwan",
    "range_km": 700.0,
    "trajectory": "min-energy",
    "toward": "East Sea",
    "launch_time": "2025-11-07T12:35:00+09:00",
}
