"""The glide model: a KN-23-class pull-up glide tracked through a 100 s radar gap as one track,
with its lift estimated in the state."""

import numpy as np
import pytest
from track_helpers import make_truth, radar_scans

from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.flight.propagate import propagate
from launchwatch.flight.shaping import shape
from launchwatch.flight.vehicles import vehicle_model
from launchwatch.track.models import I_LIFT
from launchwatch.track.score import score
from launchwatch.track.tracker import Tracker

TAEKWAN = (40.23, 125.23)
SITE = geodetic_to_ecef(np.radians(39.0), np.radians(129.0), 100.0)
GLIDE = 2  # model order of DEFAULT_MODELS


@pytest.fixture(scope="module")
def glide_truth():
    """The reference KN-23-class shot (700 km, 50 km apogee, depressed, pull-up): times every
    4 s (a radar's revisit) and ECEF states (1, T, 6)."""
    shot = shape(
        vehicle_model("KN-23"), *TAEKWAN, 700e3, 95.0, trajectory="depressed", apogee_m=50e3
    )
    times = np.arange(40.0, 470.0, 4.0)
    tr = propagate(
        shot.vehicle, *TAEKWAN, shot.launch_azimuth_deg, shot.ctrl[None], sample_times_s=times
    )
    return times, tr.samples_ecef()


def test_glide_through_a_radar_gap_is_one_track(glide_truth):
    times, states = glide_truth
    rng = np.random.default_rng(11)
    gap = (times > 192.0) & (times < 296.0)  # the reference scenario's gap between radars
    tracker = Tracker()
    for k, det in enumerate(
        radar_scans(
            states,
            times,
            rng=rng,
            site=SITE,
            min_el=-1.0,
            sigma=(50.0, 1e-3, 1e-3),
            range_rate_sigma=2.0,
        )
    ):
        tracker.step(det[:0] if gap[k] else det)
    tracker.flush()
    s = score(tracker.history, make_truth(states, times), gate_m=20_000.0)
    assert np.unique(tracker.history["track_id"]).size == 1
    assert s.n_breaks == 0 and s.coverage[0] > 0.7
    h = tracker.history
    glide = h["t_s"] > 300.0
    assert np.mean(h["mu"][glide, GLIDE]) > 0.8
    # lift seen: well away from zero and from the prior's spread after the gap (2.5 sigma: the
    # ell walk follows the drag coefficient's rise, which takes this glide's ell from ~1.9 to
    # ~1.0, and keeps sigma near 0.25-0.45)
    ratio = h["lift"][glide] / h["lift_sigma"][glide]
    assert np.all(ratio > 2.5), ratio.min()
    assert np.median(ratio) > 3.5
    assert np.all(h["lift_sigma"][glide] < 0.5)
    assert np.allclose(h["cov_aux"][:, 1, I_LIFT], h["lift_sigma"] ** 2)
    k = np.searchsorted(times, h["t_s"])
    err = np.linalg.norm(h["state"][:, :3] - states[0, k, :3], axis=1)
    assert np.median(err[glide]) < 300.0
