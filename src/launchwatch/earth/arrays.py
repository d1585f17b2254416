"""Type names for the NumPy values in launchwatch's annotations, and :func:`read_only`.

``ArrayOrScalar`` is what a broadcasting NumPy function returns: an array of the inputs'
broadcast shape, or a NumPy scalar when every input was a scalar.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np

ArrayOrScalar: TypeAlias = "np.ndarray | np.floating[Any]"


def read_only(*arrays: np.ndarray) -> None:
    """Mark arrays that a cache hands to every caller as read-only: a caller that writes into
    one raises (``assignment destination is read-only``) instead of changing every later
    result in the process."""
    for a in arrays:
        a.flags.writeable = False
