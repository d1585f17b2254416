"""Generic boosts: the powered flight a reconstruction assumes when no vehicle is named.

A report gives figures, not a missile.  The flight time that goes with a range and an apogee
depends on minutes of powered flight (how long, how many stages), so the reconstruction flies a
*generic boost*: the staging and burn times of a public vehicle (``flight/data/boosts.yaml``,
every number cited or marked as an estimate), with the energy left free (the thrust-scale
control multiplies the exhaust velocity of every stage).  Which boost is picked follows the
reported energy: the minimum-energy (Kepler) reach of the burnout speed the reported arc needs,
classed SRBM / MRBM / IRBM / ICBM, and the propellant when the report names a catalog missile
(liquid by default).  Liquid ICBM energies fly Titan II staging, liquid MRBM/IRBM energies the
single stage of the R-12 (its RD-214 engine's public burn time, 140 s), solid MRBM to ICBM
energies the burn times of a two- or three-stage stack of Orion motors; SRBM energies fly one
stage whose burn time is the catalog's class estimate (:func:`.vehicles.default_burn_time_s`,
30 s at 500 km, from the solid KN-23 class), unless the report names a liquid missile (a Scud):
then the Scud-B's single stage and 62 s burn (:func:`liquid_srbm`).  A 30 s burn for a Scud
shortened the 2017-05-29 Scud-type shot (450 km, 120 km apogee) by 22 s against the 62 s burn
(``scripts/published_shots.py --sensitivity 2017-05-29``).  An SRBM report that names no missile
keeps the class estimate: North Korea's SRBMs flown since 2019 are solid (KN-23/24/25).

Why the R-12 and not the catalog's 85 s Hwasong-12 estimate (which rests on KCNA's claimed
80 tf, a lift-off thrust-to-weight near 3, unlike any fielded liquid missile): measured on the
five published Hwasong-12 shots (range and apogee in, flight time out), the 85 s burn comes
out -3.2 % (2017-05-14, lofted), -3.8 % (2017-09-15), -6.7 % (2022-01-30, lofted) and +4.8 %
(2017-08-29); the 140 s burn -0.7 %, +0.2 %, +2.6 % (2022-10-04), -4.2 % and +10.3 %.  The
one it flies long, 2017-08-29, has the least precise time of the five: launch 05:57 (ROK JCS)
or 05:58 (Japan) to splash 06:12 (Japan), clock minutes, so 781-959 s; 926 s is inside.  No
public single-stage burn fits every report: "30 minutes" for 800 km / 2,000 km (2022-01-30)
needs a burn of ~170 s or more, while 2017-08-29's 14 minutes needs ~100 s or less.

A longer single-stage burn is not the fix for 2022-01-30 (800 km, "about 2,000 km", "about 30
minutes", -4.2 % with 140 s; recon7, ``scripts/published_shots.py --sensitivity / --staging
2022-01-30``).  The flight time moves 0.8 s per second of burn, so within 3 % needs ~170 s of
single-stage burn and the reported time ~230 s.  The public vehicle figures allow less: about
28 t at lift-off (ANSA 2017-08-29, http://ansa.it/sito/notizie/mondo/asia/2017/08/29/il-missile-
hwasong-12-lanciato-dalla-corea-del-nord-_9f3505a2-387b-46f7-b33c-481144779f06.html) and KCNA's
80 tf engine (the September 2016 ground test, which it said ran 200 s, via topwar 2016,
https://id.topwar.ru/100942-smi-seul-provel-nazemnoe-ispytanie-raketnogo-dvigatelya.html; the
basis of the catalog's 85 s estimate in vehicles.yaml).  At a propellant fraction of ~0.85
(estimate) and a sea-level Isp of ~270 s (estimate), that engine burns the ~24 t in ~80 s.  A
230 s burn of the same load is ~28 tf: a lift-off thrust-to-weight near 1, which cannot fly.  The staging is right for the class: the energy
(Kepler reach ~4,500 km, IRBM) picks the liquid single stage, as the Hwasong-12 is.  Titan II's
two stages (336 s) come out at +3.2 %, but a two-stage powered flight for a single-stage missile
is not sound.  What the miss reads is the apogee's rounding.  Japan used the same words ("about
30 minutes", "over 2,000 km") for 2017-05-14, whose KCNA apogee was 2,111.5 km.  At 2,100 km the
same boost gives 1,781 s (-1.0 %).

Energy stays a thrust scale (full burn), not a cut-off: the shots that report all three figures
are lofted full-energy tests, and cutting a burn short only shortens the powered flight (the
flight time of a 800 km / 2,000 km lofted arc moves by ~0.7 s per second of burn, measured).

A boost can be stretched: ``scale`` multiplies every stage's burn time at the same propellant
loads (the same energy, spread over a longer or shorter burn).  That is the knob the joint
reconstruction fits when range, apogee and flight time are all reported.

Units: SI (s, kg, m/s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..earth.constants import G0_M_S2, R_MEAN_M
from . import kepler
from .catalog import UnknownNameError, get_vehicle
from .classes import range_class
from .propagate import VehicleModel
from .vehicles import (
    GENERIC_CD,
    GENERIC_ISP_S,
    GENERIC_LIFTOFF_MASS_KG,
    GENERIC_MACH,
    GENERIC_PAYLOAD_FRACTION,
    GENERIC_PROPELLANT_FRACTION,
    GENERIC_RV_AREA_M2,
    default_burn_time_s,
    kepler_reach_m,
)

PROPELLANTS = ("liquid", "solid")


@dataclass(frozen=True, slots=True)
class Boost:
    """One generic boost: per-stage arrays (bottom stage first), payload, provenance name."""

    name: str
    propellant: str
    classes: tuple[str, ...]
    burn_time_s: tuple[float, ...]
    propellant_mass_kg: tuple[float, ...]
    dry_mass_kg: tuple[float, ...]
    isp_vac_s: tuple[float, ...]
    payload_mass_kg: float

    @property
    def total_burn_s(self) -> float:
        return float(sum(self.burn_time_s))

    @property
    def n_stages(self) -> int:
        return len(self.burn_time_s)

    def model(self, scale: float = 1.0) -> VehicleModel:
        """Kernel model with every burn time multiplied by ``scale`` (same loads)."""
        return VehicleModel.from_stages(
            name=f"{self.name}, burn x{scale:.3g}" if scale != 1.0 else self.name,
            burn_time_s=[b * scale for b in self.burn_time_s],
            propellant_mass_kg=list(self.propellant_mass_kg),
            dry_mass_kg=list(self.dry_mass_kg),
            isp_vac_s=list(self.isp_vac_s),
            payload_mass_kg=self.payload_mass_kg,
            area_boost_m2=2.0,
            area_coast_m2=GENERIC_RV_AREA_M2,
            mach=GENERIC_MACH,
            cd=GENERIC_CD,
        )

    def ideal_delta_v_m_s(self) -> float:
        """Tsiolkovsky vacuum delta-v at thrust scale 1, m/s."""
        mass = self.payload_mass_kg + sum(self.propellant_mass_kg) + sum(self.dry_mass_kg)
        dv = 0.0
        for p, d, isp in zip(
            self.propellant_mass_kg, self.dry_mass_kg, self.isp_vac_s, strict=True
        ):
            dv += isp * G0_M_S2 * math.log(mass / (mass - p))
            mass -= p + d
        return dv

    def thrust_scale_bounds(
        self, range_m: float, apogee_m: float | None, scale: float = 1.0
    ) -> tuple[float, float]:
        """Search interval of the thrust scale: the Kepler burnout speed of the reported arc
        plus a gravity-loss allowance of g x burn time / 2, as a fraction of the ideal delta-v;
        x0.5 to x2.2 around it (wide enough that a long, lofted burn is never cut off)."""
        v = _kepler_speed(range_m, apogee_m)
        dv = v + 0.5 * G0_M_S2 * self.total_burn_s * scale
        guess = dv / self.ideal_delta_v_m_s()
        return 0.5 * guess, 2.2 * guess


def _kepler_speed(range_m: float, apogee_m: float | None) -> float:
    psi = range_m / R_MEAN_M
    if apogee_m is None:
        v, _ = kepler.min_energy(R_MEAN_M, psi)
    else:
        v, _, _ = kepler.arc_from_apogee(R_MEAN_M, apogee_m, psi)
    return float(v)


def energy_class(range_m: float, apogee_m: float | None = None) -> str:
    """Range class of the reported energy (Kepler reach of the arc's burnout speed)."""
    reach_km = kepler_reach_m(range_m, apogee_m) / 1e3
    return range_class(reach_km)


@cache
def _data() -> dict[str, Any]:
    text = resources.files("launchwatch.flight.data").joinpath("boosts.yaml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _boost(b: dict[str, Any]) -> Boost:
    st = b["stages"]
    return Boost(
        name=b["name"],
        propellant=b["propellant"],
        classes=tuple(b["classes"]),
        burn_time_s=tuple(float(s["burn_time_s"]) for s in st),
        propellant_mass_kg=tuple(float(s["propellant_mass_kg"]) for s in st),
        dry_mass_kg=tuple(float(s["dry_mass_kg"]) for s in st),
        isp_vac_s=tuple(float(s["isp_vac_s"]) for s in st),
        payload_mass_kg=float(b["payload_mass_kg"]),
    )


@cache
def load_boosts() -> tuple[Boost, ...]:
    """The packaged generic boosts for MRBM to ICBM energies (``flight/data/boosts.yaml``,
    ``boosts``; the liquid SRBM boost, :func:`liquid_srbm`, is kept apart)."""
    return tuple(_boost(b) for b in _data()["boosts"])


@cache
def liquid_srbm() -> Boost:
    """The liquid short-range boost (Scud-B staging, ``boosts.yaml`` ``srbm_liquid``): picked
    for SRBM energies only when the report names a liquid missile."""
    return _boost(_data()["srbm_liquid"])


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def propellant_of(name: str | None) -> str | None:
    """Propellant (``liquid`` / ``solid``) of a missile a report names: the vehicle catalog's,
    else that of a family in ``boosts.yaml`` ``propellant_families`` the name starts with
    (case, spaces and hyphens ignored: "Scud-type" is a Scud); ``None`` when unknown."""
    if not name:
        return None
    try:
        return get_vehicle(name).propellant
    except UnknownNameError:
        pass
    key = _key(name)
    for fam in _data().get("propellant_families", []):
        if key.startswith(_key(fam["family"])):
            prop: str = fam["propellant"]
            return prop
    return None


def one_stage(burn_time_s: float, propellant: str = "liquid") -> Boost:
    """The one-stage generic boost of :func:`.vehicles.generic_boost` as a :class:`Boost`."""
    m0 = GENERIC_LIFTOFF_MASS_KG
    prop = GENERIC_PROPELLANT_FRACTION * m0
    payload = GENERIC_PAYLOAD_FRACTION * m0
    return Boost(
        name=f"one-stage, {burn_time_s:.0f} s (catalog class estimate)",
        propellant=propellant,
        classes=("SRBM",),
        burn_time_s=(float(burn_time_s),),
        propellant_mass_kg=(prop,),
        dry_mass_kg=(m0 - prop - payload,),
        isp_vac_s=(GENERIC_ISP_S,),
        payload_mass_kg=payload,
    )


def pick(range_m: float, apogee_m: float | None = None, propellant: str | None = None) -> Boost:
    """The generic boost for a shot of this reported energy (see the module docstring)."""
    prop = propellant if propellant in PROPELLANTS else "liquid"
    cls = energy_class(range_m, apogee_m)
    if cls == "SRBM":
        if propellant == "liquid":  # named liquid (a Scud): the Scud-B's 62 s, not 30 s
            return liquid_srbm()
        return one_stage(default_burn_time_s(range_m, apogee_m), prop)
    for b in load_boosts():
        if b.propellant == prop and cls in b.classes:
            return b
    raise LookupError(f"no generic {prop} boost for class {cls}")  # the data file covers all


def alternatives(range_m: float, apogee_m: float | None = None) -> list[Boost]:
    """Both propellants' boosts for this energy (liquid first)."""
    seen, out = set(), []
    for p in PROPELLANTS:
        b = pick(range_m, apogee_m, p)
        if b.name not in seen:
            seen.add(b.name)
            out.append(b)
    return out
