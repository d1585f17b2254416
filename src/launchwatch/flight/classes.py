"""Missile classes: the one vocabulary the package uses for them.

Range classes by (minimum-energy) range, km: SRBM < 1000, MRBM 1000-3000, IRBM 3000-5500,
ICBM > 5500 (the US DoD / arms-control convention).  A launch event in the record may also be
an SLBM (submarine-launched), an HGV (hypersonic glide vehicle), a cruise missile, or of
unknown class.
"""

from __future__ import annotations

import math

#: (upper range limit km, class) in increasing order; the last limit is infinite.
RANGE_CLASSES = ((1000.0, "SRBM"), (3000.0, "MRBM"), (5500.0, "IRBM"), (math.inf, "ICBM"))
#: The range class names, shortest range first.
RANGE_CLASS_NAMES = tuple(name for _, name in RANGE_CLASSES)
#: Every class a launch event may carry (record, service, CLI filters).
EVENT_CLASSES = (*RANGE_CLASS_NAMES, "SLBM", "HGV", "CRUISE", "UNKNOWN")


def range_class(range_km: float) -> str:
    """The range class of a (minimum-energy) range in km."""
    for limit, name in RANGE_CLASSES:
        if range_km < limit:
            return name
    return RANGE_CLASS_NAMES[-1]
