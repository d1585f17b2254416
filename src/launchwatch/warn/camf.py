"""EWSS / QZSS Common Alert Message Format (CAMF): the 122-bit alert of a J-Alert warning, and
the QZSS L1S DC Report extension (DCX, message type 44) frame that carries it.

The CAMF fields (Galileo EWSS CAMF; IS-QZSS-DCX), most significant bit first:

=====  ====  =================================================================================
field  bits  content here
=====  ====  =================================================================================
A1     2     message type: 0 Test (every simulated run), 1 Alert, 2 Update, 3 All Clear
A2     9     country: 111 Japan
A3     5     provider: 2 Fire and Disaster Management Agency (J-Alert's operator)
A4     7     hazard: 8 missile attack
A5     2     severity: 3 extreme (shelter), 1 moderate (clearing messages)
A6     1     onset week: 0 current
A7     14    onset, minutes since Monday 00:00 UTC of the week, + 1
A8     2     duration: 1 (< 6 h)
A9     1     library: 1 country library (Japan's)
A10    3     library version: 0 (#1)
A11    10    instruction: the J-Alert message code (:mod:`.jalert`, 128-136)
A12    16    hazard ellipse centre latitude, ``-90 + 180 * code / 65535`` deg
A13    17    hazard ellipse centre longitude, ``-180 + 360 * code / 131071`` deg
A14    5     semi-major axis, ``216.2 m * (2500 km / 216.2 m) ** (code / 31)``
A15    5     semi-minor axis, same scale
A16    6     azimuth of the semi-major axis, deg clockwise from north, ``-90 + 180 * code / 64``
A17    2     specific settings: 0 (improved resolution of the main ellipse)
A18    15    C1-C4 refinements (3 bits each; 0: none), 3 spare bits
=====  ====  =================================================================================

The hazard ellipse is the 95 % impact ellipse, rounded *outwards* (semi-axes to the next code up,
so the broadcast ellipse holds the predicted one); a message without an impact ellipse (an
overflight warning, or after the impact) has all-zero A12-A16 ("not used").

The DCX frame (250 bits): preamble (8), message type 44 (6), satellite designation mask type and
mask (1 + 9: for Japan, all satellites), CAMF (122), EX8 (1: 0 = prefecture list), EX9 (64: one
bit per prefecture, Hokkaido the bit of weight 2**17 of the field, counting up in JIS X 0401
order; the low 17 bits spare), EX10 (3), version (6), spare (6), CRC-24Q over the first 226 bits
(24). :func:`frame_hex` gives it as the 63 hex digits of a QZSS receiver's output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from . import jalert

__all__ = [
    "CamfAlert",
    "camf_bits",
    "frame_bits",
    "frame_hex",
    "semi_axis_code",
    "azimuth_code",
    "prefecture_mask",
    "CAMF_BITS",
]

CAMF_BITS = 122
_PREAMBLE = 0x53
_MT_DCX = 44
_A14_MIN_M = 216.2
_A14_MAX_M = 2_500_000.0


@dataclass(frozen=True)
class CamfAlert:
    """The content of one CAMF alert (see module docstring for the fields)."""

    code: int  # J-Alert message code (A11)
    message_type: int  # A1: 0 test, 1 alert, 2 update, 3 all clear
    onset: datetime  # aware
    prefectures: tuple[str, ...] = ()  # ISO 3166-2 JP-01..JP-47 (EX9)
    ellipse: tuple[float, float, float, float, float] | None = None  # lat, lon deg, a, b m, az deg
    severity: int = 3
    provider: int = 2


def semi_axis_code(length_m: float) -> int:
    """Smallest A14/A15 code whose length is >= ``length_m`` (31 beyond 2,500 km)."""
    if not length_m > _A14_MIN_M:
        return 0
    f = 31.0 * math.log(length_m / _A14_MIN_M) / math.log(_A14_MAX_M / _A14_MIN_M)
    code = math.ceil(f - 1e-9)
    return int(min(max(code, 0), 31))


def azimuth_code(azimuth_deg: float) -> int:
    """A16 code of a major-axis azimuth (deg clockwise from north; an axis: mod 180)."""
    a = (float(azimuth_deg) + 90.0) % 180.0 - 90.0  # [-90, 90)
    return int(round((a + 90.0) * 64.0 / 180.0)) % 64


def prefecture_mask(codes) -> int:
    """The 47-bit prefecture set (bit i = JIS X 0401 prefecture i + 1) of ``JP-nn`` codes."""
    mask = 0
    for c in codes:
        if not (
            isinstance(c, str) and c.startswith("JP-") and c[3:].isdigit() and 1 <= int(c[3:]) <= 47
        ):
            raise ValueError(f"not a Japanese prefecture code: {c!r}")
        mask |= 1 << (int(c[3:]) - 1)
    return mask


class _Bits:
    def __init__(self):
        self.value, self.n = 0, 0

    def put(self, value: int, width: int) -> None:
        if not 0 <= int(value) < (1 << width):
            raise ValueError(f"{value} does not fit in {width} bits")
        self.value = (self.value << width) | int(value)
        self.n += width


def _onset_minutes(t: datetime) -> int:
    if t.tzinfo is None:
        raise ValueError("onset must be an aware datetime")
    u = t.astimezone(UTC)
    return u.weekday() * 1440 + u.hour * 60 + u.minute + 1


def camf_bits(alert: CamfAlert) -> int:
    """The 122-bit CAMF alert as an integer (A1 the most significant bits)."""
    if alert.code not in jalert.MISSILE_CODES:
        raise ValueError(f"{alert.code} is not a J-Alert missile message code")
    b = _Bits()
    b.put(alert.message_type, 2)
    b.put(111, 9)  # Japan
    b.put(alert.provider, 5)
    b.put(8, 7)  # missile attack
    b.put(alert.severity, 2)
    b.put(0, 1)
    b.put(_onset_minutes(alert.onset), 14)
    b.put(1, 2)
    b.put(1, 1)
    b.put(0, 3)
    b.put(alert.code, 10)
    if alert.ellipse is None:
        b.put(0, 16 + 17 + 5 + 5 + 6)
    else:
        lat, lon, a_m, b_m, az = (float(v) for v in alert.ellipse)
        if not (math.isfinite(lat) and math.isfinite(lon) and a_m >= b_m >= 0):
            raise ValueError("ellipse must be finite lat, lon and semi-axes a >= b >= 0")
        lon = (lon + 180.0) % 360.0 - 180.0
        b.put(int(round((lat + 90.0) * 0xFFFF / 180.0)), 16)
        b.put(int(round((lon + 180.0) * 0x1FFFF / 360.0)), 17)
        b.put(semi_axis_code(a_m), 5)
        b.put(semi_axis_code(b_m), 5)
        b.put(azimuth_code(az), 6)
    b.put(0, 2)
    b.put(0, 15)
    assert b.n == CAMF_BITS
    return b.value


def _crc24q(value: int, nbits: int) -> int:
    """CRC-24Q (polynomial 0x1864CFB, initial 0) of the first ``nbits`` bits of ``value``."""
    crc = 0
    for i in range(nbits - 1, -1, -1):
        bit = (value >> i) & 1
        top = (crc >> 23) & 1
        crc = (crc << 1) & 0xFFFFFF
        if top ^ bit:
            crc ^= 0x864CFB
    return crc


def frame_bits(alert: CamfAlert) -> int:
    """The 250-bit DCX frame (module docstring) as an integer."""
    b = _Bits()
    b.put(_PREAMBLE, 8)
    b.put(_MT_DCX, 6)
    b.put(0, 1)  # mask type: for Japan / outside Japan
    b.put(0, 9)  # every satellite: for Japan
    b.put(camf_bits(alert), CAMF_BITS)
    b.put(0, 1)  # EX8: prefecture list
    b.put(prefecture_mask(alert.prefectures) << 17, 64)
    b.put(0, 3)
    b.put(1, 6)  # version
    b.put(0, 6)
    assert b.n == 226
    b.put(_crc24q(b.value, 226), 24)
    return b.value


def frame_hex(alert: CamfAlert) -> str:
    """The DCX frame as 63 hex digits (250 bits + 2 zero bits), as QZSS receivers print it."""
    return f"{frame_bits(alert) << 2:063X}"
