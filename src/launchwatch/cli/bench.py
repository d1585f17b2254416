"""``launchwatch bench ...``: benchmarks that print our figure and the peer's side by side."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .common import console, fail, progress_bar


def bench_flight(
    n_max: Annotated[int, typer.Option(help="Largest batch (10^5 by default).")] = 100_000,
    baseline_n: Annotated[
        int, typer.Option(help="Trajectories for the one-at-a-time solve_ivp baseline.")
    ] = 20,
    repeats: Annotated[int, typer.Option(help="Repeats per figure (median).")] = 3,
    stream_n: Annotated[
        int,
        typer.Option(
            help="Also fly this many (e.g. 10^6) through the lockstep kernel in chunks of "
            "10^5, impact points only: wall time and peak memory (0: skip)."
        ),
    ] = 0,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Trajectories per second for a 700 km SRBM: the lockstep batch kernel, the integrator
    every other caller uses, and scipy solve_ivp one at a time."""
    from ..bench.flight import run_flight_bench

    if not (
        1 <= n_max <= 10**7
        and 1 <= baseline_n <= 10**6
        and 1 <= repeats <= 1000
        and 0 <= stream_n <= 10**8
    ):
        fail(
            "--n-max (1..10^7), --baseline-n (1..10^6), --repeats (1..1000) and "
            "--stream-n (0..10^8) out of range"
        )
    with progress_bar("bench flight", enabled=not json_out) as step:
        result = run_flight_bench(
            n_max=n_max,
            baseline_n=baseline_n,
            repeats=repeats,
            stream_n=stream_n,
            progress=not json_out,
            step=step,
        )
    if json_out:
        typer.echo(json.dumps(result))
        return
    for row in result["rows"]:
        console.print(
            f"N = {row['n']:>7,}: lockstep {row['trajectories_per_s']:>10,.0f} traj/s "
            f"({row['seconds']:.3f} s; CPU {row['cpu_us_per_trajectory']:.2f} us/traj); "
            f"integrate_batch {row['integrate_batch_seconds']:.3f} s (CPU "
            f"{row['integrate_batch_cpu_us_per_trajectory']:.2f} us/traj); CPU ratio "
            f"{row['cpu_speedup_over_integrate_batch']:.2f}x"
        )
    console.print(
        f"solve_ivp one at a time ({result['baseline']}): "
        f"{result['baseline_trajectories_per_s']:,.1f} traj/s "
        f"(CPU {result['baseline_cpu_us_per_trajectory']:,.0f} us/traj)"
    )
    console.print(
        f"ratio at N = {result['n']:,}: [bold]{result['ratio']:,.0f}x[/bold] wall, "
        f"{result['cpu_ratio']:,.0f}x CPU; peak "
        f"memory {result['peak_memory_mb']:,.0f} MB; median impact error vs DOP853 "
        f"rtol 1e-10: lockstep {result['impact_error_m']:.1f} m, integrate_batch "
        f"{result['integrate_batch_impact_error_m']:.1f} m, baseline "
        f"{result['baseline_impact_error_m']:.1f} m; lockstep vs integrate_batch at most "
        f"{result['max_impact_difference_to_integrate_batch_m']:.3g} m apart"
    )
    if result["stream"]:
        st = result["stream"]
        console.print(
            f"lockstep, {st['n']:,} streamed in chunks of {st['chunk']:,}: {st['seconds']:.2f} s "
            f"(CPU {st['cpu_us_per_trajectory']:.2f} us/traj), process peak RSS "
            f"{st['peak_memory_mb']:,.0f} MB"
        )


def bench_tracking_cmd(
    n_targets: Annotated[int, typer.Option(help="Targets of the throughput case.")] = 1000,
    duration_s: Annotated[float, typer.Option(help="Seconds of 10 Hz data.")] = 300.0,
    peer_window_s: Annotated[
        float, typer.Option(help="Seconds of data in the 100-target Stone Soup case.")
    ] = 10.0,
    single_window_s: Annotated[
        float, typer.Option(help="Seconds of data in the 1-target case (all peers).")
    ] = 20.0,
    peer_targets: Annotated[
        int, typer.Option(help="Targets of the many-target Stone Soup case (100).")
    ] = 100,
    large_targets: Annotated[
        int, typer.Option(help="Targets of an extra scale run in a fresh process (0: none).")
    ] = 0,
    large_duration_s: Annotated[
        float, typer.Option(help="Seconds of 10 Hz data in the scale run.")
    ] = 30.0,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tracker updates per second: 1,000 targets, and 1 / 100 targets against Stone Soup."""
    try:
        import stonesoup  # noqa: F401
    except ImportError:
        fail("Stone Soup is the peer of this benchmark: pip install 'launchwatch[bench]'")
    from ..bench.tracking import run_tracking_bench

    if not (
        1 <= n_targets <= 100_000
        and 0 < duration_s <= 86_400
        and 2 <= peer_window_s <= 86_400
        and 2 <= single_window_s <= 86_400
        and 2 <= peer_targets <= 1000
        and 0 <= large_targets <= 100_000
        and 0 < large_duration_s <= 3600
    ):
        fail(
            "--n-targets (1..100000), --duration-s (0..86400], --peer-window-s and "
            "--single-window-s (2..86400), --peer-targets (2..1000), --large-targets "
            "(0..100000) and --large-duration-s (0..3600] out of range"
        )
    with progress_bar("bench tracking", enabled=not json_out) as step:
        d = run_tracking_bench(
            n_targets=n_targets,
            duration_s=duration_s,
            peer_window_s=(single_window_s, peer_window_s),
            peer_targets=peer_targets,
            progress=not json_out,
            step=step,
            large_targets=large_targets,
            large_duration_s=large_duration_s,
        )
    if json_out:
        typer.echo(json.dumps(d))
        return
    if "large" in d:
        g = d["large"]
        console.print(
            f"launchwatch, {g['n_targets']:,} targets, {g['duration_s']:.0f} s: [bold]"
            f"{g['updates_per_s']:,.0f}[/bold] updates/s, {g['updates_per_cpu_s']:,.0f} per CPU "
            f"second; run {g['run_wall_s']:,.0f} s wall, peak resident set "
            f"{g['peak_rss_mb']:,.0f} MB (steady-state RMSE {g['steady_position_rmse_m']:.1f} m)"
        )
    console.print(
        f"launchwatch, {d['n_targets']:,} targets: [bold]{d['updates_per_s']:,.0f}"
        f"[/bold] updates/s, {d['updates_per_cpu_s']:,.0f} per CPU second (steady-state RMSE "
        f"{d['steady_position_rmse_m']:.1f} m)"
    )
    peers = (
        ("stonesoup", "Stone Soup EKF + GNN 2-D (all pairs)"),
        ("stonesoup_kdtree", "Stone Soup EKF + k-d tree GNN 2-D, gated"),
        ("filterpy", "FilterPy EKF"),
        ("nrl_tracker", "nrl-tracker (pytcl) EKF"),
    )
    many = d["hundred_targets"]
    for label, c in (("1 target", d["single_target"]), (f"{many['n_targets']} targets", many)):
        ours = c["launchwatch"]
        console.print(
            f"{label} ({c['window_s']:.0f} s): launchwatch [bold]{ours['updates_per_s']:,.0f}"
            f"[/bold] updates/s, RMSE {ours['rmse_m']:.1f} m"
        )
        for key, name in peers:
            p = c.get(key)
            if p is None:
                continue
            if "missing" in p:
                console.print(f"    peer {name}: not installed ({p['missing']})")
                continue
            cpu = ""
            if "updates_per_cpu_s" in p:  # process CPU: steadier than wall on a loaded machine
                mine = ours["peer_frames_updates_per_cpu_s"]
                cpu = (
                    f"; per CPU second on the frames the peer is timed on "
                    f"{p['updates_per_cpu_s']:,.0f} against launchwatch's {mine:,.0f} "
                    f"({mine / p['updates_per_cpu_s']:,.2f}x)"
                )
            console.print(
                f"    peer {name}: {p['updates_per_s']:,.1f} updates/s, RMSE "
                f"{p['rmse_m']:.1f} m; launchwatch/peer "
                f"[bold]{ours['updates_per_s'] / p['updates_per_s']:,.2f}x[/bold]{cpu}"
            )


def bench_zones_cmd(
    n: Annotated[
        int, typer.Option(help="Points per call (uniform over the raster region).")
    ] = 1_000_000,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Zone look-ups: raster + exact in boundary cells, the exact path, shapely; one run."""
    from ..bench.zones import bench_zones

    if not 1 <= n <= 50_000_000:
        fail("--n must be between 1 and 50,000,000")
    with progress_bar("bench zones", enabled=not json_out) as step:
        d = bench_zones(n=n, step=step)
    if json_out:
        typer.echo(json.dumps(d))
        return
    console.print(
        f"{d['n']:,} points over {d['region']} (lat/lon bounds), medians:\n"
        f"  launchwatch (codes)   [bold]{d['launchwatch_points_per_s']:,.0f}[/bold] points/s "
        f"({d['launchwatch_cpu_ns_per_point']:.0f} ns CPU/point); identical to exact: "
        f"{d['identical_to_exact']}; exact-path share {d['exact_path_share']:.2%}\n"
        f"  launchwatch (strings) {d['launchwatch_strings_points_per_s']:,.0f} points/s\n"
        f"  exact path            {d['exact_points_per_s']:,.0f} points/s "
        f"(x{d['ratio_vs_exact']:.1f})\n"
        f"  peer: shapely contains_xy, one EEZ-like polygon ({d['shapely_polygon_vertices']:,} "
        f"vertices) {d['shapely_points_per_s']:,.0f} points/s (x{d['ratio_vs_shapely']:.1f})\n"
        f"  set-up: exact {d['setup_exact_s']:.1f} s, raster {d['setup_raster_s']:.2f} s"
    )


def bench_assess_cmd(
    n_samples: Annotated[int, typer.Option(help="Monte Carlo samples per track.")] = 1000,
    repeats: Annotated[int, typer.Option(help="Timed track updates.")] = 40,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Track update -> updated impact prediction with zone probabilities: median and p99."""
    from ..bench.assess import run_assess_bench

    if not (2 <= n_samples <= 1_000_000 and 1 <= repeats <= 10_000):
        fail("--n-samples (2..1000000) and --repeats (1..10000) out of range")
    with progress_bar("bench assess", enabled=not json_out) as step:
        d = run_assess_bench(
            n_samples=n_samples, repeats=repeats, round_repeats=min(repeats, 5), step=step
        )
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
    r = c["round"]
    console.print(
        f"round of {r['tracks']} tracks assessed together: median [bold]{r['median_ms']:.0f} ms"
        f"[/bold] ({r['per_track_ms']:.1f} ms per track; process CPU {r['cpu_median_ms']:.0f} ms"
        f" over all threads), p99 {r['p99_ms']:.0f} ms (goal <= 100 ms a round, <= 5 ms a "
        f"track); peer, the same samples one at a time: "
        f"{d['peer_median_ms'] * r['tracks']:.0f} ms, ratio "
        f"[bold]{d['peer_median_ms'] * r['tracks'] / r['median_ms']:.0f}x[/bold]"
    )
    console.print(
        f"tables built once per process before timing (zones' coast tree, launch-point "
        f"templates): {d['tables_load_s']:.2f} s"
    )


def bench_share_cmd(
    nats: Annotated[bool, typer.Option(help="Also measure over a local NATS server.")] = True,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Messages/s through sign, send, verify, fuse (3 nodes) and detection-to-track latency."""
    from ..share.bench import bench_share

    with progress_bar("bench share", enabled=not json_out) as step:
        d = bench_share(nats=nats, step=step)
    if json_out:
        typer.echo(json.dumps(d, default=str))
        return
    f = d["per_frame"]
    console.print(
        f"per frame ({f['rows_per_batch']} detections, {f['frame_bytes']:,} bytes): "
        f"encode + sign {f['encode_sign_us']:,.0f} us, verify + decode "
        f"{f['verify_decode_us']:,.0f} us"
    )
    for bus in ("inproc", "nats"):
        t = d.get(f"transport_{bus}")
        if t:
            console.print(
                f"transport, {bus}: [bold]{t['frames_per_s']:,} frames/s[/bold] "
                f"({t['frames']:,} frames in {t['seconds']:.2f} s)"
            )
    p = d.get("pipeline_inproc")
    if p:
        console.print(
            f"three nodes in one process: {p['frames_per_s']:,} frames/s, {p['seconds']:.2f} s "
            f"for {p['chunks']} chunks ({p['detections']:,} detections); one machine tracks "
            f"them in {p['single_machine_track_seconds']:.2f} s; tracks equal to the single "
            f"machine's: {'yes' if p['tracks_equal_single_machine'] else 'NO'}"
        )
    n = d.get("pipeline_nats")
    if n:
        console.print(
            f"three processes over NATS: detection-to-partner-track latency median "
            f"[bold]{n['latency_median_ms']:,.1f} ms[/bold], p99 {n['latency_p99_ms']:,.1f} ms "
            f"({n['latency_samples']:,} samples, paced {n['pace_s']} s per chunk)"
        )
    elif nats:
        console.print("NATS figures skipped: nats-server is not installed")
