"""The chain driver as the campaign uses it (one import site while the driver moves home)."""

from __future__ import annotations

try:  # launchwatch.pipeline owns the chain (issue 10)
    from ..pipeline.chain import run_chain, track_truth
except ImportError:  # pragma: no cover - before the move
    from ..warn.chain import _track_truth as track_truth  # noqa: F401
    from ..warn.chain import run_chain  # noqa: F401

__all__ = ["run_chain", "track_truth"]
