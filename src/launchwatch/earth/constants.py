"""WGS84 defining and derived constants, SI units.

Source: NIMA TR8350.2, *Department of Defense World Geodetic System 1984*, 3rd edition,
Amendment 1 (2000), Table 3.1 (defining parameters) and Table 3.3 (J2 from C20).
GM is the post-1994 value (3.986004418e14 m^3/s^2, including the atmosphere); the pre-1994
3.986005e14 still found in some libraries is *not* used (a test pins this).
"""

from __future__ import annotations

import math

#: Semi-major axis (equatorial radius), metres.
A_M = 6_378_137.0
#: Inverse flattening.
INV_F = 298.257223563
#: Flattening.
F = 1.0 / INV_F
#: Semi-minor axis (polar radius), metres.
B_M = A_M * (1.0 - F)
#: First eccentricity squared.
E2 = F * (2.0 - F)
#: Second eccentricity squared.
EP2 = E2 / (1.0 - E2)
#: Earth rotation rate, rad/s.
OMEGA_RAD_S = 7.292115e-5
#: Earth's gravitational parameter GM, m^3/s^2.
GM_M3_S2 = 3.986004418e14
#: Second zonal harmonic, J2 = -sqrt(5) * C20, normalised C20 = -484.16685e-6 (TR8350.2 Tab. 3.3).
J2 = -math.sqrt(5.0) * -484.16685e-6
#: Mean Earth radius R1 = (2a + b) / 3, metres (IUGG); used only for spherical approximations.
R_MEAN_M = (2.0 * A_M + B_M) / 3.0
#: Standard gravity, m/s^2 (for specific impulse), CGPM 1901.
G0_M_S2 = 9.80665
#: One nautical mile, metres (international definition, 1929).
NMI_M = 1852.0
