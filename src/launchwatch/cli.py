"""launchwatch command line: a thin layer over the package (typer + rich).

Every command turns bad input into one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="launchwatch: open ballistic-missile launch monitoring and early warning.",
)
bench_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Benchmarks that print figures and ratios against named peers.",
)
app.add_typer(bench_app, name="bench")
console = Console()


class UsageError(Exception):
    """A problem with the user's input: reported in one line, exit code 2."""


def fail(message: str) -> None:
    typer.echo(f"launchwatch: error: {message}", err=True)
    raise typer.Exit(code=2)


def _finite(name: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise UsageError(f"{name} must be a finite number")


@app.command()
def reconstruct(
    site: Annotated[
        str | None, typer.Option(help="Launch site name or alias (see catalog).")
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
    toward: Annotated[str | None, typer.Option(help='Named sea area, e.g. "East Sea".')] = None,
    vehicle: Annotated[
        str | None, typer.Option(help="Fit a catalog vehicle instead of the generic boost.")
    ] = None,
    launch_time: Annotated[
        str | None, typer.Option("--launch-time", help="ISO 8601 launch time.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Reconstruct a launch from reported figures: the rest of the trajectory and capability."""
    try:
        result = _reconstruct(
            site,
            lat,
            lon,
            range_km,
            apogee_km,
            flight_time_s,
            trajectory,
            azimuth_deg,
            toward,
            vehicle,
            launch_time,
        )
    except UsageError as exc:
        fail(str(exc))
    if json_out:
        typer.echo(json.dumps(result))
        return
    _print_reconstruction(result)


def _reconstruct(
    site,
    lat,
    lon,
    range_km,
    apogee_km,
    flight_time_s,
    trajectory,
    azimuth_deg,
    toward,
    vehicle,
    launch_time,
) -> dict:
    from .flight.catalog import UnknownNameError, get_site, get_vehicle
    from .flight.reconstruct import (
        ReconstructionError,
        bearing_toward,
        impact_time_iso,
        reconstruct,
    )
    from .flight.shaping import TRAJECTORIES

    for name, v in (
        ("--lat", lat),
        ("--lon", lon),
        ("--range-km", range_km),
        ("--apogee-km", apogee_km),
        ("--flight-time-s", flight_time_s),
        ("--azimuth-deg", azimuth_deg),
    ):
        _finite(name, v)
    if site is None and (lat is None or lon is None):
        raise UsageError("give --site NAME, or both --lat and --lon")
    if site is not None and (lat is not None or lon is not None):
        raise UsageError("give either --site or --lat/--lon, not both")
    if range_km is None:
        raise UsageError("--range-km is required")
    if range_km <= 0:
        raise UsageError(f"--range-km must be positive (got {range_km:g})")
    given = [x is not None for x in (apogee_km, flight_time_s, trajectory)]
    if sum(given) != 1:
        raise UsageError("give exactly one of --apogee-km, --flight-time-s, --trajectory")
    if apogee_km is not None and apogee_km <= 0:
        raise UsageError(f"--apogee-km must be above zero (got {apogee_km:g})")
    if flight_time_s is not None and flight_time_s <= 0:
        raise UsageError(f"--flight-time-s must be positive (got {flight_time_s:g})")
    if trajectory is not None and trajectory not in TRAJECTORIES:
        raise UsageError(f"--trajectory must be one of {', '.join(TRAJECTORIES)}")
    if (azimuth_deg is None) == (toward is None):
        raise UsageError("give exactly one of --azimuth-deg, --toward")
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
        az = bearing_toward(lat, lon, toward) if toward is not None else azimuth_deg % 360.0
        rec = reconstruct(
            lat_deg=lat,
            lon_deg=lon,
            range_km=range_km,
            azimuth_deg=az,
            apogee_km=apogee_km,
            flight_time_s=flight_time_s,
            trajectory=trajectory,
            vehicle=vehicle,
        )
    except (UnknownNameError, ReconstructionError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None
    out = rec.as_dict()
    out["site"] = site_name
    out["toward"] = toward
    if launch_time is not None:
        out["launch_time"] = launch_time
        out["impact_time"] = impact_time_iso(launch_time, out["flight_time_s"])
    return out


def _print_reconstruction(d: dict) -> None:
    where = d["site"] or f"{d['launch_lat']:.3f}N {d['launch_lon']:.3f}E"
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
        f"  impact {d['impact_lat']:.3f}N {d['impact_lon']:.3f}E"
        + (f" at {d['impact_time']}" if d.get("impact_time") else "")
    )
    console.print(
        f"  minimum-energy range for that burnout: {d['min_energy_range_km']:,.0f} km "
        f"-> [bold]{d['range_class']}[/bold]; band {lo:,.0f}-{hi:,.0f} km for burn "
        f"times {a['band_burn_time_s'][0]:.0f}-{a['band_burn_time_s'][1]:.0f} s"
    )
    console.print(f"  boost: {a['boost']}")


REFERENCE_LAUNCH = {
    "site": "Taekwan",
    "range_km": 700.0,
    "trajectory": "min-energy",
    "toward": "East Sea",
    "launch_time": "2025-11-07T12:35:00+09:00",
}


@app.command()
def demo(
    out: Annotated[str, typer.Option(help="Report folder.")] = "launchwatch-report",
) -> None:
    """The reference launch of 2025-11-07 (Taekwan, 12:35 KST, about 700 km towards the East
    Sea) through sense, track, assess and warn; writes a report folder (JSON summary, CAP
    messages, map), then reconstructs the launch from the published figures."""
    from .pipeline.chain import run_chain
    from .sense.scenario import load_scenario
    from .warn.report import write_report

    console.print("[bold]launchwatch demo[/bold]: the 2025-11-07 launch from the Taekwan area")
    console.print(
        "ROK JCS: SRBM from the Taekwan area, North Pyongan, 12:35 KST, about 700 km "
        "towards the East Sea; Japan MoD: apogee about 50 km, outside Japan's EEZ.\n"
    )
    chain = run_chain(load_scenario("reference-2025-11-07"))
    summary = chain.summary()
    _print_timeline(chain.sim, summary)
    _print_chain(chain, summary)
    try:
        files = write_report(chain, out)
    except OSError as exc:
        fail(f"cannot write the report to {out}: {exc.strerror}")
    console.print(f"  report: {len(files)} files in {out}/ (summary.json, map.png, cap/)")
    try:
        console.print("\nReconstruction from the ROK JCS figures (700 km, minimum energy):")
        d = _reconstruct(REFERENCE_LAUNCH["site"], None, None, 700.0, None, None, "min-energy",
                         None, "East Sea", None, REFERENCE_LAUNCH["launch_time"])
        _print_reconstruction(d)
        console.print("\nJapan MoD: about 450 km, apogee about 50 km, KN-23 class:")
        d2 = _reconstruct("Taekwan", None, None, 450.0, 50.0, None, None, None, "East Sea",
                          "KN-23", REFERENCE_LAUNCH["launch_time"])
        _print_reconstruction(d2)
    except UsageError as exc:
        fail(str(exc))


@app.command()
def zone(
    lat: Annotated[float, typer.Argument(help="Latitude, degrees north.")],
    lon: Annotated[float, typer.Argument(help="Longitude, degrees east.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Maritime zone of a point: land, territorial sea, EEZ or high seas, and whose."""
    from .earth.zones import zone_of

    if not (math.isfinite(lat) and math.isfinite(lon)):
        fail("latitude and longitude must be finite numbers")
    if not -90.0 <= lat <= 90.0:
        fail(f"latitude {lat:g} is outside [-90, 90]")
    try:
        d = zone_of(lat, lon)
    except ValueError as exc:
        fail(str(exc))
    if json_out:
        typer.echo(json.dumps(d))
        return
    whose = f" of {d['country']}" if d["country"] else ""
    console.print(
        f"{lat:.4f}, {lon:.4f}: [bold]{d['kind'].replace('_', ' ')}[/bold]{whose}; "
        f"nearest coast {d['distance_to_coast_km']:,.1f} km away "
        f"({d['nearest_coast_country'] or 'unknown'})"
    )


@app.command()
def simulate(
    scenario: Annotated[str, typer.Argument(help="A shipped scenario name or a YAML file.")],
    out: Annotated[
        str | None, typer.Option(help="Write detections, tracks, truth (CSV) here.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    assess: Annotated[
        bool, typer.Option("--assess", help="Also assess impacts and issue warnings.")
    ] = False,
    assess_interval_s: Annotated[
        float,
        typer.Option("--assess-interval-s", help="Scenario seconds between assessments "
                     "(each assesses every track updated since the last)."),
    ] = 2.0,
    samples: Annotated[int, typer.Option(help="Monte Carlo samples per track.")] = 1000,
) -> None:
    """Run sense + track over a scenario: timeline, tracks, errors (and files with --out);
    with --assess also impact predictions, zone verdicts and warnings."""
    from .pipeline.simulate import run_simulation, write_outputs
    from .sense.scenario import ScenarioError, load_scenario

    if not (math.isfinite(assess_interval_s) and assess_interval_s > 0) or samples < 2:
        fail("--assess-interval-s must be positive and --samples at least 2")
    try:
        sc = load_scenario(scenario)
        if assess:
            from .pipeline.chain import run_chain

            chain = run_chain(sc, interval_s=assess_interval_s, n_samples=samples)
            result = chain.sim
        else:
            result = run_simulation(sc)
    except ScenarioError as exc:
        fail(str(exc))
    summary = chain.summary() if assess else result.summary()
    if out is not None:
        try:
            summary["files"] = [str(p) for p in write_outputs(result, out)]
            if assess:
                from .warn.report import write_report

                summary["files"] += [str(p) for p in write_report(chain, out)]
        except OSError as exc:
            fail(f"cannot write to {out}: {exc.strerror}")
    if json_out:
        typer.echo(json.dumps(summary, default=str))
        return
    _print_timeline(result, summary)
    if assess:
        _print_chain(chain, summary)


def _print_chain(chain, d: dict) -> None:
    from .warn.report import timeline_lines

    for line in timeline_lines(chain):
        console.print(f"  {line}", highlight=False)
    for rec in d["per_missile"]:
        f = rec["final"]
        if f is None:
            continue
        le = rec.get("launch_estimate")
        console.print(
            f"  {rec['missile']}: final prediction {f['impact_error_km']:.1f} km from the impact "
            f"({f['time_to_impact_s']:.0f} s before it), verdict "
            f"[bold]{f['verdict']['kind'].replace('_', ' ')}"
            f"{' of ' + f['verdict']['country'] if f['verdict']['country'] else ''}[/bold] "
            f"(truth: {rec['truth']['zone']['kind'].replace('_', ' ')} of "
            f"{rec['truth']['zone']['country']}), class {f['range_class']} "
            f"(p {f['range_class_prob']:.2f}), apogee {rec['apogee_km']:.0f} km"
            + (f"; launch point estimate {le['error_km']:.1f} km from truth" if le else ""),
            highlight=False,
        )
    console.print(
        f"  warnings: {', '.join(d['warnings']) or 'none'}; false alarms "
        f"{len(d['false_alarms'])}, misses {len(d['misses'])}; {d['cap_messages']} CAP "
        f"messages; {d['assessments']} assessments, median {d['assess_ms_median']} ms"
    )


def _print_timeline(result, d: dict) -> None:
    import datetime as dtm

    epoch = result.scenario.epoch

    def at(seconds: float) -> str:
        return (epoch + dtm.timedelta(seconds=float(seconds))).strftime("%H:%M:%S")

    console.print(
        f"[bold]{d['scenario']}[/bold] (seed {d['seed']}): {d['missiles']} "
        f"missile(s), sensors: {', '.join(d['sensors'])}"
    )
    for line in d["launches"]:
        console.print(f"  {line}")
    for i, name in enumerate(result.truth.names):
        t0 = result.truth.launch_time_s[i]
        det = d["first_detection_s"][i]
        trk = d["first_track_s"][i]
        console.print(
            f"  {at(t0)} {name} launch; first detection "
            + (f"{at(t0 + det)} (+{det:.1f} s)" if det is not None else "none")
            + "; first track "
            + (f"{at(t0 + trk)} (+{trk:.1f} s)" if trk is not None else "none")
            + f"; impact {at(result.truth.impact_time_s[i])}"
        )
    console.print(
        f"  tracks {d['tracks']}, swaps {d['swaps']}, breaks {d['breaks']}; "
        f"position RMSE {d['position_rmse_m']:.0f} m, velocity RMSE "
        f"{d['velocity_rmse_m_s']:.1f} m/s"
    )
    g, t = d["ledger"]["gate"], d["ledger"]["tracker"]
    console.print(
        f"  detections {d['detections']} "
        f"({d.get('detection_false_alarms', d['false_alarms'])} false alarms); gate "
        f"rejected {g['rejected_total']}; tracker: "
        + ", ".join(f"{k} {v}" for k, v in t.items() if v)
    )
    if d.get("files"):
        console.print(f"  wrote {', '.join(d['files'])}")


@bench_app.command("flight")
def bench_flight(
    n_max: Annotated[int, typer.Option(help="Largest batch (10^5 by default).")] = 100_000,
    baseline_n: Annotated[
        int, typer.Option(help="Trajectories for the one-at-a-time solve_ivp baseline.")
    ] = 20,
    repeats: Annotated[int, typer.Option(help="Repeats per figure (median).")] = 3,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Trajectories per second for a 700 km SRBM, batched vs scipy solve_ivp one at a time."""
    from .bench.flight import run_flight_bench

    if n_max < 1 or baseline_n < 1 or repeats < 1:
        fail("--n-max, --baseline-n and --repeats must be positive")
    result = run_flight_bench(
        n_max=n_max, baseline_n=baseline_n, repeats=repeats, progress=not json_out
    )
    if json_out:
        typer.echo(json.dumps(result))
        return
    for row in result["rows"]:
        console.print(
            f"N = {row['n']:>7,}: {row['trajectories_per_s']:>12,.0f} traj/s "
            f"({row['seconds']:.3f} s)"
        )
    console.print(
        f"solve_ivp one at a time ({result['baseline']}): "
        f"{result['baseline_trajectories_per_s']:,.1f} traj/s"
    )
    console.print(
        f"ratio at N = {result['n']:,}: [bold]{result['ratio']:,.0f}x[/bold]; peak "
        f"memory {result['peak_memory_mb']:,.0f} MB; median impact error vs DOP853 "
        f"rtol 1e-10: batch {result['impact_error_m']:.1f} m, baseline "
        f"{result['baseline_impact_error_m']:.1f} m"
    )


@bench_app.command("tracking")
def bench_tracking_cmd(
    n_targets: Annotated[int, typer.Option(help="Targets of the throughput case.")] = 1000,
    duration_s: Annotated[float, typer.Option(help="Seconds of 10 Hz data.")] = 300.0,
    peer_window_s: Annotated[
        float, typer.Option(help="Seconds of data in the 100-target Stone Soup case.")
    ] = 10.0,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tracker updates per second: 1,000 targets, and 1 / 100 targets against Stone Soup."""
    try:
        import stonesoup  # noqa: F401
    except ImportError:
        fail("Stone Soup is the peer of this benchmark: pip install 'launchwatch[bench]'")
    from .bench.tracking import run_tracking_bench

    if n_targets < 1 or not (duration_s > 0) or not (peer_window_s >= 2):
        fail("--n-targets and --duration-s must be positive, --peer-window-s at least 2")
    d = run_tracking_bench(
        n_targets=n_targets,
        duration_s=duration_s,
        peer_window_s=(20.0, peer_window_s),
        progress=not json_out,
    )
    if json_out:
        typer.echo(json.dumps(d))
        return
    console.print(
        f"launchwatch, {d['n_targets']:,} targets: [bold]{d['updates_per_s']:,.0f}"
        f"[/bold] updates/s (steady-state RMSE {d['steady_position_rmse_m']:.1f} m)"
    )
    for label, c in (("1 target", d["single_target"]), ("100 targets", d["hundred_targets"])):
        console.print(
            f"{label} ({c['window_s']:.0f} s): launchwatch "
            f"{c['launchwatch']['updates_per_s']:,.0f} updates/s, RMSE "
            f"{c['launchwatch']['rmse_m']:.1f} m; Stone Soup "
            f"{c['stonesoup']['updates_per_s']:,.1f} updates/s, RMSE "
            f"{c['stonesoup']['rmse_m']:.1f} m; ratio [bold]{c['ratio']:,.0f}x[/bold]"
        )


@bench_app.command("zones")
def bench_zones_cmd(
    n: Annotated[int, typer.Option(help="Points per call.")] = 200_000,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Zone classification throughput (vectorized call), and one-time set-up."""
    from .earth.zones import bench_zones

    if n < 1:
        fail("--n must be positive")
    d = bench_zones(n=n)
    if json_out:
        typer.echo(json.dumps(d))
        return
    console.print(
        f"{d['points_per_s']:,.0f} points/s ({d['n']:,} points per call, median of "
        f"repeats); set-up {d['setup_s']:.2f} s"
    )


@bench_app.command("assess")
def bench_assess_cmd(
    n_samples: Annotated[int, typer.Option(help="Monte Carlo samples per track.")] = 1000,
    repeats: Annotated[int, typer.Option(help="Timed track updates.")] = 40,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Track update -> updated impact prediction with zone probabilities: median and p99."""
    from .bench.assess import run_assess_bench

    if n_samples < 2 or repeats < 1:
        fail("--n-samples must be at least 2 and --repeats positive")
    d = run_assess_bench(n_samples=n_samples, repeats=repeats)
    if json_out:
        typer.echo(json.dumps(d))
        return
    c = d["cases"]
    console.print(
        f"impact prediction, {d['n_samples']:,} samples, reference glide (with lift evidence):"
        f" median [bold]{d['median_ms']:.1f} ms[/bold], p99 {d['p99_ms']:.1f} ms (goal < 50 ms "
        f"median); ballistic: median {c['ballistic']['median_ms']:.1f} ms, p99 "
        f"{c['ballistic']['p99_ms']:.1f} ms; peer {d['peer']}: median "
        f"{d['peer_median_ms']:.0f} ms; ratio [bold]{d['ratio']:.0f}x[/bold]"
    )


@app.command()
def node(
    config: Annotated[
        list[str], typer.Option("--config", help="Node configuration (YAML); repeat to run "
                                "several nodes in this process over the in-process bus.")
    ],
) -> None:
    """Run a partner node: its own sensors, signed releasable sharing, fused tracks."""
    from .share.node import run_node, run_nodes

    code = run_node(config[0]) if len(config) == 1 else run_nodes(config)
    raise typer.Exit(code)


@bench_app.command("share")
def bench_share_cmd(
    nats: Annotated[bool, typer.Option(help="Also measure over a local NATS server.")] = True,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Messages/s through sign, send, verify, fuse (3 nodes) and detection-to-track latency."""
    from .share.bench import bench_share

    d = bench_share(nats=nats)
    if json_out:
        typer.echo(json.dumps(d, default=str))
        return
    console.print_json(json.dumps(d, default=str))


from .cli_record import record_app  # noqa: E402

app.add_typer(record_app, name="record")

from .cli_service import serve  # noqa: E402
from .cli_warn import warn_app  # noqa: E402

app.add_typer(warn_app, name="warn")

app.command(name="serve")(serve)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
