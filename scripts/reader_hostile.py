"""Seconds the report reader (``launchwatch.record.extract.extract``) takes on hostile texts
of growing length: one launch lead, then one long shape (a single sentence of repeated
clauses, 200k characters of "1 ", words without spaces, nested parentheses, ...).

    python scripts/reader_hostile.py [--sizes 4000 8000 16000] [--shapes flew ones] [--cap 60]

Prints one row per shape: CPU seconds per size (median of ``--repeat`` runs), and the ratio of the
last two sizes (about 2 for a linear reader when the sizes double).  A size is skipped once a
smaller one of the same shape took more than ``--cap`` seconds.  Timing is for reporting only;
the tests count work instead (tests/record/test_reader_linear.py).
"""

from __future__ import annotations

import argparse
import statistics
import time

from launchwatch.record.extract import NoLaunchError, extract

LEAD = (
    "SEOUL, Nov. 7 (Yonhap) -- North Korea fired a short-range ballistic missile into the "
    "East Sea on Friday, South Korea's military said. "
)

#: shape name -> the unit repeated to length (after the lead)
SHAPES = {
    "flew": "flew 300 km and ",
    "ones": "1 ",
    "km": "km ",
    "spelled": "flew three hundred and fifty km and ",
    "nospace": "a",
    "commas": "it flew about 300 km, ",
    "apogee": "reached an altitude of 50 km then flew 300 km ",
    "places": "from Sunan near Pyongyang in Tongchang-ri at Sinpo ",
    "parens": "(((",
    "quotes": "\"'",
    "dates": "on Nov. 7, 2025 and Monday ",
    "times": "at 12:35 p.m. ",
    "fired": "North Korea fired a missile from Sunan and ",
    "eez": "it did not fall inside Japan's exclusive economic zone and ",
    "minutes": "flew for 10 minutes and ",
    "sentences": "The missile flew 300 km. ",
    "numbers": "1,000 2.5 300 ",
    "dashes": "flew - 300 km - ",
    "abbrev": "U.S. N. Korea Gen. ",
    "digits": "1",
    "weekdays": "said on Monday and ",
    "lines": "and it flew 300 km\n",
    "background": "in 2019, ",
    "quotes2": '"it flew 300 km", ',
    "fell": "it fell and ",
    "launch-times": "launched at 12:35 p.m. and ",
    "adjectives": "new short-range ",
    "governments": "Japan, ",
    "launches": "It fired a missile. ",
}


def hostile(shape: str, n: int) -> str:
    """A text of about ``n`` characters: the lead, then one sentence of ``shape``'s unit."""
    unit = SHAPES[shape]
    body = (unit * (n // len(unit) + 1))[: max(0, n - len(LEAD))]
    return LEAD + "The missile " + body + " into the sea."


def seconds(text: str, repeat: int) -> float:
    """CPU seconds of one reading (median of ``repeat``): the reader's own work, whatever else
    the machine runs at the time."""
    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        try:
            extract(text)
        except NoLaunchError:
            pass
        out.append(time.process_time() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000, 8000, 16000, 64000, 200000])
    ap.add_argument("--shapes", nargs="+", default=list(SHAPES))
    ap.add_argument("--cap", type=float, default=30.0, help="skip larger sizes after this (s)")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    extract(LEAD)  # load the catalogs once
    print(f"{'shape':<10}" + "".join(f"{n:>10}" for n in a.sizes) + f"{'ratio':>8}")
    for shape in a.shapes:
        row, got = [], []
        for n in a.sizes:
            if got and got[-1] > a.cap:
                row.append(f"{'-':>10}")
                continue
            s = seconds(hostile(shape, n), a.repeat)
            got.append(s)
            row.append(f"{s:>10.3f}")
        ratio = got[-1] / got[-2] if len(got) >= 2 and got[-2] > 0 else float("nan")
        print(f"{shape:<10}" + "".join(row) + f"{ratio:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
