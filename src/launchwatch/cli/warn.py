"""``launchwatch warn ...``: warnings from the command line (typer + rich).

``warn history`` runs the five J-Alert history scenarios through the whole chain and prints
J-Alert's actual timing and areas beside launchwatch's (:mod:`launchwatch.warn.history`).
Bad input: one line ``launchwatch: error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from .common import console, fail, print_table, progress_bar

warn_app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Warnings: compare with J-Alert's record."
)

#: Chain options of the history runs (each long flight in about a minute on 2 cores).
HISTORY_SAMPLES = 300
HISTORY_INTERVAL_S = 2.0


@warn_app.command()
def history(
    event: Annotated[
        list[str] | None,
        typer.Option(
            "--event", help="History scenario(s), e.g. jalert-2017-08-29 (default: all five)."
        ),
    ] = None,
    samples: Annotated[
        int, typer.Option(help="Impact-prediction samples per track.")
    ] = HISTORY_SAMPLES,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """J-Alert's actual warnings beside launchwatch's on the same five flights."""
    from ..sense.scenario import load_scenario
    from ..warn.history import SCENARIOS, compare, table_rows

    names = list(event or SCENARIOS)
    bad = [n for n in names if n not in SCENARIOS]
    if bad:
        fail(f"unknown history event {bad[0]!r}; known: {', '.join(SCENARIOS)}")
    if not 10 <= samples <= 5000:
        fail("--samples must be in 10..5000")
    from ..pipeline.chain import run_chain
    from ..pipeline.simulate import scaled

    out = []
    with progress_bar("warn history", enabled=not json_out) as progress:
        for k, name in enumerate(names):
            part = scaled(progress, k / len(names), (k + 1) / len(names))

            def report(st: str, f: float, n: str = name, p: Callable[..., Any] = part) -> None:
                p(f"{n}: {st}", f)

            chain = run_chain(
                load_scenario(name),
                interval_s=HISTORY_INTERVAL_S,
                n_samples=samples,
                progress=report,
            )
            out.append(compare(name, chain.summary()))
    if json_out:
        typer.echo(json.dumps(out, default=str))
        return
    rows = table_rows(out)
    table = Table(*rows[0], title="J-Alert vs launchwatch (truth: the scenario's flight)")
    for r in rows[1:]:
        table.add_row(*r)
    print_table(table)
    for c in out:
        for w in c["jalert"]["wrong_messages"]:
            console.print(f"  {c['event']} J-Alert wrong: {w}")
        for w in c["launchwatch"]["wrong_messages"]:
            console.print(f"  {c['event']} launchwatch wrong: {w}")
