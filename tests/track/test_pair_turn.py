"""Two-point pairing's range-rate turn test (issue 14): across a radar's line of sight the range
barely changes, so the range-change test cannot tell a missile from the train-mate a launch
spacing behind it; the range rate's *change* can (launchwatch.track.initiate.range_rate_turn_d2).

Physics: a body under gravity (J2, in the rotating frame) seen noise-free by a radar 340 km off
its path gives a turn mismatch near zero; paired with the missile 4.8 s ahead on its path (a
train-mate) it does not.  Pairing: detections of GreenPine-Jincheon in campaign
dense-salvos seed 5 engagement 5 (a Sukchon SRBM train, 4.8 s apart, flying across the radar's
line of sight, range rates -100 to +130 m/s): without the turn test the global pairing took a
train-mate's detection for its own (the pair implied 0.2-0.5 of the missile's speed or twice it).
"""

import numpy as np
from test_pairing_train import _pairs
from track_helpers import DT, radar_scans

from launchwatch.earth import frames
from launchwatch.earth.constants import OMEGA_RAD_S
from launchwatch.earth.gravity import gravity_j2
from launchwatch.track.initiate import range_rate_turn_d2
from launchwatch.track.measure import Measurements
from launchwatch.track.tracker import TrackerConfig

_W = np.array([0.0, 0.0, OMEGA_RAD_S])


def _fly(r0, v0, t_end, h=0.01):
    """Positions and velocities (N, 3) every ``h`` s to ``t_end`` of a body under J2 gravity in
    the rotating ECEF frame (RK4)."""

    def f(y):
        r, v = y[:3], y[3:]
        a = gravity_j2(r[None])[0] - 2.0 * np.cross(_W, v) - np.cross(_W, np.cross(_W, r))
        return np.concatenate([v, a])

    y = np.concatenate([r0, v0])
    out = [y]
    for _ in range(int(round(t_end / h))):
        k1 = f(y)
        k2 = f(y + 0.5 * h * k1)
        k3 = f(y + 0.5 * h * k2)
        k4 = f(y + h * k3)
        y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y)
    return np.array(out)


def _crossing_flight():
    """A body at 35 km climbing eastward at 2 km/s (gamma 30 deg) 340 km north of a radar on the
    ground: its line of sight is nearly perpendicular to the flight."""
    radar = frames.geodetic_to_ecef(np.radians(36.9), np.radians(127.4), 300.0)
    lat, lon = np.radians(39.95), np.radians(127.6)
    r0 = frames.geodetic_to_ecef(lat, lon, 35e3)
    enu = frames.enu_matrix(lat, lon)
    v_enu = 2000.0 * np.array([np.cos(np.radians(30.0)), 0.0, np.sin(np.radians(30.0))])
    return np.asarray(radar, float), _fly(np.asarray(r0, float), enu.T @ v_enu, 20.0)


def _d2(radar, a, b, dt):
    """Turn mismatch of the pair (state ``a`` then state ``b``, ``dt`` s later), noise-free."""
    sig = np.array([[50.0, 3e-3, 3e-3, 3.0]])
    rad = np.array([np.sqrt(50.0**2 + 2 * (3e-3 * 340e3) ** 2)])
    rr = [float((y[3:] @ (y[:3] - radar)) / np.linalg.norm(y[:3] - radar)) for y in (a, b)]
    return float(
        range_rate_turn_d2(
            a[None, :3], b[None, :3], radar[None], radar[None], np.array([rr[0]]),
            np.array([rr[1]]), sig, sig, rad, rad, np.array([dt]),
            along_m_s2=100.0, pitch_m_s2=20.0, lateral_m_s2=2.0,
        )[0]
    )  # fmt: skip


def test_one_body_turns_the_range_rate_as_its_velocity_says():
    radar, y = _crossing_flight()
    u = (y[0, :3] - radar) / np.linalg.norm(y[0, :3] - radar)
    assert abs(u @ y[0, 3:] / 2000.0) < 0.2  # across the line of sight
    k = 400  # 4 s
    assert _d2(radar, y[0], y[k], 4.0) < 0.05


def test_a_train_mate_does_not():
    radar, y = _crossing_flight()
    # the missile 4.8 s ahead on the same path, seen 4 s later, paired with this one: 2.2 times
    # the speed -- the turn says so by 2 sigma with the boost's steering allowed (a cost the
    # global pairing weighs; the gate is 6).  A train-mate behind (the pair's velocity 0.2 of
    # the truth, backwards) is hardly seen by this test: its line-of-sight turn is small
    # either way; the range-change test takes it where the range rate is not near zero.
    assert _d2(radar, y[480], y[880], 4.0) < 0.05  # the real pair, later on
    assert _d2(radar, y[0], y[880], 4.0) > 3.0


def test_a_boosting_missile_steering_still_pairs(srbm_truth):
    """The flight core's generic boost steers its velocity by 12-17 m/s^2 across it (and
    thrusts at 100-300 m/s^2 along it) until burnout; a radar near its path sees it at +12 and
    +16 s.  The turn test allows that steering in the vertical plane (first version: 2 m/s^2
    in any direction across the velocity, d^2 41, the pair refused)."""
    times, states, _ = srbm_truth
    rng = np.random.default_rng(11)
    ks = [int(round(t / DT)) for t in (12.0, 16.0)]
    d = np.concatenate(radar_scans(states[:, ks], times[ks], rng=rng, range_rate_sigma=3.0))
    pos, cov = Measurements.from_detections(d).position_ecef()
    rad = np.sqrt(np.trace(cov, axis1=1, axis2=2))
    acc = TrackerConfig().init_turn_accel_m_s2
    d2 = range_rate_turn_d2(
        pos[:1], pos[1:], d["sensor_ecef_m"][:1], d["sensor_ecef_m"][1:], d["z"][:1, 3],
        d["z"][1:, 3], d["sigma"][:1], d["sigma"][1:], rad[:1], rad[1:], np.array([4.0]),
        along_m_s2=acc[0], pitch_m_s2=acc[1], lateral_m_s2=acc[2],
    )  # fmt: skip
    assert d2[0] < 4.0


# (missile, time s, range m, azimuth rad, elevation rad, range rate m/s)
SCAN_45 = [
    (0, 45.88, 325304.3, 5.890728, 0.100665, 129.4159),
    (1, 45.88, 324535.4, 5.86613, 0.07917916, 62.37651),
    (4, 45.88, 324542.4, 5.806745, 0.01777802, -97.16372),
]
SCAN_49 = [  # missiles 0 and 1 taken by their tracks, missile 3 first seen
    (3, 49.88, 324093.2, 5.848557, 0.06434155, -21.77674),
    (4, 49.88, 324177.1, 5.826187, 0.03441152, -92.33452),
]


def test_no_pair_of_two_train_mates():
    # missiles 0 and 1 taken by their tracks at 49.88 s, missile 3 seen for the first time:
    # the range test alone paired missile 1 with missile 4 and missile 4 with missile 3
    assert _pairs(SCAN_45, SCAN_49, TrackerConfig()) == [(4, 4)]
    off = TrackerConfig(init_turn_accel_m_s2=(0.0, 0.0, 0.0))
    assert _pairs(SCAN_45, SCAN_49, off) == [(1, 4), (4, 3)]


def test_close_to_the_radar_the_turn_is_not_small():
    """A body 53 km from the radar at 2 km/s: its line of sight turns by 9 deg in 4 s; the
    prediction (both lines of sight, the mean velocity) still holds the noise-free pair."""
    lat, lon = np.radians(39.95), np.radians(127.6)
    radar = np.asarray(frames.geodetic_to_ecef(np.radians(39.6), lon, 0.0), float)
    r0 = np.asarray(frames.geodetic_to_ecef(lat, lon, 35e3), float)
    v0 = frames.enu_matrix(lat, lon).T @ np.array([2000.0, 0.0, 300.0])
    y = _fly(r0, v0, 4.0)
    assert _d2(radar, y[0], y[-1], 4.0) < 0.05
