"""The package layout of ``docs/architecture.md``, read from the source: no import circle, no
upward import, no private name imported from another package, no oversized module.

Imports are read with :mod:`ast` (every ``import`` and ``from … import`` anywhere in a file,
inside functions too: a lazy import is an import all the same). Imports under
``if TYPE_CHECKING:`` are annotations only: they run nowhere and are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rhd_match"

#: The small shared modules at the top of the package: each may import the others listed
#: before it only.
SHARED = (
    "version",
    "i18n",
    "dependencies",
    "errors",
    "cells",
    "cluster",
    "weeks",
    "geo",
    "params",
    "egalim",
    "xlsx",
    "writing",
    "io",
    "progress",
    "console",
)
#: What each package may import besides the shared modules and itself (docs/architecture.md).
ALLOWED: dict[str, set[str]] = {
    "inputs": set(),
    "plan": {"inputs"},
    "check": {"inputs"},
    "generate": {"inputs"},
    "model": {"inputs", "plan", "check"},
    "macantine": {"inputs", "plan"},
    "logistics": {"inputs", "plan"},
    "report": {"inputs", "plan", "logistics"},
    "analysis": {"inputs", "plan", "check", "model", "generate", "logistics"},
    "cli": {
        *("inputs", "plan", "check", "generate", "model", "macantine", "logistics", "report"),
        "analysis",
    },
}
#: Shared modules a package must not import all the same: the checker recomputes labels,
#: distances and EGalim figures with its own code, so that a bug there shows up as a violation.
FORBIDDEN_SHARED: dict[str, set[str]] = {"check": {"egalim", "geo"}}
#: Drawing libraries and the one package that draws with each: the library emits progress
#: events and plan tables; only the command line renders progress, only the report charts.
DRAWING: dict[str, str] = {"rich": "cli", "matplotlib": "report"}
#: Modules allowed above 600 lines, with their ceiling (docs/architecture.md says why).
LONG_MODULES: dict[str, int] = {}
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.body:
                skip |= {id(n) for n in ast.walk(child)}
    return skip


def _imports(path: Path) -> Iterator[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for each rhd_match import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skip = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "rhd_match":
                    yield alias.name, "", node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "rhd_match":
                continue
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                # ``from . import x`` names a module when x is one.
                if _is_module(submodule):
                    yield submodule, "", node.lineno
                else:
                    yield module, alias.name, node.lineno


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _graph() -> dict[str, set[tuple[str, str, int]]]:
    return {_module_name(p): set(_imports(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def _area(module: str) -> str:
    """``rhd_match.model.solve`` → ``model``; shared modules are their own area."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one node, or a node importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _module_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, imports in _graph().items():
        targets = set()
        for target, _, _ in imports:
            # Importing a submodule runs its package's __init__ first: an edge to it too.
            parts = target.split(".")
            targets |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
        # A package's own __init__ runs before its submodules: not an import of them.
        edges[module] = {t for t in targets if t != module and _is_module(t)}
    return edges


def test_the_reader_sees_the_imports_it_must() -> None:
    # Guards the test itself: a known edge of each kind is found.
    edges = _module_edges()
    assert "rhd_match.inputs.scenario" in edges["rhd_match.model.index"]
    assert "rhd_match.plan.tables" in edges["rhd_match.model.solve"]
    assert "rhd_match.errors" in edges["rhd_match.cli.main"]


def test_no_import_circle_between_modules() -> None:
    edges = _module_edges()
    # The package face and each package's __init__ re-export their members: leave out the
    # edge from a package to its own members so that only real circles remain.
    inner = {m: {t for t in targets if not t.startswith(m + ".")} for m, targets in edges.items()}
    assert _cycles(inner) == []


def test_no_import_circle_between_packages() -> None:
    edges: dict[str, set[str]] = {}
    for module, targets in _module_edges().items():
        if module == "rhd_match":
            continue
        edges.setdefault(_area(module), set()).update(
            _area(t) for t in targets if t != "rhd_match" and _area(t) != _area(module)
        )
    assert _cycles(edges) == []


def test_each_package_imports_only_those_below_it() -> None:
    upward = []
    for module, imports in _graph().items():
        area = _area(module)
        if module == "rhd_match":
            continue  # the package face composes everything
        if area in SHARED:
            allowed = set(SHARED[: SHARED.index(area)])
        else:
            allowed = set(SHARED) | ALLOWED[area] | {area}
        for target, _, line in imports:
            if target == "rhd_match" or _area(target) not in allowed:
                upward.append(f"{module}:{line} imports {target}")
    assert upward == []


def test_the_checker_keeps_its_own_egalim_rules_and_distances() -> None:
    borrowed = [
        f"{module}:{line} imports {target}"
        for module, imports in _graph().items()
        for target, _, line in imports
        if _area(target) in FORBIDDEN_SHARED.get(_area(module), set())
    ]
    assert borrowed == []


def _library_imports(path: Path) -> Iterator[tuple[str, int]]:
    """(top-level name, line) of each import of a library outside rhd_match in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module.split(".")[0], node.lineno


def test_each_drawing_library_is_used_by_one_package_only() -> None:
    astray = [
        f"{_module_name(path)}:{line} imports {library}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for library, line in _library_imports(path)
        if library in DRAWING and _area(_module_name(path)) != DRAWING[library]
    ]
    assert astray == []
    # Guards the test itself: the places that draw are seen drawing.
    seen = {
        (library, _area(_module_name(path)))
        for path in PACKAGE.rglob("*.py")
        for library, _ in _library_imports(path)
    }
    assert set(DRAWING.items()) <= seen


def test_every_package_is_placed() -> None:
    areas = {_area(m) for m in _graph()} - {""}
    assert areas == set(SHARED) | set(ALLOWED)


def test_no_private_name_imported_across_packages() -> None:
    crossing = [
        f"{module}:{line} imports {name} from {target}"
        for module, imports in _graph().items()
        for target, name, line in imports
        if name.startswith("_") and not name.startswith("__") and _area(target) != _area(module)
    ]
    assert crossing == []


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_above_600_lines_unless_one_idea(path: Path) -> None:
    # Docstrings are not counted: the numpydoc sections of a public API say more, not do more.
    source = path.read_text(encoding="utf-8")
    docstrings = 0
    for node in ast.walk(ast.parse(source)):
        holders = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, holders) and ast.get_docstring(node) is not None:
            first = node.body[0]
            docstrings += (first.end_lineno or first.lineno) - first.lineno + 1
    lines = len(source.splitlines()) - docstrings
    assert lines <= LONG_MODULES.get(_module_name(path), MAX_LINES)
