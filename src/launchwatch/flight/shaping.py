"""Shaping: find the pitch program (and energy) that flies a vehicle to a requested range.

Three trajectory shapes, as analysts use them:

* ``min-energy``: the least energy that reaches the range (the range-maximising pitch for that
  energy);
* ``lofted``: a given apogee above the minimum-energy one (steeper than optimum);
* ``depressed``: a given apogee below it (flatter than optimum).

Unknowns are the pitch-over (kick) angle and an energy knob: the burn fraction of the last stage
for catalog vehicles (thrust termination or energy management), the thrust scale for the generic
boost model.  A lifting (quasi-ballistic) vehicle also flies a glide angle of attack after
burnout; on a depressed shot the angle is the energy knob at full burn, and when even the least
burn at the nominal angle flies too far (a separating glider on a short, low shot), the angle
below the nominal one (a lower L/D: the glider bleeds range) at the least burn.  The solver uses the batched propagator the way it is meant to be used: a coarse grid
of a few hundred trajectories in one call, then batched Newton steps (three trajectories per
iteration), then an azimuth correction so that the *impact* lies on the requested bearing
despite the Earth's rotation.  Ranges in metres along the WGS84 geodesic; angles in radians
unless named ``_deg``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .dynamics import CTRL_ALPHA, CTRL_BURN_FRACTION, CTRL_KICK, CTRL_THRUST_SCALE
from .propagate import Trajectories, VehicleModel, make_controls, propagate

TRAJECTORIES = ("min-energy", "lofted", "depressed")

#: Batches flown within the current :func:`flight_memo` scope, by everything that fixes their
#: result (model, launch point, azimuth, every control row); ``None`` outside one.
_FLOWN: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("_FLOWN", default=None)


@contextmanager
def flight_memo() -> Iterator[None]:
    """Within this scope each batch of :func:`shape` is flown once: a shape asked again (the
    kick-and-energy grid of a body on one bearing, the same for every apogee tried over a
    range; the last Newton trial flown again as the shot) takes the first flight's result.
    Each trajectory is integrated on its own (its own adaptive steps), so the result is the
    same float for float.  A scope nested in another shares the outer one's memo; leaving the
    outermost drops it (a memo lives within one computation, e.g. one reconstruction)."""
    if _FLOWN.get() is not None:
        yield
        return
    token = _FLOWN.set({})
    try:
        yield
    finally:
        _FLOWN.reset(token)


class ShapeError(ValueError):
    """No trajectory of this vehicle meets the request (the message says why)."""


class BeyondReachError(ShapeError):
    """The range is longer than any trajectory of the searched controls flies."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Shot:
    """A shaped trajectory: its controls, launch azimuth and the flown result (N = 1)."""

    vehicle: VehicleModel
    lat_deg: float
    lon_deg: float
    launch_azimuth_deg: float
    ctrl: np.ndarray  # (N_CTRL,)
    result: Trajectories
    energy_knob: str

    @property
    def range_m(self) -> float:
        return float(self.result.ground_range_m[0])

    @property
    def apogee_m(self) -> float:
        return float(self.result.apogee_m[0])

    @property
    def flight_time_s(self) -> float:
        return float(self.result.t_impact_s[0])


def pitch_timing(vehicle: VehicleModel) -> tuple[float, float]:
    """(vertical rise, pitch-over duration) in s: a short vertical rise to clear the launcher
    and a pitch-over through half of the first stage's burn (our program shape, not a sourced
    figure; the kick angle, solved for, sets how far it pitches)."""
    first = float(vehicle.stages[0, 0])
    return float(np.clip(0.08 * first, 2.0, 10.0)), float(np.clip(0.5 * first, 4.0, 60.0))


def _energy_knob(vehicle: VehicleModel, generic: bool) -> tuple[int, float, float]:
    if generic:
        return CTRL_THRUST_SCALE, 0.25, 3.0
    return CTRL_BURN_FRACTION, 0.05, 1.0


@dataclass(frozen=True, slots=True)
class _Aim:
    """One shaping problem: the vehicle and launch point (degrees), the energy knob (a control
    column), its search interval, the glide angle of attack (rad) and the knob's name."""

    vehicle: VehicleModel
    lat: float
    lon: float
    knob: int
    e_lo: float
    e_hi: float
    alpha: float
    knob_name: str
    burn_fraction: float = 1.0

    def controls(self, kick: np.ndarray, energy: np.ndarray) -> np.ndarray:
        t_v, t_k = pitch_timing(self.vehicle)
        n = np.broadcast(kick, energy).size
        ctrl = make_controls(
            n,
            t_vertical_s=t_v,
            t_kick_s=t_k,
            alpha_rad=self.alpha,
            burn_fraction=self.burn_fraction,
        )
        ctrl[:, CTRL_KICK] = kick
        ctrl[:, self.knob] = energy
        return ctrl

    def fly(
        self, az: float, kick: ArrayLike, energy: ArrayLike
    ) -> tuple[Trajectories, np.ndarray, np.ndarray, np.ndarray]:
        """Fly a batch of (kick, energy) controls on launch azimuth ``az`` (deg); returns the
        trajectories, the controls, and ground range and apogee (m; NaN where the flight did
        not come down)."""
        ctrl = self.controls(np.asarray(kick, float), np.asarray(energy, float))
        memo = _FLOWN.get()
        if memo is None:
            tr, rng, apo = self._propagate(az, ctrl)
            return tr, ctrl, rng, apo
        key = (self.vehicle.cache_key(), self.lat, self.lon, az, ctrl.tobytes())
        if key not in memo:
            memo[key] = self._propagate(az, ctrl)
        tr, rng, apo = memo[key]
        return tr, ctrl, rng, apo

    def _propagate(
        self, az: float, ctrl: np.ndarray
    ) -> tuple[Trajectories, np.ndarray, np.ndarray]:
        tr = propagate(self.vehicle, self.lat, self.lon, az, ctrl, t_max_s=10_000.0)
        rng = np.where(tr.impacted, tr.ground_range_m, np.nan)
        apo = np.where(tr.impacted, tr.apogee_m, np.nan)
        rng.flags.writeable = False  # shared by every asker within a memo's scope
        apo.flags.writeable = False
        return tr, rng, apo


def shape(
    vehicle: VehicleModel,
    lat_deg: float,
    lon_deg: float,
    range_m: float,
    azimuth_deg: float,
    *,
    trajectory: str = "min-energy",
    apogee_m: float | None = None,
    generic: bool = False,
    glide_alpha_rad: float | None = None,
    energy_bounds: tuple[float, float] | None = None,
) -> Shot:
    """Shape a trajectory of ``vehicle`` from (lat, lon) to ``range_m`` on impact bearing
    ``azimuth_deg``.  ``apogee_m`` is required for lofted and depressed shapes;
    ``energy_bounds`` narrows the energy knob's search interval (its default is wide)."""
    if trajectory not in TRAJECTORIES:
        raise ShapeError(f"trajectory must be one of {', '.join(TRAJECTORIES)}")
    if trajectory != "min-energy" and apogee_m is None:
        raise ShapeError(f"a {trajectory} trajectory needs an apogee")
    if vehicle.quasi_ballistic and trajectory == "depressed" and glide_alpha_rad is None:
        # A quasi-ballistic vehicle manages a depressed shot at full burn with its pull-up:
        # the glide angle of attack, up to twice its nominal limit, is the second unknown.
        try:
            aim = _Aim(
                vehicle,
                lat_deg,
                lon_deg,
                CTRL_ALPHA,
                0.0,
                2.0 * vehicle.max_alpha_rad,
                0.0,
                "alpha",
            )
            return _shape(aim, range_m, azimuth_deg, trajectory, apogee_m)
        except ShapeError:
            pass
    knob, e_lo, e_hi = _energy_knob(vehicle, generic)
    if energy_bounds is not None:
        e_lo, e_hi = energy_bounds
    alpha = 0.0
    if vehicle.quasi_ballistic:
        alpha = vehicle.max_alpha_rad if glide_alpha_rad is None else glide_alpha_rad
    knob_name = "thrust_scale" if generic else "burn_fraction"
    aim = _Aim(vehicle, lat_deg, lon_deg, knob, e_lo, e_hi, alpha, knob_name)
    if not (vehicle.quasi_ballistic and trajectory == "depressed" and glide_alpha_rad is None):
        return _shape(aim, range_m, azimuth_deg, trajectory, apogee_m)
    try:
        return _shape(aim, range_m, azimuth_deg, trajectory, apogee_m)
    except BeyondReachError:
        raise  # too little energy: less burn and less lift fly shorter still
    except ShapeError as exc:
        first = exc
    # Energy management of a glide vehicle with more energy than a short, low shot needs: the
    # least burn (the last stage's burn fraction at the bottom of its interval), and the excess
    # bled in the glide by flying below the best lift-to-drag ratio (angle of attack from zero,
    # a ballistic fall, to the nominal one: the angle is the second unknown).  This continues
    # the burn-fraction branch just tried (at the nominal angle the two meet), the way a real
    # glider bleeds range (lower L/D, or bank reversals: less lift in the vertical plane).
    low = _Aim(
        vehicle,
        lat_deg,
        lon_deg,
        CTRL_ALPHA,
        0.0,
        vehicle.max_alpha_rad,
        0.0,
        "alpha",
        burn_fraction=e_lo,
    )
    try:
        return _shape(low, range_m, azimuth_deg, trajectory, apogee_m)
    except ShapeError:
        raise first from None


def _shape(
    aim: _Aim, range_m: float, azimuth_deg: float, trajectory: str, apogee_m: float | None
) -> Shot:
    # Aim: the launch azimuth that puts the impact on the requested bearing, by secant steps
    # on the bearing miss (Earth rotation bends lofted shots by tens of degrees).
    az = float(azimuth_deg)
    kick_e: tuple[float, float] | None = None
    prev: tuple[float, float] | None = None
    for _ in range(12):
        kick_e = _solve(aim, az, range_m, trajectory, apogee_m, kick_e)
        tr, ctrl, _, _ = aim.fly(az, *kick_e)
        miss = _wrap(float(tr.impact_azimuth_deg[0]) - float(azimuth_deg))
        if abs(miss) < 1e-3:
            break
        slope = 1.0
        if prev is not None and abs(miss - prev[1]) > 1e-9:
            slope = float(np.clip((miss - prev[1]) / _wrap(az - prev[0]), 0.2, 5.0))
        prev = (az, miss)
        az -= miss / slope
    else:
        raise ShapeError(
            f"cannot aim {aim.vehicle.name} at bearing {azimuth_deg:.1f} deg over "
            f"{range_m / 1e3:,.0f} km"
        )
    return Shot(
        vehicle=aim.vehicle,
        lat_deg=aim.lat,
        lon_deg=aim.lon,
        launch_azimuth_deg=az % 360.0,
        ctrl=ctrl[0],
        result=tr,
        energy_knob=aim.knob_name,
    )


def _wrap(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


KICK_GRID = np.concatenate([np.geomspace(0.002, 0.1, 14), np.linspace(0.12, 1.52, 40)])


def _solve(
    aim: _Aim,
    az: float,
    range_m: float,
    trajectory: str,
    apogee_m: float | None,
    guess: tuple[float, float] | None,
) -> tuple[float, float]:
    if guess is None:
        guess = _grid_guess(aim, az, range_m, trajectory, apogee_m)
    if trajectory == "min-energy":
        return _refine_min_energy(aim, az, range_m, guess)
    return _refine_newton(aim, az, range_m, apogee_m, guess)


def _grid(aim: _Aim, az: float, energies: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    kk, ee = np.meshgrid(KICK_GRID, energies)
    _, _, rng, apo = aim.fly(az, kk.ravel(), ee.ravel())
    rng = rng.reshape(kk.shape)
    best = np.nanmax(np.where(np.isnan(rng), -1.0, rng), axis=1)  # max range per energy
    return rng, apo.reshape(kk.shape), best


def _grid_guess(
    aim: _Aim, az: float, range_m: float, trajectory: str, apogee_m: float | None
) -> tuple[float, float]:
    vehicle, e_lo, e_hi = aim.vehicle, aim.e_lo, aim.e_hi
    energies = np.linspace(e_lo, e_hi, 24)
    rng, apo, best = _grid(aim, az, energies)
    if best[-1] < 0.0 and np.any(best > 0.0):
        # The highest energies never come down (escape or orbit within the time limit): the
        # search stops below the first such row.
        top = int(np.argmax(best < 0.0)) if best[0] > 0.0 else int(np.argmax(best > 0.0))
        top = max(top, 2)
        energies = np.linspace(e_lo, energies[top - 1], 24)
        rng, apo, best = _grid(aim, az, energies)
    if np.max(best) < range_m:
        # Rows near escape energy may come back only on their steepest kicks: the reach is
        # the longest range of any row, not the top row's.
        raise BeyondReachError(
            f"{range_m / 1e3:,.0f} km is beyond {vehicle.name}'s reach "
            f"(about {np.max(best) / 1e3:,.0f} km at most)"
        )
    i = int(np.argmax(best >= range_m))
    if trajectory == "min-energy":
        if i == 0:
            raise ShapeError(
                f"{range_m / 1e3:,.0f} km is shorter than {vehicle.name} can fly "
                "on a minimum-energy trajectory"
            )
        w = (range_m - best[i - 1]) / (best[i] - best[i - 1])
        e = energies[i - 1] + w * (energies[i] - energies[i - 1])
        return float(KICK_GRID[int(np.nanargmax(rng[i]))]), float(e)
    # Zoom the energy grid onto the energies that reach the range.
    if i > 0:
        energies = np.linspace(energies[i - 1], e_hi, 24)
        rng, apo, best = _grid(aim, az, energies)
    # Lofted / depressed: on each energy row, the kick on the requested branch that gives the
    # range, and the apogee there; then the energy whose apogee matches.
    cand_e: list[float] = []
    cand_k: list[float] = []
    cand_h: list[float] = []
    for j, e in enumerate(energies):
        r = rng[j]
        if not np.any(r >= range_m):
            continue
        jmax = int(np.nanargmax(np.where(np.isnan(r), -1.0, r)))
        idx = range(jmax, 0, -1) if trajectory == "lofted" else range(jmax, len(r) - 1)
        for i in idx:
            i2 = i - 1 if trajectory == "lofted" else i + 1
            r1, r2 = r[i], r[i2]
            if np.isnan(r1) or np.isnan(r2):
                continue
            if (r1 - range_m) * (r2 - range_m) <= 0.0 and r1 != r2:
                w = (range_m - r1) / (r2 - r1)
                cand_e.append(e)
                cand_k.append(KICK_GRID[i] + w * (KICK_GRID[i2] - KICK_GRID[i]))
                cand_h.append(apo[j, i] + w * (apo[j, i2] - apo[j, i]))
                break
    if len(cand_e) < 1:
        raise ShapeError(
            f"no {trajectory} trajectory of {vehicle.name} reaches {range_m / 1e3:,.0f} km"
        )
    assert apogee_m is not None, "lofted and depressed shots need an apogee"
    cand_apo = np.asarray(cand_h)
    d = cand_apo - apogee_m
    sign = np.nonzero(np.diff(np.sign(d)))[0]
    if sign.size == 0 and np.min(np.abs(d)) < 0.6 * apogee_m:
        # Near the branch's end (close to the minimum-energy apogee) the grid is too coarse to
        # bracket the apogee: start Newton from the nearest candidate (it says so if it fails).
        i = int(np.argmin(np.abs(d)))
        return float(cand_k[i]), float(cand_e[i])
    if sign.size == 0:
        lo, hi = cand_apo.min(), cand_apo.max()
        raise ShapeError(
            f"no {trajectory} trajectory of {vehicle.name} reaches {range_m / 1e3:,.0f} km with "
            f"a {apogee_m / 1e3:,.0f} km apogee (possible apogees {lo / 1e3:,.0f} to "
            f"{hi / 1e3:,.0f} km)"
        )
    i = int(sign[0])
    w = d[i] / (d[i] - d[i + 1])
    return (
        float(cand_k[i] + w * (cand_k[i + 1] - cand_k[i])),
        float(cand_e[i] + w * (cand_e[i + 1] - cand_e[i])),
    )


def _refine_newton(
    aim: _Aim,
    az: float,
    range_m: float,
    apogee_m: float | None,
    guess: tuple[float, float],
    iters: int = 12,
) -> tuple[float, float]:
    """Newton on (range, apogee) = targets, finite-difference Jacobian, 3 trajectories a step."""
    assert apogee_m is not None, "lofted and depressed shots need an apogee"
    vehicle, e_lo, e_hi = aim.vehicle, aim.e_lo, aim.e_hi
    k, e = guess
    target = np.array([range_m, apogee_m])
    scale = np.array([max(range_m, 1e3), max(apogee_m, 1e3)])
    here: tuple[float, float] | None = None  # (range, apogee) at (k, e) when already flown
    for _ in range(iters):
        dk, de = max(1e-4, 1e-3 * k), 1e-3 * (e_hi - e_lo)
        if here is None:
            _, _, rng, apo = aim.fly(az, [k, k + dk, k], [e, e, e + de])
        else:  # (k, e) is the last trial, flown just now: its two neighbours only
            _, _, r2, a2 = aim.fly(az, [k + dk, k], [e, e + de])
            rng, apo = np.r_[here[0], r2], np.r_[here[1], a2]
        f = np.array([rng[0], apo[0]]) - target
        if np.any(np.isnan(np.r_[rng, apo])):
            raise ShapeError(
                f"{vehicle.name}: no trajectory near the requested range and "
                "apogee comes back to the ground"
            )
        if np.all(np.abs(f) / scale < 1e-6):
            break
        jac = np.array(
            [[rng[1] - rng[0], rng[2] - rng[0]], [apo[1] - apo[0], apo[2] - apo[0]]]
        ) / np.array([dk, de])
        try:
            step = np.linalg.solve(jac, -f)
        except np.linalg.LinAlgError as exc:
            raise ShapeError("range and apogee cannot be met together") from exc
        # Damped step: halve it while the trial point does not come down or gets worse.
        for _ in range(6):
            k1 = float(np.clip(k + step[0], 1e-4, 1.55))
            e1 = float(np.clip(e + step[1], e_lo, e_hi))
            _, _, r1, a1 = aim.fly(az, [k1], [e1])
            f1 = np.array([r1[0], a1[0]]) - target
            if np.all(np.isfinite(f1)) and np.linalg.norm(f1 / scale) < np.linalg.norm(f / scale):
                break
            step = 0.5 * step
        k, e = k1, e1
        here = (float(r1[0]), float(a1[0]))
    if np.any(np.abs(f) / scale > 1e-3):
        raise ShapeError(
            f"{vehicle.name} cannot fly {range_m / 1e3:,.0f} km with a {apogee_m / 1e3:,.0f} km "
            "apogee"
        )
    return k, e


def _refine_min_energy(
    aim: _Aim, az: float, range_m: float, guess: tuple[float, float], iters: int = 8
) -> tuple[float, float]:
    """Secant on energy of (max range over kick) - target; the max over kick from a parabola
    through a batched kick stencil around the current optimum."""
    vehicle, e_lo, e_hi = aim.vehicle, aim.e_lo, aim.e_hi

    def max_range(e: float, k0: float) -> tuple[float, float]:
        ks = k0 * np.array([0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2])
        _, _, rng, _ = aim.fly(az, ks, np.full(ks.size, e))
        if not np.any(np.isfinite(rng)):
            raise ShapeError(
                f"{vehicle.name} cannot fly {range_m / 1e3:,.0f} km on a "
                "minimum-energy trajectory (no trajectory lands)"
            )
        i = int(np.nanargmax(rng))
        i = min(max(i, 1), ks.size - 2)
        x, y = ks[i - 1 : i + 2], rng[i - 1 : i + 2]
        c = np.polyfit(x, y, 2)
        kb = -c[1] / (2 * c[0]) if c[0] < 0 else ks[i]
        kb = float(np.clip(kb, ks[0], ks[-1]))
        return float(np.polyval(c, kb)), kb

    k, e0 = guess
    r0, k = max_range(e0, k)
    e1 = min(e_hi, e0 * 1.01)
    r1, k = max_range(e1, k)
    for _ in range(iters):
        if abs(r1 - range_m) < 1e-6 * range_m or r1 == r0:
            break
        e2 = float(np.clip(e1 + (range_m - r1) * (e1 - e0) / (r1 - r0), e_lo, e_hi))
        e0, r0 = e1, r1
        e1 = e2
        r1, k = max_range(e1, k)
    if abs(r1 - range_m) > 1e-3 * range_m:
        raise ShapeError(
            f"{vehicle.name} cannot fly {range_m / 1e3:,.0f} km on a minimum-energy trajectory"
        )
    return k, e1


def reach_m(vehicle: VehicleModel, lat_deg: float, lon_deg: float, azimuth_deg: float) -> float:
    """Longest range (m) ``vehicle`` flies from (lat, lon) on launch azimuth ``azimuth_deg``: the
    best of the kick grid at full energy (the most :func:`shape` can ask of a catalog vehicle on
    a minimum-energy arc; a quasi-ballistic one glides at its nominal angle of attack, as
    :func:`shape` flies it).  A lower bound of the true maximum by the grid's kick spacing
    (well under 1 % near the optimum).  Catalog vehicles only: the generic boost is sized per
    shot (its thrust scale), so it has no reach of its own."""
    knob, _, e_hi = _energy_knob(vehicle, False)
    alpha = vehicle.max_alpha_rad if vehicle.quasi_ballistic else 0.0
    aim = _Aim(vehicle, lat_deg, lon_deg, knob, e_hi, e_hi, alpha, "burn_fraction")
    _, _, best = _grid(aim, float(azimuth_deg), np.array([e_hi]))
    return float(best[0])
