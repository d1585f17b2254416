"""Batched trajectory propagation: the public face of the flight core.

``propagate`` flies N trajectories of one vehicle in a single call (numba kernel, parallel over
the batch, chunked so that N = 10^6 fits in memory) and returns a :class:`Trajectories` of arrays
with a leading axis N: burnout, apogee and impact events and, on request, states sampled at
common output times.  Frames: launch inertial (ECI, = ECEF at lift-off) inside; results are also
given in ECEF and geodetic coordinates.  Times in seconds after lift-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..earth import atmosphere, frames, geodesy
from ..earth.constants import G0_M_S2, OMEGA_RAD_S
from .dynamics import (
    CTRL_ALPHA,
    CTRL_BURN_FRACTION,
    CTRL_DRAG_SCALE,
    CTRL_KICK,
    CTRL_T_KICK,
    CTRL_T_VERTICAL,
    CTRL_THRUST_SCALE,
    N_CTRL,
    N_GEO,
    model_arrays,
    pchip_slopes,
)
from .integrate import (
    EV_H_APOGEE,
    EV_N_REJECT,
    EV_N_STEPS,
    EV_STATUS,
    EV_T_APOGEE,
    EV_T_BURNOUT,
    EV_T_IMPACT,
    EV_Y_APOGEE,
    EV_Y_BURNOUT,
    EV_Y_IMPACT,
    N_EV,
    STATUS_IMPACT,
    pick_batch_kernel,
)

#: Default integration tolerances, chosen by measurement against the DOP853 reference
#: (tests/flight/test_propagation_accuracy.py; docs/design.md): relative, and absolute in m and m/s.
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL_POS_M = 1.0
DEFAULT_ATOL_VEL_M_S = 1e-3


@dataclass(frozen=True, slots=True, kw_only=True)
class Physics:
    """Which parts of the force model are on.  The default is the full model; the closed-form
    Kepler checks switch rotation, J2 and aerodynamics off."""

    earth_rotation: bool = True
    j2: bool = True
    aerodynamics: bool = True

    def array(self) -> np.ndarray:
        return np.array(
            [OMEGA_RAD_S if self.earth_rotation else 0.0, float(self.j2), float(self.aerodynamics)]
        )

    @property
    def omega_rad_s(self) -> float:
        return OMEGA_RAD_S if self.earth_rotation else 0.0


FULL_PHYSICS = Physics()
KEPLER_PHYSICS = Physics(earth_rotation=False, j2=False, aerodynamics=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleModel:
    """The arrays the dynamics kernel needs for one vehicle (see :mod:`.dynamics`)."""

    name: str
    stages: np.ndarray  # (S, 4): t_end_s (cumulative), mdot_kg_s, thrust_n, m_ignition_kg
    vs: np.ndarray  # (4,): area_boost_m2, area_coast_m2, mass_coast_kg, cl_alpha_per_rad
    mach: np.ndarray
    cd: np.ndarray
    cd_slope: np.ndarray  # PCHIP node slopes of cd(mach), see dynamics.pchip_slopes
    quasi_ballistic: bool = False
    max_alpha_rad: float = 0.0

    @classmethod
    def from_stages(
        cls,
        *,
        name: str,
        burn_time_s: ArrayLike,
        propellant_mass_kg: ArrayLike,
        dry_mass_kg: ArrayLike,
        isp_vac_s: ArrayLike,
        payload_mass_kg: float,
        area_boost_m2: float,
        area_coast_m2: float,
        mach: ArrayLike,
        cd: ArrayLike,
        cl_alpha_per_rad: float = 0.0,
        quasi_ballistic: bool = False,
        max_alpha_rad: float = 0.0,
    ) -> VehicleModel:
        """Build from per-stage figures (first stage first).  Vacuum thrust
        ``mdot * g0 * Isp``; after burnout a lifting (quasi-ballistic) vehicle keeps its last
        stage's dry mass, any other one flies its payload (re-entry vehicle) alone."""
        burn = np.atleast_1d(np.asarray(burn_time_s, float))
        prop = np.atleast_1d(np.asarray(propellant_mass_kg, float))
        dry = np.atleast_1d(np.asarray(dry_mass_kg, float))
        isp = np.atleast_1d(np.asarray(isp_vac_s, float))
        mdot = prop / burn
        above = np.concatenate([np.cumsum((prop + dry)[::-1])[::-1], [0.0]])
        m0 = payload_mass_kg + above[:-1]
        stages = np.stack([np.cumsum(burn), mdot, mdot * G0_M_S2 * isp, m0], axis=1)
        m_coast = payload_mass_kg + (dry[-1] if quasi_ballistic else 0.0)
        vs = np.array([area_boost_m2, area_coast_m2, m_coast, cl_alpha_per_rad], float)
        return cls(
            name=name,
            stages=np.ascontiguousarray(stages),
            vs=vs,
            mach=np.asarray(mach, float),
            cd=np.asarray(cd, float),
            cd_slope=pchip_slopes(mach, cd),
            quasi_ballistic=quasi_ballistic,
            max_alpha_rad=max_alpha_rad,
        )

    @classmethod
    def coasting_body(
        cls,
        *,
        name: str = "re-entry body",
        mass_kg: float = 1000.0,
        area_m2: float = 0.5,
        mach: ArrayLike = (0.0, 30.0),
        cd: ArrayLike = (0.2, 0.2),
    ) -> VehicleModel:
        """A body with no motor (for flights from a given burnout state); ballistic coefficient
        ``mass / (cd * area)``."""
        stages = np.array([[0.0, 0.0, 0.0, mass_kg]])
        vs = np.array([area_m2, area_m2, mass_kg, 0.0])
        return cls(
            name=name,
            stages=stages,
            vs=vs,
            mach=np.asarray(mach, float),
            cd=np.asarray(cd, float),
            cd_slope=pchip_slopes(mach, cd),
        )

    def model_arrays(self, physics: Physics) -> tuple[Any, ...]:
        """The shared force-model arrays the kernels take (:func:`dynamics.model_arrays`), each
        C-contiguous: a vehicle's tables may be views of a wider table, and numba compiles the
        integrator once per array layout (a layout of its own doubles the compile)."""
        c = np.ascontiguousarray
        return model_arrays(
            c(self.vs),
            physics.array(),
            c(self.mach),
            c(self.cd),
            c(self.cd_slope),
            atmosphere.kernel_tables(),
        )

    def cache_key(self) -> tuple[Any, ...]:
        """A hashable key equal for two models exactly when they fly the same (every array's
        bytes, name and lift flags): for memos of flown results within one computation."""
        return (
            self.name,
            self.stages.tobytes(),
            self.vs.tobytes(),
            self.cd.tobytes(),
            self.mach.tobytes(),
            self.quasi_ballistic,
            self.max_alpha_rad,
        )

    @property
    def burn_time_s(self) -> float:
        """Total burn time of all stages at full burn, s."""
        return float(self.stages[-1, 0])

    @property
    def launch_mass_kg(self) -> float:
        return float(self.stages[0, 3])


def launch_geometry(
    lat_deg: ArrayLike, lon_deg: ArrayLike, azimuth_deg: ArrayLike, h_m: ArrayLike = 0.0
) -> np.ndarray:
    """(N, 9) launch position (ECEF, m), geodetic up and launch-azimuth horizontal unit vectors."""
    lat = np.radians(np.asarray(lat_deg, float))
    lon = np.radians(np.asarray(lon_deg, float))
    az = np.radians(np.asarray(azimuth_deg, float))
    lat, lon, az, h = np.broadcast_arrays(lat, lon, az, np.asarray(h_m, float))
    r0 = frames.geodetic_to_ecef(lat, lon, h)
    cl, sl, co, so = np.cos(lat), np.sin(lat), np.cos(lon), np.sin(lon)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    east = np.stack([-so, co, np.zeros_like(co)], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    hdg = np.cos(az)[..., None] * north + np.sin(az)[..., None] * east
    return np.ascontiguousarray(np.concatenate([r0, up, hdg], axis=-1).reshape(-1, N_GEO))


def launch_states(geo: np.ndarray, omega_rad_s: float) -> np.ndarray:
    """(N, 6) ECI states at lift-off of the (N, 9) :func:`launch_geometry` rows: at rest on the
    Earth turning at ``omega_rad_s`` (rad/s), the ECI frame aligned with ECEF at t = 0."""
    y0 = np.empty((geo.shape[0], 6))
    y0[:, :3] = geo[:, :3]
    y0[:, 3] = -omega_rad_s * geo[:, 1]
    y0[:, 4] = omega_rad_s * geo[:, 0]
    y0[:, 5] = 0.0
    return y0


def launch_start(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    h_m: ArrayLike,
    n: int,
    omega_rad_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``(geo (n, 9), y0 (n, 6))`` for ``n`` launches: :func:`launch_geometry` broadcast to
    ``n`` rows (``ValueError`` when it has another number of rows) and :func:`launch_states`."""
    geo = launch_geometry(lat_deg, lon_deg, azimuth_deg, h_m)
    if geo.shape[0] == 1 and n > 1:
        geo = np.ascontiguousarray(np.broadcast_to(geo, (n, N_GEO)))
    if geo.shape[0] != n:
        raise ValueError(f"launch geometry has {geo.shape[0]} rows, controls {n}")
    return geo, launch_states(geo, omega_rad_s)


def make_controls(
    n: int,
    *,
    t_vertical_s: ArrayLike = 5.0,
    kick_rad: ArrayLike = 0.1,
    t_kick_s: ArrayLike = 10.0,
    burn_fraction: ArrayLike = 1.0,
    alpha_rad: ArrayLike = 0.0,
    thrust_scale: ArrayLike = 1.0,
    drag_scale: ArrayLike = 1.0,
) -> np.ndarray:
    """(n, N_CTRL) control array, each argument a scalar or an (n,) array."""
    ctrl = np.empty((n, N_CTRL))
    ctrl[:, CTRL_T_VERTICAL] = t_vertical_s
    ctrl[:, CTRL_KICK] = kick_rad
    ctrl[:, CTRL_T_KICK] = t_kick_s
    ctrl[:, CTRL_BURN_FRACTION] = burn_fraction
    ctrl[:, CTRL_ALPHA] = alpha_rad
    ctrl[:, CTRL_THRUST_SCALE] = thrust_scale
    ctrl[:, CTRL_DRAG_SCALE] = drag_scale
    return ctrl


@dataclass(frozen=True, slots=True, kw_only=True)
class Trajectories:
    """Results of a batch: every array has leading axis N.  Frames as named; times in s."""

    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    impacted: np.ndarray  # bool
    t_burnout_s: np.ndarray
    burnout_eci: np.ndarray  # (N, 6)
    t_apogee_s: np.ndarray
    apogee_m: np.ndarray  # geodetic height
    apogee_eci: np.ndarray
    t_impact_s: np.ndarray
    impact_eci: np.ndarray
    n_steps: np.ndarray
    n_rejected: np.ndarray
    omega_rad_s: float = OMEGA_RAD_S  # rotation used for ECI -> ECEF of these results
    sample_times_s: np.ndarray | None = None
    samples_eci: np.ndarray | None = None  # (N, T, 6), NaN after impact
    #: (3, N, T) geodetic latitude, longitude (deg) and height (m) of the sampled positions,
    #: instead of ``samples_eci`` when flown with ``sample_geodetic``; NaN after impact
    samples_geodetic: np.ndarray | None = None
    #: (3, N, T) positions (m, launch inertial frame) of the samples, unconverted, when flown
    #: with ``sample_positions``; NaN after impact
    samples_positions: np.ndarray | None = None
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.impacted.shape[0])

    def to_ecef(self, state_eci: np.ndarray, t_s: ArrayLike) -> np.ndarray:
        """(..., 6) launch-inertial states at times ``t_s`` -> ECEF (identity when the run
        used a non-rotating Earth)."""
        if self.omega_rad_s == 0.0:
            return np.array(state_eci, float)
        r, v = frames.eci_to_ecef(state_eci[..., :3], t_s, v_eci=state_eci[..., 3:])
        return np.concatenate([r, v], axis=-1)

    @property
    def impact_ecef(self) -> np.ndarray:
        """(N, 6) impact state in ECEF (m, m/s)."""
        if "impact_ecef" not in self._cache:
            self._cache["impact_ecef"] = self.to_ecef(self.impact_eci, self.t_impact_s)
        return self._cache["impact_ecef"]

    @property
    def impact_latlon_deg(self) -> tuple[np.ndarray, np.ndarray]:
        lat, lon, _ = frames.ecef_to_geodetic(self.impact_ecef[:, :3])
        return np.degrees(lat), np.degrees(lon)

    @property
    def apogee_latlon_deg(self) -> tuple[np.ndarray, np.ndarray]:
        r = self.to_ecef(self.apogee_eci, self.t_apogee_s)[:, :3]
        lat, lon, _ = frames.ecef_to_geodetic(r)
        return np.degrees(lat), np.degrees(lon)

    @property
    def burnout_ecef(self) -> np.ndarray:
        return self.to_ecef(self.burnout_eci, self.t_burnout_s)

    @property
    def ground_range_m(self) -> np.ndarray:
        """Geodesic (WGS84) distance from launch point to impact point, m."""
        lat, lon = self.impact_latlon_deg
        _, _, dist = geodesy.inverse(self.launch_lat_deg, self.launch_lon_deg, lat, lon)
        return np.where(self.impacted, dist, np.nan)

    @property
    def impact_azimuth_deg(self) -> np.ndarray:
        lat, lon = self.impact_latlon_deg
        az, _, _ = geodesy.inverse(self.launch_lat_deg, self.launch_lon_deg, lat, lon)
        out: np.ndarray = np.mod(az, 360.0)
        return out

    def samples_ecef(self) -> np.ndarray:
        """(N, T, 6) samples in ECEF."""
        if self.sample_times_s is None or self.samples_eci is None:
            raise ValueError("this batch was flown without sample_times_s: no samples")
        if self.omega_rad_s == 0.0:
            return np.array(self.samples_eci, float)
        return frames.eci_states_to_ecef(self.samples_eci, self.sample_times_s)


def propagate(
    vehicle: VehicleModel,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    ctrl: ArrayLike,
    *,
    h_m: ArrayLike = 0.0,
    physics: Physics = FULL_PHYSICS,
    **kw: Any,
) -> Trajectories:
    """Fly N trajectories of ``vehicle`` from lift-off to impact on the WGS84 ellipsoid.

    ``ctrl`` is (N, N_CTRL) (see :func:`make_controls`); launch latitude, longitude (degrees),
    azimuth (degrees clockwise from north) and height (m) broadcast against N.  Keyword options
    as for :func:`propagate_states` (tolerances, ``t_max_s``, ``sample_times_s``).
    """
    ctrl = np.ascontiguousarray(np.atleast_2d(np.asarray(ctrl, float)))
    n = ctrl.shape[0]
    geo, y0 = launch_start(lat_deg, lon_deg, azimuth_deg, h_m, n, physics.omega_rad_s)
    return propagate_states(
        vehicle,
        y0,
        np.zeros(n),
        ctrl=ctrl,
        geo=geo,
        physics=physics,
        launch_lat_deg=lat_deg,
        launch_lon_deg=lon_deg,
        **kw,
    )


#: Fewest trajectories :func:`propagate_states` flies through the lockstep kernel when asked to
#: (below, a work item's 64 lanes would idle: ``integrate_batch``).
LOCKSTEP_MIN = 256


def propagate_states(
    vehicle: VehicleModel,
    y0_eci: np.ndarray,
    t0_s: ArrayLike,
    *,
    ctrl: np.ndarray | None = None,
    geo: np.ndarray | None = None,
    physics: Physics = FULL_PHYSICS,
    launch_lat_deg: ArrayLike = np.nan,
    launch_lon_deg: ArrayLike = np.nan,
    t_max_s: float = 7200.0,
    sample_times_s: ArrayLike | None = None,
    sample_geodetic: bool = False,
    sample_positions: bool = False,
    rtol: float = DEFAULT_RTOL,
    atol_pos_m: float = DEFAULT_ATOL_POS_M,
    atol_vel_m_s: float = DEFAULT_ATOL_VEL_M_S,
    max_steps: int = 20_000,
    chunk: int = 200_000,
    lockstep: bool = False,
) -> Trajectories:
    """Fly N trajectories from states ``y0_eci`` (N, 6; launch inertial frame, m and m/s) at
    times ``t0_s`` (s after lift-off) to impact.  Without ``ctrl`` the vehicle coasts (a state
    after burnout); ``launch_*`` give the point ground range is measured from.

    ``sample_geodetic``: the samples at ``sample_times_s`` are returned as geodetic positions
    (:attr:`Trajectories.samples_geodetic`) instead of states in ECI: the kernel writes the
    positions alone into the (3, N, T) result, which one vectorized pass then converts in place
    (:func:`launchwatch.earth.frames.eci_positions_to_geodetic_deg`): no (N, T, 6) array (an
    assessment's predicted paths).  ``sample_positions``: the positions alone, unconverted
    (:attr:`Trajectories.samples_positions`), for a caller that converts them itself (on a
    helper thread while it works on the impacts).

    ``lockstep``: flown by :func:`launchwatch.flight.lockstep.lockstep_batch` (SIMD lanes; the
    same floats as ``integrate_batch`` for coasting bodies, lifting or not; under thrust within
    a few ulps) where the batch fills its lanes (at least ``LOCKSTEP_MIN`` trajectories)."""
    y0 = np.ascontiguousarray(np.atleast_2d(np.asarray(y0_eci, float)))
    n = y0.shape[0]
    t0 = np.ascontiguousarray(np.broadcast_to(np.asarray(t0_s, float), (n,)))
    # read-only whether broadcast (a view) or copied (a scalar): the kernels are compiled for
    # one of the two (each other flag is another compile of the whole integrator)
    t0.flags.writeable = False
    if ctrl is None:
        ctrl = make_controls(n, t_vertical_s=0.0, kick_rad=0.0, t_kick_s=0.0)
    if geo is None:
        geo = np.zeros((n, N_GEO))
    times = np.asarray([] if sample_times_s is None else sample_times_s, float)
    model = vehicle.model_arrays(physics)
    ev = np.empty((n, N_EV))
    ev[:] = np.nan
    # The kernel writes every sample (NaN where there is no state): no pre-fill.
    samples = None
    out_all = np.empty((n, 0, 6))
    positions = sample_geodetic or sample_positions
    if times.size and positions:
        # positions from the kernel, (N, T, 3) view of (3, N, T): each quantity contiguous
        samples = np.empty((3, n, times.shape[0]))
        out_all = samples.transpose(1, 2, 0)
    elif times.size:
        samples = out_all = np.empty((n, times.shape[0], 6))
    lanes = lockstep and n >= LOCKSTEP_MIN
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        out = out_all[lo:hi]
        if lanes:
            from .lockstep import lockstep_batch  # (lockstep builds on this module)

            lockstep_batch(
                y0[lo:hi], t0[lo:hi], ctrl[lo:hi], geo[lo:hi], vehicle.stages, model,
                float(t_max_s), float(rtol), float(atol_pos_m), float(atol_vel_m_s),
                int(max_steps), ev[lo:hi], out_times=times if times.size else None,
                out_states=out if times.size else None,
            )  # fmt: skip
            continue
        pick_batch_kernel(hi - lo)(
            y0[lo:hi],
            t0[lo:hi],
            ctrl[lo:hi],
            geo[lo:hi],
            vehicle.stages,
            model,
            float(t_max_s),
            float(rtol),
            float(atol_pos_m),
            float(atol_vel_m_s),
            int(max_steps),
            times,
            out,
            ev[lo:hi],
        )
    if samples is not None and sample_geodetic:
        frames.eci_positions_to_geodetic_deg(samples, times, physics.omega_rad_s)
    return trajectories_from_events(
        ev,
        launch_lat_deg,
        launch_lon_deg,
        physics.omega_rad_s,
        sample_times_s=times if samples is not None else None,
        samples=samples,
        sample_geodetic=sample_geodetic,
        sample_positions=sample_positions,
    )


def trajectories_from_events(
    ev: np.ndarray,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    omega_rad_s: float,
    *,
    sample_times_s: np.ndarray | None = None,
    samples: np.ndarray | None = None,
    sample_geodetic: bool = False,
    sample_positions: bool = False,
) -> Trajectories:
    """The :class:`Trajectories` of a batch kernel's event record ``ev`` (N, N_EV; views, not
    copies), launch points broadcast against N, and the samples if any (``samples`` (N, T, 6)
    states, or (3, N, T) positions: geodetic when ``sample_geodetic``, ECI when
    ``sample_positions``): :func:`propagate_states`'
    and :func:`launchwatch.flight.lockstep.propagate_lockstep`'s one builder."""
    n = ev.shape[0]
    positions = sample_geodetic or sample_positions
    lat0 = np.broadcast_to(np.asarray(launch_lat_deg, float), (n,))
    lon0 = np.broadcast_to(np.asarray(launch_lon_deg, float), (n,))
    impacted = ev[:, EV_STATUS] == STATUS_IMPACT
    return Trajectories(
        launch_lat_deg=lat0,
        launch_lon_deg=lon0,
        impacted=impacted,
        t_burnout_s=ev[:, EV_T_BURNOUT],
        burnout_eci=ev[:, EV_Y_BURNOUT : EV_Y_BURNOUT + 6],
        t_apogee_s=ev[:, EV_T_APOGEE],
        apogee_m=ev[:, EV_H_APOGEE],
        apogee_eci=ev[:, EV_Y_APOGEE : EV_Y_APOGEE + 6],
        t_impact_s=np.where(impacted, ev[:, EV_T_IMPACT], np.nan),
        impact_eci=ev[:, EV_Y_IMPACT : EV_Y_IMPACT + 6],
        n_steps=ev[:, EV_N_STEPS],
        n_rejected=ev[:, EV_N_REJECT],
        omega_rad_s=omega_rad_s,
        sample_times_s=sample_times_s if samples is not None else None,
        samples_eci=samples if samples is not None and not positions else None,
        samples_geodetic=samples if samples is not None and sample_geodetic else None,
        samples_positions=samples
        if samples is not None and positions and not sample_geodetic
        else None,
    )
