"""The names a user can choose from (scenarios, sites, vehicles, sensors), for ``--help``.

Read straight from the shipped files with a line pattern, without importing the catalogs
(which pull in NumPy and the flight core): ``--help`` and quick commands stay fast.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

_NAME = re.compile(r"^  - name:\s*[\"']?([^\"'#\n]+?)[\"']?\s*(?:#.*)?$", re.MULTILINE)


@functools.cache
def _names(package: str, file: str) -> tuple[str, ...]:
    try:
        text = resources.files(package).joinpath(file).read_text(encoding="utf-8")
    except OSError:  # pragma: no cover - a broken install: help without the list
        return ()
    return tuple(_NAME.findall(text))


def scenarios() -> tuple[str, ...]:
    """Shipped scenario names (``launchwatch/sense/scenarios/*.yaml``)."""
    folder = resources.files("launchwatch.sense.scenarios")
    return tuple(
        sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    )


def sites() -> tuple[str, ...]:
    return _names("launchwatch.flight.data", "sites.yaml")


def vehicles() -> tuple[str, ...]:
    return _names("launchwatch.flight.data", "vehicles.yaml")


def sensors() -> tuple[str, ...]:
    return _names("launchwatch.sense.data", "sensors.yaml")


def listing(names: tuple[str, ...]) -> str:
    """``"a, b, c"`` for a help text (rich markup escaped)."""
    return ", ".join(n.replace("[", r"\[") for n in names)


def sea_areas() -> tuple[str, ...]:
    return _names("launchwatch.flight.data", "sea_areas.yaml")
