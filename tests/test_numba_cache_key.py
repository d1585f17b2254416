"""numba's cache folder is keyed on every kernel source (numba itself checks only the file of
the cached function, so an edit to an inlined callee in another file would load stale code)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import launchwatch
from launchwatch import KERNEL_PACKAGES, kernel_source_digest

PKG = Path(launchwatch.__file__).resolve().parent


def _copy_kernel_sources(dst: Path) -> None:
    for pkg in KERNEL_PACKAGES:
        (dst / pkg).mkdir(parents=True)
        for f in (PKG / pkg).glob("*.py"):
            shutil.copy(f, dst / pkg / f.name)


def test_an_edit_to_an_inlined_callee_changes_the_key(tmp_path: Path) -> None:
    _copy_kernel_sources(tmp_path)
    assert kernel_source_digest(tmp_path) == kernel_source_digest()
    ekf = tmp_path / "track" / "ekf.py"  # inlined by the fused frame step (track/fused.py)
    ekf.write_text(ekf.read_text() + "\n# an edit\n")
    assert kernel_source_digest(tmp_path) != kernel_source_digest()


def test_the_cache_folder_is_keyed_once_and_children_inherit_it(tmp_path: Path) -> None:
    code = (
        "import os, subprocess, sys, launchwatch, numba.core.config as c\n"
        "print(os.environ['NUMBA_CACHE_DIR']); print(c.CACHE_DIR)\n"
        "print(subprocess.run([sys.executable, '-c', 'import os, launchwatch; "
        'print(os.environ["NUMBA_CACHE_DIR"])\'], capture_output=True, text=True).stdout)\n'
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "nc")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    keyed = str(tmp_path / "nc" / kernel_source_digest())
    assert out == [keyed, keyed, keyed]
