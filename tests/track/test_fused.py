"""The fused frame step (:mod:`launchwatch.track.fused`) against the general path: the same
detections through a tracker with ``fused_frames`` on and off give the same tracks, ledger
and estimates (to 1e-9 relative: the arithmetic is the same, compiled in another function)."""

import numpy as np
from track_helpers import radar_scans

from launchwatch.bench.tracking import _noisy, _visible_targets
from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track.bench import SIGMA
from launchwatch.track.tracker import Tracker, TrackerConfig


def _run(batches, fused, compiled_ekf=True):
    tracker = Tracker(TrackerConfig())
    tracker.fused_frames = fused
    tracker.compiled_ekf = compiled_ekf
    for det in batches:
        tracker.step(det)
    tracker.flush()
    return tracker


def _assert_same(a, b):
    assert a.n_updates == b.n_updates
    np.testing.assert_array_equal(a.ledger(), b.ledger())
    ha, hb = a.history, b.history
    assert ha.size == hb.size
    for name in ("t_s", "track_id", "det_id", "confirmed"):
        np.testing.assert_array_equal(ha[name], hb[name])
    for name in ("state", "log_beta", "lift", "mu"):
        np.testing.assert_allclose(ha[name], hb[name], rtol=1e-9, atol=1e-12)
    scale = np.sqrt(np.abs(np.diagonal(hb["cov"], axis1=1, axis2=2)))
    tol = 1e-9 * scale[:, :, None] * scale[:, None, :]
    assert np.all(np.abs(ha["cov"] - hb["cov"]) <= tol)


def test_fused_equals_general_on_one_target():
    times = np.arange(0.0, 20.05, 0.1)
    _, radar, z_true = _visible_targets(1, times, seed=1)
    z = _noisy(z_true, seed=101)
    batches = []
    for k in range(times.size):
        det = np.zeros(1, DETECTION_DTYPE)
        det["sensor"], det["kind"], det["sigma"], det["sensor_ecef_m"] = "R0", "radar", SIGMA, radar
        det["det_id"], det["t_s"] = k, times[k]
        det["z"][:, :3], det["z"][:, 3] = z[:, k], np.nan
        batches.append(det)
    fused, general = _run(batches, True), _run(batches, False)
    assert fused.n_fused_frames > 190 and general.n_fused_frames == 0
    _assert_same(fused, general)


def test_fused_equals_general_on_a_salvo(salvo_truth):
    """Eight crossing boosting SRBMs, missed detections and a second radar with range rate:
    frames of both kinds (one-to-one pairs and shared gates)."""
    times, states = salvo_truth
    rng = np.random.default_rng(5)
    a = radar_scans(states[:, ::5], times[::5], rng=rng, pd=0.9)
    b = radar_scans(
        states[:, 2::5], times[2::5], rng=rng, pd=0.8, sensor="R2", range_rate_sigma=2.0,
        first_id=10**6,
    )  # fmt: skip
    batches = [d for pair in zip(a, b, strict=False) for d in pair]
    fused, general = _run(batches, True), _run(batches, False)
    assert fused.n_fused_frames > 0.5 * len(batches)
    _assert_same(fused, general)


def _bytes_equal(a, b):
    assert a.n_updates == b.n_updates
    assert a.ledger().tobytes() == b.ledger().tobytes()
    assert a.history.tobytes() == b.history.tobytes()
    for name in ("x", "P", "mu", "t", "xc", "Pc", "hits", "misses", "confirmed"):
        assert getattr(a.tracks, name).tobytes() == getattr(b.tracks, name).tobytes(), name


def test_compiled_ekf_path_equals_batched_calls():
    """The general path's compiled prediction and update (:func:`~launchwatch.track.fused.
    predict_tracks_kernel`, ``update_tracks_kernel``) against the IMM's batched filter calls,
    bit for bit: 30 targets in scans whose rows are spread over 40 ms (so detections off the
    frame's median time are predicted to their own time), and the salvo."""
    times = np.arange(0.0, 12.05, 0.1)
    n = 30
    _, radar, z_true = _visible_targets(n, times, seed=7)
    z = _noisy(z_true, seed=8)
    spread = np.linspace(0.0, 0.04, n)
    batches = []
    for k in range(times.size):
        det = np.zeros(n, DETECTION_DTYPE)
        det["sensor"], det["kind"], det["sigma"], det["sensor_ecef_m"] = "R0", "radar", SIGMA, radar
        det["det_id"], det["t_s"] = k * n + np.arange(n), times[k] + spread
        det["z"][:, :3], det["z"][:, 3] = z[:, k], np.nan
        batches.append(det)
    compiled, batched = _run(batches, False), _run(batches, False, compiled_ekf=False)
    assert compiled.tracks.n >= n and compiled.n_updates > 0.9 * n * times.size
    _bytes_equal(compiled, batched)
