"""Where each microsecond per update goes at 1,000 targets: the tracker's phases
(``Tracker.timing``, wall) over a ``bench tracking``-style run (10 Hz, seed 0), then the
compiled IMM prediction's sections timed (CPU, median of 30) on that run's own last track state:
mixing, the model rows' RK4 means and covariance substeps (Jacobian, process noise), the
combination.  A profile to read beside ``launchwatch bench tracking``, not a benchmark.

    python scripts/profile_tracking.py [DURATION_S]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from numba import njit

from launchwatch.track import bench as tb
from launchwatch.track import fused
from launchwatch.track.models import (
    add_process_noise,
    atmosphere_args,
    cov_substep,
    jacobian,
    rk4_step,
)


@njit(cache=False)
def _mix(x, P, mu, Pi, rows, xp, Pp, cbar, wm):
    for c in range(rows.shape[0]):
        r = rows[c]
        fused._mix_track(x[r], P[r], mu[r], Pi[c], xp[c], Pp[c], cbar[c], wm)


@njit(cache=False)
def _rows(xp, Pp, dt, params, mstep, logrho, h0, dh, k1, k2, k3, k4, tmp, A, Phi, T, what):
    for c in range(xp.shape[0]):
        for j in range(xp.shape[1]):
            s = xp[c, j]
            if what == 0:
                fused._predict_row(
                    s, Pp[c, j], dt[c], params[j], mstep, logrho, h0, dh,
                    k1, k2, k3, k4, tmp, A, Phi, T,
                )  # fmt: skip
            elif what == 1:
                rk4_step(s, dt[c], params[j], logrho, h0, dh, k1, k2, k3, k4, tmp)
            elif what == 2:
                cov_substep(s, params[j], dt[c], Pp[c, j], logrho, h0, dh, A, Phi, T)
            elif what == 3:
                jacobian(s, params[j], logrho, h0, dh, A)
            else:
                add_process_noise(s, params[j], dt[c], Pp[c, j], logrho, h0, dh)


@njit(cache=False)
def _combine(xp, Pp, cbar, xc, Pc):
    for c in range(xp.shape[0]):
        fused._combine_track(xp[c], Pp[c], cbar[c], xc[c], Pc[c])


def main(duration_s: float = 20.0) -> None:
    keep = {}
    step = tb.Tracker.step

    def spy(self, det):
        keep["tracker"] = self
        return step(self, det)

    tb.Tracker.step = spy
    res = tb.bench_tracker(n_targets=1000, duration_s=duration_s, seed=0)
    tb.Tracker.step = step
    us = 1e6 / res.n_updates
    print(
        f"{res.n_updates:,} updates: {res.updates_per_s:,.0f}/s wall, "
        f"{res.updates_per_cpu_s:,.0f} per CPU-s"
    )
    for k, v in sorted(res.timing_s.items(), key=lambda kv: -kv[1]):
        print(f"  phase {k:<10s} {v * us:6.2f} us per update (wall)")
    tr = keep["tracker"]
    T = tr.tracks
    n = T.n
    rows = np.arange(n)
    t_ref = float(T.t.max()) + 0.1
    dt = t_ref - T.t[rows]
    Pi = tr.imm.transition_matrix(dt)
    M, ns = T.x.shape[1], T.x.shape[2]
    params, atm, mstep = tr.imm.params, atmosphere_args(), tr._fused_max_step_s
    xp, Pp, cbar = np.empty((n, M, ns)), np.empty((n, M, ns, ns)), np.empty((n, M))
    xc, Pc, wm = np.empty((n, ns)), np.empty((n, ns, ns)), np.empty(M)
    scratch = [np.empty(ns) for _ in range(5)] + [np.empty((ns, ns)) for _ in range(3)]
    ws = fused.workspace(M, ns)

    def cpu_us(f) -> float:
        f()
        runs = []
        for _ in range(30):
            c0 = time.process_time()
            f()
            runs.append(time.process_time() - c0)
        return float(np.median(runs)) * 1e6 / n

    def mix() -> None:
        _mix(T.x, T.P, T.mu, Pi, rows, xp, Pp, cbar, wm)

    t_mix = cpu_us(mix)
    print(f"{n} tracks, {M} models, state {ns}; per track, CPU:")
    prm = tr.imm.track_params(rows.size)  # per track (each track's own thrust)
    whole = cpu_us(
        lambda: fused.predict_tracks_kernel(
            T.x, T.P, T.mu, T.t, rows, Pi, t_ref, prm, mstep, *atm, xp, Pp, cbar, xc, Pc, ws
        )
    )
    print(f"  {whole:6.3f} us  predict_tracks_kernel (mix + rows + combine)")
    print(f"  {t_mix:6.3f} us  mix")
    for what, name in (
        (0, "model rows (mean + covariance)"),
        (1, "  RK4 means"),
        (2, "  covariance substeps"),
        (3, "    Jacobians"),
        (4, "    process noise"),
    ):

        def f(what=what) -> None:
            mix()
            _rows(xp, Pp, dt, params, mstep, *atm, *scratch, what)

        print(f"  {cpu_us(f) - t_mix:6.3f} us  {name}")
    print(f"  {cpu_us(lambda: _combine(xp, Pp, cbar, xc, Pc)):6.3f} us  combine")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
