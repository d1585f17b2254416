"""What every command shares: the consoles, the one way to fail on bad input (one line on
stderr, exit code 2), progress bars for long work, and small input checks.

Output conventions (every command): human text on stdout by default, one JSON document with
``--json``; no hard wrapping (piped output keeps whole lines: ``soft_wrap``), no automatic
highlighting of numbers (``highlight=False``: "KN-23" stays plain); progress bars go to stderr
and only when stderr is a terminal, so pipes and ``--json`` stay clean.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from typing import NoReturn

import typer
from rich.console import Console
from typer.core import TyperOption

console = Console(soft_wrap=True, highlight=False)
err_console = Console(stderr=True, soft_wrap=True, highlight=False)

#: ``progress(stage, fraction)``: what the lower layers call on long work (fraction in 0..1).
ProgressFn = Callable[[str, float], None]


class UsageError(Exception):
    """A problem with the user's input: reported in one line, exit code 2."""


def fail(message: str) -> NoReturn:
    """Report bad input in one line on stderr and exit with code 2 (never a traceback)."""
    typer.echo(f"launchwatch: error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(code=2)


def finite(name: str, value: float | None) -> None:
    """``UsageError`` unless ``value`` is None or a finite number."""
    if value is not None and not math.isfinite(value):
        raise UsageError(f"{name} must be a finite number")


@contextlib.contextmanager
def progress_bar(title: str, *, enabled: bool = True) -> Iterator[ProgressFn]:
    """A rich progress bar on stderr (stage, bar, percent, elapsed, ETA) for work > ~2 s.

    Yields ``update(stage, fraction)``; a no-op when ``enabled`` is false (``--json``) or stderr
    is not a terminal. The bar disappears when the work ends (the result is what stays).
    """
    if not (enabled and err_console.is_terminal):
        yield _no_progress
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(title, total=1000)
        last = [0.0]

        def update(stage: str, fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] < 0.1 and fraction < 1.0:
                return
            last[0] = now
            bar.update(
                task, completed=1000 * min(max(fraction, 0.0), 1.0), description=f"{title}: {stage}"
            )

        yield update


def print_table(table) -> None:
    """Print a rich table on stdout; piped, it is never squeezed to 80 columns (rows stay whole
    lines for grep and cut)."""
    if console.is_terminal:
        console.print(table)
        return
    from rich.measure import Measurement

    width = Measurement.get(console, console.options.update(width=100_000), table).maximum
    Console(width=max(width, 20), soft_wrap=True, highlight=False, no_color=True).print(
        table, crop=False
    )


def _no_progress(stage: str, fraction: float) -> None:
    return None


# Flags are flags: typer 0.29 shows every boolean option as "<bool>" in --help. A flag takes no
# value, so it shows no type (affects help text only).
_display_type_rich = TyperOption.display_type_rich


def _flag_without_type(self: TyperOption, ctx) -> str | None:
    if getattr(self, "is_bool_flag", False) and self.metavar is None:
        return None
    return _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]
