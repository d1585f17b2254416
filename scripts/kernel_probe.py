"""The kernel-cache probe: does a numba kernel give the same floats whether the process compiled
it or loaded it from the on-disk cache?  (With LLVM fast-math flags it did not: 1e-8 relative in
the flight core, grown by the chain into different assessments in a process that had compiled
its kernels itself.)  tests/flight/test_kernel_cache.py compares the two.

The probe flies a KN-23 batch through the flight core and a Monte Carlo of the assessment's unit
body, and digests every output.  A process that compiled every kernel the probe ran (no cache
hit) can keep its digests beside the cache (:func:`record_if_compiled`):
``scripts/compile_kernels.py`` does so first thing in its flight half, so in ``make test`` the
compile that fills the cache before the suite is also the probe's "compiled here" run, and the
test only has to load (a fresh process that finds every kernel in the cache); a test that had
to compile its own (no record) keeps that run's as the record.  The record is
keyed on the files of the packages the probe runs (code and data of the core, :data:`PROBED`),
this probe's source and the versions of Python, NumPy, numba and llvmlite: any change there
makes the test compile its own again (an edit elsewhere keeps the record valid).

    python scripts/kernel_probe.py      # run the probe in this process, print it as JSON
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import platform
import sys
from pathlib import Path

#: The packages the probe's outputs can depend on (the core: the layers up to the assessment,
#: which import no higher one, tests/test_layers.py), code and data.
PROBED = ("earth", "flight", "sense", "track", "assess")


def _dispatchers() -> list:
    """Every numba dispatcher of launchwatch's loaded modules."""
    from numba.core.dispatcher import Dispatcher

    out, seen = [], set()
    for name, mod in list(sys.modules.items()):
        if not name.startswith("launchwatch") or mod is None:
            continue
        for obj in vars(mod).values():
            if isinstance(obj, Dispatcher) and id(obj) not in seen:
                seen.add(id(obj))
                out.append(obj)
    return out


def _counts() -> tuple[int, int]:
    """Cache hits (kernels loaded) and misses (kernels compiled) so far in this process."""
    hits = misses = 0
    for d in _dispatchers():
        hits += sum(d.stats.cache_hits.values())
        misses += sum(d.stats.cache_misses.values())
    return hits, misses


def probe() -> dict:
    """Run the probe in this process: the digests of its outputs, the integrator's number of
    machine codes (signatures) and the cache hits and misses the probe caused."""
    import numpy as np

    from launchwatch.assess import lift
    from launchwatch.assess.impact import _UNIT_BODY
    from launchwatch.flight import integrate, propagate
    from launchwatch.flight.propagate import make_controls
    from launchwatch.flight.vehicles import vehicle_model

    hits0, misses0 = _counts()
    n = 200
    tr = propagate.propagate(
        vehicle_model("KN-23"),
        40.0,
        124.9,
        95.0,
        make_controls(n, kick_rad=np.linspace(0.2, 0.6, n)),
        sample_times_s=np.linspace(0.0, 400.0, 41),
    )
    mc = propagate.propagate_states(
        _UNIT_BODY,
        tr.samples_eci[:, 10].copy(),
        np.full(n, 100.0),
        ctrl=lift.controls(np.full(n, np.log(5000.0)), np.full(n, 0.1)),
        t_max_s=3000.0,
        rtol=1e-5,
        atol_pos_m=5.0,
        atol_vel_m_s=5e-3,
    )
    digests = {
        name: hashlib.sha1(np.ascontiguousarray(v).tobytes()).hexdigest()
        for name, v in (
            ("impact", tr.impact_eci),
            ("samples", tr.samples_eci),
            ("apogee", tr.apogee_m),
            ("mc_impact", mc.impact_eci),
        )
    }
    hits, misses = _counts()
    return {
        "digests": digests,
        "signatures": [
            len(integrate.integrate_batch.signatures),
            len(integrate._integrate_block.signatures),
        ],
        "cache_hits": hits - hits0,
        "cache_misses": misses - misses0,
    }


def record_key() -> str:
    """Digest of everything the probe's outputs depend on: the core packages' files (code and
    data) and the package's top-level modules, this probe's source, and the interpreter's and
    the numeric libraries' versions."""
    import llvmlite
    import numba
    import numpy as np

    import launchwatch

    root = Path(launchwatch.__file__).resolve().parent
    h = hashlib.sha1(inspect.getsource(probe).encode())
    for lib in (sys.version, np.__version__, numba.__version__, llvmlite.__version__):
        h.update(lib.encode())
    h.update(platform.machine().encode())
    files = sorted(root.glob("*.py"))
    for pkg in PROBED:
        files += sorted(f for f in (root / pkg).rglob("*") if "__pycache__" not in f.parts)
    for f in files:
        if f.is_file():
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def record_path() -> Path:
    """Where the digests of a compiling run are kept: in numba's (keyed) cache folder."""
    import launchwatch  # noqa: F401 (keys NUMBA_CACHE_DIR on the kernel sources)

    return Path(os.environ["NUMBA_CACHE_DIR"]) / f"kernel-probe-{record_key()}.json"


def record_if_compiled() -> bool:
    """Run the probe here (unless a record of the current sources is kept already); keep its
    digests when every kernel it ran was compiled in this process (no cache hit, at least one
    compile).  Whether it kept them."""
    if recorded() is not None:
        return False
    got = probe()
    if got["cache_hits"] != 0 or got["cache_misses"] == 0:
        return False
    keep(got)
    return True


def keep(compiled: dict) -> None:
    """Keep the probe's result from a process that compiled every kernel it ran as the record
    of the current sources and versions (in this process's numba cache folder)."""
    if compiled["cache_hits"] != 0 or compiled["cache_misses"] == 0:
        raise ValueError("not a compiling run: it loaded a kernel or compiled none")
    path = record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(compiled, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def recorded() -> dict | None:
    """The digests a compiling run kept for the current sources and versions, else None."""
    try:
        return json.loads(record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


if __name__ == "__main__":
    print(json.dumps(probe(), sort_keys=True))
