"""Assessment-only replays of campaign engagements: the chain's simulation (sense + track) of
each engagement is cached, then the assessment, warning and scoring run again on it, so a change
under ``assess/`` is measured on the same tracks in a fraction of a campaign's time.

    python scripts/assess_replay.py SPEC --seed S --n N --out DIR [--cache DIR]

Writes ``DIR/results.jsonl`` in the campaign's record format (read it with
``scripts/campaign_calibration.py DIR``) and prints per regime and per threat class the 50 % /
95 % containment and the truth's median rank among the samples (0.5 honest).  The records are
those ``launchwatch campaign`` writes for the same spec, seed and index (the same chain, with
the simulation read back instead of run again).
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np

import launchwatch.assess.coastfit as coastfit_mod
import launchwatch.assess.run as run_mod
import launchwatch.campaign.score as score_mod
import launchwatch.pipeline.chain as chain_mod
from launchwatch.assess.impact import east_north_m
from launchwatch.campaign.engage import run_engagement
from launchwatch.campaign.spec import load_spec

REGIMES = ("boost", "glide", "exo", "reentry")
_EXTRA: dict[int, dict] = {}  # id(assessment) -> per-track diagnostics
_LAST: dict = {}


def _refine(self, last, mean, cov, launch_t_s=None):
    out = _REFINE(self, last, mean, cov, launch_t_s)
    _LAST["used"] = out[2]
    return out


def _assess(est, t_s, epoch, **kw):
    a = _ASSESS(est, t_s, epoch, **kw)
    _EXTRA[id(a)] = {
        "used": _LAST.pop("used", np.zeros(len(est.track_id), bool)),
        "lnb": est.mean[:, 6].copy(),
        "lnb_sig": np.sqrt(est.cov[:, 6, 6]),
    }
    return a


def _rows(chain, truth_of_track):
    out = _ROWS(chain, truth_of_track)
    q, used, lnb, lnb_sig = [], [], [], []
    for a in chain.run.assessments:
        ks = np.array([k for k, tid in enumerate(a.track_id) if int(tid) in truth_of_track], int)
        if ks.size == 0:
            continue
        ex = _EXTRA.get(id(a))
        for k in ks:
            m = truth_of_track[int(a.track_id[k])]
            imp = chain.truth_impacts[m]
            lau = chain.run.launch.get(int(a.track_id[k]))
            c = (a.impact_lat_deg[k], a.impact_lon_deg[k])
            lat, lon = a.sample_impact_lat_deg[k], a.sample_impact_lon_deg[k]
            ok = np.isfinite(lat)
            d_s = east_north_m(c[0], c[1], lat[ok], lon[ok])
            d_t = east_north_m(c[0], c[1], imp["lat"], imp["lon"])
            if lau is None or not ok.any():
                q.append(np.nan)
            else:
                u = -east_north_m(c[0], c[1], lau["lat_deg"], lau["lon_deg"])
                u = u / max(np.hypot(*u), 1.0)  # downrange unit vector at the centre
                q.append(float(np.mean(d_s @ u < d_t @ u)))
            used.append(bool(ex["used"][k]) if ex else False)
            lnb.append(float(ex["lnb"][k]) if ex else np.nan)
            lnb_sig.append(float(ex["lnb_sig"][k]) if ex else np.nan)
    out["q_along"] = np.array(q, float)
    out["fit_used"] = np.array(used, float)
    out["lnb"] = np.array(lnb, float)
    out["lnb_sig"] = np.array(lnb_sig, float)
    return out


_REFINE = coastfit_mod.CoastArcs.refine
_ASSESS = run_mod.assess
_ROWS = score_mod.assessment_rows
coastfit_mod.CoastArcs.refine = _refine  # type: ignore[method-assign]
run_mod.assess = _assess  # type: ignore[assignment]
score_mod.assessment_rows = _rows  # type: ignore[assignment]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/calib14k/cache"))
    a = ap.parse_args()
    spec = load_spec(a.spec)[0]
    real = chain_mod.run_simulation
    a.out.mkdir(parents=True, exist_ok=True)
    a.cache.mkdir(parents=True, exist_ok=True)
    recs = []
    sink = (a.out / "results.jsonl").open("w")
    for i in range(a.first, a.first + a.n):
        f = a.cache / f"{Path(a.spec).stem}-s{a.seed}-e{i}.pkl"

        def cached(scenario, progress=None, f=f):
            if f.exists():
                return pickle.loads(f.read_bytes())
            sim = real(scenario, progress=progress)
            f.write_bytes(pickle.dumps(sim))
            return sim

        chain_mod.run_simulation = cached  # type: ignore[assignment]
        recs.append(run_engagement(spec, a.seed, i))
        sink.write(json.dumps(recs[-1]) + "\n")
        sink.flush()
        if recs[-1]["status"] != "ok":
            print(i, recs[-1]["engagement"].get("error"), flush=True)
    sink.close()
    summary(recs)


def summary(recs: list[dict]) -> None:
    reg, cls, r50, r95, rank, q, used, lnb, sig = [], [], [], [], [], [], [], [], []
    for r in recs:
        if r["status"] != "ok":
            continue
        a = r["assessments"]
        tc = {m["missile_index"]: m.get("threat_class", "?") for m in r["missiles"]}
        reg += a["regime"]
        cls += [tc.get(m, "?") for m in a["missile"]]
        r50 += a["r2_50"]
        r95 += a["r2_95"]
        rank += [np.nan if v is None else v for v in a["rank"]]
        for key, lst in (("q_along", q), ("fit_used", used), ("lnb", lnb), ("lnb_sig", sig)):
            lst += [np.nan if v is None else v for v in a.get(key, [np.nan] * len(a["regime"]))]
    reg_a, cls_a = np.array(reg), np.array(cls)
    r50_a, r95_a, rank_a, q_a, u_a, lnb_a, sig_a = (
        np.array(x, float) for x in (r50, r95, rank, q, used, lnb, sig)
    )
    for j, rn in enumerate(REGIMES):
        for c in ["all", *sorted(set(cls))]:
            sel = (reg_a == j) & ((cls_a == c) if c != "all" else True)
            if not sel.any():
                continue
            print(
                f"{rn:8s} {c:22s} n={sel.sum():4d} in50 {np.mean(r50_a[sel] <= 1):.2f}"
                f" in95 {np.mean(r95_a[sel] <= 1):.2f} rank med {np.nanmedian(rank_a[sel]):.2f}"
                f" along q10/50/90 {np.nanquantile(q_a[sel], 0.1):.2f}"
                f" {np.nanmedian(q_a[sel]):.2f} {np.nanquantile(q_a[sel], 0.9):.2f}"
                f" fit {np.nanmean(u_a[sel]):.2f} lnb {np.nanmedian(lnb_a[sel]):.2f}"
                f" +- {np.nanmedian(sig_a[sel]):.2f}"
            )


if __name__ == "__main__":
    import sys

    if sys.argv[1] == "--summary":  # summarise finished records: --summary DIR [DIR ...]
        for d in sys.argv[2:]:
            print("==", d)
            lines = (Path(d) / "results.jsonl").read_text().splitlines()
            summary([json.loads(x) for x in lines if x.strip()])
    else:
        main()
