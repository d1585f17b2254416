"""Shared pieces of the record tests: statement files, a temporary database URL and plain report
objects for the claim checks."""

from pathlib import Path
from types import SimpleNamespace

import pytest

STATEMENTS = Path(__file__).parent / "statements"


def statement(name: str) -> str:
    return (STATEMENTS / name).read_text(encoding="utf-8")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'records.sqlite3'}"


def report(i, who, details=None, result=None, **figs):
    """A stored report as :func:`launchwatch.record.compare.claim_flags` reads it: id ``i``,
    authority ``who``, the figures ``figs`` (the rest None), ``details`` and, when ``result``
    is given, a reconstruction holding it (no reconstruction flown)."""
    base = dict(range_km=None, apogee_km=None, flight_time_s=None, eez_claim="unknown")
    base.update(figs)
    rec = None if result is None else SimpleNamespace(result=result)
    return SimpleNamespace(
        id=i, authority=who, outlet=None, details=details or {}, reconstruction=rec, **base
    )


def flag_kinds(flags):
    """The kinds of claim flags ``flags``, in order."""
    return [f["kind"] for f in flags]
