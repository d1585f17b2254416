"""Reference integration of the flight equations with scipy ``solve_ivp``, one trajectory at a time.

Two uses: the accuracy tests (``method="DOP853", rtol=1e-10, atol=1e-6``, the independent
high-accuracy integration the batched propagator is checked against) and the benchmark baseline
(the way single-trajectory tools such as RocketPy integrate).  It evaluates the very same
:func:`launchwatch.flight.dynamics.accel`, so any difference is integration error.  The flight is
integrated segment by segment between the model's breakpoints (end of vertical rise, end of
pitch-over, stagings), so no discontinuity falls inside a segment.  Frames and units as in
:mod:`launchwatch.flight.dynamics`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from ..earth import frames, geodesy
from .dynamics import CTRL_BURN_FRACTION, CTRL_T_KICK, CTRL_T_VERTICAL, accel
from .propagate import FULL_PHYSICS, Physics, VehicleModel, launch_geometry


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceResult:
    t_impact_s: float
    impact_eci: np.ndarray  # (6,)
    impact_lat_deg: float
    impact_lon_deg: float
    apogee_m: float
    t_burnout_s: float
    burnout_eci: np.ndarray | None  # None when the flight ended before burnout
    ground_range_m: float
    n_rhs: int
    solution: list[Any]  # solve_ivp results per segment (dense output when requested)


@dataclass
class SolverEvent:
    """A ``solve_ivp`` event function with the attributes SciPy reads from it."""

    fn: Callable[[float, np.ndarray], float]
    terminal: bool = False
    direction: float = 0.0

    def __call__(self, t: float, y: np.ndarray) -> float:
        return self.fn(t, y)


def _stage_table(vehicle: VehicleModel, burn_fraction: float) -> np.ndarray:
    stages = vehicle.stages.copy()
    last_start = 0.0 if len(stages) == 1 else stages[-2, 0]
    stages[-1, 0] = last_start + burn_fraction * (stages[-1, 0] - last_start)
    return stages


def reference_trajectory(
    vehicle: VehicleModel,
    lat_deg: float,
    lon_deg: float,
    azimuth_deg: float,
    ctrl: np.ndarray,
    *,
    h_m: float = 0.0,
    method: str = "DOP853",
    rtol: float = 1e-10,
    atol: float | np.ndarray = 1e-6,
    t_max_s: float = 7200.0,
    dense: bool = False,
    physics: Physics = FULL_PHYSICS,
) -> ReferenceResult:
    """Fly one trajectory with scipy ``solve_ivp`` to impact on the ellipsoid."""
    ctrl = np.asarray(ctrl, float)
    geo = launch_geometry(lat_deg, lon_deg, azimuth_deg, h_m)[0]
    stages = _stage_table(vehicle, float(ctrl[CTRL_BURN_FRACTION]))
    model = vehicle.model_arrays(physics)
    w = physics.omega_rad_s
    t_bo = float(stages[-1, 0])
    breaks = sorted(
        {
            float(ctrl[CTRL_T_VERTICAL]),
            float(ctrl[CTRL_T_VERTICAL] + ctrl[CTRL_T_KICK]),
            *stages[:, 0].tolist(),
        }
    )
    breaks = [b for b in breaks if b > 0.0] + [t_max_s]
    out = np.empty(6)
    counter = [0]

    def height(y: np.ndarray) -> float:
        return frames.geodetic_height_m(float(np.hypot(y[0], y[1])), float(y[2]))

    y = np.empty(6)
    y[:3] = geo[:3]
    y[3:] = [-w * geo[1], w * geo[0], 0.0]
    h_launch = height(y)
    t0 = 0.0
    apogee = h_launch
    burnout: np.ndarray | None = None
    sols: list[Any] = []
    for t1 in breaks:
        t_regime = t0

        def rhs(t: float, yy: np.ndarray, t_regime: float = t_regime) -> np.ndarray:
            counter[0] += 1
            accel(t, t_regime, yy, ctrl, geo, stages, model, out)
            return out.copy()

        def ground(t: float, yy: np.ndarray) -> float:
            return height(yy) - min(0.0, h_launch - 1.0)

        def radial_speed(t: float, yy: np.ndarray) -> float:
            return float(yy[0] * yy[3] + yy[1] * yy[4] + yy[2] * yy[5])

        hit_ground = SolverEvent(ground, terminal=True, direction=-1.0)
        apex = SolverEvent(radial_speed, direction=-1.0)
        events = [hit_ground, apex] if t0 >= ctrl[CTRL_T_VERTICAL] - 1e-9 else [apex]
        sol = solve_ivp(
            rhs, (t0, t1), y, method=method, rtol=rtol, atol=atol, events=events, dense_output=True
        )
        sols.append(sol)
        for ta in sol.t_events[-1]:
            apogee = max(apogee, _max_height(sol, ta, height))
        if abs(t1 - t_bo) < 1e-9:
            burnout = sol.y[:, -1].copy()
        if len(events) == 2 and sol.t_events[0].size:
            t_imp = float(sol.t_events[0][0])
            y_imp = sol.y_events[0][0]
            r = frames.eci_to_ecef(y_imp[:3], t_imp) if w else y_imp[:3]
            lat, lon, _ = frames.ecef_to_geodetic(r)
            lat_d, lon_d = float(np.degrees(lat)), float(np.degrees(lon))
            _, _, dist = geodesy.inverse(lat_deg, lon_deg, lat_d, lon_d)
            return ReferenceResult(
                t_impact_s=t_imp,
                impact_eci=np.asarray(y_imp),
                impact_lat_deg=lat_d,
                impact_lon_deg=lon_d,
                apogee_m=apogee,
                t_burnout_s=t_bo,
                burnout_eci=burnout,
                ground_range_m=float(dist),
                n_rhs=counter[0],
                solution=sols if dense else [],
            )
        y = sol.y[:, -1].copy()
        t0 = t1
    raise RuntimeError("reference trajectory did not reach the ground before t_max")


def _max_height(sol: Any, t_apex: float, height: Callable[[np.ndarray], float]) -> float:
    """Refine the maximum geodetic height near the radial-velocity zero ``t_apex``."""
    from scipy.optimize import minimize_scalar

    lo, hi = max(sol.t[0], t_apex - 30.0), min(sol.t[-1], t_apex + 30.0)
    res = minimize_scalar(
        lambda t: -height(sol.sol(t)), bounds=(lo, hi), method="bounded", options={"xatol": 1e-6}
    )
    return float(-res.fun)
