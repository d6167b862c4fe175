"""One command line: every verb's ``--help`` has an example and the options shared where they
make sense, ``--version``, tables for people, and French output with no English left in it, on a
terminal (a pseudo-terminal) and off one."""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from factories import tiny_frames, tiny_hubs
from test_cli_routes import SMALL, run

from rhd_match import Scenario
from rhd_match.cli.common import show_table
from rhd_match.cli.main import build_parser, main
from rhd_match.console import text_table
from rhd_match.i18n import LANGUAGE_ENV, format_number, use_language
from rhd_match.version import __version__

CATALOGUE = Path(__file__).parents[1] / "rhd_match" / "locale" / "fr" / "LC_MESSAGES"
VERBS = sorted(
    next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
)
#: Verbs that take a scenario, and those that solve one (a MIP, or LPs only).
SCENARIO_VERBS = {"validate", "solve", "export", "report", "whatif", "tradeoff"}
SCENARIO_VERBS |= {"bottlenecks", "menus", "hubs"}
SOLVER_OPTIONS = {
    "solve": ("--time-limit", "--threads", "--strategy"),
    "export": ("--time-limit", "--threads", "--strategy"),
    "report": ("--time-limit", "--threads", "--strategy"),
    "tours": ("--time-limit", "--threads", "--strategy"),
    "hubs": ("--time-limit", "--threads", "--strategy"),
    "whatif": ("--time-limit", "--threads", "--strategy"),
    "tradeoff": ("--time-limit", "--threads"),
    "bottlenecks": ("--time-limit", "--threads"),
}


def _help(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_help_has_an_example_and_the_shared_options(
    verb: str, lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help([verb, "--help", "--lang", lang], capsys)
    heading = "exemple :" if lang == "fr" else "example:"
    example = text.split(f"\n{heading}\n", 1)[1].strip()
    assert example.startswith(f"rhd-match {verb}")
    # Every option of the example is one the verb takes.
    for word in example.split():
        if word.startswith("--"):
            assert word in text.split(heading)[0], f"{verb}'s example uses unknown {word}"
    expected = ["--lang", "--help"]
    if verb in SCENARIO_VERBS:
        expected += ["--demo", "--quiet"]
    expected += SOLVER_OPTIONS.get(verb, ())
    for option in expected:
        assert option in text, f"{verb} --help lacks {option}"
    for option in {"--time-limit", "--threads", "--strategy"} - set(SOLVER_OPTIONS.get(verb, ())):
        assert option not in text, f"{verb} takes {option} though it solves nothing"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert _help(["--version"], capsys) == f"rhd-match {__version__}\n"


def test_solver_options_override_the_scenarios_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["solve", str(SMALL), "--strategy", "decompose", "--threads", "1", "--time-limit", "7"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary.loc[0, "strategy"] == "decompose"  # auto takes the MIP here
    assert "solver: decompose (" in capsys.readouterr().out


def test_a_memory_limit_below_the_model_streams_the_decomposition(tmp_path: Path) -> None:
    args = ["solve", str(SMALL), "--threads", "1", "--memory-limit-gb", "0.001"]
    assert main([*args, "--objective", "weighted", "--out", str(tmp_path)]) == 0
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary.loc[0, "strategy"] == "decompose-streamed"


@pytest.mark.parametrize("spec", ["foo", "local:0", "local:two", "tcp://host", " ", "host:99999"])
def test_a_bad_cluster_is_refused_where_it_is_parsed(
    spec: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever the route (this scenario goes to the exact MIP, which uses no cluster)."""
    with pytest.raises(SystemExit) as ended:
        main(["--lang", "en", "solve", str(SMALL), "--dask", spec, "--out", str(tmp_path)])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "argument --dask" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_a_cluster_the_route_does_not_use_is_said_unused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The discard port: nothing listens there, and nothing tries to connect.
    args = ["solve", str(SMALL), "--dask", "tcp://127.0.0.1:9", "--time-limit", "20"]
    assert main(["--lang", "en", *args, "--strategy", "mip", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "the Dask cluster 'tcp://127.0.0.1:9' was not used: strategy mip" in err


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--strategy", "mip"], "(here mip, lexicographic)"),
        (["--strategy", "decompose", "--objective", "compliance"], "(here decompose, compliance)"),
    ],
)
def test_a_local_search_the_route_does_not_run_is_said_unused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], said: str
) -> None:
    """--local-search was ignored silently with mip or compliance (--dask got a note)."""
    args = ["solve", str(SMALL), "--local-search", "2", "--time-limit", "20", *options]
    assert main(["--lang", "en", *args, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "--local-search was not used" in err and said in err


@pytest.mark.parametrize("verb", ["whatif", "hubs"])
def test_whatif_and_hubs_say_an_unused_local_search(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """solve, report and tours said it; whatif and hubs did not."""
    folder = tmp_path / "s"
    Scenario.from_frames(**tiny_frames(), hubs=tiny_hubs()).to_folder(folder)
    extra = ["--budget-factor", "1.1"] if verb == "whatif" else []
    args = [verb, str(folder), "--local-search", "2", "--strategy", "mip", *extra]
    assert main(["--lang", "en", *args, "--time-limit", "30", "--out", str(tmp_path / "o")]) == 0
    assert "--local-search was not used" in capsys.readouterr().err


def test_a_local_search_that_runs_is_not_said_unused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["solve", str(SMALL), "--local-search", "1", "--strategy", "decompose"]
    assert main(["--lang", "en", *args, "--time-limit", "20", "--out", str(tmp_path)]) == 0
    assert "--local-search was not used" not in capsys.readouterr().err


def test_counts_are_written_as_numbers_for_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``validate``'s counts grouped by thousands as the language writes them (20 291 in
    French), as every other number."""
    from rhd_match.generate import generate_scenario

    scenario = generate_scenario(6, 4, 8, seed=1)
    assert len(scenario.demand) >= 1000
    scenario.to_folder(tmp_path / "s")
    assert main(["--lang", "fr", "validate", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    with use_language("fr"):
        rows = format_number(len(scenario.demand))
    assert "\u202f" in rows
    assert f"{rows} lignes de besoins" in out


def test_counts_agree_with_their_number_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One canteen is "1 cantine", as every count said in a sentence."""
    reference = Path(__file__).parent / "data" / "variants" / "reference"
    args = ["menus", str(reference), "--out", str(tmp_path), "--canteens", "LENS_1"]
    assert main(["--lang", "fr", *args]) == 0
    out = capsys.readouterr().out
    rows = len(pd.read_csv(tmp_path / "demand.csv"))
    assert f"{rows} lignes de besoins pour 1 cantine sur 2 semaines (" in out


@pytest.mark.parametrize("verb", ["tradeoff", "bottlenecks"])
def test_verbs_that_no_cluster_serves_take_no_cluster(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Their linear programs of the whole model run here: ``--dask`` would be ignored."""
    with pytest.raises(SystemExit) as ended:
        main(["--lang", "en", verb, str(SMALL), "--out", str(tmp_path), "--dask", "local:1"])
    assert ended.value.code == 2
    assert "unrecognized arguments: --dask local:1" in capsys.readouterr().err


def test_a_bottleneck_outside_the_known_communes_is_named_by_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reference's Lens canteen has INSEE 06088, a commune the list of names lacks."""
    reference = Path(__file__).parent / "data" / "variants" / "reference"
    assert main(["--lang", "en", "bottlenecks", str(reference), "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "bottlenecks.csv", dtype={"area": str})
    unnamed = table.loc[table["area_name"].isna(), "area"]
    assert "06088" in set(unnamed)
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert any("06088" in row for row in rows)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_table_is_aligned_plain_text_off_a_terminal() -> None:
    frame = pd.DataFrame({"name": ["a", "bbb", "c"], "kg": [1234.5, 2.0, -0.01]})
    terminal = _Terminal()
    with use_language("fr"):
        plain = text_table(frame, index=False)
        show_table(frame, file=terminal)
    ruled = terminal.getvalue()
    lines = plain.splitlines()
    assert lines[0].split() == ["name", "kg"]
    assert lines[1].endswith("1\u202f234,5") and lines[2].endswith("2,0")
    assert lines[3].endswith(" 0,0")  # not "-0,0"
    assert len(lines[1]) == len(lines[2])  # right-aligned figures
    assert "\x1b[" not in plain and "─" not in plain
    assert "─" in ruled  # a ruled header on a terminal


def test_shares_and_months_shown_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.DataFrame({"product_id": ["APPLE"], "month": [3], "share_organic": [0.25]})
    with use_language("fr"):
        show_table(frame)
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["produit", "mois", "bio"]
    assert out.splitlines()[1].split() == ["APPLE", "mars", "25,0", "%"]


def test_counts_of_canteens_whole_and_a_point_without_plan_not_applicable() -> None:
    """A compliance curve whose last budget has no plan: counts stay whole numbers (not the
    float a missing count turns the column into), the missing ones "s.o." as other figures."""
    from rhd_match.analysis.compliance import compliance_curve
    from rhd_match.cli.decision import CURVE_HIDDEN_COLUMNS

    scenario = Scenario.from_frames(**tiny_frames())
    out_of_reach = scenario.with_parameters(hard_egalim=True, targets={"organic": 1.0})
    curve = pd.concat(
        [compliance_curve(scenario, [0.0]), compliance_curve(out_of_reach, [0.5])],
        ignore_index=True,
    )
    assert curve["status"].tolist() == ["optimal", "infeasible"]
    counts = [c for c in curve.columns if c.startswith("canteens")]
    out = io.StringIO()
    with use_language("fr"):
        show_table(curve[[c for c in curve.columns if c not in CURVE_HIDDEN_COLUMNS]], file=out)
        show_table(curve[counts], file=out)
    lines = out.getvalue().splitlines()
    assert lines[1].split()[1:5] == [str(int(curve.loc[0, c])) for c in counts[1:]]
    assert lines[2].split()[1:6] == ["s.o."] * 5  # four counts and the local share
    assert lines[4].split() == [str(int(curve.loc[0, c])) for c in counts]
    assert lines[5].split() == ["2"] + ["s.o."] * 4


def english_fragments() -> list[str]:
    """Pieces of English the command line writes that French turns into something else:
    each translated message's text between placeholders, of three words or more."""
    with (CATALOGUE / "rhd_match.po").open("rb") as file:
        catalogue = read_po(file)
    fragments = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            if text in strings:
                continue
            for piece in re.split(r"\{[^}]*\}|%\(?\w*\)?[sdr]", text):
                piece = piece.strip(" :;,.()'\n")
                if len(piece.split()) >= 3:
                    fragments.add(piece)
    return sorted(fragments)


#: Words of the English summaries that no French output should hold.
ENGLISH_WORDS = re.compile(
    r"\b(canteens?|producers?|weeks?|wrote|share|before|after|checker|purchases|solver|"
    r"objective|shortfall|demand|supply|target|variant|status|organic|quality|levels?|kept)\b"
)
#: verb → arguments (after the scenario) for the French-output test.
FRENCH_RUNS = {
    "validate": [],
    "solve": ["--time-limit", "20"],
    "report": ["--time-limit", "20"],
    "whatif": ["--time-limit", "20", "--organic-target", "0.3"],
    "tradeoff": ["--points", "3"],
    "bottlenecks": ["--verify-top", "1"],
}


def test_the_english_fragments_are_found() -> None:
    fragments = english_fragments()
    assert "checker: the plan meets every constraint (independent recomputation" in fragments
    assert ENGLISH_WORDS.search("3 canteens, 2 producers")


@pytest.mark.parametrize("terminal", [True, False], ids=["tty", "pipe"])
@pytest.mark.parametrize("verb", [*FRENCH_RUNS, "demo"])
def test_french_output_has_no_english_left(
    verb: str, terminal: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LANGUAGE_ENV)  # French by default
    args = [verb]
    if verb != "demo":
        args += [str(SMALL), *FRENCH_RUNS[verb]]
    if verb not in ("demo", "validate"):
        args += ["--out", str(tmp_path / "out")]
    code, out = run(args, terminal)
    assert code == 0, out
    # Paths, data ids and codes are the user's own: leave out the folder and the ids.
    text = out.replace(str(tmp_path), "").replace(str(SMALL), "")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    left = [f for f in english_fragments() if f in text]
    assert not left, f"English left in the French output of {verb}: {left}\n{out}"
    words = sorted(set(ENGLISH_WORDS.findall(text)))
    assert not words, f"English words in the French output of {verb}: {words}\n{out}"


def test_solver_statuses_in_tables_are_in_the_reader_s_language() -> None:
    """The status column of ``whatif`` and ``tradeoff`` (an id in their CSV files)."""
    from rhd_match.cli.common import show_table

    frame = pd.DataFrame({"status": ["optimal", "feasible", "time_limit", "infeasible"]})
    out = io.StringIO()
    with use_language("fr"):
        show_table(frame, file=out)
    assert out.getvalue().split() == [
        "statut",
        "optimal",
        "réalisable",
        "limite",
        "de",
        "temps",
        "irréalisable",
    ]
