"""The package's import graph: no circles, and nothing in the core imports the command line.

Every import counts, also one inside a function (a lazy import is still a dependency), except
those under ``if TYPE_CHECKING:`` (annotations only). The rule is in CONTRIBUTING.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "opconf"
SHELL = ("opconf.cli", "opconf.__main__", "opconf.commands", "opconf.lsp")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _target(name: str) -> str | None:
    """The module an imported name lives in (``opconf.x.y.Thing`` → ``opconf.x.y``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(_target(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.update(_target(f"{base}.{alias.name}") for alias in node.names)
    return {t for t in found if t and t != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _circles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return circles


def test_the_import_graph_has_no_circle() -> None:
    assert _circles() == []


def test_the_core_never_imports_the_command_line() -> None:
    def shell(name: str) -> bool:
        return any(name == s or name.startswith(f"{s}.") for s in SHELL)

    climbs = sorted(
        f"{name} → {target}"
        for name, targets in GRAPH.items()
        if not shell(name)
        for target in targets
        if shell(target)
    )
    assert climbs == []


def test_the_graph_sees_lazy_imports() -> None:
    """The test itself: an import inside a function is an edge (a lazy import closed the
    circle filecheck → validate → references → filecheck)."""
    assert "opconf.plan.saved" in GRAPH["opconf.commands.apply"]
