"""Command line: ``rhd-match validate | demo | solve | export | check-purchases | report …``;
``rhd-match COMMAND --help`` for each.

Exit codes: 0 done; 1 the plan breaks a rule (checker); 2 bad input or options (one message
per problem); 3 no plan meets the hard constraints; 70 internal error (one line on stderr, the
traceback in a log file, see :func:`main`); 141 the reader of the output stopped (``| head``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd
import platformdirs

from ..cluster import DASK_STRATEGIES
from ..dependencies import missing_package
from ..errors import InfeasibleError, OptionError, ScenarioError
from ..i18n import format_number, format_range, ngettext
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..inputs.schema import TABLES
from ..logistics.tours import FIRST_ONLY_LABEL, ORIGINS, TOTAL_COLUMNS, TourPlan, plan_tours
from ..plan.solution import Solution
from ..writing import csv_writer, write_folder_atomically
from .common import (
    add_solver_options,
    add_source,
    argparse_in_language,
    command_deadline,
    existing_file,
    finish_parser,
    int_at_least,
    iso_date,
    load_scenario,
    os_problem,
    output_folder,
    requested_language,
    routing_notes,
    say_unused_local_search,
    show_table,
    warn_unknown_language,
)
from .decision import add_decision_support_parsers
from .progress import ProgressDisplay
from .streams import ReaderProofOutput

EXIT_USER_ERROR = 2
EXIT_INFEASIBLE = 3
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE of sysexits.h
#: Environment variable naming the folder for internal-error logs (default: the user log dir).
LOG_DIR_ENV = "RHD_MATCH_LOG_DIR"


def _solve(scenario: Scenario, args: argparse.Namespace, started: float) -> Solution:
    """Solve with the scenario's solver options (the command line's already applied) within
    what the time limit leaves since ``started`` (the verb's start: reading counts), with a
    live progress display on a terminal (time against the limit, phase, plan, gap); nothing off
    a terminal or with ``--quiet``. Prints the plan's summary."""
    limit_s = command_deadline(scenario, started).left()
    with ProgressDisplay(limit_s, quiet=getattr(args, "quiet", False)) as display:
        solution = scenario.solve(log=display, time_limit_s=limit_s)
    print(solution.summary_text())
    strategy = str(solution.summary["strategy"].iloc[0])
    spec = scenario.parameters.solver.dask
    if spec is not None and strategy not in DASK_STRATEGIES:
        print(
            _(
                "note: the Dask cluster '{cluster}' was not used: strategy {strategy} solves "
                "one model, without a cluster"
            ).format(cluster=spec, strategy=strategy),
            file=sys.stderr,
        )
    say_unused_local_search(scenario, [strategy], str(solution.summary["objective_mode"].iloc[0]))
    return solution


def _check(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Run the independent checker on a plan and say what it found."""
    from ..check.checker import check

    violations = check(scenario, solution)
    if violations.empty:
        print("\n" + _("checker: the plan meets every constraint (independent recomputation)"))
    else:
        n = len(violations)
        print(
            "\n"
            + ngettext("checker: {n} violation", "checker: {n} violations", n).format(
                n=format_number(n)
            ),
            file=sys.stderr,
        )
        show_table(violations.head(20), ["rule", "message"], file=sys.stderr)
    return violations


def _wrote(written: list[Path], folder: Path) -> str:
    n = len(written)
    return ngettext("wrote {n} file to {folder}", "wrote {n} files to {folder}", n).format(
        n=format_number(n), folder=folder
    )


def cmd_validate(args: argparse.Namespace) -> int:
    from ..macantine.ids import export_id_problems

    scenario = load_scenario(args, show_warnings=False)
    for warning in [*scenario.warnings, *export_id_problems(scenario)]:
        print(warning)
    counts = {name: len(table) for name, table in scenario.tables.items()}
    print(
        _("ok: {products}, {canteens}, {producers}, {offers}, {demand}").format(
            products=ngettext("{n} product", "{n} products", counts["products"]).format(
                n=format_number(counts["products"])
            ),
            canteens=ngettext("{n} canteen", "{n} canteens", counts["canteens"]).format(
                n=format_number(counts["canteens"])
            ),
            producers=ngettext("{n} producer", "{n} producers", counts["producers"]).format(
                n=format_number(counts["producers"])
            ),
            offers=ngettext("{n} offer row", "{n} offer rows", counts["offers"]).format(
                n=format_number(counts["offers"])
            ),
            demand=ngettext("{n} demand row", "{n} demand rows", counts["demand"]).format(
                n=format_number(counts["demand"])
            ),
        )
    )
    print(_("optional tables: {tables}").format(tables=", ".join(_optional_tables(counts))))
    return 0


def _optional_tables(counts: dict[str, int]) -> list[str]:
    """Each optional table by name: its rows, or absent (an empty table is one not given)."""
    return [
        _("{table} ({rows})").format(
            table=name,
            rows=ngettext("{n} row", "{n} rows", counts[name]).format(
                n=format_number(counts[name])
            ),
        )
        if counts[name]
        else _("{table} (absent)").format(table=name)
        for name, table in TABLES.items()
        if table.optional
    ]


def cmd_demo(args: argparse.Namespace) -> int:
    from ..inputs.summary import describe

    print(describe(Scenario.demo()))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ..inputs.template import write_template

    if args.out.suffix.lower() != ".xlsx":
        args.parser.error(_("'{path}': the template is an .xlsx workbook").format(path=args.out))
    if args.out.exists():
        args.parser.error(
            _("'{path}' exists: the template would replace it; name another file").format(
                path=args.out
            )
        )
    written = write_template(args.out, year=args.year, language=args.lang)
    print(_("wrote {path}: fill it in, then 'rhd-match validate {path}'").format(path=written))
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    scenario = load_scenario(args)
    solution = _solve(scenario, args, started)
    violations = _check(scenario, solution)
    if args.out is not None:
        from ..report import WORKBOOK_NAME, results_workbook_writer

        writers = solution.writers()
        writers[WORKBOOK_NAME] = results_workbook_writer(scenario, solution, args.lang)
        written = write_folder_atomically(args.out, writers)
        print(_wrote(written, args.out))
    return 0 if violations.empty else 1


def cmd_export(args: argparse.Namespace) -> int:
    from ..macantine.export import export_plan
    from ..macantine.ids import check_platform_ids, platform_ids, read_platform_ids

    started = time.perf_counter()
    scenario = load_scenario(args)
    # Read the id files before solving: a bad file fails at once, listing every bad row.
    known = scenario.canteens["canteen_id"].astype(str).tolist()
    sirets = read_platform_ids(args.siret_file, "siret", known) if args.siret_file else None
    ids = read_platform_ids(args.id_file, "cantine_id", known) if args.id_file else None
    key, mapping = platform_ids(scenario, sirets=sirets, cantine_ids=ids)
    given = args.siret_file or args.id_file
    check_platform_ids(scenario, key, mapping, given.name if given else "canteens")
    solution = _solve(scenario, args, started)
    violations = _check(scenario, solution)  # the files are written all the same, as by solve
    written = export_plan(
        scenario,
        solution,
        args.out,
        sirets=mapping if key == "siret" else None,
        cantine_ids=mapping if key == "cantine_id" else None,
        per_canteen=args.per_canteen,
        per_producer=args.per_producer,
        language=args.lang,
    )
    print(_wrote(written, args.out))
    if mapping is None:
        print(
            _(
                "the purchase file(s) cannot be uploaded to ma cantine as they are: give the "
                "platform's canteen ids (--siret-file or --id-file); see README.md there"
            ),
            file=sys.stderr,
        )
    return 0 if violations.empty else 1


def cmd_check_purchases(args: argparse.Namespace) -> int:
    from ..macantine.reading import check_purchases

    found = check_purchases(args.file, today=args.today)
    old = str(found.attrs["format"]).endswith("_old")
    page = (
        _(
            " on the platform's old-format import page (open until the end of the 2027 "
            "declaration campaign)"
        )
        if old
        else ""
    )
    if found.empty:
        print(
            _(
                "{file}: ma cantine will accept this file{page}, provided each canteen "
                "exists there and you manage it"
            ).format(file=args.file, page=page)
        )
        return 0
    print(
        _("{file}: ma cantine will refuse this file{page}; it will say:").format(
            file=args.file, page=page
        )
    )
    _say_refusals(found[found["shown_now"]])
    later = found[~found["shown_now"]]
    if not later.empty:
        print(_("then, once that is fixed:"))
        _say_refusals(later)
    return 1


def _say_refusals(found: pd.DataFrame) -> None:
    """One line per refusal (column and message), its rows as ranges: a file whose every
    line has the same fault (the project's canteen ids) says it once, not 50,000 times."""
    for (column, message), rows in found.groupby(["column", "message"], sort=False, dropna=False)[
        "row"
    ]:
        listed = sorted(set(rows))
        if listed == [0]:
            where = _("the whole file")
        elif len(listed) == 1:
            where = _("row {row}").format(row=format_number(listed[0]))
        else:
            where = _("rows {rows}").format(rows=_row_ranges(listed))
        if isinstance(column, str):
            where += _(", column {column}").format(column=column)
        print("  " + _("{where}: {message}").format(where=where, message=message))


def _row_ranges(rows: list[int], shown: int = 5) -> str:
    """Sorted row numbers as ranges (``2 to 46``, ``42 to 44 and 46``), the first ``shown``
    ranges named and the others counted."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    said = [format_range(format_number(first), format_number(last)) for first, last in runs[:shown]]
    if len(runs) > shown:
        rest = sum(last - first + 1 for first, last in runs[shown:])
        return ngettext("{first} and {n} more", "{first} and {n} more", rest).format(
            first=", ".join(said), n=format_number(rest)
        )
    if len(said) == 1:
        return said[0]
    return _("{items} and {last}").format(items=", ".join(said[:-1]), last=said[-1])


def cmd_report(args: argparse.Namespace) -> int:
    from ..report import report_writers
    from ..report.communes import read_communes

    started = time.perf_counter()
    # a bad file is refused before the solve, not after; the outlines read are drawn
    communes = read_communes(args.communes) if args.communes is not None else None
    scenario = load_scenario(args)
    solution = _solve(scenario, args, started)
    violations = _check(scenario, solution)
    tours = _tours(scenario, solution, _time_left(args, started))
    # tables, reports and order workbooks are moved in together: all or nothing
    writers = solution.writers() | report_writers(
        scenario, solution, args.lang, communes, tours.plan, by_producer=args.by_producer
    )
    writers |= tours.writers
    written = write_folder_atomically(args.out, writers)
    print(_wrote(written, args.out) + " (report.html, results.xlsx, CSV)")
    return 0 if violations.empty else 1


@dataclass(frozen=True)
class _Tours:
    """A plan's delivery tours and the writers of their tables."""

    plan: TourPlan
    writers: dict[str, Callable[[Path], None]]


def _time_left(args: argparse.Namespace, started: float) -> float | None:
    """What ``--time-limit`` leaves the routing since ``started`` (``time.perf_counter``), s;
    None without the option."""
    # Only a limit the user gave bounds the routing: the default (the solve's 60 s) would cut
    # the demo's routing on a slow machine, and tours cut by a clock differ from run to run.
    if args.time_limit is None:
        return None
    return float(args.time_limit) - (time.perf_counter() - started)


def _tours(scenario: Scenario, solution: Solution, time_left_s: float | None) -> _Tours:
    """Plan the delivery rounds of a plan within ``time_left_s`` (None: unbounded, see
    ``plan_tours``) and print their yearly totals."""
    plan = plan_tours(scenario, solution.flows, time_left_s)
    print(
        "\n"
        + _("delivery tours over the year (routing {seconds} s):").format(
            seconds=format_number(plan.routing_s, 1)
        )
    )
    shown = plan.yearly.assign(origin=[_(ORIGINS[o]) for o in plan.yearly["origin"]])
    show_table(shown, ["origin", *TOTAL_COLUMNS, "co2_kg_per_t"])
    if time_left_s is not None:  # only a routing with a time limit can keep its first rounds
        print(_("{label}: {n}").format(label=_(FIRST_ONLY_LABEL), n=plan.first_only))
    for note in routing_notes(plan.stopped_by_time, plan.first_only):
        print(note, file=sys.stderr)
    writers = {
        "tours.csv": csv_writer(plan.tours),
        "tours_weekly.csv": csv_writer(plan.weekly),
        "tours_yearly.csv": csv_writer(plan.yearly),
    }
    return _Tours(plan, writers)


def cmd_tours(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    scenario = load_scenario(args)
    solution = _solve(scenario, args, started)
    violations = _check(scenario, solution)
    written = write_folder_atomically(
        args.out, _tours(scenario, solution, _time_left(args, started)).writers
    )
    print(_wrote(written, args.out))
    return 0 if violations.empty else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rhd-match",
        description=_("Match collective-catering demand with local producer supply under EGalim."),
        epilog=_("'rhd-match COMMAND --help' describes each command."),
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help=_("check a scenario folder; list every problem"))
    add_source(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("demo", help=_("summarise the embedded Lens-Liévin demo scenario"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "template",
        help=_("write a blank scenario workbook to fill in Excel (instructions, drop-down lists)"),
    )
    p.add_argument("out", type=Path, help=_("the .xlsx workbook to write"))
    p.add_argument(
        "--year",
        type=int_at_least(1900, 9998),  # the grid's dates stay within Python's years
        default=dt.date.today().isocalendar().year,
        help=_("ISO year of the demand grid's weeks (default: this year)"),
    )
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("solve", help=_("solve the allocation; print the summary; write the tables"))
    add_source(p)
    p.add_argument(
        "--out",
        type=output_folder,
        help=_("folder for the result tables (CSV files, and the workbook results.xlsx)"),
    )
    add_solver_options(p)
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser(
        "export",
        help=_(
            "solve, then write the ma cantine declaration, purchase import file(s), "
            "order sheets and contract summary"
        ),
    )
    add_source(p)
    p.add_argument("--out", type=output_folder, required=True, help=_("folder for the files"))
    ids = p.add_mutually_exclusive_group()
    ids.add_argument(
        "--siret-file",
        type=existing_file,
        help=_("CSV or XLSX with columns canteen_id,siret: purchase files keyed by SIRET"),
    )
    ids.add_argument(
        "--id-file",
        type=existing_file,
        help=_("CSV or XLSX with columns canteen_id,cantine_id (the platform's numeric ids)"),
    )
    p.add_argument(
        "--per-canteen", action="store_true", help=_("one purchase import file per canteen")
    )
    p.add_argument(
        "--per-producer", action="store_true", help=_("one order sheet (CSV) per producer")
    )
    add_solver_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "check-purchases",
        help=_("say what ma cantine will answer to a purchase import file, row and column"),
    )
    p.add_argument(
        "file", type=existing_file, help=_("the purchase file (CSV, TSV or XLSX) to upload")
    )
    p.add_argument(
        "--today",
        type=iso_date,
        help=_("upload day YYYY-MM-DD (default: today); later dates are refused"),
    )
    p.set_defaults(func=cmd_check_purchases)

    p = sub.add_parser("report", help=_("solve; write report.html, results.xlsx and CSV tables"))
    add_source(p)
    p.add_argument("--out", type=output_folder, required=True, help=_("folder for the reports"))
    add_solver_options(p)
    p.add_argument(
        "--by-producer",
        action="store_true",
        help=_("also write one order workbook per producer, in orders/orders_ID.xlsx"),
    )
    p.add_argument(
        "--communes",
        type=existing_file,
        metavar="GEOJSON",
        help=_(
            "commune outlines drawn under the report's map (GeoJSON polygons with a name; "
            "default: the demo territory's communes when the canteens lie among them)"
        ),
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "tours",
        help=_(
            "solve; plan the delivery rounds from farms (and hubs) to canteens; write tours.csv "
            "and their weekly and yearly totals (km, hours, cost, CO2)"
        ),
    )
    add_source(p)
    p.add_argument("--out", type=output_folder, required=True, help=_("folder for the tour tables"))
    add_solver_options(p)
    p.set_defaults(func=cmd_tours)

    add_decision_support_parsers(sub)
    finish_parser(parser, sub)
    return parser


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings as messages for people: ``warning: …``, without source file and line."""
    print(_("warning: {message}").format(message=message), file=sys.stderr)


def log_dir() -> Path:
    """Folder of the internal-error logs: ``$RHD_MATCH_LOG_DIR``, else the user log folder
    (``~/.local/state/rhd-match/log`` on Linux, via platformdirs)."""
    return Path(os.environ.get(LOG_DIR_ENV) or platformdirs.user_log_dir("rhd-match"))


def _write_log(argv: Sequence[str]) -> Path | None:
    """The traceback of the exception being handled, in a new log file; its path, or ``None``
    when neither the log folder nor the temporary folder can be written."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = f"rhd-match {' '.join(argv)}\n\n{traceback.format_exc()}"
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"rhd-match-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rhd-match`` console script; returns the exit code.

    Messages, ``--help`` and argparse's errors are in the language of ``--lang`` (or
    ``$RHD_MATCH_LANG``; French by default), see :func:`~rhd_match.cli.common.requested_language`.
    Bad input or options give one message per problem (exit 2); a scenario whose hard
    constraints cannot be met gives the reasons (exit 3); once a reader stops reading
    (``| head``), the rest of the output is dropped and the command goes on, its files
    written and its exit code its own (:class:`~rhd_match.cli.streams.ReaderProofOutput`);
    any other exception gives one line
    ``internal error: …; details in FILE`` and its traceback in that log file (exit 70), see
    :func:`log_dir`. Warnings are printed as ``warning: …`` lines.
    """
    argv = sys.argv[1:] if argv is None else argv
    with argparse_in_language(requested_language(argv)), warnings.catch_warnings():
        args = build_parser().parse_args(argv)
        warnings.showwarning = _show_warning
        warn_unknown_language(argv)
        shown, sys.stdout = sys.stdout, ReaderProofOutput(sys.stdout)  # type: ignore[assignment]
        try:
            code: int = args.func(args)
            sys.stdout.flush()  # a reader gone (``| head``) at the very end shows here
        except (ScenarioError, OptionError) as exc:
            print(exc, file=sys.stderr)
            return EXIT_USER_ERROR
        except InfeasibleError as exc:
            print(exc, file=sys.stderr)
            return EXIT_INFEASIBLE
        except OSError as exc:
            # A file that cannot be read or written: its path and why.
            print(_("error: {error}").format(error=os_problem(exc)), file=sys.stderr)
            return EXIT_USER_ERROR
        except KeyboardInterrupt:
            print(_("interrupted"), file=sys.stderr)
            return 130
        except Exception as exc:
            # A package imported when needed may be missing too (dependencies changed).
            missing = missing_package(exc) if isinstance(exc, ModuleNotFoundError) else None
            if missing is not None:
                print(missing, file=sys.stderr)
                return EXIT_USER_ERROR
            words = str(exc).splitlines()[0] if str(exc) else ""
            log = _write_log(argv)
            if log is None:
                line = _("internal error: {kind}: {words}; no log could be written")
            else:
                line = _("internal error: {kind}: {words}; details in {log}")
            print(line.format(kind=type(exc).__name__, words=words, log=log), file=sys.stderr)
            return EXIT_INTERNAL_ERROR
        finally:
            sys.stdout = shown
    return code


if __name__ == "__main__":
    sys.exit(main())
