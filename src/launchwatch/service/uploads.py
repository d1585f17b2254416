"""Scenarios uploaded to the service: the same validator as the command line's
(:func:`launchwatch.sense.scenario.parse_scenario`), then limits on what one upload can make the
service compute, each refused in one line (:class:`UploadError` carries the HTTP status).

The text is never shown as HTML: the dashboard puts the scenario's name and description into
the page as text only.
"""

from __future__ import annotations

from ..sense.scenario import Scenario, ScenarioError, SensorRef, parse_scenario

#: Largest uploaded scenario, bytes (the shipped ones are under 3 KiB).
MAX_UPLOAD_BYTES = 64 * 1024
#: Most launches / sensors in an uploaded scenario (the shipped salvo has 8 launches).
MAX_LAUNCHES = 12
MAX_SENSORS = 24
#: Latest launch after the epoch, and longest scenario, seconds (a lofted ICBM flies ~70 min).
MAX_LAUNCH_TIME_S = 3_600.0
MAX_DURATION_S = 7_200.0
#: Finest truth sampling accepted, seconds (the shipped scenarios use 0.1).
MIN_TIME_STEP_S = 0.1
#: Highest apogee and fastest burnout of an uploaded launch, so that every flight ends within
#: about MAX_DURATION_S (a Hwasong-17 lofted to ~6,000 km flies ~70 min; a 7.5 km/s burnout
#: straight up climbs ~5,200 km).
MAX_APOGEE_KM = 8_000.0
MAX_BURNOUT_KM_S = 7.5
#: Outage windows per sensor, and the longest names.
MAX_OUTAGES = 16
MAX_NAME = 80
MAX_DESCRIPTION = 500


class UploadError(ValueError):
    """An upload refused: ``status`` (413 too large, 422 invalid) and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def check_upload(raw: bytes) -> Scenario:
    """The scenario in ``raw`` (UTF-8 YAML), validated and within the limits above."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadError(413, f"the scenario is larger than {MAX_UPLOAD_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadError(422, "the scenario is not UTF-8 text") from None
    if not text.strip():
        raise UploadError(422, "the scenario is empty")
    try:
        sc = parse_scenario(text, "upload")
    except ScenarioError as exc:
        raise UploadError(422, " ".join(str(exc).split())) from None
    problems = []
    if len(sc.name) > MAX_NAME or not sc.name.strip():
        problems.append(f"name: 1 to {MAX_NAME} characters")
    if len(sc.description) > MAX_DESCRIPTION:
        problems.append(f"description: at most {MAX_DESCRIPTION} characters")
    if len(sc.launches) > MAX_LAUNCHES:
        problems.append(f"launches: at most {MAX_LAUNCHES} in an uploaded scenario")
    if len(sc.sensors) > MAX_SENSORS:
        problems.append(f"sensors: at most {MAX_SENSORS} in an uploaded scenario")
    for i, launch in enumerate(sc.launches):
        if launch.time_s > MAX_LAUNCH_TIME_S:
            problems.append(f"launches.{i}.time_s: at most {MAX_LAUNCH_TIME_S:g} s")
        if len(launch.id) > 40:
            problems.append(f"launches.{i}.id: at most 40 characters")
        if launch.apogee_km is not None and launch.apogee_km > MAX_APOGEE_KM:
            problems.append(f"launches.{i}.apogee_km: at most {MAX_APOGEE_KM:,.0f} km")
        if launch.burnout is not None and launch.burnout.speed_km_s > MAX_BURNOUT_KM_S:
            problems.append(f"launches.{i}.burnout.speed_km_s: at most {MAX_BURNOUT_KM_S} km/s")
    for i, ref in enumerate(sc.sensors):
        if isinstance(ref, SensorRef) and len(ref.outages) > MAX_OUTAGES:
            problems.append(f"sensors.{i}.outages: at most {MAX_OUTAGES}")
    if sc.duration_s is not None and sc.duration_s > MAX_DURATION_S:
        problems.append(f"duration_s: at most {MAX_DURATION_S:g} s")
    if sc.time_step_s < MIN_TIME_STEP_S:
        problems.append(f"time_step_s: at least {MIN_TIME_STEP_S:g} s")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UploadError(422, f"upload: {problems[0]}{more}")
    return sc


def describe(sc: Scenario) -> dict:
    """What the dashboard lists of a scenario (as ``GET /api/scenarios`` does)."""
    return {
        "name": sc.name,
        "title": sc.name,
        "description": sc.description,
        "epoch": sc.epoch.isoformat(),
        "launches": len(sc.launches),
        "sites": sorted({x.site for x in sc.launches if x.site}),
        "sensors": len(sc.sensors),
    }
