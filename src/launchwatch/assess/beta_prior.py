"""The coast fit's prior on a body's ballistic coefficient, from the catalog bodies that could
be flying.

Above the atmosphere nothing measures ``ln beta``; what the fit's prior says there is what the
impact cloud says along the track.  One prior for every track (``ln 6000 +- 0.75``) is the
catalog's whole spread of re-entering bodies, low-beta tail included.  A track shows something
of its vehicle, though: its energy (the Kepler minimum-energy range, :func:`.impact.
capability_class`) says which range class it flies, and each catalog body belongs to one.  The
prior here is the mixture of the catalog's bodies, each weighted by how well its class explains
the track's (:data:`CLASS_LEAK` per class step apart: an energy-managed or off-loaded shot reads
a neighbouring class), moment-matched to one Gaussian (the between-body spread plus
:data:`WITHIN_SIGMA`).  It never uses which vehicle the track truly is.

The bodies: each catalog vehicle's re-entering body (payload mass over ``Cd A`` at
:data:`MACH_REF` from its drag table, ``flight/data/vehicles.yaml``) in its catalog class, and
the generic slender re-entry body of the generic boost
(:data:`launchwatch.flight.vehicles.GENERIC_RV_AREA_M2` and its drag table) in every class (a
generic boost is picked for every energy, :func:`launchwatch.flight.boosts.pick`): the stand-in
for a vehicle the catalog does not know.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..earth.arrays import read_only
from ..earth.constants import OMEGA_RAD_S
from ..flight.classes import RANGE_CLASS_NAMES
from .impact import capability_class

#: Mach number at which a body's drag coefficient sets its ``ln beta`` (estimate: the middle of
#: a re-entry's hypersonic descent, where the drag decelerates an SRBM-IRBM body most).
MACH_REF = 8.0
#: Weight of a body per class step between its catalog class and the track's (estimate: the
#: catalog's test shots mostly fly their class's energy; an energy-managed shot one class down).
CLASS_LEAK = 0.3
#: Sigma of a vehicle's burnout time since launch (s; estimate: the launch estimate's clock and
#: the catalog's burn times are each good to ten or twenty seconds, :data:`.burn.TAU_WINDOW_S`)
#: and its share of the burn (estimate: the catalog's burn times are good to about a fifth,
#: :data:`.burn.BURN_SCALE`).
BURN_TIME_SIGMA_S = 20.0
BURN_TIME_SHARE = 0.2
#: Probability that a shot's motor was cut off early (energy management), and the longest burn
#: as a multiple of the catalog's (:data:`.burn.BURN_SCALE`'s upper end); estimates.
CUTOFF_P = 0.3
BURN_CUTOFF_MAX = 1.25
#: Seen burning for less than this after its first row (s), a track's burnout time says
#: nothing (its first rows keep their largest boost probability, :data:`.run.YOUNG_S`).
MIN_BURN_SEEN_S = 12.0
#: Spread of one body's own ``ln beta`` (estimate: the catalog's re-entry masses and drag
#: tables are estimates good to about a quarter).
WITHIN_SIGMA = 0.25


@cache
def catalog_bodies() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``ln beta`` (beta in kg/m^2) at :data:`MACH_REF` of the catalog's re-entering bodies
    (B,), the range classes each stands for (B, classes) bool (order of ``RANGE_CLASS_NAMES``)
    and its vehicle's total burn time (B,) s (NaN: the generic body, whose burn is the generic
    boost's for the track's energy, :func:`launchwatch.flight.vehicles.default_burn_times_s`)."""
    from ..flight.catalog import load_vehicles
    from ..flight.vehicles import (
        GENERIC_CD,
        GENERIC_LIFTOFF_MASS_KG,
        GENERIC_MACH,
        GENERIC_PAYLOAD_FRACTION,
        GENERIC_RV_AREA_M2,
    )

    names = list(RANGE_CLASS_NAMES)
    ln_beta: list[float] = []
    member: list[list[bool]] = []
    burn: list[float] = []
    for v in load_vehicles().values():
        mach, cd = np.array(v.cd_mach, float).T
        cd_ref = float(np.interp(MACH_REF, mach, cd))
        ln_beta.append(math.log(v.payload_mass_kg / (cd_ref * v.reference_area_m2)))
        member.append([c == v.range_class for c in names])
        burn.append(sum(st.burn_time_s for st in v.stages))
    cd_ref = float(np.interp(MACH_REF, GENERIC_MACH, GENERIC_CD))
    mass = GENERIC_LIFTOFF_MASS_KG * GENERIC_PAYLOAD_FRACTION
    ln_beta.append(math.log(mass / (cd_ref * GENERIC_RV_AREA_M2)))
    member.append([True] * len(names))
    burn.append(math.nan)
    out = np.asarray(ln_beta), np.asarray(member, bool), np.asarray(burn)
    for a in out:
        read_only(a)
    return out


def class_weights(class_idx: np.ndarray) -> np.ndarray:
    """Weights (K, B) of the catalog's bodies for tracks of range class ``class_idx`` (K,)
    (indices into ``RANGE_CLASS_NAMES``), each row summing to one."""
    _, member, _ = catalog_bodies()
    n_cls = member.shape[1]
    steps = np.abs(np.arange(n_cls)[:, None] - np.arange(n_cls)[None, :])  # (class, class)
    # a body's weight: its best-matching class's CLASS_LEAK ** steps from the track's class
    like = np.where(member[None, :, :], CLASS_LEAK ** steps[:, None, :], 0.0).max(axis=2)
    c = np.clip(np.asarray(class_idx, int), 0, n_cls - 1)
    w: np.ndarray = like[c] / like[c].sum(axis=1, keepdims=True)
    return w


def burn_likelihood(burnout_s: np.ndarray, reach_m: np.ndarray) -> np.ndarray:
    """Likelihood (K, B) of each catalog body's vehicle given the tracks' burnout times since
    launch ``burnout_s`` (K,) s (NaN, or before launch -- the launch estimate is off: unknown,
    every body alike) and minimum-energy reaches ``reach_m`` (K,) (the generic body's burn)."""
    from ..flight.vehicles import default_burn_times_s

    _, _, burn = catalog_bodies()
    t = np.asarray(burnout_s, float)[:, None]
    t = np.where(t < 0.0, np.nan, t)
    generic = default_burn_times_s(np.asarray(reach_m, float))[:, None]
    b = np.where(np.isnan(burn)[None, :], generic, burn[None, :])
    sig = np.hypot(BURN_TIME_SIGMA_S, BURN_TIME_SHARE * b)
    gauss = np.exp(-0.5 * ((t - b) / sig) ** 2) / (math.sqrt(2.0 * math.pi) * sig)
    cut = np.where((t >= 0.0) & (t <= BURN_CUTOFF_MAX * b), 1.0 / (BURN_CUTOFF_MAX * b), 0.0)
    like = (1.0 - CUTOFF_P) * gauss + CUTOFF_P * cut
    out: np.ndarray = np.where(np.isnan(t), 1.0, like)
    return out


def log_beta_prior(
    r_ecef_m: np.ndarray, v_ecef_m_s: np.ndarray, burnout_s: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and sigma (K,) of the ``ln beta`` prior of coasting tracks at ECEF positions (K, 3)
    m and velocities (K, 3) m/s whose burnout came ``burnout_s`` (K,) s after launch (NaN or
    None: unknown), and their range class index (K,) (module docstring)."""
    ln_beta, _, _ = catalog_bodies()
    r = np.asarray(r_ecef_m, float)
    omega = np.array([0.0, 0.0, OMEGA_RAD_S])
    v_inertial = np.asarray(v_ecef_m_s, float) + np.cross(omega, r)
    reach, cls = capability_class(r, v_inertial)
    w = class_weights(cls)
    if burnout_s is not None:
        w = w * burn_likelihood(burnout_s, reach)
        total = w.sum(axis=1, keepdims=True)
        # nothing in the catalog explains it: the class alone
        w = np.where(total > 0.0, w / np.where(total > 0.0, total, 1.0), class_weights(cls))
    mean = w @ ln_beta
    var = np.einsum("kb,kb->k", w, (ln_beta[None, :] - mean[:, None]) ** 2)
    return mean, np.sqrt(var + WITHIN_SIGMA**2), cls
