"""``launchwatch demo`` and ``launchwatch simulate``: the chain over a scenario, printed."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from . import choices
from .common import UsageError, console, fail, progress_bar
from .reconstruct import REFERENCE_LAUNCH, print_reconstruction, reconstruct_figures


def demo(
    out: Annotated[str, typer.Option(help="Report folder.")] = "launchwatch-report",
) -> None:
    """The reference launch of 2025-11-07 (Taekwan, 12:35 KST, about 700 km towards the East
    Sea) through sense, track, assess and warn; writes a report folder (JSON summary, CAP
    messages, map), then reconstructs the launch from the published figures."""
    from ..pipeline.chain import run_chain
    from ..sense.scenario import load_scenario
    from ..warn.report import write_report

    try:  # the report folder must be writable before minutes are spent on the chain
        Path(out).mkdir(parents=True, exist_ok=True)
        probe = Path(out) / ".launchwatch-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except (OSError, ValueError) as exc:
        fail(f"cannot write the report to {out!r}: {getattr(exc, 'strerror', None) or exc}")
    console.print("[bold]launchwatch demo[/bold]: the 2025-11-07 launch from the Taekwan area")
    console.print(
        "ROK JCS: SRBM from the Taekwan area, North Pyongan, 12:35 KST, about 700 km "
        "towards the East Sea; Japan MoD: apogee about 50 km, outside Japan's EEZ.\n"
    )
    with progress_bar("reference-2025-11-07") as progress:
        chain = run_chain(load_scenario("reference-2025-11-07"), progress=progress)
    summary = chain.summary()
    _print_timeline(chain.sim, summary)
    _print_chain(chain, summary)
    try:
        files = write_report(chain, out)
    except OSError as exc:
        fail(f"cannot write the report to {out}: {exc.strerror}")
    console.print(f"  report: {_describe_files(files, out)}")
    try:
        console.print("\nReconstruction from the ROK JCS figures (700 km, minimum energy):")
        d = reconstruct_figures(
            REFERENCE_LAUNCH["site"],
            None,
            None,
            700.0,
            None,
            None,
            "min-energy",
            None,
            "East Sea",
            None,
            REFERENCE_LAUNCH["launch_time"],
        )
        print_reconstruction(d)
        console.print("\nJapan MoD: about 450 km, apogee about 50 km, KN-23 class:")
        d2 = reconstruct_figures(
            "Taekwan",
            None,
            None,
            450.0,
            50.0,
            None,
            None,
            None,
            "East Sea",
            "KN-23",
            REFERENCE_LAUNCH["launch_time"],
        )
        print_reconstruction(d2)
    except UsageError as exc:
        fail(str(exc))


def simulate(
    scenario: Annotated[
        str,
        typer.Argument(
            help=f"A shipped scenario ({choices.listing(choices.scenarios())}) or a YAML file "
            f"(sensors by name: {choices.listing(choices.sensors())}).",
            metavar="SCENARIO",
        ),
    ],
    out: Annotated[
        str | None,
        typer.Option(
            help="Write detections, tracks, truth (and assessments) as CSV "
            "and Parquet here; with --assess also the report (map, side "
            "view, KML, CAP)."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    assess: Annotated[
        bool, typer.Option("--assess", help="Also assess impacts and issue warnings.")
    ] = False,
    assess_interval_s: Annotated[
        float,
        typer.Option(
            "--assess-interval-s",
            help="Scenario seconds between assessments "
            "(each assesses every track updated since the last).",
        ),
    ] = 2.0,
    samples: Annotated[int, typer.Option(help="Monte Carlo samples per track.")] = 1000,
) -> None:
    """Run sense + track over a scenario: timeline, tracks, errors (and files with --out);
    with --assess also impact predictions, zone verdicts and warnings."""
    from ..pipeline.simulate import run_simulation, write_outputs
    from ..sense.scenario import ScenarioError, load_scenario

    if (
        not (math.isfinite(assess_interval_s) and assess_interval_s > 0)
        or not 2 <= samples <= 1_000_000
    ):
        fail("--assess-interval-s must be positive and --samples within 2..1000000")
    try:
        sc = load_scenario(scenario)
        with progress_bar(sc.name, enabled=not json_out) as progress:
            if assess:
                from ..pipeline.chain import run_chain

                chain = run_chain(
                    sc, interval_s=assess_interval_s, n_samples=samples, progress=progress
                )
                result = chain.sim
            else:
                result = run_simulation(sc, progress=progress)
    except ScenarioError as exc:
        fail(str(exc))
    summary = chain.summary() if assess else result.summary()
    if out is not None:
        try:
            summary["files"] = [
                str(p) for p in write_outputs(result, out, chain.run if assess else None)
            ]
            if assess:
                from ..warn.report import write_report

                summary["files"] += [str(p) for p in write_report(chain, out)]
        except OSError as exc:
            fail(f"cannot write to {out}: {exc.strerror}")
    if json_out:
        typer.echo(json.dumps(summary, default=str))
        return
    _print_timeline(result, summary)
    if assess:
        _print_chain(chain, summary)
    if out is not None:
        console.print(f"  wrote {_describe_files(summary['files'], out)}")


def _print_chain(chain, d: dict) -> None:
    from ..warn.report import timeline_lines

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
            f"(truth: {_zone_words(rec['truth']['zone'])}), class {f['range_class']} "
            f"(p {f['range_class_prob']:.2f}), apogee {rec['apogee_km']:.0f} km"
            + (f"; launch point estimate {le['error_km']:.1f} km from truth" if le else ""),
            highlight=False,
        )
    console.print(
        f"  warnings: {', '.join(d['warnings']) or 'none'}; false alarms "
        f"{len(d['false_alarms'])}, misses {len(d['misses'])}; {d['cap_messages']} CAP "
        f"messages; {d['assessments']} assessments, median {d['assess_ms_median']} ms"
    )


def _zone_words(z: dict) -> str:
    """ "eez of JPN", "high seas" (no "of None")."""
    kind = str(z.get("kind", "?")).replace("_", " ")
    return kind + (f" of {z['country']}" if z.get("country") else "")


def _describe_files(files, out) -> str:
    """What a report folder holds, counted honestly: "6 files in DIR/: summary.json, ..."."""
    from pathlib import Path

    names = [Path(f).name for f in files]
    cap = sum(Path(f).parent.name == "cap" for f in files)
    top = [n for f, n in zip(files, names, strict=True) if Path(f).parent.name != "cap"]
    listing = ", ".join(top + ([f"cap/ ({cap} CAP message{'s' * (cap != 1)})"] if cap else []))
    return f"{len(files)} files in {out}/: {listing}"


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
