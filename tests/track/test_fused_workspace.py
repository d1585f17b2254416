"""The fused kernels' work space (:func:`launchwatch.track.fused.workspace`): the scratch views
tile it exactly, and the one-to-one check of the fused step (written without allocation)
still sends shared tracks or detections to the general path untouched."""

import numpy as np
from test_fused import _run

from launchwatch.bench.tracking import _noisy, _visible_targets
from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track.bench import SIGMA
from launchwatch.track.ekf import meas_args
from launchwatch.track.fused import _carve, frame_update_kernel, workspace, workspace_size
from launchwatch.track.measure import Measurements
from launchwatch.track.models import atmosphere_args


def _flat(views):
    for v in views:
        if isinstance(v, tuple):
            yield from _flat(v)
        else:
            yield v


def test_scratch_views_tile_the_workspace():
    for m, n in ((3, 8), (2, 7), (1, 6)):
        ws = np.full(workspace_size(m, n), -1.0)
        views = list(_flat(_carve(ws, m, n)))
        assert len(views) == 26
        assert sum(v.size for v in views) == ws.size
        for k, v in enumerate(views):
            assert v.flags.c_contiguous and np.shares_memory(v, ws)
            assert np.all(v == -1.0), k  # no view overlaps an earlier one
            v[...] = k
        assert np.all(ws >= 0.0)


def _one_target_tracker(n_scans=8):
    times = np.arange(0.0, 0.1 * n_scans + 0.05, 0.1)  # the last scan is left out
    _, radar, z_true = _visible_targets(1, times, seed=1)
    z = _noisy(z_true, seed=101)
    batches = []
    for k in range(times.size):
        det = np.zeros(1, DETECTION_DTYPE)
        det["sensor"], det["kind"], det["sigma"], det["sensor_ecef_m"] = "R0", "radar", SIGMA, radar
        det["det_id"], det["t_s"] = k, times[k]
        det["z"][:, :3], det["z"][:, 3] = z[:, k], np.nan
        batches.append(det)
    return _run(batches[:-1], True), batches[-1]


def test_fused_step_declines_shared_pairs_without_touching_tracks():
    tracker, nxt = _one_target_tracker()
    tr, imm = tracker.tracks, tracker.imm
    assert tr.n == 1 and tracker.n_fused_frames > 0
    det = np.concatenate([nxt, nxt])  # the next scan's detection, twice
    det["det_id"] += np.array([0, 1])
    meas = Measurements.from_detections(det)
    t_ref = float(det["t_s"][0])
    before = {k: getattr(tr, k).copy() for k in ("x", "P", "mu", "t", "hits", "misses")}
    for ti, di in (([0, 0], [0, 1]), ([0], [0])):
        ti, di = np.array(ti), np.array(di)
        a_trk, a_det = np.empty(ti.size, np.int64), np.empty(ti.size, np.int64)
        k = frame_update_kernel(
            tr.x, tr.P, tr.mu, tr.t, tr.xc, tr.Pc, tr.hits, tr.misses, tr.confirmed,
            tr.last_sensor, ti, di, imm.transition_matrix(t_ref - tr.t[ti]), t_ref,
            tracker.config.frame_window_s, imm.track_params(ti.size), 1.0, *atmosphere_args(),
            *meas_args(meas), np.ascontiguousarray(meas.t_s), tracker._chi2,
            tracker.config.confirm_hits, 0, a_trk, a_det, workspace(3, imm.n_state),
        )  # fmt: skip
        if ti.size == 2:  # one track, two detections: the general path's (nothing changed)
            assert k == -1
            for name, v in before.items():
                assert getattr(tr, name).tobytes() == v.tobytes(), name
        else:  # one pair: updated in place
            assert k == 1 and a_trk[0] == 0 and a_det[0] == 0
            assert tr.t[0] == t_ref and tr.hits[0] == before["hits"][0] + 1
