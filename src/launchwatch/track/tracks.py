"""The live track set: compact arrays with a leading track axis (no object per track).

Per track: id, time of the last update ``t`` (s), IMM model-conditioned means ``x`` (N, M, 7),
covariances ``P`` (N, M, 7, 7), model probabilities ``mu`` (N, M), the IMM output estimate
``xc`` (N, 7) / ``Pc`` (N, 7, 7) at ``t``, update and consecutive-miss counts, confirmation,
and the sensor that last updated it (``last_sensor``, an index).  States are ECEF (see
:mod:`.models`).  Deletion compacts the arrays; track ids are never reused.
"""

from __future__ import annotations

import numpy as np

_FIELDS = ("ids", "t", "x", "P", "mu", "xc", "Pc", "hits", "misses", "confirmed",
           "last_sensor")


class TrackSet:
    """Arrays of the live tracks (see module docstring)."""

    def __init__(self, n_models: int, n_state: int = 7):
        m, n = n_models, n_state
        self.ids = np.zeros(0, np.int64)
        self.t = np.zeros(0)
        self.x = np.zeros((0, m, n))
        self.P = np.zeros((0, m, n, n))
        self.mu = np.zeros((0, m))
        self.xc = np.zeros((0, n))
        self.Pc = np.zeros((0, n, n))
        self.hits = np.zeros(0, np.int64)
        self.misses = np.zeros(0, np.int64)
        self.confirmed = np.zeros(0, bool)
        self.last_sensor = np.zeros(0, np.int64)

    @property
    def n(self) -> int:
        return self.ids.size

    def add(self, ids, x, P, mu, t, xc, Pc, *, hits: int, sensor: int = -1) -> np.ndarray:
        """Append tracks; returns their row indices."""
        k = np.size(ids)
        start = self.n
        new = {"ids": np.asarray(ids, np.int64), "t": np.asarray(t, float), "x": x, "P": P,
               "mu": mu, "xc": xc, "Pc": Pc, "hits": np.full(k, hits, np.int64),
               "misses": np.zeros(k, np.int64), "confirmed": np.zeros(k, bool),
               "last_sensor": np.full(k, sensor, np.int64)}
        for f in _FIELDS:
            setattr(self, f, np.concatenate([getattr(self, f), new[f]]))
        return np.arange(start, start + k)

    def remove(self, dead: np.ndarray) -> None:
        keep = ~np.asarray(dead, bool)
        for f in _FIELDS:
            setattr(self, f, getattr(self, f)[keep])

    def set_state(self, rows, x, P, mu, t, combined) -> None:
        self.x[rows], self.P[rows], self.mu[rows], self.t[rows] = x, P, mu, t
        self.xc[rows], self.Pc[rows] = combined

    def snapshot(self) -> np.ndarray:
        """The live tracks as a structured array: id, time, ECEF state (6), ln(beta), model
        probabilities, confirmed."""
        m = self.mu.shape[1]
        out = np.zeros(self.n, [("track_id", np.int64), ("t_s", float), ("state", float, (6,)),
                                ("log_beta", float), ("mu", float, (m,)), ("confirmed", bool)])
        out["track_id"], out["t_s"] = self.ids, self.t
        out["state"], out["log_beta"] = self.xc[:, :6], self.xc[:, 6]
        out["mu"], out["confirmed"] = self.mu, self.confirmed
        return out
