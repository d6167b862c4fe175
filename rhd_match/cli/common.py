"""What every command shares: naming the scenario to work on."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..inputs.scenario import Scenario


def load_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line: ``--demo`` or a folder or workbook PATH."""
    if getattr(args, "demo", False):
        return Scenario.demo()
    if args.path is None:
        raise SystemExit("give a scenario PATH or --demo")
    return Scenario.from_folder(args.path)


def add_source(p: argparse.ArgumentParser) -> None:
    """The arguments naming a scenario: PATH, ``--demo``, and ``--quiet``."""
    p.add_argument("path", nargs="?", type=Path, help="scenario folder or .xlsx workbook")
    p.add_argument("--demo", action="store_true", help="use the embedded Lens-Liévin demo")
    p.add_argument("--quiet", action="store_true", help="no live progress display")
