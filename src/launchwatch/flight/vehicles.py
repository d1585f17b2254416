"""Vehicle models for the propagator: from the catalog, or the generic boost family.

A catalog :class:`~launchwatch.flight.catalog.Vehicle` holds the published (or estimated)
figures; :func:`vehicle_model` turns it into the arrays the kernel flies.  When a report names no
vehicle, :func:`generic_boost` stands in: one stage of a stated burn time whose energy is set by
the thrust-scale control (an effective exhaust velocity), so that reconstruction needs only an
assumption about powered flight, not a missile.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .catalog import Vehicle, get_vehicle
from .dynamics import VS_MASS_COAST
from .propagate import VehicleModel

#: Generic boost model (our construction, not a vehicle): one stage, propellant fraction 0.8 of
#: lift-off mass, re-entry body 10 % of it, nominal vacuum Isp 300 s; the thrust scale control
#: multiplies the exhaust velocity, so the energy is free while the burn time stays as assumed.
GENERIC_LIFTOFF_MASS_KG = 20_000.0
GENERIC_PROPELLANT_FRACTION = 0.80
GENERIC_PAYLOAD_FRACTION = 0.10
GENERIC_ISP_S = 300.0
#: Generic slender re-entry body (our construction): 2,000 kg on 0.785 m^2 with the drag table
#: below gives a ballistic coefficient m / (Cd A) of 13,000-25,000 kg/m^2, the range quoted for
#: modern slender RVs (Regan & Anandakrishnan, *Dynamics of Atmospheric Re-entry*, AIAA 1993).
GENERIC_RV_AREA_M2 = 0.785
GENERIC_MACH = (0.0, 0.8, 1.2, 2.0, 5.0, 30.0)
GENERIC_CD = (0.20, 0.22, 0.36, 0.26, 0.14, 0.10)


def vehicle_model(vehicle: Vehicle | str) -> VehicleModel:
    """Kernel model of a catalog vehicle (by object or name)."""
    v = get_vehicle(vehicle) if isinstance(vehicle, str) else vehicle
    area_body = math.pi * (v.diameter_m / 2.0) ** 2 if v.diameter_m else v.reference_area_m2
    mach, cd = np.array(v.cd_mach, float).T
    lift = v.lift
    model = VehicleModel.from_stages(
        name=v.name,
        burn_time_s=[s.burn_time_s for s in v.stages],
        propellant_mass_kg=[s.propellant_mass_kg for s in v.stages],
        dry_mass_kg=[s.dry_mass_kg for s in v.stages],
        isp_vac_s=[s.isp_vac_s for s in v.stages],
        payload_mass_kg=v.payload_mass_kg,
        area_boost_m2=area_body,
        area_coast_m2=v.reference_area_m2,
        mach=mach,
        cd=cd,
        cl_alpha_per_rad=lift.cl_alpha_per_rad if (lift and v.quasi_ballistic) else 0.0,
        quasi_ballistic=v.quasi_ballistic,
        max_alpha_rad=math.radians(lift.max_alpha_deg) if lift else 0.0,
    )
    if v.quasi_ballistic and v.body_separates:
        # A glide vehicle leaves its last stage at burnout: it alone coasts and glides.
        vs = model.vs.copy()
        vs[VS_MASS_COAST] = v.payload_mass_kg
        model = dataclasses.replace(model, vs=vs)
    return model


def generic_boost(burn_time_s: float) -> VehicleModel:
    """The generic one-stage boost of ``burn_time_s`` seconds (see module docstring)."""
    m0 = GENERIC_LIFTOFF_MASS_KG
    prop = GENERIC_PROPELLANT_FRACTION * m0
    payload = GENERIC_PAYLOAD_FRACTION * m0
    return VehicleModel.from_stages(
        name=f"generic boost {burn_time_s:.0f} s",
        burn_time_s=[burn_time_s],
        propellant_mass_kg=[prop],
        dry_mass_kg=[m0 - prop - payload],
        isp_vac_s=[GENERIC_ISP_S],
        payload_mass_kg=payload,
        area_boost_m2=2.0,
        area_coast_m2=GENERIC_RV_AREA_M2,
        mach=GENERIC_MACH,
        cd=GENERIC_CD,
    )


#: Typical total burn time against reach (minimum-energy range), from the catalog's own stage
#: estimates (vehicles.yaml): KN-23 class 30 s at ~500 km, Hwasong-12 85 s at ~4,500 km, and the
#: mean of the four ICBMs (320, 330, 170, 185 s) at ~13,000 km.  Used only for the generic boost.
_REACH_KM = (500.0, 4500.0, 13000.0)
_BURN_S = (30.0, 85.0, 251.0)


def kepler_reach_m(range_m: float, apogee_m: float | None = None) -> float:
    """Minimum-energy range (m, spherical Kepler) of the burnout speed that a surface-to-surface
    arc of this range (through this apogee, or minimum-energy) needs: the energy class of a
    reported shot, before any boost assumption."""
    from ..earth.constants import R_MEAN_M
    from . import kepler

    psi = range_m / R_MEAN_M
    if apogee_m is None:
        return float(range_m)
    v, _, _ = kepler.arc_from_apogee(R_MEAN_M, apogee_m, psi)
    q = float(kepler.q_parameter(R_MEAN_M, v))
    if q >= 1.0:
        return math.pi * R_MEAN_M  # half-way round or more: orbital class
    return float(kepler.max_range_angle(R_MEAN_M, v)) * R_MEAN_M


def default_burn_time_s(range_m: float, apogee_m: float | None = None) -> float:
    """Typical total burn time (s) for a missile with the energy of this shot: the generic boost
    assumption when no vehicle is named (stated in the output, varied for the band)."""
    return float(default_burn_times_s(np.array([kepler_reach_m(range_m, apogee_m)]))[0])


def default_burn_times_s(reach_m: np.ndarray) -> np.ndarray:
    """:func:`default_burn_time_s` of minimum-energy reaches ``reach_m`` (any shape, m)."""
    reach_km = np.maximum(np.asarray(reach_m, float) / 1e3, 1.0)
    out: np.ndarray = np.interp(np.log(reach_km), np.log(_REACH_KM), _BURN_S)
    return out


def shot_model(
    vehicle: str | None, range_m: float, apogee_m: float | None = None
) -> tuple[VehicleModel, bool, tuple[float, float] | None]:
    """The model a shot of this range (and apogee) is flown with: the named catalog vehicle, or,
    when none is named, the generic boost whose burn time suits the shot's energy
    (:func:`default_burn_time_s`) with its thrust-scale search interval.  Returns ``(model,
    generic, energy bounds or None)`` for :func:`launchwatch.flight.shaping.shape`."""
    if vehicle is not None:
        return vehicle_model(vehicle), False, None
    burn = default_burn_time_s(range_m, apogee_m)
    return generic_boost(burn), True, generic_thrust_scale_bounds(burn, range_m, apogee_m)


def generic_thrust_scale_bounds(
    burn_time_s: float, range_m: float, apogee_m: float | None = None
) -> tuple[float, float]:
    """Search interval of the generic boost's thrust scale for a shot of this range (and apogee).

    From the closed-form Kepler burnout speed of the surface-to-surface arc (minimum-energy, or
    through the apogee), plus a gravity-loss allowance of g * burn time / 2, converted to the
    thrust scale whose ideal delta-v equals it; the interval is x0.6 to x1.5 around it, so the
    solver stays clear of escape and no-lift-off energies.
    """
    from ..earth.constants import G0_M_S2, R_MEAN_M
    from . import kepler

    psi = range_m / R_MEAN_M
    if apogee_m is None:
        v, _ = kepler.min_energy(R_MEAN_M, psi)
    else:
        v, _, _ = kepler.arc_from_apogee(R_MEAN_M, apogee_m, psi)
    dv = float(v) + 0.5 * G0_M_S2 * burn_time_s
    ideal_at_1 = GENERIC_ISP_S * G0_M_S2 * math.log(1.0 / (1.0 - GENERIC_PROPELLANT_FRACTION))
    guess = dv / ideal_at_1
    return 0.5 * guess, 1.8 * guess
