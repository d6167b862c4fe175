"""The ``Scenario``: validated input tables and parameters, and the entry point to solve."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import json_source_map
import pandas as pd
from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..io import WORKBOOK_NAME, decode_text
from ..params import Parameters, explain
from ..writing import csv_writer, write_folder_atomically
from ..xlsx import workbook_writer
from .groups import check_groups
from .ids import shared_id_problems
from .magnitudes import line_value_problems
from .plausibility import domain_warnings
from .references import check_references
from .schema import DISTANCES, GROUPS, HUBS, MARKET, TABLES
from .sources import find_sources
from .validation import coerce_tables, empty_table

if TYPE_CHECKING:
    from ..plan.solution import Solution

PARAMETERS_FILE = "parameters.json"
#: The JSON reader's reasons (English, from the standard library), for people.
JSON_REASONS = {
    "Expecting value": N_("a value is expected (nothing, or a word that is not JSON?)"),
    "Expecting property name enclosed in double quotes": N_(
        "a name in double quotes is expected (a comma before '}', or single quotes?)"
    ),
    "Illegal trailing comma before end of object": N_("a comma before '}': remove it"),
    "Illegal trailing comma before end of array": N_("a comma before ']': remove it"),
    "Expecting ',' delimiter": N_("a ',' is expected between two values"),
    "Expecting ':' delimiter": N_("a ':' is expected after a name"),
    "Extra data": N_("text after the end of the object"),
    "Unterminated string starting at": N_("a text in quotes is not closed"),
    "Invalid control character at": N_("a line break inside a text in quotes"),
}

#: The engine behind ``Scenario.solve``. The inputs sit below the engine and never import
#: it; the package face hands it over with ``use_solver`` when ``rhd_match`` is imported.
_solver: Callable[..., Solution] | None = None


def use_solver(solver: Callable[..., Solution]) -> None:
    """Make `Scenario.solve` call ``solver(scenario, **options)`` (done by ``rhd_match``).

    Parameters
    ----------
    solver
        The engine, called as ``solver(scenario, **options)``; ``rhd_match`` hands over
        `rhd_match.solve` when it is imported.
    """
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
    * ``demand`` — canteen × product × ISO week: quantity (product unit);
    * ``market`` — optional non-local supply options of wholesalers, platforms and procurement
      lots: product, labels, price (EUR HT/unit), ISO weeks, weekly limit, canteens allowed
      (empty when the scenario has none);
    * ``groups`` — optional groups of substitutable products that demand rows may name: each
      product's conversion (product unit per unit of the group's account), largest share and
      ISO weeks (empty when the scenario has none).
    * ``hubs`` — optional logistics hubs: coordinates, handling capacity (kg/week), fees
      (EUR HT/kg, share of value), delivery fleet and days, minimum drop (kg), radius (km);
      member producers name their hub in ``producers.hub_id`` (empty when none).
    * ``distances`` — optional road distances (km, minutes) between producers, hubs and
      canteens, for the delivery tours (empty when none: straight line × road factor).

    Build one with `from_frames`, `from_folder` or `demo`; construction validates everything
    and raises [`ScenarioError`][rhd_match.errors.ScenarioError] listing every problem.
    Non-blocking findings are kept in `warnings`.

    Attributes
    ----------
    products, canteens, producers, offers, demand, market, groups, hubs, distances : DataFrame
        The validated tables (index reset, columns typed as in ``docs/input-format.md``).
    parameters : Parameters
        Targets, weights and solver options.
    warnings : tuple of Problem
        Findings that do not block a solve (each with its file, row, column and why).
    """

    products: pd.DataFrame
    canteens: pd.DataFrame
    producers: pd.DataFrame
    offers: pd.DataFrame
    demand: pd.DataFrame
    market: pd.DataFrame = field(default_factory=lambda: empty_table(MARKET))
    groups: pd.DataFrame = field(default_factory=lambda: empty_table(GROUPS))
    hubs: pd.DataFrame = field(default_factory=lambda: empty_table(HUBS))
    distances: pd.DataFrame = field(default_factory=lambda: empty_table(DISTANCES))
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
        market: pd.DataFrame | None = None,
        groups: pd.DataFrame | None = None,
        hubs: pd.DataFrame | None = None,
        distances: pd.DataFrame | None = None,
    ) -> Scenario:
        """Validate DataFrames into a Scenario (row numbers in errors count the header as 1).

        Parameters
        ----------
        products
            One row per ``product_id``: unit (kg, l or piece), kg per unit, reference price
            (EUR HT per unit), EGalim family.
        canteens
            One row per ``canteen_id``: coordinates, optional annual budget (EUR HT).
        producers
            One row per ``producer_id``: coordinates, weekly capacity (kg), drops per week,
            delivery radius (km), franco (minimum order, EUR HT).
        offers
            One row per ``producer_id`` × ``product_id`` × ISO ``week`` (``"2026-W03"``):
            quantity (product unit), price (EUR HT per unit), labels.
        demand
            One row per ``canteen_id`` × ``product_id`` × ISO ``week``: quantity (product
            unit).
        parameters
            A `Parameters` or a mapping validated into one; ``None`` for the defaults.
        market
            Optional non-local supply options, one row per ``market_id``: supplier, product,
            labels, price (EUR HT per unit), ISO weeks, weekly limit (product unit), canteens
            allowed; ``None`` for none.
        groups
            Optional groups of substitutable products, one row per ``group_id`` ×
            ``product_id``: conversion (product unit per group unit), largest share, ISO
            weeks; ``None`` for none. A demand row naming a ``group_id`` is in its unit.
        hubs
            Optional logistics hubs, one row per ``hub_id`` (columns as
            ``docs/input-format.md``); ``None`` for none.
        distances
            Optional road distances, one row per ``from_id`` × ``to_id`` (producer, hub or
            canteen ids): km and, optionally, minutes; ``None`` for none.

        Returns
        -------
        Scenario
            The validated scenario, non-blocking findings in ``warnings``.

        Raises
        ------
        ScenarioError
            When any table or parameter is invalid: every problem at once, each with its table,
            row, column and why; the warnings found so far with them (``severity``).
        """
        raw = {
            "products": products,
            "canteens": canteens,
            "producers": producers,
            "offers": offers,
            "demand": demand,
        }
        optional = {"market": market, "groups": groups, "hubs": hubs, "distances": distances}
        for name, frame in optional.items():
            if frame is not None:
                raw[name] = frame
        params, problems = _parameters(parameters, None)
        return cls._build(raw, {}, params, problems)

    @classmethod
    def from_folder(cls, path: str | Path) -> Scenario:
        """Read a folder of CSV files, a folder with one workbook, or a workbook (``.xlsx``).

        A ``parameters.json`` beside the tables is read when present. A folder holding both
        the CSV files and a workbook with every table is an error (one would be read, edits
        in the other silently ignored), unless the workbook's sheets hold headers only (a
        blank template): the CSV files are read, with a warning naming it. Files saved by
        French Excel are read as they come (semicolons, decimal commas, Windows-1252, blank
        rows; see ``docs/input-format.md``).

        Parameters
        ----------
        path
            A folder holding ``products``, ``canteens``, ``producers``, ``offers`` and
            ``demand`` (CSV files or sheets of one workbook), or a workbook.

        Returns
        -------
        Scenario
            The validated scenario.

        Raises
        ------
        ScenarioError
            When a table is missing or unreadable, a cell or reference is invalid, or
            ``parameters.json`` is not a valid JSON object of parameters: every problem at
            once, with file, row, column and why; the warnings of the read with them
            (``severity``), so that fixing the errors reveals none.
        """
        path = Path(path)
        columns = {name: table.column_names for name, table in TABLES.items()}
        optional = [name for name, table in TABLES.items() if table.optional]
        raw, files, problems = find_sources(path, columns, optional)
        folder = path if path.is_dir() else path.parent
        params_file = folder / PARAMETERS_FILE
        params: Mapping[str, Any] | None = None
        text = ""
        if params_file.exists():
            params, text, found = _read_parameters_file(params_file)
            problems += found
        parsed, more = _parameters(params, str(params_file), text)
        if any(p.severity == "error" for p in problems):
            # Read what can be read so that the error lists table problems too.
            typed, found = coerce_tables(raw, files)
            problems += found
            problems += check_references(typed, files) + shared_id_problems(typed, files)
            problems += line_value_problems(typed, files)
            raise ScenarioError(problems + more)
        return cls._build(raw, files, parsed, problems + more)

    @classmethod
    def _build(
        cls,
        raw: Mapping[str, pd.DataFrame],
        files: Mapping[str, str],
        parameters: Parameters,
        problems: list[Problem],
    ) -> Scenario:
        given = {
            name: raw[name] for name, table in TABLES.items() if name in raw or not table.optional
        }
        typed, found = coerce_tables(given, files)
        problems = problems + found
        for name, table in TABLES.items():
            if name not in typed:
                typed[name] = empty_table(table)
        errors = [p for p in problems if p.severity == "error"]
        errors += check_references(typed, files) + line_value_problems(typed, files)
        if not errors:
            errors += check_groups(typed, files)
        # Not a reference broken: the groups' rules hold whatever the ids' spelling.
        errors += shared_id_problems(typed, files)
        warnings = [p for p in problems if p.severity == "warning"]
        if errors:
            raise ScenarioError(errors + warnings)
        typed = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
        warnings += domain_warnings(typed, files)
        return cls(parameters=parameters, warnings=tuple(dict.fromkeys(warnings)), **typed)

    @classmethod
    def demo(cls) -> Scenario:
        """The embedded Lens-Liévin demo (see ``docs/demo.md``; figures partly estimated).

        Returns
        -------
        Scenario
            The demo territory, read from the package's ``data/demo`` folder.
        """
        folder = resources.files("rhd_match") / "data" / "demo"
        with resources.as_file(folder) as path:
            return cls.from_folder(path)

    # -- output -------------------------------------------------------------------------------

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The input tables by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``products``, ``canteens``, ``producers``, ``offers``, ``demand``, ``market``,
            ``groups``, ``hubs``, ``distances`` in that order.
        """
        return {name: getattr(self, name) for name in TABLES}

    def to_folder(self, path: str | Path, fmt: Literal["csv", "xlsx"] = "csv") -> list[Path]:
        """Write the tables (CSV files or one workbook) and ``parameters.json``; all or nothing.

        ``parameters.json`` holds only what differs from the defaults. The folder can be read
        back with `from_folder`.

        Parameters
        ----------
        path
            Folder to write into (created if needed); other files in it are left alone.
        fmt
            ``"csv"`` (one UTF-8 file per table) or ``"xlsx"`` (one workbook, one sheet per
            table).

        Returns
        -------
        list of Path
            The files written.

        Raises
        ------
        ValueError
            When ``fmt`` is neither ``"csv"`` nor ``"xlsx"``.
        OptionError
            When ``path`` is a file or lies under one, before anything is written.
        """
        # Only what differs from the defaults, so that improved defaults reach saved scenarios.
        params_text = self.parameters.model_dump_json(indent=2, exclude_defaults=True) + "\n"

        def write_params(p: Path) -> None:
            p.write_text(params_text, encoding="utf-8")

        writers: dict[str, Callable[[Path], None]] = {PARAMETERS_FILE: write_params}
        # An empty optional table is left out, as the scenario it came from had none.
        tables = {n: f for n, f in self.tables.items() if not (TABLES[n].optional and f.empty)}
        if fmt == "csv":
            writers |= {f"{n}.csv": csv_writer(f) for n, f in tables.items()}
        elif fmt == "xlsx":
            writers[WORKBOOK_NAME] = workbook_writer(tables)
        else:
            raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
        return write_folder_atomically(Path(path), writers)

    def with_parameters(self, **changes: Any) -> Scenario:
        """A copy with some parameters replaced (validated), e.g. ``hard_egalim=True``.

        Parameters
        ----------
        **changes
            Fields of `Parameters` and their new values.

        Returns
        -------
        Scenario
            The same tables and warnings with the new parameters.

        Raises
        ------
        ScenarioError
            When a field is unknown or a value invalid (every problem at once).
        """
        merged = self.parameters.model_dump() | changes
        params, problems = _parameters(merged, None)
        if problems:
            raise ScenarioError(problems)
        return Scenario(**self.tables, parameters=params, warnings=self.warnings)

    def with_tables(self, **tables: pd.DataFrame | None) -> Scenario:
        """A validated copy with some tables replaced, the parameters kept.

        Parameters
        ----------
        **tables
            Tables by name (``products``, ``canteens``, ..., ``hubs``), as ``from_frames``
            takes them; ``None`` leaves an optional table out.

        Returns
        -------
        Scenario
            The other tables unchanged, the whole validated again.

        Raises
        ------
        ScenarioError
            When the tables make an invalid scenario.
        """
        merged: dict[str, Any] = self.tables | tables
        return Scenario.from_frames(**merged, parameters=self.parameters)

    def distances_without(self, places: Iterable[str]) -> pd.DataFrame:
        """The ``distances`` table without the rows naming any of ``places``, for a scenario
        derived by removing them (a row naming a place no table holds is an error).

        Parameters
        ----------
        places
            Producer, hub or canteen ids.

        Returns
        -------
        pandas.DataFrame
            The other rows of ``distances``, unchanged.
        """
        gone = set(places)
        named = self.distances["from_id"].isin(gone) | self.distances["to_id"].isin(gone)
        return self.distances[~named]

    def with_demand(self, demand: pd.DataFrame) -> Scenario:
        """The same scenario with another demand table of plain product rows and no group
        (the demand as planned, once the optimiser chose each group's mix).

        Parameters
        ----------
        demand
            ``canteen_id``, ``product_id`` (products only), ISO ``week``, ``qty`` (product
            unit), already valid (not validated again).

        Returns
        -------
        Scenario
            The same other tables, parameters and warnings.
        """
        return replace(self, demand=demand.reset_index(drop=True), groups=empty_table(GROUPS))

    def as_planned(self, menu: pd.DataFrame) -> Scenario:
        """The scenario with its demand as planned (``Solution.menu``): the menu's quantities
        added up per canteen × product × week, and no group; itself when ``menu`` is empty.

        Parameters
        ----------
        menu
            A menu as planned: ``canteen_id``, ``product_id``, ISO ``week``, ``qty`` (product
            unit), one row per demand row × product serving it.

        Returns
        -------
        Scenario
            The scenario the plan tables (before and after figures, order sheets) are made
            against.
        """
        if menu.empty:
            return self
        keys = ["canteen_id", "product_id", "week"]
        return self.with_demand(menu.groupby(keys, sort=False)["qty"].sum().reset_index())

    def solve(self, **solver_options: Any) -> Solution:
        """Solve the allocation (see `rhd_match.solve`); options override ``parameters``.

        Parameters
        ----------
        **solver_options
            Fields of `SolverOptions` (``strategy``, ``time_limit_s`` in s, ``threads``,
            ``mip_gap``, ``lp_solver``, ``mip_solver``), ``log`` and ``start`` (a known plan's
            flows to improve on), as `rhd_match.solve` takes them.

        Returns
        -------
        Solution
            The purchase plan and how it was found.

        Raises
        ------
        OptionError
            When an option is unknown or its value invalid, before anything is built.
        InfeasibleError
            In hard mode, when no plan meets every hard target; it names each canteen and
            target that cannot be met.
        """
        # Importing any part of rhd_match runs its __init__, which installs the solver.
        assert _solver is not None
        return _solver(self, **solver_options)

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{n}={len(f)}" for n, f in self.tables.items() if not (TABLES[n].optional and f.empty)
        )
        return f"Scenario({sizes})"


def _read_parameters_file(path: Path) -> tuple[Mapping[str, Any] | None, str, list[Problem]]:
    """The object a ``parameters.json`` holds (None when it cannot be read), its text, and
    the problems of its JSON: a syntax error, a name given twice, not an object."""
    file = str(path)
    try:
        text = decode_text(path.read_bytes())[0]
    except (UnicodeDecodeError, OSError) as exc:
        msg = _("unreadable: {reason}").format(reason=exc)
        return None, "", [Problem("parameters", None, None, msg, file)]
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = JSON_REASONS.get(exc.msg)
        if text[exc.pos :].startswith(("//", "/*", "#")):
            reason = N_("JSON holds no comments: delete this one")
        msg = _("invalid JSON at character {column}: {reason}").format(
            column=exc.colno, reason=_(reason) if reason else exc.msg
        )
        return None, text, [Problem("parameters", exc.lineno, None, msg, file)]
    problems = []
    for keys, lines in _names_given_twice(text).items():
        # json keeps the last silently; which one was meant cannot be told
        name = ".".join(map(str, keys))
        msg = _("'{name}' is given more than once (lines {lines}): keep one").format(
            name=name, lines=", ".join(map(str, lines))
        )
        problems.append(Problem("parameters", lines[-1], name, msg, file))
    if not isinstance(loaded, dict):
        msg = _("expected a JSON object ({braces}) of parameters").format(braces="{...}")
        return None, text, [*problems, Problem("parameters", None, None, msg, file)]
    return loaded, text, problems


def _names_given_twice(text: str) -> dict[tuple[int | str, ...], list[int]]:
    """The names given more than once in an object of the valid JSON ``text``: each one's
    keys from the top (``("targets", "organic")``) and the lines (from 1) it is on; a name
    inside a value that is itself given twice is that value's problem, not its own."""
    lines: dict[tuple[int | str, ...], list[int]] = {}
    # One frame per open object or array: [its current name or index, expecting a name].
    stack: list[list[Any]] = []
    line, i = 1, 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end = i + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if stack and stack[-1][1] is True:
                stack[-1][0], stack[-1][1] = json.loads(text[i : end + 1]), False
                lines.setdefault(tuple(frame[0] for frame in stack), []).append(line)
            i = end + 1
            continue
        if char == "\n":
            line += 1
        elif char in "{[":
            stack.append([None, True] if char == "{" else [0, None])
        elif char in "}]":
            stack.pop()
        elif char == "," and stack:
            if stack[-1][1] is None:
                stack[-1][0] += 1
            else:
                stack[-1][1] = True
        i += 1
    twice = {keys: at for keys, at in lines.items() if len(at) > 1}
    return {
        keys: at
        for keys, at in twice.items()
        if not any(keys[:end] in twice for end in range(1, len(keys)))
    }


def _parameters(
    value: Parameters | Mapping[str, Any] | None, file: str | None, text: str = ""
) -> tuple[Parameters, list[Problem]]:
    """Parameters validated, or the defaults and every problem (with its line in ``text``,
    the JSON they were read from, when given)."""
    if value is None:
        return Parameters(), []
    if isinstance(value, Parameters):
        return value, []
    try:
        return Parameters.model_validate(dict(value)), []
    except ValidationError as exc:
        problems = [
            Problem("parameters", _json_line(text, loc), name or None, msg, file)
            for loc, name, msg in explain(exc, Parameters)
        ]
        return Parameters(), problems


def _json_line(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line (from 1) of the value at ``loc`` in the JSON ``text``: its name's line, or its
    nearest enclosing value's for a value that is missing; None without text."""
    if not text:
        return None
    places = json_source_map.calculate(text)
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    for end in range(len(parts), -1, -1):
        entry = places.get("".join("/" + p for p in parts[:end]))
        if entry is not None:
            start = entry.key_start or entry.value_start
            return int(start.line) + 1
    return None
