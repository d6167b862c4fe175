"""Every verb of the ``rhd-match`` console script, end to end, on both routes through the solver
(the exact MIP, and the decomposition), on a terminal (a pseudo-terminal) and off one, with and
without ``--quiet``: exit code 0, no traceback, its files written, its plan passing the checker.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pexpect
import pytest

from rhd_match import Scenario
from rhd_match.analysis.compliance import CURVE_COLUMNS
from rhd_match.check import check
from rhd_match.cli.common import COLUMN_LABELS
from rhd_match.cli.decision import CURVE_HIDDEN_COLUMNS
from rhd_match.i18n import gettext as _

CASES = Path(__file__).parent / "data" / "cases"
SMALL = CASES / "cli-small-scenario"
RHD_MATCH = str(Path(sys.executable).with_name("rhd-match"))
LIMIT = ["--time-limit", "20"]
#: rich writes the limit as h:mm:ss beside the elapsed time: the progress display was shown.
SHOWN = "/ 0:00:20"

#: verb → (arguments after the scenario, files it writes)
VERBS: dict[str, tuple[list[str], list[str]]] = {
    "solve": (LIMIT, ["summary.csv", "flows.csv", "results.xlsx"]),
    "report": ([*LIMIT, "--by-producer"], ["report.html", "results.xlsx", "flows.csv"]),
    "export": ([*LIMIT, "--per-producer"], ["achats.csv", "declaration.csv"]),
    "whatif": (LIMIT, ["whatif.csv"]),
    "tradeoff": (["--points", "3"], ["tradeoff.csv", "tradeoff.png"]),
    "bottlenecks": (["--verify-top", "1"], ["bottlenecks.csv", "marginal_values.csv"]),
    "menus": ([], ["demand.csv", "groups.csv"]),
    "tours": (LIMIT, ["tours.csv", "tours_weekly.csv", "tours_yearly.csv"]),
    "validate": ([], []),
}
SOLVING = ("solve", "report", "export")
ROUTES = ("mip", "decompose")


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small case as given (auto takes the exact MIP) and a copy whose parameters send
    auto to the decomposition."""
    decompose = tmp_path_factory.mktemp("decompose") / "scenario"
    shutil.copytree(SMALL, decompose)
    (decompose / "parameters.json").write_text(
        json.dumps({"solver": {"auto_mip_max_binaries": 0}}), encoding="utf-8"
    )
    return {"mip": SMALL, "decompose": decompose}


def run(args: list[str], terminal: bool) -> tuple[int, str]:
    """Run the console script; its exit code and everything it wrote (stdout and stderr)."""
    if terminal:
        child = pexpect.spawn(RHD_MATCH, args, encoding="utf-8", timeout=600, dimensions=(40, 200))
        out = child.read()
        child.close()
        assert child.exitstatus is not None, f"killed by signal {child.signalstatus}"
        return int(child.exitstatus), out
    done = subprocess.run(
        [RHD_MATCH, *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env=os.environ | {"TERM": "dumb"},
    )
    return done.returncode, done.stdout + done.stderr


def _cases() -> list[tuple[str, str, bool, bool]]:
    cases = []
    for verb in VERBS:
        for route in ROUTES:
            for terminal in (True, False):
                # --quiet matters where a solve shows progress; elsewhere it must just work.
                for quiet in (True, False) if verb in SOLVING else (terminal,):
                    cases.append((verb, route, terminal, quiet))
    return cases


def _id(case: tuple[str, str, bool, bool]) -> str:
    verb, route, terminal, quiet = case
    return f"{verb}-{route}-{'tty' if terminal else 'pipe'}{'-quiet' if quiet else ''}"


@pytest.mark.parametrize("case", _cases(), ids=[_id(c) for c in _cases()])
def test_every_verb_on_every_route(
    case: tuple[str, str, bool, bool], scenarios: dict[str, Path], tmp_path: Path
) -> None:
    verb, route, terminal, quiet = case
    extra, files = VERBS[verb]
    out_dir = tmp_path / "out"
    args = [verb, str(scenarios[route]), *extra]
    if verb != "validate":
        args += ["--out", str(out_dir)]
    if quiet:
        args.append("--quiet")
    code, out = run(args, terminal)
    assert code == 0, out
    assert "Traceback" not in out
    for name in files:
        assert (out_dir / name).is_file(), f"{name} missing; output:\n{out}"
    if verb in SOLVING:
        assert f"solver: {route} (" in out
        assert (SHOWN in out) == (terminal and not quiet)
    if not terminal:
        assert "\x1b[" not in out  # no terminal control codes in pipes and logs
    if verb in ("report", "export"):
        # one order file per producer: workbooks from report, CSV files from export
        pattern = "orders/orders_*.xlsx" if verb == "report" else "orders_*.csv"
        assert list(out_dir.glob(pattern)), out
    if verb in ("solve", "report"):
        scenario = Scenario.from_folder(scenarios[route])
        flows = pd.read_csv(out_dir / "flows.csv")
        assert check(scenario, flows).empty


@pytest.mark.parametrize("terminal", [True, False])
def test_demo_verb(terminal: bool) -> None:
    code, out = run(["demo"], terminal)
    assert code == 0, out
    assert "Traceback" not in out
    assert "canteens" in out


@pytest.mark.parametrize("terminal", [True, False])
def test_template_verb(terminal: bool, tmp_path: Path) -> None:
    path = tmp_path / "modele.xlsx"
    code, out = run(["template", str(path), "--lang", "fr"], terminal)
    assert code == 0, out
    assert "Traceback" not in out
    assert f"{path} écrit" in out
    assert openpyxl.load_workbook(path).sheetnames[0] == "Mode d’emploi"
    this_year = dt.date.today().isocalendar().year
    assert Scenario.from_folder(path).offers["week"].tolist() == [f"{this_year}-W03"]
    code, out = run(["template", str(tmp_path / "modele.csv")], terminal)
    assert code == 2 and "Traceback" not in out and ".xlsx" in out
    assert not (tmp_path / "modele.csv").exists()


@pytest.mark.parametrize("terminal", [True, False], ids=["tty", "pipe"])
def test_compliance_curve_on_and_off_a_terminal(
    terminal: bool, tmp_path: Path, english_messages: None
) -> None:
    out_dir = tmp_path / "curve"
    args = ["tradeoff", str(SMALL), "--out", str(out_dir), *LIMIT]
    code, out = run([*args, "--budgets-per-meal", "0;0,3;2"], terminal)
    assert code == 0, out
    assert "Traceback" not in out
    assert "compliance_curve.csv" in out
    if not terminal:
        assert "\x1b[" not in out
        # The printed table is the curve less its hidden columns, under their labels.
        shown = [name for name in CURVE_COLUMNS if name not in CURVE_HIDDEN_COLUMNS]
        assert shown and len(shown) < len(CURVE_COLUMNS)
        labels = [word for name in shown for word in _(COLUMN_LABELS[name]).split()]
        assert out.splitlines()[0].split() == labels
    curve = pd.read_csv(out_dir / "compliance_curve.csv")
    assert curve["extra_budget_per_meal_eur_ht"].tolist() == [0.0, 0.3, 2.0]
    assert (curve["status"] == "optimal").all()
    # The exact MIP maximises the targets met: a larger budget never meets fewer.
    met = curve[[f"canteens_meeting_{t}" for t in ("quality", "organic", "meat_fish")]].sum(axis=1)
    assert met.is_monotonic_increasing
    assert met.iloc[-1] > met.iloc[0]
    assert (out_dir / "compliance_curve.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("verb", "extra"),
    [("report", ["--by-producer"]), ("whatif", ["--budget-factor", "1,1"])],
)
def test_twice_the_same_command_writes_the_same_files_byte_for_byte(
    verb: str, extra: list[str], tmp_path: Path
) -> None:
    """Every file, the summary, the workbook and the HTML report included: they wrote the
    build and solve times, which differ from run to run."""
    for run_name in ("a", "b"):
        args = ["--lang", "fr", verb, str(SMALL), *extra, "--out", str(tmp_path / run_name)]
        assert run(args, terminal=False)[0] == 0
    first = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    second = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert first == second and len(first) >= 1
    differ = [
        p for p in first if (tmp_path / "a" / p).read_bytes() != (tmp_path / "b" / p).read_bytes()
    ]
    assert differ == []
