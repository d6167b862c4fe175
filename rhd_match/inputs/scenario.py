"""The :class:`Scenario`: validated input tables and parameters, and the entry point to solve."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from ..io import WORKBOOK_NAME, csv_writer, decode_text, find_sources, write_folder_atomically
from ..params import Parameters
from ..xlsx import workbook_writer
from .schema import TABLES
from .validation import check_references, coerce_table, domain_warnings

if TYPE_CHECKING:
    from ..plan.solution import Solution

PARAMETERS_FILE = "parameters.json"

#: The engine behind :meth:`Scenario.solve`. The inputs sit below the engine and never import
#: it; the package face hands it over with :func:`use_solver` when ``rhd_match`` is imported.
_solver: Callable[..., Solution] | None = None


def use_solver(solver: Callable[..., Solution]) -> None:
    """Make :meth:`Scenario.solve` call ``solver(scenario, **options)`` (done by ``rhd_match``)."""
    global _solver
    _solver = solver


@dataclass(frozen=True, eq=False)
class Scenario:
    """A territory's demand, supply and parameters, validated.

    Tables (pandas DataFrames, columns as in ``docs/input-format.md``):

    * ``products`` — one row per product (unit, kg per unit, reference price in EUR HT/unit);
    * ``canteens`` — one row per canteen (coordinates, optional budget in EUR HT);
    * ``producers`` — one row per producer (kg/week, drops/week, radius in km, franco in EUR HT);
    * ``offers`` — producer × product × ISO week: quantity (product unit), price (EUR HT/unit),
      labels;
    * ``demand`` — canteen × product × ISO week: quantity (product unit).

    Build one with :meth:`from_frames`, :meth:`from_folder` or :meth:`demo`; construction
    validates everything and raises :class:`~rhd_match.errors.ScenarioError` listing every
    problem. Non-blocking findings are kept in :attr:`warnings`.
    """

    products: pd.DataFrame
    canteens: pd.DataFrame
    producers: pd.DataFrame
    offers: pd.DataFrame
    demand: pd.DataFrame
    parameters: Parameters = field(default_factory=Parameters)
    warnings: tuple[Problem, ...] = ()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_frames(
        cls,
        products: pd.DataFrame,
        canteens: pd.DataFrame,
        producers: pd.DataFrame,
        offers: pd.DataFrame,
        demand: pd.DataFrame,
        parameters: Parameters | Mapping[str, Any] | None = None,
    ) -> Scenario:
        """Validate DataFrames into a Scenario (row numbers in errors count the header as 1)."""
        raw = {
            "products": products,
            "canteens": canteens,
            "producers": producers,
            "offers": offers,
            "demand": demand,
        }
        params, problems = _parameters(parameters, None)
        return cls._build(raw, {}, params, problems)

    @classmethod
    def from_folder(cls, path: str | Path) -> Scenario:
        """Read a folder of CSV files, a folder with one workbook, or a workbook (``.xlsx``).

        A ``parameters.json`` beside the tables is read when present.
        """
        path = Path(path)
        columns = {name: table.column_names for name, table in TABLES.items()}
        raw, files, problems = find_sources(path, columns)
        folder = path if path.is_dir() else path.parent
        params_file = folder / PARAMETERS_FILE
        params: Parameters | Mapping[str, Any] | None = None
        if params_file.exists():
            file = str(params_file)
            try:
                loaded = json.loads(decode_text(params_file.read_bytes())[0])
            except json.JSONDecodeError as exc:
                msg = f"invalid JSON: {exc.msg}"
                problems.append(Problem("parameters", exc.lineno, None, msg, file))
            except (UnicodeDecodeError, OSError) as exc:
                problems.append(Problem("parameters", None, None, f"unreadable: {exc}", file))
            else:
                if isinstance(loaded, dict):
                    params = loaded
                else:
                    msg = "expected a JSON object ({...}) of parameters"
                    problems.append(Problem("parameters", None, None, msg, file))
        parsed, more = _parameters(params, str(params_file))
        if any(p.severity == "error" for p in problems):
            # Read what can be read so that the error lists table problems too.
            typed: dict[str, pd.DataFrame] = {}
            for name, frame in raw.items():
                typed[name], found = coerce_table(frame, TABLES[name], files.get(name))
                problems += found
            problems += check_references(typed, files)
            raise ScenarioError([p for p in problems + more if p.severity == "error"])
        return cls._build(raw, files, parsed, problems + more)

    @classmethod
    def _build(
        cls,
        raw: Mapping[str, pd.DataFrame],
        files: Mapping[str, str],
        parameters: Parameters,
        problems: list[Problem],
    ) -> Scenario:
        typed: dict[str, pd.DataFrame] = {}
        for name, table in TABLES.items():
            frame, found = coerce_table(raw[name], table, files.get(name))
            typed[name] = frame
            problems = problems + found
        errors = [p for p in problems if p.severity == "error"]
        errors += check_references(typed, files)
        if errors:
            raise ScenarioError(errors)
        typed = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
        warnings = [p for p in problems if p.severity == "warning"]
        warnings += domain_warnings(typed, files)
        return cls(parameters=parameters, warnings=tuple(warnings), **typed)

    @classmethod
    def demo(cls) -> Scenario:
        """The embedded Lens-Liévin demo (see ``docs/demo.md``; figures partly estimated)."""
        folder = resources.files("rhd_match") / "data" / "demo"
        with resources.as_file(folder) as path:
            return cls.from_folder(path)

    # -- output -------------------------------------------------------------------------------

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The five input tables by name."""
        return {name: getattr(self, name) for name in TABLES}

    def to_folder(self, path: str | Path, fmt: Literal["csv", "xlsx"] = "csv") -> list[Path]:
        """Write the tables (CSV files or one workbook) and ``parameters.json``; all or nothing."""
        # Only what differs from the defaults, so that improved defaults reach saved scenarios.
        params_text = self.parameters.model_dump_json(indent=2, exclude_defaults=True) + "\n"

        def write_params(p: Path) -> None:
            p.write_text(params_text, encoding="utf-8")

        writers: dict[str, Callable[[Path], None]] = {PARAMETERS_FILE: write_params}
        if fmt == "csv":
            writers |= {f"{n}.csv": csv_writer(f) for n, f in self.tables.items()}
        elif fmt == "xlsx":
            writers[WORKBOOK_NAME] = workbook_writer(self.tables)
        else:
            raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
        return write_folder_atomically(Path(path), writers)

    def with_parameters(self, **changes: Any) -> Scenario:
        """A copy with some parameters replaced (validated), e.g. ``hard_egalim=True``."""
        merged = self.parameters.model_dump() | changes
        params, problems = _parameters(merged, None)
        if problems:
            raise ScenarioError(problems)
        return Scenario(**self.tables, parameters=params, warnings=self.warnings)

    def solve(self, **solver_options: Any) -> Solution:
        """Solve the allocation (see :func:`rhd_match.solve`); options override ``parameters``."""
        # Importing any part of rhd_match runs its __init__, which installs the solver.
        assert _solver is not None
        return _solver(self, **solver_options)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(f)}" for n, f in self.tables.items())
        return f"Scenario({sizes})"


def _parameters(
    value: Parameters | Mapping[str, Any] | None, file: str | None
) -> tuple[Parameters, list[Problem]]:
    if value is None:
        return Parameters(), []
    if isinstance(value, Parameters):
        return value, []
    try:
        return Parameters.model_validate(dict(value)), []
    except ValidationError as exc:
        problems = [
            Problem("parameters", None, ".".join(str(x) for x in err["loc"]), err["msg"], file)
            for err in exc.errors()
        ]
        return Parameters(), problems
