"""Lower layers never import higher ones: the package follows the chain
earth -> flight -> sense -> track -> assess -> warn -> pipeline -> share -> record -> campaign
-> service -> bench/cli."""

import ast
from pathlib import Path

import launchwatch

ORDER = ["earth", "flight", "sense", "track", "assess", "warn", "pipeline", "share", "record",
         "campaign", "service", "bench"]
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
            package = ".".join(rel.parts[:-1]) if path.name != "__init__.py" else ".".join(
                rel.parts[:-1])
            for imported in _imports(path, package):
                if ORDER.index(imported) > ORDER.index(layer):
                    bad.append(f"{rel} imports launchwatch.{imported}")
    assert not bad, bad


def test_checker_sees_relative_imports(tmp_path):
    """The checker itself must be able to fail."""
    p = tmp_path / "x.py"
    p.write_text("from ..track import filters\nfrom .propagate import x\nimport launchwatch.warn\n")
    assert _imports(p, "launchwatch.flight") == {"track", "flight", "warn"}
