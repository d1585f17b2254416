"""Warning-area codes and names: Japan's 47 prefectures and South Korea's 17 first-level
divisions, as ISO 3166-2 codes (``JP-01`` Hokkaido ... ``JP-47`` Okinawa, ``KR-11`` Seoul ...).

English names and the mapping from the sources' own codes (JMA prefecture numbers, KOSTAT sido
codes) are in ``data/areas.yaml``; this module only reads that table (no geometry).
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

__all__ = ["COUNTRIES", "area_codes", "area_name", "area_country", "check_countries", "area_table"]

#: Countries (ISO 3166-1 alpha-3) that have warning areas.
COUNTRIES = ("JPN", "KOR")


@lru_cache(maxsize=1)
def area_table() -> tuple[tuple[str, str, str, str], ...]:
    """(code, English name, country ISO3, source code) per area, Japan first."""
    import yaml

    text = files("launchwatch.warn").joinpath("data/areas.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    rows = []
    for country in COUNTRIES:
        for item in raw[country]:
            src = str(item.get("jma") or item.get("kostat"))
            rows.append((str(item["code"]), str(item["name"]), country, src))
    return tuple(rows)


def area_codes(countries=COUNTRIES) -> tuple[str, ...]:
    """ISO 3166-2 codes of the areas of ``countries`` (ISO3), in table order."""
    countries = check_countries(countries)
    return tuple(r[0] for r in area_table() if r[2] in countries)


def area_name(code: str) -> str:
    """English name of an area code (``"JP-13"`` -> ``"Tokyo"``)."""
    for row in area_table():
        if row[0] == code:
            return row[1]
    raise ValueError(f"unknown area code {code!r}")


def area_country(code: str) -> str:
    """ISO 3166-1 alpha-3 country of an area code (``"KR-26"`` -> ``"KOR"``)."""
    for row in area_table():
        if row[0] == code:
            return row[2]
    raise ValueError(f"unknown area code {code!r}")


def check_countries(countries) -> tuple[str, ...]:
    """Country codes as a tuple, checked to have warning areas (``ValueError`` if not)."""
    if isinstance(countries, str):
        countries = (countries,)
    countries = tuple(countries)
    bad = [c for c in countries if c not in COUNTRIES]
    if bad or not countries:
        raise ValueError(f"countries must be a non-empty subset of {COUNTRIES}, got {countries}")
    return countries
