"""What every command shares: naming the scenario to work on, and checked argument types."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import OptionError
from ..inputs.scenario import Scenario


def load_scenario(args: argparse.Namespace, show_warnings: bool = True) -> Scenario:
    """The scenario named on the command line: ``--demo`` or a folder or workbook PATH; its
    warnings on stderr unless told not to."""
    if getattr(args, "demo", False):
        scenario = Scenario.demo()
    elif args.path is None:
        raise OptionError(["give a scenario PATH or --demo"])
    else:
        scenario = Scenario.from_folder(args.path)
    if show_warnings:
        for warning in scenario.warnings:
            print(warning, file=sys.stderr)
    return scenario


def add_source(p: argparse.ArgumentParser) -> None:
    """The arguments naming a scenario: PATH, ``--demo``, and ``--quiet``."""
    p.add_argument("path", nargs="?", type=Path, help="scenario folder or .xlsx workbook")
    p.add_argument("--demo", action="store_true", help="use the embedded Lens-Liévin demo")
    p.add_argument("--quiet", action="store_true", help="no live progress display")


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (seconds, factors)."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number greater than 0")
    return value


def int_at_least(low: int) -> Callable[[str], int]:
    """argparse type: a whole number ≥ ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {low}")
        return value

    return parse


positive_int = int_at_least(1)


def existing_file(text: str) -> Path:
    """argparse type: a file that exists (checked before any solve)."""
    path = Path(text)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise argparse.ArgumentTypeError(f"'{path}' {what}")
    return path
