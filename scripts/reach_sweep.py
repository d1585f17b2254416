"""Sweep ``reconstruct`` over a grid of (range, apogee) pairs, optionally with the flight time
of their Kepler arc and a heading by site, sea area or landing words, and count the outcomes:
``ok``, a one-line usage error (``refused``) or anything else (``crash``).  The Kepler burnout
speed of each pair is printed beside it so the refusals can be judged: a pair whose surface arc
needs less than :data:`REACHABLE_KM_S` is one a real missile flies, and must reconstruct.

    python scripts/reach_sweep.py [--ranges 100,700,...] [--apogees 20,100,...] [--time]
                                  [--pairs 220:25,450:37]
                                  [--site Sunan] [--toward "East Sea"] [--landing TEXT]
"""

from __future__ import annotations

import argparse
import time
import traceback

import numpy as np

from launchwatch.cli.common import UsageError
from launchwatch.cli.reconstruct import reconstruct_figures
from launchwatch.earth.constants import R_MEAN_M
from launchwatch.flight import kepler

#: Burnout speed (km/s) of the fastest missiles flown (ICBM class, ~7 km/s): a surface Kepler
#: arc slower than this is taken as reachable.
REACHABLE_KM_S = 7.0


def kepler_arc(range_km: float, apogee_km: float) -> tuple[float, float, float]:
    """(speed km/s, path angle deg, flight time s) of the surface arc through the apogee."""
    v, phi, t = kepler.arc_from_apogee(R_MEAN_M, apogee_km * 1e3, range_km * 1e3 / R_MEAN_M)
    return float(v) / 1e3, float(np.degrees(phi)), float(t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranges", default="100,300,700,1500,3000,5000,8000,12000,15000")
    ap.add_argument("--apogees", default="20,50,100,300,1000,3000,7000")
    ap.add_argument("--pairs", default=None, help="range:apogee,... instead of the grid")
    ap.add_argument("--time", action="store_true", help="add the Kepler arc's flight time")
    ap.add_argument("--site", default="Sunan")
    ap.add_argument("--toward", default=None)
    ap.add_argument("--landing", default=None)
    a = ap.parse_args()
    counts = {"ok": 0, "refused": 0, "refused reachable": 0, "crash": 0}
    cpu0 = time.process_time()
    if a.pairs:
        pairs = [tuple(float(v) for v in p.split(":")) for p in a.pairs.split(",")]
    else:
        pairs = [(float(r), float(h)) for r in a.ranges.split(",") for h in a.apogees.split(",")]
    for r, h in pairs:
        if True:
            v, phi, t = kepler_arc(r, h)
            kw = dict(site=a.site, range_km=r, apogee_km=h, toward=a.toward, landing=a.landing)
            if a.time:
                kw["flight_time_s"] = round(t, -1)
            c0 = time.process_time()
            try:
                out = reconstruct_figures(**kw)
                status = "ok"
                got = (
                    f"range {out['range_km']:.0f} apogee {out['apogee_km']:.0f} "
                    f"time {out['flight_time_s']:.0f} {out['range_class']} "
                    f"{(out.get('verdict') or {}).get('status')}"
                )
            except UsageError as exc:
                status = "refused" if v > REACHABLE_KM_S else "refused reachable"
                got = str(exc)
                if "\n" in got:
                    status = "crash"
            except Exception:  # noqa: BLE001 - a sweep counts every failure
                status = "crash"
                got = traceback.format_exc().strip().splitlines()[-1]
            counts[status] += 1
            print(
                f"{r:7.0f} km {h:6.0f} km  v {v:5.2f} km/s phi {phi:4.1f}  "
                f"{status:17s} {time.process_time() - c0:6.1f} s cpu  {got}",
                flush=True,
            )
    print(counts, f"cpu {time.process_time() - cpu0:.0f} s")


if __name__ == "__main__":
    main()
