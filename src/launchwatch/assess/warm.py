"""Load once what an assessment builds on first need, before the first assessment is timed.

Two tables are built lazily, once per process: the maritime zones' k-d tree of coast vertices
and the land mask (:meth:`launchwatch.earth.zones.ZoneModel.warm`, ~0.9 s of CPU: needed by the
first sample impact outside the zones' uniform-cell raster), and the launch-point templates
(:func:`launchwatch.assess.launch_point.templates`, ~2 s: the first launch-point estimate).
Built in the middle of an assessment they stall it: a paced partner node stalled its partners,
and ``bench assess`` counted the tree in one of 40 timed assessments (p99 0.86-1.3 s against a
median of 17 ms on the reference glide).
"""

from __future__ import annotations

import time

from ..earth.zones import zone_model
from .launch_point import templates


def warm_up() -> float:
    """Build the zone tables and the launch-point templates now; returns the seconds it took
    (wall clock; near 0 when an earlier call in this process built them)."""
    t0 = time.perf_counter()
    zone_model().warm()
    templates()
    return time.perf_counter() - t0
