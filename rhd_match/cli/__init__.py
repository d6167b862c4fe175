"""The ``rhd-match`` command line (``docs/tutorial.md``)."""

from ..dependencies import missing_dependency

try:  # every module the command line imports, before the console script imports its entry
    from . import main  # noqa: F401
except ModuleNotFoundError as exc:
    missing_dependency(exc)
