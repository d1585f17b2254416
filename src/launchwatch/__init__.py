"""launchwatch: open ballistic-missile launch monitoring and early-warning."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

__version__ = "0.1.0"

# Packages whose modules hold numba kernels compiled with ``cache=True``.
KERNEL_PACKAGES = ("earth", "flight", "track", "assess", "campaign", "bench")


def kernel_source_digest(root: Path | None = None) -> str:
    """12 hex digits of SHA-1 over the sources of every package holding numba kernels.

    numba's cache checks only the file of the cached function itself, so a kernel that inlines
    a changed function from another file (the fused track step inlines the EKF row; the
    integrator inlines the force model and the frame conversions) would load stale machine
    code.  Keying the cache folder on all kernel sources makes any such edit a fresh compile.
    ``root``: the package folder (default: this one).
    """
    root = root or Path(__file__).resolve().parent
    h = hashlib.sha1()
    for pkg in KERNEL_PACKAGES:
        for f in sorted((root / pkg).glob("*.py")):
            h.update(f"{pkg}/{f.name}".encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _key_numba_cache() -> None:
    """Point ``NUMBA_CACHE_DIR`` at ``BASE/<digest>`` (BASE: the variable's value, else
    ``$XDG_CACHE_HOME`` or ``~/.cache`` + ``launchwatch/numba``) before any kernel is compiled;
    child processes inherit the keyed folder unchanged."""
    digest = kernel_source_digest()
    base = os.environ.get("NUMBA_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "launchwatch" / "numba"
    )
    if Path(base).name == digest:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(Path(base) / digest)
    if "numba" in sys.modules:  # numba read its settings already: read them again
        from numba.core import config

        config.reload_config()


_key_numba_cache()


def _passive_openmp() -> None:
    """Let idle OpenMP worker threads sleep (``OMP_WAIT_POLICY=PASSIVE``) unless the
    environment sets a policy.  numba's parallel kernels run on GNU OpenMP here, whose idle
    workers otherwise spin after every parallel region: the chain opens thousands of short
    ones (eleven integrations per corridor fan, the assessment's, the tracker's), and the
    spinning cost a quarter of a fan's CPU (0.164 -> 0.123 s per fan, 12 fans, 2 threads,
    docs/measurements.md) while the other threads of a shared 2-core machine wait for it.
    Results do not change (the kernels' blocks are the same); it must be set before the
    OpenMP runtime loads, so here, before any kernel runs."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


_passive_openmp()
