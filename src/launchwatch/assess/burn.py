"""The burn a boosting track may have left: samples of it, so that a prediction made while the
motor may still burn says how little it knows.

A track in boost is predicted by flying its samples; a purely ballistic flight of the current
state is only a lower bound on the range (measured on an IRBM test scenario: the first
prediction 2,593 km short with an 82 km ellipse -- confidently wrong).  Each sample of a track
therefore still burns with the probability ``burn_prob`` the track gives (the tracker's
boost-model probability, see :func:`.run.burn_probability`), and a burning sample flies a
remaining burn drawn from what public vehicles do (:func:`remaining_burn`):

* **how long**: a total burn time from the catalog -- the vehicles' summed stage burn times
  (``flight/data/vehicles.yaml``) and the generic boosts' (``flight/data/boosts.yaml``), each
  stretched by a factor uniform in :data:`BURN_SCALE` (both files' burn times are estimates or
  other vehicles' figures) -- among those still burning at the track's time since launch
  (``t_since_launch_s``; unknown: every catalog burn counts from now, the widest fan); the
  burn may be cut off at any time before that (energy management: catalog vehicles fly
  shorter shots on a shortened last burn), so the remaining burn is uniform between zero and
  the total less the time since launch;
* **how hard**: the thrust acceleration now, ``a0``, from the track (the slope of its speed
  plus gravity's loss, with its sigma; unknown: uniform in :data:`ACCEL_PRIOR_M_S2`), and the
  rocket equation at an exhaust velocity uniform in :data:`EXHAUST_M_S` (Isp 255-310 s, the
  span of the catalog's stages): ``dv = -c ln(1 - a0 t / c)``, the acceleration growing as the
  propellant goes, capped where the propellant would run out (:data:`MIN_MASS_FRACTION`) and at
  :data:`MAX_SPEED_M_S` (an ICBM's burnout speed);
* **which way**: along the velocity (a gravity turn, as every catalog pitch program ends).

The predictor flies the burn as a constant acceleration ``dv / t`` along the air-relative
velocity (the flight core's gravity turn), then coasts: the same ``dv`` over the same time as
the rising rocket-equation profile, flown a little flatter (the velocity turns by gravity while
slower).  The fan of a young IRBM track then spans MRBM to ICBM reach, which is what is known.

Units SI; times s, accelerations m/s^2.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..earth.arrays import read_only
from ..earth.constants import G0_M_S2

#: Stretch of a catalog burn time (uniform; estimate: the catalog's burn times are estimates
#: or other vehicles' public figures, good to about a fifth).
BURN_SCALE = (0.8, 1.25)
#: Exhaust velocity of the burning stage, m/s (uniform): Isp 255-310 s, the span of the
#: catalog's stages (vehicles.yaml, boosts.yaml: 258-316 s vacuum).
EXHAUST_M_S = (255.0 * G0_M_S2, 310.0 * G0_M_S2)
#: Prior of the thrust acceleration when the track cannot tell (uniform, m/s^2; estimate:
#: lift-off thrust-to-weight ~1.5 to burnout accelerations ~8 g of the catalog's stages).
ACCEL_PRIOR_M_S2 = (5.0, 80.0)
#: Smallest mass fraction of what still burns (estimate: a stage's dry mass plus what sits
#: above it, ~15 %): caps the rocket equation at ``-c ln 0.15 ~ 1.9 c``.
MIN_MASS_FRACTION = 0.15
#: Largest Earth-relative speed a burn reaches, m/s (estimate: an ICBM's burnout speed,
#: ~7.2 km/s inertial).
MAX_SPEED_M_S = 7300.0


@cache
def catalog_burn_times_s() -> np.ndarray:
    """Total burn times (s) of the catalog's vehicles and generic boosts, sorted."""
    from ..flight.boosts import load_boosts
    from ..flight.catalog import load_vehicles

    times = [sum(s.burn_time_s for s in v.stages) for v in load_vehicles().values()]
    times += [b.total_burn_s for b in load_boosts()]
    out = np.unique(np.asarray(times, float))
    read_only(out)  # cached: shared by every caller
    return out


def remaining_burn(
    burn_prob: np.ndarray,
    speed_m_s: np.ndarray,
    t_since_launch_s: np.ndarray,
    accel_m_s2: np.ndarray,
    accel_sigma_m_s2: np.ndarray,
    n: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per track (K,) and sample (n): whether the sample still burns, its remaining burn time
    (s) and its speed gain ``dv`` (m/s) (module docstring); (K, n) arrays each.  Sample 0 (the
    track's mean) never burns.  NaN ``t_since_launch_s`` or ``accel_m_s2`` mean unknown."""
    k = np.size(burn_prob)
    p = np.clip(np.nan_to_num(np.asarray(burn_prob, float)), 0.0, 1.0)
    burning = rng.random((k, n)) < p[:, None]
    burning[:, 0] = False
    cat = catalog_burn_times_s()
    tau = np.nan_to_num(np.asarray(t_since_launch_s, float), nan=0.0)
    tau = np.clip(tau, 0.0, None)
    # a catalog burn among those still burning now, stretched: uniform over (entry, stretch)
    total = cat[rng.integers(0, cat.size, (k, n))] * rng.uniform(*BURN_SCALE, (k, n))
    alive = total > tau[:, None]
    # resample the draws that have already burnt out (a few rounds; the rest burn briefly)
    for _ in range(4):
        redo = ~alive
        if not redo.any():
            break
        total[redo] = cat[rng.integers(0, cat.size, int(redo.sum()))] * rng.uniform(
            *BURN_SCALE, int(redo.sum())
        )
        alive = total > tau[:, None]
    # cut off anywhere before the propellant is spent (energy management: a 2,700 km Hwasong-12
    # shot ends its burn early), uniform over what is left
    t_rem = np.clip(total - tau[:, None], 0.0, None) * rng.random((k, n))
    a_hat = np.asarray(accel_m_s2, float)
    a_sig = np.nan_to_num(np.asarray(accel_sigma_m_s2, float), nan=0.0)
    known = np.isfinite(a_hat)
    a0 = np.where(
        known[:, None],
        np.nan_to_num(a_hat)[:, None] + a_sig[:, None] * rng.standard_normal((k, n)),
        rng.uniform(*ACCEL_PRIOR_M_S2, (k, n)),
    )
    a0 = np.clip(a0, 0.0, None)
    c = rng.uniform(*EXHAUST_M_S, (k, n))
    spent = np.clip(a0 * t_rem / c, 0.0, 1.0 - MIN_MASS_FRACTION)
    dv = -c * np.log1p(-spent)
    dv = np.minimum(dv, np.clip(MAX_SPEED_M_S - np.asarray(speed_m_s, float), 0.0, None)[:, None])
    return burning, np.where(burning, t_rem, 0.0), np.where(burning, dv, 0.0)
