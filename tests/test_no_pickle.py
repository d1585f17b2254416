"""Nothing the project reads back is unpickled (SECURITY.md): no module of the package and no
script imports a pickle-based loader or asks NumPy to allow pickles.  A pickle read back runs
whatever code its writer chose, so a cache file dropped into a shared folder would own the
process that reads it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Modules that read pickles (or pickle-based formats) back.
PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "joblib"}
#: Calls that unpickle whatever their file holds.
PICKLE_CALLS = {"read_pickle", "load_pickle"}


def _findings(path: Path) -> list[str]:
    """``path:line what`` for every pickle import, pickle-reading call and ``allow_pickle=True``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module.split(".")[0]]
        found += [f"{path}:{node.lineno} imports {n}" for n in names if n in PICKLE_MODULES]
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in PICKLE_CALLS:
                found.append(f"{path}:{node.lineno} calls {name}")
            for kw in node.keywords:
                if (
                    kw.arg == "allow_pickle"
                    and isinstance(kw.value, ast.Constant)
                    and kw.value.value is not False
                ):
                    found.append(f"{path}:{node.lineno} allow_pickle={kw.value.value!r}")
    return found


def _sources() -> list[Path]:
    return sorted([*(ROOT / "src" / "launchwatch").rglob("*.py"), *(ROOT / "scripts").glob("*.py")])


def test_no_module_or_script_reads_pickles():
    files = _sources()
    assert len(files) > 100  # the walk found the package
    found = [f for p in files for f in _findings(p)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "code",
    [
        "import pickle\n",
        "from pickle import loads\n",
        "import joblib\n",
        "import numpy as np\nnp.load('x.npy', allow_pickle=True)\n",
        "import pandas as pd\npd.read_pickle('x')\n",
    ],
)
def test_the_check_sees_each_way_in(code, tmp_path):
    f = tmp_path / "m.py"
    f.write_text(code)
    assert _findings(f)


def test_the_check_passes_plain_arrays(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("import numpy as np\nnp.load('x.npz', allow_pickle=False)\n")
    assert not _findings(f)
