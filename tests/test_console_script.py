"""The ``rhd-match`` console script that ``pip`` wrote, run as people run it, in a fresh
interpreter: a dependency missing (a pull that added one, without ``make``) is named with how
to install it, exit 2, no traceback, and Python gets an error that says the same; a reader
that stops reading its output (``| head``) ends it quietly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rhd_match.i18n import LANGUAGE_ENV

SCRIPT = Path(sys.executable).with_name("rhd-match")
REFERENCE = Path(__file__).resolve().parent / "data" / "variants" / "reference"
#: Makes the package named by ``argv[1]`` not importable (and drops it from ``argv``).
HIDING = """
import runpy, sys
hidden = sys.argv.pop(1)
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name == hidden or name.startswith(hidden + "."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Hide())
"""
#: Then runs ``argv[1:]``: a console script and its arguments.
RUN = (
    HIDING
    + """
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
)


def run_without(package: str, *argv: str, language: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, LANGUAGE_ENV: language}
    return subprocess.run(
        [sys.executable, "-c", RUN, package, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


pytestmark = pytest.mark.skipif(not SCRIPT.is_file(), reason="rhd-match is not installed here")


@pytest.mark.parametrize(
    ("package", "argv"),
    [
        ("pandas", ("validate", str(REFERENCE))),  # imported by the library
        ("platformdirs", ("validate", str(REFERENCE))),  # by the command line only
        (
            "distributed",
            ("whatif", str(REFERENCE), "--out", "x", "--organic", "FARM_B", "--dask", "local:1"),
        ),  # lazily
    ],
)
def test_the_command_line_names_the_missing_package_without_a_traceback(
    package: str, argv: tuple[str, ...], tmp_path: Path
) -> None:
    argv = tuple(str(tmp_path / a) if a == "x" else a for a in argv)
    done = run_without(package, str(SCRIPT), *argv)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"error: rhd_match needs the Python package '{package}', which is not installed here "
        "(its dependencies changed since it was installed?): run 'make install' in the "
        "project's folder, or 'pip install -e .' there"
    ]
    assert not (tmp_path / "x").exists()


def test_in_french_by_default_and_in_english_without_the_translations() -> None:
    done = run_without("pandas", str(SCRIPT), "validate", str(REFERENCE), language="")
    assert done.returncode == 2
    assert done.stderr.startswith("erreur : rhd_match a besoin du paquet Python « pandas »")
    done = run_without("babel", str(SCRIPT), "validate", str(REFERENCE), language="fr")
    assert done.returncode == 2
    assert done.stderr.startswith("error: rhd_match needs the Python package 'babel'")


def test_python_gets_the_same_words_in_its_error() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HIDING + "import rhd_match", "pandas"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, LANGUAGE_ENV: "en"},
        timeout=120,
    )
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "ModuleNotFoundError: error: rhd_match needs the Python package 'pandas'"
    )


def closed_pipe_run(argv: list[str]) -> tuple[int, str]:
    """Run ``argv`` with its standard output a pipe nobody reads (``| head`` gone); the
    exit code and standard error."""
    read, write = os.pipe()
    os.close(read)
    with subprocess.Popen(argv, stdout=write, stderr=subprocess.PIPE, text=True) as done:
        os.close(write)
        _out, err = done.communicate(timeout=300)
    return done.returncode, err


def test_a_reader_that_stops_reading_ends_the_command_quietly() -> None:
    """``rhd-match … | head -1``: the pipe closed before the command writes."""
    argv = [str(SCRIPT), "check-purchases", str(REFERENCE / "canteens.csv")]
    with_reader = subprocess.run(argv, capture_output=True, check=False, timeout=120)
    code, err = closed_pipe_run(argv)
    assert err == ""
    assert code == with_reader.returncode


def test_a_reader_that_stops_reading_loses_no_file(tmp_path: Path) -> None:
    """``rhd-match report … | head -5`` ended at the summary's first line: no file written."""
    out = tmp_path / "out"
    small = Path(__file__).resolve().parent / "data" / "cases" / "cli-small-scenario"
    code, err = closed_pipe_run([str(SCRIPT), "report", str(small), "--out", str(out)])
    assert code == 0, err
    assert "Traceback" not in err
    assert {"summary.csv", "report.html", "results.xlsx"} <= {p.name for p in out.iterdir()}
