"""The public API's docstrings follow the numpydoc style that ``mkdocs.yml`` declares.

The public API is what ``rhd_match.__all__`` and each package's ``__all__`` export, what
``docs/api.md`` renders (its ``::: target`` lines; a module there stands for its public
functions and classes), and the public functions one package imports from another (a shared
top-level module counts as a package of its own). Each function or method there must say what it
takes (a Parameters section naming every parameter, and nothing else) and what it gives back (a
Returns or Yields section unless it returns ``None``); each class must have a docstring, with a
Parameters section when it writes its own ``__init__``. Sphinx roles (``:func:`x```) are
refused: the documentation site shows them as written. Docstrings are read with numpydoc's own
parser.

Inside the package the same rule holds for every function or method that takes parameters and
that another module uses: a module-level function (or a closure a factory hands out) imported
by another module of ``rhd_match``, and the public methods of a class imported so, private
names and modules of the same package included. A reader meeting such a call away from its
definition should learn there what it takes and gives (shapes, units) without opening it.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from numpydoc.docscrape import NumpyDocString

import rhd_match

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rhd_match"
API_PAGE = ROOT / "docs" / "api.md"
PACKAGES = ("inputs", "plan", "check", "model", "macantine", "report", "analysis", "generate")
SPHINX_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|data|obj|exc|const):`")


def resolve(target: str) -> Any:
    """The object a dotted name (``rhd_match.report.write_reports``) names."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise LookupError(target)


def api_page_targets() -> Iterator[tuple[str, list[str] | None]]:
    """Each ``::: target`` of docs/api.md, with its ``members: [...]`` option if given."""
    lines = API_PAGE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("::: "):
            continue
        members = None
        for option in lines[i + 1 :]:
            if not option.startswith(" "):
                break
            found = re.match(r"\s+members:\s*\[(.*)\]", option)
            if found:
                members = [m.strip() for m in found.group(1).split(",")]
        yield line.removeprefix("::: ").strip(), members


def module_members(module: ModuleType, only: list[str] | None) -> Iterator[tuple[str, Any]]:
    """The public functions and classes defined in ``module`` (or the ``only`` ones)."""
    for name, obj in vars(module).items():
        if name.startswith("_") or (only is not None and name not in only):
            continue
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
            yield f"{module.__name__}.{name}", obj


def imports() -> Iterator[tuple[list[str], list[str], str]]:
    """``(importing module, imported module, name)`` for each name a module of rhd_match
    imports from one of rhd_match, modules as lists of their dotted parts."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        here = parts[:-1] if parts[-1] == "__init__" else parts
        package = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module.split(".") if node.module else []
            if node.level:
                target = [*package[: len(package) - node.level + 1], *module]
            elif module[:1] == ["rhd_match"]:
                target = module
            else:
                continue
            for alias in node.names:
                yield here, target, alias.name


def imported_across_packages() -> Iterator[str]:
    """Dotted names of the public names a module imports from another package (a shared
    top-level module counts as a package of its own)."""
    for here, target, name in imports():
        if target[:2] != here[:2] and not name.startswith("_"):
            yield ".".join([*target, name])


def imported_across_modules() -> Iterator[str]:
    """Dotted names of every name a module of rhd_match imports from another one."""
    for here, target, name in imports():
        if target != here:
            yield ".".join([*target, name])


def public_objects() -> dict[str, Any]:
    """Every public function and class of the API, by dotted name."""
    found: dict[str, Any] = {}
    exported = [rhd_match] + [importlib.import_module(f"rhd_match.{name}") for name in PACKAGES]
    for module in exported:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    for target, members in api_page_targets():
        obj = resolve(target)
        if inspect.ismodule(obj):
            found.update(module_members(obj, members))
        elif inspect.isfunction(obj) or inspect.isclass(obj):
            found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    for target in imported_across_packages():
        obj = resolve(target)
        if inspect.isfunction(obj):  # classes reached this way are internal data holders
            found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return dict(sorted(found.items()))


def internal_objects() -> dict[str, Any]:
    """Functions and classes imported from another module, outside the public API."""
    found: dict[str, Any] = {}
    for target in imported_across_modules():
        obj = resolve(target)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__.startswith(
            "rhd_match"
        ):
            found.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return {name: obj for name, obj in sorted(found.items()) if name not in API}


def callables(name: str, obj: Any) -> Iterator[tuple[str, Callable[..., Any], bool]]:
    """``(name, function, is_property)`` for a function, or a class's own public methods."""
    if not inspect.isclass(obj):
        yield name, obj, False
        return
    for member, value in vars(obj).items():
        if member.startswith("_"):
            continue
        if isinstance(value, property) and value.fget is not None:
            yield f"{name}.{member}", value.fget, True
        elif isinstance(value, (classmethod, staticmethod)):
            yield f"{name}.{member}", value.__func__, False
        elif inspect.isfunction(value):
            yield f"{name}.{member}", value, False


def parsed(obj: Any) -> NumpyDocString:
    # obj.__doc__, not inspect.getdoc: that one borrows a docstring from elsewhere when missing.
    doc = inspect.cleandoc(obj.__doc__ or "")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown section title is a mistake, not a warning
        return NumpyDocString(doc)


def documented_names(doc: NumpyDocString) -> list[str]:
    """Parameter names as documented (``a, b`` entries split, ``*``/``**`` dropped)."""
    return [
        part.strip().lstrip("*")
        for param in doc["Parameters"]
        for part in param.name.split(",")
        if part.strip()
    ]


def function_problems(obj: Callable[..., Any], is_property: bool) -> list[str]:
    """What the docstring of a public function lacks, in words."""
    raw = obj.__doc__
    if not raw:
        return ["no docstring"]
    problems = []
    if SPHINX_ROLE.search(raw):
        problems.append("a Sphinx role (:func:`x`), shown as written by the docs site")
    try:
        doc = parsed(obj)
    except Warning as exc:
        return [*problems, f"numpydoc cannot read it: {exc}"]
    if not doc["Summary"]:
        problems.append("no summary line")
    if is_property:
        return problems
    signature = inspect.signature(obj)
    params = [p for p in signature.parameters if p not in ("self", "cls")]
    if params and not doc["Parameters"]:
        problems.append(f"no Parameters section (takes {', '.join(params)})")
    elif params:
        documented = documented_names(doc)
        missing = [p for p in params if p not in documented]
        unknown = [p for p in documented if p not in params]
        if missing:
            problems.append(f"parameters not documented: {', '.join(missing)}")
        if unknown:
            problems.append(f"documented but not parameters: {', '.join(unknown)}")
    returns = signature.return_annotation
    # NoReturn: the function only raises, which its Raises section says.
    gives = returns is not inspect.Signature.empty and returns not in (None, "None", "NoReturn")
    if gives and not (doc["Returns"] or doc["Yields"]):
        problems.append(f"no Returns section (returns {returns})")
    return problems


def class_problems(cls: type) -> list[str]:
    """What the docstring of a public class lacks, in words."""
    raw = cls.__doc__
    if not raw or raw.startswith(f"{cls.__name__}("):  # the dataclass-generated text
        return ["no docstring"]
    problems = []
    if SPHINX_ROLE.search(raw):
        problems.append("a Sphinx role (:func:`x`), shown as written by the docs site")
    own_init = vars(cls).get("__init__")
    # A dataclass's generated __init__ takes its fields, which the class docstring describes;
    # a protocol is never built.
    builds = not dataclasses.is_dataclass(cls) and not getattr(cls, "_is_protocol", False)
    if inspect.isfunction(own_init) and builds:
        takes = [p for p in inspect.signature(own_init).parameters if p != "self"]
        if takes and not parsed(cls)["Parameters"]:
            problems.append(f"no Parameters section for __init__ (takes {', '.join(takes)})")
    return problems


API = public_objects()


def test_the_api_is_found() -> None:
    # The walk must see the names users start from, or it would pass by seeing nothing.
    for name in ("Scenario", "Solution", "solve", "check", "egalim_accounting"):
        obj = getattr(rhd_match, name)
        assert f"{obj.__module__}.{obj.__qualname__}" in API
    assert "rhd_match.report.write_reports" in API
    assert "rhd_match.model.unmet.unmet_local_table" in API
    assert "rhd_match.weeks.week_monday" in API  # imported by plan/ from a shared module


@pytest.mark.parametrize("name", sorted(API))
def test_public_docstring(name: str) -> None:
    obj = API[name]
    problems = [f"{name}: {p}" for p in class_problems(obj)] if inspect.isclass(obj) else []
    for qualname, function, is_property in callables(name, obj):
        problems += [f"{qualname}: {p}" for p in function_problems(function, is_property)]
    assert not problems, "\n".join(problems)


INTERNAL = internal_objects()


def test_the_internal_functions_are_found() -> None:
    # Same package, private name, method: each kind of use across modules is seen (no closure
    # is imported across modules since the solver options are added by one function).
    for name in (
        "rhd_match.model.strategies.fixed_delivery",
        "rhd_match.model.decomposition.repair.franco_loop",
        "rhd_match.generate.canteens.make_canteens",
        "rhd_match.model.decomposition.subproblems.WeeklySolver",
    ):
        assert name in INTERNAL


@pytest.mark.parametrize("name", sorted(INTERNAL))
def test_internal_docstring(name: str) -> None:
    problems = []
    for qualname, function, is_property in callables(name, INTERNAL[name]):
        takes = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
        if takes and not is_property:
            problems += [f"{qualname}: {p}" for p in function_problems(function, is_property)]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_bare_docstring() -> None:
    def bare(scenario: object, limit_s: float) -> int:
        """Do something."""
        return 0

    def partial(scenario: object, limit_s: float) -> int:
        """Do something.

        Parameters
        ----------
        scenario
            The scenario.
        extra
            Not a parameter.
        """
        return 0

    assert function_problems(bare, False) == [
        "no Parameters section (takes scenario, limit_s)",
        "no Returns section (returns int)",
    ]
    assert function_problems(partial, False) == [
        "parameters not documented: limit_s",
        "documented but not parameters: extra",
        "no Returns section (returns int)",
    ]


#: A dotted name of the package written in a docstring: ``rhd_match.writing.csv_writer``.
DOTTED_NAME = re.compile(r"``(rhd_match(?:\.\w+)+)(?:\(\))?``")


def resolves(dotted: str) -> bool:
    """Whether ``dotted`` names a module of the package, or an attribute reached from one."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def docstring_names(source: str) -> Iterator[str]:
    """Every ``rhd_match.x.y`` dotted name written in a docstring of ``source``."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield from DOTTED_NAME.findall(ast.get_docstring(node, clean=False) or "")


def test_dotted_names_in_docstrings_resolve() -> None:
    """A docstring pointing to ``rhd_match.io.csv_writer`` after it moved to
    ``rhd_match.writing`` sends its reader nowhere: every such name must still exist."""
    found, stale = 0, []
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in docstring_names(path.read_text(encoding="utf-8")):
            found += 1
            if not resolves(name):
                stale.append(f"{path.relative_to(ROOT)}: {name}")
    assert found > 20  # guards the walk itself
    assert stale == []


def test_a_moved_name_is_caught() -> None:
    source = '"""Written by ``rhd_match.io.csv_writer``; see ``rhd_match.writing.csv_writer()``."""'
    assert list(docstring_names(source)) == [
        "rhd_match.io.csv_writer",
        "rhd_match.writing.csv_writer",
    ]
    assert not resolves("rhd_match.io.csv_writer")
    assert resolves("rhd_match.writing.csv_writer") and resolves("rhd_match.model")
