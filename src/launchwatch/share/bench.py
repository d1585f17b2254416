"""Benchmark of partner sharing: frames per second and detection-to-partner-track latency.

:func:`bench_share` measures, on this machine, three nodes (KOR, USA, JPN; the reference
scenario's sensors split among them; everything releasable to everyone):

- ``per_frame_us``: medians over many detection batches of one stage each: encode + sign
  (sender), verify + decode into detection rows (receiver);
- ``transport``: frames per second through sign -> publish -> fetch -> verify -> decode for
  a stream of 20-detection batches, one sender to two receivers, without fusion, over the
  in-process bus and over NATS JetStream on loopback;
- ``pipeline_inproc``: the whole reference scenario, three nodes in lock-step in one process
  (sign, send, verify, gate, track at every node): frames per second and wall time, against
  the single-machine ``run_simulation`` tracking time of the same detections;
- ``pipeline_nats``: the same with each node in its own process over NATS on loopback, paced
  at ``pace_s`` wall seconds per one-second chunk; the latency from a node publishing a
  chunk with detections to another node's tracker having fused that chunk (median and 99th
  percentile over every (sender, receiver, chunk) with rows).  It contains the wait for the
  third node's batch of the same chunk: nodes fuse a chunk once every partner has sent it.
  The nodes' sensor clocks start together ``start_margin_s`` after launch; the figures are
  only meaningful if every node was ready by then (``last_node_ready_s_before_start`` > 0).

Medians of repeated runs where cheap; figures are wall time on a shared 2-core machine.
NATS figures are skipped (``None``) when ``nats-server`` is not installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..pipeline.feed import simulate_feed
from ..pipeline.simulate import run_simulation
from ..sense.scenario import load_scenario
from .bus import Bus, InProcBus, NatsBus, inbox
from .messages import detections_body, make_envelope
from .natsserver import nats_binary, nats_server
from .node import Node, run_lockstep
from .nodeconfig import load_config
from .receive import Receiver
from .signing import Keyring, generate_key, make_keys, sign_envelope

SCENARIO = "reference-2025-11-07"
SPLIT = {
    "KOR-JCS": ("KOR", ["GreenPine-Jincheon", "GreenPine-Busan"]),
    "USA-INDOPACOM": ("USA", ["TPY2-Shariki", "TPY2-Kyogamisaki", "THAAD-Seongju", "SBIRS-GEO-1"]),
    "JPN-MOD": ("JPN", ["Aegis-SeaOfJapan"]),
}
EPOCH = "2025-11-07T12:35:00+09:00"


def _configs(
    folder: Path, bus: dict | None = None, state: bool = False, **extra
) -> dict[str, Path]:
    make_keys(folder, SPLIT)
    out = {}
    for node, (partner, sensors) in SPLIT.items():
        cfg = {
            "node_id": node,
            "partner": partner,
            "private_key": str(folder / f"{node}.key"),
            "partners": {
                n: {"partner": p, "public_key": str(folder / f"{n}.pub")}
                for n, (p, _) in SPLIT.items()
                if n != node
            },
            "scenario": SCENARIO,
            "sensors": sensors,
            **extra,
        }
        if bus:
            cfg["bus"] = bus
        if state:
            cfg["state_dir"] = str(folder / "state" / node)
        out[node] = folder / f"{node}.yaml"
        out[node].write_text(yaml.safe_dump(cfg))
    return out


def _per_frame(det: np.ndarray, reps: int = 2000) -> dict:
    key = generate_key()
    ring = Keyring({"A": key.public_key()})
    rec = Receiver("B", ring, replay_window=reps + 1)
    batch = det[:20]
    t_sign, t_verify, frames = [], [], []
    for i in range(reps):
        t0 = time.perf_counter()
        env = make_envelope(
            sender="A",
            seq=i + 1,
            labels=["B"],
            sent_s=time.time(),
            body=detections_body(batch, epoch=EPOCH, chunk_end_s=1.0),
        )
        frames.append(sign_envelope(key, env))
        t_sign.append(time.perf_counter() - t0)
    for f in frames:
        t0 = time.perf_counter()
        rec.accept(f)
        t_verify.append(time.perf_counter() - t0)
    assert rec.ledger.accepted == reps
    return {
        "rows_per_batch": int(batch.size),
        "frame_bytes": len(frames[0]),
        "encode_sign_us": round(1e6 * float(np.median(t_sign)), 1),
        "verify_decode_us": round(1e6 * float(np.median(t_verify)), 1),
    }


def _transport(bus: Bus, det: np.ndarray, n: int = 2000) -> dict:
    """One sender, two receivers (KOR -> USA, JPN), ``n`` batches each."""
    key = generate_key()
    ring = Keyring({"KOR-JCS": key.public_key()})
    subs = {
        p: bus.subscribe(inbox(p), durable=f"bench-{p}-{time.time_ns()}") for p in ("USA", "JPN")
    }
    recs = {p: Receiver(p, ring, replay_window=n + 1) for p in subs}
    batch = det[:20]
    t0 = time.perf_counter()
    got = 0
    for i in range(n):
        env = make_envelope(
            sender="KOR-JCS",
            seq=i + 1,
            labels=["KOR", "USA", "JPN"],
            sent_s=time.time(),
            body=detections_body(batch, epoch=EPOCH, chunk_end_s=1.0),
        )
        frame = sign_envelope(key, env)
        for p in subs:
            bus.publish(inbox(p), frame, msg_id=f"{env.msg_id}>{p}")
    bus.flush()
    deadline = time.monotonic() + 60.0
    while got < 2 * n and time.monotonic() < deadline:
        for p, sub in subs.items():
            for f in sub.fetch(max_msgs=1024, timeout_s=0.05):
                got += recs[p].accept(f) is not None
            sub.ack()
    dt = time.perf_counter() - t0
    for sub in subs.values():
        sub.close()
    return {"frames": got, "seconds": round(dt, 3), "frames_per_s": round(got / dt)}


def _pipeline_inproc(feed, folder: Path) -> dict:
    cfgs = _configs(folder / "inproc", wait_s=0.0)
    bus = InProcBus()
    nodes = [Node(load_config(p), bus, feed) for p in cfgs.values()]
    t0 = time.perf_counter()
    run_lockstep(nodes)
    dt = time.perf_counter() - t0
    frames = sum(n.receiver.ledger.received for n in nodes)
    ref = run_simulation(load_scenario(SCENARIO))
    single = ref.seconds["track"]
    return {
        "frames": frames,
        "seconds": round(dt, 3),
        "frames_per_s": round(frames / dt),
        "chunks": feed.n_chunks,
        "detections": int(feed.detections.size),
        "single_machine_track_seconds": round(single, 3),
        "tracks_equal_single_machine": all(
            n.tracker.history.size == ref.tracker.history.size
            and bool(np.all(n.tracker.history["state"] == ref.tracker.history["state"]))
            for n in nodes
        ),
    }


def _pipeline_nats(folder: Path, url: str, pace_s: float, start_margin_s: float) -> dict:
    # one sensor clock for all three: scenario time 0 after every process has started
    start = time.time() + start_margin_s
    cfgs = _configs(
        folder / "nats",
        bus={"kind": "nats", "url": url},
        state=True,
        wait_s=60.0,
        pace_s=pace_s,
        start_unix_s=start,
    )
    code = (
        "import sys; from launchwatch.share.runner import run_node; sys.exit(run_node(sys.argv[1]))"
    )
    t0 = time.perf_counter()
    procs = {
        n: subprocess.Popen(
            [sys.executable, "-c", code, str(p)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for n, p in cfgs.items()
    }
    outs = {n: p.communicate(timeout=600) for n, p in procs.items()}
    dt = time.perf_counter() - t0
    bad = [n for n, p in procs.items() if p.returncode != 0]
    if bad:
        raise RuntimeError(f"node {bad[0]} failed: {outs[bad[0]][1].decode()[-500:]}")
    timing = {n: np.load(folder / "nats" / "state" / n / "timing.npz") for n in SPLIT}
    summaries = {
        n: json.loads((folder / "nats" / "state" / n / "summary.json").read_text()) for n in SPLIT
    }
    lat: list[np.ndarray] = []
    for a in SPLIT:
        rows = timing[a]["own_rows"] > 0
        for b in SPLIT:
            if a != b:
                d = timing[b]["fused_at"][rows] - timing[a]["published_at"][rows]
                lat.append(d[np.isfinite(d)])
    lat_all = np.concatenate(lat)
    frames = sum(s["receive"]["received"] for s in summaries.values())
    ready_late_s = max(float(timing[n]["ready_at"]) for n in SPLIT) - start
    return {
        "frames": frames,
        "seconds": round(dt - start_margin_s, 3),
        "pace_s": pace_s,
        "last_node_ready_s_before_start": round(-ready_late_s, 2),
        "frames_per_s_incl_pacing": round(frames / (dt - start_margin_s)),
        "latency_samples": int(lat_all.size),
        "latency_median_ms": round(1e3 * float(np.median(lat_all)), 2),
        "latency_p99_ms": round(1e3 * float(np.percentile(lat_all, 99)), 2),
        "tracks": {n: s["tracks"] for n, s in summaries.items()},
    }


#: Stages of the benchmark and their rough share of its wall time (estimate), for progress.
_STAGES = (
    ("scenario", 0.15),
    ("per frame", 0.05),
    ("transport, in-process", 0.05),
    ("three nodes in one process", 0.25),
    ("transport, NATS", 0.1),
    ("three processes over NATS", 0.4),
)


def bench_share(
    *,
    pace_s: float = 0.02,
    nats: bool = True,
    start_margin_s: float = 20.0,
    step: Callable[[str, float], None] | None = None,
) -> dict:
    """Run the sharing benchmark (see module docstring); returns the figures.
    ``step(stage, fraction)`` is told how far the run is (the command line's bar)."""
    with_nats = nats and nats_binary() is not None
    stages = _STAGES if with_nats else _STAGES[:4]
    total = sum(w for _, w in stages)

    def at(name: str) -> None:
        if step is not None:
            done = sum(w for n, w in stages[: [n for n, _ in stages].index(name)])
            step(name, done / total)

    at("scenario")
    feed = simulate_feed(load_scenario(SCENARIO))
    at("per frame")
    out: dict[str, Any] = {"per_frame": _per_frame(feed.detections)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        at("transport, in-process")
        out["transport_inproc"] = _transport(InProcBus(), feed.detections)
        at("three nodes in one process")
        out["pipeline_inproc"] = _pipeline_inproc(feed, folder)
        out["transport_nats"] = out["pipeline_nats"] = None
        if with_nats:
            at("transport, NATS")
            with nats_server(folder / "js") as url:
                bus = NatsBus(url)
                try:
                    out["transport_nats"] = _transport(bus, feed.detections)
                finally:
                    bus.close()
            at("three processes over NATS")
            with nats_server(folder / "js2") as url:
                out["pipeline_nats"] = _pipeline_nats(folder, url, pace_s, start_margin_s)
    if step is not None:
        step("done", 1.0)
    return out


if __name__ == "__main__":
    print(json.dumps(bench_share(), indent=1))
