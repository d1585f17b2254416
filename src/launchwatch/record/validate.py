"""One validation of a report's figures for every way into the record (API, ingest, import,
simulated runs), so that SQLite and PostgreSQL accept and refuse exactly the same rows.

:func:`check_report` runs :class:`Figures` (pydantic) over a report's and its event's numbers
and codes: finite numbers in range (latitudes within +-90 deg, longitudes within +-180 deg,
range / apogee / flight time > 0, at least one missile), ``HH:MM`` clock times, ``+-HH:MM``
offsets, a text hash of at most 64 printable characters, and no NaN or infinity anywhere in
the stored JSON. String lengths are checked against the columns by
:func:`launchwatch.record.store.clean_report`. A bad value raises ``ValueError`` with one
line naming the field.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
#: Upper bounds well above any ballistic flight (half the Earth's circumference is 20,004 km).
Km = Annotated[float, Field(gt=0, lt=25_000, allow_inf_nan=False)]
Seconds = Annotated[float, Field(gt=0, lt=20_000, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1, le=1000)]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Offset = Annotated[str, Field(pattern=r"^[+-](0\d|1[0-4]):[0-5]\d$")]


class Figures(BaseModel):
    """The checked numbers and codes of one report and its event (``None`` = unknown)."""

    model_config = ConfigDict(extra="ignore", strict=False)

    #: a SHA-256 in hex in everything launchwatch writes; any short printable key is taken
    text_hash: Annotated[str, Field(pattern=r"^[!-~]{1,64}$")]
    launch_time_local: Clock | None = None
    utc_offset: Offset | None = None
    site_lat_deg: Lat | None = None
    site_lon_deg: Lon | None = None
    n_missiles: Count | None = None
    range_km: Km | None = None
    apogee_km: Km | None = None
    flight_time_s: Seconds | None = None
    eez_claim: Literal["inside", "outside", "unknown"] = "unknown"
    event_launch_time_local: Clock | None = None
    event_utc_offset: Offset | None = None
    event_site_lat_deg: Lat | None = None
    event_site_lon_deg: Lon | None = None
    event_n_missiles: Count | None = None
    event_landing_lat_deg: Lat | None = None
    event_landing_lon_deg: Lon | None = None


def _finite_json(value, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: {value} is not a finite number")
    if isinstance(value, dict):
        for k, v in value.items():
            _finite_json(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _finite_json(v, f"{where}[{i}]")


def check_report(new) -> None:
    """Validate a :class:`~launchwatch.record.store.NewReport`; ``ValueError`` when bad."""
    data = {k: getattr(new, k) for k in Figures.model_fields if not k.startswith("event_")}
    data.update(
        {f"event_{k}": v for k, v in new.event.items() if f"event_{k}" in Figures.model_fields}
    )
    if data.get("eez_claim") is None:
        data["eez_claim"] = "unknown"
    try:
        Figures.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(x) for x in err["loc"]).replace("event_", "event ")
        raise ValueError(f"{name} {err.get('input')!r}: {err['msg']}"[:300]) from None
    for name in ("details", "reconstruction", "zone"):
        _finite_json(getattr(new, name), name)
    for pair in (("site_lat_deg", "site_lon_deg"), ("landing_lat_deg", "landing_lon_deg")):
        if (new.event.get(pair[0]) is None) != (new.event.get(pair[1]) is None):
            raise ValueError(f"event {pair[0]} and {pair[1]} must both be given or neither")
