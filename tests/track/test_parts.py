"""The tracker assembled from simple stub parts (association, initiation, deletion, merging),
and the default parts behind their Protocols."""

import numpy as np
from track_helpers import DT, make_truth, radar_scans

from launchwatch.track import history as hist
from launchwatch.track.associate import GNNAssociator
from launchwatch.track.ekf import EKF
from launchwatch.track.initiate import TwoPointInitiator
from launchwatch.track.parts import (
    Associator,
    Births,
    Deleter,
    Initiator,
    Merger,
    StateFilter,
)
from launchwatch.track.score import score
from launchwatch.track.tracker import Tracker, TrackerConfig
from launchwatch.track.tracks import ChiSquareMerger, MissDeleter
from launchwatch.track.ukf import UKF


class GreedyAssociator:
    """Each detection, cheapest first, to its cheapest free track."""

    def __init__(self):
        self.calls = 0

    def associate(self, trk, det, cost, n_tracks, n_dets):
        self.calls += 1
        used_t, used_d, out_t, out_d = set(), set(), [], []
        for e in np.argsort(cost):
            if trk[e] not in used_t and det[e] not in used_d:
                used_t.add(trk[e])
                used_d.add(det[e])
                out_t.append(trk[e])
                out_d.append(det[e])
        return np.array(out_t, np.int64), np.array(out_d, np.int64)


class OnePointInitiator:
    """Every unassociated radar detection starts a confirmed track at its position, at rest
    with a 3 km/s velocity sigma (no pairing, no cues)."""

    def __init__(self):
        self.started = 0

    def new_frame(self, sensor):
        pass

    def expire(self, t_now):
        return np.zeros(0, np.int64)

    def initiate(self, det, meas, ledger_idx, sensor, imm):
        radar = np.flatnonzero(meas.valid[:, :3].all(axis=1))
        pos, cov = meas.take(radar).position_ecef()
        k, m, n = radar.size, imm.n_models, imm.n_state
        x = np.zeros((k, n))
        x[:, :3] = pos
        x[:, 6] = np.log(3000.0)
        P = np.zeros((k, n, n))
        P[:, :3, :3] = cov
        P[:, 3:6, 3:6] = np.eye(3) * 3000.0**2
        P[:, 6, 6] = 1.0
        if n > 7:
            P[:, 7:, 7:] = np.eye(n - 7)
        self.started += k
        return Births(
            x=np.repeat(x[:, None], m, 1),
            P=np.repeat(P[:, None], m, 1),
            mu=np.full((k, m), 1.0 / m),
            t_s=meas.t_s[radar],
            hits=np.ones(k, np.int64),
            confirmed=np.ones(k, bool),
            det_id=meas.det_id[radar],
            sensor=sensor,
            ledger_idx=ledger_idx[radar],
            ledger_outcome=np.full(k, hist.STARTED),
            ledger_birth=np.arange(k),
        )


class NeverDelete:
    def dead(self, tracks, t_now, imm, *, full=False):
        return np.zeros(tracks.n, bool)


class NeverMerge:
    def duplicates(self, tracks, t_now, imm):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)

    def reacquire(self, tracks, new_rows, imm):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)


def test_tracker_from_stub_parts(srbm_truth):
    times, states, _ = srbm_truth
    sl = slice(600, 900)
    rng = np.random.default_rng(21)
    assoc, init = GreedyAssociator(), OnePointInitiator()
    tracker = Tracker(associator=assoc, initiator=init, deleter=NeverDelete(), merger=NeverMerge())
    for det in radar_scans(states[:, sl], times[sl], rng=rng):
        tracker.step(det)
    tracker.flush()
    assert init.started == 1 and assoc.calls == 299  # one birth, then one update per scan
    s = score(tracker.history, make_truth(states[:, sl], times[sl]), gate_m=2000.0)
    assert s.n_breaks == 0 and s.n_swaps == 0 and s.coverage[0] > 0.99
    h = tracker.history
    k = np.round(h["t_s"] / DT).astype(int)
    err = np.linalg.norm(h["state"][:, :3] - states[0, k, :3], axis=1)
    assert np.median(err[h["t_s"] > times[650]]) < 60.0
    led = tracker.ledger()
    assert np.sum(led["outcome"] == hist.STARTED) == 1
    assert np.sum(led["outcome"] == hist.UPDATED) == led.size - 1


def test_default_parts_satisfy_the_protocols():
    cfg = TrackerConfig()
    assert isinstance(EKF(), StateFilter) and isinstance(UKF(), StateFilter)
    assert isinstance(GNNAssociator(), Associator)
    assert isinstance(TwoPointInitiator(cfg), Initiator)
    assert isinstance(MissDeleter(cfg), Deleter)
    assert isinstance(ChiSquareMerger(cfg), Merger)
    tr = Tracker()
    assert isinstance(tr.associator, GNNAssociator) and isinstance(tr.merger, ChiSquareMerger)
