"""launchwatch lets idle OpenMP threads sleep unless the environment chose a wait policy."""

import os
import subprocess
import sys

CODE = "import os, launchwatch; print(os.environ.get('OMP_WAIT_POLICY'))"


def _policy(env_policy):
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if env_policy is not None:
        env["OMP_WAIT_POLICY"] = env_policy
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.strip()


def test_idle_openmp_threads_sleep_by_default():
    assert _policy(None) == "PASSIVE"


def test_a_policy_set_in_the_environment_is_kept():
    assert _policy("ACTIVE") == "ACTIVE"
