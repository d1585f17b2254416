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

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class BurnTemplates:
    """The catalog's stages as templates of the rest of a burn (one row per vehicle and stage,
    SI): thrust (N), mass flow (kg/s), exhaust velocity (m/s), mass at ignition and at burnout
    (kg, everything above included), burn time (s), the burn time before the stage (s), and
    the following stages' (at most :data:`NEXT_STAGES`, padded with empty stages) mass at
    ignition, mass flow, exhaust velocity and burn time."""

    thrust_n: np.ndarray
    mdot_kg_s: np.ndarray
    c_m_s: np.ndarray
    m_ign_kg: np.ndarray
    m_bo_kg: np.ndarray
    burn_s: np.ndarray
    before_s: np.ndarray
    next_m_ign_kg: np.ndarray
    next_mdot_kg_s: np.ndarray
    next_c_m_s: np.ndarray
    next_burn_s: np.ndarray

    @property
    def a_ign_m_s2(self) -> np.ndarray:
        """Thrust acceleration at ignition of each template's stage."""
        out: np.ndarray = self.thrust_n / self.m_ign_kg
        return out

    @property
    def a_bo_m_s2(self) -> np.ndarray:
        """Thrust acceleration at burnout of each template's stage."""
        out: np.ndarray = self.thrust_n / self.m_bo_kg
        return out


#: Stages after a template's own that it carries (the catalog's stacks have at most three).
NEXT_STAGES = 2


@cache
def burn_templates() -> BurnTemplates:
    """The templates of every catalog vehicle's and generic boost's stages (cached)."""
    from ..flight.boosts import load_boosts
    from ..flight.catalog import load_vehicles

    stacks: list[tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float], float]]
    stacks = [
        (
            [s.burn_time_s for s in v.stages],
            [s.propellant_mass_kg for s in v.stages],
            [s.dry_mass_kg for s in v.stages],
            [s.isp_vac_s for s in v.stages],
            v.payload_mass_kg,
        )
        for v in load_vehicles().values()
    ]
    stacks += [
        (b.burn_time_s, b.propellant_mass_kg, b.dry_mass_kg, b.isp_vac_s, b.payload_mass_kg)
        for b in load_boosts()
    ]
    rows: list[list[float]] = []
    for burn, prop, dry, isp, payload in stacks:
        n = len(burn)
        m_ign = [payload + sum(prop[j] + dry[j] for j in range(i, n)) for i in range(n)]
        stage = [
            (m_ign[i], prop[i] / burn[i], isp[i] * G0_M_S2, burn[i]) for i in range(n)
        ]  # (mass at ignition, mass flow, exhaust velocity, burn time)
        for i in range(n):
            nxt = stage[i + 1 : i + 1 + NEXT_STAGES]
            nxt += [(1.0, 0.0, 0.0, 0.0)] * (NEXT_STAGES - len(nxt))
            m0, mdot, c, t = stage[i]
            rows.append(
                [mdot * c, mdot, c, m0, m0 - prop[i], t, float(sum(burn[:i]))]
                + [x for st in nxt for x in st]
            )
    a = np.asarray(rows, float)
    nx = a[:, 7:].reshape(-1, NEXT_STAGES, 4)
    cols = [a[:, j] for j in range(7)] + [nx[..., j] for j in range(4)]
    for col in cols:
        read_only(col)
    return BurnTemplates(*cols)


#: Half-width of the window of the time since launch (s, and as a share of it) in which a
#: template's matched point must lie (estimate: the launch estimate's clock and the catalog's
#: burn times are each good to ten or twenty seconds early in a flight).
TAU_WINDOW_S = 20.0
TAU_WINDOW_SHARE = 0.3


def _template_draws(
    tau: np.ndarray,
    a0: np.ndarray,
    known: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample (flat (N,) inputs: time since launch, NaN unknown; thrust acceleration now
    and whether it is known): the remaining burn of a catalog template matched to what the
    track tells -- ``(ok, t_rem, dv)``, ``ok`` False where no template matches.

    Each sample scales a random template's thrust by a factor uniform in :data:`BURN_SCALE`
    (the catalog's figures are estimates) and places itself on that stage's burn where the
    thrust acceleration equals its own ``a0`` (known), or where the stage's clock equals
    ``tau`` (acceleration unknown); the point must lie on the stage, and (``tau`` known) within
    the window :data:`TAU_WINDOW_S` / :data:`TAU_WINDOW_SHARE` of ``tau``.  The burn left is the
    rest of that stage and the template's following stages, cut off anywhere before its end
    (uniform in time: energy management); ``dv`` by the rocket equation along the template."""
    tpl = burn_templates()
    n, m = a0.size, tpl.burn_s.size
    f = rng.uniform(*BURN_SCALE, (n, 1))
    thrust = tpl.thrust_n[None, :] * f
    # mass at the matched point: from the acceleration, or from the stage clock
    s_clock = tau[:, None] - tpl.before_s[None, :]
    m_acc = thrust / np.maximum(a0, 1e-3)[:, None]
    m_clk = tpl.m_ign_kg[None, :] - tpl.mdot_kg_s[None, :] * s_clock
    m_now = np.where(known[:, None], m_acc, m_clk)
    s_now = (tpl.m_ign_kg[None, :] - m_now) / tpl.mdot_kg_s[None, :]
    on_stage = (m_now <= tpl.m_ign_kg[None, :]) & (m_now > tpl.m_bo_kg[None, :])
    elapsed = tpl.before_s[None, :] + s_now
    window = np.maximum(TAU_WINDOW_S, TAU_WINDOW_SHARE * tau)[:, None]
    in_time = ~np.isfinite(tau)[:, None] | (np.abs(elapsed - tau[:, None]) <= window)
    ok_tpl = on_stage & in_time
    # one matching template per sample, uniformly among those that match
    key = np.where(ok_tpl, rng.random((n, m)), -1.0)
    j = np.argmax(key, axis=1)
    ok = ok_tpl[np.arange(n), j]
    rows = np.arange(n)
    f1 = f[:, 0]
    mn = np.where(ok, m_now[rows, j], 1.0)
    m_bo = tpl.m_bo_kg[j]
    mdot = tpl.mdot_kg_s[j]
    c = tpl.c_m_s[j] * f1
    t_stage = np.where(ok, (mn - m_bo) / mdot, 0.0)
    t_total = t_stage + tpl.next_burn_s[j].sum(axis=1)
    t_rem = t_total * rng.random(n)
    # the speed gained over t_rem: the rest of this stage, then the following stages
    t_here = np.minimum(t_rem, t_stage)
    dv = c * np.log(mn / np.maximum(mn - mdot * t_here, m_bo))
    left = t_rem - t_here
    for k in range(NEXT_STAGES):
        tk = np.minimum(left, tpl.next_burn_s[j, k])
        m0 = tpl.next_m_ign_kg[j, k]
        dv += tpl.next_c_m_s[j, k] * f1 * np.log(m0 / (m0 - tpl.next_mdot_kg_s[j, k] * tk))
        left = left - tk
    return ok, np.where(ok, t_rem, 0.0), np.where(ok, dv, 0.0)


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
    tau_known = np.asarray(t_since_launch_s, float)
    tau = np.nan_to_num(tau_known, nan=0.0)
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
    # a catalog stage matched to the acceleration (or the clock) where one matches: the
    # draws above only where none does
    # (drawn for the burning samples only: a coasting track's round costs nothing here)
    fb = np.flatnonzero(burning.reshape(-1))
    if fb.size:
        ok, t_tpl, dv_tpl = _template_draws(
            np.repeat(np.clip(tau_known, 0.0, None), n)[fb],
            a0.reshape(-1)[fb],
            np.repeat(known, n)[fb],
            rng,
        )
        t_rem.reshape(-1)[fb[ok]] = t_tpl[ok]
        dv.reshape(-1)[fb[ok]] = dv_tpl[ok]
    dv = np.minimum(dv, np.clip(MAX_SPEED_M_S - np.asarray(speed_m_s, float), 0.0, None)[:, None])
    return burning, np.where(burning, t_rem, 0.0), np.where(burning, dv, 0.0)


#: Factor on the heading sigma of a track that may still burn (fitted on the boost-regime
#: assessments of the campaign sets regional-2019-2025 seed 2 and japan-overflights seed 2: the
#: boost model's heading lags the missile's turn, its error was 1.3 times its sigma RMS and up to
#: 2.6 times; the truth then fell off the side of a fan 7,000 km long and 200 km wide).
BOOST_HEADING_FACTOR = 2.0


def widen_heading(mean: np.ndarray, cov: np.ndarray, burn_prob: np.ndarray) -> np.ndarray:
    """Covariances (K, 8, 8) of ``[r (m), v (m/s), ...]`` estimates (ECEF) with the velocity's
    variance across the track in the local horizontal widened by :data:`BOOST_HEADING_FACTOR`
    squared, in proportion to ``burn_prob`` (K,) (the heading a burning track's filter reports
    is too sure of itself; the burn is flown along it)."""
    r, v = mean[:, :3], mean[:, 3:6]
    up = r / np.linalg.norm(r, axis=1, keepdims=True)
    across = np.cross(up, v)
    norm = np.linalg.norm(across, axis=1, keepdims=True)
    across = np.where(norm > 1e-9, across / np.maximum(norm, 1e-9), 0.0)
    var = np.einsum("ki,kij,kj->k", across, cov[:, 3:6, 3:6], across)
    extra = (BOOST_HEADING_FACTOR**2 - 1.0) * var * np.clip(np.nan_to_num(burn_prob), 0.0, 1.0)
    out = np.array(cov, float)
    out[:, 3:6, 3:6] += extra[:, None, None] * np.einsum("ki,kj->kij", across, across)
    return out
