"""A dependency that is not installed, said plainly: after a ``git pull`` that added one, the
command line says which package is missing and how to install it, without a traceback.

This module imports nothing outside the standard library at its top: it runs when one of the
others cannot be imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

#: Exit code of the command line for a missing dependency (that of bad input or options).
EXIT_MISSING = 2
#: The console script's name: the command line is running when it is the program's.
SCRIPT = "rhd-match"


def missing_dependency(exc: ModuleNotFoundError) -> NoReturn:
    """Say which package is missing and how to install it; re-raise anything else.

    On the command line (the program is ``rhd-match``), the message goes to stderr, in the
    language of ``$RHD_MATCH_LANG`` (French by default, English when the translations cannot
    be read: ``--lang`` is not read yet), and the program exits with code 2; from Python, a
    ``ModuleNotFoundError`` of its own says it.

    Parameters
    ----------
    exc
        Raised importing a module of rhd_match or one it uses.

    Raises
    ------
    ModuleNotFoundError
        ``exc`` itself when the missing module is rhd_match's own (a bug, not an install);
        else one that names the package to install.
    SystemExit
        On the command line, code 2, after the message.
    """
    module = _module(exc)
    if module is None:
        raise exc
    message = _message(module, os.environ.get("RHD_MATCH_LANG", ""))
    if Path(sys.argv[0]).stem == SCRIPT:
        print(message, file=sys.stderr)
        raise SystemExit(EXIT_MISSING)
    raise ModuleNotFoundError(message, name=exc.name) from exc


def missing_package(exc: ModuleNotFoundError) -> str | None:
    """What to tell a person about a module that cannot be imported.

    Parameters
    ----------
    exc
        Raised importing a module.

    Returns
    -------
    str or None
        The package missing and how to install it, in the active language; None when the
        module missing is rhd_match's own (a bug).
    """
    module = _module(exc)
    return None if module is None else _message(module, None)


def _module(exc: ModuleNotFoundError) -> str | None:
    """The top-level module missing, None when it is rhd_match's own."""
    module = (exc.name or "").partition(".")[0]
    return None if module in ("", "rhd_match") else module


def _message(module: str, language: str | None) -> str:
    """The message in ``language`` (the active one when None; French when not spoken)."""
    try:
        from .i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language, use_language
        from .i18n import gettext as _
    except ImportError:  # the translations need a package that is missing too: English
        return _say(module, lambda text: text)
    language = current_language() if language is None else language
    with use_language(language if language in LANGUAGES else DEFAULT_LANGUAGE):
        return _say(module, _)


def _say(module: str, _: Callable[[str], str]) -> str:
    return _(
        "error: rhd_match needs the Python package '{module}', which is not installed here "
        "(its dependencies changed since it was installed?): run 'make install' in the "
        "project's folder, or 'pip install -e .' there"
    ).format(module=module)
