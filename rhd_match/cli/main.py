"""Command line: ``rhd-match validate | demo | solve | export | check-purchases | report …``;
``rhd-match COMMAND --help`` for each.

Exit codes: 0 done; 1 the plan breaks a rule (checker); 2 bad input or options (one message
per problem); 3 no plan meets the hard constraints; 70 internal error (one line on stderr, the
traceback in a log file, see :func:`main`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import platformdirs

from ..errors import InfeasibleError, OptionError, ScenarioError
from ..i18n import gettext as _
from ..i18n import ngettext
from ..inputs.scenario import Scenario
from ..params import STRATEGIES
from ..plan.solution import Solution
from .common import (
    add_source,
    argparse_in_language,
    existing_file,
    finish_parser,
    load_scenario,
    positive_float,
    positive_int,
    requested_language,
)
from .decision import add_decision_support_parsers
from .progress import ProgressDisplay

EXIT_USER_ERROR = 2
EXIT_INFEASIBLE = 3
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE of sysexits.h
#: Environment variable naming the folder for internal-error logs (default: the user log dir).
LOG_DIR_ENV = "RHD_MATCH_LOG_DIR"


def _solve(scenario: Scenario, args: argparse.Namespace, **options: Any) -> Solution:
    """Solve with a live progress display on a terminal (time against the limit, phase, plan,
    gap); nothing off a terminal or with ``--quiet``."""
    limit_s = float(options.get("time_limit_s", scenario.parameters.solver.time_limit_s))
    with ProgressDisplay(limit_s, quiet=getattr(args, "quiet", False)) as display:
        return scenario.solve(log=display, **options)


def _check(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Run the independent checker on a plan and say what it found."""
    from ..check.checker import check

    violations = check(scenario, solution)
    if violations.empty:
        print("\n" + _("checker: the plan meets every constraint (independent recomputation)"))
    else:
        n = len(violations)
        print(
            "\n" + ngettext("checker: {n} violation", "checker: {n} violations", n).format(n=n),
            file=sys.stderr,
        )
        print(violations.head(20).to_string(), file=sys.stderr)
    return violations


def _wrote(written: list[Path], folder: Path) -> str:
    n = len(written)
    return ngettext("wrote {n} file to {folder}", "wrote {n} files to {folder}", n).format(
        n=n, folder=folder
    )


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args, show_warnings=False)
    for warning in scenario.warnings:
        print(warning)
    print(_("ok: {scenario}").format(scenario=repr(scenario)))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ..inputs.summary import describe

    print(describe(Scenario.demo()))
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    scenario = load_scenario(args)
    options: dict[str, Any] = {"time_limit_s": args.time_limit, "threads": args.threads}
    if args.strategy:
        options["strategy"] = args.strategy
    solution = _solve(scenario, args, **options)
    print(solution)
    violations = _check(scenario, solution)
    if args.out is not None:
        written = solution.to_folder(args.out)
        print(_wrote(written, args.out))
    return 0 if violations.empty else 1


def cmd_export(args: argparse.Namespace) -> int:
    from ..macantine.export import export_plan, platform_ids, read_platform_ids

    scenario = load_scenario(args)
    if args.siret_file and args.id_file:
        raise OptionError([_("give --siret-file or --id-file, not both")])
    # Read the id files before solving: a bad file fails at once, listing every bad row.
    known = scenario.canteens["canteen_id"].astype(str).tolist()
    sirets = read_platform_ids(args.siret_file, "siret", known) if args.siret_file else None
    ids = read_platform_ids(args.id_file, "cantine_id", known) if args.id_file else None
    key, mapping = platform_ids(scenario, sirets=sirets, cantine_ids=ids)
    solution = _solve(scenario, args, time_limit_s=args.time_limit)
    print(solution)
    written = export_plan(
        scenario,
        solution,
        args.out,
        sirets=mapping if key == "siret" else None,
        cantine_ids=mapping if key == "cantine_id" else None,
        per_canteen=args.per_canteen,
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
    return 0


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
    now = found[found["shown_now"]]
    print(
        _("{file}: ma cantine will refuse this file{page}; it will say:").format(
            file=args.file, page=page
        )
    )
    for line in now.itertuples():
        where = _("the whole file") if line.row == 0 else _("row {row}").format(row=line.row)
        where += (
            _(", column {column}").format(column=line.column)
            if isinstance(line.column, str)
            else ""
        )
        print("  " + _("{where}: {message}").format(where=where, message=line.message))
    later = found[~found["shown_now"]]
    if not later.empty:
        print(_("then, once that is fixed:"))
        for line in later.itertuples():
            where = _("row {row}").format(row=line.row) + (
                _(", column {column}").format(column=line.column)
                if isinstance(line.column, str)
                else ""
            )
            print("  " + _("{where}: {message}").format(where=where, message=line.message))
    return 1


def cmd_report(args: argparse.Namespace) -> int:
    from ..report import write_reports

    scenario = load_scenario(args)
    solution = _solve(scenario, args, time_limit_s=args.time_limit, threads=args.threads)
    print(solution)
    violations = _check(scenario, solution)
    written = solution.to_folder(args.out, formats=("csv",))
    written += write_reports(scenario, solution, args.out, language=args.lang)
    print(_wrote(written, args.out) + " (report.html, results.xlsx, CSV)")
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

    p = sub.add_parser("solve", help=_("solve the allocation; print the summary; write the tables"))
    add_source(p)
    p.add_argument("--out", type=Path, help=_("folder for the result tables (CSV and XLSX)"))
    p.add_argument(
        "--time-limit", type=positive_float, default=60.0, help=_("seconds (default 60)")
    )
    p.add_argument("--threads", type=positive_int, default=2, help=_("solver threads (default 2)"))
    p.add_argument(
        "--strategy",
        choices=STRATEGIES,
        help=_("solve strategy (default: the scenario's, 'auto')"),
    )
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser(
        "export",
        help=_(
            "solve, then write the ma cantine declaration, purchase import file(s), "
            "order sheets and contract summary"
        ),
    )
    add_source(p)
    p.add_argument("--out", type=Path, required=True, help=_("folder for the files"))
    p.add_argument(
        "--siret-file",
        type=existing_file,
        help=_("CSV or XLSX with columns canteen_id,siret: purchase files keyed by SIRET"),
    )
    p.add_argument(
        "--id-file",
        type=existing_file,
        help=_("CSV or XLSX with columns canteen_id,cantine_id (the platform's numeric ids)"),
    )
    p.add_argument(
        "--per-canteen", action="store_true", help=_("one purchase import file per canteen")
    )
    p.add_argument(
        "--time-limit", type=positive_float, default=60.0, help=_("seconds (default 60)")
    )
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
        type=lambda text: dt.date.fromisoformat(text),
        help=_("upload day YYYY-MM-DD (default: today); later dates are refused"),
    )
    p.set_defaults(func=cmd_check_purchases)

    p = sub.add_parser("report", help=_("solve; write report.html, results.xlsx and CSV tables"))
    add_source(p)
    p.add_argument("--out", type=Path, required=True, help=_("folder for the reports"))
    p.add_argument(
        "--time-limit", type=positive_float, default=60.0, help=_("seconds (default 60)")
    )
    p.add_argument("--threads", type=positive_int, default=2, help=_("solver threads (default 2)"))
    p.set_defaults(func=cmd_report)

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
    constraints cannot be met gives the reasons (exit 3); any other exception gives one line
    ``internal error: …; details in FILE`` and its traceback in that log file (exit 70), see
    :func:`log_dir`. Warnings are printed as ``warning: …`` lines.
    """
    argv = sys.argv[1:] if argv is None else argv
    with argparse_in_language(requested_language(argv)), warnings.catch_warnings():
        args = build_parser().parse_args(argv)
        warnings.showwarning = _show_warning
        try:
            code: int = args.func(args)
        except (ScenarioError, OptionError) as exc:
            print(exc, file=sys.stderr)
            return EXIT_USER_ERROR
        except InfeasibleError as exc:
            print(exc, file=sys.stderr)
            return EXIT_INFEASIBLE
        except OSError as exc:
            # A file that cannot be read or written: the system's own words name it.
            print(_("error: {error}").format(error=exc), file=sys.stderr)
            return EXIT_USER_ERROR
        except KeyboardInterrupt:
            print(_("interrupted"), file=sys.stderr)
            return 130
        except Exception as exc:
            words = str(exc).splitlines()[0] if str(exc) else ""
            log = _write_log(argv)
            if log is None:
                line = _("internal error: {kind}: {words}; no log could be written")
            else:
                line = _("internal error: {kind}: {words}; details in {log}")
            print(line.format(kind=type(exc).__name__, words=words, log=log), file=sys.stderr)
            return EXIT_INTERNAL_ERROR
    return code


if __name__ == "__main__":
    sys.exit(main())
