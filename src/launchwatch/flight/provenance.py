"""Provenance of the numbers in launchwatch's data files.

Every number (and date) in a data file carries a comment on its own line saying what kind of
number it is: ``# source: <who, when, where>``, ``# estimate: <reasoning>`` or ``# fitted ...``.
:func:`unmarked_numeric_lines` finds the lines that break the rule; the tests run it over every
packaged file, and a user can run it over their own vehicles or sensors file.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"^\s*(?:(?:source|estimate):\s*\S.{2,}|fitted\b)")
NUMBER = re.compile(r"(?<![\w.\-])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.\-])")
DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def split_comment(line: str) -> tuple[str, str]:
    """Split a YAML line into (code, comment); '#' inside double quotes is not a comment."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and not quoted and (i == 0 or line[i - 1].isspace()):
            return line[:i], line[i + 1 :]
    return line, ""


def unmarked_numeric_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line whose YAML value holds a number or a date but whose
    comment has no provenance marker."""
    bad = []
    for lineno, line in enumerate(text.splitlines(), 1):
        code, comment = split_comment(line)
        code = QUOTED.sub('""', code)  # names, aliases and notes are text, not data
        if (NUMBER.search(code) or DATE.search(code)) and not MARKER.match(comment):
            bad.append((lineno, line))
    return bad
