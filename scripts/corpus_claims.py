"""Run the figures of the article corpus's answer key through ``reconstruct`` and the claim
checks, and count what fails.  Numbers only: the key (JSON, one entry per article: date,
authority, range_km, apogee_km, flight_time_s, eez, site) is read from the path given; no
article text is read or kept here.  Flight times are compared, never fitted.

    python scripts/corpus_claims.py /work/shared/corpus/articles/key.json [--json]

For every article with two or three of range, apogee and flight time: the reconstruction from
its site (the catalog's, else Sunan, said in the row) towards the East Sea, its verdict and
derived figures; then, per launch date, claim_flags over the articles of that date.  A value
given as a list (several missiles or authorities) is read as its first element; a stated span
({"lo", "hi"}) is not a figure and is skipped.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from types import SimpleNamespace

from launchwatch.cli.common import UsageError
from launchwatch.cli.reconstruct import reconstruct_figures
from launchwatch.flight.catalog import UnknownNameError, get_site
from launchwatch.record.compare import claim_flags

FIGS = ("range_km", "apogee_km", "flight_time_s")
FALLBACK_SITE = "Sunan"


def first(v):
    if isinstance(v, list):
        v = v[0] if v else None
    if isinstance(v, dict):  # a span, not a figure
        return None
    return None if v is None else float(v)


def site_of(entry) -> tuple[str, bool]:
    name = entry.get("site")
    if isinstance(name, list):
        name = name[0]
    if name:
        for cand in (name, name.replace(" International Airport", "").replace(" Province", "")):
            try:
                return get_site(cand).name, True
            except UnknownNameError:
                continue
    return FALLBACK_SITE, False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("key")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    key = json.load(open(a.key, encoding="utf-8"))
    rows, by_date = [], defaultdict(list)
    counts: Counter[str] = Counter()
    cpu0 = time.process_time()
    for num, e in sorted(key.items()):
        if num.startswith("_") or not e.get("launch", True):
            continue
        figs = {k: first(e.get(k)) for k in FIGS}
        n = sum(v is not None for v in figs.values())
        if n < 2:
            continue
        site, known = site_of(e)
        c0 = time.process_time()
        try:
            out = reconstruct_figures(site=site, toward="East Sea", **figs)
            status = "ok"
        except UsageError as exc:
            out, status = {"error": str(exc)}, "refused"
        except Exception as exc:  # noqa: BLE001 - the count includes every failure
            out, status = {"error": f"{type(exc).__name__}: {exc}"}, "crash"
        counts[status] += 1
        verdict = (out.get("verdict") or {}).get("status")
        if verdict:
            counts[f"verdict {verdict}"] += 1
        row = {
            "article": num,
            "date": e.get("date"),
            "authority": e.get("authority")
            if isinstance(e.get("authority"), str)
            else (e.get("authority") or [None])[0],
            "site": site if known else f"{site} (stand-in for {e.get('site')!r})",
            **{f"reported_{k}": v for k, v in figs.items()},
            "status": status,
            "verdict": verdict,
            "summary": (out.get("verdict") or {}).get("summary") or out.get("error"),
            "class": out.get("range_class"),
            "cpu_s": round(time.process_time() - c0, 1),
        }
        for k in FIGS:
            if figs[k] is None and out.get(k) is not None:
                row[f"derived_{k}"] = round(out[k], 1)
        rows.append(row)
        res = None
        if status == "ok":
            res = dict(out)
            res["zone_probabilities"] = out.get("zone")
        eez = e.get("eez") if e.get("eez") in ("inside", "outside") else "unknown"
        by_date[e.get("date")].append(
            SimpleNamespace(
                id=int(num),
                authority=row["authority"],
                outlet=None,
                details={},
                reconstruction=None if res is None else SimpleNamespace(result=res),
                eez_claim=eez,
                **figs,
            )
        )
    flags = []
    for date, reps in sorted(by_date.items()):
        for f in claim_flags(reps):
            counts[f"flag {f['kind']}"] += 1
            flags.append({"date": date, "kind": f["kind"], "summary": f["summary"]})
    counts["cpu_s"] = round(time.process_time() - cpu0)
    if a.json:
        print(json.dumps({"rows": rows, "flags": flags, "counts": counts}, indent=1))
        return
    for r in rows:
        figs_txt = " ".join(
            f"{k.split('_')[0]}={r[f'reported_{k}']:g}" for k in FIGS if r[f"reported_{k}"]
        )
        der = " ".join(f"{k}={v:g}" for k, v in r.items() if k.startswith("derived_"))
        print(
            f"{r['article']} {r['date']} {r['authority']!s:12.12} {r['site'][:30]:30} {figs_txt:38} "
            f"{r['status']:7} {r['verdict']!s:13} {r['class']!s:5} {der:28} {r['cpu_s']:5.1f}s "
            f"{(r['summary'] or '')[:110]}"
        )
    print()
    for f in flags:
        print(f"{f['date']} {f['kind']}: {f['summary'][:200]}")
    print(dict(counts))


if __name__ == "__main__":
    main()
