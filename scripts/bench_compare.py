"""Benchmarks of two git revisions side by side in one run: ``bench flight``, ``bench tracking``
and ``bench assess`` of each, alternating, then a table of medians and ratios.

    python scripts/bench_compare.py                    # 06b572a (before issue 10) vs HEAD
    python scripts/bench_compare.py --base main --head HEAD --rounds 5
    python scripts/bench_compare.py --head .           # the working tree, uncommitted changes too

Each revision is exported once (``git archive``) to ``~/.cache/launchwatch/bench-compare/SHA``
(``.`` runs this checkout's ``src``) and run by this interpreter with ``PYTHONPATH`` at its
``src``, so both use the same installed libraries and numba compiles each revision's kernels
once.  A warm-up run of every benchmark per revision is discarded (numba's first compile), then
``--rounds`` rounds alternate the order (base, head; head, base; ...) so that a drift of the
machine's load falls on both.  Sizes are smaller than the benchmarks' defaults (``--full`` for
those) so that a comparison takes minutes on a loaded 2-core machine; both revisions get the
same sizes.  Timings on a shared machine move with its load: read the ratios, and the load
averages printed before and after.  ``process CPU s`` is the CPU time of the whole benchmark
process (peers included).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: main just before issue 10's first commit (aced665, "pipeline: the chain driver gets its own
#: package").
BEFORE_ISSUE_10 = "06b572a"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "launchwatch"

QUICK = {
    "flight": ["--n-max", "5000", "--baseline-n", "5", "--repeats", "3"],
    "tracking": ["--n-targets", "100", "--duration-s", "10", "--peer-window-s", "2"],
    "assess": ["--n-samples", "1000", "--repeats", "10"],
}
WARMUP = {
    "flight": ["--n-max", "2000", "--baseline-n", "2", "--repeats", "1"],
    "tracking": ["--n-targets", "20", "--duration-s", "3", "--peer-window-s", "2"],
    "assess": ["--n-samples", "200", "--repeats", "2"],
}
#: (benchmark, label, JSON path, "higher" or "lower" is better)
FIGURES = [
    ("flight", "trajectories/s (batch)", ("trajectories_per_s",), "higher"),
    ("flight", "scipy RK45 trajectories/s", ("baseline_trajectories_per_s",), "higher"),
    ("flight", "batch / scipy", ("ratio",), "higher"),
    ("flight", "impact error vs DOP853 (m)", ("impact_error_m",), "lower"),
    ("tracking", "updates/s (many targets)", ("updates_per_s",), "higher"),
    ("tracking", "steady RMSE (m)", ("steady_position_rmse_m",), "lower"),
    ("tracking", "1 target updates/s", ("single_target", "launchwatch", "updates_per_s"), "higher"),
    ("tracking", "100 targets updates/s", ("launchwatch_100_updates_per_s",), "higher"),
    ("tracking", "Stone Soup 100 updates/s", ("stonesoup_updates_per_s",), "higher"),
    ("tracking", "100 targets / Stone Soup", ("ratio",), "higher"),
    ("assess", "glide median (ms)", ("median_ms",), "lower"),
    ("assess", "glide p99 (ms)", ("p99_ms",), "lower"),
    ("assess", "ballistic median (ms)", ("cases", "ballistic", "median_ms"), "lower"),
]


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()


def source_of(rev: str) -> tuple[str, Path]:
    """(label, src folder) of a revision; ``.`` is this checkout as it is."""
    if rev == ".":
        return "working tree", REPO / "src"
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    folder = CACHE / "bench-compare" / sha
    if not (folder / "src").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as fh:
            subprocess.run(["git", "archive", sha, "src"], cwd=REPO, check=True, stdout=fh)
            fh.seek(0)
            with tarfile.open(fileobj=fh) as tar:
                tar.extractall(folder, filter="data")
    return (rev if sha.startswith(rev) else f"{rev} ({sha[:7]})"), folder / "src"


def run_bench(src: Path, name: str, args: list[str]) -> dict:
    """One ``launchwatch bench NAME ARGS --json`` of the revision at ``src``: its JSON, with the
    process's CPU seconds added as ``_cpu_s``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    code = "from launchwatch.cli import app; app(prog_name='launchwatch')"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run(
        [sys.executable, "-c", code, "bench", name, *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"bench {name} failed for {src}: {res.stderr.strip()[-400:]}")
    d = json.loads(res.stdout.strip().splitlines()[-1])
    d["_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return d


def _get(d: dict, path: tuple[str, ...]) -> float | None:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return float(d) if isinstance(d, int | float) else None


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default=BEFORE_ISSUE_10, help="git revision, or . (this tree)")
    ap.add_argument("--head", default="HEAD", help="git revision, or . (this tree)")
    ap.add_argument("--rounds", type=int, default=3, help="timed runs per benchmark and side")
    ap.add_argument("--bench", nargs="*", default=list(QUICK), choices=list(QUICK))
    ap.add_argument("--full", action="store_true", help="the benchmarks' default sizes")
    ns = ap.parse_args()
    if ns.rounds < 1:
        ap.error("--rounds must be at least 1")
    sides = [source_of(ns.base), source_of(ns.head)]
    print(f"base {sides[0][0]} vs head {sides[1][0]}; load average {_load()}", flush=True)
    results: dict[tuple[str, int], list[dict]] = {}
    for name in ns.bench:
        t0 = time.perf_counter()
        for _label, src in sides:  # numba compiles (or loads) each revision's kernels here
            run_bench(src, name, WARMUP[name])
        args = [] if ns.full else QUICK[name]
        for r in range(ns.rounds):
            for i in (0, 1) if r % 2 == 0 else (1, 0):
                results.setdefault((name, i), []).append(run_bench(sides[i][1], name, args))
        print(
            f"\nbench {name} {' '.join(args)}: {ns.rounds} alternating rounds, medians; "
            f"{time.perf_counter() - t0:.0f} s; load average {_load()}"
        )
        table(name, results)


def table(name: str, results: dict[tuple[str, int], list[dict]]) -> None:
    """The medians of one benchmark's figures for both sides, and their ratio."""
    w = 34
    print(f"| {'figure':<{w}} | {'base':>12} | {'head':>12} | head/base | better |")
    print(f"|{'-' * (w + 2)}|{'-' * 14}|{'-' * 14}|-----------|--------|")
    for bench, label, path, better in FIGURES + [(name, "process CPU s", ("_cpu_s",), "lower")]:
        if bench != name:
            continue
        med = []
        for i in (0, 1):
            vals = [v for d in results[(name, i)] if (v := _get(d, path)) is not None]
            med.append(statistics.median(vals) if vals else None)
        ratio = f"{med[1] / med[0]:9.3f}" if med[0] and med[1] is not None else "        -"
        cells = [f"{m:12.4g}" if m is not None else f"{'-':>12}" for m in med]
        print(f"| {name + ': ' + label:<{w}} | {cells[0]} | {cells[1]} | {ratio} | {better:<6} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
