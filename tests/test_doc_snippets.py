"""Every Python snippet of ``docs/**/*.md`` (the French guide too) and ``README.md`` runs as
written.

A page's ```` ```python ```` blocks run in order in one namespace (a page is read top to
bottom), in a fresh folder holding the files a reader brings to it (:func:`reader_files`: a
territory of their own, their SIRET file, last year's purchase file). Two things differ from a
reader's run: time limits are capped at :data:`CAP_S` seconds (the code is under test, not the
plans' quality) and matplotlib draws off screen. A block that is deliberately not runnable is
preceded by the line ``<!-- not run: why -->`` (keep them few). Every ``rhd_match.x.y`` named
in the text must resolve as written too, attribute by attribute after ``import rhd_match``.
"""

from __future__ import annotations

import importlib
import re
import shutil
from pathlib import Path
from types import ModuleType

import matplotlib
import pandas as pd
import pytest
from factories import tiny_frames

import rhd_match
from rhd_match import Scenario

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]  # docs/fr/ too
CAP_S = 5
SKIP_MARK = "<!-- not run:"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
TIME_LIMIT = re.compile(r"time_limit_s=\d+(\.\d+)?")
REFERENCE = re.compile(r"`(rhd_match(?:\.[A-Za-z_]\w*)+)`")


def snippets(page: Path) -> list[tuple[int, str]]:
    """(line number, code) of each Python block of ``page`` not marked as not run."""
    text = page.read_text(encoding="utf-8")
    out = []
    for match in BLOCK.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if not before.startswith(SKIP_MARK):
            out.append((text.count("\n", 0, match.start()) + 2, match.group(1)))
    return out


def luhn_siret(stem: int) -> str:
    """A 14-digit SIRET with a valid Luhn check digit, from a 13-digit stem."""
    digits = f"{stem:013d}"
    for check in range(10):
        total = 0
        for i, ch in enumerate(reversed(digits + str(check))):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits + str(check)
    raise AssertionError("unreachable: one check digit always fits")


def write_sirets(path: Path, canteen_ids: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sirets = [luhn_siret(1_234_567_800_000 + i) for i in range(len(canteen_ids))]
    pd.DataFrame({"canteen_id": canteen_ids, "siret": sirets}).to_csv(path, index=False)


@pytest.fixture(scope="module")
def reader_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files readers of the pages bring: ``my_territory/`` (a small territory) with its
    ``sirets.csv`` and ``achats_2025.csv`` (a purchase file of a plan of it), and
    ``territory/sirets.csv`` for the demo's canteens (the Chamber how-to)."""
    from rhd_match.macantine import export_plan, read_sirets

    folder = tmp_path_factory.mktemp("reader")
    scenario = Scenario.from_frames(**tiny_frames())
    scenario.to_folder(folder / "my_territory")
    write_sirets(folder / "sirets.csv", list(scenario.canteens["canteen_id"]))
    exported = folder / "exported"
    export_plan(
        scenario,
        scenario.solve(time_limit_s=CAP_S),
        exported,
        sirets=read_sirets(folder / "sirets.csv"),
    )
    shutil.copy(exported / "achats.csv", folder / "achats_2025.csv")
    shutil.rmtree(exported)
    demo_ids = list(Scenario.demo().canteens["canteen_id"])
    write_sirets(folder / "territory" / "sirets.csv", demo_ids)
    return folder


def page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def test_some_pages_have_snippets() -> None:
    counted = {page_id(p): len(snippets(p)) for p in PAGES}
    assert counted["README.md"] >= 1 and counted["docs/tutorial.md"] >= 5


@pytest.mark.parametrize("page", [p for p in PAGES if snippets(p)], ids=page_id)
@pytest.mark.filterwarnings("ignore::UserWarning")  # the pages' own warnings are not under test
def test_page_snippets_run_as_written(
    page: Path, reader_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(reader_files, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    matplotlib.use("Agg")
    namespace: dict[str, object] = {"__name__": "__doc_snippet__"}
    for line, code in snippets(page):
        capped = TIME_LIMIT.sub(f"time_limit_s={CAP_S}", code)
        try:
            exec(compile(capped, f"{page_id(page)}:{line}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"{page_id(page)}, block at line {line}: {type(exc).__name__}: {exc}")


def resolve(dotted: str) -> object:
    """``rhd_match.a.b`` as a reader's ``import rhd_match.a`` then attribute access finds it."""
    parts = dotted.split(".")
    obj: object = rhd_match
    for i, part in enumerate(parts[1:], start=1):
        if hasattr(obj, part):
            obj = getattr(obj, part)
        elif isinstance(obj, ModuleType) and hasattr(obj, "__path__"):
            obj = importlib.import_module(".".join(parts[: i + 1]))
        else:
            raise AttributeError(f"{'.'.join(parts[:i])} has no attribute {part!r}")
    return obj


def test_every_rhd_match_name_in_the_text_resolves() -> None:
    broken = []
    for page in PAGES:
        for name in sorted(set(REFERENCE.findall(page.read_text(encoding="utf-8")))):
            try:
                resolve(name)
            except (AttributeError, ImportError) as exc:
                broken.append(f"{page_id(page)}: `{name}`: {exc}")
    assert not broken, "\n".join(broken)


def test_the_reference_check_can_fail() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'RULES'"):
        resolve("rhd_match.check.RULES")
    assert isinstance(resolve("rhd_match.analysis.menus.territory_menu"), object)
