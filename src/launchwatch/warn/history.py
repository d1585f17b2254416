# ruff: noqa: E501  (the J-Alert record cites its source beside every figure)
"""What J-Alert actually did on five launches, beside what launchwatch does on the same flights.

:data:`JALERT` holds the public record (times JST, as announced on the day; areas as ISO 3166-2
codes) for the five history scenarios (``sense/scenarios/jalert-*.yaml``). :func:`compare` puts
one of them beside a launchwatch run's summary (``simulate --assess --json``), scoring J-Alert's
record against the *same* truth as launchwatch's (the scenario's overflight windows and impact):
first warning (s after launch), areas, false alarms, misses, "passed over" latency and wrong
messages. :func:`table_rows` gives the side-by-side rows the ``launchwatch warn history``
command prints.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

__all__ = ["JALERT", "compare", "table_rows", "SCENARIOS"]

_T12 = [
    "JP-01",
    "JP-02",
    "JP-03",
    "JP-04",
    "JP-05",
    "JP-06",
    "JP-07",
    "JP-08",
    "JP-09",
    "JP-10",
    "JP-15",
    "JP-20",
]


class JAlertRecord(TypedDict):
    """One event's J-Alert record (times HH:MM JST, areas as ISO 3166-2 codes)."""

    launch: str
    warnings: list[tuple[str, list[str]]]
    later: list[tuple[str, str, list[str]]]
    note: str


#: J-Alert's record. ``warnings``: (time, areas); ``later``: (time, kind, areas); ``launch``:
#: launch time. Times are HH:MM JST on the launch day (minutes: the public record's resolution).
JALERT: dict[str, JAlertRecord] = {
    "jalert-2017-08-29": {
        "launch": "05:58",  # source: Japan CCS Suga, 2017-08-29 (via CSIS Missile Threat, "North Korea fires missile over Japan")
        "warnings": [
            ("06:02", _T12)
        ],  # source: Cabinet Secretariat J-Alert message 06:02, 12 prefectures (NHK / Japan Times 2017-08-29)
        "later": [
            ("06:14", "passed_over", _T12)
        ],  # source: J-Alert "passed over" message 06:14 (NHK 2017-08-29)
        "note": "over Oshima peninsula / Cape Erimo 06:05-06:07; fell ~06:12, ~1,180 km E of Cape Erimo",  # source: Japan CCS Suga 2017-08-29
    },
    "jalert-2017-09-15": {
        "launch": "06:57",  # source: Japan government via Jiji 2017-09-15 (nippon.com)
        "warnings": [
            ("07:00", _T12)
        ],  # source: J-Alert message 07:00, the same 12 prefectures (Jiji 2017-09-15)
        "later": [
            ("07:07", "passed_over", _T12)
        ],  # source: J-Alert "passed over" 07:07 (Jiji 2017-09-15)
        "note": "over Hokkaido 07:04-07:06; fell ~07:16, ~2,200 km E of Cape Erimo",  # source: Japan CCS Suga 2017-09-15
    },
    "jalert-2022-10-04": {
        "launch": "07:22",  # source: Japan CCS Matsuno 2022-10-04 (Jiji / nippon.com)
        "warnings": [
            ("07:27", ["JP-01", "JP-13"]),
            ("07:29", ["JP-02"]),
        ],  # source: J-Alert 07:27 Hokkaido and Tokyo's islands (sent in error), 07:29 Aomori (FDMA, NHK 2022-10-04)
        "later": [
            ("07:42", "passed_over", ["JP-01", "JP-02", "JP-13"])
        ],  # source: J-Alert 07:42 "passed to the Pacific around 07:29" (NHK 2022-10-04)
        "note": "over Aomori 07:28-07:29; fell ~07:44, ~3,200 km E of Kamaishi",  # source: Japan CCS Matsuno 2022-10-04
    },
    "jalert-2022-11-03": {
        "launch": "07:39",  # source: Japan MoD 2022-11-03 (via Kyodo)
        "warnings": [
            ("07:50", ["JP-04", "JP-06", "JP-15"])
        ],  # source: J-Alert 07:50 Miyagi, Yamagata, Niigata (Kyodo 2022-11-03)
        "later": [
            ("08:00", "passed_over", ["JP-04", "JP-06", "JP-15"])
        ],  # source: J-Alert "passed over" 08:00, later corrected: it never crossed Japan (Japan MoD, Kyodo 2022-11-03)
        "note": "lost from radar over the Sea of Japan; never crossed Japan",  # source: Japan MoD 2022-11-03
    },
    "jalert-2023-04-13": {
        "launch": "07:22",  # source: ROK JCS / Japan MoD 2023-04-13 (via Kyodo)
        "warnings": [
            ("07:55", ["JP-01"])
        ],  # source: J-Alert 07:55 Hokkaido, "expected to fall around 08:00, take shelter" (NHK 2023-04-13)
        "later": [
            ("08:15", "all_clear", ["JP-01"])
        ],  # source: Japan CCS Matsuno 08:15-ish statement: "no longer any possibility" of a fall in or around Hokkaido (Kyodo 2023-04-13)
        "note": "track lost right after detection; the body fell outside the EEZ",  # source: Japan MoD 2023-04-13
    },
}
SCENARIOS = tuple(JALERT)


def _seconds(hhmm: str, launch: str) -> float:
    a = datetime.strptime(hhmm, "%H:%M")
    b = datetime.strptime(launch, "%H:%M")
    d = a - b
    if d < timedelta(0):
        d += timedelta(days=1)
    return d.total_seconds()


def compare(name: str, summary: dict) -> dict:
    """J-Alert's record of ``name`` and a launchwatch run's ``summary`` (the JSON of
    ``simulate --assess``), both scored against the run's truth windows and impacts."""
    if name not in JALERT:
        raise ValueError(f"no J-Alert record for {name!r}; known: {', '.join(SCENARIOS)}")
    rec = JALERT[name]
    windows = {c: tuple(w) for c, w in summary.get("overflight_windows", {}).items()}
    impacted = set(summary.get("impacted_areas", []))
    reached = set(windows) | impacted
    launch_s = 0.0  # scenario epochs are the launch times
    warned: dict[str, float] = {}
    for hhmm, areas in rec["warnings"]:
        for c in areas:
            warned.setdefault(c, _seconds(hhmm, rec["launch"]))
    ja_first = min(warned.values()) if warned else None
    ja_false = sorted(c for c in warned if c not in reached)
    ja_miss = sorted(
        c for c in reached if warned.get(c, float("inf")) > (windows.get(c, (float("inf"),))[0])
    )
    ja_latency, ja_wrong = {}, []
    for hhmm, kind, areas in rec["later"]:
        t = _seconds(hhmm, rec["launch"])
        for c in areas:
            if c in windows and c not in ja_latency:
                ja_latency[c] = round(t - windows[c][1], 1)
            if kind == "passed_over" and c not in windows:
                ja_wrong.append(f"{hhmm} passed over {c}: it never crossed it")
    lw_events = summary.get("warning_events", [])
    return {
        "event": name,
        "note": rec["note"],
        "jalert": {
            "first_warning_s": ja_first,
            "areas": sorted(warned),
            "false_alarms": ja_false,
            "misses": ja_miss,
            "passed_over_latency_s": ja_latency,
            "wrong_messages": ja_wrong,
        },
        "launchwatch": {
            "first_warning_s": summary.get("first_warning_s"),
            "areas": sorted(summary.get("warnings", [])),
            "false_alarms": summary.get("false_alarms", []),
            "misses": summary.get("misses", []),
            "passed_over_latency_s": summary.get("passed_over_latency_s", {}),
            "wrong_messages": [w["why"] for w in summary.get("wrong_messages", [])],
            "messages": [f"{e['t_s']:.0f}s {e['kind']} {e['j_alert_code']}" for e in lw_events],
        },
        "truth": {
            "overflight_windows": {c: list(w) for c, w in windows.items()},
            "impacted": sorted(impacted),
            "launch_s": launch_s,
        },
    }


def _fmt_areas(codes) -> str:
    return ",".join(c.removeprefix("JP-") for c in codes) or "-"


def table_rows(comparisons) -> list[list[str]]:
    """Rows (header first) of the side-by-side table."""
    rows = [
        [
            "event",
            "who",
            "first warning s",
            "areas (JP-nn)",
            "false alarms",
            "misses",
            "passed-over latency s",
            "wrong messages",
        ]
    ]
    for c in comparisons:
        for who in ("jalert", "launchwatch"):
            d = c[who]
            fw = d["first_warning_s"]
            lat = d["passed_over_latency_s"]
            rows.append(
                [
                    c["event"].removeprefix("jalert-"),
                    "J-Alert" if who == "jalert" else "launchwatch",
                    "-" if fw is None else f"{fw:.0f}",
                    _fmt_areas(d["areas"]),
                    _fmt_areas(d["false_alarms"]),
                    _fmt_areas(d["misses"]),
                    ", ".join(
                        f"{k.removeprefix('JP-')}:{'never' if v is None else f'{v:.0f}'}"
                        for k, v in lat.items()
                    )
                    or "-",
                    str(len(d["wrong_messages"])),
                ]
            )
    return rows
