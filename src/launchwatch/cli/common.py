"""What every command shares: the console, the one way to fail on bad input (one line on
stderr, exit code 2), and small input checks."""

from __future__ import annotations

import math
from typing import NoReturn

import typer
from rich.console import Console

console = Console()


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
