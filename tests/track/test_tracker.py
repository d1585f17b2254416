"""The tracker end to end: a salvo, sensor fusion, IR cues, deletion, odd input, the ledger."""

import numpy as np
import pytest
from track_helpers import DT, RADAR_SITE, make_truth, radar_scans, truth_ids

from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.sense.geometry import aer_from
from launchwatch.sense.records import DETECTION_DTYPE, empty_detections
from launchwatch.track import history as hist
from launchwatch.track.associate import GNNAssociator
from launchwatch.track.score import score
from launchwatch.track.tracker import Tracker, TrackerConfig
from launchwatch.track.tracks import ChiSquareMerger

SECOND_SITE = geodetic_to_ecef(np.radians(41.0), np.radians(129.5), 50.0)
GEO_SAT = geodetic_to_ecef(0.0, np.radians(128.0), 35_786e3)


def _false_alarms(t, n, rng, first_id):
    """Clutter: uniform in range 100-800 km, azimuth 0-180 deg, elevation 1-40 deg."""
    det = np.zeros(n, DETECTION_DTYPE)
    det["det_id"] = first_id + np.arange(n)
    det["sensor"], det["kind"], det["t_s"], det["sensor_ecef_m"] = "R1", "radar", t, RADAR_SITE
    det["z"][:, 0] = rng.uniform(1e5, 8e5, n)
    det["z"][:, 1] = rng.uniform(0, np.pi, n)
    det["z"][:, 2] = rng.uniform(0.02, 0.7, n)
    det["z"][:, 3] = det["sigma"][:, 3] = np.nan
    det["sigma"][:, :3] = (10.0, 3e-4, 3e-4)
    return det


def test_salvo_of_eight_gives_one_track_per_missile(salvo_truth):
    times, states = salvo_truth
    rng = np.random.default_rng(8)
    tracker = Tracker()
    n_fa = 0
    for k, det in enumerate(radar_scans(states, times, rng=rng, pd=0.9)):
        fa = _false_alarms(times[k], rng.poisson(2.0), rng, 10**7 + n_fa)
        n_fa += fa.size
        tracker.step(np.concatenate([det, fa]))
    tracker.flush()
    truth = make_truth(states, times)
    s = score(tracker.history, truth, gate_m=2000.0)
    assert s.n_swaps == 0 and s.n_breaks == 0
    assert s.n_false_tracks == 0  # no confirmed track on clutter
    assert np.unique(s.assignment[s.assignment >= 0]).size == 8
    assert np.all(s.coverage > 0.9), s.coverage
    assert np.all(s.time_to_track_s < 20.0), s.time_to_track_s
    assert s.pos_rmse_m < 150.0
    # ledger: every detection accounted for; most clutter unassociated
    led = tracker.ledger()
    assert np.all(led["outcome"] != hist.PENDING)
    clutter = led["det_id"] >= 10**7
    assert np.mean(led["outcome"][clutter] == hist.UNASSOCIATED) > 0.95
    real = ~clutter
    assert np.mean(np.isin(led["outcome"][real], [hist.UPDATED, hist.STARTED])) > 0.99


def test_two_radars_fuse_into_one_track(srbm_truth):
    times, states, _ = srbm_truth
    sl = slice(int(60 / DT), int(160 / DT))
    rng = np.random.default_rng(1)
    a = radar_scans(states[:, sl], times[sl], rng=rng, sensor="R1")
    mid = 0.5 * (states[:, sl] + states[:, sl.start + 1 : sl.stop + 1])  # truth at t + 50 ms
    b = radar_scans(mid, times[sl] + 0.05, rng=rng, sensor="R2", site=SECOND_SITE, first_id=10**6)
    tracker = Tracker()
    for da, db in zip(a, b, strict=True):
        tracker.step(np.concatenate([da, db]))  # both sensors in one batch, split by frame
    led = tracker.ledger()
    assert np.unique(tracker.history["track_id"]).size == 1
    upd = led["outcome"] == hist.UPDATED
    assert np.mean(upd[led["det_id"] < 10**6]) > 0.98
    assert np.mean(upd[led["det_id"] >= 10**6]) > 0.98


def _ir_detection(target_ecef, t, det_id, rng, sigma=5e-5):
    _, az, el = aer_from(GEO_SAT, target_ecef)
    det = np.zeros(1, DETECTION_DTYPE)
    det["det_id"], det["sensor"], det["kind"], det["t_s"] = det_id, "GEO-1", "ir", t
    det["z"][0] = [
        np.mod(az + sigma * rng.standard_normal(), 2 * np.pi),
        el + sigma * rng.standard_normal(),
        np.nan,
        np.nan,
    ]
    det["sigma"][0] = [sigma, sigma, np.nan, np.nan]
    det["sensor_ecef_m"] = GEO_SAT
    return det


def test_ir_cue_confirms_at_birth_and_ir_updates_the_track(srbm_truth):
    times, states, _ = srbm_truth
    rng = np.random.default_rng(5)
    k0 = int(20 / DT)
    # a 0.1 s two-point start knows its velocity to ~1 km/s: cue confirmation allowed anyway
    tracker = Tracker(TrackerConfig(cue_confirm_max_vel_sigma_m_s=np.inf))
    tracker.step(_ir_detection(states[0, k0 - 10, :3], times[k0 - 10], 900, rng))  # cue
    scans = radar_scans(states[:, k0 : k0 + 100], times[k0 : k0 + 100], rng=rng)
    for j, det in enumerate(scans):
        extra = (
            [_ir_detection(states[0, k0 + j, :3], times[k0 + j] + 0.01, 1000 + j, rng)]
            if j % 10 == 5 and j > 10
            else []
        )
        tracker.step(np.concatenate([det] + extra))
    h = tracker.history
    assert h["confirmed"][0]  # confirmed by the cue at its first estimate (2 radar hits)
    led = tracker.ledger()
    assert led["outcome"][led["det_id"] == 900] == hist.CUED
    ir = led["det_id"] >= 1000
    assert np.all(led["outcome"][ir] == hist.UPDATED)
    assert np.all(led["track_id"][ir] == h["track_id"][0])


def test_track_deleted_after_missed_updates(srbm_truth):
    """With ``lost_sigma_m = 0`` a confirmed track dies after ``delete_after_misses`` frames of
    its radar without it."""
    times, states, _ = srbm_truth
    rng = np.random.default_rng(0)
    tracker = Tracker(TrackerConfig(delete_after_misses=4, lost_sigma_m=0.0))
    scans = radar_scans(states[:, 600:700], times[600:700], rng=rng)
    for det in scans[:50]:
        tracker.step(det)
    assert tracker.tracks.n == 1 and tracker.tracks.confirmed[0]
    for j in range(4):  # the radar keeps scanning but no longer sees the missile
        assert tracker.tracks.n == 1
        tracker.step(_far_detection(times[650 + j], det_id=10**6 + j))
    tracker.step(_far_detection(times[654], det_id=10**6 + 4))
    assert tracker.tracks.n == 0


def test_track_coasts_through_a_sensor_gap(srbm_truth):
    """By default a well-tracked ballistic missile keeps its track through 60 s without
    detections (the radar reporting only clutter) and is picked up again by the same track."""
    times, states, _ = srbm_truth
    rng = np.random.default_rng(6)
    tracker = Tracker()
    scans = radar_scans(states[:, 600:1500], times[600:1500], rng=rng)
    for j, det in enumerate(scans):
        if 200 <= j < 800:  # 20 s to 80 s of the window: a gap, one clutter report a second
            det = _far_detection(times[600 + j], det_id=10**6 + j) if j % 10 == 0 else det[:0]
        tracker.step(det)
    h = tracker.history
    assert np.unique(h["track_id"]).size == 1
    assert h["t_s"].max() > times[1490]
    assert np.sum(h["t_s"] > times[1400]) > 95


def test_track_deleted_at_predicted_impact():
    """A body diving into the ground from 30 km: its track ends at the predicted impact,
    long before ``max_coast_s``."""
    from track_helpers import coast_truth, midcourse_state

    times = np.arange(0.0, 40.0, DT)
    y0 = midcourse_state(
        lat_deg=38.0, lon_deg=128.5, h_m=30e3, v_east=600.0, v_north=0.0, v_up=-1500.0
    )
    states = coast_truth(y0[None], times)
    t_impact = times[np.flatnonzero(np.isnan(states[0, :, 0]))[0]]
    rng = np.random.default_rng(2)
    tracker = Tracker()
    scans = radar_scans(states, times, rng=rng, min_el=-1.0)
    for j, det in enumerate(scans):
        if times[j] > 8.0:
            det = _far_detection(times[j], det_id=10**6 + j)
        tracker.step(det)
        alive = 1 in tracker.tracks.ids
        if 1.0 < times[j] < t_impact - 1.0:
            assert alive, times[j]
        if times[j] > t_impact + 5.0:
            assert not alive, times[j]


def _far_detection(t, det_id=10**6):
    """A lone detection far from the missile, somewhere else at every ``det_id``."""
    det = np.zeros(1, DETECTION_DTYPE)
    det["det_id"], det["sensor"], det["kind"], det["t_s"] = det_id, "R1", "radar", t
    det["z"][0] = [3.0e5, 3.0 + 0.3 * (det_id % 7), 0.3, np.nan]
    det["sigma"][0] = [10.0, 3e-4, 3e-4, np.nan]
    det["sensor_ecef_m"] = RADAR_SITE
    return det


@pytest.mark.parametrize("filt", ["ekf", "ukf"])
def test_tracker_survives_odd_batches(srbm_truth, filt):
    times, states, _ = srbm_truth
    rng = np.random.default_rng(3)
    tracker = Tracker(TrackerConfig(filter=filt))
    tracker.step(empty_detections())  # nothing yet
    scans = radar_scans(states[:, 700:760], times[700:760], rng=rng)
    n_in = 0
    for j, det in enumerate(scans):
        if j == 10:
            det = det[:0]  # an empty scan
        if j == 20:  # far, no azimuth, zero range, a duplicate, no range (angles only), IR
            bad = np.concatenate([_far_detection(times[720], 5_000)] + [det[:1].copy()] * 4)
            bad["det_id"][1:] = [5_001, 5_002, 5_003, 5_005]
            bad["z"][1, 1] = np.nan
            bad["z"][2, 0] = 0.0
            bad["z"][4, 0] = np.nan
            det = np.concatenate(
                [det, bad, _ir_detection(states[0, 720, :3], times[720], 5_004, rng)]
            )
        if j == 30:  # a row slightly out of order (50 ms before the track's time)
            det = det.copy()
            det["t_s"] -= 0.15
        tracker.step(det)
        n_in += det.size
    tracker.step(_far_detection(times[759] + 100.0, det_id=9_999))  # one lone detection
    n_in += 1
    tracker.flush()
    led = tracker.ledger()
    assert led.size == n_in
    assert np.all(led["outcome"] != hist.PENDING)
    assert led["outcome"][led["det_id"] == 5_001] == hist.REJECTED
    assert np.isin(led["outcome"][led["det_id"] == 5_005], [hist.UPDATED, hist.UNASSOCIATED])
    assert led["outcome"][led["det_id"] == 9_999] == hist.UNASSOCIATED
    h = tracker.history
    assert np.all(np.isfinite(h["state"]))
    k = np.round(h["t_s"] / DT).astype(int)
    good = h["track_id"] == h["track_id"][0]
    err = np.linalg.norm(h["state"][good, :3] - states[0, k[good], :3], axis=1)
    assert np.median(err) < 100.0


def test_bad_input_is_a_clear_error():
    tracker = Tracker()
    with pytest.raises(ValueError, match="DETECTION_DTYPE"):
        tracker.step(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="filter"):
        TrackerConfig(filter="pf")
    with pytest.raises(ValueError, match="initial_mode_probs"):
        TrackerConfig(initial_mode_probs=(1.0,))


def test_ledger_and_history_account_for_every_detection(srbm_truth):
    times, states, _ = srbm_truth
    rng = np.random.default_rng(9)
    tracker = Tracker()
    scans = radar_scans(states[:, 500:600], times[500:600], rng=rng)
    for det in scans:
        tracker.step(det)
    led = tracker.ledger()
    h = tracker.history
    assert led.size == sum(d.size for d in scans)
    started = led["det_id"][led["outcome"] == hist.STARTED]
    updated = led["det_id"][led["outcome"] == hist.UPDATED]
    assert started.size == 2 and updated.size == led.size - 2
    # one history row per update, plus the birth row (on the second initiating detection)
    assert h.size == updated.size + 1
    assert set(h["det_id"].tolist()) == set(updated.tolist()) | {started.max()}
    assert np.all(truth_ids(h, 1) == 0)


def test_duplicate_tracks_are_merged(srbm_truth):
    """Two tracks on one missile (injected: a copy with a new id), fed by two radars, are
    merged within ``merge_interval_s``; different missiles never are (salvo test)."""
    times, states, _ = srbm_truth
    rng = np.random.default_rng(4)
    tracker = Tracker()
    scans = radar_scans(states[:, 600:700], times[600:700], rng=rng)
    for det in scans[:30]:
        tracker.step(det)
    tr = tracker.tracks
    tr.add([99], tr.x, tr.P, tr.mu, tr.t, tr.xc, tr.Pc, hits=5, sensor=0)
    tr.confirmed[:] = True
    assert tr.n == 2
    for det in scans[30:50]:
        tracker.step(det)
    assert tracker.tracks.n == 1 and tracker.tracks.ids[0] == 1
    m = tracker.merges
    assert m.size == 1 and m["removed"][0] == 99 and m["kept"][0] == 1


def test_sparse_noisy_radar_starts_and_keeps_one_track(srbm_truth):
    """A radar like the shipped sense models: a scan every 4 s, 2 mrad angles, range rate,
    Pd 0.9, clutter.  (With a 2 s pairing window no track ever started from it.)"""
    times, states, _ = srbm_truth
    k = np.arange(400, 3600, 40)  # 40 s to 360 s, every 4 s
    rng = np.random.default_rng(12)
    tracker = Tracker()
    for j, det in zip(
        k,
        radar_scans(
            states[:, k], times[k], rng=rng, pd=0.9, sigma=(50.0, 2e-3, 2e-3), range_rate_sigma=2.0
        ),
        strict=True,
    ):
        fa = _false_alarms(times[j], rng.poisson(1.0), rng, 10**7 + 10 * j)
        tracker.step(np.concatenate([det, fa]))
    tracker.flush()
    s = score(tracker.history, make_truth(states[:, k], times[k]))
    assert s.time_to_track_s[0] - times[k[0]] < 16.0  # 3 hits, one miss allowed
    assert np.unique(s.assignment[s.assignment >= 0]).size == 1
    assert s.n_false_tracks == 0 and s.coverage[0] > 0.9
    assert s.pos_rmse_m < 500.0  # single detections here: ~1 km cross-range


class _BlindAssociator(GNNAssociator):
    """GNN that takes no update while ``blind`` (a gate that failed, a detection another
    track took)."""

    blind = False

    def associate(self, trk, det, cost, n_tracks, n_dets):
        if self.blind:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return super().associate(trk, det, cost, n_tracks, n_dets)


def test_refound_missile_keeps_its_identity(srbm_truth):
    """After a 30 s gap the coasting track does not take its missile's detections (blind
    associator): a new track starts, and once confirmed it is recognised as the old one
    (track-to-track test against the old track's IMM prediction) and takes its identity;
    ledger and history carry the old id only (the tentative tracks started while blind die)."""
    times, states, _ = srbm_truth
    rng = np.random.default_rng(14)
    assoc = _BlindAssociator()
    tracker = Tracker(associator=assoc)
    scans = radar_scans(states[:, 600:1100], times[600:1100], rng=rng)
    for det in scans[:100]:
        tracker.step(det)
    assert list(tracker.tracks.ids) == [1]
    assoc.blind = True
    for det in scans[400:410]:  # 30 s later, 1 s blind
        tracker.step(det)
    assoc.blind = False
    for det in scans[410:]:
        tracker.step(det)
    tracker.flush()
    assert list(tracker.tracks.ids) == [1]
    m = tracker.merges
    assert m.size == 1 and m["kept"][0] == 1 and m["removed"][0] > 1
    h = tracker.history
    assert set(h["track_id"][h["confirmed"]].tolist()) == {1}  # tentative ones died blind
    led = tracker.ledger()
    assert np.all(led["track_id"][led["outcome"] == hist.UPDATED] == 1)
    s = score(tracker.history, make_truth(states[:, 600:1100], times[600:1100]))
    assert s.n_breaks == 0 and s.n_swaps == 0
    # without re-acquisition the same run has two tracks and a break
    tracker = Tracker(
        associator=(assoc := _BlindAssociator()),
        merger=type(
            "NoReacquire",
            (ChiSquareMerger,),
            {"reacquire": lambda self, tr, rows, imm: (rows[:0], rows[:0])},
        )(TrackerConfig()),
    )
    for j, det in enumerate(scans[:100] + scans[400:]):
        assoc.blind = 100 <= j < 110
        tracker.step(det)
    s = score(tracker.history, make_truth(states[:, 600:1100], times[600:1100]))
    assert s.n_breaks == 1


def test_different_missiles_are_not_reacquired(salvo_truth):
    """Across the salvo (crossing paths, 3 s apart) no new track takes an older one's identity
    (the salvo test counts no swaps; here the re-acquisitions themselves)."""
    times, states = salvo_truth
    rng = np.random.default_rng(15)
    tracker = Tracker()
    for det in radar_scans(states, times, rng=rng, pd=0.7):
        tracker.step(det)
    assert tracker.merges.size == 0 or np.all(
        truth_ids(tracker.history[np.isin(tracker.history["track_id"], tracker.merges["kept"])], 8)
        >= 0
    )
    s = score(tracker.history, make_truth(states, times), gate_m=2000.0)
    assert s.n_swaps == 0


def test_lost_track_is_found_again_from_dormancy():
    """A coasting body unseen for longer than ``max_coast_s``: its track is deleted but kept
    dormant, and the track started when the radar sees it again takes the old identity."""
    from track_helpers import coast_truth, midcourse_state

    times = np.arange(0.0, 200.0, DT)
    states = coast_truth(midcourse_state()[None], times)
    rng = np.random.default_rng(16)
    tracker = Tracker(TrackerConfig(max_coast_s=60.0))
    scans = radar_scans(states, times, rng=rng, min_el=-1.0)
    for j, det in enumerate(scans):
        tracker.step(det if not 200 <= j < 1500 else _far_detection(times[j], 10**6 + j)[:0])
    assert list(tracker.tracks.ids) == [1] and tracker.dormant.n == 0
    assert tracker.merges.size == 1 and tracker.merges["kept"][0] == 1
    s = score(tracker.history, make_truth(states, times))
    assert s.n_breaks == 0 and s.n_swaps == 0
