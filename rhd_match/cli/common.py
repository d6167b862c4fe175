"""What every command shares: naming the scenario to work on, checked argument types, the
language, the examples."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import os
import re
import shutil
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pandas as pd
from babel import Locale
from rich import box
from rich.console import Console
from rich.table import Table

from ..cells import typed_number
from ..cluster import check_spec
from ..console import table_cells, text_table
from ..i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_ENV,
    LANGUAGES,
    current_language,
    format_number,
    format_share,
    gettext,
    month_name,
    ngettext,
    quoted,
    use_language,
)
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.fixes import fix_number, week_spelled
from ..inputs.scenario import Scenario
from ..params import MAX_MEMORY_GB, MAX_THREADS, MAX_TIME_LIMIT_S, OBJECTIVES, STRATEGIES
from ..plan.solution import STATUS_NAMES
from ..version import __version__
from ..weeks import week_list_problems
from ..writing import folder_problem

if TYPE_CHECKING:
    from ..model.strategies import Deadline

#: One example per verb, shown at the end of its ``--help`` (``rhd-match``: the command's),
#: translated there (file and folder names read as the user's own).
EXAMPLES: dict[str, str] = {
    "rhd-match": N_("rhd-match report --demo --out report/ --lang en"),
    "validate": N_("rhd-match validate my-territory/"),
    "demo": N_("rhd-match demo --lang en"),
    "template": N_("rhd-match template my-territory.xlsx --year 2026"),
    "solve": N_("rhd-match solve my-territory.xlsx --out results/ --time-limit 120"),
    "export": N_("rhd-match export --demo --out macantine/ --siret-file sirets.csv"),
    "check-purchases": N_("rhd-match check-purchases achats.csv --today 2026-06-30"),
    "report": N_("rhd-match report --demo --out report/"),
    "whatif": N_("rhd-match whatif --demo --out whatif/ --organic-target 0.3"),
    "tradeoff": N_("rhd-match tradeoff --demo --out tradeoff/ --points 6"),
    "hubs": N_("rhd-match hubs --demo --out hubs/"),
    "bottlenecks": N_("rhd-match bottlenecks --demo --out bottlenecks/"),
    "menus": N_("rhd-match menus --demo --out menus/ --weeks 2026-W03,2026-W04"),
    "tours": N_("rhd-match tours --demo --out tours/"),
}

#: The messages of ``argparse`` a user can meet (usage, help, errors), listed so that they
#: are extracted into rhd_match's catalogues: argparse looks them up with gettext, and
#: ``argparse_in_language`` hands it rhd_match's translations.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)

#: Labels of the column ids the verbs show in their tables (translated where shown).
COLUMN_LABELS: dict[str, str] = {
    "figure": N_("figure"),
    "without_hubs": N_("without hubs"),
    "with_hubs": N_("with hubs"),
    "difference": N_("difference"),
    "variant": N_("variant"),
    "status": N_("status"),
    "strategy": N_("strategy"),
    "gap": N_("gap"),
    "share_local": N_("local"),
    "share_organic": N_("organic"),
    "share_quality": N_("quality"),
    "share_meat_fish": N_("meat and fish"),
    "canteens_meeting_all": N_("canteens meeting all three targets"),
    "canteens_meeting_quality": N_("canteens meeting the quality target"),
    "canteens_meeting_organic": N_("canteens meeting the organic target"),
    "canteens_meeting_meat_fish": N_("canteens meeting the meat and fish target"),
    "extra_budget_per_meal_eur_ht": N_("extra budget per meal EUR excl. VAT"),
    "extra_cost_per_meal_eur_ht": N_("extra cost per meal EUR excl. VAT"),
    "value_eur_ht": N_("purchases EUR excl. VAT"),
    "extra_cost_eur_ht": N_("extra cost EUR excl. VAT"),
    "extra_cost_share": N_("extra cost"),
    "epsilon": N_("organic share asked"),
    "organic_value_eur_ht": N_("organic EUR excl. VAT"),
    "product_id": N_("product"),
    "month": N_("month"),
    "area_name": N_("area"),
    "canteens": N_("canteens"),
    "demand_kg": N_("demand kg"),
    "uncovered_kg": N_("bought elsewhere kg"),
    "marginal_value_per_kg": N_("value of one more local kg"),
    "organic_marginal_value_per_kg": N_("value of one more organic kg"),
    "verified_marginal_value": N_("checked by re-solving"),
    "catalogue_id": N_("catalogue product"),
    "matched_by": N_("matched by"),
    "roles": N_("roles"),
    "rule": N_("rule"),
    "message": N_("message"),
    "origin": N_("rounds from"),
    "tours": N_("rounds"),
    "n_stops": N_("stops"),
    "kg": N_("kg"),
    "km": N_("km"),
    "driving_h": N_("driving hours"),
    "hours": N_("hours"),
    "cost_eur_ht": N_("cost EUR excl. VAT"),
    "co2_kg": N_("kg CO2e"),
    "co2_kg_per_t": N_("kg CO2e per tonne"),
}
#: Columns holding fractions, shown as percentages.
SHARE_COLUMNS = frozenset(
    {"gap", "share_local", "share_organic", "share_quality", "share_meat_fish"}
    | {"extra_cost_share", "epsilon"}
)
#: Columns counting canteens: whole numbers, also in a column a missing count made float.
COUNT_COLUMNS = frozenset(
    {"canteens", "canteens_meeting_all"}
    | {f"canteens_meeting_{t}" for t in ("quality", "organic", "meat_fish")}
)


def command_deadline(scenario: Scenario, started: float) -> Deadline:
    """The command's clock: the scenario's time limit (``--time-limit`` applied) counted from
    ``started`` (``time.perf_counter()`` at the verb's start, before its files are read), so
    that reading the scenario counts against it.

    Parameters
    ----------
    scenario
        The scenario read, with the command line's options applied.
    started
        ``time.perf_counter()`` when the verb started.

    Returns
    -------
    Deadline
        What is left of the limit, s (at least 0.01, ``Deadline.left``).
    """
    from ..model.strategies import call_deadline

    return call_deadline(scenario, started=started)


def _refuse_out_over(path: Path, out: Path | None, parser: argparse.ArgumentParser) -> None:
    """Exit 2 when the output folder ``out`` is the scenario's folder: the results'
    ``canteens.csv`` and ``producers.csv`` would replace its tables (a workbook's folder would
    hold the scenario twice), before any solve."""
    folder = path if path.is_dir() else path.parent
    if out is not None and out.resolve() == folder.resolve():
        parser.error(
            _(
                "--out '{out}' is the scenario's folder: the results would replace or sit "
                "beside its tables; choose another folder"
            ).format(out=out)
        )


def load_scenario(args: argparse.Namespace, show_warnings: bool = True) -> Scenario:
    """The scenario named on the command line: ``--demo`` or a folder or workbook PATH; its
    warnings on stderr unless told not to.

    Parameters
    ----------
    args
        The parsed command line (``demo``, ``path``).
    show_warnings
        Print the scenario's warnings on standard error.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    SystemExit
        Code 2, after the verb's usage, when neither PATH nor ``--demo`` is given, or both,
        or when ``--out`` is the folder of PATH (the results would replace or sit beside its
        tables).
    ScenarioError
        When the input has errors, each with its file, row and column.
    """
    if getattr(args, "demo", False) and args.path is not None:
        args.parser.error(
            _("give a scenario PATH or --demo, not both ('{path}' and --demo)").format(
                path=args.path
            )
        )
    if getattr(args, "demo", False):
        scenario = Scenario.demo()
    elif args.path is None:  # refused as argparse refuses options: the verb's usage, exit 2
        args.parser.error(_("give a scenario PATH or --demo"))
    else:
        _refuse_out_over(args.path, getattr(args, "out", None), args.parser)
        scenario = Scenario.from_folder(args.path)
    if show_warnings:
        for warning in scenario.warnings:
            print(warning, file=sys.stderr)
    given = {
        option: getattr(args, name)
        for name, option in (
            ("time_limit", "time_limit_s"),
            ("threads", "threads"),
            ("dask", "dask"),
            ("memory_limit_gb", "memory_limit_gb"),
            ("strategy", "strategy"),
            ("objective", "objective"),
            ("local_search", "local_search"),
        )
        if getattr(args, name, None) is not None
    }
    if given:
        solver = scenario.parameters.solver.model_dump() | given
        scenario = scenario.with_parameters(solver=solver)
    return scenario


def add_source(p: argparse.ArgumentParser) -> None:
    """The arguments naming a scenario: PATH, ``--demo``, and ``--quiet``.

    Parameters
    ----------
    p
        The verb's parser.
    """
    p.add_argument("path", nargs="?", type=Path, help=_("scenario folder or .xlsx workbook"))
    p.add_argument("--demo", action="store_true", help=_("use the embedded Lens-Liévin demo"))
    p.add_argument("--quiet", action="store_true", help=_("no live progress display"))


def add_solver_options(p: argparse.ArgumentParser, strategy: bool = True) -> None:
    """Add the solver options, each overriding the scenario's ``parameters.json`` when given:
    ``--time-limit``, ``--threads``, ``--memory-limit-gb`` and (for verbs that choose one)
    ``--strategy``, ``--objective``, ``--local-search`` and ``--dask``.

    Parameters
    ----------
    p
        The verb's parser.
    strategy
        Add ``--strategy``, ``--objective``, ``--local-search`` and ``--dask`` too (verbs
        that solve with a choice of them; the others solve linear programs of the whole
        model, which no cluster shares).
    """
    p.add_argument(
        "--time-limit",
        type=positive_float(MAX_TIME_LIMIT_S),
        metavar="S",
        help=_(
            "wall-clock seconds from the command's start (reading the scenario included) that "
            "its solves share, each getting what is left; the files are written after "
            "(default: the scenario's, 60)"
        ),
    )
    p.add_argument(
        "--threads",
        type=int_at_least(1, MAX_THREADS),
        metavar="N",
        help=_("solver threads (default: the scenario's, 2)"),
    )
    p.add_argument(
        "--memory-limit-gb",
        type=positive_float(MAX_MEMORY_GB),
        metavar="GB",
        help=_(
            "memory the solve may use: above it the decomposition streams by weeks "
            "(default: the scenario's, 16)"
        ),
    )
    if strategy:
        p.add_argument(
            "--dask",
            type=cluster,
            metavar="CLUSTER",
            help=_(
                "solve the weekly LPs on a Dask cluster: 'local:N' starts N workers here, "
                "otherwise a scheduler's address (tcp://host:8786); default: threads"
            ),
        )
        p.add_argument(
            "--strategy",
            choices=STRATEGIES,
            help=_("solve strategy (default: the scenario's, 'auto')"),
        )
        p.add_argument(
            "--local-search",
            type=non_negative_int,
            metavar="N",
            help=_(
                "after the decomposition's plan, N passes of exact MIPs over small groups of "
                "canteens, each keeping the rest of the plan: a better plan for more time "
                "(default: the scenario's, 0)"
            ),
        )
        p.add_argument(
            "--objective",
            choices=OBJECTIVES,
            help=_(
                "what the plan seeks (default: the scenario's, 'lexicographic': EGalim targets, "
                "then local food, then least cost; 'compliance': most canteens at each target "
                "within hard budgets; 'weighted': the weighted sum)"
            ),
        )


def finish_parser(
    parser: argparse.ArgumentParser, sub: argparse._SubParsersAction[argparse.ArgumentParser]
) -> None:
    """What the command and every verb have: ``--lang`` and an example after the options;
    the command has ``--version`` too.

    ``--lang`` defaults to the language already chosen (``requested_language``), so that
    a verb's default does not undo ``rhd-match --lang en VERB``.

    Raises
    ------
    KeyError
        When a verb has no example in ``EXAMPLES``.

    Parameters
    ----------
    parser
        The command's parser.
    sub
        Its verbs' parsers.
    """
    parser.add_argument(
        "--version",
        action="version",
        version=f"rhd-match {__version__}",
        help=_("show the version number and exit"),
    )
    for verb, p in [("rhd-match", parser), *sub.choices.items()]:
        p.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=current_language(),
            help=_("language of messages and files (default: {language}, or ${variable})").format(
                language=DEFAULT_LANGUAGE, variable=LANGUAGE_ENV
            ),
        )
        p.epilog = "\n\n".join(filter(None, [p.epilog, _("example:") + "\n  " + _(EXAMPLES[verb])]))
        p.set_defaults(parser=p)  # for the errors found once the options are read
        p.formatter_class = argparse.RawDescriptionHelpFormatter


def requested_language(argv: Sequence[str]) -> str:
    """The language asked for: ``--lang`` anywhere in ``argv``, else ``$RHD_MATCH_LANG``, else
    French. A language rhd_match does not speak falls back to French here; the full parser
    then refuses it with the list of choices.

    Parameters
    ----------
    argv
        The command line's arguments, verb included.

    Returns
    -------
    str
        A language code rhd_match speaks.
    """
    asked = _lang_option(argv)
    language = asked if asked is not None else os.environ.get(LANGUAGE_ENV, DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _lang_option(argv: Sequence[str]) -> str | None:
    """The ``--lang`` given anywhere in ``argv``; None without one."""
    pre = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    pre.add_argument("--lang")
    try:
        asked = pre.parse_known_args(list(argv))[0].lang
    except argparse.ArgumentError:  # ``--lang`` without a value: the full parser says so
        return DEFAULT_LANGUAGE
    return None if asked is None else str(asked)


def warn_unknown_language(argv: Sequence[str]) -> None:
    """Warn, in the language fallen back to, when ``$RHD_MATCH_LANG`` names a language
    rhd_match does not speak and no ``--lang`` overrides it (an unknown ``--lang`` is the
    parser's error).

    Parameters
    ----------
    argv
        The command line's arguments, verb included.
    """
    value = os.environ.get(LANGUAGE_ENV, "")
    if value and value not in LANGUAGES and _lang_option(argv) is None:
        warnings.warn(
            _("{variable}={value}: rhd_match speaks {languages}; messages in {language}").format(
                variable=LANGUAGE_ENV,
                value=value,
                languages=", ".join(LANGUAGES),
                language=Locale.parse(DEFAULT_LANGUAGE).get_display_name(current_language()),
            ),
            stacklevel=2,
        )


@contextmanager
def argparse_in_language(language: str) -> Iterator[None]:
    """Within the block, rhd_match's messages and argparse's own (``usage:``, ``options``,
    its errors) are in ``language``. argparse reads the module globals ``_`` and ``ngettext``
    (from ``gettext``) at each message; they are restored on leaving.

    Parameters
    ----------
    language
        A language code rhd_match speaks (``fr``, ``en``).

    Yields
    ------
    None
        Within the block, messages are in ``language``.
    """
    namespace = vars(argparse)
    saved = namespace["_"], namespace["ngettext"]
    with use_language(language):
        namespace.update(_=gettext, ngettext=ngettext)
        try:
            yield
        finally:
            namespace.update(_=saved[0], ngettext=saved[1])


def show_table(
    frame: pd.DataFrame, columns: Sequence[str] | None = None, file: TextIO | None = None
) -> None:
    """Print ``frame`` for people: ruled by rich on a terminal, plain aligned text off one
    (``rhd_match.console.text_table``). Files keep the column ids; only what is shown is
    labelled.

    Parameters
    ----------
    frame
        The table.
    columns
        The columns to show, in order (default: all), under their labels of ``COLUMN_LABELS``;
        shares as percentages, counts as whole numbers, months by name; a missing figure
        ``n/a``.
    file
        Where to print (default: standard output).
    """
    out = file or sys.stdout
    shown = frame[list(columns)] if columns is not None else frame.copy()
    for name in shown.columns:
        if name in SHARE_COLUMNS:
            shown[name] = [_("n/a") if pd.isna(v) else format_share(float(v)) for v in shown[name]]
        elif name in COUNT_COLUMNS:
            shown[name] = [format_number(float(v)) for v in shown[name]]  # n/a for NaN
        elif name == "month":
            shown[name] = [month_name(int(v)) for v in shown[name]]
        elif name == "status":
            shown[name] = [_(STATUS_NAMES[v]) if v in STATUS_NAMES else v for v in shown[name]]
    shown = shown.rename(
        columns={c: _(COLUMN_LABELS[c]) for c in shown.columns if c in COLUMN_LABELS}
    )
    if not out.isatty():
        print(text_table(shown, index=False), end="", file=out)
        return
    headers, cells, right = table_cells(shown, index=False)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for header, figures in zip(headers, right, strict=True):
        table.add_column(header, justify="right" if figures else "left")
    for row in zip(*cells, strict=True):
        table.add_row(*row)
    Console(file=out, width=shutil.get_terminal_size().columns, highlight=False).print(table)


def iso_date(text: str) -> dt.date:
    """argparse type: a calendar date written YYYY-MM-DD.

    Parameters
    ----------
    text
        The argument as typed.

    Returns
    -------
    datetime.date
        The date.

    Raises
    ------
    argparse.ArgumentTypeError
        When it is not such a date (2026-13-01 included).
    """
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a date written YYYY-MM-DD").format(text=quoted(text))
        ) from None


def say_unused_local_search(scenario: Scenario, strategies: Sequence[str], objective: str) -> None:
    """Say on stderr that ``--local-search`` was given to solves that do not run it: the
    strategies used (``mip``, ``lp``) or the compliance objective, as for ``--dask``.

    Parameters
    ----------
    scenario
        The scenario with the command line's solver options.
    strategies
        The strategy each solve used (empty names, of solves not started, are left out).
    objective
        The objective pursued.
    """
    from ..model.solve import HEURISTICS

    used = sorted({s for s in strategies if s})
    unused = objective == "compliance" or any(s not in HEURISTICS for s in used)
    if scenario.parameters.solver.local_search and used and unused:
        print(
            _(
                "note: --local-search was not used: it improves the plans of {strategies}, "
                "with an objective other than compliance (here {strategy}, {objective})"
            ).format(
                strategies=", ".join(HEURISTICS), strategy=", ".join(used), objective=objective
            ),
            file=sys.stderr,
        )


def positive_float(high: float) -> Callable[[str], float]:
    """argparse type: a number > 0 and ≤ ``high`` (seconds, GB, factors).

    Parameters
    ----------
    high
        The greatest value accepted: a bound far above any real use, so that a slip
        (``1e308``) is told as such rather than overflowing the arithmetic behind.

    Returns
    -------
    Callable
        The argparse type: the argument as typed (a decimal comma allowed) to its number.
    """

    def parse(text: str) -> float:
        """The argument as a number in (0, ``high``].

        Parameters
        ----------
        text
            The argument as typed.

        Returns
        -------
        float
            The number.

        Raises
        ------
        argparse.ArgumentTypeError
            When it is not a number, or not above 0, or above ``high``.
        """
        as_typed = quoted(text)
        value = typed_number(text)
        if value is None:
            raise argparse.ArgumentTypeError(_("{text} is not a number").format(text=as_typed))
        if not 0 < value <= high:
            raise argparse.ArgumentTypeError(
                _("{text} must be a number greater than 0 and at most {high}").format(
                    text=as_typed, high=format_number(high)
                )
            )
        return value

    return parse


def fraction(text: str) -> float:
    """argparse type: a share from 0 to 1, as ``0.3``, ``0,3`` or ``30 %``.

    Parameters
    ----------
    text
        The argument as typed.

    Returns
    -------
    float
        The share, in [0, 1].

    Raises
    ------
    argparse.ArgumentTypeError
        When it is not a number, or outside [0, 1] (0 % to 100 %).
    """
    as_typed = quoted(text)
    value, _why = fix_number(text, "fraction")  # as a fraction column's cell is read
    if value is None:
        raise argparse.ArgumentTypeError(_("{text} is not a number").format(text=as_typed))
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            _("{text} must be a share from 0 to 1 (or 0 % to 100 %)").format(text=as_typed)
        )
    return value


def cluster(text: str) -> str:
    """argparse type: a Dask cluster, ``local:N`` or a scheduler's address (``check_spec``).

    Parameters
    ----------
    text
        The argument as typed.

    Returns
    -------
    str
        The argument unchanged.

    Raises
    ------
    argparse.ArgumentTypeError
        When it names no cluster, saying what to write.
    """
    try:
        return check_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def week_list(text: str) -> list[str]:
    """argparse type: comma-separated ISO weeks, each once (``2026-W03,2026-W04``).

    Parameters
    ----------
    text
        The argument as typed.

    Returns
    -------
    list of str
        The weeks as ``YYYY-Www``, spaces stripped (``2026-W3`` or ``2026-s03`` written in
        full: ``inputs.fixes.week_spelled``).

    Raises
    ------
    argparse.ArgumentTypeError
        Naming every week that is not an ISO week or is given twice.
    """
    weeks = [week_spelled(w) or w.strip() for w in text.split(",")]  # 2026-W3 is 2026-W03
    wrong = week_list_problems(weeks)
    if wrong:
        raise argparse.ArgumentTypeError("; ".join(wrong))
    return weeks


def int_at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    """argparse type: a whole number ≥ ``low`` (and ≤ ``high`` when given).

    Parameters
    ----------
    low
        The least value accepted.
    high
        The greatest value accepted; None for no limit.

    Returns
    -------
    Callable
        The argparse type: the argument as typed to its whole number.
    """

    def parse(text: str) -> int:
        """The argument as a whole number ≥ ``low``.

        Parameters
        ----------
        text
            The argument as typed.

        Returns
        -------
        int
            The number.

        Raises
        ------
        argparse.ArgumentTypeError
            When it is not a whole number, or below ``low``, or above ``high``.
        """
        if re.fullmatch(r"[+-]?[0-9]+", text.strip()) is None:  # int() takes 1_0 and ٣
            raise argparse.ArgumentTypeError(
                _("{text} is not a whole number").format(text=quoted(text))
            )
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(
                _("{text} must be at least {low}").format(text=quoted(text), low=low)
            )
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(
                _("{text} must be at most {high}").format(text=quoted(text), high=high)
            )
        return value

    return parse


non_negative_int = int_at_least(0)


def existing_file(text: str) -> Path:
    """argparse type: a file that exists (checked before any solve).

    Parameters
    ----------
    text
        The argument as typed.

    Returns
    -------
    pathlib.Path
        The file's path.

    Raises
    ------
    argparse.ArgumentTypeError
        When ``text`` names a folder or nothing.
    """
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(_("'{path}' is a folder, not a file").format(path=path))
    if not path.is_file():
        raise argparse.ArgumentTypeError(_("'{path}' does not exist").format(path=path))
    return path


#: Why a file or folder cannot be used, by ``errno``: the system's own words are English.
OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EEXIST: N_("a file of that name is in the way"),
    errno.ENOTDIR: N_("a file stands where a folder is needed"),
    errno.EISDIR: N_("it is a folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EROFS: N_("read-only file system"),
    errno.ENOSPC: N_("no space left on the disk"),
}


def os_problem(exc: OSError) -> str:
    """A file that cannot be read or written, in the active language: the path and why.

    Parameters
    ----------
    exc
        The error raised while reading or writing.

    Returns
    -------
    str
        ``cannot use 'PATH': REASON``; the system's words when the reason is not known.
    """
    reason = OS_REASONS.get(exc.errno or 0)
    why = gettext(reason) if reason else (exc.strerror or str(exc))
    if exc.filename is None:
        return why
    return _("cannot use '{path}': {reason}").format(path=exc.filename, reason=why)


def output_folder(text: str) -> Path:
    """argparse type: a folder the results can be written to (checked before any solve).

    It may not exist yet; then the nearest existing folder above it must be writable.

    Parameters
    ----------
    text
        The argument as typed.

    Returns
    -------
    pathlib.Path
        The folder's path.

    Raises
    ------
    argparse.ArgumentTypeError
        When ``text`` names a file, or a folder that cannot be created or written.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(_("an empty folder name"))
    path = Path(text)
    problem = folder_problem(path)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return path


def routing_notes(stopped_by_time: int, first_only: int) -> list[str]:
    """Warnings on delivery tours a clock cut short.

    Parameters
    ----------
    stopped_by_time
        Routing problems whose search a wall-clock limit stopped (``TourPlan.stopped_by_time``).
    first_only
        Routing problems left with the first rounds found once the run's time limit was spent
        (``TourPlan.first_only``).

    Returns
    -------
    list of str
        One warning per count that is not zero, in the reader's language.
    """
    notes = []
    if stopped_by_time:
        notes.append(
            ngettext(
                "warning: {n} routing problem stopped at its time limit: its tours may differ "
                "from one run to the next",
                "warning: {n} routing problems stopped at their time limit: their tours may "
                "differ from one run to the next",
                stopped_by_time,
            ).format(n=stopped_by_time)
        )
    if first_only:
        notes.append(
            ngettext(
                "warning: the run's time limit was reached during the routing: {n} routing "
                "problem keeps the first rounds found, without improving them (more km; a "
                "longer --time-limit improves them)",
                "warning: the run's time limit was reached during the routing: {n} routing "
                "problems keep the first rounds found, without improving them (more km; a "
                "longer --time-limit improves them)",
                first_only,
            ).format(n=first_only)
        )
    return notes
