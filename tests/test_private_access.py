"""No module of the package reads another module's private attributes.

A private name is one with a single leading underscore.  The check (AST only, no imports): an
attribute access ``x._name`` where ``x`` is not ``self`` or ``cls`` is a violation when
``_name`` is defined in another launchwatch module (a private function, class or module
variable there, or an attribute it assigns on ``self``) and not in the module doing the
access.  Names of third-party libraries (``_asdict`` of a named tuple, say) are not ours and
not checked.  The tests may look inside; the package may not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import launchwatch

ROOT = Path(launchwatch.__file__).parent


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def defined_privates(tree: ast.AST) -> set[str]:
    """Private names a module defines: top-level and class-level defs, classes and assignment
    targets, and attributes it assigns on ``self`` / ``cls``."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            out.add(node.attr)
        elif isinstance(node, ast.alias) and node.asname:
            out.add(node.asname)
    return {n for n in out if _private(n)}


def private_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of every ``x._name`` access where ``x`` is not ``self`` or ``cls``, and of
    every private name imported from a launchwatch module (``from .m import _name``)."""
    out = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            out.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").startswith("launchwatch")
        ):
            out += [(node.lineno, a.name) for a in node.names if _private(a.name)]
    return out


def violations(sources: dict[str, str]) -> list[str]:
    """``module:line reads _name (defined in other)`` for every cross-module private read."""
    trees = {mod: ast.parse(text) for mod, text in sources.items()}
    defined = {mod: defined_privates(tree) for mod, tree in trees.items()}
    bad = []
    for mod, tree in trees.items():
        for line, name in private_reads(tree):
            if name in defined[mod]:
                continue
            owners = sorted(m for m, names in defined.items() if name in names and m != mod)
            if owners:
                bad.append(f"{mod}:{line} reads {name} (defined in {', '.join(owners)})")
    return bad


def test_no_module_reads_another_modules_private_attributes():
    sources = {str(p.relative_to(ROOT.parent)): p.read_text() for p in ROOT.rglob("*.py")}
    bad = violations(sources)
    assert not bad, "\n".join(bad)


def test_checker_can_fail():
    sources = {
        "a.py": "class Policy:\n    def __init__(self):\n        self._last_t = None\n"
        "def _helper():\n    return 1\n",
        "b.py": "def f(pol, mod):\n    return pol._last_t, mod._helper(), pol._own\n",
        "d.py": "from .a import _helper\nfrom numpy import _other\n",
        "c.py": "class C:\n    def __init__(self):\n        self._x = 1\n"
        "    def same(self, other):\n        return other._x, self._last_t\n",
    }
    assert violations(sources) == [
        "b.py:2 reads _last_t (defined in a.py)",
        "b.py:2 reads _helper (defined in a.py)",
        "d.py:1 reads _helper (defined in a.py)",
    ]
