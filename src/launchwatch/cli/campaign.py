"""``launchwatch campaign`` and ``launchwatch bench campaign``.

Bad input is one line on stderr and exit code 2; Ctrl-C keeps what finished (exit code 130).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from .common import console, progress_bar
from .common import fail as _fail


def campaign(
    spec: Annotated[str, typer.Argument(help="A shipped campaign spec name or a YAML file.")],
    n: Annotated[int, typer.Option("--n", help="Number of engagements.")] = 20,
    seed: Annotated[
        int,
        typer.Option(
            help="Campaign seed (engagement i draws from SeedSequence(seed, spawn_key=(i,)))."
        ),
    ] = 0,
    workers: Annotated[
        int | None,
        typer.Option(
            help="LocalCluster worker processes (default: one per core; 0: serially in this "
            "process)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Use an existing Dask scheduler, e.g. tcp://127.0.0.1:8786.")
    ] = None,
    out: Annotated[
        str | None, typer.Option(help="Folder for results and the report (kept for --resume).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    resume: Annotated[
        bool,
        typer.Option(help="Continue the campaign in --out: run only the engagements not finished."),
    ] = False,
    replay: Annotated[
        int | None,
        typer.Option(
            help="Write engagement INDEX as a scenario YAML (to --out, or stdout) and stop."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
) -> None:
    """Run randomized engagements of a campaign spec through the whole chain on Dask; score
    them; write summary.json, Parquet tables and report.html (see README)."""
    from ..campaign.execute import CampaignError, run_campaign
    from ..campaign.generate import generate, scenario_yaml
    from ..campaign.report import write_report
    from ..campaign.spec import SpecError, load_spec

    if n < 1 or seed < 0:
        _fail("--n must be at least 1 and --seed at least 0")
    if workers is not None and scheduler is not None:
        _fail("give --workers or --scheduler, not both")
    if workers is not None and not 0 <= workers <= 256:
        _fail("--workers must be between 0 and 256")
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        _fail("--scheduler must be an address like tcp://127.0.0.1:8786")
    if resume and out is None:
        _fail("--resume needs the --out folder of the campaign")
    if replay is not None and replay < 0:
        _fail("--replay must be an engagement index >= 0")
    try:
        sp, _ = load_spec(spec)
    except SpecError as exc:
        _fail(str(exc))
    if replay is not None:
        try:
            text = scenario_yaml(generate(sp, seed, replay))
        except Exception as exc:  # noqa: BLE001 - a draw the flight core cannot fly, etc.
            _fail(f"engagement {replay}: {exc}")
        if out is None:
            typer.echo(text, nl=False)
            return
        path = Path(out) / f"engagement-{replay}.yaml"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {path}: {exc.strerror}")
        typer.echo(str(path))
        return
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="lw-campaign-"))
    try:
        try:
            run = run_campaign(
                sp,
                spec_ref=spec,
                seed=seed,
                n=n,
                out=folder,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                progress=progress and sys.stderr.isatty(),
            )
        except CampaignError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot write to {folder}: {exc.strerror or exc}")
        summary, paths = write_report(run)
        if out is not None:
            summary["files"] = [str(p) for p in paths]
        if json_out:
            typer.echo(json.dumps(summary, default=str))
        else:
            _print(summary)
        if run.interrupted:
            typer.echo(
                f"launchwatch: interrupted: {summary['finished']} of {n} engagements "
                f"finished and kept" + (f" in {out}; --resume continues" if out else ""),
                err=True,
            )
            raise typer.Exit(code=130)
    finally:
        if out is None:
            shutil.rmtree(folder, ignore_errors=True)


def _v(x, nd: int = 3, unit: str = "") -> str:
    """A figure as text: "–" when there is none (no "None"), numbers rounded, shares as %."""
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.{nd}g}{unit}"
    if isinstance(x, int):
        return f"{x}{unit}"
    return str(x)


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _print(s: dict) -> None:
    c = s["containment"]
    w = s["warnings"]
    console.print(
        f"[bold]campaign {s['spec']}[/bold] seed {s['seed']}: {s['ok']} of "
        f"{s['finished']} engagements ok ({len(s['failed'])} failed) on {s['where']} "
        f"in {s['wall_s']} s",
        highlight=False,
    )
    console.print(
        f"  missiles {s['missiles']}, tracks {s['tracks']}, swaps {s['swaps']}, breaks "
        f"{s['breaks']}, false tracks {s['false_tracks']}; engagements without swaps or"
        f" breaks {_pct(s['engagements_without_swaps_or_breaks'])}",
        highlight=False,
    )
    ie = s["impact_error_km"]
    good = s["good_within_60s_after_track"]
    good_text = (
        ", ".join(f"{k} {_pct(v)}" for k, v in good.items())
        if isinstance(good, dict)
        else _pct(good)
    )
    console.print(
        "  impact error (km) median at first track +30/+60/+120 s: "
        + " / ".join(_v(ie[f"first_track_plus_{d}s"]["median"]) for d in (30, 60, 120))
        + f"; within 10 km (truth in 95 %) by +60 s: {good_text}",
        highlight=False,
    )
    console.print(
        "  truth in 50 % / 95 % ellipse: "
        + ", ".join(
            f"{k} {_pct(v['in50'])} / {_pct(v['in95'])} (n {v['n']})" if v["n"] else f"{k} – (n 0)"
            for k, v in c.items()
        ),
        highlight=False,
    )
    console.print(
        f"  verdict right {_pct(s['verdict_right'])}, class right {_pct(s['class_right'])}, "
        f"launch point error median {_v(s['launch_error_km']['median'])} km",
        highlight=False,
    )
    console.print(
        f"  warnings: {w['engagements_warned']} engagements warned, false-alarm areas "
        f"{w['false_alarm_areas']}, misses {w['misses']}, first warning median "
        f"{_v(w['first_warning_s']['median'], unit=' s')}, lead time median "
        f"{_v(w['lead_time_s']['median'], unit=' s')}",
        highlight=False,
    )
    if s.get("files"):
        console.print(f"  wrote {', '.join(s['files'])}", highlight=False)


def bench_campaign(
    n: Annotated[int, typer.Option("--n", help="Engagements on each side.")] = 6,
    workers: Annotated[
        int | None, typer.Option(help="LocalCluster workers (default: one per core).")
    ] = None,
    spec: Annotated[str, typer.Option(help="Campaign spec.")] = "single-missile",
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Engagements per minute, serial in one process vs on a LocalCluster (same engagements,
    one run), memory per worker, and the time for 200 single-missile engagements."""
    from ..bench.campaign import run_campaign_bench
    from ..campaign.spec import SpecError

    if not 1 <= n <= 1000 or (workers is not None and not 1 <= workers <= 256):
        _fail("--n must be in 1-1000 and --workers in 1-256")
    try:
        with progress_bar("bench campaign", enabled=not json_out) as step:
            d = run_campaign_bench(spec=spec, n=n, workers=workers, step=step)
    except SpecError as exc:
        _fail(str(exc))
    if json_out:
        typer.echo(json.dumps(d, default=str))
        return
    mem = d["memory_per_worker_mb"].values()
    console.print(
        f"{d['spec']}, {d['engagements_per_side']} engagements on each side, {d['workers']} "
        f"workers on {d['cores']} cores (load average {d['load_average_1min']}):\n"
        f"  serial, one process  {d['serial_engagements_per_min']:,.2f} engagements/min "
        f"({d['serial_s']:.1f} s; median engagement {d['median_engagement_s']:.1f} s)\n"
        f"  Dask LocalCluster    [bold]{d['cluster_engagements_per_min']:,.2f}[/bold] "
        f"engagements/min ({d['cluster_s']:.1f} s); cluster/serial "
        f"[bold]{d['ratio_cluster_over_serial']:.2f}x[/bold]\n"
        f"  memory per worker {min(mem, default=0):,.0f}-{max(mem, default=0):,.0f} MB, main "
        f"process {d['main_process_mb']:,.0f} MB; warm-up serial {d['warm_up_s']['serial']:.1f}"
        f" s, cluster {d['warm_up_s']['cluster']:.1f} s\n"
        f"  200 single-missile engagements: {d['time_for_200_single_missile_engagements_s']:,.0f}"
        f" s ({d['note']}); ok {d['ok_engagements']}/{d['engagements_per_side']}; identical "
        f"results serial vs cluster: {'yes' if d['identical_results_serial_vs_cluster'] else 'NO'}"
    )
