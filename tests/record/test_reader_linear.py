"""The report reader's work grows linearly with a text's length, also on hostile texts (one
sentence of thousands of clauses, figures or abbreviations): a 200,000-character text sent to
``record ingest`` must not hold a worker for minutes.  Work is counted, never timed: every
regular expression of the reader (its compiled patterns and its ``re.*`` calls) is wrapped
so that it adds the characters it is handed to a counter; a rescan of the text before each
figure, clause or date doubles that count's growth.  The texts are written for these tests."""

from __future__ import annotations

import json
import re
import sys
import types

import pytest
from typer.testing import CliRunner

import launchwatch.record.extract as ex
import launchwatch.record.text as tx
from launchwatch.cli import app

LEAD = (
    "SEOUL, Nov. 7 (Test Wire) -- North Korea fired a short-range ballistic missile into the "
    "East Sea on Friday, South Korea's military said. "
)


def hostile(unit: str, n: int) -> str:
    """The lead, then one sentence of ``unit`` repeated to about ``n`` characters."""
    return LEAD + "The missile " + (unit * (n // len(unit) + 1))[:n] + " into the sea."


class _Counted:
    """A compiled pattern that counts the characters each search is handed (``pos`` to
    ``endpos``) before it runs the real one; an anchored match counts what it matched."""

    def __init__(self, pattern: re.Pattern[str], counter: list[int]) -> None:
        self._p, self._c = pattern, counter

    def _n(self, s: str, pos: int = 0, endpos: int = sys.maxsize) -> None:
        self._c[0] += max(0, min(endpos, len(s)) - pos)

    def search(self, s, pos=0, endpos=sys.maxsize):
        self._n(s, pos, endpos)
        return self._p.search(s, pos, endpos)

    # an anchored match reads what it matches (and the character that ends it), not the
    # rest of the text it is handed
    def match(self, s, pos=0, endpos=sys.maxsize):
        m = self._p.match(s, pos, endpos)
        self._c[0] += 1 + (m.end() - pos if m else 0)
        return m

    def fullmatch(self, s, pos=0, endpos=sys.maxsize):
        self._n(s, pos, endpos)
        return self._p.fullmatch(s, pos, endpos)

    def finditer(self, s, pos=0, endpos=sys.maxsize):
        self._n(s, pos, endpos)
        return self._p.finditer(s, pos, endpos)

    def findall(self, s, pos=0, endpos=sys.maxsize):
        self._n(s, pos, endpos)
        return self._p.findall(s, pos, endpos)

    def sub(self, repl, s, count=0):
        self._n(s)
        return self._p.sub(repl, s, count)

    def split(self, s, maxsplit=0):
        self._n(s)
        return self._p.split(s, maxsplit)

    def __getattr__(self, name):
        return getattr(self._p, name)


def _counting_re(counter: list[int]) -> types.SimpleNamespace:
    """The ``re`` module as the reader's modules call it, counting like :class:`_Counted`."""

    def compiled(pattern, flags=0):
        return _Counted(re.compile(pattern, flags), counter)

    ns = types.SimpleNamespace(**{k: getattr(re, k) for k in dir(re) if not k.startswith("__")})
    ns.compile = compiled

    def call(name):
        def run(pattern, s, flags=0):
            return getattr(compiled(pattern, flags), name)(s)

        return run

    def sub(pattern, repl, s, count=0, flags=0):
        return compiled(pattern, flags).sub(repl, s, count)

    def split(pattern, s, maxsplit=0, flags=0):
        return compiled(pattern, flags).split(s, maxsplit)

    for name in ("search", "match", "fullmatch", "finditer", "findall"):
        setattr(ns, name, call(name))
    ns.sub, ns.split = sub, split
    return ns


@pytest.fixture
def regex_work(monkeypatch):
    """``work(text)``: the characters the reader's regular expressions are handed while it
    reads ``text``."""
    counter = [0]
    for mod in (ex, tx):
        for name, value in list(vars(mod).items()):
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(mod, name, _Counted(value, counter))
        monkeypatch.setattr(mod, "re", _counting_re(counter))
    sites, index = ex._sites()
    seas = ex._seas()
    monkeypatch.setattr(ex, "_sites", lambda: (_Counted(sites, counter), index))
    monkeypatch.setattr(ex, "_seas", lambda: _Counted(seas, counter))

    def work(text: str) -> int:
        counter[0] = 0
        try:
            ex.extract(text)
        except ex.NoLaunchError:
            pass
        return counter[0]

    return work


@pytest.mark.parametrize(
    "unit",
    [
        "flew 300 km and ",  # a figure every 16 characters, no comma: one clause
        "it flew about 300 km, ",  # a clause every 22 characters
        "said on Monday and ",  # a weekday every 19 characters
        "U.S. N. Korea Gen. ",  # full stops that end no sentence
        "flew - 300 km - ",  # dashes
        "it fell and ",  # landing verbs, no place after them
        "launched at 12:35 p.m. and ",  # launch times in one clause
        "Monday, March 10 ",  # weekdays beside dates, a dateline without a year
    ],
)
def test_the_work_doubles_when_a_hostile_text_doubles(regex_work, unit):
    n = 1500
    small, large = regex_work(hostile(unit, n)), regex_work(hostile(unit, 2 * n))
    # linear work a + b*n at most doubles; the square of the length would near quadruple it
    assert large <= 2.1 * small, (small, large)


@pytest.mark.parametrize(
    "figure",
    [
        "flew one " + "1" * 5000 + " km",  # a number word and a run of digits
        "flew for " + "1" * 5000 + " hours and 5 minutes",  # hours
    ],
)
def test_a_run_of_thousands_of_digits_is_no_error(figure):
    """``int`` refuses strings of more than 4300 digits: such a run is no quantity, and the
    rest of the report is still read."""
    e = ex.extract(LEAD + "The missile " + figure + ".")
    assert e.launch_date is not None and e.launch_date.isoformat() == "2025-11-07"
    assert e.missile_class == "SRBM"


@pytest.mark.slow  # seconds of reading (not minutes, as a reader quadratic in it would take)
def test_a_200k_hostile_text_is_read_or_refused_in_one_line(db_url):
    """The API's and the CLI's limit is 200,000 characters: such a text (one sentence of
    figures) is read, not a traceback."""
    runner = CliRunner()
    text = hostile("flew 300 km and ", 200_000 - len(LEAD) - 40)
    assert len(text) <= 200_000
    res = runner.invoke(app, ["record", "ingest", "-", "--json", "--db", db_url], input=text)
    assert "Traceback" not in res.output
    if res.exit_code == 0:
        d = json.loads(res.stdout)
        assert d["reported"]["range_km"] == 300 and d["reported"]["launch_date"] == "2025-11-07"
    else:
        assert res.exit_code == 2
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("launchwatch: error: ")
