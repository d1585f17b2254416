"""Calibration and convergence figures of a campaign's results (results.jsonl in its --out).

    python scripts/campaign_calibration.py OUT_DIR [OUT_DIR ...]

Per flight regime and per kind of missile (quasi-ballistic or not): assessments, the fractions
of truth impacts inside the 50 % and 95 % ellipses, the quantiles of ``d2`` (squared
Mahalanobis distance, chi2(2) for a calibrated Gaussian: median 1.39, p95 5.99) and their
ratio (2.0 for a Gaussian's 50/95 % shape: 5.99/1.39 = 4.32 on d2); per missile kind the
within-10-km-by-60-s fraction, breaks, swaps and class right.
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
    cols: dict[str, list] = {"d2": [], "regime": [], "qb": []}
    mis = []
    for r in recs:
        a = r["assessments"]
        qb = {m["missile_index"]: bool(m["quasi_ballistic"]) for m in r["missiles"]}
        cols["d2"] += a["d2"]
        cols["regime"] += a["regime"]
        cols["qb"] += [qb.get(m, False) for m in a["missile"]]
        mis += r["missiles"]
    d2 = np.array(cols["d2"], float)
    reg = np.array(cols["regime"], int)
    qb = np.array(cols["qb"], bool)
    eng = [r["engagement"] for r in recs]
    print(
        f"== {name}: {len(recs)} engagements, {len(mis)} missiles, breaks"
        f" {sum(e['breaks'] for e in eng)}, swaps {sum(e['swaps'] for e in eng)},"
        f" engagements clean {np.mean([e['breaks'] == 0 and e['swaps'] == 0 for e in eng]):.3f}"
    )
    print(
        f"{'regime':8s} {'kind':5s} {'n':>5s} {'in50':>5s} {'in95':>5s} {'d2 med':>7s}"
        f" {'d2 p95':>7s} {'ratio':>6s}"
    )
    for j, rn in enumerate(REGIMES):
        for kind, sel in (("all", reg == j), ("qb", (reg == j) & qb), ("bal", (reg == j) & ~qb)):
            if not sel.any():
                continue
            x = d2[sel]
            med, p95 = np.median(x), np.quantile(x, 0.95)
            print(
                f"{rn:8s} {kind:5s} {sel.sum():5d} {np.mean(x <= CHI2_50):5.2f}"
                f" {np.mean(x <= CHI2_95):5.2f} {med:7.2f} {p95:7.2f} {p95 / max(med, 1e-9):6.1f}"
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


def main() -> None:
    for out in sys.argv[1:]:
        table(load(Path(out)), out)


if __name__ == "__main__":
    main()
