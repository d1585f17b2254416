"""Interacting multiple model (IMM) estimator over the motion models of :mod:`.models`, batched.

State of N tracks: model-conditioned means ``x`` (N, M, n), covariances ``P`` (N, M, n, n) and
model probabilities ``mu`` (N, M).  One cycle (Blom & Bar-Shalom; Li & Jilkov survey, see
shared/guide/physics.md):

1. mixing with the Markov transition matrix over the step, ``Pi(dt) = expm(dt G)`` with the
   generator ``G ~ log(Pi_T) / T`` of the configured matrix ``Pi_T`` for a period ``T`` (so that
   switching does not depend on the sensor rate; ``|dt|`` for small out-of-sequence lags);
2. one filter prediction of all N*M model rows (:class:`~.ekf.EKF` or :class:`~.ukf.UKF`);
3. one filter update of all N*M rows; ``mu_j ~ cbar_j L_j``;
4. the output estimate is the moment-matched mixture (:meth:`IMM.combine`).

Mixing and combination are numba kernels over the batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit, prange
from numpy.typing import ArrayLike
from scipy.linalg import logm

from .ekf import EKF
from .measure import Measurements
from .models import DEFAULT_MODELS, N_STATE, P_THRUST, PARALLEL, MotionModel, params_array

if TYPE_CHECKING:
    from .parts import StateFilter

#: Default transition probabilities over one second, model order (coast, boost, glide).
#: Estimates: boost lasts tens of seconds (mean ~40 s), a coasting body rarely re-ignites, a
#: pull-up starts at a rate of ~1/100 s and a glide lasts minutes (mean ~200 s).
DEFAULT_TRANSITION = ((0.988, 0.002, 0.010), (0.025, 0.975, 0.000), (0.005, 0.000, 0.995))


@njit(cache=True, parallel=PARALLEL, error_model="numpy")
def _mix_kernel(
    x: np.ndarray,
    P: np.ndarray,
    mu: np.ndarray,
    Pi: np.ndarray,
    x0: np.ndarray,
    P0: np.ndarray,
    cbar: np.ndarray,
) -> None:
    N, M, n = x.shape
    for t in prange(N):
        w = np.empty(M)  # per work item: safe if the kernels are ever run in parallel
        for j in range(M):
            c = 0.0
            for i in range(M):
                c += Pi[t, i, j] * mu[t, i]
            cbar[t, j] = c
            for i in range(M):
                w[i] = Pi[t, i, j] * mu[t, i] / c if c > 0.0 else (1.0 if i == j else 0.0)
            xj = x0[t, j]
            Pj = P0[t, j]
            xj[:] = 0.0
            Pj[:, :] = 0.0
            for i in range(M):
                if w[i] != 0.0:
                    for k in range(n):
                        xj[k] += w[i] * x[t, i, k]
            for i in range(M):
                if w[i] == 0.0:
                    continue
                xi = x[t, i]
                Pi_ = P[t, i]
                for k in range(n):
                    dk = w[i] * (xi[k] - xj[k])
                    for l in range(n):
                        Pj[k, l] += w[i] * Pi_[k, l] + dk * (xi[l] - xj[l])


@njit(cache=True, parallel=PARALLEL, error_model="numpy")
def _combine_kernel(
    x: np.ndarray, P: np.ndarray, mu: np.ndarray, xc: np.ndarray, Pc: np.ndarray
) -> None:
    N, M, n = x.shape
    for t in prange(N):
        xt = xc[t]
        Pt = Pc[t]
        xt[:] = 0.0
        Pt[:, :] = 0.0
        for j in range(M):
            for k in range(n):
                xt[k] += mu[t, j] * x[t, j, k]
        for j in range(M):
            wj = mu[t, j]
            xj = x[t, j]
            Pj = P[t, j]
            for k in range(n):
                dk = wj * (xj[k] - xt[k])
                for l in range(n):
                    Pt[k, l] += wj * Pj[k, l] + dk * (xj[l] - xt[l])


@njit(cache=True, error_model="numpy")
def mode_probs_row(ll: np.ndarray, cbar: np.ndarray, mu: np.ndarray) -> float:
    """Updated model probabilities of one track, ``mu_j ~ cbar_j L_j`` from the models'
    measurement log-likelihoods ``ll`` (M,) (``cbar`` kept where no model fits); returns the
    log-likelihood of the measurement under the mixture (``-inf`` if none fits)."""
    M = ll.shape[0]
    top = -np.inf
    for j in range(M):
        if ll[j] > top:
            top = ll[j]
    finite = np.isfinite(top)
    shift = top if finite else 0.0
    tot = 0.0
    for j in range(M):
        mu[j] = cbar[j] * np.exp(ll[j] - shift)
        tot += mu[j]
    if not (finite and tot > 0.0):
        for j in range(M):
            mu[j] = cbar[j]
        return -np.inf
    for j in range(M):
        mu[j] /= tot
    return float(np.log(tot) + top)


@njit(cache=True, error_model="numpy")
def _mode_probs_kernel(
    ll: np.ndarray, cbar: np.ndarray, mu: np.ndarray, loglik: np.ndarray
) -> None:
    for t in range(ll.shape[0]):
        loglik[t] = mode_probs_row(ll[t], cbar[t], mu[t])


_LOGM_CACHE: dict[tuple[tuple[int, ...], bytes], np.ndarray] = {}


def _logm(Pi: np.ndarray) -> np.ndarray:
    """``scipy.linalg.logm(Pi)``, remembered by the matrix's exact values (every tracker of a
    process builds its IMM from the same few matrices).  scipy's LAPACK call cost ~100 ms per
    tracker on the benchmark machine and left an OpenBLAS worker thread spinning for a while
    after it, which the process CPU clock charged to the frames that followed (measured: a
    single target's frames at ~50 us of thread CPU showed ~90 us of process CPU)."""
    key = (Pi.shape, Pi.tobytes())
    G = _LOGM_CACHE.get(key)
    if G is None:
        if len(_LOGM_CACHE) >= 64:
            _LOGM_CACHE.clear()
        G = _LOGM_CACHE[key] = np.asarray(logm(Pi))
    return G.copy()


def _expm_batch(A: np.ndarray) -> np.ndarray:
    """Batched matrix exponential (N, M, M) by scaling and squaring of a degree-10 Taylor
    series (the generators here are small: rates ~0.1/s times steps of seconds)."""
    norm = np.abs(A).sum(axis=-1).max() if A.size else 0.0
    s = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0.5 else 0
    A = A / 2.0**s
    E = np.broadcast_to(np.eye(A.shape[-1]), A.shape).copy()
    term = E.copy()
    for k in range(1, 11):
        term = term @ A / k
        E += term
    for _ in range(s):
        E = E @ E
    return E


class IMM:
    """Batched IMM over ``models`` with the filter ``filter`` (EKF or UKF).

    ``transition[i][j]`` is the probability of switching from model i to model j within
    ``period_s`` seconds (rows sum to 1).
    """

    def __init__(
        self,
        models: tuple[MotionModel, ...] = DEFAULT_MODELS,
        *,
        transition: ArrayLike = DEFAULT_TRANSITION,
        period_s: float = 1.0,
        filter: StateFilter | None = None,
    ) -> None:
        self.models = tuple(models)
        self.params = params_array(self.models)
        names = [m.name for m in self.models]
        #: Index of the model whose nominal thrust is each track's own estimate (the boost
        #: model, :func:`~.tracks.thrust_update_kernel`), -1 if none.
        self.thrust_model = names.index("boost") if "boost" in names else -1
        self.filter: StateFilter = filter if filter is not None else EKF()
        Pi = np.asarray(transition, float)
        m = len(self.models)
        if Pi.shape != (m, m) or np.any(Pi < 0) or not np.allclose(Pi.sum(axis=1), 1.0):
            raise ValueError(f"transition must be a {m}x{m} row-stochastic matrix")
        if not period_s > 0:
            raise ValueError("period_s must be positive")
        G = _logm(Pi) / period_s if m > 1 else np.zeros((1, 1))
        if np.iscomplexobj(G):
            if np.abs(G.imag).max() > 1e-9:
                raise ValueError(
                    "transition matrix has no real generator (embed it: use "
                    "a matrix closer to the identity or a shorter period)"
                )
            G = G.real
        # Regularised generator (Israel, Rosenthal & Wei, Math. Finance 11, 2001): a matrix
        # with zeros but two-step paths (boost -> coast -> manoeuvre) has small negative
        # "rates"; clip them and rebalance the diagonal, so that Pi(dt) is stochastic for every
        # dt and Pi(a) Pi(b) = Pi(a + b).  Pi(period_s) then differs from ``transition`` by
        # ~1e-4 for the default.
        off = np.clip(G - np.diag(np.diag(G)), 0.0, None)
        self.generator = off - np.diag(off.sum(axis=1))
        self._cache: dict[float, np.ndarray] = {}

    @property
    def n_models(self) -> int:
        return len(self.models)

    @property
    def n_state(self) -> int:
        return N_STATE  # every model shares the state (n = 8, :mod:`.models`)

    def transition_matrix(self, dt: ArrayLike) -> np.ndarray:
        """(N, M, M) switching probabilities over steps ``dt`` (N,) s."""
        steps: np.ndarray = np.abs(np.asarray(dt, float))
        if steps.size == 1:  # one track (a single target): the cached matrix, no copy
            return self._transition_one(float(steps.flat[0]))[None]
        if steps.size and (steps == steps[0]).all():  # one step for all (a scan): cached
            m = self.n_models
            return np.ascontiguousarray(
                np.broadcast_to(self._transition_one(float(steps[0])), (steps.size, m, m))
            )
        u, inv = np.unique(steps, return_inverse=True)
        Pi = np.clip(_expm_batch(self.generator * u[:, None, None]), 0.0, None)
        out: np.ndarray = (Pi / Pi.sum(axis=-1, keepdims=True))[inv.ravel()]
        return out

    def _transition_one(self, dt: float) -> np.ndarray:
        Pi = self._cache.get(dt)
        if Pi is None:
            Pi = np.clip(_expm_batch(self.generator[None] * dt)[0], 0.0, None)
            Pi /= Pi.sum(axis=-1, keepdims=True)
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[dt] = Pi
        return Pi

    def mix(
        self, x: ArrayLike, P: ArrayLike, mu: ArrayLike, dt: ArrayLike
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mixed initial conditions ``(x0, P0)`` per model and predicted probabilities
        ``cbar`` (N, M) for steps ``dt`` (N,) s."""
        x = np.ascontiguousarray(x, float)
        P = np.ascontiguousarray(P, float)
        mu = np.ascontiguousarray(mu, float)
        x0, P0 = np.empty_like(x), np.empty_like(P)
        cbar = np.empty_like(mu)
        _mix_kernel(x, P, mu, self.transition_matrix(dt), x0, P0, cbar)
        return x0, P0, cbar

    def track_params(self, n_tracks: int, thrust: np.ndarray | None = None) -> np.ndarray:
        """(n_tracks, M, N_PARAMS) model parameters per track: the models' own, with the boost
        model's nominal thrust set to each track's estimate ``thrust[:, 0]`` (m/s^2) if
        ``thrust`` (n_tracks, 2; estimates and their variances) is given."""
        prm = np.repeat(self.params[None], n_tracks, axis=0)
        if thrust is not None and self.thrust_model >= 0:
            prm[:, self.thrust_model, P_THRUST] = thrust[:, 0]
        return prm

    def predict_mixed(
        self, x0: np.ndarray, P0: np.ndarray, dt: ArrayLike, thrust: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Predict mixed model states (N, M, ...) by ``dt`` (N,) s: one filter call.
        ``thrust`` (N, 2): each track's thrust estimate for the boost model
        (:meth:`track_params`; default: the model's own)."""
        N, M, n = x0.shape
        dt_rows = np.repeat(np.asarray(dt, float), M)
        prm = self.track_params(N, thrust).reshape(N * M, -1)
        xp, Pp = self.filter.predict(
            x0.reshape(N * M, n), P0.reshape(N * M, n, n), dt_rows, prm, overwrite=True
        )
        return xp.reshape(N, M, n), Pp.reshape(N, M, n, n)

    def predict(
        self,
        x: ArrayLike,
        P: ArrayLike,
        mu: ArrayLike,
        dt: ArrayLike,
        thrust: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mix and predict: ``(xp, Pp, cbar)``."""
        x0, P0, cbar = self.mix(x, P, mu, dt)
        xp, Pp = self.predict_mixed(x0, P0, dt, thrust)
        return xp, Pp, cbar

    def update(
        self,
        xp: np.ndarray,
        Pp: np.ndarray,
        cbar: np.ndarray,
        meas: Measurements,
        rows: ArrayLike | None = None,
        *,
        overwrite: bool = False,
        iterate: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Update N predicted tracks, track ``i`` with measurement ``rows[i]`` (default ``i``).
        Returns ``(x, P, mu, loglik)``, ``loglik`` (N,) the log-likelihood of each measurement
        under the mixture.  ``overwrite=True`` lets the filter reuse ``xp``/``Pp``;
        ``iterate=True`` asks the filter for its iterated update (the EKF's; others ignore
        it)."""
        N, M, n = xp.shape
        rows = np.arange(N) if rows is None else np.asarray(rows, np.int64)
        kw = {"iterate": True} if iterate and isinstance(self.filter, EKF) else {}
        x, P, ll, _ = self.filter.update(
            xp.reshape(N * M, n),
            Pp.reshape(N * M, n, n),
            meas,
            rows=np.repeat(rows, M),
            overwrite=overwrite,
            **kw,
        )
        mu, loglik = np.empty((N, M)), np.empty(N)
        _mode_probs_kernel(
            np.ascontiguousarray(ll.reshape(N, M)), np.ascontiguousarray(cbar, float), mu, loglik
        )
        return x.reshape(N, M, n), P.reshape(N, M, n, n), mu, loglik

    @staticmethod
    def combine(x: ArrayLike, P: ArrayLike, mu: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Moment-matched output estimate ``(x (N, 7), P (N, 7, 7))`` of the mixture."""
        x = np.ascontiguousarray(x, float)
        P = np.ascontiguousarray(P, float)
        mu = np.ascontiguousarray(mu, float)
        N, _, n = x.shape
        xc, Pc = np.empty((N, n)), np.empty((N, n, n))
        _combine_kernel(x, P, mu, xc, Pc)
        return xc, Pc
