"""Tracker-only replays of campaign engagements: swaps and breaks per engagement, fast.

The sensed detections of each engagement (``generate`` + :func:`~launchwatch.pipeline.feed.
simulate_feed`, deterministic per campaign seed and index) are cached as ``.npz`` files (plain
arrays and JSON text, read back without pickle), then streamed through the stream gate and the
tracker alone (``Fusion``, 1 s chunks as in ``run_simulation``) and scored.  No assessment, no warning: the chain's tracks are the same.

    python scripts/replay_tracker.py dense-salvos --seed 2 --index 7 8 [--cache DIR] [--off]

``--off`` replays with ``TrackerConfig(**{option: False})`` for a named option (``--off
birth_alternative``) to compare a rule with its absence on the same detections.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from launchwatch.campaign.generate import generate
from launchwatch.campaign.spec import load_spec
from launchwatch.pipeline.feed import CHUNK_S, Fusion, simulate_feed
from launchwatch.sense.records import Truth
from launchwatch.track.score import score
from launchwatch.track.tracker import TrackerConfig


def feed_of(spec_ref: str, seed: int, index: int, cache: Path):
    """(detections, sensor kinds, truth, scenario name, truth ids) of one engagement, from the
    ``.npz`` cache when there (plain arrays and JSON text: read back with ``allow_pickle=False``)."""
    f = cache / f"{Path(spec_ref).stem}-s{seed}-e{index}.npz"
    if f.exists():
        with np.load(f, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            su = z["sensed_until_s"] if meta["has_sensed_until"] else None
            truth = Truth(
                times_s=z["times_s"],
                states_ecef=z["states_ecef"],
                burning=z["burning"],
                launch_time_s=z["launch_time_s"],
                impact_time_s=z["impact_time_s"],
                names=tuple(meta["names"]),
                sensed_until_s=su,
            )
            return z["det"], meta["kinds"], truth, meta["scenario"], z["truth_ids"]
    eng = generate(load_spec(spec_ref)[0], seed, index)
    feed = simulate_feed(eng.scenario)
    tr = feed.truth
    meta = {
        "kinds": feed.sensor_kinds,
        "names": list(tr.names),
        "scenario": eng.scenario.name,
        "has_sensed_until": tr.sensed_until_s is not None,
    }
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(
        f,
        det=feed.detections,
        truth_ids=feed.truth_ids,
        times_s=tr.times_s,
        states_ecef=tr.states_ecef,
        burning=tr.burning,
        launch_time_s=tr.launch_time_s,
        impact_time_s=tr.impact_time_s,
        sensed_until_s=tr.sensed_until_s if tr.sensed_until_s is not None else np.zeros(0),
        meta=np.array(json.dumps(meta)),
    )
    return feed.detections, feed.sensor_kinds, tr, eng.scenario.name, feed.truth_ids


def replay(det, kinds, truth, config: TrackerConfig | None = None, python_path: bool = False):
    fusion = Fusion(kinds, config)
    if python_path:  # the general (uncompiled) update path
        fusion.tracker.compiled_ekf = fusion.tracker.fused_frames = False
    if det.size:
        edges = np.arange(0.0, float(det["t_s"].max()) + CHUNK_S, CHUNK_S)
        for chunk in np.split(det, np.searchsorted(det["t_s"], edges[1:], side="left")):
            fusion.push(chunk)
    fusion.flush()
    return fusion.tracker, score(fusion.tracker.history, truth)


def trace(tracker, truth_ids, s) -> None:
    """Per track: the truth missiles of the detections it took, in time order (runs)."""
    led = tracker.ledger()
    miss = dict(zip(truth_ids["det_id"].tolist(), truth_ids["missile"].tolist(), strict=True))
    for tid in np.unique(led["track_id"][led["track_id"] >= 0]):
        rows = led[led["track_id"] == tid]
        rows = rows[np.argsort(rows["t_s"], kind="stable")]
        m = [miss.get(int(d), -9) for d in rows["det_id"]]
        runs, prev = [], None
        for t, k in zip(rows["t_s"], m, strict=True):
            if k != prev:
                runs.append(f"m{k}@{t:.1f}")
                prev = k
        sw = s.swaps_per_track[s.track_ids == tid]
        print(
            f"  track {tid}: n {rows.size} swaps {int(sw[0]) if sw.size else '-'} " + " ".join(runs)
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--index", type=int, nargs="*")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--cache", default="/tmp/replay_cache")
    ap.add_argument("--off", nargs="*", default=[])
    ap.add_argument("--python-path", action="store_true", help="no compiled update paths")
    ap.add_argument("--trace", action="store_true", help="per track: its detections' missiles")
    a = ap.parse_args()
    cfg = TrackerConfig(**{k: False for k in a.off}) if a.off else None
    idx = a.index if a.index else range(a.n)
    tot = [0, 0, 0]
    for i in idx:
        det, kinds, truth, name, tid = feed_of(a.spec, a.seed, i, Path(a.cache))
        c0 = time.process_time()
        trk, s = replay(det, kinds, truth, cfg, a.python_path)
        if a.trace:
            trace(trk, tid, s)
        cpu = time.process_time() - c0
        tot[0] += s.n_swaps
        tot[1] += s.n_breaks
        tot[2] += s.n_false_tracks
        print(
            f"seed {a.seed} e{i:<3d} missiles {truth.n_missiles:3d} swaps {s.n_swaps:3d} "
            f"breaks {s.n_breaks:3d} false {s.n_false_tracks:3d} cpu {cpu:6.1f} s  {name}",
            flush=True,
        )
    print(f"seed {a.seed} total swaps {tot[0]} breaks {tot[1]} false {tot[2]}")


if __name__ == "__main__":
    main()
