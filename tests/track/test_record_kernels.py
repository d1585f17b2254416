"""The compiled per-record passes of the tracker's bookkeeping against NumPy field operations:
usable rows and their order (:func:`~launchwatch.track.batches.screen`), measurements from
detections (:meth:`~launchwatch.track.measure.Measurements.from_detections` against
``from_fields``), ledger and history rows (:mod:`launchwatch.track.history`).  Random records
with IR rows, NaNs, non-positive noise, bad kinds and several sensor sites: bit for bit."""

import numpy as np
import pytest

from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.track import history as hist
from launchwatch.track.batches import frames, screen
from launchwatch.track.measure import Measurements


def _records(n, seed, *, one_site=False):
    rng = np.random.default_rng(seed)
    det = np.zeros(n, DETECTION_DTYPE)
    det["det_id"] = rng.integers(0, 10**9, n)
    det["sensor"] = rng.choice(["R0", "R1", "SBIRS-GEO-1"], n)
    det["kind"] = rng.choice(["radar", "ir", "sonar", ""], n, p=[0.6, 0.3, 0.05, 0.05])
    det["t_s"] = rng.uniform(0.0, 10.0, n)
    det["z"] = rng.normal(1.0, 1.0, (n, 4))
    det["sigma"] = rng.normal(1.0, 1.0, (n, 4))
    sites = np.array([[-3.1e6, 4.1e6, 3.8e6], [4e4, 4.2e7, 1e3], [1e5, 2e5, 3e5]])
    det["sensor_ecef_m"] = sites[np.zeros(n, int) if one_site else rng.integers(0, 3, n)]
    for field, p in (("z", 0.05), ("sigma", 0.05), ("t_s", 0.02), ("sensor_ecef_m", 0.02)):
        col = det[field]
        col[rng.random(col.shape) < p] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0])
    return det


def _usable_numpy(det):
    z, sg = det["z"], det["sigma"]
    ok_z = np.isfinite(z) & np.isfinite(sg) & (sg > 0)
    ir = det["kind"] == "ir"
    angles = np.where(ir[:, None], ok_z[:, :2], ok_z[:, 1:3]).all(axis=1)
    return (
        np.isfinite(det["t_s"])
        & np.isfinite(det["sensor_ecef_m"]).all(axis=1)
        & angles
        & ((det["kind"] == "radar") | ir)
        & (np.linalg.norm(det["sensor_ecef_m"], axis=1) > 1e6)
    )


@pytest.mark.parametrize("seed", range(4))
def test_screen_equals_numpy(seed):
    det = _records(400, seed)
    ok, n_ok, in_order = screen(det)
    ref = _usable_numpy(det)
    np.testing.assert_array_equal(ok, ref)
    assert n_ok == ref.sum() and 0 < n_ok < det.size
    assert not in_order
    det = det[np.argsort(det["t_s"], kind="stable")]
    assert screen(det)[2]
    np.testing.assert_array_equal(screen(det[::3])[0], _usable_numpy(det[::3]))  # a strided view


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # geodetic of the NaN / inf sites
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("one_site", [False, True])
def test_measurements_from_records_equal_numpy(seed, one_site):
    det = _records(300, seed, one_site=one_site)
    for rows in (det, det[::2], det[:1], det[:0]):
        a, b = Measurements.from_detections(rows), Measurements.from_fields(rows)
        for name in Measurements.__slots__:
            x, y = getattr(a, name), getattr(b, name)
            assert x.dtype == y.dtype and x.shape == y.shape, name
            assert x.tobytes() == y.tobytes(), name


def test_frames_of_one_scan_and_of_mixed_sensors():
    det = np.zeros(5, DETECTION_DTYPE)
    det["sensor"], det["t_s"] = "R0", [0.0, 0.01, 0.02, 0.03, 0.04]
    assert [f.tolist() for f in frames(det, 0.05)] == [[0, 1, 2, 3, 4]]
    assert [f.tolist() for f in frames(det, 0.025)] == [[0, 1, 2], [3, 4]]
    det["sensor"][3] = "R00"  # a longer name sharing the prefix is another sensor
    assert [f.tolist() for f in frames(det, 0.05)] == [[0, 1, 2, 4], [3]]


def test_ledger_rows_equal_numpy():
    det = _records(50, 9)
    good = _usable_numpy(det)
    out = np.zeros(det.size, hist.LEDGER_DTYPE)
    hist.ledger_rows_kernel(det, good, out, hist.PENDING, hist.REJECTED)
    ref = np.zeros(det.size, hist.LEDGER_DTYPE)
    ref["det_id"], ref["t_s"], ref["track_id"] = det["det_id"], det["t_s"], -1
    ref["outcome"] = np.where(good, hist.PENDING, hist.REJECTED)
    assert out.tobytes() == ref.tobytes()


def _record_numpy(dtype, rows, det_id, t, ids, xc, Pc, mu, confirmed):
    out = np.zeros(rows.size, dtype)
    out["t_s"], out["track_id"], out["det_id"] = t[rows], ids[rows], det_id
    x, P = xc[rows], Pc[rows]
    out["state"], out["log_beta"] = x[:, :6], x[:, 6]
    out["log_beta_sigma"] = np.sqrt(np.clip(P[:, 6, 6], 0.0, None))
    out["lift"] = x[:, 7]
    out["lift_sigma"] = np.sqrt(np.clip(P[:, 7, 7], 0.0, None))
    if "cov_aux" in dtype.names:
        out["cov_aux"] = P[:, 6:8, :8]
    out["cov"] = P[:, :6, :6] if out["cov"].ndim == 3 else np.diagonal(P, axis1=1, axis2=2)[:, :6]
    out["mu"], out["confirmed"] = mu[rows], confirmed[rows]
    return out


@pytest.mark.parametrize("covariance", ["full", "diag"])
def test_history_rows_equal_numpy(covariance):
    rng = np.random.default_rng(3)
    n, m = 20, 3
    t, ids = rng.uniform(0, 9, n), rng.integers(1, 99, n)
    xc, Pc = rng.normal(size=(n, 8)), rng.normal(size=(n, 8, 8))
    Pc[:3, 6, 6], Pc[3, 7, 7], Pc[4, 6, 6] = [-0.0, np.nan, -2.0], -0.0, 0.0
    mu, confirmed = rng.random((n, m)), rng.random(n) < 0.5
    rows, det_id = rng.integers(0, n, 12), rng.integers(0, 10**6, 12)
    dtype = hist.history_dtype(m, covariance)
    buf = hist.Growable(dtype, capacity=4)
    buf.reserve(3)[:] = np.ones(3, dtype)  # rows before are left alone; the buffer grows
    hist.record_rows(buf.reserve(rows.size), rows, det_id, t, ids, xc, Pc, mu, confirmed)
    ref = _record_numpy(dtype, rows, det_id, t, ids, xc, Pc, mu, confirmed)
    assert buf.size == 15 and buf.view()[3:].tobytes() == ref.tobytes()
    assert buf.view()[:3].tobytes() == np.ones(3, dtype).tobytes()


def test_height_above_ellipsoid_equals_numpy():
    from launchwatch.track.batches import ellipsoid_radius, height_above_ellipsoid

    rng = np.random.default_rng(11)
    r = rng.normal(size=(5000, 3)) * 6.4e6 * np.exp(rng.normal(size=(5000, 3)) * 0.3)
    r[:10] = [0.0, 0.0, 6.4e6]  # on the axis
    ref = np.linalg.norm(r, axis=1) - ellipsoid_radius(r)
    assert height_above_ellipsoid(r).tobytes() == ref.tobytes()


def test_blocks_keep_rows_across_blocks_and_relabel():
    dtype = hist.history_dtype(3, "diag")
    b = hist.Blocks(dtype, block_rows=5)
    ids = []
    for k in (3, 1, 4, 9, 2):  # the third and fourth start new blocks (the fourth is bigger)
        rows = b.reserve(k)
        rows["track_id"] = np.arange(len(ids), len(ids) + k)
        ids += list(range(len(ids), len(ids) + k))
    first = b.view()
    assert b.size == len(ids) == first.size and first["track_id"].tolist() == ids
    b.relabel(4, 99)
    b.reserve(1)["track_id"] = 7
    v = b.view()
    assert v["track_id"].tolist() == [99 if i == 4 else i for i in ids] + [7]
    assert first["track_id"].tolist() == [99 if i == 4 else i for i in ids]  # the cached read


def _deletion_numpy(tr, t_now, cfg, impact):
    """The NumPy form of the deletion rules' sigma and impact checks (before they were
    compiled), for the comparison below."""
    from launchwatch.track.batches import ellipsoid_radius
    from launchwatch.track.tracks import extrapolate_kernel

    dt = t_now - tr.t
    conf = tr.confirmed
    dead = np.where(
        conf,
        dt > cfg.max_coast_s,
        (tr.misses >= cfg.tentative_max_misses) | (dt > cfg.init_max_dt_s),
    )
    check = np.flatnonzero((conf & (tr.misses >= cfg.delete_after_misses)) | impact)
    if check.size:
        r, sig = np.empty((check.size, 3)), np.empty(check.size)
        extrapolate_kernel(tr.xc[check], tr.Pc[check], dt[check], 1.0, 0.0, r, sig)
        lost = conf[check] & (tr.misses[check] >= cfg.delete_after_misses)
        lost &= sig > cfg.lost_sigma_m
        if impact:
            height = np.linalg.norm(r, axis=1) - ellipsoid_radius(r)
            lost |= conf[check] & (height < -cfg.impact_margin_m)
        dead[check[lost]] = True
    return dead


@pytest.mark.parametrize("impact", [False, True])
def test_deletion_mask_equals_numpy(impact):
    from launchwatch.earth.frames import geodetic_to_ecef
    from launchwatch.track.tracker import TrackerConfig
    from launchwatch.track.tracks import TrackSet, deletion_mask

    rng = np.random.default_rng(5)
    n = 400
    tr = TrackSet(3, 8)
    r = geodetic_to_ecef(
        np.radians(rng.uniform(-80, 80, n)), np.radians(rng.uniform(-180, 180, n)),
        rng.uniform(-5e3, 3e5, n),
    )  # fmt: skip
    v = rng.normal(0.0, 3000.0, (n, 3))
    xc = np.concatenate([r, v, rng.normal(8.0, 1.0, (n, 1)), np.zeros((n, 1))], axis=1)
    a = rng.normal(size=(n, 8, 8)) * np.exp(rng.uniform(0, 9, (n, 1, 1)))
    Pc = a @ np.transpose(a, (0, 2, 1))
    tr.add(
        np.arange(n), np.repeat(xc[:, None], 3, 1), np.repeat(Pc[:, None], 3, 1),
        np.full((n, 3), 1 / 3), rng.uniform(0.0, 100.0, n), xc, Pc, hits=5,
    )  # fmt: skip
    tr.confirmed[:] = rng.random(n) < 0.7
    tr.misses[:] = rng.integers(0, 8, n)
    cfg = TrackerConfig()
    for t_now in (100.0, 130.0, 250.0):
        got = deletion_mask(tr, t_now, cfg, impact=impact)
        ref = _deletion_numpy(tr, t_now, cfg, impact)
        np.testing.assert_array_equal(got, ref)
        # some confirmed tracks die by the sigma (and impact) rules, not by age
        assert 0 < (got & tr.confirmed & (t_now - tr.t <= cfg.max_coast_s)).sum() < n
