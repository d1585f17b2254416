"""Re-acquisition over a long gap carries the new track back to the old one's time
(:func:`launchwatch.track.tracks._backward_d2`).  A new track that is itself just launched
flies back under the ground; the drag of the ground's density then diverged and gave a
finite, tiny ``d^2`` (dense-salvos seed 3 e9: a member seen in its boost took the identity of
another lost 128 s before, a swap)."""

import numpy as np

from launchwatch.earth.frames import geodetic_to_ecef
from launchwatch.track.tracker import Tracker, TrackerConfig
from launchwatch.track.tracks import TrackSet, _backward_d2

GAP_S = 128.0
MARGIN_M = TrackerConfig().impact_margin_m


def _state(lat_deg, lon_deg, h_m, up_m_s, east_m_s):
    """ECEF position and velocity (m, m/s) with the given local up / east speeds."""
    r = geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), h_m)
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    return np.concatenate([np.asarray(r, float), up * up_m_s + east * east_m_s])


def _pair(imm, old6, new6, t_new):
    """A TrackSet with the old track (t = 0) and the new one (t = ``t_new``)."""
    m, n = imm.n_models, imm.n_state
    x = np.zeros((2, n))
    x[0, :6], x[1, :6] = old6, new6
    x[:, 6] = np.log(5e4)  # ballistic coefficient (kg/m^2), any plausible value
    P = np.zeros((2, n, n))
    P[:, :3, :3] = np.eye(3) * 500.0**2
    P[:, 3:6, 3:6] = np.eye(3) * 300.0**2
    P[:, 6, 6] = 0.5**2
    if n > 7:
        P[:, 7, 7] = 0.5**2
    tr = TrackSet(m, n)
    tr.add(
        [1, 2], np.repeat(x[:, None], m, 1), np.repeat(P[:, None], m, 1),
        np.full((2, m), 1.0 / m), [0.0, t_new], x, P, hits=10,
    )  # fmt: skip
    return tr


def test_a_new_track_flown_back_under_the_ground_is_not_the_old_one():
    imm = Tracker().imm
    old6 = _state(39.0, 125.8, 25e3, 900.0, 600.0)  # an SRBM climbing at +66 s
    new6 = _state(39.0, 125.8, 25e3, 800.0, 500.0)  # the next member, same place, 128 s later
    tr = _pair(imm, old6, new6, GAP_S)
    assert np.isinf(_backward_d2(tr, np.array([1]), np.array([0]), imm, MARGIN_M)).all()


def test_the_same_body_flown_back_matches():
    """The control: the new track is the old body coasted on for the gap (flown by the same
    filter), so carried back it lands on the old estimate."""
    imm = Tracker().imm
    old6 = _state(39.0, 128.0, 300e3, 1500.0, 3000.0)
    names = [mm.name for mm in imm.models]
    coast = np.tile(imm.params[names.index("coast")], (1, 1))
    x0 = np.zeros((1, imm.n_state))
    x0[0, :6], x0[0, 6] = old6, np.log(5e4)
    xf, _ = imm.filter.predict(x0, np.eye(imm.n_state)[None] * 1.0, np.array([GAP_S]), coast)
    tr = _pair(imm, old6, xf[0, :6], GAP_S)
    d2 = _backward_d2(tr, np.array([1]), np.array([0]), imm, MARGIN_M)
    assert np.isfinite(d2).all() and d2[0] < 1.0
