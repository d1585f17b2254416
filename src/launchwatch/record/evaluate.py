"""Score the report reader against an answer key (``launchwatch record evaluate``).

The key format is the corpus's (``articles/key.json``): one entry per text, keyed by the
text's 3-digit number (the file ``NNN-....txt`` in the texts folder), with ``launch``
(true/false) and, for launches, the fields the text itself states: ``date`` (local, ISO),
``date_derivable``, ``time`` (``HH:MM`` local, first missile), ``n``, ``range_km``,
``apogee_km``, ``flight_time_s``, ``eez`` (what Japan said), ``authority`` (whose figures
come first), ``site`` and ``missile``. A value is a number or string, a list of acceptable
values, or ``{"lo": x, "hi": y}`` for a stated span. A field the key omits is not scored.

Outcome per field and text: **right**, **wrong** (a value the key does not accept), or
**missed** (the key has a value, the reader gave none). A text the reader refuses as "no
launch" scores every keyed field as missed and counts as a refused launch report; for a
``launch: false`` entry a refusal is right and anything else is a false launch. A date the
key marks as not derivable from the text is scored only when the reader gives a wrong one
(a guessed date must never be a wrong date).

Matching rules (stated here so that anyone can judge them):

* numbers: equal within 0.2 % (0.05 km / 0.5 s at least): the key keeps printed figures and
  converts miles to km with one decimal; a span must be read as a span with both ends equal;
* ``time``: the same ``HH:MM``; ``n``: the same count;
* ``eez``: the same word (``inside``/``outside``);
* ``authority``: the same government or agency family (ROK, Japan, DPRK, UN, US): the key
  names ministries, broadcasters and officials in many ways ("Japanese TV (TBS)",
  "Japan MoD", "Japan government (Chief Cabinet Secretary)"), so finer labels are not
  comparable; "ROK and Japan officials" accepts either;
* ``site``: the same place after dropping "Province", "County", "area", "district" and
  punctuation, or the same catalog site (aliases), or one name containing the other as whole
  words ("Toyang-ri, Ryongrim County" and "Toyang-ri");
* ``missile``: the same name (catalog aliases, "Hwasongpho" = "Hwasong"), or, where the key
  gives only a kind ("short-range ballistic missile", "ICBM", "super-large multiple rocket
  launcher"), the same kind.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = (
    "date",
    "time",
    "n",
    "range_km",
    "apogee_km",
    "flight_time_s",
    "eez",
    "authority",
    "site",
    "missile",
)

_FILE = re.compile(r"^(\d{3})-.*\.txt$")


class KeyError_(ValueError):
    """The key file or texts folder cannot be used."""


@dataclass
class TextScore:
    """One text's outcome: ``fields`` maps field -> (status, expected, got)."""

    number: str
    file: str
    launch: bool
    refused: bool
    refusal: str | None = None
    fields: dict[str, tuple[str, object, object]] = field(default_factory=dict)


@dataclass
class Evaluation:
    """Totals over texts: per field right/wrong/missed, refusals, false launches."""

    texts: list[TextScore]

    def totals(self) -> dict[str, dict[str, int]]:
        out = {f: {"right": 0, "wrong": 0, "missed": 0} for f in FIELDS}
        for t in self.texts:
            for f, (status, _, _) in t.fields.items():
                out[f][status] += 1
        return out

    def summary(self) -> dict:
        tot = self.totals()
        right = sum(v["right"] for v in tot.values())
        scored = sum(sum(v.values()) for v in tot.values())
        launches = [t for t in self.texts if t.launch]
        others = [t for t in self.texts if not t.launch]
        return {
            "texts": len(self.texts),
            "launch_texts": len(launches),
            "non_launch_texts": len(others),
            "fields": tot,
            "right": right,
            "scored": scored,
            "right_fraction": round(right / scored, 4) if scored else None,
            "wrong_dates": tot["date"]["wrong"],
            "launch_reports_refused": sum(t.refused for t in launches),
            "non_launch_refused": sum(t.refused for t in others),
            "false_launches": sum(not t.refused for t in others),
        }

    def as_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "texts": [
                {
                    "number": t.number,
                    "file": t.file,
                    "launch": t.launch,
                    "refused": t.refused,
                    "refusal": t.refusal,
                    "fields": {
                        f: {"status": s, "expected": e, "got": g}
                        for f, (s, e, g) in t.fields.items()
                    },
                }
                for t in self.texts
            ],
        }


# -- normalisation ----------------------------------------------------------------------------
def _authority_family(s: str) -> set[str]:
    s = s.lower()
    out = set()
    if re.search(r"\brok\b|jcs|joint chiefs|south korea|seoul|yonhap", s):
        out.add("ROK")
    if re.search(r"japan|tokyo|\bmod\b(?!.*korea)|abe|suga|kishida|tbs|nhk|kyodo|coast guard", s):
        out.add("JAPAN")
    if re.search(
        r"kcna|dprk|north korea|rodong|kctv|pyongyang|voice of korea|"
        r"ministry of national defen[cs]e",
        s,
    ):
        out.add("DPRK")
    if re.search(r"\bun\b|united nations|secretary-general", s):
        out.add("UN")
    if re.search(r"\bu\.?s\.?\b|united states|pentagon|indopacom|pacific command", s):
        out.add("US")
    return out


_PLACE_DROP = re.compile(
    r"\b(?:province|county|area|region|district|city|town|airfield|"
    r"air base|of|the|near|around)\b",
    re.I,
)


def _place_tokens(s: str) -> tuple[str, ...]:
    s = _PLACE_DROP.sub(" ", s.lower())
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return tuple(s.split())


def _catalog_site(s: str) -> str | None:
    from ..flight.catalog import load_sites, normalize_name

    want = normalize_name(s)
    for site in load_sites().values():
        if want in {normalize_name(a) for a in (site.name, *site.aliases)}:
            return site.name
    return None


def _site_match(key: str, got: str) -> bool:
    a, b = _place_tokens(key), _place_tokens(got)
    if not a or not b:
        return False
    if a == b:
        return True
    ca, cb = _catalog_site(key), _catalog_site(got)
    if ca is not None and ca == cb:
        return True
    sa, sb = " ".join(a), " ".join(b)
    return bool(re.search(rf"\b{re.escape(sb)}\b", sa) or re.search(rf"\b{re.escape(sa)}\b", sb))


_KINDS = (
    ("ICBM", r"intercontinental|\bicbm"),
    ("IRBM", r"intermediate|\birbm"),
    ("MRBM", r"medium|\bmrbm|mid-range"),
    ("SLBM", r"submarine|\bslbm"),
    ("SRBM", r"short-range|close-range|\bsrbm|tactical"),
    ("MRL", r"rocket launcher|\bmrl\b"),
    ("HGV", r"hypersonic"),
    ("BM", r"ballistic missile|projectile|missile"),
)


def _kind(s: str) -> str | None:
    s = s.lower()
    for k, pat in _KINDS:
        if re.search(pat, s):
            return k
    return None


def _name_key(s: str) -> str:
    s = s.lower().replace("hwasongpho", "hwasong")
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"\b(?:suspected|type|class|new|missile|ballistic|-?type|-class)\b", " ", s)
    return re.sub(r"[^a-z0-9]+", "", s)


def _has_name(s: str) -> bool:
    return bool(
        re.search(
            r"hwasong|musudan|rodong|nodong|scud|pukguksong|kn-?\d|haeil|"
            r"chollima|iskander",
            s,
            re.I,
        )
    )


def _missile_match(key: str, got: list[str]) -> bool:
    if _has_name(key):
        want = _name_key(key)
        return any(
            want
            and (
                want == _name_key(g)
                or (len(want) > 4 and (want in _name_key(g) or _name_key(g) in want))
            )
            for g in got
            if _has_name(g)
        )
    k = _kind(key)
    return k is not None and any(_kind(g) == k for g in got)


def _num_match(key, got) -> bool:
    if isinstance(key, dict):
        if not isinstance(got, tuple):
            return False
        return _num_match(key["lo"], got[0]) and _num_match(key["hi"], got[1])
    if isinstance(got, tuple) or got is None:
        return False
    tol = max(0.002 * abs(float(key)), 0.05)
    return math.isclose(float(key), float(got), abs_tol=tol)


def _values(v) -> list:
    return v if isinstance(v, list) else [v]


# -- predictions ------------------------------------------------------------------------------
def predictions(ex) -> dict[str, object]:
    """The reader's answer per key field, from an :class:`~.extract.Extracted`."""
    spans = getattr(ex, "spans", {}) or {}

    def num(name):
        if name in spans:
            lo, hi = spans[name]
            return (lo, hi)
        return getattr(ex, name)

    missile = [
        m
        for m in (
            getattr(ex, "missile_name", None),
            getattr(ex, "missile_name_text", None),
            getattr(ex, "missile_text", None),
            ex.missile_class,
        )
        if m
    ]
    eez = (
        ex.eez_claim
        if ex.eez_claim in ("inside", "outside") and (ex.eez_country in (None, "Japan"))
        else None
    )
    return {
        "date": ex.launch_date.isoformat() if ex.launch_date else None,
        "time": ex.launch_time_local,
        "n": ex.n_missiles,
        "range_km": num("range_km"),
        "apogee_km": num("apogee_km"),
        "flight_time_s": num("flight_time_s"),
        "eez": eez,
        "authority": ex.authority,
        "site": [s for s in (ex.site_text, ex.site) if s],
        "missile": missile,
    }


def _judge(f: str, key, got) -> str:
    if f == "site":
        if not got:
            return "missed"
        return "right" if any(_site_match(k, g) for k in _values(key) for g in got) else "wrong"
    if f == "missile":
        if not got:
            return "missed"
        return "right" if any(_missile_match(k, got) for k in _values(key)) else "wrong"
    if got is None:
        return "missed"
    if f in ("range_km", "apogee_km", "flight_time_s"):
        return "right" if any(_num_match(k, got) for k in _values(key)) else "wrong"
    if f == "authority":
        fam = _authority_family(str(got))
        return "right" if any(fam & _authority_family(str(k)) for k in _values(key)) else "wrong"
    return "right" if any(str(k) == str(got) for k in _values(key)) else "wrong"


def score(entry: dict, ex, refusal: str | None) -> dict[str, tuple[str, object, object]]:
    """Per-field (status, expected, got) for one keyed launch text."""
    out: dict[str, tuple[str, object, object]] = {}
    got = predictions(ex) if ex is not None else {}
    for f in FIELDS:
        if f not in entry:
            continue
        key = entry[f]
        g = got.get(f)
        if f == "date" and not entry.get("date_derivable", True):
            if g is not None and g != key:
                out[f] = ("wrong", key, g)
            continue
        out[f] = (_judge(f, key, g if ex is not None else None), key, g)
    return out


def load_key(path: str | Path) -> dict[str, dict]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KeyError_(
            f"cannot read key {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if not isinstance(doc, dict):
        raise KeyError_(f"key {path}: expected a JSON object keyed by text number")
    return {k: v for k, v in doc.items() if re.fullmatch(r"\d{3}", k) and isinstance(v, dict)}


def evaluate(
    key_path: str | Path,
    texts_dir: str | Path,
    *,
    reader: Callable | None = None,
    only: set[str] | None = None,
    max_bytes: int = 2_000_000,
) -> Evaluation:
    """Read every ``NNN-*.txt`` in ``texts_dir`` that the key has, and score it."""
    from .extract import NoLaunchError, extract

    reader = reader or extract
    key = load_key(key_path)
    folder = Path(texts_dir)
    if not folder.is_dir():
        raise KeyError_(f"{texts_dir} is not a folder")
    scores = []
    for p in sorted(folder.iterdir()):
        m = _FILE.match(p.name)
        if not m or m.group(1) not in key or (only is not None and m.group(1) not in only):
            continue
        entry = key[m.group(1)]
        if p.stat().st_size > max_bytes:
            raise KeyError_(f"{p.name}: larger than {max_bytes} bytes")
        text = p.read_text(encoding="utf-8", errors="replace")
        ex, refusal = None, None
        try:
            ex = reader(text)
        except NoLaunchError as exc:
            refusal = str(exc)
        launch = bool(entry.get("launch", True))
        t = TextScore(m.group(1), p.name, launch, refusal is not None, refusal)
        if launch:
            t.fields = score(entry, ex, refusal)
        scores.append(t)
    if not scores:
        raise KeyError_(f"no text in {texts_dir} matches an entry of the key (NNN-*.txt)")
    return Evaluation(scores)
