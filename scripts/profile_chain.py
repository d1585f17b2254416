"""Where the CPU of one ``launchwatch simulate NAME --assess --json --out DIR`` run goes (the
run each shipped scenario's test in tests/warn/test_chain.py makes): the process CPU (s, every
thread) of the whole command and of its parts, measured by wrapping them in this process, and
the corridor's fans (:func:`launchwatch.warn.corridor.fan`): how many were flown (cache misses)
and how many were asked for, with their CPU.  With ``--cprofile PATH`` also a cProfile of the
run by process CPU (read it with ``python -m pstats PATH``); with ``--summary PATH`` the
command's JSON is kept there (to compare two versions' figures).  A profile, not a benchmark: run it
twice (the first run in a fresh cache folder also compiles and builds the basemap).

    python scripts/profile_chain.py NAME [--cprofile PATH] [--summary PATH]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import tempfile
import time

from typer.testing import CliRunner

from launchwatch.cli import app
from launchwatch.pipeline import chain as chain_mod
from launchwatch.pipeline import simulate as simulate_mod
from launchwatch.warn import corridor, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("name", help="a shipped scenario (or a scenario file)")
    ap.add_argument("--cprofile", metavar="PATH", help="also write a cProfile here")
    ap.add_argument("--summary", metavar="PATH", help="keep the command's JSON here")
    args = ap.parse_args()

    cpu: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()

    def timed(label: str, f):
        @functools.wraps(f)
        def g(*a, **k):
            c0 = time.process_time()
            try:
                return f(*a, **k)
            finally:
                cpu[label] += time.process_time() - c0
                calls[label] += 1

        return g

    # the corridor's fan: a fresh cache of the same size around the timed function, so that
    # only flown fans count as "fan flown" and every request as "fan asked"
    flown = functools.lru_cache(maxsize=corridor.FAN_CACHE_SIZE)(
        timed("fan flown", corridor.fan.__wrapped__)
    )
    corridor.fan = timed("fan asked", flown)  # type: ignore[assignment]
    chain_mod.run_simulation = timed("sense + track", chain_mod.run_simulation)
    chain_mod.assess_history = timed("assess + warn", chain_mod.assess_history)
    chain_mod.WarningPolicy.update = timed(  # type: ignore[method-assign]
        "warn (policy.update)", chain_mod.WarningPolicy.update
    )
    report.write_report = timed("report files", report.write_report)
    simulate_mod.write_outputs = timed("run files", simulate_mod.write_outputs)

    prof = cProfile.Profile(time.process_time) if args.cprofile else None
    with tempfile.TemporaryDirectory() as out:
        c0 = time.process_time()
        if prof is not None:
            prof.enable()
        res = CliRunner().invoke(app, ["simulate", args.name, "--assess", "--json", "--out", out])
        if prof is not None:
            prof.disable()
        total = time.process_time() - c0
    if res.exit_code != 0:
        raise SystemExit(res.output[-2000:])
    if prof is not None:
        prof.dump_stats(args.cprofile)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as fh:
            fh.write(res.stdout)
    print(f"{args.name}: {total:.2f} s CPU in the command")
    for label in (
        "sense + track",
        "assess + warn",
        "warn (policy.update)",
        "fan asked",
        "fan flown",
        "run files",
        "report files",
    ):
        print(f"  {label:22s} {cpu[label]:7.2f} s  ({calls[label]} calls)")


if __name__ == "__main__":
    main()
