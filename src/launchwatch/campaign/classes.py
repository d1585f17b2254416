"""Threat classes a campaign spec draws from: what each one flies, anchored on published shots.

A class is one kind of launch: a catalog vehicle (or the generic boost), a trajectory shape and
the published (range, apogee) pairs of its real flights.  An engagement draws ``u`` uniformly in
[0, 1] and interpolates piecewise-linearly between the class's anchors (sorted by range), so
range and apogee stay in the combinations the vehicle has been seen to fly (a 3,700 km Hwasong-12
shot with a 550 km apogee is not one of them).  Figures: ``flight/data/vehicles.yaml`` (each
flight there cites its source); the bearing is the class's sea area (``toward``) or an azimuth
band.  ``rcs_m2`` and ``time_step_s`` are launchwatch estimates (truth sampling: 0.1 s for flights
of minutes, 0.5 s for the hour-long lofted ICBMs, as the shipped scenarios do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np


@dataclass(frozen=True, slots=True)
class ThreatClass:
    """One launch kind; ``anchors`` are (range_km, apogee_km) of published flights."""

    name: str
    vehicle: str | None  # catalog vehicle; None = generic boost (burn time from the range)
    trajectory: Literal["min-energy", "lofted", "depressed"]
    anchors: tuple[tuple[float, float | None], ...]
    toward: str | None = None  # sea area (flight/data/sea_areas.yaml) ...
    azimuth_deg: tuple[float, float] | None = None  # ... or an azimuth band, deg from north
    rcs_m2: float = 0.1
    time_step_s: float = 0.1
    quasi_ballistic: bool = False

    def draw(self, u: float) -> tuple[float, float | None]:
        """(range_km, apogee_km or None) at ``u`` in [0, 1] along the anchors."""
        ranges = np.array([a[0] for a in self.anchors])
        if len(self.anchors) == 1:
            return float(ranges[0]), self.anchors[0][1]
        x = np.linspace(0.0, 1.0, len(self.anchors))
        rng_km = float(np.interp(u, x, ranges))
        if self.anchors[0][1] is None:
            return rng_km, None
        apogees = np.array([a[1] for a in self.anchors], dtype=float)
        return rng_km, float(np.interp(u, x, apogees))


CLASSES: dict[str, ThreatClass] = {
    c.name: c
    for c in (
        # KN-23 class, depressed quasi-ballistic (pull-up and glide): 2019-05-09 420 km / 50 km,
        # 2019-07-25 600 km / 50 km (ROK JCS), 2025-11-07 700 km (ROK JCS) / 50 km (Japan MoD).
        ThreatClass(
            "kn23-glide",
            "KN-23",
            "depressed",
            ((420.0, 50.0), (600.0, 50.0), (700.0, 50.0)),
            toward="East Sea",
            rcs_m2=0.1,
            quasi_ballistic=True,
        ),
        # KN-25 (600 mm guided rocket), minimum energy: 2019-10-31 370 km, 2019-08-24 380 km (ROK
        # JCS).  Not flown to the published 90-97 km apogees: the flight core's KN-25 (fitted to a
        # full burn of 380 km / 97 km) cannot fly a shorter or wider-spread salvo shot that low
        # ("depressed" fails), so its minimum-energy arcs top out near 145 km instead.
        ThreatClass(
            "kn25",
            "KN-25",
            "min-energy",
            ((370.0, None), (380.0, None)),
            toward="East Sea",
            rcs_m2=0.1,
        ),
        # Generic SRBM (launchwatch's generic boost), minimum energy, 300-800 km: the span of the
        # 2019-2025 SRBM shots into the East Sea (estimate; generic boost as in the salvo scenario).
        ThreatClass(
            "srbm",
            None,
            "min-energy",
            ((300.0, None), (800.0, None)),
            toward="East Sea",
            rcs_m2=0.1,
        ),
        # Hwasong-12 over Japan: 2017-08-29 2,700 km / 550 km (Japan CCS), 2017-09-15 3,700 km /
        # 770 km (ROK JCS), 2022-10-04 4,600 km (Japan CCS) / 970 km (ROK JCS); bearings 60-90 deg
        # cross Hokkaido / Tohoku from the western sites (estimate; overflight scenario 72.9 deg).
        ThreatClass(
            "hwasong12-overflight",
            "Hwasong-12",
            "depressed",
            ((2700.0, 550.0), (3700.0, 770.0), (4600.0, 970.0)),
            azimuth_deg=(60.0, 90.0),
            rcs_m2=0.2,
        ),
        # Lofted ICBMs into the East Sea: Hwasong-15 2017-11-29 950 km / 4,475 km (KCNA), Hwasong-18
        # 2023-07-12 1,001.2 km / 6,648.4 km (KCNA); flown as Hwasong-18 (the lofted-icbm scenario).
        ThreatClass(
            "icbm-lofted",
            "Hwasong-18",
            "lofted",
            ((950.0, 4475.0), (1001.2, 6648.4)),
            toward="East Sea",
            rcs_m2=0.1,
            time_step_s=0.5,
        ),
    )
}
