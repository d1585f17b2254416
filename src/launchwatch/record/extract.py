"""Rule-based extraction of a launch report from an English statement or news article.

Method (no models, nothing downloaded; every rule is general, none is written for one text):

1. **Structure** (:mod:`.text`): the page is cut at its first end-of-article marker (related
   links, comments, copyright); navigation, captions, credit lines and scraper stamps
   ("DATE: 2024-10-10 21:46:42") are never read for dates or figures. The *header zone* is
   the lines before the first body sentence.
2. **Anchor date**: the dateline ("SEOUL, Nov. 29 (Yonhap) --", "TOKYO, November 19. /TASS/.",
   "Seoul [South Korea], March 10 (ANI):") and the publication date (a full date in the header
   zone, a standalone date line, "Posted On June 22, 2016", or ``published=`` from the
   caller). A dateline without a year takes the publication year; without either, a year is
   inferred only when the text's month, day and weekday fit exactly one year in 2016-2025.
3. **Sentences and roles**: every sentence is split into clauses; a clause is *background*
   when it names another year, another month or date, a past marker ("last year",
   "previously", "In February, ..."), or a weekday that is not the event's. A *launch
   sentence* has a finite launch verb (fired, launched, test-fired, "conducted a ... test")
   and a missile noun in a clause that is not background, hypothetical or negated. No launch
   sentence (a parade, a sanctions vote, an imagery analysis): :class:`NoLaunchError`.
4. **Event date** from the main launch sentence (or the first other launch sentence with a
   day cue): an explicit date, "yesterday" / "a day earlier" / "the previous day", a weekday
   (the latest such day on or before the anchor; a weekday after "said"/"reported" is the
   day of the report, not of the launch), "today"; else the anchor itself, marked inferred.
5. **Fields**, from event clauses only: launch times in launch clauses (the earliest is the
   first missile's; impact, alarm, meeting and posting times are not launch times; "4:35 and
   4:38 p.m." share the p.m.), times given only in GMT/UTC converted with the context's
   zone; counts ("at least 10", "two", "the second in the day"); distances attached to the
   right quantity by the nearest keyword or by a "respectively" construction, spans
   ("from about 110 to 670 km"), spelled-out and hyphenated numbers, miles alone converted
   (x1.609344, one decimal), offsets ("167 km northwest of Ulleungdo"), capabilities ("has
   a range of", "could have flown") and target definitions set aside; flight time; EEZ
   wording (inside/within/into/outside, "economic exclusive zone", negations); site (catalog
   names and aliases, else the place after "from/near/around"); missile name and kind.
6. **Attribution**: each sentence's authority (the speaker it quotes, else the previous
   sentence's); the report's authority is the one whose figures come first (failing figures,
   whose account of the launch comes first). Figures another authority gives differently are
   kept in ``other_claims``; launches in background sentences with their own date are offered
   in ``other_events`` (never merged).

Every field carries evidence: the sentence, its offsets in the cleaned text, whether the value
was stated or inferred, and a confidence (0-1).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import overload
from zoneinfo import ZoneInfo

from . import text as tx

#: Field names that can appear in ``Extracted.missing``.
FIELDS = (
    "date",
    "launch_time",
    "site",
    "n_missiles",
    "missile_class",
    "missile_name",
    "range_km",
    "apogee_km",
    "flight_time_s",
    "landing_area",
    "eez_claim",
    "authority",
)

KM_PER_MILE = 1.609344
KM_PER_NMI = 1.852
#: Years a launch date without a year may be inferred in (month, day and weekday must fit one).
YEARS = range(2016, 2031)


#: The speaker of an analyst's, expert's or researcher's estimate (not an official source): its
#: figures stay in ``other_claims`` and never decide the report's authority.
ANALYST = "analyst"


class NoLaunchError(ValueError):
    """The text reports no (current) missile launch."""


@dataclass
class Extracted:
    """What one text says about the launch it is about. Units: km, s; local clock time
    ``HH:MM`` with its UTC offset ``+HH:MM``; ``None`` = not found (listed in ``missing``).

    ``spans`` holds stated spans (``{"range_km": (110, 670)}``; the scalar is then ``None``);
    ``evidence`` maps a field to ``{"sentence", "start", "end", "stated", "confidence",
    "basis"}`` (offsets into the cleaned text); ``launch_times`` are all launch clock times of
    this event in order; ``other_events`` are older launches the text mentions."""

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
    missile_text: str | None = None  # the kind as written ("short-range ballistic missile")
    missile_name_text: str | None = None  # the name as written ("Hwasongpho-17")
    range_km: float | None = None
    apogee_km: float | None = None
    flight_time_s: float | None = None
    landing_area: str | None = None
    #: the part of the sentence that says where it fell, as written ("fell about 200 km west
    #: of Oshima-Oshima, Hokkaido, inside Japan's EEZ"): what the reconstruction reads the
    #: landing point from (:func:`launchwatch.flight.landing.parse_landing`)
    landing_text: str | None = None
    sea_area: str | None = None  # a name bearing_toward() knows, for the heading
    eez_claim: str = "unknown"  # inside | outside | unknown
    eez_country: str | None = None
    authority: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    date_inferred: bool = False
    year_inferred: bool = False
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: figures stated as bounds, not values: ``{"range_km": "lower"}`` for "more than 1,000
    #: km", ``"upper"`` for "up to 500 km" / "less than 500 km"; likewise flight times
    #: (``{"flight_time_s": "lower"}`` for "flew for more than 70 minutes")
    bounds: dict[str, str] = field(default_factory=dict)
    #: half the rounding (km, s) of figures whose value does not show it: distances written in
    #: miles or nautical miles (``{"range_km": 80.5}`` for "about 600 miles"), flight times
    #: in whole hours (``{"flight_time_s": 450.0}`` for "about an hour")
    precision: dict[str, float] = field(default_factory=dict)
    #: who gave each figure, where it is not the report's own authority's
    figure_authority: dict[str, str | None] = field(default_factory=dict)
    launch_times: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    main_sentence: str = ""
    evidence: dict[str, dict] = field(default_factory=dict)
    other_claims: list[dict] = field(default_factory=list)
    other_events: list[dict] = field(default_factory=list)
    #: one entry per missile where the text gives missile-by-missile figures or times
    #: (``[{"launch_time_local": "05:34", "range_km": 430.0, "apogee_km": None}, ...]``,
    #: in the text's order; a key is ``None`` where the text gives it for one missile only)
    missiles: list[dict] = field(default_factory=list)

    def reported(self) -> dict:
        """The extracted fields as JSON-ready values (dates as ISO strings)."""
        d = asdict(self)
        for k in ("launch_date", "published"):
            d[k] = d[k].isoformat() if d[k] else None
        d["spans"] = {k: list(v) for k, v in self.spans.items()}
        return d


# -- vocabulary -------------------------------------------------------------------------------
_MISSILE = re.compile(
    r"\b(?:missiles?|ICBMs?|SRBMs?|IRBMs?|MRBMs?|SLBMs?|Hwasong\w*|KN-?\d+|"
    r"projectiles?|rockets?(?! launch (?:site|station|pad))|Musudan|Rodong|"
    r"Nodong|Scuds?|Pukguksong\w*|warheads?)\b",
    re.I,
)
_FINITE = (
    r"(?:(?:test|re)[- ]?)?(?:fired|launched)|test[- ]?fire[sd]|test[- ]?launch(?:ed|es)|"
    r"shot|lifted off|blasted off|tested(?=[^.;]{0,60}\b(?:missiles?|ICBMs?|rockets?|"
    r"projectiles?)\b|\s+(?:the\s+|a\s+|an\s+|its\s+)?(?:new\s+)?(?:Hwasong|Pukguksong|KN-?\d))|"
    r"launch(?:es)? of (?:a|an|two|three|four|multiple|several|\d+)\b|"
    r"launch of the (?:\w+ ){0,2}?(?:Hwasong|Pukguksong|KN-?\d)|"
    r"(?:conducted|staged|carried out)\b[^.;]{0,70}?\b(?:test|launch|firing|test-fire|"
    r"drill)s?\b|(?:test-fire|test-launch|launch|firing|test)\b[^.;]{0,80}?\b(?:was|were) "
    r"(?:conducted|carried out|staged)\b"
)
_PRESENT = r"(?:fires|launches|test-fires|fire|launch)"
_SUBJECT = r"(?:North Korea|N\.\s?Korea|NKorea|Pyongyang|DPRK|the North|Kim)"
_LAUNCH_VERB = re.compile(rf"\b(?:{_FINITE})\b|\b{_SUBJECT}\s+(?:\w+\s+)?{_PRESENT}\b", re.I)
_BACKGROUND = re.compile(
    r"\blast (?:year|month|week|time)\b|\bearlier this (?:year|month)\b|"
    r"\bprevious(?:ly)?\b(?! day\b)|"
    r"\b(?:came|comes|coming)\s+(?:\w+\s+){0,3}?(?:after|since)\b|"
    r"\bago\b|\bin the past\b|\b(?:\d+|one|two|three|four|five|six|seven|ten|a few|several) "
    r"(?:days?|weeks?|months?) (?:after|before|earlier|later)\b|"
    r"\bprior\b|\bso far this year\b|\bin (?:19|20)\d\d\b|\bthe year before\b|"
    r"\bhistory\b|\bfirst (?:time|launch|test) in\b|\blast (?:fired|launched|tested)\b|"
    r"\bthe last (?:one|launch|test|time)\b|\bin recent (?:months|weeks|years)\b|"
    # an earlier launch by its owner ("its last test", "the North's last ICBM", "the last such
    # launch"); "the last missile" alone may be the last of this salvo
    r"\b(?:its|their|the North's|North Korea's|Pyongyang's)\s+(?:last|prior)\s+(?:such\s+)?"
    r"(?:[\w-]+\s+)?(?:tests?|launch(?:es)?|flights?|firings?|ICBMs?|IRBMs?|SRBMs?|missiles?|"
    r"one)\b|\bthe last such\b|"
    r"\bthis year\b|\bearlier (?:this|in the)\b(?! day)",
    re.I,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:would|could|may|might|will|if|plans? to|planned|threat(?:en)?s?|warned|capable|"
    r"ready to|preparations?|expected to|intends? to|designed to|(?<!\bwas )(?<!\bwere )able to|"
    r"can)\b",
    re.I,
)
_NOT_LAUNCH = re.compile(
    r"\b(?:no|not|never|without|did not|didn't|has not|hasn't|yet to)\b"
    r"[^.]{0,30}\b(?:fire|launch)",
    re.I,
)
_NON_LAUNCH_TOPIC = re.compile(
    r"\b(?:parade|unveil(?:ed|s)?|sanctions?|resolution|veto(?:ed)?|vote[ds]?|satellite "
    r"(?:images?|imagery|photos?|pictures?)|imagery|shrine|rebuild(?:ing)?|showcas\w+)\b",
    re.I,
)

_CLASS = (
    ("ICBM", r"intercontinental|\bICBMs?\b"),
    ("IRBM", r"intermediate[- ]range|\bIRBMs?\b|mid(?:dle)?[- ]range|medium[- ]long"),
    ("MRBM", r"medium[- ]range|\bMRBMs?\b"),
    ("SLBM", r"submarine[- ]launched|\bSLBMs?\b"),
    ("SRBM", r"short[- ]range|close[- ]range|\bSRBMs?\b|\bCRBMs?\b"),
)
_NAME = re.compile(
    r"\b(Hwasong(?:pho)?[- ]?\d+(?:[A-Za-z]{1,2})?(?:-?Da-?\d(?:\.\d)?)?|KN-?\d+(?=s?\b)|"
    r"Pukguksong-?\d+\w*|Haeil-?[\w-]*|Chollima-?\d+|Musudan|Rodong(?! Sinmun)|Nodong|"
    r"Scud(?:[- ](?:type|class|series))?|Iskander|super-large multiple rocket launchers?|"
    r"(?:600 ?mm )?super-large (?:multiple )?rocket launchers?|hypersonic missile|"
    r"tactical guided missiles?)\b",
    re.I,
)
_KIND = re.compile(
    r"\b((?:(?:suspected|presumed|new|new-type|unidentified|solid[- ]fuel(?:ed|led)?|"
    r"intermediate[- ]range|short[- ]range|long[- ]range|medium[- ]range|mid[- ]range|"
    r"close[- ]range|submarine[- ]launched|intercontinental|hypersonic|tactical|"
    r"sea[- ]based)[\s-]+)*(?:ballistic missiles?|guided missiles?|ICBMs?|SRBMs?|IRBMs?|"
    r"SLBMs?|MRBMs?))\b",
    re.I,
)

_AUTHORITY = (
    (
        "ROK JCS",
        r"Joint Chiefs|\bJCS\b|South Korea(?:'s|n)\s+(?:\w+\s+)?(?:military|army|"
        r"defen[cs]e|officials?|government|Defense Ministry|Ministry of National)|"
        r"Seoul's military|military in Seoul|(?<!People's )Republic of Korea(?:'s)?\s+"
        r"(?:\w+\s+)?(?:military|army|defen[cs]e|officials?|Joint Chiefs)|\bROK military|"
        r"Seoul said|South Korea said|"
        r"South Korean and (?:U\.?S\.?|Japanese)|South Korea's Office|"
        r"according to (?:the )?U\.?S\.? and South Korea|"
        r"South Korean(?:,| and)[^.]{0,40}\b(?:governments|officials|militaries)",
    ),
    (
        "Japan MoD",
        r"Japan(?:'s|ese)?\s+(?:\w+\s+)?(?:Defen[cs]e Ministry|Ministry of Defen[cs]e|"
        r"defen[cs]e (?:minist(?:er|ry)|chief|official)|Joint Staff)|"
        r"Ministry of Defen[cs]e of Japan|Japanese (?:\w+\s+)?Defen[cs]e Minister|"
        r"Japan's Self-Defense Forces|(?:^|\.\s)(?:The|the) (?:Japanese )?"
        r"(?:defen[cs]e )?ministry (?:said|says|estimates|added)|According to the "
        r"ministry|^\s*Ministry of Defen[cs]e\s*$|Defen[cs]e Minister (?:Gen "
        r"Nakatani|Tomomi Inada|Taro Kono|Nobuo Kishi|Yasukazu Hamada|Minoru Kihara|"
        r"Itsunori Onodera)|\b(?:Hamada|Nakatani|Kishi|Kono|Inada|Onodera|Kihara)\s+(?:said|says|"
        r"told|noted|added|announced)\b|"
        r"Defen[cs]e Minister Nakatani|Nakatani Gen\b|Tokyo's (?i:defen[cs]e minist(?:er|ry))",
    ),
    ("Japan Coast Guard", r"Japan(?:'s|ese)? [Cc]oast [Gg]uard"),
    (
        "Japan government",
        r"Japan(?:'s|ese)? (?:\w+ )?(?:government|Prime Minister|PM|Chief "
        r"Cabinet Secretary|government spokesman|top government spokesman)|"
        r"Japan(?:'s|ese)? (?i:chief cabinet secretary|prime minister)|"
        r"Government of Japan|Chief Cabinet Secretary|Prime Minister "
        r"(?:Shinzo Abe|Fumio Kishida|Kishida|Abe|Yoshihide Suga|Shigeru "
        r"Ishiba|Sanae Takaichi)|PM Abe|government in Tokyo|Tokyo said|"
        r"Prime Minister's Office of Japan|Japanese government",
    ),
    (
        "Japanese media",
        r"\bNHK\b|\bTBS\b|Japanese (?:media|public broadcaster|broadcaster)|"
        r"All (?:TV )?networks|TV Asahi",
    ),
    (
        "KCNA",
        r"\bKCNA\b|Korean Central News Agency|North Korea(?:'s|n) state media|state media|"
        r"state-run (?:media|TV|television|news)|Rodong Sinmun|KCTV|Korean Central "
        r"Television|Missile Administration|Academy of Defen[cs]e Science|North Korea "
        r"(?:said|says|announced|confirmed|claimed)|the North (?:said|says|announced|"
        r"claimed)|North's (?:official|state)|North Korea claims|Pyongyang (?:said|says|"
        r"announced|claimed|claims)\b|[Tt]he regime (?:said|says|added|claimed|claims)\b",
    ),
    ("DPRK MND", r"Ministry of National Defen[cs]e of the (?:DPRK|Democratic)"),
    (
        "US INDOPACOM",
        r"Indo-Pacific Command|INDOPACOM|Pacific Command|U\.?S\.? (?:military(?! (?:facilit|"
        r"bases?\b|installations?\b|targets?\b|personnel\b|assets\b|presence\b|forces\b))|"
        r"official|Strategic Command)|Pentagon",
    ),
    ("UN Secretary-General", r"Secretary-General"),
    # not an authority: a commentator's estimate is kept apart from the officials' figures
    (
        ANALYST,
        r"(?i:\b(?:analysts?|experts?|professor|researchers?|scholars?|think[- ]tank|"
        r"commentators?|observers?)\b)",
    ),
)
_OUTLET = (
    ("Reuters", r"\(Reuters\)|\bReuters\b"),
    ("AP", r"\(AP\)|Associated Press"),
    ("Yonhap", r"\(Yonhap\)|Yonhap News|\bYonhap\b"),
    ("AFP", r"\(AFP\)|\bAFP\b|Agence France-Presse"),
    ("Kyodo", r"\bKyodo\b"),
    ("NHK", r"\bNHK\b"),
    ("Jiji", r"Jiji Press"),
    ("TASS", r"/TASS/|\bTASS\b"),
    ("UPI", r"\(UPI\)"),
    ("EFE", r"\bEFE\b"),
    ("IANS", r"\(IANS\)"),
    ("ANI", r"\(ANI\)"),
)

_WORD_NUM = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "zero": 0,
}
_ORDINAL = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_COUNT = re.compile(
    r"\b(?:(at least|over|more than|a total of|up to|about|some|around|nearly)\s+)?"
    r"(?<![\w-])(a|an|one|single|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"several|multiple|\d{1,2})\s+((?:[\w'\"-]+\s+){0,5}?)(?:ballistic\s+)?(missiles?|ICBMs?|SRBMs?|"
    r"IRBMs?|MRBMs?|SLBMs?|CRBMs?|projectiles?|rockets?)\b(?!\s+(?:tests?|launches|launch "
    r"events|sites?))",
    re.I,
)
_EEZ = re.compile(
    r"\b(?P<prep>inside|within|in|into|outside|out of|beyond|enter(?:ed)?|reach(?:ed|ing)?)\s+"
    r"(?:of\s+)?(?:(?:the\s+)?waters?\s+(?:belonging to|of|that)\s+)?(?:the\s+)?"
    r"(?P<who>(?:Japan|Japanese|South Korea|Korea|Russia|China|the country|its|his country|"
    r"Tokyo)(?:'s|ese)?\s+)?(?:(?:maritime|territory or its|territory or)\s+)*"
    r"(?:(?:exclusive|exclusive economic|economic exclusive|economic exclusion)\s+)"
    r"(?:economic\s+)?zones?|\b(?P<prep2>inside|within|in|into|outside|out of|beyond|"
    r"enter(?:ed)?)\s+(?:of\s+)?(?:the\s+)?(?P<who2>(?:Japan|Japanese|the country|its)"
    r"(?:'s|ese)?\s+)?EEZs?\b|\b(?P<prep3>in|into)\s+waters that (?P<who3>Japan) claims as "
    r"its exclusive economic zone",
    re.I,
)
_EEZ_ZONE_BACKREF = re.compile(r"\b(?P<prep>inside|within|outside|out of)\s+the zone\b", re.I)
_NEGATION = re.compile(
    r"\b(?:not|no|didn't|did not|never|neither|nor|hasn't|has not|wasn't)\b"
    r"[^.]{0,60}$",
    re.I,
)

_NUM = r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"  # not the tail of "1e9"
_UNIT = r"(km|kms|kilomet(?:er|re)s?|nautical miles?|nmi|miles?|mi)\b"
_APPROX = (
    r"(?:about|some|around|approximately|approx\.?|roughly|nearly|over|more than|"
    r"up to|at least|almost|less than|under)"
)
_DIST = re.compile(
    rf"{_NUM}(?:\s*(?:-|to|and)\s*{_APPROX}?\s*{_NUM})?\s*-?\s*{_UNIT}"
    rf"(\s*\(\s*{_APPROX}?\s*{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*-?\s*{_UNIT}\s*\))?",
    re.I,
)
_SPAN_FROM = re.compile(
    rf"(?:\b(?:from|between)\s+{_APPROX}?\s*{_NUM}\s*(?:{_UNIT})?\s*(?:to|and)|"
    rf"{_APPROX}?\s*{_NUM}\s*{_UNIT}\s*to)\s+{_APPROX}?\s*{_NUM}\s*{_UNIT}",
    re.I,
)
_APOGEE_KW = re.compile(r"altitude|apogee|height|peak|heights|\bhigh\b", re.I)
_RANGE_KW = re.compile(
    r"\bfl(?:ew|ying|own|y|ight of|ight distance)\b|travel|\brange\b|distance|"
    r"covered|\bcover\b|\bgoing\b|\bdownrange\b|in the air|hovered|"
    r"\bradius\b|\btarget\b|\bafter flying\b|\bairborne\b",
    re.I,
)
_CAPABILITY = re.compile(
    r"(?:\b(?:has|have) an? (?:\w+ )?range\b|\brange (?:is|of up to)\b|\bcapable\b|\bcould\b|"
    r"\bcan\b|\bwith an? (?:\w+ )?range of\b|\bbelieved to (?:fly|travel|reach)\b|"
    r"\b(?:fly|travel|reach|strike|hit)\s+(?:targets?\s+)?(?:as far (?:away )?as|up to)\b|"
    r"\bwould\b|\bdesigned\b|\bpotential\b|\bif (?:launched|fired)\b|\bstandard trajectory\b|"
    r"\brequired to\b|\bconsidered\b|\ballegedly\b|(?<!at the )\bmaximum range of\b|"
    r"(?<!at the )\bminimum range\b|(?<!at the )\bmedium range of\b|\blateral\b|"
    r"\bfull touted\b|\bextends?\b|\breaches to\b|"
    r"\bwithin \d+\b|(?<!\bwas )(?<!\bwere )\bable to\b|"
    r"\bup to \S+ (?:km|kilomet)\w* (?:away )?from\b)",
    re.I,
)
#: a past verb of this flight ("flew", "traveled", "reached"): what stands before it in the
#: sentence ("The missile, designed to fly on a lofted trajectory, flew about 933 km") does not
#: make the figure after it a capability; "could have flown" is no such verb
_PAST_FLIGHT = re.compile(
    r"(?<!\bhave )(?<!\bhas )\b(?:flew|travell?ed|covered|reached|climbed|rose|soared)\b", re.I
)
#: a distance between places before its figure ("Washington, which is 6,850 miles from
#: Pyongyang"): searched in the figure's clause
_BETWEEN_PLACES = re.compile(r"\b(?:is|are|lies)\s+(?:about\s+|some\s+|around\s+)?$")
#: a class threshold after its figure ("a range of 5,500 km or more is an ICBM")
_THRESHOLD_AFTER = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:or (?:more|longer|above|greater)|and (?:above|beyond|over))\s+"
    r"(?:is|are)\b",
    re.I,
)
_OFFSET_AFTER = re.compile(
    r"^\s*(?:\)\s*)?(?:to the\s+)?((?:north|south)?-?(?:east|west)?(?:north|south)?(?:ward)?)"
    r"\s+of\s+|^\s*(?:\)\s*)?off\s+|^\s*(?:\)\s*)?(?:away\s+)?from\s+(?:the\s+|its\s+|Japan)|"
    r"^\s*(?:\)\s*)?(?:north|south|east|west)\w*\s+of\b",
    re.I,
)
#: A flight time.  It does not start inside a run of digits unless the run ends within three
#: digits ("1234,567" is read from "234"): a later start in a long run finds nothing its first
#: digit does not, and trying each one would cost the square of the run's length.
_FLIGHT_TIME = re.compile(
    r"(?:(?<!\d)|(?!\d)|(?=\d{1,3}(?!\d)))"
    r"(?:(\d+|an?|one)\s*(?:hours?|hrs?)\s*,?\s*(?:and\s*)?)?(\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+)"
    r"\s*-?\s*(minutes?|mins?|seconds?|secs?|s)\b",
    re.I,
)
_FLIGHT_KW = re.compile(
    r"\bfl(?:ew|ight|ying|own)\b|airborne|in the air|\bfor\b|travel|"
    r"\blasted\b|\btrajectory\b",
    re.I,
)
_TIME = re.compile(
    r"(?<![\d,.:])(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?|am\b|pm\b|AM\b|PM\b)?"
    r"(?![\d,]|\.\d)(?:\s*(?:\(|,)?\s*(KST|JST|GMT|UTC|local time|Korea(?:n)? (?:Standard )?time"
    r"|Seoul time|Japan (?:Standard )?time|Japan time|Tokyo time|Pyongyang time)\b)?",
    re.I,
)
_HHMM_UTC = re.compile(r"(?<![\d:])(\d{2}):?(\d{2})\s*(GMT|UTC)\b(?!\s*\))")
_NOT_LAUNCH_TIME = re.compile(
    r"\b(?:fell|fallen|land(?:ed|ing|s)?|splash\w*|impact|came down|alarm|alert|warning|J-Alert|"
    r"meeting|convened|NSC|council|post(?:ed)?\b|tweet\w*|updated|published|press "
    r"(?:conference|briefing)|text message|at noon|disappeared|passed over|flew over|"
    r"told reporters|ordered|notified|instruct\w*|expected|said at)\b",
    re.I,
)
_DATELINE = re.compile(
    rf"^\s*(?P<city>[A-Z][A-Za-z.]*(?:[ /-]+[A-Z][A-Za-z.]*){{0,3}})(?:\s*\[[^\]]*\])?\s*,\s*"
    rf"(?P<date>{tx.MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+{tx.MONTH})"
    rf"\.?(?:,\s*(?P<year>\d{{4}}))?\s*(?:[.,]\s*)?(?:\([^)]{{1,40}}\)|/[A-Z]+/\.?|,?\s*[A-Z]"
    rf"[A-Za-z ]{{1,20}}\b)?\s*(?:--|-|:|\.)?\s*"
)
_DATELINE_PAREN = re.compile(
    r"^\s*[A-Z][A-Za-z.]*(?:[ /-][A-Z][A-Za-z.]*){0,3}\s*\((?P<inner>[^)]{1,60})\)\s*"
    r"(?:-|--|:)?\s*"
)


@cache
def _sites() -> tuple[re.Pattern, dict]:
    from ..flight.catalog import load_sites, normalize_name

    sites = load_sites()
    index = {normalize_name(a): s for s in sites.values() for a in (s.name, *s.aliases)}
    names = sorted({a for s in sites.values() for a in (s.name, *s.aliases)}, key=len, reverse=True)
    alt = "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in names)
    return re.compile(rf"(?<![\w-])({alt})(?![\w-])", re.I), index


@cache
def _seas() -> re.Pattern:
    from ..flight.sea_areas import sea_area_names

    names = sorted(set(sea_area_names()), key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<!Indo-)(?<!Indo )\b({alt})\b", re.I)


@cache
def _vehicles() -> dict:
    from ..flight.catalog import load_vehicles, normalize_name

    return {
        normalize_name(a): v.name for v in load_vehicles().values() for a in (v.name, *v.aliases)
    }


# -- spelled-out numbers ----------------------------------------------------------------------
_SMALL = {k: v for k, v in _WORD_NUM.items() if k not in ("a", "an", "single")}
_NUMWORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|point|\d+)"
)
#: The most digits a number word may have: more is no quantity (a float ends near 1e308).
_MAX_DIGITS = 310


def words_to_number(s: str) -> float | None:
    """ "four-thousand-15" -> 4015, "five hundred and fifty" -> 550, "one-point-five" -> 1.5,
    "six" -> 6; ``None`` if ``s`` holds no number word (plain digits are left alone)."""
    toks = [t for t in re.split(r"[\s-]+", s.lower()) if t and t != "and"]
    if not toks or all(t.isdigit() for t in toks):
        return None
    if any(len(t) > _MAX_DIGITS for t in toks):
        return None  # no quantity (and more digits than ``int`` reads from a string)
    total, cur, frac, in_frac = 0.0, 0.0, "", False
    for t in toks:
        if t == "point":
            in_frac = True
        elif in_frac:
            frac += str(int(_SMALL.get(t, t))) if (t in _SMALL or t.isdigit()) else ""
        elif t == "hundred":
            cur = (cur or 1) * 100
        elif t == "thousand":
            total += (cur or 1) * 1000
            cur = 0
        elif t.isdigit():
            cur += int(t)
        elif t in _SMALL:
            cur += _SMALL[t]
        else:
            return None
    value = total + cur
    return value + (float(f"0.{frac}") if frac else 0.0)


#: A run of number words ("five hundred and fifty", "four-thousand-15"): each word whole, the
#: run as long as it goes (possessive: a shorter run cannot end before a unit, since no
#: number word is a unit); a quantity when :data:`_UNIT_AHEAD` follows it.
_NUMWORD_RUN = re.compile(rf"\b{_NUMWORD}\b(?:(?:\s+and\s+|[\s-]+){_NUMWORD}\b)*+", re.I)
_UNIT_AHEAD = re.compile(
    r"\s*-?\s*(?:km|kilomet\w*|miles?|minutes?|seconds?|hours?|met(?:er|re)s?)\b", re.I
)


def _digits(s: str) -> str:
    """``s`` with spelled-out quantities before a unit written in digits, in one pass: each
    run of number words is read once, and it is a quantity when a unit follows it; a run that
    is not is never read again from a later word (a regex substitution of the run followed
    by a unit would be, costing the square of the run's length)."""
    out: list[str] = []
    last = 0
    for m in _NUMWORD_RUN.finditer(s):
        if not _UNIT_AHEAD.match(s, m.end()):
            continue
        v = words_to_number(m.group())
        if v is None:
            continue
        out += [s[last : m.start()], f"{v:g}"]
        last = m.end()
    if not out:
        return s
    out.append(s[last:])
    return "".join(out)


# -- the document -----------------------------------------------------------------------------
@dataclass
class _Sentence:
    index: int
    text: str
    start: int  # offset in the cleaned text
    headline: bool
    spans: list[tuple[int, int]]
    authority: str | None = None
    said_by: str | None = None  # authority named in this very sentence
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

    def evidence(self, stated: bool = True, confidence: float = 0.8, basis: str = "") -> dict:
        return {
            "sentence": self.text,
            "start": self.start,
            "end": self.start + len(self.text),
            "stated": stated,
            "confidence": confidence,
            "basis": basis,
        }


@dataclass
class _Doc:
    text: str  # the cleaned text the offsets refer to
    lines: list[tuple[int, str, bool]]  # (offset, line, noise)
    header_end: int  # index of the first body line
    dateline: tuple[int, int, tx.DateMention] | None  # (line index, prefix length, date)


def _is_body(line: str) -> bool:
    n = len(line.split())
    return n >= 14 or (n >= 8 and bool(re.search(r"[.!?][\"')]?$", line)))


def _prepare(text: str) -> _Doc:
    raw = tx.normalize_text(text)
    raw = re.sub(r"(\b\d{4})(?=[A-Z][a-z])", r"\1 ", raw)  # "September 19, 2024North Korea"
    raw = re.sub(rf"([a-z])(\d{{1,2}} {tx.MONTH} \d{{4}})", r"\1 \2", raw)  # "Wilkinson24 August"
    raw_lines = [re.sub(r"\s+", " ", ln).strip() for ln in raw.splitlines()]
    joined: list[str] = []
    # a sentence broken over lines: the pieces of the line being joined and its word count
    # (kept as it grows: re-reading the joined line at every piece costs the square of it)
    cur: list[str] = []
    cur_words = 0
    for ln in raw_lines:
        if (
            cur
            and ln
            and cur[0]
            and re.match(r"[a-z]", ln)
            and not re.search(r"[.!?:\"]$", cur[-1])
            and cur_words >= 5
        ):
            cur.append(" " + ln)
            cur_words += len(ln.split())
        else:
            if cur:
                joined.append("".join(cur))
            cur, cur_words = [ln], len(ln.split())
    if cur:
        joined.append("".join(cur))
    raw_lines = tx.strip_tail([ln for ln in joined if ln])
    lines, pos = [], 0
    parts = []
    for ln in raw_lines:
        noise = bool(tx.SCRAPER_STAMP.match(ln)) or tx.is_noise(ln)
        lines.append((pos, ln, noise))
        parts.append(ln)
        pos += len(ln) + 1
    cleaned = "\n".join(parts)
    header_end = next(
        (i for i, (_, ln, noise) in enumerate(lines) if not noise and _is_body(ln)), len(lines)
    )
    dateline = None
    for i, (_, ln, _noise) in enumerate(lines[: header_end + 3]):
        if tx.SCRAPER_STAMP.match(ln):
            continue
        m = _DATELINE.match(ln)
        if m and not re.match(r"\s*(?:Published|Posted|Updated)\b", ln, re.I):
            d = tx.find_dates(m.group("date") + (f", {m.group('year')}" if m.group("year") else ""))
            if d:
                dateline = (i, m.end(), d[0])
                break
        m = _DATELINE_PAREN.match(ln)
        if m and (d := [x for x in tx.find_dates(m.group("inner")) if x.month]):
            dateline = (i, m.end(), d[0])
            break
    return _Doc(cleaned, lines, header_end, dateline)


def _publication_date(doc: _Doc, published: dt.date | None) -> tuple[dt.date | None, str]:
    """The publication date: given, else a full date in the header zone, the dateline (with a
    year) or a standalone date line; captions and scraper stamps are never read."""
    if published is not None:
        return published, "given"
    for i, (_, ln, _noise) in enumerate(doc.lines):
        if tx.SCRAPER_STAMP.match(ln) or tx.CAPTION.search(ln):
            continue
        in_header = i < doc.header_end
        full = [d for d in tx.find_dates(ln) if d.year is not None and d.month is not None]
        if not full:
            continue
        pieces, last = [], 0  # the line with its dates blanked (one pass, not one per date)
        for d in full:
            a = max(last, d.start)
            pieces += [ln[last:a], " " * (max(d.end, a) - a)]
            last = max(last, d.end)
        rest = "".join(pieces) + ln[last:]
        rest = re.sub(
            r"\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?|\b(?:Posted|"
            r"Published|Updated|On|At|By|In|KST|JST|GMT|EDT|EST|ET|IST|Mon|Tue|Wed|"
            r"Thu|Fri|Sat|Sun)\b|[^A-Za-z]+",
            " ",
            rest,
        )
        standalone = len(rest.split()) <= 4
        lead_date = i == doc.header_end and full[0].start == 0
        if in_header or standalone or lead_date or (doc.dateline and doc.dateline[0] == i):
            r = full[0].resolve(None)
            if r is not None:
                return r, "header date" if in_header else "date line"
    return None, ""


_INITIAL_END = re.compile(r"\b[A-Z]\.$|\b(?:No|Nos)\.$")


def _sentence_spans(line: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(
        r"[.!?](?=[\"')\]]?\s+(?:[\"'(\[]?[A-Z0-9]))|(?<=[a-z)])\.(?=[A-Z][a-z])", line
    ):
        if tx.tail_search(tx.ABBREV, line, m.end(), tx.ABBREV_REACH, start) or tx.tail_search(
            _INITIAL_END, line, m.end(), tx.ABBREV_REACH, start
        ):
            continue
        chunk = line[start : m.end()]
        if chunk.strip():
            out.append((start, m.end()))
        start = m.end()
    if line[start:].strip():
        out.append((start, len(line)))
    return out


def _sentences(doc: _Doc) -> list[_Sentence]:
    out: list[_Sentence] = []
    for i, (off, ln, noise) in enumerate(doc.lines):
        if noise:
            continue
        if doc.dateline and doc.dateline[0] == i:
            cut = doc.dateline[1]
            ln = " " * cut + ln[cut:]
        headline = not _is_body(ln) and not re.search(r"[.!?]\s*$", ln)
        for a, b in _sentence_spans(ln):
            s = ln[a:b]
            lead = len(s) - len(s.lstrip())
            s = s.strip()
            if not s:
                continue
            out.append(_Sentence(len(out), s, off + a + lead, headline, tx.clauses(s)))
    return out


_CITING = re.compile(r"\b(?:citing|quoting)\s+", re.I)


def _cited(s: str) -> str | None:
    """The authority a report cites ("TV Asahi reported, citing a Japanese defense official"
    -> Japan MoD): the one named within a few words after "citing" / "quoting"."""
    for c in _CITING.finditer(s):
        rest = s[c.end() : c.end() + 80]
        hits = [(m.start(), name) for name, pat in _AUTHORITY if (m := re.search(pat, rest))]
        if hits and min(hits)[0] <= 30:
            return min(hits)[1]
    return None


def _authority_in(s: str) -> str | None:
    if (cited := _cited(s)) is not None:
        return cited
    hits = []
    for name, pat in _AUTHORITY:
        if m := re.search(pat, s):
            hits.append((m.start(), name))
    return min(hits)[1] if hits else None


#: a lead naming several governments at once ("South Korea, Japan and the United States each
#: reported the launch", "according to the militaries of South Korea and Japan"): the first one
#: named is whose account the text follows until a sentence names another
_GOVERNMENT = {
    "South Korea": "ROK JCS",
    "Seoul": "ROK JCS",
    "Japan": "Japan MoD",
    "Tokyo": "Japan MoD",
    "the United States": "US INDOPACOM",
    "the U.S.": "US INDOPACOM",
    "the US": "US INDOPACOM",
    "Washington": "US INDOPACOM",
    "South Korean": "ROK JCS",
    "Japanese": "Japan MoD",
    "U.S.": "US INDOPACOM",
    "US": "US INDOPACOM",
    "American": "US INDOPACOM",
}
_GOV = "|".join(re.escape(k) for k in sorted(_GOVERNMENT, key=len, reverse=True))
#: not the second or later name of a list ("Japan" in "South Korea, Japan and ..."): a list
#: read from its second name ends where the one read from its first name does, so it can
#: match only when that one does (and that one comes first); trying every name of a list
#: of thousands would cost the square of its length
_NOT_LISTED = "".join(rf"(?<!\b{re.escape(k)}, )" for k in _GOVERNMENT)
_GOVERNMENTS_LIST = re.compile(
    rf"\b{_NOT_LISTED}(?P<first>{_GOV})(?:,\s+(?:{_GOV}))*,?\s+and\s+(?:{_GOV})(?:'s?)?\s+"
    rf"(?:\w+\s+){{0,2}}?(?:said|say|says|reported|reporting|report|confirmed|detected|"
    rf"announced)\b|"
    rf"\b(?:according to|militaries of|governments of)\s+(?:the\s+)?(?:militaries\s+of\s+)?"
    rf"(?P<first2>{_GOV})(?:,\s+(?:{_GOV}))*,?\s+and\s+(?:{_GOV})|"
    rf"\b{_NOT_LISTED}(?P<first3>{_GOV})(?:,\s+(?:{_GOV}))*,?\s+and\s+(?:{_GOV})\s+"
    rf"(?:governments|militaries|officials|authorities|defen[cs]e ministries)\b"
)


def _first_government(s: str) -> str | None:
    """The authority of the first government a sentence names in a list of reporting
    governments ("with South Korea, Japan and the United States each reporting the launch" ->
    ROK JCS); ``None`` when it names no such list."""
    m = _GOVERNMENTS_LIST.search(s)
    if m is None:
        return None
    return _GOVERNMENT[m.group("first") or m.group("first2") or m.group("first3")]


#: what makes a sentence an account of the flight (numbers, where it flew or fell, the launch
#: itself) rather than a comment on it ("This launch highlights the destabilizing impact ...")
_FLIGHT_FACT = re.compile(
    r"\d|\bfl(?:ew|own|ying)\b|\bfell\b|\blanded\b|\btravell?ed\b|\baltitude\b|\bapogee\b|"
    r"\brange\b|\bdistance\b|\bkilomet|\bsplash|\bfrom the (?:vicinity|area)\b",
    re.I,
)


def _reports_flight(s: str) -> bool:
    """Whether a sentence gives facts of the launch (its speaker's account is then carried to
    the unattributed sentences after it); a quoted comment or a condemnation does not."""
    return bool(_FLIGHT_FACT.search(s) or _LAUNCH_VERB.search(s))


def _authorities_named(s: str) -> set[str]:
    """The authorities a sentence names; one that only passes on the authority it cites (a
    broadcaster "citing a defense official") is not a second source."""
    if (cited := _cited(s)) is not None:
        return {cited}
    return {name for name, pat in _AUTHORITY if re.search(pat, s)}


def _outlet(doc: _Doc) -> str | None:
    head = "\n".join(ln for _, ln, _ in doc.lines[: doc.header_end + 2])
    tail = "\n".join(ln for _, ln, _ in doc.lines[-3:])
    for name, pat in _OUTLET:
        if re.search(pat, head) or re.search(rf"(?:--|-|\()\s*{pat}\s*\)?\s*$", tail):
            return name
    return None


# -- dates ------------------------------------------------------------------------------------
def _infer_year(month: int, day: int, weekday: int) -> int | None:
    fits = []
    for y in YEARS:
        try:
            if dt.date(y, month, day).weekday() == weekday:
                fits.append(y)
        except ValueError:
            pass
    fits = [y for y in fits if y <= dt.date.today().year]
    return fits[0] if len(fits) == 1 else None


_REPORT_DAY = re.compile(
    r"\b(?:said|says|reported|announced|stated|told|confirmed|added|"
    r"quoted|claimed|statement|report)\s+(?:on\s+)?$",
    re.I,
)
_DAY_BEFORE = re.compile(
    r"\b(?:yesterday|a day earlier|the previous day|the day before|"
    r"one day earlier|the preceding day)\b",
    re.I,
)
_TODAY = re.compile(
    r"\b(?:today|this morning|this afternoon|this evening|tonight|earlier "
    r"today|earlier in the day)\b",
    re.I,
)


_US_TIME_AFTER = re.compile(
    r"\s*(?:morning\s+|afternoon\s+|evening\s+|night\s+)?(?:ET|EDT|EST|PT|PDT|"
    r"PST|Hawaii time|Washington time)\b"
)


def _day_cue(
    s: str, anchor: dt.date | None, doc_weekday_hint: list
) -> tuple[dt.date | None, str, bool]:
    """(date, basis, year_inferred) from one sentence's event text, or (None, "", False)."""
    dates = tx.find_dates(s)
    weekdays = [x for x in dates if x.weekday is not None]
    wd_starts = [x.start for x in weekdays]
    for d in dates:
        if d.weekday is not None or d.month is None or d.day is None:
            continue
        if d.year is not None:
            return d.resolve(None), "stated date", False
        if anchor is not None:
            return d.resolve(anchor), "stated month and day, year of the dateline", True
        # weekdays within 12 characters of the date ("Monday, March 10"), in order: a weekday
        # name is at most 9 characters long, so only those starting near the date can be
        lo = bisect.bisect_left(wd_starts, min(d.end - 12, d.start - 21))
        hi = bisect.bisect_right(wd_starts, max(d.end + 12, d.start + 12))
        wd = [
            x.weekday
            for x in weekdays[lo:hi]
            if x.weekday is not None and (abs(x.start - d.end) < 12 or abs(d.start - x.end) < 12)
        ]
        if wd and (y := _infer_year(d.month, d.day, wd[0])) is not None:
            return dt.date(y, d.month, d.day), "month, day and weekday fit one year", True
    if _DAY_BEFORE.search(s) and anchor is not None:
        return anchor - dt.timedelta(days=1), "the day before the dateline", False
    for d in dates:
        if d.weekday is None:
            continue
        if tx.tail_search(_REPORT_DAY, s, d.start, _TAIL_REACH):
            continue  # "said on Thursday": the day of the report
        if _US_TIME_AFTER.match(s, d.end):
            continue  # a day in US time
        if anchor is not None:
            return d.resolve(anchor), "weekday, the latest on or before the dateline", False
    if _TODAY.search(s) and anchor is not None:
        return anchor, "today, the dateline", False
    return None, "", False


# -- background -------------------------------------------------------------------------------
#: "its seventh launch this year", "the 13th time this year": a count that includes this launch.
_NTH_THIS_YEAR = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"\d+(?:st|nd|rd|th))\b[^.,;]{0,40}?\bthis year\b",
    re.I,
)


_ZONE_WORD = re.compile(r"\b(?:GMT|UTC|ET|EDT|EST|Moscow time)\b")


def _without_zone_brackets(c: str) -> str:
    r"""``c`` with each bracket that names a time zone ("(0335 GMT)") replaced by a space:
    ``re.sub(r"\([^)]*\b(?:GMT|...)\b[^)]*\)", " ", c)`` in one pass (a match runs from the
    first "(" after the previous ")" to the next ")"; the regex would rescan the rest of the
    text from every "(" that no ")" closes)."""
    out, last, start = [], 0, 0
    while (q := c.find(")", start)) >= 0:
        p = c.find("(", start, q)
        if p >= 0 and _ZONE_WORD.search(c, p + 1, q):
            out += [c[last:p], " "]
            last = q + 1
        start = q + 1
    if not out:
        return c
    out.append(c[last:])
    return "".join(out)


def _is_background_clause(c: str, event: dt.date | None, ref: dt.date | None) -> bool:
    c = _without_zone_brackets(c)
    c = _NTH_THIS_YEAR.sub(" ", c)
    if _BACKGROUND.search(c):
        return True
    if re.match(
        rf"\s*(?:In|On|Last|Earlier in)\s+(?:early\s+|mid-?\s*|late\s+)?{tx.MONTH}\b"
        rf"(?!\.?\s+\d)",
        c,
    ):
        return True  # "In February, the North test-fired ..."
    ref_year = event.year if event else (ref.year if ref else None)
    if ref_year is not None and any(y != ref_year for y in tx.years(c)):
        return True
    base = event or ref
    if base is not None:
        if event is not None and any(m != event.month for m in tx.months_only(c)):
            return True
        for d in tx.find_dates(c):
            if d.weekday is not None:
                if (
                    event is not None
                    and d.weekday != event.weekday()
                    and not tx.tail_search(_REPORT_DAY, c, d.start, _TAIL_REACH)
                    and (ref is None or d.weekday != ref.weekday())
                ):
                    return True
            elif (r := d.resolve(ref or event)) is not None and abs((r - base).days) > 2:
                return True
    return False


def _analyse(sents: list[_Sentence], event: dt.date | None, ref: dt.date | None) -> None:
    last = None
    for an in sents:
        s = an.text
        cls = [s[a:b] for a, b in an.spans]
        verb = next((k for k, c in enumerate(cls) if _LAUNCH_VERB.search(c)), None)
        bg = [_is_background_clause(c, event, ref) for c in cls]
        upto = verb if verb is not None else 0
        if any(bg[: upto + 1]):
            bg = [True] * len(cls)
        an.background = bg
        # the speaker of this launch's clauses ("..., came a day after Japanese government
        # sources said ..." does not make Japan the speaker of the launch's figures)
        said = an.event_text() if not all(bg) else s
        auth = _authority_in(said) or _first_government(said)
        an.said_by = auth
        an.authority = auth or last
        # only an account of the flight hands its speaker to the sentences after it: a
        # command's quoted comment between a lead and its figures does not
        if auth and (_reports_flight(s) or last is None):
            last = auth
        hypo = False
        if verb is not None:
            verb_at = _LAUNCH_VERB.search(cls[verb])
            assert verb_at is not None  # ``verb`` is the index of a clause it matched
            hypo = bool(
                _HYPOTHETICAL.search(re.sub(r"\bmay\s+(?=\d)", " ", cls[verb][: verb_at.start()]))
            )
        an.launch = (
            verb is not None
            and not bg[verb]
            and not hypo
            and bool(_MISSILE.search(s))
            and not _NOT_LAUNCH.search(s)
        )


def _score(an: _Sentence, n: int) -> float:
    s = an.text
    score = 3.0
    score += 2.0 if re.search(r"ballistic", s, re.I) else 0.0
    score += 1.0 if _sites()[0].search(s) else 0.0
    score += 1.0 if re.search(r"\d{1,2}[:.]\d{2}|\b[ap]\.?m\b", s) else 0.0
    score += (
        1.0
        if re.search(
            r"\b(?:today|this morning|this afternoon|on (?:Mon|Tues|Wednes|"
            r"Thurs|Fri|Satur|Sun)day|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|"
            r"Sun)day)\b",
            s,
            re.I,
        )
        else 0.0
    )
    score += 1.0 if re.search(r"\bNorth Korea|\bPyongyang|\bDPRK\b|\bthe North\b", s) else 0.0
    score += 2.0 * max(0.0, 1.0 - an.index / max(n, 1) * 3)  # the lead
    score -= 3.0 if an.headline else 0.0
    return score


@overload
def _offset_for(zone: str, day: dt.date | None) -> tuple[str, str]: ...
@overload
def _offset_for(zone: str | None, day: dt.date | None) -> tuple[str, str] | None: ...
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
        assert off is not None  # an aware datetime has an offset
        minutes = int(off.total_seconds() // 60)
        return f"+{minutes // 60:02d}:{minutes % 60:02d}", "Pyongyang"
    return "+09:00", "KST"


def _clock(h: int, mi: int, ampm: str) -> str | None:
    ampm = ampm.lower().replace(" ", "").replace(".", "")
    if ampm.startswith("p") and h < 12:
        h += 12
    if ampm.startswith("a") and h == 12:
        h = 0
    if not (0 <= h <= 23 and 0 <= mi <= 59):
        return None
    return f"{h:02d}:{mi:02d}"


_UTC_AFTER = re.compile(r"\s*\(\s*(\d{1,2})[:.]?(\d{2})\s*(?:GMT|UTC)")


def _offset_from_utc(hhmm: str, text: str, pos: int) -> tuple[str, str] | None:
    """The offset implied by a UTC conversion right after a local time (at ``pos`` of
    ``text``): "7:44 a.m. (2244 GMT)" -> +09:00 (to the quarter hour)."""
    m = _UTC_AFTER.match(text, pos)
    if not m:
        return None
    local = int(hhmm[:2]) * 60 + int(hhmm[3:])
    diff = (local - (int(m.group(1)) * 60 + int(m.group(2)))) % 1440
    diff = diff - 1440 if diff > 840 else diff
    q = round(diff / 15) * 15
    sign = "+" if q >= 0 else "-"
    return f"{sign}{abs(q) // 60:02d}:{abs(q) % 60:02d}", "from UTC conversion"


_POSTED = re.compile(r"\b(?:posted|published|updated)\b", re.I)


def _launch_times(sents: list[_Sentence], context_zone: str | None, day: dt.date | None):
    """[(HH:MM, offset, zone label, sentence)] of launch clock times, in text order."""
    out = []
    for an in sents:
        t = an.event_text()
        # once per sentence, not once per clause (the square of a sentence of many clauses)
        verb_in_sentence = an.launch or bool(_LAUNCH_VERB.search(t))
        for a, b in an.spans:
            c = t[a:b]
            if not c.strip():
                continue
            launchy = (
                _LAUNCH_VERB.search(c)
                or re.search(r"\b(?:launch(?:es)?|firings?|detected|took place)\b", c, re.I)
                or (verb_in_sentence and not _NOT_LAUNCH_TIME.search(c))
            )
            if not launchy:
                continue
            # the first posting word of the clause, found once (not once per time in it)
            posted = _POSTED.search(c)
            for m in _TIME.finditer(c):
                near = c[max(0, m.start() - 40) : m.end() + 15]
                if _NOT_LAUNCH_TIME.search(near) and not _LAUNCH_VERB.search(near):
                    continue  # an impact, alarm, meeting or posting time
                h, mi = int(m.group(1)), int(m.group(2)) if m.group(2) else 0
                ampm = m.group(3) or ""
                after = c[m.end() : m.end() + 40]
                if not ampm:
                    n = re.match(
                        r"\s*(?:and|to|until|-)\s*\d{1,2}[:.]\d{2}\s*(a\.?\s?m\.?|"
                        r"p\.?\s?m\.?|am\b|pm\b)",
                        after,
                        re.I,
                    )
                    if n:
                        ampm = n.group(1)
                    elif re.match(r"\s*(?:on\s+\w+\s+)?(?:this\s+)?morning", after, re.I):
                        ampm = "am"
                    elif re.match(
                        r"\s*(?:on\s+\w+\s+)?(?:this\s+)?(?:afternoon|evening)", after, re.I
                    ):
                        ampm = "pm"
                if m.group(2) is None and not ampm:
                    continue
                before = c[max(0, m.start() - 14) : m.start()]
                zone = m.group(4)
                if re.search(r"\(\s*$", before) and zone and zone.upper() in ("GMT", "UTC"):
                    continue  # the "(0335 GMT)" conversion of a local time
                if (posted is not None and posted.end() <= m.start()) or _POSTED.search(
                    c, max(0, m.start() - 12), m.start()
                ):
                    continue  # a posting time (a posting word before it in the clause)
                hhmm = _clock(h, mi, ampm)
                if hhmm is None:
                    continue
                if zone and zone.lower() == "local time":
                    zone = context_zone or "Pyongyang time"
                if zone and zone.upper() in ("GMT", "UTC"):
                    # only a UTC time is given: the local time in the context's zone
                    off = _offset_for(context_zone or "KST", day)
                    mins = (
                        int(hhmm[:2]) * 60 + int(hhmm[3:]) + int(off[0][1:3]) * 60 + int(off[0][4:])
                    )
                    out.append((f"{mins // 60 % 24:02d}:{mins % 60:02d}", off[0], off[1], an))
                    continue
                off = (
                    _offset_for(zone, day)
                    or _offset_from_utc(hhmm, c, m.end())
                    or _offset_for(context_zone, day)
                )
                out.append((hhmm, off[0] if off else None, off[1] if off else None, an))
            if not any(_TIME.search(c) for _ in [0]):
                for m in _HHMM_UTC.finditer(c):
                    h, mi = int(m.group(1)), int(m.group(2))
                    if h < 24 and mi < 60:
                        off = _offset_for(context_zone or "KST", day)
                        mins = h * 60 + mi + int(off[0][1:3]) * 60 + int(off[0][4:])
                        out.append((f"{mins // 60 % 24:02d}:{mins % 60:02d}", off[0], off[1], an))
    return out


def _context_zone(authority: str | None, doc: _Doc) -> str | None:
    head = " ".join(ln for _, ln, _ in doc.lines[: doc.header_end + 2])
    if re.search(r"\bTOKYO\b|\bTokyo\s*[,/]", head) or (authority or "").startswith("Japan"):
        return "JST"
    if authority in ("KCNA", "DPRK MND"):
        return "Pyongyang time"
    if authority == "ROK JCS" or re.search(r"\bSEOUL\b|\bSeoul\s*[,/\[]", head):
        return "KST"
    return None


def _site(sents: list[_Sentence]):
    """(catalog site or None, place as written, sentence) from launch clauses."""
    pat, index = _sites()
    from ..flight.catalog import normalize_name

    generic = re.compile(
        r"\b(?:from|near|around|in|at)\s+(?:the\s+)?(?:(?:vicinity|area|outskirts|region)\s+"
        r"of\s+)?(?:(?:North Korea|North|the country|its|Pyongyang|north Korea)(?:'s)?\s+)?"
        r"(?:(?:eastern|western|northern|southern|northeastern|northwestern|southeastern|"
        r"southwestern|central|inland|coastal|east|west|north|south|port|capital|North Korean|"
        r"the)\s+)*(?:(?:coastal\s+)?(?:city|town|county|region|province|area|district|capital|"
        r"site|air base|airport)\s+(?:of\s+)?)?"
        r"(?P<name>[A-Z][\w'-]+(?:[\s-][A-Z][\w'-]+){0,3})"
        r"(?P<kind>\s+(?:Province|province|County|county|area|region|air base|airport|"
        r"International Airport|District|district|town|city))?"
    )
    stop = re.compile(
        r"^(?:North Korea|Pyeongyang|Korea|Japan|South Korea|Seoul|Tokyo|East Sea|"
        r"Yellow Sea|West Sea|Sea|Sea of Japan|Pacific|Monday|Tuesday|Wednesday|"
        r"Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
        r"August|September|October|November|December|Kim|The|North|South|"
        r"Japanese|U|US|UN|DPRK|Korean|Peninsula|Yonhap|Hokkaido|Guam|Russia|"
        r"China)$"
    )
    found: list = []
    for an in sents:
        t = an.event_text()
        for a, b in an.spans:
            c = t[a:b]
            if not (
                _LAUNCH_VERB.search(c)
                or re.search(
                    r"\blaunch(?:es)?\b|\blaunch (?:site|point)|originated|\blaunched\b|detected|"
                    r"took place|\bfired\b",
                    c,
                    re.I,
                )
            ):
                continue
            if re.search(
                r"\b(?:fell|landed|splash\w*|flew over|passed over)\b", c, re.I
            ) and not re.search(r"\bfrom\b", c):
                continue
            for m in pat.finditer(c):
                before = c[max(0, m.start() - 60) : m.start()]
                relative = re.search(
                    r"\b(?:north|south|east|west)(?:east|west)?(?:ern)?\s+of\s+"
                    r"(?:the\s+)?$|\b(?:off|into|toward|towards|over)\s+(?:the\s+)?"
                    r"(?:\w+\s+)?$",
                    before,
                    re.I,
                )
                if not relative and re.search(r"\b(?:from|near|in|at|around|of)\b", before):
                    found.append((index[normalize_name(m.group(1))], m.group(1), an))
            for m in generic.finditer(c):
                name = m.group("name")
                if stop.match(name) or re.search(r"\b(?:Sea|Ocean|Japan|Korea)\b", name):
                    continue
                text = name + (m.group("kind") or "")
                key = normalize_name(name)
                found.append((index.get(key), text.strip(), an))
    if not found:
        return None, None, None
    # the most specific place: a named site before a city or province ("the Sunan region
    # near Pyongyang", "from Pyongyang's Sunan area")
    broad = re.compile(r"^(?:Pyongyang|[\w\s-]*(?:Province|province|region))$")
    return min(
        found,
        key=lambda x: bool(broad.match(x[1]) or (x[0] is not None and x[0].name == "Pyongyang")),
    )


def _count(sents: list[_Sentence]):
    m: re.Match[str] | None  # a match, or none, as the searches below go
    weak = None
    for an in sents:
        t = an.event_text()
        for m in re.finditer(
            r"\bthe (second|third|fourth|fifth|sixth) (?:\w+\s+){0,3}?(?:in|of) "
            r"the day\b",
            t,
            re.I,
        ):
            return _ORDINAL[m.group(1).lower()], an
        for m in _COUNT.finditer(t):
            between = m.group(3).lower()
            if re.search(r"\b(?:and|the|that|which|was|were|has|had|said|with)\b", between):
                continue
            if re.search(r"\bof\b", between) and not re.search(
                r"\b(?:type|kind|types|kinds) of\b", between
            ):
                continue
            w = m.group(2).lower()
            if w in ("several", "multiple"):
                continue
            n = _WORD_NUM.get(w) or int(w)
            plural = m.group(4).lower().endswith("s")
            if w in ("a", "an", "one", "single"):
                if not plural and weak is None:
                    weak = (1, an)
                continue
            if n == 1 and plural:
                continue
            return n, an
        if weak is None and (
            m := re.search(
                r"\b(?:a|an|one)\s+(?:[\w-]+\s+){0,4}?(?:ballistic\s+)?"
                r"(?:missile|ICBM|SRBM|IRBM|SLBM|projectile)\b",
                t,
            )
        ):
            weak = (1, an)
    return weak if weak else (None, None)


def _names(sents: list[_Sentence]):
    m: re.Match[str] | None  # a match, or none, as the searches below go
    name = text = cls = None
    ev: dict[str, _Sentence] = {}
    from ..flight.catalog import normalize_name

    written = None
    for generic in (False, True):
        for an in sents:
            t = re.sub(r"[\"“”']", "", an.event_text())
            for m in _NAME.finditer(t):
                raw = m.group(1)
                if generic != bool(re.match(r"(?:600|super|hypersonic|tactical)", raw, re.I)):
                    continue
                name, written = _vehicles().get(normalize_name(raw), raw), raw
                ev["missile_name"] = an
                break
            if name is not None:
                break
        if name is not None:
            break
    for an in sents:
        t = an.event_text()
        if text is None and (m := _KIND.search(re.sub(r"[\"“”']", "", t))):
            text = m.group(1)
            ev["missile_text"] = an
        if cls is None:
            for c, pat in _CLASS:
                if re.search(pat, t, re.I):
                    cls = c
                    ev["missile_class"] = an
                    break
    return name, written, text, cls, ev


def _to_km(value: str, unit: str) -> float:
    v = float(value.replace(",", ""))
    u = unit.lower()
    if u.startswith("naut") or u == "nmi":
        return round(v * KM_PER_NMI, 1)
    if u.startswith("mi"):
        return round(v * KM_PER_MILE, 1)
    return v


def figure_precision_km(t: str, pos: int) -> float | None:
    """Half the rounding (km) of the distance written at ``pos`` of ``_digits(t)`` when it
    was written in miles or nautical miles ("about 600 miles (965 km)" is +-50 miles, 80 km,
    however many digits its conversion shows); ``None`` for a figure written in km."""
    from ..flight.landing import rounding_halfwidth

    m = _DIST.match(t, pos)
    if m is None or m.group(3).lower().startswith("k"):
        return None
    miles = float(m.group(1).replace(",", ""))
    u = m.group(3).lower()
    per = KM_PER_NMI if u.startswith("naut") or u == "nmi" else KM_PER_MILE
    return round(rounding_halfwidth(miles) * per, 1)


_LOWER_BOUND = re.compile(
    r"\b(?:more than|over|at least|in excess of|exceeding|upwards of|beyond|above)\s*$", re.I
)
_UPPER_BOUND = re.compile(
    r"\b(?:less than|under|up to|no more than|below|at most|not more than)\s*$", re.I
)


def figure_bound(before: str) -> str | None:
    """ "lower" when the words just before a figure make it a lower bound ("more than 1,000
    km", "over 6,000 km"), "upper" for "up to", "less than", "under"; ``None`` for a figure
    ("about 1,000 km")."""
    return _bound_at(before, len(before))


def _bound_at(t: str, pos: int) -> str | None:
    """:func:`figure_bound` of ``t[:pos]``, reading only the words just before ``pos``."""
    if tx.tail_search(_LOWER_BOUND, t, pos, _TAIL_REACH):
        return "lower"
    if tx.tail_search(_UPPER_BOUND, t, pos, _TAIL_REACH):
        return "upper"
    return None


def within_bound(
    bound: str | None, value: float, other: float | tuple[float, float], hw: float
) -> bool:
    """Whether ``other`` meets a figure stated as a bound (:func:`figure_bound`: "lower" for
    "more than ``value``", "upper" for "up to ``value``") within the rounding ``hw``; False for
    a figure that is no bound.  ``other`` may be a span ``(lo, hi)`` (a derived figure within
    the rounding of the figures it came from): it meets the bound when any of it does."""
    lo, hi = other if isinstance(other, tuple) else (other, other)
    if bound == "lower":
        return hi >= value - hw
    if bound == "upper":
        return lo <= value + hw
    return False


def _is_capability(before: str) -> bool:
    """Whether the words before a figure make it a capability or a definition ("capable of
    flying as far as", "has an estimated range of", "with a range of", "can reach"), read only
    after the last past verb of the flight there ("designed to fly lofted, flew about ...")."""
    cut = max((m.end() for m in _PAST_FLIGHT.finditer(before)), default=0)
    return bool(_CAPABILITY.search(before[cut:]))


_TARGET = re.compile(r"\btarget\b", re.I)
#: The most characters besides whitespace a match of the patterns read before a figure holds
#: (:data:`_BETWEEN_PLACES`, :data:`_LOWER_BOUND`, :data:`_UPPER_BOUND`, :data:`_REPORT_DAY`,
#: "about" before an offset): how far back :func:`.text.tail_search` reads.
_TAIL_REACH = 24


def _find_all(t: str, sub: str) -> list[int]:
    """Every position of ``sub`` in ``t`` (also overlapping ones), in order."""
    out, i = [], t.find(sub)
    while i >= 0:
        out.append(i)
        i = t.find(sub, i + 1)
    return out


class _Hits:
    """The matches of a keyword pattern in a text, found once; :meth:`last_end` answers
    "where does the last keyword before this figure end" in O(log n) instead of a rescan.

    Exact for patterns whose every attempt reads at most :attr:`REACH` characters (plain
    keyword alternatives such as :data:`_APOGEE_KW`) and for ``lo`` at a position the
    keywords cannot start at or run through (a clause separator, or 0)."""

    REACH = 32

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.pattern, self.text = pattern, text
        spans = [m.span() for m in pattern.finditer(text)]
        self.starts = [x for x, _ in spans]
        self.ends = [y for _, y in spans]

    def last_end(self, lo: int, hi: int) -> int:
        """The end of the last match ``pattern.finditer(text[lo:hi])`` gives (as a position
        in ``text``), or -1.  Matches that start more than :attr:`REACH` characters before
        ``hi`` are those of the whole text; the few after are searched again with ``hi`` as
        the end (where a word boundary may now fall)."""
        cut = hi - self.REACH
        best, resume = -1, max(lo, cut)
        i = bisect.bisect_left(self.starts, cut) - 1
        if i >= 0 and self.starts[i] >= lo:
            best, resume = self.ends[i], max(resume, self.ends[i])
        for m in self.pattern.finditer(self.text, resume, hi):
            best = m.end()
        return best


def _distances(t: str) -> list[tuple[str, float | tuple[float, float], int]]:
    """Distance mentions in ``t``: (kind, km or (lo, hi) km, position); kind is "range",
    "apogee", "offset" or "other" (a capability, a definition)."""
    t = _digits(t)
    found: list[tuple[int, int, float | tuple[float, float]]] = []
    taken: list[tuple[int, int]] = []
    for m in _SPAN_FROM.finditer(t):
        lo, u_lo = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        hi, u = m.group(5), m.group(6)
        found.append((m.start(), m.end(), (_to_km(lo, u_lo or u), _to_km(hi, u))))
        taken.append(m.span())
    for m in _DIST.finditer(t):
        if any(a <= m.start() < b for a, b in taken):
            continue
        unit = m.group(3)
        if m.group(4) and m.group(7).lower().startswith("k") and not unit.lower().startswith("k"):
            lo, hi, unit2 = m.group(5), m.group(6), m.group(7)
            v = (_to_km(lo, unit2), _to_km(hi, unit2)) if hi else _to_km(lo, unit2)
        else:
            v = (
                (_to_km(m.group(1), unit), _to_km(m.group(2), unit))
                if m.group(2)
                else _to_km(m.group(1), unit)
            )
        found.append((m.start(), m.end(), v))
    found.sort()
    out: list[tuple[str, float | tuple[float, float], int]] = []
    # "flight distance and maximum altitude ... 3,700 km and 800 km, respectively"
    if re.search(r"\brespectively\b", t, re.I) and len(found) >= 2:
        first = found[0][0]
        kws = sorted(
            [(x.start(), "apogee") for x in _APOGEE_KW.finditer(t[:first])]
            + [(x.start(), "range") for x in _RANGE_KW.finditer(t[:first])]
        )
        kinds = [k for _, k in kws]
        kinds = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
        if len(kinds) == len(found) and len(set(kinds)) == len(kinds):
            return [(k, v, a) for k, (a, _, v) in zip(kinds, found, strict=True)]
    # found once per text, looked up per figure (a rescan of the text before every figure
    # would cost the square of a long sentence's length)
    cuts = [i for i, ch in enumerate(t) if ch in ",;"]
    dashes = [i + 3 for i in _find_all(t, " - ")]  # where the text after a dash begins
    apogee_kw, range_kw = _Hits(_APOGEE_KW, t), _Hits(_RANGE_KW, t)
    target = _Hits(_TARGET, t)
    for a, b, v in found:
        # the clause: after the last comma, semicolon or dash before the figure
        i, j = bisect.bisect_left(cuts, a) - 1, bisect.bisect_right(dashes, a) - 1
        clause_start = max(cuts[i] if i >= 0 else 0, dashes[j] - 3 if j >= 0 else 0)
        after = t[b : b + 60]
        kind = "other"
        if _OFFSET_AFTER.match(after) and not re.match(r"\s*away\b", after):
            kind = "offset"
        elif (
            _is_capability(t[max(0, a - 60) : a])
            or _THRESHOLD_AFTER.match(after)
            # a distance between places ("Washington, which is 6,850 miles from Pyongyang")
            or tx.tail_search(_BETWEEN_PLACES, t, a, _TAIL_REACH, clause_start)
        ):
            kind = "other"
        elif re.match(
            r"\s*(?:\([^)]*\)\s*)?(?:in\s+)?(?:altitude|high|height|up|into (?:the )?(?:air|sky)\b)",
            after,
            re.I,
        ):
            kind = "apogee"
        elif re.match(r"\s*(?:\([^)]*\)\s*)?away\b", after) and target.last_end(0, a) >= 0:
            kind = "range"
        else:
            ap = apogee_kw.last_end(clause_start, a)
            rg = range_kw.last_end(clause_start, a)
            if ap < 0 and rg < 0:  # "... 450 km, with a maximum altitude of ..." clause split
                wide = t[max(0, a - 80) : a]
                ap = max((x.end() for x in _APOGEE_KW.finditer(wide)), default=-1)
                rg = max((x.end() for x in _RANGE_KW.finditer(wide)), default=-1)
            if ap >= 0 or rg >= 0:
                kind = "apogee" if ap > rg else "range"
        out.append((kind, v, a))
    return out


_ONE_OTHER = re.compile(
    rf"\b(?:one|the first)\b[^.;]{{0,60}}?{_NUM}\s*-?\s*{_UNIT}[^.;]{{0,40}}?"
    rf"\b(?:the other|another|the second|the latter)\b(?:[^.;]{{0,40}}?\b{_NUM}\s*-?\s*{_UNIT})?",
    re.I,
)


def _per_missile(sents: list[_Sentence], n: int | None) -> dict[str, list[float | None]]:
    """Missile-by-missile figures: "flew 350 km and 360 km, respectively", "flew about 270
    and 420 kilometers, respectively" (read as two figures, not a span), "one flew about 430 km
    and the other ..." -> ``{"range_km": [350.0, 360.0]}`` (km, in the text's order)."""
    out: dict[str, list[float | None]] = {}
    if not n or n < 2:
        return out
    for a in sents:
        t = a.event_text()
        if re.search(r"\brespectively\b", t, re.I):
            by_kind: dict[str, list[float]] = {}
            for kind, v, _pos in _distances(t):
                if kind in ("range", "apogee"):
                    by_kind.setdefault(kind, []).extend(list(v) if isinstance(v, tuple) else [v])
            for kind, vals in by_kind.items():
                if len(vals) == n and f"{kind}_km" not in out:
                    out[f"{kind}_km"] = list(vals)
        for m in _ONE_OTHER.finditer(_digits(t)):
            kind = (
                "apogee"
                if _APOGEE_KW.search(m.group()[: m.start(2) - m.start()])
                and not _RANGE_KW.search(m.group()[: m.start(2) - m.start()])
                else "range"
            )
            key = f"{kind}_km"
            if key in out:
                continue
            first = _to_km(m.group(1), m.group(2))
            second = _to_km(m.group(3), m.group(4)) if m.group(3) else None
            out[key] = [first, second] + [None] * (n - 2)
    return out


#: Half-width (s) of a flight time written in whole hours ("about an hour", "more than two
#: hours"): read to the quarter hour (estimate: the unit such a figure is rounded to is the
#: hour, and a writer rounding to five minutes would have written "about 65 minutes").
WHOLE_HOURS_HALFWIDTH_S = 450.0


#: a duration spent over a territory, not the flight's ("passed over Japan for about a minute")
_OVERFLIGHT = re.compile(
    r"\b(?:over|above|across)\s+(?:the\s+)?(?:country|Japan|Japanese\s+territory|archipelago|"
    r"Hokkaido|Tohoku|[A-Z]\w+\s+Prefecture)\s+for\s+(?:about\s+|some\s+|around\s+)?$",
    re.I,
)


def _flight_time(t: str) -> tuple[float, str | None, float | None] | None:
    """The flight time ``t`` states: (seconds, bound, half-width), or ``None``.  ``bound`` is
    :func:`figure_bound`'s reading of the words before it ("flew for more than 70 minutes" is
    "lower", "under 10 minutes" "upper"); the half-width is
    :data:`WHOLE_HOURS_HALFWIDTH_S` for a time in whole hours, else ``None`` (the rounding
    its digits show, :func:`launchwatch.flight.reconstruct.reported_halfwidth`)."""
    m: re.Match[str] | None  # a match, or none, as the searches below go
    t = _digits(t)
    for m in _FLIGHT_TIME.finditer(t):
        unit = m.group(3).lower()
        before = t[max(0, m.start() - 60) : m.start()]
        after = t[m.end() : m.end() + 25]
        if not _FLIGHT_KW.search(before) and not re.match(r"\s*(?:of\s+)?flight", after):
            continue
        if unit == "s" and not re.search(r"\bfor\s+$|\bfor\s+(?:about|some|around)\s+$", before):
            continue
        if re.match(r"\s*(?:later|after|ago|earlier|apart|interval)\b", after, re.I):
            continue
        if re.search(r"\b(?:within|every|meeting|in less than)\s+$", before, re.I):
            continue
        if _OVERFLIGHT.search(before):  # "hovered over the country for about 1 minute"
            continue
        v = float(m.group(2).replace(",", ""))
        seconds = v * 60.0 if unit.startswith("m") else v
        if m.group(1):
            # float, not int: a run of digits longer than int() reads from a string is no error
            hours = _WORD_NUM.get(m.group(1).lower()) or float(m.group(1))
            seconds += hours * 3600.0
        if unit.startswith("m") and (
            sec := re.match(
                r"\s*,?\s*(?:and\s+)?(\d+)\s*(?:seconds?|secs?)\b(?!\s*(?:later|after|apart|earlier|ago)\b)",
                after,
                re.I,
            )
        ):  # "47 minutes and 12 seconds"
            seconds += float(sec.group(1))
        return seconds, figure_bound(before), None
    m = _HOURS.search(t)
    if m and _FLIGHT_KW.search(t[max(0, m.start() - 60) : m.start()]):
        if m.group("half_hour"):
            in_hours = 0.5
        else:
            word = (m.group("whole") or m.group("and_half")).lower()
            in_hours = float(_WORD_NUM.get(word) or word) + (
                0.5 if m.group("half") or m.group("and_half") else 0.0
            )
        return in_hours * 3600.0, _bound_at(t, m.start()), WHOLE_HOURS_HALFWIDTH_S
    return None


#: A time in hours or half hours ("about an hour", "an hour and a half", "one and a half hours",
#: "1.5 hours", "half an hour"): each read to the quarter hour (:data:`WHOLE_HOURS_HALFWIDTH_S`).
_HOURS = re.compile(
    r"\b(?:(?P<half_hour>half\s+an\s+hour)"
    r"|(?P<and_half>an?|one|two|three|\d+)\s+and\s+a\s+half\s+hours?"
    r"|(?P<whole>an?|one|two|three|\d+(?:\.\d+)?)\s+hours?(?P<half>\s+and\s+a\s+half)?)\b",
    re.I,
)


def _eez(sents: list[_Sentence]):
    """(claim, country, sentence) of the first EEZ statement."""
    mentioned = False
    for an in sents:
        t = an.event_text()
        m = _EEZ.search(t)
        if m is None and mentioned:
            m = _EEZ_ZONE_BACKREF.search(t)
        if m is None:
            if re.search(r"exclusive economic zone|\bEEZ\b", t, re.I):
                mentioned = True
            continue
        word = (
            m.groupdict().get("prep")
            or m.groupdict().get("prep2")
            or m.groupdict().get("prep3")
            or ""
        ).lower()
        inside = word not in ("outside", "out of", "beyond")
        if re.match(r"reach|enter", word) and re.search(
            r"\b(?:before|short of|without|prior to)\s*$",
            t[max(0, m.start() - 20) : m.start()],
            re.I,
        ):
            inside = False  # "fell before reaching Japan's EEZ"
        if _NEGATION.search(t[max(0, m.start() - 70) : m.start()]):
            inside = not inside
        if re.search(r"\bvery close to\b", t[max(0, m.start() - 30) : m.start()], re.I):
            continue
        who = (
            m.groupdict().get("who") or m.groupdict().get("who2") or m.groupdict().get("who3") or ""
        ).strip()
        country = (
            "Japan"
            if (not who or re.search(r"Japan|the country|its|Tokyo", who))
            else re.sub(r"(?:'s|ese)$", "", who)
        )
        return ("inside" if inside else "outside"), country, an
    return None, None, None


def _landing(sents: list[_Sentence]):
    """(description, sea name for the heading, sentence)."""
    m: re.Match[str] | None  # a match, or none, as the searches below go
    sea = sea_txt = offset = None
    ev = None
    for an in sents:
        t = an.event_text()
        if sea is None:
            for m in _seas().finditer(t):
                before = t[max(0, m.start() - 40) : m.start()]
                if re.search(
                    r"\b(?:into|in|toward|towards|to|over|off|across|of|within|"
                    r"waters)\s+(?:the\s+|its\s+|North Korea's\s+)?(?:waters\s+"
                    r"(?:of|off)\s+(?:the\s+)?)?$",
                    before,
                    re.I,
                ):
                    sea, sea_txt, ev = m.group(1), m.group(1), ev or an
                    break
        if sea is None and (
            m := re.search(
                r"\boff (?:its|the|North Korea's) (east|west)"
                r"(?:ern)? coast\b",
                t,
                re.I,
            )
        ):
            sea = "East Sea" if m.group(1).lower() == "east" else "West Sea"
            sea_txt, ev = m.group(), ev or an
        if offset is None:
            for kind, _km, pos in _distances(t):
                if kind == "offset":
                    td = _digits(t)
                    seg = td[pos:]
                    m = re.match(
                        r"[^,;.]*?(?:\b[A-Z][\w'-]*(?:[\s-]+[A-Z][\w'-]*)*)"
                        r"(?:\s+(?:island|Island|peninsula|Peninsula|Prefecture|"
                        r"prefecture))?",
                        seg,
                    )
                    lead = tx.tail_search(_APPROX_END, td, pos, _TAIL_REACH)
                    offset = (lead.group() if lead else "") + (m.group() if m else seg[:60])
                    offset = offset.strip()
                    ev = ev or an
                    break
    parts = [p for p in (sea_txt, offset) if p]
    return ("; ".join(parts) or None), sea, ev


_APPROX_END = re.compile(rf"{_APPROX}\s*$")

#: A landing verb: where the part of a sentence that says where the missile fell begins.
_FELL = re.compile(
    r"\b(?:fell|fallen|falling|land(?:ed|ing)|splash(?:ed|ing)?(?:\s+down)?|"
    r"crashed|impacted|came down|dropped)\b",
    re.I,
)


#: a distance or a sea after a landing verb
_WHERE_FELL = re.compile(
    r"\d\s*(?:km|kilomet|miles?|nautical)|\b(?:Sea|Ocean|EEZ|"
    r"exclusive economic zone|waters|inland|Province|province)\b"
)


def _landing_text(sents: list[_Sentence], an: _Sentence | None, area: str | None) -> str | None:
    """The words that say where it fell: from the landing verb to the end of its sentence
    (the sentence that gave the landing area first, then any event sentence with a landing
    verb and a distance or a sea), or the landing area when no sentence has a verb."""
    order = ([an] if an is not None else []) + [a for a in sents if a is not an]
    for a in order:
        t = a.event_text()
        # where the last distance or sea is named: a verb before it is followed by one (no
        # search of the rest of the sentence after every verb)
        last = max((m.start() for m in _WHERE_FELL.finditer(t)), default=-1)
        for m in _FELL.finditer(t):
            if last >= m.start():
                return t[m.start() :].strip().rstrip(".")[:300]
    return area


# -- the extractor ----------------------------------------------------------------------------
def extract(text: str, *, published: dt.date | None = None) -> Extracted:
    """Extract the launch the text is about; raises :class:`NoLaunchError` if it has none.
    ``published`` states the publication date when the text's own dateline lacks it."""
    doc = _prepare(text)
    sents = _sentences(doc)
    pub, pub_basis = _publication_date(doc, published)
    dl = doc.dateline[2] if doc.dateline else None
    anchor, anchor_basis, year_inferred = None, "", False
    if dl is not None and dl.year is not None:
        anchor, anchor_basis = dl.resolve(None), "dateline"
    elif dl is not None and pub is not None:
        anchor, anchor_basis = dl.resolve(pub), "dateline, year of the publication date"
    elif pub is not None:
        anchor, anchor_basis = pub, f"publication date ({pub_basis})"
    _analyse(sents, None, anchor)
    cands = [a for a in sents if a.launch]
    if not cands:
        raise NoLaunchError("the text reports no missile launch")
    body = [a for a in sents if not a.headline]
    lead = " ".join(a.text for a in body[:2])
    main = max(cands, key=lambda a: (_score(a, len(sents)), -a.index))
    if (topic := _NON_LAUNCH_TOPIC.search(lead)) and not any(a.launch for a in body[:2]):
        raise NoLaunchError(
            f"the text is not a launch report (its lead is about {topic.group().lower()})"
        )
    # a dateline without any year: the year from the text's weekdays, if one fits
    if anchor is None and dl is not None and dl.month is not None and dl.day is not None:
        strong: set[int | None] = set()
        weak: set[int | None] = set()
        for a in sents:
            t = a.event_text()
            day_before = bool(_DAY_BEFORE.search(t))  # once per sentence, not per weekday
            for d in tx.find_dates(t):
                if d.weekday is None:
                    continue
                # the day of a report ("said Thursday") is the dateline's, a launch
                # "yesterday" the day before it; a plain launch weekday is taken as the
                # dateline's only when the text says nothing stronger
                if tx.tail_search(_REPORT_DAY, t, d.start, _TAIL_REACH):
                    strong.add(_infer_year(dl.month, dl.day, d.weekday))
                elif day_before and (a.launch or a is main):
                    strong.add(_infer_year(dl.month, dl.day, (d.weekday + 1) % 7))
                elif a.launch or a is main:
                    weak.add(_infer_year(dl.month, dl.day, d.weekday))
        years_fit = strong or weak
        year = next(iter(years_fit)) if len(years_fit) == 1 else None
        if year is not None:
            anchor = dt.date(year, dl.month, dl.day)
            anchor_basis, year_inferred = "dateline, year from the weekday", True
    out = Extracted(published=pub, main_sentence=main.text)
    hint = [d.weekday for d in tx.find_dates(main.text) if d.weekday is not None]
    day, basis, yi = None, "", False
    for a in [main] + [c for c in cands if c is not main]:
        day, basis, yi = _day_cue(a.event_text(), anchor, hint)
        if day is not None:
            out.evidence["date"] = a.evidence(True, 0.9, basis)
            break
    launchish = [
        a
        for a in sents
        if not a.headline
        and re.search(
            r"\b(?:launch\w*|fir(?:ed|ing)|test-?fir\w*|carried out|conducted|tests?|tested)\b",
            a.text,
            re.I,
        )
    ]
    if day is None and anchor is not None:
        for a in launchish:  # "Reports emerged on Tuesday ... about North Korea launching"
            if a.launch:  # one of ``cands``, already read
                continue
            d2, b2, _ = _day_cue(a.event_text(), anchor, hint)
            if d2 is not None and "today" not in b2:
                day = d2
                out.evidence["date"] = a.evidence(True, 0.7, b2)
                break
    other_days = {
        d.weekday if d.weekday is not None else (r.weekday() if (r := d.resolve(anchor)) else None)
        for a in launchish
        for d in tx.find_dates(a.event_text())
    } - {None}
    if day is None and anchor is not None and not (other_days - {anchor.weekday()}):
        day, basis = anchor, anchor_basis
        out.evidence["date"] = main.evidence(False, 0.6, f"no day in the text: {basis}")
        out.date_inferred = True
    out.launch_date, out.year_inferred = day, yi or year_inferred
    if year_inferred and "date" in out.evidence:
        out.evidence["date"]["basis"] += "; year inferred from the weekday"

    _analyse(sents, day, anchor)
    if not sents[main.index].launch and any(sents[main.index].background):
        sents[main.index].background = [False] * len(sents[main.index].spans)
    for a in sents:  # older launches named with a date of their own: other events
        if a is main or not a.background or not all(a.background):
            continue
        if _LAUNCH_VERB.search(a.text) and _MISSILE.search(a.text):
            for d in tx.find_dates(a.text):
                r = d.resolve(anchor) if d.weekday is None else None
                if r is not None and r != day:
                    out.other_events.append(
                        {"date": r.isoformat(), "sentence": a.text, "start": a.start}
                    )
                    break
    events = [a for a in sents if not all(a.background)]
    body_events = [a for a in events if not a.headline] or events
    order = [sents[main.index]] + [a for a in body_events if a.index != main.index]

    out.outlet = _outlet(doc)
    # Figures in reading order; the authority whose figures come first is the report's.
    figs = []
    fig_bounds: dict[tuple[int, str], str] = {}
    fig_precision: dict[tuple[int, str], float] = {}
    for a in body_events:
        t = a.event_text()
        each = bool(re.search(r"\brespectively\b", t, re.I))
        td = _digits(t)  # the text the figures' positions refer to
        for kind, km, pos in _distances(t):
            if kind in ("range", "apogee"):
                # "270 and 420 km, respectively" is one figure per missile, not a span
                figs.append((a, f"{kind}_km", km[0] if each and isinstance(km, tuple) else km))
                if (bound := _bound_at(td, pos)) is not None:
                    fig_bounds[(id(a), f"{kind}_km")] = bound
                if (hw := figure_precision_km(td, pos)) is not None:
                    fig_precision[(id(a), f"{kind}_km")] = hw
        if (ft := _flight_time(t)) is not None:
            seconds, bound, hw = ft
            figs.append((a, "flight_time_s", seconds))
            if bound is not None:
                fig_bounds[(id(a), "flight_time_s")] = bound
            if hw is not None:
                fig_precision[(id(a), "flight_time_s")] = hw
    # whose figures come first: distances, flight times and explicit counts ("at least 10
    # missiles"), from sentences that name one authority (or carry the previous one's)
    counted = []
    with_figs = {f[0].index for f in figs}  # sentences that give a figure (a set: no rescan)
    for a in body_events:
        n, _ = _count([a])
        has = a.index in with_figs or (n is not None and n >= 2)
        # a joint account of several governments ("South Korea, Japan and the United States
        # said") decides only by a flight figure of its own, not by a count
        joint = _first_government(a.text) is not None
        if (
            has
            and a.authority not in (None, ANALYST)
            and (len(_authorities_named(a.text)) <= 1 or joint)
            and (not joint or a.index in with_figs)
        ):
            counted.append(a)
    first_auth = next((a.authority for a in counted), None)
    authority = (
        first_auth
        or (main.authority if main.authority != ANALYST else None)
        or next((a.authority for a in order if a.authority not in (None, ANALYST)), None)
    )
    issuer = None
    if out.outlet is None:
        for _, ln, _noise in doc.lines[: doc.header_end]:
            if len(ln.split()) <= 6 and (who := _authority_in(ln)) is not None:
                issuer = who
                break
        if issuer is None and doc.dateline is not None:  # "Pyongyang, November 19 (KCNA) --"
            issuer = _authority_in(doc.lines[doc.dateline[0]][1][: doc.dateline[1]])
    authority = issuer or authority
    out.authority = authority
    if authority:
        src = next((a for a, _, _ in figs if a.authority == authority), None) or next(
            (a for a in order if a.authority == authority), main
        )
        out.evidence["authority"] = src.evidence(
            True,
            0.8 if src.said_by else 0.6,
            "named in the sentence" if src.said_by else "carried from the previous sentence",
        )
    for mine_pass in (True, False):
        for a, key, v in figs:
            mine = a.authority in (None, authority) or out.outlet is None and a.said_by is None
            if mine != mine_pass:
                continue
            if getattr(out, key) is None and key not in out.spans:
                if isinstance(v, tuple):
                    out.spans[key] = v
                else:
                    setattr(out, key, v)
                if (bound := fig_bounds.get((id(a), key))) is not None:
                    out.bounds[key] = bound
                if (hw := fig_precision.get((id(a), key))) is not None:
                    out.precision[key] = hw
                out.figure_authority[key] = authority if mine else a.authority
                out.evidence[key] = a.evidence(
                    True,
                    0.85,
                    "nearest quantity keyword; said by "
                    f"{out.figure_authority[key] or 'unattributed'}",
                )
            if not mine:
                out.other_claims.append(
                    {
                        "field": key,
                        "value": list(v) if isinstance(v, tuple) else v,
                        "authority": a.authority,
                        "sentence": a.text,
                    }
                )

    zone = _context_zone(authority, doc)
    times = _launch_times(order, zone, day)
    if times:
        first = min(times, key=lambda x: x[0])
        out.launch_time_local, out.utc_offset, out.time_zone = first[0], first[1], first[2]
        out.launch_times = sorted(dict.fromkeys(t[0] for t in times))
        out.evidence["launch_time"] = first[3].evidence(True, 0.85, "earliest launch time")
    site, site_text, an = _site(order)
    out.site_text = site_text
    if site is not None:
        out.site, out.site_lat_deg, out.site_lon_deg = site.name, site.lat_deg, site.lon_deg
    if an is not None:
        out.evidence["site"] = an.evidence(
            True, 0.8 if site else 0.5, "catalog site" if site else "place as written"
        )
    out.n_missiles, an = _count(order)
    if an is not None:
        out.evidence["n_missiles"] = an.evidence(True, 0.8)
    per = _per_missile(body_events, out.n_missiles)
    if out.n_missiles and out.n_missiles >= 2 and (per or len(out.launch_times) >= 2):
        times = (
            out.launch_times
            if len(out.launch_times) == out.n_missiles
            else (
                out.launch_times[:1] + [None] * (out.n_missiles - 1)
                if out.launch_times
                else [None] * out.n_missiles
            )
        )
        out.missiles = [
            {
                "launch_time_local": times[i],
                "range_km": per.get("range_km", [None] * out.n_missiles)[i],
                "apogee_km": per.get("apogee_km", [None] * out.n_missiles)[i],
            }
            for i in range(out.n_missiles)
        ]
    name, written, kind, cls, evs = _names(order)
    out.missile_name, out.missile_text, out.missile_class = name, kind, cls
    out.missile_name_text = written
    if cls is None and name is not None:
        from ..flight.catalog import get_vehicle

        try:
            out.missile_class = get_vehicle(name).range_class
            out.evidence["missile_class"] = evs["missile_name"].evidence(
                False, 0.6, f"catalog class of {name}"
            )
        except KeyError:
            pass
    for k, an in evs.items():
        out.evidence.setdefault(k, an.evidence(True, 0.75))
    claim, country, an = _eez(order)
    if claim is not None:
        if an.authority in (None, authority) or out.outlet is None:
            out.eez_claim, out.eez_country = claim, country
        else:
            out.eez_claim, out.eez_country = claim, country
            out.other_claims.append(
                {
                    "field": "eez_claim",
                    "value": claim,
                    "authority": an.authority,
                    "eez_country": country,
                    "sentence": an.text,
                }
            )
        said = f"said by {an.authority}" if an.authority else "said by an unnamed authority"
        out.evidence["eez_claim"] = an.evidence(True, 0.8, said)
    area, sea, an = _landing(order)
    out.landing_area, out.sea_area = area, sea
    out.landing_text = _landing_text(order, an, area)
    if an is not None:
        out.evidence["landing_area"] = an.evidence(True, 0.7)
    out.missing = [f for f in FIELDS if _absent(out, f)]
    return out


def _absent(e: Extracted, f: str) -> bool:
    value = {
        "date": e.launch_date,
        "launch_time": e.launch_time_local,
        "site": e.site,
        "eez_claim": None if e.eez_claim == "unknown" else e.eez_claim,
    }.get(f, getattr(e, f, None))
    return value is None and f not in e.spans
