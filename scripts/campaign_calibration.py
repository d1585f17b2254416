"""Calibration and convergence figures of a campaign's results (results.jsonl in its --out).

    python scripts/campaign_calibration.py OUT_DIR [OUT_DIR ...]

Per flight regime and per kind of missile (quasi-ballistic or not): assessments, the fractions
of truth impacts inside the reported 50 % and 95 % ellipses (``r2_50`` / ``r2_95``; older
records: ``d2`` against chi2(2)), the same with the chi-square radii on the reported covariance
(``chi2 in50/in95``: what Gaussian radii would give), the quantiles of ``d2`` (squared
Mahalanobis distance, chi2(2) for a calibrated Gaussian: median 1.39, p95 5.99) and the
truth's rank among the samples in 10 bins (uniform when the predicted cloud is honest); per
missile kind the within-10-km-by-60-s fraction, breaks, swaps, class right and the first
predictions whose 95 % ellipse excludes the truth.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REGIMES = ("boost", "glide", "exo", "reentry")
CHI2_50, CHI2_95 = 1.3862944, 5.9914645


def load(out: Path) -> list[dict]:
    recs = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    return [r for r in recs if r["status"] == "ok"]


def table(recs: list[dict], name: str) -> None:
    cols: dict[str, list] = {"d2": [], "regime": [], "qb": [], "r2_50": [], "r2_95": [], "rank": []}
    mis = []
    for r in recs:
        a = r["assessments"]
        qb = {m["missile_index"]: bool(m["quasi_ballistic"]) for m in r["missiles"]}
        cols["d2"] += a["d2"]
        for key in ("r2_50", "r2_95", "rank"):
            cols[key] += [np.nan if v is None else v for v in a.get(key, [np.nan] * len(a["d2"]))]
        cols["regime"] += a["regime"]
        cols["qb"] += [qb.get(m, False) for m in a["missile"]]
        mis += r["missiles"]
    d2 = np.array(cols["d2"], float)
    r2_50, r2_95 = (np.array(cols[k], float) for k in ("r2_50", "r2_95"))
    rank = np.array(cols["rank"], float)
    if np.isnan(r2_95).all():  # records without the reported-ellipse columns
        r2_50, r2_95 = d2 / CHI2_50, d2 / CHI2_95
    reg = np.array(cols["regime"], int)
    qb = np.array(cols["qb"], bool)
    eng = [r["engagement"] for r in recs]
    print(
        f"== {name}: {len(recs)} engagements, {len(mis)} missiles, breaks"
        f" {sum(e['breaks'] for e in eng)}, swaps {sum(e['swaps'] for e in eng)},"
        f" engagements clean {np.mean([e['breaks'] == 0 and e['swaps'] == 0 for e in eng]):.3f}"
    )
    print(
        f"{'regime':8s} {'kind':5s} {'n':>5s} {'in50':>5s} {'in95':>5s} {'chi2 in50':>9s}"
        f" {'in95':>5s} {'d2 med':>7s} {'d2 p95':>7s}  rank histogram (10 bins)"
    )
    for j, rn in enumerate(REGIMES):
        for kind, sel in (("all", reg == j), ("qb", (reg == j) & qb), ("bal", (reg == j) & ~qb)):
            if not sel.any():
                continue
            x = d2[sel]
            med, p95 = np.median(x), np.quantile(x, 0.95)
            rk = rank[sel & np.isfinite(rank)]
            hist = np.histogram(rk, bins=10, range=(0.0, 1.0))[0] / max(rk.size, 1)
            print(
                f"{rn:8s} {kind:5s} {sel.sum():5d} {np.mean(r2_50[sel] <= 1):5.2f}"
                f" {np.mean(r2_95[sel] <= 1):5.2f} {np.mean(x <= CHI2_50):9.2f}"
                f" {np.mean(x <= CHI2_95):5.2f} {med:7.2f} {p95:7.2f}  "
                + " ".join(f"{h:.2f}" for h in hist)
            )
    for kind in (True, False):
        ms = [m for m in mis if bool(m["quasi_ballistic"]) == kind]
        if not ms:
            continue
        good = np.array(
            [
                m["good_after_track_s"] if m["good_after_track_s"] is not None else np.inf
                for m in ms
            ],
            float,
        )
        print(
            f"{'quasi-ballistic' if kind else 'ballistic':16s} n={len(ms):3d}"
            f" good<=60s {np.mean(good <= 60):.2f} good median {np.median(good):.0f} s"
            f" class right {np.mean([bool(m['class_right']) for m in ms]):.2f}"
            f" breaks {sum(m['breaks'] for m in ms)} swaps {sum(m['swaps'] for m in ms)}"
        )
        out = [m for m in ms if m.get("first_error_km") is not None and not m["first_in95"]]
        print(
            f"  first predictions excluding the truth: {len(out)} of {len(ms)}"
            + "".join(
                f"; {m.get('threat_class', '?')} {m.get('first_regime', '?')}"
                f" {m['first_error_km']:.0f} km off, 95 % semi-major"
                f" {m['first_semi_major_95_km']:.0f} km"
                for m in out
            )
        )


def main() -> None:
    for out in sys.argv[1:]:
        table(load(Path(out)), out)


if __name__ == "__main__":
    main()
