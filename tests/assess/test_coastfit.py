"""The batch arc fit (assess/coastfit.py) against an independent reference: truth arcs flown by
scipy's DOP853 (J2 gravity, Earth rotation and drag written out here), radar measurements with
Gaussian noise of their stated sigmas; over many draws the fit's normalised estimation error
squared (NEES) must fall in its chi-square band -- honest, neither too wide nor too narrow."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.stats import chi2

from launchwatch.assess.coastfit import fit_arcs
from launchwatch.earth import frames
from launchwatch.earth.atmosphere import density
from launchwatch.earth.constants import A_M, GM_M3_S2, J2, OMEGA_RAD_S
from launchwatch.track.measure import Measurements

RADAR = (40.85, 140.30, 20.0)  # a site in northern Honshu (deg, deg, m)
SIGMA = np.array([30.0, 1.5e-3, 1.5e-3, 3.0])  # range m, az rad, el rad, range rate m/s
DRAWS = 200


def _rhs(t, y, inv_beta):
    """d/dt of N stacked ECEF states (6N,): J2 gravity, rotating-frame terms, drag."""
    s = y.reshape(-1, 6)
    r, v = s[:, :3], s[:, 3:]
    rn = np.linalg.norm(r, axis=1)
    zr2 = (r[:, 2] / rn) ** 2
    k = 1.5 * J2 * (A_M / rn) ** 2
    g = -GM_M3_S2 / rn[:, None] ** 3 * r
    g[:, :2] *= (1.0 + k * (1.0 - 5.0 * zr2))[:, None]
    g[:, 2] *= 1.0 + k * (3.0 - 5.0 * zr2)
    w = np.array([0.0, 0.0, OMEGA_RAD_S])
    a = g - 2.0 * np.cross(w, v) - np.cross(w, np.cross(w, r))
    h = frames.ecef_to_geodetic(r)[2]
    sp = np.linalg.norm(v, axis=1)
    a -= (0.5 * np.asarray(density(h)) * inv_beta * sp)[:, None] * v
    return np.concatenate([v, a], axis=1).reshape(-1)


def _truth(x0, inv_beta, times):
    """States (N, T, 6) at ``times`` (ascending) of N arcs from ``x0`` (N, 6) at times[0]."""
    sol = solve_ivp(
        _rhs,
        (times[0], times[-1]),
        x0.reshape(-1),
        method="DOP853",
        t_eval=times,
        rtol=1e-12,
        atol=1e-6,
        args=(inv_beta,),
    )
    return sol.y.reshape(x0.shape[0], 6, -1).transpose(0, 2, 1)


def _measure(states, rng):
    """Noisy radar measurements of states (N, T, 6): Measurements laid out (N, T)."""
    lat, lon, h = np.radians(RADAR[0]), np.radians(RADAR[1]), RADAR[2]
    site = frames.geodetic_to_ecef(lat, lon, h)
    E = frames.enu_matrix(lat, lon)
    d = states[..., :3] - site
    enu = d @ E.T
    rng_m = np.linalg.norm(d, axis=-1)
    az = np.mod(np.arctan2(enu[..., 0], enu[..., 1]), 2 * np.pi)
    el = np.arctan2(enu[..., 2], np.hypot(enu[..., 0], enu[..., 1]))
    rr = np.einsum("...i,...i->...", d, states[..., 3:]) / rng_m
    z = np.stack([rng_m, az, el, rr], axis=-1).reshape(-1, 4)
    z = z + rng.standard_normal(z.shape) * SIGMA
    k = z.shape[0]
    return Measurements(
        z=z,
        sigma=np.tile(SIGMA, (k, 1)),
        valid=np.ones((k, 4), bool),
        sensor_ecef=np.tile(site, (k, 1)),
        enu=np.tile(E, (k, 1, 1)),
        t_s=np.zeros(k),
        det_id=np.arange(k),
    )


def _start(h_m, speed, gamma_deg, n):
    """n copies of an ECEF state above the Sea of Japan, heading east, flight-path angle
    ``gamma_deg``, at height ``h_m``."""
    lat, lon = np.radians(40.0), np.radians(136.0)
    r = frames.geodetic_to_ecef(lat, lon, h_m)
    E = frames.enu_matrix(lat, lon)
    g = np.radians(gamma_deg)
    v = E.T @ np.array([speed * np.cos(g), 0.0, speed * np.sin(g)])
    return np.tile(np.concatenate([r, v]), (n, 1))


def _nees(case, rng):
    """(N,) NEES of the fit at the last measurement time and the fits' ok flags."""
    h, speed, gamma, span, n_meas, drag = case
    x0 = _start(h, speed, gamma, DRAWS)
    ln_beta = np.log(6000.0) + 0.75 * rng.standard_normal(DRAWS) if drag else np.full(DRAWS, 30.0)
    times = np.linspace(0.0, span, n_meas)
    truth = _truth(x0, np.exp(-ln_beta), times)
    meas = _measure(truth, rng)
    # descending from the reference (last) time, as the fit takes them
    order = np.arange(n_meas)[::-1]
    meas = meas.take((np.arange(DRAWS)[:, None] * n_meas + order[None, :]).reshape(-1))
    meas = Measurements(
        *(getattr(meas, f) for f in Measurements.__slots__[:5]),
        t_s=np.tile(times[order], DRAWS),
        det_id=meas.det_id,
    )
    x_true = truth[:, -1]
    guess = np.concatenate(
        [
            x_true + rng.standard_normal((DRAWS, 6)) * [200, 200, 200, 20, 20, 20],
            np.full((DRAWS, 1), np.log(6000.0)),
            np.full((DRAWS, 1), 0.0),
        ],
        axis=1,
    )
    fit = fit_arcs(guess, np.full(DRAWS, span), meas, np.ones((DRAWS, n_meas), bool))
    idx = [0, 1, 2, 3, 4, 5, 6] if drag else [0, 1, 2, 3, 4, 5]
    truth_x = np.concatenate([x_true, ln_beta[:, None]], axis=1)[:, idx]
    err = fit.mean[:, idx] - truth_x
    cov = fit.cov[:, idx][:, :, idx]
    return np.einsum("ki,kij,kj->k", err, np.linalg.inv(cov), err), fit.ok, len(idx)


@pytest.mark.parametrize(
    "case",
    [
        # exo-atmospheric coast: 300 km, 4 km/s climbing at 10 deg, 50 s of 1 s revisits
        (300e3, 4000.0, 10.0, 50.0, 51, False),
        # re-entry: 45 km, 3 km/s diving at 30 deg, 20 s (drag measures ln beta)
        (45e3, 3000.0, -30.0, 20.0, 41, True),
    ],
    ids=["exo", "reentry"],
)
def test_batch_fit_nees_in_its_chi2_band(case):
    rng = np.random.default_rng(7)
    nees, ok, dof = _nees(case, rng)
    assert ok.mean() >= 0.98  # the true model passes its own residual test
    n = ok.sum()
    lo, hi = chi2.ppf([0.005, 0.995], dof * n) / n
    assert lo <= nees[ok].mean() <= hi, (nees[ok].mean(), lo, hi)


@pytest.mark.slow
def test_chain_coast_ellipses_not_twice_too_wide():
    """Exo-atmospheric and re-entry assessments of the first six ballistic engagements of
    campaign single-missile, seed 2 (SRBMs and KN-25s), through the whole chain: the 50 %
    ellipse held the truth in 0.78 of them with the tracker's covariance (too wide: its clouds
    were about twice the actual spread); with the arc fits 0.62.  The 95 % ellipse keeps
    holding it."""
    from launchwatch.campaign.generate import generate
    from launchwatch.campaign.score import assessment_rows
    from launchwatch.campaign.spec import load_spec
    from launchwatch.pipeline.chain import run_chain, track_truth

    spec = load_spec("single-missile")[0]
    r50, r95 = [], []
    for i in (0, 3, 7, 8, 10, 12):
        eng = generate(spec, 2, i)
        ch = run_chain(
            eng.scenario, interval_s=eng.chain["interval_s"], n_samples=eng.chain["n_samples"]
        )
        rows = assessment_rows(ch, track_truth(ch.sim))
        coast = np.asarray(rows["regime"]) >= 2  # exo, re-entry
        r50 += list(np.asarray(rows["r2_50"], float)[coast])
        r95 += list(np.asarray(rows["r2_95"], float)[coast])
    in50, in95 = np.mean(np.array(r50) <= 1.0), np.mean(np.array(r95) <= 1.0)
    assert len(r50) > 200
    assert in50 <= 0.70, in50
    assert in95 >= 0.90, in95
