"""Type names for the NumPy values in launchwatch's annotations (no runtime behaviour).

``ArrayOrScalar`` is what a broadcasting NumPy function returns: an array of the inputs'
broadcast shape, or a NumPy scalar when every input was a scalar.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np

ArrayOrScalar: TypeAlias = "np.ndarray | np.floating[Any]"
