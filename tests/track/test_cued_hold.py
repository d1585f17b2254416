"""A tentative track that an IR cue lies on is held through more missed scans than an uncued
one (tracker rule 5, ``cued_max_misses`` / ``cued_max_dt_s``): found on the overflight
scenario, where the radar's two-point start at +39.5 s (cued by the plume seen at +35.5 s, too
uncertain in velocity to be confirmed at birth) was deleted after two missed scans (pd 0.9)
and the missile was tracked again only from +55.5 s."""

import numpy as np
from test_tracker import _far_detection, _ir_detection
from track_helpers import DT, radar_scans

from launchwatch.track import history as hist
from launchwatch.track.tracker import Tracker, TrackerConfig
from launchwatch.track.tracks import TrackSet, deletion_mask

REVISIT_S = 4.0


def _run(
    srbm_truth,
    *,
    cue: bool,
    config: TrackerConfig | None = None,
    cue_t: float = 10.0,
    cue_offset_m: float = 0.0,
):
    """A 4 s radar on the boosting SRBM (burnout +30 s) from +12 s: hits at +12 and +16 s (a
    two-point start), two scans that miss it (+20, +24 s: clutter far away only), a hit at
    +28 s.  ``cue``: the plume seen at ``cue_t`` (default 2 s before the first radar hit),
    ``cue_offset_m`` off the missile (along ECEF y)."""
    times, states, _ = srbm_truth
    rng = np.random.default_rng(11)
    tracker = Tracker(config or TrackerConfig())
    k = int(round(cue_t / DT))
    ir = _ir_detection(states[0, k, :3] + [0.0, cue_offset_m, 0.0], times[k], 900, rng)
    if cue and cue_t < 12.0:
        tracker.step(ir)
    ks = [int(round(t / DT)) for t in np.arange(12.0, 28.0 + 1e-9, REVISIT_S)]
    scans = radar_scans(states[:, ks], times[ks], rng=rng, range_rate_sigma=3.0)
    for j, det in enumerate(scans):
        if times[ks[j]] in (20.0, 24.0):
            det = _far_detection(times[ks[j]], det_id=10**6 + j)
        tracker.step(det)
        if cue and times[ks[j]] < cue_t < times[ks[j]] + REVISIT_S:  # a plume after the start
            tracker.step(ir)
    tracker.flush()
    return tracker


def test_cued_tentative_track_survives_two_missed_scans(srbm_truth):
    tracker = _run(srbm_truth, cue=True)
    h = tracker.history
    led = tracker.ledger()
    assert led["outcome"][led["det_id"] == 900] == hist.CUED
    real = h[h["det_id"] < 10**6]
    # one track: not confirmed at birth (a 4 s two-point velocity is too uncertain), kept
    # through the two misses and confirmed by its third radar hit
    assert real["track_id"].tolist() == [1, 1]
    assert real["t_s"].tolist() == [16.0, 28.0]
    assert real["confirmed"].tolist() == [False, True]


def test_a_plume_seen_after_the_start_holds_the_track_too(srbm_truth):
    """The cue's evidence does not depend on which came first: a plume read at +18 s, after
    the two-point start at +16 s, holds the tentative track through the same two misses
    (japan-overflights seed 2 e0: a start at +50.3 s, the plume at +52.1 s, the start
    deleted after two missed scans and the missile tracked again only at +79.5 s)."""
    tracker = _run(srbm_truth, cue=True, cue_t=18.0)
    led = tracker.ledger()
    cue = led[led["det_id"] == 900]
    assert cue["outcome"].tolist() == [hist.CUED] and cue["track_id"].tolist() == [1]
    real = tracker.history[tracker.history["det_id"] < 10**6]
    assert real["track_id"].tolist() == [1, 1]
    assert real["confirmed"].tolist() == [False, True]


def test_a_plume_off_the_young_track_does_not_hold_it(srbm_truth):
    """A line of sight 60 km off the young track is not its plume: the track dies after its
    two misses as an uncued one."""
    tracker = _run(srbm_truth, cue=True, cue_t=18.0, cue_offset_m=60e3)
    led = tracker.ledger()
    assert led["outcome"][led["det_id"] == 900].tolist() != [hist.CUED]
    real = tracker.history[tracker.history["det_id"] < 10**6]
    assert real["t_s"].tolist() == [16.0] and not real["confirmed"].any()


def test_uncued_tentative_track_still_dies_after_two_misses(srbm_truth):
    """Without the cue nothing changes: the same two misses end the tentative track; the hit
    at +28 s waits for a partner of its own."""
    tracker = _run(srbm_truth, cue=False)
    real = tracker.history[tracker.history["det_id"] < 10**6]
    assert real["t_s"].tolist() == [16.0] and not real["confirmed"].any()


def test_cue_hold_off_restores_the_old_rule(srbm_truth):
    """``cued_max_misses = tentative_max_misses`` and ``cued_max_dt_s = init_max_dt_s``: the
    cued track dies like any tentative one."""
    cfg = TrackerConfig(cued_max_misses=2, cued_max_dt_s=10.0)
    tracker = _run(srbm_truth, cue=True, config=cfg)
    real = tracker.history[tracker.history["det_id"] < 10**6]
    assert real["t_s"].tolist() == [16.0] and not real["confirmed"].any()


def test_deletion_mask_rules_per_kind():
    """Rule 5 on bare arrays: tentative (2 misses, 10 s), cued tentative (5 misses, 25 s),
    confirmed (coasts)."""
    cfg = TrackerConfig()
    tr = TrackSet(3)
    n = 8
    tr.add(
        np.arange(n), np.zeros((n, 3, 7)), np.zeros((n, 3, 7, 7)), np.full((n, 3), 1 / 3),
        np.zeros(n), np.zeros((n, 7)), np.zeros((n, 7, 7)), hits=2,
    )  # fmt: skip
    tr.cued[:] = [False, False, True, True, True, True, False, False]
    tr.confirmed[:] = [False] * 6 + [True, True]
    tr.misses[:] = [1, 2, 4, 5, 1, 1, 4, 1]
    tr.t[:] = [0.0, 0.0, 0.0, 0.0, -20.0, -26.0, 0.0, -100.0]
    dead = deletion_mask(tr, 1.0, cfg)
    assert dead.tolist() == [False, True, False, True, False, True, False, False]
