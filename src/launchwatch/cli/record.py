"""``launchwatch record ...``: the launch event record from the command line (typer + rich).

Bad input anywhere: one line ``launchwatch: error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..earth.notation import latlon_text
from ..flight.classes import EVENT_CLASSES
from .common import console, fail, print_table, progress_bar

record_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Launch event records: ingest statements and articles, list, show, import, export.",
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLAlchemy URL (default $LAUNCHWATCH_DB_URL or the user's data directory)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


#: Largest statement and import file read, bytes.
MAX_STATEMENT_BYTES = 1 << 20
MAX_IMPORT_BYTES = 128 << 20


def _read_input(file: str, limit: int, what: str) -> tuple[str, str]:
    """(text, source name) of ``file`` or stdin (``-``): at most ``limit`` bytes, UTF-8."""
    from ..files import InputFileError, decode, read_text

    try:
        if file == "-":
            data = sys.stdin.buffer.read(limit + 1)
            if len(data) > limit:
                raise InputFileError(f"stdin: larger than {limit:,} bytes")
            return decode(data, "stdin", what), "stdin"
        return read_text(file, limit=limit, what=what), Path(file).name
    except InputFileError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _store(url: str | None):
    """The open record; a record error inside the block (a damaged file met while reading,
    an unusable row, an outage) ends the command with one line and exit code 2."""
    from sqlalchemy.exc import OperationalError

    from ..record.store import RecordError, Store

    try:
        store = Store(url)
    except RecordError as exc:
        fail(str(exc))
    try:
        with store:
            yield store
    except RecordError as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(f"the record at {store.url} is unavailable: {' '.join(str(exc.orig).split())[:300]}")


@record_app.command()
def ingest(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Plain-text statements or articles (several: a batch), or - for stdin.",
            metavar="FILE...",
        ),
    ],
    json_out: JsonOption = False,
    db: DbOption = None,
    no_zone: Annotated[bool, typer.Option("--no-zone", help="Skip the zone verdict.")] = False,
    published: Annotated[
        str | None,
        typer.Option(
            "--published",
            help="Publication date YYYY-MM-DD, when the text's own dateline or "
            "byline lacks it (weekdays and 'yesterday' are read against it).",
        ),
    ] = None,
) -> None:
    """Extract a launch from each statement or article, reconstruct it and store it.

    One file: its result (with --json, one object). Several: a progress bar, one line per file
    (with --json, a list of objects in the order given). Every file is read before anything is
    stored; a file without a launch stops the batch with one line on stderr (exit code 2)."""
    from ..record.ingest import IngestError, ingest_text
    from ..record.views import event_dict

    pub = None
    if published is not None:
        try:
            pub = dt.date.fromisoformat(published)
        except ValueError:
            fail(f"--published {published!r} is not a date YYYY-MM-DD")
    if files.count("-") > 1:
        fail("stdin (-) can be given only once")
    texts = []
    for file in files:
        text, source = _read_input(file, MAX_STATEMENT_BYTES, "statement")
        if not text.strip():
            fail(f"{file}: empty text, nothing stored")
        texts.append((text, source))
    results = []
    with (
        _store(db) as store,
        progress_bar("ingest", enabled=len(texts) > 1 and not json_out) as progress,
    ):
        for k, (text, source) in enumerate(texts):
            progress(source, k / len(texts))
            try:
                res = ingest_text(store, text, source=source, zones=not no_zone, published=pub)
            except IngestError as exc:
                fail(f"{source}: {exc}")
            results.append((res, event_dict(store.event(res.event_id))))
        progress("done", 1.0)
    out = [_ingest_json(res, ev) for res, ev in results]
    if json_out:
        typer.echo(json.dumps(out[0] if len(files) == 1 else out))
        return
    for (res, ev), (_, source) in zip(results, texts, strict=True):
        verb = "already recorded" if res.duplicate else "recorded"
        console.print(
            f"[bold]{verb}[/bold]: {source} -> report "
            f"{', '.join(map(str, res.report_ids))} of event {res.event_id}"
        )
        if len(files) == 1:
            _print_event(ev)


def _ingest_json(res, ev: dict) -> dict:
    reports = [r for r in ev["reports"] if r["id"] in res.report_ids]
    main = reports[0]
    return {
        "event_id": res.event_id,
        "report_id": main["id"],
        "duplicate": res.duplicate,
        "authority": main["authority"],
        "outlet": main["outlet"],
        "reported": main["reported"] | {"launch_date": ev["launch_date"]},
        "derived": main["derived"],
        "missing": main["missing"],
        "also_reported": reports[1:],
        "event": ev,
    }


@record_app.command("list")
def list_events(
    json_out: JsonOption = False,
    since: Annotated[str | None, typer.Option(help="Only events on or after YYYY-MM-DD.")] = None,
    site: Annotated[str | None, typer.Option(help="Launch site name or alias.")] = None,
    missile_class: Annotated[
        str | None, typer.Option("--class", help=" | ".join(EVENT_CLASSES) + ".")
    ] = None,
    simulated: Annotated[
        bool, typer.Option("--simulated", help="Also list simulated runs (hidden by default).")
    ] = False,
    db: DbOption = None,
) -> None:
    """List recorded events, oldest first (reported events; --simulated adds runs)."""
    from ..record.views import event_dict

    day = None
    if since is not None:
        try:
            day = dt.date.fromisoformat(since)
        except ValueError:
            fail(f"--since {since!r} is not a date YYYY-MM-DD")
    if missile_class is not None and missile_class.upper() not in EVENT_CLASSES:
        fail(f"--class {missile_class!r} must be one of {', '.join(EVENT_CLASSES)}")
    with _store(db) as store:
        events = [
            event_dict(e, reports=False)
            for e in store.events(
                since=day,
                site=site,
                missile_class=missile_class,
                simulated=None if simulated else False,
            )
        ]
    if json_out:
        typer.echo(json.dumps(events))
        return
    if not events:
        console.print("no events")
        return
    from rich.table import Table

    table = Table(
        "id",
        "date",
        "time",
        "site",
        "class",
        "authorities",
        "disagreements",
        box=None,
        pad_edge=False,
        header_style="bold",
    )
    for e in events:
        table.add_row(
            str(e["id"]),
            e["launch_date"],
            e["launch_time_local"] or "--:--",
            e["site_name"] or "unknown",
            e["missile_class"] or "?",
            ", ".join(e["authorities"]),
            "; ".join(d["summary"] for d in e["disagreements"]) or "-",
            style="yellow" if e["disagreements"] else None,
        )
    print_table(table)


@record_app.command()
def show(
    event_id: Annotated[int, typer.Argument(help="Event id (see record list).")],
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """One event with every report, the reconstruction and the disagreements."""
    from ..record.views import event_dict

    if not 1 <= event_id <= 2**62:
        fail(f"no event {event_id}")
    with _store(db) as store:
        ev = store.event(event_id)
        if ev is None:
            fail(f"no event {event_id}")
        d = event_dict(ev)
    if json_out:
        typer.echo(json.dumps(d))
        return
    _print_event(d)


@record_app.command("export")
def export_cmd(
    out: Annotated[str, typer.Argument(help="Output file, or - for stdout.")],
    fmt: Annotated[str, typer.Option("--format", help="csv | geojson | czml")] = "csv",
    simulated: Annotated[
        bool, typer.Option("--simulated", help="Also export simulated runs (hidden by default).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Export every event: CSV (one row per report), GeoJSON, or CZML trajectories."""
    from ..record import exchange

    writers = {"csv": exchange.to_csv, "geojson": exchange.to_geojson, "czml": exchange.to_czml}
    if fmt not in writers:
        fail(f"--format must be one of {', '.join(writers)} (got {fmt!r})")
    with _store(db) as store:
        text = writers[fmt](store.events(simulated=None if simulated else False))
    if out == "-":
        typer.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    console.print(f"wrote {out}")


@record_app.command("import")
def import_cmd(
    file: Annotated[str, typer.Argument(help="A CSV or GeoJSON file made by record export.")],
    db: DbOption = None,
) -> None:
    """Import reports from CSV or GeoJSON (reports already recorded are skipped)."""
    from ..record import exchange
    from ..record.store import RecordError

    text, _ = _read_input(file, MAX_IMPORT_BYTES, "CSV or GeoJSON file")
    with _store(db) as store:
        try:
            rows = exchange.read_any(text, name=file)
            added, dupes = exchange.import_rows(store, rows)
        except RecordError as exc:
            fail(str(exc))
    console.print(f"imported {added} report(s), {dupes} already recorded")


@record_app.command()
def evaluate(
    key: Annotated[str, typer.Argument(help="Answer key (JSON, the corpus's key format).")],
    texts_dir: Annotated[str, typer.Argument(help="Folder of NNN-*.txt texts the key covers.")],
    json_out: JsonOption = False,
    details: Annotated[
        bool, typer.Option("--details", help="List every field that is not right, text by text.")
    ] = False,
) -> None:
    """Score the report reader against an answer key: per field right / wrong / missed,
    refused launch reports, non-launch texts refused (see launchwatch.record.evaluate)."""
    from ..record.evaluate import KeyError_
    from ..record.evaluate import evaluate as run

    try:
        ev = run(key, texts_dir)
    except (KeyError_, OSError) as exc:
        fail(str(exc))
    if json_out:
        typer.echo(json.dumps(ev.as_dict(), default=str))
        return
    s = ev.summary()
    console.print(
        f"{s['texts']} texts ({s['launch_texts']} launch reports, "
        f"{s['non_launch_texts']} not): {s['right']}/{s['scored']} stated fields right "
        f"({100 * (s['right_fraction'] or 0):.1f} %), {s['wrong_dates']} wrong dates, "
        f"{s['launch_reports_refused']} launch reports refused, "
        f"{s['non_launch_refused']}/{s['non_launch_texts']} non-launch texts refused"
    )
    console.print(f"{'field':<14} {'right':>6} {'wrong':>6} {'missed':>7}")
    for f, v in s["fields"].items():
        console.print(f"{f:<14} {v['right']:>6} {v['wrong']:>6} {v['missed']:>7}")
    if details:
        for t in ev.texts:
            bad = {f: x for f, x in t.fields.items() if x[0] != "right"}
            if t.refused and t.launch:
                console.print(f"{t.file}: refused ({t.refusal})", markup=False)
            elif not t.refused and not t.launch:
                console.print(f"{t.file}: read as a launch report", markup=False)
            for f, (status, want, got) in bad.items():
                console.print(f"{t.file}: {f} {status}: key {want!r}, read {got!r}", markup=False)


def _print_event(d: dict) -> None:
    when = f"{d['launch_date']} {d['launch_time_local'] or ''} {d['utc_offset'] or ''}".strip()
    console.print(
        f"[bold]Event {d['id']}[/bold]: {when}, "
        f"{d['site_name'] or 'site unknown'}, {d['missile_class'] or 'class unknown'}"
        f" ({d['confidence']})"
    )
    for r in d.get("reports", []):
        rep = r["reported"]
        figs = ", ".join(
            f"{label} {rep[k]:,.0f}{unit}"
            for k, label, unit in (
                ("range_km", "range", " km"),
                ("apogee_km", "apogee", " km"),
                ("flight_time_s", "flight", " s"),
            )
            if rep[k] is not None
        )
        via = f" via {r['outlet']}" if r["outlet"] and r["outlet"] != r["authority"] else ""
        console.print(
            f"  report {r['id']} {r['authority'] or 'unattributed'}{via}: "
            f"{figs or 'no figures'}; landing {rep['landing_area'] or '?'}"
        )
        if r["missing"]:
            console.print(f"    missing: {', '.join(r['missing'])}")
        if (x := r["derived"]) is not None:
            zone = x.get("zone") or {}
            console.print(
                f"    derived: impact {latlon_text(x['impact_lat'], x['impact_lon'])}"
                + (
                    f" ({zone['kind']}{' ' + zone['country'] if zone['country'] else ''})"
                    if zone.get("kind")
                    else ""
                )
                + f", apogee {x['apogee_km']:,.0f} km, flight {x['flight_time_s']:,.0f} s, "
                f"min-energy range {x['min_energy_range_km']:,.0f} km -> {x['range_class']}"
            )
            v = x.get("verdict") or {}
            if v.get("status") in ("consistent", "inconsistent"):
                console.print(f"    figures {v['status']}: {v.get('summary', '')}")
        for note in r["notes"]:
            console.print(f"    {note}")
        for field_name, e in (r.get("evidence") or {}).items():
            if isinstance(e, dict) and e.get("sentence"):
                how = "stated" if e.get("stated") else "inferred"
                console.print(
                    f"    evidence {field_name} ({how}, {e.get('confidence', 0):.2f}"
                    f"{', ' + e['basis'] if e.get('basis') else ''}): "
                    f"{e['sentence'][:160]}",
                    markup=False,
                    highlight=False,
                )
    for dis in d["disagreements"]:
        console.print(f"  [yellow]disagree[/yellow]: {dis['summary']}")
    for flag in d.get("flags", []):
        console.print(f"  [red]flag[/red] {flag['kind']}: {flag['summary']}")
        for reading in flag.get("readings", []):
            console.print(
                f"    reading ({'fits' if reading['fits'] else 'does not fit'}): "
                f"{reading['detail']}"
            )
