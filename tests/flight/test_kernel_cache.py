"""A numba kernel gives the same floats whether this process compiled it or loaded it from the
on-disk cache (with LLVM fast-math flags it did not: 1e-8 relative in the flight core, grown by
the chain into different assessments in a process that had compiled its kernels itself).  The
probe that compares them is scripts/kernel_probe.py."""

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import launchwatch
from launchwatch.flight.dynamics import FASTMATH

SRC = Path(launchwatch.__file__).resolve().parent
#: The probe (a KN-23 batch through the flight core and a Monte Carlo of the assessment's unit
#: body, every output digested), run in a process of its own.
PROBE = Path(__file__).resolve().parents[2] / "scripts" / "kernel_probe.py"


def _kernel_probe():
    spec = importlib.util.spec_from_file_location("kernel_probe", PROBE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_kernels_use_no_value_changing_fast_math():
    assert FASTMATH is False
    for path in SRC.rglob("*.py"):
        for flag in re.findall(r"fastmath\s*=\s*([A-Za-z_{][^,)]*)", path.read_text("utf-8")):
            assert flag.strip() in ("FASTMATH", "False"), f"{path.name}: fastmath={flag}"


@pytest.mark.slow
def test_kernel_compiled_here_equals_kernel_loaded_from_the_cache(tmp_path):
    """A process that loads every kernel from the cache gives the same digests as one that
    compiled them.  The compiling run is the one ``scripts/compile_kernels.py`` made before the
    suite when it filled the cache (it keeps the probe's digests, keyed on the sources and
    versions: scripts/kernel_probe.py); without such a record (no prepare step, or a cache
    filled otherwise) this test compiles into an empty cache of its own first, and keeps that
    run's digests as the record."""
    base = {
        **os.environ,
        "PYTHONPATH": str(SRC.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }

    def run(env) -> dict:
        done = subprocess.run(
            [sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)

    def check(compiled: dict, loaded: dict) -> None:
        assert compiled["cache_hits"] == 0 and compiled["cache_misses"] > 0, compiled
        assert loaded["cache_misses"] == 0 and loaded["cache_hits"] > 0, loaded
        # one machine code for the vehicle's and the unit body's flights (same argument types
        # and layouts): each extra signature is a compile of the whole integrator (counted
        # where it compiled: a process that loads the integrator never sees the block kernel)
        assert compiled["signatures"] == [1, 1], compiled["signatures"]
        assert loaded["digests"] == compiled["digests"]

    kernel_probe = _kernel_probe()
    compiled = kernel_probe.recorded()
    if compiled is not None:
        loaded = run(base)  # the suite's cache
        if loaded["cache_misses"] == 0:
            check(compiled, loaded)
            return
    env = {**base, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}  # empty: the first run compiles
    compiled = run(env)
    assert list((tmp_path / "numba").rglob("*.nbi")), "the first run wrote no cache"
    check(compiled, run(env))
    kernel_probe.keep(compiled)  # the record of these sources: the next run only loads
