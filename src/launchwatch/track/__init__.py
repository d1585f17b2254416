"""Track: one fused track per missile from radar and IR detections, for salvos of many missiles.

* :class:`Tracker` / :class:`TrackerConfig` -- the multi-sensor tracker (:mod:`.tracker`):
  ``Tracker(config).step(detections)``, then ``.history``, ``.ledger()``, ``.merges``.
* :class:`IMM` over the ballistic motion models of :mod:`.models` (coast with drag and an
  estimated ballistic coefficient, boost, manoeuvre), with a batched :class:`EKF` (default) or
  :class:`UKF`; states in ECEF, batched as (N, 7) means and (N, 7, 7) covariances.
* :mod:`.parts` -- the replaceable parts (filter, associator, initiator, deleter, merger) and
  their array interfaces.
* :func:`score` -- assignment to truth, RMSE, OSPA, time to track, breaks and swaps.
* :func:`launchwatch.track.bench.bench_tracker` -- the throughput benchmark.

Units SI (m, s, rad); times are seconds after the scenario epoch; frame WGS84 ECEF.
"""

from .ekf import EKF
from .history import LEDGER_DTYPE, OUTCOME_NAMES, history_dtype
from .imm import DEFAULT_TRANSITION, IMM
from .models import BOOST, COAST, DEFAULT_MODELS, MANOEUVRE, MotionModel
from .score import Score, score
from .tracker import Tracker, TrackerConfig
from .ukf import UKF

__all__ = [
    "BOOST",
    "COAST",
    "DEFAULT_MODELS",
    "DEFAULT_TRANSITION",
    "EKF",
    "IMM",
    "LEDGER_DTYPE",
    "MANOEUVRE",
    "OUTCOME_NAMES",
    "MotionModel",
    "Score",
    "Tracker",
    "TrackerConfig",
    "UKF",
    "history_dtype",
    "score",
]
