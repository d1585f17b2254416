"""A numba kernel gives the same floats whether this process compiled it or loaded it from the
on-disk cache (with LLVM fast-math flags it did not: 1e-8 relative in the flight core, grown by
the chain into different assessments in a process that had compiled its kernels itself)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import launchwatch
from launchwatch.flight.dynamics import FASTMATH

SRC = Path(launchwatch.__file__).resolve().parent

#: Flies a KN-23 batch through the flight core and a Monte Carlo of the assessment's unit body;
#: prints a digest of every output.
SCRIPT = """
import hashlib
import numpy as np
from launchwatch.assess import lift
from launchwatch.assess.impact import _UNIT_BODY
from launchwatch.flight import propagate
from launchwatch.flight.propagate import make_controls
from launchwatch.flight.vehicles import vehicle_model

n = 200
tr = propagate.propagate(vehicle_model("KN-23"), 40.0, 124.9, 95.0,
                         make_controls(n, kick_rad=np.linspace(0.2, 0.6, n)),
                         sample_times_s=np.linspace(0.0, 400.0, 41))
mc = propagate.propagate_states(_UNIT_BODY, tr.samples_eci[:, 10].copy(), np.full(n, 100.0),
                                ctrl=lift.controls(np.full(n, np.log(5000.0)), np.full(n, 0.1)),
                                t_max_s=3000.0, rtol=1e-5, atol_pos_m=5.0, atol_vel_m_s=5e-3)
for name, v in (("impact", tr.impact_eci), ("samples", tr.samples_eci),
                ("apogee", tr.apogee_m), ("mc_impact", mc.impact_eci)):
    print(name, hashlib.sha1(np.ascontiguousarray(v).tobytes()).hexdigest())
from launchwatch.flight import integrate
print("compiled", len(integrate.integrate_batch.signatures),
      len(integrate._integrate_block.signatures))
"""


def test_kernels_use_no_value_changing_fast_math():
    assert FASTMATH is False
    for path in SRC.rglob("*.py"):
        for flag in re.findall(r"fastmath\s*=\s*([A-Za-z_{][^,)]*)", path.read_text("utf-8")):
            assert flag.strip() in ("FASTMATH", "False"), f"{path.name}: fastmath={flag}"


@pytest.mark.slow
def test_kernel_compiled_here_equals_kernel_loaded_from_the_cache(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),  # empty: the first run compiles
    }

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    compiled, counts = run().rsplit("compiled", 1)
    assert list((tmp_path / "numba").rglob("*.nbi")), "the first run wrote no cache"
    # one machine code for the vehicle's and the unit body's flights (same argument types and
    # layouts): each extra signature is a compile of the whole integrator
    assert counts.split() == ["1", "1"], counts
    loaded = run().rsplit("compiled", 1)[0]
    assert loaded == compiled
