"""The generate path's package has no import circle, and its shared records import nothing of it
(so every part can use them without importing another part)."""

from __future__ import annotations

import ast
from pathlib import Path

import fbopt

PACKAGE = Path(fbopt.__file__).parent / "drafts"


def _imports(path: Path) -> set[str]:
    """The fbopt.drafts modules a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        module = node.module if isinstance(node, ast.ImportFrom) else None
        if module and module.startswith("fbopt.drafts"):
            names = [f"{module}.{a.name}" for a in node.names]
            modules = [n for n in names if (PACKAGE / f"{n.rsplit('.', 1)[1]}.py").exists()]
            found.update(modules or [module])
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("fbopt.drafts"))
    return {name for name in found if name != "fbopt.drafts"}


def _graph() -> dict[str, set[str]]:
    return {f"fbopt.drafts.{p.stem}": _imports(p) for p in PACKAGE.glob("*.py")
            if p.stem != "__init__"}


def test_records_import_nothing_of_the_package() -> None:
    assert _graph()["fbopt.drafts.records"] == set()


def test_no_import_circle_in_the_generate_path() -> None:
    graph = _graph()
    assert "fbopt.drafts.records" in graph["fbopt.drafts.dispatch"]

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = [name for name in graph if reaches(name, name, {name})]
    assert circles == []
