"""Lower layers never import higher ones: the package follows the chain
earth -> flight -> sense -> track -> assess -> warn -> pipeline -> share -> record -> campaign
-> service -> bench/cli."""

import ast
from pathlib import Path

import launchwatch

ORDER = [
    "earth",
    "flight",
    "sense",
    "track",
    "assess",
    "warn",
    "pipeline",
    "share",
    "record",
    "campaign",
    "service",
    "bench",
]
ROOT = Path(launchwatch.__file__).parent


def _imports(path: Path, package: str) -> set[str]:
    """Top-level launchwatch subpackages a module imports (absolute or relative)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(parts + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names = [mod] + [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            bits = name.split(".")
            if bits[0] == "launchwatch" and len(bits) > 1 and bits[1] in ORDER:
                found.add(bits[1])
    return found


def test_no_upward_imports():
    bad = []
    for layer in ORDER:
        if not (ROOT / layer).is_dir():  # a layer not created yet (campaign/ comes with issue 13)
            continue
        for path in (ROOT / layer).rglob("*.py"):
            rel = path.relative_to(ROOT.parent).with_suffix("")
            package = (
                ".".join(rel.parts[:-1]) if path.name != "__init__.py" else ".".join(rel.parts[:-1])
            )
            for imported in _imports(path, package):
                if ORDER.index(imported) > ORDER.index(layer):
                    bad.append(f"{rel} imports launchwatch.{imported}")
    assert not bad, bad


def test_checker_sees_relative_imports(tmp_path):
    """The checker itself must be able to fail."""
    p = tmp_path / "x.py"
    p.write_text("from ..track import filters\nfrom .propagate import x\nimport launchwatch.warn\n")
    assert _imports(p, "launchwatch.flight") == {"track", "flight", "warn"}


#: The core of the chain stays free of web, database and messaging libraries.
CORE = ["earth", "flight", "sense", "track", "assess"]
FORBIDDEN_IN_CORE = {
    "fastapi",
    "sqlalchemy",
    "nats",
    "msgspec",
    "starlette",
    "uvicorn",
    "alembic",
    "dask",
}


def _third_party(path: Path) -> set[str]:
    """Top-level names of the absolute imports of a module."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
    return found


def test_core_never_imports_web_database_or_messaging():
    bad = [
        f"{path.relative_to(ROOT.parent)} imports {sorted(hit)}"
        for layer in CORE
        for path in (ROOT / layer).rglob("*.py")
        if (hit := _third_party(path) & FORBIDDEN_IN_CORE)
    ]
    assert not bad, bad


def test_import_contract_checker_can_fail(tmp_path):
    p = tmp_path / "x.py"
    p.write_text("import sqlalchemy.orm\nfrom fastapi import FastAPI\nfrom .y import z\n")
    assert _third_party(p) & FORBIDDEN_IN_CORE == {"sqlalchemy", "fastapi"}
