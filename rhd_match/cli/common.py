"""What every command shares: naming the scenario to work on, checked argument types, the
language, the examples."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import OptionError
from ..i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_ENV,
    LANGUAGES,
    current_language,
    gettext,
    ngettext,
    use_language,
)
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario

#: One example per verb, shown at the end of its ``--help`` (``rhd-match``: the command's).
EXAMPLES: dict[str, str] = {
    "rhd-match": "rhd-match report --demo --out report/ --lang en",
    "validate": "rhd-match validate my-territory/",
    "demo": "rhd-match demo --lang en",
    "solve": "rhd-match solve my-territory.xlsx --out results/ --time-limit 120",
    "export": "rhd-match export --demo --out macantine/ --siret-file sirets.csv",
    "check-purchases": "rhd-match check-purchases achats.csv --today 2026-06-30",
    "report": "rhd-match report --demo --out report/",
    "whatif": "rhd-match whatif --demo --out whatif/ --organic-target 0.3",
    "tradeoff": "rhd-match tradeoff --demo --out tradeoff/ --points 6",
    "bottlenecks": "rhd-match bottlenecks --demo --out bottlenecks/",
    "menus": "rhd-match menus --demo --out menus/ --weeks 2026-W03,2026-W04",
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
    OptionError
        When neither PATH nor ``--demo`` is given.
    ScenarioError
        When the input has errors, each with its file, row and column.
    """
    if getattr(args, "demo", False):
        scenario = Scenario.demo()
    elif args.path is None:
        raise OptionError([_("give a scenario PATH or --demo")])
    else:
        scenario = Scenario.from_folder(args.path)
    if show_warnings:
        for warning in scenario.warnings:
            print(warning, file=sys.stderr)
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


def finish_parser(
    parser: argparse.ArgumentParser, sub: argparse._SubParsersAction[argparse.ArgumentParser]
) -> None:
    """What the command and every verb have: ``--lang`` and an example after the options.

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
    for verb, p in [("rhd-match", parser), *sub.choices.items()]:
        p.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=current_language(),
            help=_("language of messages and files (default: {language}, or ${variable})").format(
                language=DEFAULT_LANGUAGE, variable=LANGUAGE_ENV
            ),
        )
        p.epilog = "\n\n".join(filter(None, [p.epilog, _("example:") + "\n  " + EXAMPLES[verb]]))
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
    pre = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    pre.add_argument("--lang", default=os.environ.get(LANGUAGE_ENV, DEFAULT_LANGUAGE))
    try:
        language = str(pre.parse_known_args(list(argv))[0].lang)
    except argparse.ArgumentError:  # ``--lang`` without a value: the full parser says so
        language = DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


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


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (seconds, factors).

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
        When it is not a finite number above 0.
    """
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a number").format(text=repr(text))
        ) from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(
            _("{text} must be a number greater than 0").format(text=repr(text))
        )
    return value


def int_at_least(low: int) -> Callable[[str], int]:
    """argparse type: a whole number ≥ ``low``.

    Parameters
    ----------
    low
        The least value accepted.

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
            When it is not a whole number, or below ``low``.
        """
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                _("{text} is not a whole number").format(text=repr(text))
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(
                _("{text} must be at least {low}").format(text=repr(text), low=low)
            )
        return value

    return parse


positive_int = int_at_least(1)


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
