"""Shared fixtures of the record tests: statement files and a temporary database URL."""

from pathlib import Path

import pytest

STATEMENTS = Path(__file__).parent / "statements"


def statement(name: str) -> str:
    return (STATEMENTS / name).read_text(encoding="utf-8")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'records.sqlite3'}"
