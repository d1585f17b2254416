"""Progress of a benchmark over its stages, for the command line's bar with ETA.

A benchmark names its stages in order with a weight each (its rough share of the run's wall
time: an estimate, said so where the weights are given) and reports ``at(stage, fraction)``
as it goes; :class:`Stages` turns that into ``progress(stage, fraction_of_the_whole_run)``, the
callback the command line's progress bar takes (:func:`launchwatch.cli.common.progress_bar`).
The weights only shape the ETA: the bar still reaches 100 % at the end whatever they are.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[str, float], None]


class Stages:
    """``at(stage, fraction)`` -> ``progress(stage, overall fraction)`` from stage weights."""

    def __init__(self, progress: ProgressFn | None, weights: dict[str, float]) -> None:
        if not weights or any(w < 0 for w in weights.values()):
            raise ValueError("stage weights must be a non-empty mapping of non-negative numbers")
        self.progress = progress
        total = float(sum(weights.values())) or 1.0
        self._start: dict[str, float] = {}
        self._share: dict[str, float] = {}
        acc = 0.0
        for name, w in weights.items():
            self._start[name] = acc / total
            self._share[name] = w / total
            acc += w

    def at(self, stage: str, fraction: float = 0.0) -> None:
        """``stage`` is under way, ``fraction`` (0..1) of it done (earlier stages all done)."""
        if self.progress is None:
            return
        f = min(max(float(fraction), 0.0), 1.0)
        self.progress(stage, min(self._start[stage] + self._share[stage] * f, 1.0))

    def done(self) -> None:
        if self.progress is not None:
            self.progress("done", 1.0)
