"""Rule-based extraction of a launch report from an English statement or news article.

Method (no models, nothing downloaded):

1. Clean the text (:mod:`.text`): navigation, captions and credit lines go; the publication
   date comes from the header/byline lines (first full date there).
2. Score every sentence as the *main launch sentence*: a launch verb (fired, launched,
   test-fire ...) and a missile noun in a clause that is not background; bonuses for
   "ballistic", a launch site, a clock time, "today"/a weekday, an early position; sentences
   about older launches ("In 2022 ...", "the first launch since May", "last year",
   "previously") are background and never chosen. No candidate: :class:`NoLaunchError`.
3. Fix the event date from the main sentence (a date, a weekday or "today" relative to the
   publication date), else the dateline, else the publication date. Then mark as background
   every clause that names another year, another month, another date or weekday, or carries
   a past marker; only the other clauses (the *event clauses*) give figures.
4. Fields, main sentence first, then event clauses in order: clock time and zone, site
   (catalog names and aliases in a location context), number of missiles, class and name,
   distances classified by the nearest keyword (range: flew/travelled/distance; apogee:
   altitude/apogee/height; landing offset: "... km west of X"), flight time, landing sea
   area, EEZ claim (with negation), and who said it (authority per sentence; the outlet
   carrying a wire article). A field found nowhere is listed in ``missing``, never guessed.
   Figures that another authority in the same text gives differently are kept in
   ``other_claims`` (one report per authority is built from them by :mod:`.ingest`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

from . import text as tx

#: Field names that can appear in ``Extracted.missing``.
FIELDS = ("date", "launch_time", "site", "n_missiles", "missile_class", "missile_name",
          "range_km", "apogee_km", "flight_time_s", "landing_area", "eez_claim", "authority")

KM_PER_MILE = 1.609344
KM_PER_NMI = 1.852


class NoLaunchError(ValueError):
    """The text reports no (current) missile launch."""


@dataclass
class Extracted:
    """What one text says about the launch it is about. Units: km, s; local clock time
    ``HH:MM`` with its UTC offset ``+HH:MM``; ``None`` = not found (listed in ``missing``)."""

    launch_date: dt.date | None = None
    launch_time_local: str | None = None
    utc_offset: str | None = None
    time_zone: str | None = None  # "KST", "JST", "Pyongyang", "UTC" (as understood)
    site: str | None = None  # catalog name
    site_text: str | None = None  # as written, also when not in the catalog
    site_lat_deg: float | None = None
    site_lon_deg: float | None = None
    n_missiles: int | None = None
    missile_class: str | None = None
    missile_name: str | None = None
    range_km: float | None = None
    apogee_km: float | None = None
    flight_time_s: float | None = None
    landing_area: str | None = None
    sea_area: str | None = None  # a name bearing_toward() knows, for the heading
    eez_claim: str = "unknown"  # inside | outside | unknown
    eez_country: str | None = None
    authority: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    missing: list[str] = field(default_factory=list)
    main_sentence: str = ""
    evidence: dict[str, str] = field(default_factory=dict)
    other_claims: list[dict] = field(default_factory=list)

    def reported(self) -> dict:
        """The extracted fields as JSON-ready values (dates as ISO strings)."""
        d = asdict(self)
        for k in ("launch_date", "published"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


# -- vocabulary -------------------------------------------------------------------------------
_LAUNCH_VERB = re.compile(
    r"\b(?:fire[sd]?|firing|launch(?:e[sd]|ing)?|test[- ]?fir(?:e[sd]?|ing)|"
    r"test[- ]?launch(?:e[sd]|ing)?|shot|lift(?:s|ed)? off|conduct(?:s|ed)? (?:a|the) "
    r"(?:test|launch))\b|\blaunch\b", re.I)
_MISSILE = re.compile(r"\b(?:missiles?|ICBMs?|SRBMs?|IRBMs?|MRBMs?|SLBMs?|Hwasong\w*|KN-?\d+|"
                      r"projectiles?)\b", re.I)
_BACKGROUND = re.compile(
    r"\blast (?:year|month|week|time)\b|\bearlier this (?:year|month)\b|\bprevious(?:ly)?\b|"
    r"\bhad (?:fired|launched|tested|flown)\b|\bsince\b|\bago\b|\bin the past\b|"
    r"\bprior\b|\bso far this year\b|\bin (?:19|20)\d\d\b|\bthe year before\b|"
    r"\bhistory\b|\bfirst (?:time|launch|test) in\b|\blast (?:fired|launched|tested)\b|"
    r"\bwould\b|\bcould\b|\bmay (?:launch|fire)|\bwarned\b|\bthreaten", re.I)
_NOT_LAUNCH = re.compile(r"\b(?:no|not|never|without|did not|didn't|has not|hasn't)\b"
                         r"[^.]{0,30}\b(?:fire|launch)", re.I)

_CLASS = (("ICBM", r"intercontinental|\bICBMs?\b"),
          ("IRBM", r"intermediate[- ]range|\bIRBMs?\b"),
          ("MRBM", r"medium[- ]range|\bMRBMs?\b"),
          ("SLBM", r"submarine[- ]launched|\bSLBMs?\b"),
          ("SRBM", r"short[- ]range|close[- ]range|\bSRBMs?\b"))
_NAME = re.compile(r"\b(Hwasong(?:pho)?[- ]?\d+[\w-]*|KN-?\d+|Pukguksong-?\d+\w*|"
                   r"Haeil-?[\w-]*|Chollima-?\d+)\b", re.I)

_AUTHORITY = (
    ("ROK JCS", r"Joint Chiefs of Staff|\bJCS\b|South Korea(?:'s|n) military|"
                r"South Korean military|Seoul's military|South Korea's (?:army|defen[cs]e)"),
    ("Japan MoD", r"(?m)^\s*Ministry of Defen[cs]e\s*$|"
                  r"Japan(?:'s|ese) (?:Ministry of Defen[cs]e|Defen[cs]e Ministry|"
                  r"Defen[cs]e Minister|defen[cs]e ministry|defen[cs]e minister|Joint Staff|"
                  r"military|government)|Ministry of Defen[cs]e of Japan|"
                  r"Japanese Defen[cs]e Minister|Japan's Self-Defense Forces|Tokyo said|"
                  r"Japan(?:ese)? Prime Minister|Prime Minister's Office of Japan"),
    ("KCNA", r"\bKCNA\b|Korean Central News Agency|Rodong Sinmun|Missile Administration|"
             r"North Korea(?:'s|n) state media|state media"),
    ("US INDOPACOM", r"Indo-Pacific Command|INDOPACOM"),
)
_OUTLET = (("Reuters", r"\(Reuters\)|\bReuters\b"), ("AP", r"\(AP\)|Associated Press"),
           ("Yonhap", r"\(Yonhap\)|Yonhap News|\bYonhap\b"),
           ("AFP", r"\(AFP\)|\bAFP\b|Agence France-Presse"), ("Kyodo", r"\bKyodo\b"),
           ("NHK", r"\bNHK\b"))
_SAID = re.compile(r"\b(?:said|says|told|announced|reported|according to|stated|confirmed|"
                   r"added|estimated|assessed|analy[sz]ed|believe[sd]?)\b", re.I)

# Clock times: "12:35 p.m.", "12:35", "7 a.m.", "0335 GMT".
_TIME = re.compile(
    r"(?<![\d,.:])(\d{1,2})(?::(\d{2}))?\s*(a\.\s?m\.|p\.\s?m\.|am\b|pm\b|AM\b|PM\b)?"
    r"(?![\d,])(?:\s*(?:\(|,)?\s*(KST|JST|GMT|UTC|local time|Korea(?:n)? (?:Standard )?time|"
    r"Seoul time|Japan (?:Standard )?time|Tokyo time|Pyongyang time)\b)?", re.I)
_HHMM_UTC = re.compile(r"\b(\d{2})(\d{2})\s*(GMT|UTC)\b")

_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_UNIT = r"(km|kilomet(?:er|re)s?|nautical miles?|nmi|miles?|mi)\b"
_DIST = re.compile(rf"{_NUM}\s*-?\s*{_UNIT}(\s*\(\s*(?:about|some|around|approximately|"
                   rf"roughly|nearly|over|more than)?\s*{_NUM}\s*-?\s*{_UNIT}\s*\))?", re.I)
_APOGEE_KW = re.compile(r"altitude|apogee|height|peak|heights", re.I)
_RANGE_KW = re.compile(r"\bfl(?:ew|ying|own|y|ight of)\b|travel|\brange\b|distance|covered|"
                       r"\bcover\b|\bgoing\b|\bdownrange\b", re.I)
_OFFSET_AFTER = re.compile(
    r"^\s*(?:to the\s+)?((?:north|south)?-?(?:east|west)?(?:north|south)?(?:ward)?)\s+of\s+"
    r"|^\s*off\s+|^\s*(?:away\s+)?from\s+(?:the\s+)?(?:coast|shore|island|peninsula|[A-Z])",
    re.I)
_FLIGHT_TIME = re.compile(
    r"(?:(\d+|an?|one)\s*(?:hours?|hrs?)\s*(?:and\s*)?)?(\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+)"
    r"\s*(minutes?|mins?|seconds?|secs?|s)\b", re.I)
_FLIGHT_KW = re.compile(r"\bfl(?:ew|ight|ying|own)\b|airborne|in the air|\bfor\b|travel", re.I)

_WORD_NUM = {"a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4,
             "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_COUNT = re.compile(
    r"\b(a|an|one|single|two|three|four|five|six|seven|eight|nine|ten|several|multiple|"
    r"\d{1,2})\s+((?:[\w'-]+\s+){0,5}?)(?:ballistic\s+)?(missiles?|ICBMs?|SRBMs?|IRBMs?|"
    r"MRBMs?|SLBMs?|projectiles?)\b", re.I)
_EEZ = re.compile(
    r"\b(inside|within|in|into|outside|beyond)\s+(?:of\s+)?(?:the\s+)?((?:Japan|South Korea|"
    r"Korea|Russia|China)(?:'s|ese)?\s+)?(?:exclusive economic zone|EEZ)\b", re.I)
_DATELINE = re.compile(
    rf"^\s*[A-Z][A-Za-z .,]{{1,40}}?,?(?:\s+{tx.MONTH}\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?)?\s*"
    r"\((?:Reuters|AP|Yonhap|AFP|KCNA|Kyodo|UPI)\)\s*(?:--|-)\s*")
_NEGATION = re.compile(r"\b(?:not|no|didn't|did not|never|neither|nor)\b[^.]{0,40}$", re.I)


@cache
def _sites() -> tuple[re.Pattern, dict]:
    from ..flight.catalog import load_sites, normalize_name

    sites = load_sites()
    index = {normalize_name(a): s for s in sites.values() for a in (s.name, *s.aliases)}
    names = sorted({a for s in sites.values() for a in (s.name, *s.aliases)}, key=len,
                   reverse=True)
    alt = "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in names)
    return re.compile(rf"(?<![\w-])({alt})(?![\w-])", re.I), index


@cache
def _seas() -> re.Pattern:
    from importlib import resources

    import yaml

    doc = yaml.safe_load(resources.files("launchwatch.flight.data")
                         .joinpath("sea_areas.yaml").read_text("utf-8"))
    names = sorted({n for e in doc["sea_areas"] for n in (e["name"], *e.get("aliases", []))},
                   key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<!Indo-)(?<!Indo )\b({alt})\b", re.I)


@cache
def _vehicles() -> dict:
    from ..flight.catalog import load_vehicles, normalize_name

    return {normalize_name(a): v.name for v in load_vehicles().values()
            for a in (v.name, *v.aliases)}


# -- sentence analysis ------------------------------------------------------------------------
@dataclass
class _Sentence:
    index: int
    text: str
    spans: list[tuple[int, int]]
    authority: str | None = None
    background: list[bool] = field(default_factory=list)  # per clause
    launch: bool = False

    def clause_of(self, pos: int) -> int:
        for i, (a, b) in enumerate(self.spans):
            if a <= pos < b or (i == len(self.spans) - 1 and pos >= a):
                return i
        return 0

    def event_text(self) -> str:
        """The sentence with background clauses blanked (positions kept)."""
        chars = list(self.text)
        for (a, b), bg in zip(self.spans, self.background, strict=True):
            if bg:
                chars[a:b] = " " * (b - a)
        return "".join(chars)


def _authority_in(s: str) -> str | None:
    hits = []
    for name, pat in _AUTHORITY:
        if m := re.search(pat, s):
            hits.append((m.start(), name))
    return min(hits)[1] if hits else None


def _publication_date(raw_lines: list[str]) -> tuple[dt.date | None, tx.DateMention | None]:
    """The first full date in the header/byline lines (first 12 non-empty lines), and the
    dateline's month-day ("SEOUL, Nov 7 (Reuters) -") if any."""
    pub, dateline = None, None
    head = [ln for ln in raw_lines if ln.strip()][:12]
    for ln in head:
        for d in tx.find_dates(ln):
            if d.year is not None and pub is None:
                pub = d.resolve(None)
        m = re.match(rf"^\s*[A-Z][A-Za-z .,]+?,?\s+({tx.MONTH})\.?\s+(\d{{1,2}})\s*\(", ln)
        if m and dateline is None:
            dateline = tx.find_dates(ln[m.start(1):])[0]
    return pub, dateline


def _is_background_clause(c: str, event: dt.date | None, pub: dt.date | None) -> bool:
    if _BACKGROUND.search(c):
        return True
    ref_year = event.year if event else (pub.year if pub else None)
    if ref_year is not None and any(y != ref_year for y in tx.years(c)):
        return True
    if event is not None:
        if any(m != event.month for m in tx.months_only(c)):
            return True
        for d in tx.find_dates(c):
            if d.weekday is not None:
                said_day = re.search(r"(?:said|reported|announced|statement|report)\b[^.]{0,25}$",
                                     c[:d.start], re.I)
                if d.weekday != event.weekday() and not said_day:
                    return True
            elif (r := d.resolve(pub or event)) is not None and abs((r - event).days) > 3:
                return True
    return False


def _analyse(sents: list[str], event: dt.date | None, pub: dt.date | None) -> list[_Sentence]:
    out, last_auth = [], None
    for i, s in enumerate(sents):
        spans = tx.clauses(s)
        an = _Sentence(i, s, spans)
        auth = _authority_in(s)
        an.authority = auth or last_auth
        if auth:
            last_auth = auth
        cls = [s[a:b] for a, b in spans]
        verb = next((k for k, c in enumerate(cls) if _LAUNCH_VERB.search(c)), None)
        # Background spreads forward from a leading background clause ("In 2022, ...").
        bg = [_is_background_clause(c, event, pub) for c in cls]
        upto = verb if verb is not None else 0
        if any(bg[:upto + 1]):
            bg = [True] * len(cls)
        an.background = bg
        an.launch = (verb is not None and not bg[verb] and bool(_MISSILE.search(s))
                     and not _NOT_LAUNCH.search(s))
        out.append(an)
    return out


def _score(an: _Sentence, n: int) -> float:
    s = an.text
    score = 3.0
    score += 2.0 if re.search(r"ballistic", s, re.I) else 0.0
    score += 1.0 if _sites()[0].search(s) else 0.0
    score += 1.0 if re.search(r"\d{1,2}:\d{2}|\b[ap]\.m\.", s) else 0.0
    score += 1.0 if re.search(r"\b(?:today|this morning|this afternoon|on (?:Mon|Tues|Wednes|"
                              r"Thurs|Fri|Satur|Sun)day)\b", s, re.I) else 0.0
    score += 1.0 if re.search(r"\bNorth Korea|\bPyongyang|\bDPRK\b", s) else 0.0
    score += 1.5 * max(0.0, 1.0 - an.index / max(n, 1) * 3)  # the lead
    score += 1.5 if re.search(r"[.!?][\"')]?$", s) else 0.0  # a sentence, not a headline
    return score


# -- field extractors -------------------------------------------------------------------------
def _event_date(main: str, pub: dt.date | None, dateline) -> tuple[dt.date | None, str]:
    for d in tx.find_dates(main):
        if d.weekday is None and (r := d.resolve(pub)) is not None:
            return r, "main sentence"
    for d in tx.find_dates(main):
        if d.weekday is not None and (r := d.resolve(pub)) is not None:
            return r, "weekday in main sentence, relative to publication date"
    if pub is not None and re.search(r"\byesterday\b", main, re.I):
        return pub - dt.timedelta(days=1), "yesterday, relative to publication date"
    if dateline is not None and (r := dateline.resolve(pub)) is not None:
        return r, "dateline"
    if pub is not None:
        return pub, "publication date"
    return None, ""


def _offset_for(zone: str | None, day: dt.date | None) -> tuple[str, str] | None:
    """(UTC offset "+HH:MM", zone label) for a zone word; Pyongyang time uses the tz database
    (UTC+08:30 from 2015-08-15 to 2018-05-04)."""
    if zone is None:
        return None
    z = zone.lower()
    if z in ("gmt", "utc"):
        return "+00:00", "UTC"
    if "japan" in z or "tokyo" in z or z == "jst":
        return "+09:00", "JST"
    if "pyongyang" in z:
        when = dt.datetime.combine(day or dt.date.today(), dt.time(12))
        off = when.replace(tzinfo=ZoneInfo("Asia/Pyongyang")).utcoffset()
        minutes = int(off.total_seconds() // 60)
        return f"+{minutes // 60:02d}:{minutes % 60:02d}", "Pyongyang"
    return "+09:00", "KST"


def _clock(m: re.Match) -> str | None:
    h = int(m.group(1))
    mi = int(m.group(2)) if m.group(2) else 0
    ampm = (m.group(3) or "").lower().replace(" ", "")
    if m.group(2) is None and not ampm:
        return None
    if ampm.startswith("p") and h < 12:
        h += 12
    if ampm.startswith("a") and h == 12:
        h = 0
    if not (0 <= h <= 23 and 0 <= mi <= 59):
        return None
    return f"{h:02d}:{mi:02d}"


def _offset_from_utc(hhmm: str, after: str) -> tuple[str, str] | None:
    """The offset implied by a UTC conversion right after a local time: "7:44 a.m. (2244
    GMT)" -> +09:00 (to the quarter hour)."""
    m = re.match(r"\s*\(\s*(\d{1,2}):?(\d{2})\s*(?:GMT|UTC)\s*\)", after)
    if not m:
        return None
    local = int(hhmm[:2]) * 60 + int(hhmm[3:])
    diff = (local - (int(m.group(1)) * 60 + int(m.group(2)))) % 1440
    diff = diff - 1440 if diff > 840 else diff
    q = round(diff / 15) * 15
    sign = "+" if q >= 0 else "-"
    return f"{sign}{abs(q) // 60:02d}:{abs(q) % 60:02d}", "from UTC conversion"


def _launch_time(texts: list[str], context_zone: str | None, day: dt.date | None):
    """(HH:MM, offset, zone label, evidence) of the first local clock time in ``texts``."""
    for t in texts:
        for m in _TIME.finditer(t):
            hhmm = _clock(m)
            if hhmm is None:
                continue
            before = t[max(0, m.start() - 12):m.start()]
            if re.search(r"\(\s*$", before) and m.group(4) and m.group(4).upper() in (
                    "GMT", "UTC"):
                continue  # the "(0335 GMT)" conversion of a local time already taken
            zone = m.group(4)
            if zone and zone.lower() == "local time":
                zone = context_zone or "Pyongyang time"
            off = _offset_for(zone, day) or _offset_from_utc(hhmm, t[m.end():]) or \
                _offset_for(context_zone, day)
            if off is None:
                return hhmm, None, None, t
            return hhmm, off[0], off[1], t
        if m := _HHMM_UTC.search(t):
            h, mi = int(m.group(1)), int(m.group(2))
            if h < 24 and mi < 60:
                return f"{h:02d}:{mi:02d}", "+00:00", "UTC", t
    return None, None, None, ""


def _site(texts: list[str]):
    pat, index = _sites()
    from ..flight.catalog import normalize_name

    for t in texts:
        for m in pat.finditer(t):
            before = t[max(0, m.start() - 45):m.start()]
            after = t[m.end():m.end() + 20]
            located = re.search(r"\b(?:from|near|in|at|around|off|of)\s+(?:the\s+)?"
                                r"(?:(?:vicinity|area|outskirts)\s+of\s+)?(?:[\w']+\s+){0,2}$",
                                before, re.I)
            area = re.match(r"\s+(?:area|region|county|airport|airfield|province|coast)\b",
                            after, re.I)
            relative = re.search(r"\b(?:north|south|east|west)(?:east|west)?(?:ern)?\s+of\s+"
                                 r"(?:the\s+)?$", before, re.I)
            if (located or area) and not relative:
                return index[normalize_name(m.group(1))], m.group(1), t
        m = re.search(r"\bfrom (?:the\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?) area\b", t)
        if m:
            return None, m.group(1), t
    return None, None, ""


def _count(texts: list[str]):
    for t in texts:
        for m in _COUNT.finditer(t):
            between = m.group(2).lower()
            if re.search(r"\b(?:of|and|the|that|which|was|were|has|had|said)\b", between):
                continue
            w = m.group(1).lower()
            if w in ("several", "multiple"):
                return None, t
            n = _WORD_NUM.get(w) or int(w)
            if m.group(3).lower().endswith("s") and n == 1 and w in ("a", "an"):
                continue
            return n, t
    return None, ""


def _class_and_name(texts: list[str]):
    cls = name = None
    ev: dict[str, str] = {}
    for t in texts:
        if cls is None:
            for c, pat in _CLASS:
                if re.search(pat, t, re.I):
                    cls, ev["missile_class"] = c, t
                    break
        if name is None and (m := _NAME.search(t)):
            from ..flight.catalog import normalize_name

            raw = m.group(1)
            name = _vehicles().get(normalize_name(raw), raw)
            ev["missile_name"] = t
    if cls is None and name is not None:
        from ..flight.catalog import get_vehicle

        try:
            cls = get_vehicle(name).range_class
            ev["missile_class"] = f"catalog class of {name}"
        except KeyError:
            pass
    return cls, name, ev


def _to_km(value: str, unit: str) -> float:
    v = float(value.replace(",", ""))
    u = unit.lower()
    if u.startswith("naut") or u == "nmi":
        return v * KM_PER_NMI
    if u.startswith("mi"):
        return v * KM_PER_MILE
    return v


def _distances(t: str) -> list[tuple[str, float, re.Match]]:
    """Distance mentions in ``t`` classified as ("range"|"apogee"|"offset"|"other", km)."""
    out = []
    prev_end = 0
    for m in _DIST.finditer(t):
        km = _to_km(m.group(1), m.group(2))
        if m.group(3) and m.group(5).lower().startswith("k") and not m.group(2).lower() \
                .startswith("k"):
            km = _to_km(m.group(4), m.group(5))  # "435 miles (700 km)": the km figure
        elif not m.group(2).lower().startswith("k"):
            km = round(km)  # a converted figure: keep it as reported, to the km
        before = t[prev_end:m.start()]
        after = t[m.end():m.end() + 60]
        prev_end = m.end()
        kind = "other"
        if _OFFSET_AFTER.match(after):
            kind = "offset"
        elif re.match(r"\s*(?:in\s+)?(?:altitude|high|height|up)\b", after, re.I):
            kind = "apogee"
        else:
            a = max((x.end() for x in _APOGEE_KW.finditer(before)), default=-1)
            r = max((x.end() for x in _RANGE_KW.finditer(before)), default=-1)
            if a >= 0 or r >= 0:
                kind = "apogee" if a > r else "range"
        out.append((kind, km, m))
    return out


def _flight_time(t: str) -> float | None:
    for m in _FLIGHT_TIME.finditer(t):
        unit = m.group(3).lower()
        before = t[max(0, m.start() - 60):m.start()]
        if not _FLIGHT_KW.search(before) and not re.match(r"\s*(?:of\s+)?flight", t[m.end():]):
            continue
        if unit == "s" and not re.search(r"\bfor\s+$|\bfor\s+(?:about|some|around)\s+$",
                                         before):
            continue
        if re.match(r"\s*(?:later|after|ago|earlier)\b", t[m.end():], re.I):
            continue
        v = float(m.group(2).replace(",", ""))
        seconds = v * 60.0 if unit.startswith("m") else v
        if m.group(1):
            hours = _WORD_NUM.get(m.group(1).lower()) or int(m.group(1))
            seconds += hours * 3600.0
        return seconds
    m = re.search(r"\b(?:for\s+)?(?:about\s+|some\s+|around\s+)?(an?|one|\d+)\s+hours?\b", t,
                  re.I)
    if m and _FLIGHT_KW.search(t[max(0, m.start() - 60):m.start()]):
        return (_WORD_NUM.get(m.group(1).lower()) or int(m.group(1))) * 3600.0
    return None


def _landing(texts: list[str]):
    """(description, sea name for the heading, eez claim, eez country, evidence)."""
    sea = sea_txt = eez = eez_country = offset = None
    ev = ""
    for t in texts:
        if sea is None:
            for m in _seas().finditer(t):
                before = t[max(0, m.start() - 40):m.start()]
                if re.search(r"\b(?:into|in|toward|towards|to|over|off|across|of|within|"
                             r"waters)\s+(?:the\s+|its\s+|North Korea's\s+)?(?:waters\s+"
                             r"(?:of|off)\s+(?:the\s+)?)?$", before, re.I):
                    sea, sea_txt, ev = m.group(1), m.group(1), ev or t
                    break
        if sea is None and (m := re.search(r"\boff (?:its|the|North Korea's) (east|west)"
                                            r"(?:ern)? coast\b", t, re.I)):
            sea = "East Sea" if m.group(1).lower() == "east" else "West Sea"
            sea_txt, ev = m.group(), ev or t
        if eez is None and (m := _EEZ.search(t)):
            word = m.group(1).lower()
            inside = word in ("inside", "within", "in", "into")
            if _NEGATION.search(t[max(0, m.start() - 50):m.start()]):
                inside = not inside
            eez = "inside" if inside else "outside"
            who = (m.group(2) or "").strip()
            eez_country = re.sub(r"(?:'s|ese)$", "", who) or None
            ev = ev or t
        if offset is None:
            for kind, _km, m in _distances(t):
                if kind == "offset":
                    tail = re.match(r"[^,;.]*?(?:\b[A-Z][\w'-]*(?:[\s-]+[A-Z][\w'-]*)*)"
                                    r"(?:\s+(?:island|Island|peninsula|Peninsula|Prefecture|"
                                    r"prefecture))?", t[m.end():])
                    lead = re.search(r"(?:about|some|around|approximately|roughly)\s*$",
                                     t[:m.start()])
                    offset = ((lead.group() if lead else "") + m.group()
                              + (tail.group() if tail else "")).strip()
                    break
    parts = [p for p in (sea_txt,
                         f"{eez} {eez_country + chr(39) + 's ' if eez_country else ''}EEZ"
                         if eez else None, offset) if p]
    return ("; ".join(parts) or None), sea, eez or "unknown", eez_country, ev


def _context_zone(authority: str | None, outlet: str | None, lines: list[str]) -> str | None:
    head = " ".join(lines[:6])
    if re.search(r"\bTOKYO\b|\bTokyo\s*,", head) or authority == "Japan MoD":
        return "JST"
    if authority == "KCNA":
        return "Pyongyang time"
    if authority in ("ROK JCS",) or outlet == "Yonhap" or re.search(r"\bSEOUL\b", head):
        return "KST"
    return None


# -- the extractor ----------------------------------------------------------------------------
def extract(text: str) -> Extracted:
    """Extract the launch the text is about; raises :class:`NoLaunchError` if it has none."""
    raw = tx.normalize_text(text)
    raw_lines = raw.splitlines()
    lines = [_DATELINE.sub("", ln) for ln in tx.clean_lines(raw)]
    sents = tx.sentences([ln for ln in lines if ln.strip()])
    pub, dateline = _publication_date(raw_lines)
    first = _analyse(sents, None, pub)
    cands = [a for a in first if a.launch]
    if not cands:
        raise NoLaunchError("the text reports no missile launch")
    main = max(cands, key=lambda a: (_score(a, len(first)), -a.index))
    out = Extracted(published=pub, main_sentence=main.text)
    day, how = _event_date(main.text, pub, dateline)
    out.launch_date = day
    if day is not None:
        out.evidence["date"] = how
    analysed = _analyse(sents, day, pub)
    m2 = analysed[main.index]
    m2.background = [False] * len(m2.spans) if not any(
        not b for b in m2.background) else m2.background
    order = [m2] + [a for a in analysed if a.index != main.index]
    events = [a for a in order if not all(a.background)]

    # Who says it: the outlet carrying the text, the authority of the main sentence.
    head = "\n".join(raw_lines[:8])
    for name, pat in _OUTLET:
        if re.search(pat, head) or re.search(pat, main.text):
            out.outlet = name
            break
    statement_auth = None if out.outlet else _authority_in(head)
    figure_auth = next((a.authority for a in events
                        if a.authority and _DIST.search(a.event_text())), None)
    out.authority = (statement_auth or m2.authority or figure_auth or out.outlet)
    primary = out.authority

    def texts(pred=lambda a: True) -> list[str]:
        return [a.event_text() for a in events if pred(a)]

    def mine(a: _Sentence) -> bool:  # sentences attributed to the primary authority
        return out.outlet is None or a.authority in (None, primary) or a is m2

    zone = _context_zone(primary, out.outlet, lines)
    launchy = texts(lambda a: a is m2 or _LAUNCH_VERB.search(a.text) is not None)
    hhmm, off, label, ev = _launch_time(launchy, zone, day)
    out.launch_time_local, out.utc_offset, out.time_zone = hhmm, off, label
    if hhmm:
        out.evidence["launch_time"] = ev
    site, site_text, ev = _site(texts())
    out.site_text = site_text
    if site is not None:
        out.site, out.site_lat_deg, out.site_lon_deg = site.name, site.lat_deg, site.lon_deg
        out.evidence["site"] = ev
    out.n_missiles, ev = _count(launchy)
    if out.n_missiles is not None:
        out.evidence["n_missiles"] = ev
    out.missile_class, out.missile_name, ev2 = _class_and_name(texts())
    out.evidence.update(ev2)

    # Figures: the primary authority's first; another authority's differing figure is a claim.
    for a in events:
        t = a.event_text()
        mine_here = mine(a)
        for kind, km, _ in _distances(t):
            if kind not in ("range", "apogee"):
                continue
            key = f"{kind}_km"
            if mine_here and getattr(out, key) is None:
                setattr(out, key, km)
                out.evidence[key] = a.text
            elif not mine_here:
                out.other_claims.append({"field": key, "value": km, "authority": a.authority,
                                         "sentence": a.text})
        ft = _flight_time(t)
        if ft is not None:
            if mine_here and out.flight_time_s is None:
                out.flight_time_s = ft
                out.evidence["flight_time_s"] = a.text
            elif not mine_here:
                out.other_claims.append({"field": "flight_time_s", "value": ft,
                                         "authority": a.authority, "sentence": a.text})
    area, sea, eez, eez_country, ev = _landing(texts(mine))
    _, _, other_eez, other_country, _ = _landing(texts(lambda a: not mine(a)))
    if other_eez != "unknown":
        who = next(a.authority for a in events if not mine(a) and _EEZ.search(a.event_text()))
        out.other_claims.append({"field": "eez_claim", "value": other_eez, "authority": who,
                                 "eez_country": other_country, "sentence": ""})
    out.landing_area, out.sea_area, out.eez_claim, out.eez_country = area, sea, eez, eez_country
    if area:
        out.evidence["landing_area"] = ev
    out.missing = [f for f in FIELDS if _absent(out, f)]
    return out


def _absent(e: Extracted, f: str) -> bool:
    value = {"date": e.launch_date, "launch_time": e.launch_time_local, "site": e.site,
             "eez_claim": None if e.eez_claim == "unknown" else e.eez_claim}.get(
        f, getattr(e, f, None))
    return value is None
