"""Plain-text preparation for report extraction: cleaning, sentences, clauses, dates.

Articles copied from the web carry navigation menus, share buttons, photo captions and credit
lines; :func:`clean_lines` drops them. :func:`sentences` splits what is left into sentences
(abbreviations such as "Nov." and "U.S." do not end one), and :func:`clauses` splits a
sentence at commas, semicolons and dashes (not inside numbers such as "1,000").
Dates: :func:`find_dates` finds "Nov. 7, 2025", "7 November 2025", "2025-11-07", "2025.11.07",
month-day without a year ("Nov 7"), and weekday names, with their positions.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MDY = re.compile(rf"\b({MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH})\.?,?\s*(\d{{4}})?\b")
#: "25, Jul. 2019", "13-Sep-2023": day, comma or hyphen, month, year (the year is required).
_DMY_SEP = re.compile(rf"\b(\d{{1,2}})(?:,\s*|-)({MONTH})\.?(?:,\s*|\s+|-)(\d{{4}})\b")
_ISO = re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b")
_EURO = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")  # 30.05.2024
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

CAPTION = re.compile(
    r"REUTERS/|\bAP Photo\b|Getty Images|\bvia AFP\b|/AFP\b|Yonhap photo|\bphoto by\b|"
    r"\bphoto courtesy\b|^\s*(?:file\s+)?photo\b|^\s*\(?photo\)?\s*[:|]|^\s*image\s*:|"
    r"^\s*caption\b|^\s*a (?:tv|television) screen shows|^\s*people watch|"
    r"\bPic/|\bpic\s*$|Photograph:|\bvia Reuters\]|\[KCNA|\bKCNA/(?:EPA|KNS)|"
    r"\bin this (?:file )?(?:photo|picture|image)\b|\b(?:photo|picture|image) (?:taken|released|"
    r"provided|made) (?:on|by|from)\b|\bfile photo\b|\(Representational\)|"
    r"For Use Only in the Republic of Korea|No Redistribution|\bPhoto\s*:|"
    r"^\s*(?:advertisement|share|share this|skip to (?:main )?content|sign in|subscribe|"
    r"read more|related|most read|watch|listen|menu|home|trending|tags?\s*:)\b",
    re.I,
)
#: Lines after which a page holds no more of the article (related links, comments, footers).
_TAIL = re.compile(
    r"^\s*(?:more from\b|more in\b|leave a (?:reply|comment)|read full story|you may also like|"
    r"related (?:articles|stories|coverage|news)|most read|recommended|read next|latest news|"
    r"comments are closed|download our|copyright\b|©|\(c\) \d{4}|all rights reserved|"
    r"\[copyright|string\(\d+\))",
    re.I,
)
#: Scraper and mirror headers ("DATE: 2024-10-10 21:46:42", "2023-07-13 00 14 59"): never a
#: publication date.
SCRAPER_STAMP = re.compile(
    r"^\s*(?:(?:date|fetched|crawled|retrieved|scraped|source)\s*:.*|"
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}[: ]\d{2}[: ]\d{2}.*)$",
    re.I,
)


def strip_tail(lines: list[str]) -> list[str]:
    """The lines before the first end-of-article marker (related links, comments, footers)."""
    for i, line in enumerate(lines):
        if i > 0 and _TAIL.search(line):
            return lines[:i]
    return lines


def normalize_text(text: str) -> str:
    """NFKC, straight quotes, dashes as " - ", no-break and thin spaces as spaces."""
    text = unicodedata.normalize("NFKC", text)
    for a, b in (
        ("\u2018", "'"),
        ("\u2019", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u2014", " - "),
        ("\u2013", " - "),
        ("\u00a0", " "),
        ("\u2009", " "),
    ):
        text = text.replace(a, b)
    return text


def is_noise(line: str) -> bool:
    """A navigation item, share button, photo caption or credit line."""
    s = line.strip()
    if not s:
        return True
    if CAPTION.search(s):
        return True
    if s.count("|") >= 2 or s.count("\u203a") + s.count("\u00bb") + s.count(">") >= 2:
        return True
    words = s.split()
    return len(words) <= 4 and not re.search(r"[.!?]$", s)


def clean_lines(text: str) -> list[str]:
    """The article's lines without navigation, captions, credits and repeated lines."""
    seen, out = set(), []
    for line in normalize_text(text).splitlines():
        s = re.sub(r"\s+", " ", line).strip()
        if is_noise(s) or s.casefold() in seen:
            continue
        seen.add(s.casefold())
        out.append(s)
    return out


ABBREV = re.compile(
    r"(?:\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Adm|"
    r"Rep|Sen|Gov|St|No|approx|est|vs|Corp|Inc|Co|Jr|Sr)\.|\b[A-Z]\.|\b(?:a|p)\.m\.|"
    r"\bU\.S\.|\bN\.|\bS\.)$"
)


#: How many characters besides whitespace a match of :data:`ABBREV` holds at most ("Sept.",
#: "approx.", "p.m."): what :func:`tail_search` reads of the text before a full stop.
ABBREV_REACH = 16


def tail_search(
    pattern: re.Pattern[str], s: str, end: int, reach: int, start: int = 0
) -> re.Match[str] | None:
    """``pattern.search(s[start:end])`` for a pattern anchored at the end (``$``) whose match
    holds at most ``reach`` characters besides whitespace, read only over the last ``reach + 1``
    such characters before ``end`` (and the whitespace among them).  The same answer as
    searching the whole prefix, at a cost that does not grow with ``end``: a check made before
    every figure or full stop of a long sentence stays linear in its length.  Use the match's
    text, not its positions (they refer to ``s`` or to the prefix)."""
    lo, seen = end, 0
    while lo > start and seen <= reach:
        lo -= 1
        if not s[lo].isspace():
            seen += 1
    if lo <= start:
        return pattern.search(s[start:end])
    # ``pos`` keeps the character before ``lo`` visible to ``\b`` and look-behinds, as the
    # prefix does
    return pattern.search(s, lo, end)


def sentences(lines: list[str]) -> list[str]:
    """Sentences of the cleaned lines; a line never continues into the next one."""
    out = []
    for line in lines:
        start = 0
        for m in re.finditer(r"[.!?](?=[\"')\]]?\s+(?:[\"'(]?[A-Z0-9]))", line):
            if tail_search(ABBREV, line, m.end(), ABBREV_REACH, start):
                continue
            chunk = line[start : m.end()]
            if chunk.strip():
                out.append(chunk.strip())
            start = m.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


_MONTH_DAY_END = re.compile(rf"{MONTH}\.?\s+\d{{1,2}}$")
_YEAR_AHEAD = re.compile(r"\d{4}\b")


def clauses(sentence: str) -> list[tuple[int, int]]:
    """(start, end) spans of the clauses of ``sentence``: split at ", " (not inside digits or
    a date such as "Nov. 7, 2025"), ";" and " - "."""
    cuts = [0]
    for m in re.finditer(r",\s+|;\s+|\s+-\s+", sentence):
        if (
            m.group().startswith(",")
            and _YEAR_AHEAD.match(sentence, m.end())
            and tail_search(_MONTH_DAY_END, sentence, m.start(), 16)
        ):
            continue
        cuts.append(m.start())
        cuts.append(m.end())
    cuts.append(len(sentence))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]


@dataclass(frozen=True)
class DateMention:
    """A date in a text: ``year`` may be ``None`` (month-day only); ``weekday`` 0-6 or None."""

    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None

    def resolve(self, ref: dt.date | None) -> dt.date | None:
        """The date, taking a missing year from ``ref`` (the publication date; a month-day
        after ``ref`` belongs to the previous year) and a weekday as the latest on or before
        ``ref``."""
        if self.weekday is not None:
            if ref is None:
                return None
            return ref - dt.timedelta(days=(ref.weekday() - self.weekday) % 7)
        year = self.year if self.year is not None else (ref.year if ref else None)
        if year is None or self.month is None or self.day is None:
            return None
        try:
            d = dt.date(year, self.month, self.day)
        except ValueError:
            return None
        if self.year is None and ref is not None and d > ref + dt.timedelta(days=1):
            d = d.replace(year=year - 1)
        return d


def _month(name: str) -> int:
    return _MONTHS[name[:3].lower()]


#: what makes "May" a month: a day after it that is not a distance or duration ("may 7 km")
_MAY_DAY = re.compile(r"\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\s*(?:km|kilomet|mile|minute|second|%))")


def find_dates(s: str) -> list[DateMention]:
    """Calendar dates (with or without year) and weekday names in ``s``, in order."""
    found: list[DateMention] = []
    # the characters already read as part of a date: a check costs the length of the
    # candidate, not the number of dates found before it
    marked = bytearray(len(s))

    def free(a: int, b: int) -> bool:
        return marked.find(1, a, b) < 0

    def take(a: int, b: int) -> None:
        marked[a:b] = b"\x01" * (b - a)

    for m in _ISO.finditer(s):
        y, mo, d = map(int, m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            found.append(DateMention(m.start(), m.end(), y, mo, d))
            take(*m.span())
    for m in _EURO.finditer(s):
        d, mo, y = map(int, m.groups())
        if free(*m.span()) and 1 <= mo <= 12 and 1 <= d <= 31:
            found.append(DateMention(m.start(), m.end(), y, mo, d))
            take(*m.span())
    for m in _DMY_SEP.finditer(s):
        if free(*m.span()) and 1 <= int(m.group(1)) <= 31:
            found.append(
                DateMention(
                    m.start(), m.end(), int(m.group(3)), _month(m.group(2)), int(m.group(1))
                )
            )
            take(*m.span())
    for m in _DMY.finditer(s):
        if free(*m.span()) and 1 <= int(m.group(1)) <= 31:
            if m.group(2).lower() == "may" and not m.group(3):
                continue  # "5 may ..." is too ambiguous without a year
            found.append(
                DateMention(
                    m.start(),
                    m.end(),
                    int(m.group(3)) if m.group(3) else None,
                    _month(m.group(2)),
                    int(m.group(1)),
                )
            )
            take(*m.span())
    for m in _MDY.finditer(s):
        if free(*m.span()) and 1 <= int(m.group(2)) <= 31:
            if (
                m.group(1).lower() == "may"
                and not m.group(3)
                and not _MAY_DAY.match(s, m.start() + 3)
            ):
                continue  # "may 7 km" is not a date
            year = int(m.group(3)) if m.group(3) else None
            found.append(DateMention(m.start(), m.end(), year, _month(m.group(1)), int(m.group(2))))
            take(*m.span())
    for m in _WEEKDAY.finditer(s):
        found.append(DateMention(m.start(), m.end(), weekday=WEEKDAYS.index(m.group(1).lower())))
    return sorted(found, key=lambda d: d.start)


def years(s: str) -> list[int]:
    """Four-digit years 1950-2099 in ``s`` that are not part of a longer number."""
    return [int(y) for y in _YEAR.findall(s)]


def months_only(s: str) -> list[int]:
    """Months named without a day ("in May", "last March")."""
    out = []
    for m in re.finditer(
        rf"\b(?:in|since|last|early|mid|late|until|through|of)\s+"
        rf"(?:early\s+|mid-?\s*|late\s+)?({MONTH})\b(?!\.?\s+\d)",
        s,
    ):
        out.append(_month(m.group(1)))
    return out
