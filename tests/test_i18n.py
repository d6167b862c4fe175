"""Languages: the catalogues are complete and match the code, formats follow the language, the
command line speaks French by default and English on request (``docs/i18n.md``)."""

from __future__ import annotations

import argparse
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from factories import tiny_frames

import rhd_match.cli.main as cli_main
from rhd_match import Scenario
from rhd_match.cli.common import ARGPARSE_MESSAGES, EXAMPLES
from rhd_match.cli.decision import _wrote_files
from rhd_match.cli.main import EXIT_INTERNAL_ERROR, build_parser, main
from rhd_match.errors import Problem, ScenarioError
from rhd_match.i18n import (
    DOMAIN,
    LANGUAGE_ENV,
    LANGUAGES,
    current_language,
    format_money,
    format_number,
    format_points,
    format_range,
    format_share,
    format_significant,
    gettext,
    month_name,
    ngettext,
    quoted,
    use_language,
)
from rhd_match.plan.orders import ORDER_COLUMNS, ORDER_LABELS, order_sheet_labels, order_sheets
from rhd_match.report.html import render_html
from rhd_match.weeks import month_label, week_month

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "rhd_match" / "locale"
CATALOGUES = sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
NNBSP, NBSP = "\u202f", "\u00a0"  # CLDR's French digit group and unit spaces


def _catalogue(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=path.parts[-3], domain=DOMAIN)


def _placeholders(text: str) -> set[str]:
    """``{name}`` and ``%(name)s``/``%s`` placeholders of a message."""
    return set(re.findall(r"\{\w*\}|%\(\w+\)[sdrf]|%[sdrf]", text))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages of the code, extracted as ``make messages`` does (same configuration)."""
    pot = tmp_path_factory.mktemp("messages") / "rhd_match.pot"
    config = str(ROOT / "pyproject.toml")
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", config, "-o", str(pot), str(ROOT / "rhd_match")]
    )
    with pot.open("rb") as file:
        return read_po(file)


# -- catalogues ---------------------------------------------------------------------------------


def test_every_language_but_the_source_has_a_catalogue() -> None:
    assert [p.parts[-3] for p in CATALOGUES] == [lang for lang in LANGUAGES if lang != "en"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_every_entry_translated_none_fuzzy_placeholders_kept(path: Path) -> None:
    catalogue = _catalogue(path)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
        elif any(_placeholders(s) != _placeholders(ids[-1]) for s in strings[1:]) or (
            _placeholders(strings[0]) != _placeholders(ids[0])
        ):
            problems.append(f"placeholders differ: {ids[0]!r} -> {strings!r}")
    problems += [f"{m.id!r}: {error}" for m, errors in catalogue.check() for error in errors]
    assert len(catalogue) > 50  # guards the walk itself: the catalogue was read
    assert problems == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_holds_exactly_the_messages_of_the_code(path: Path, extracted: Catalog) -> None:
    in_code = {m.id for m in extracted if m.id}
    in_catalogue = {m.id for m in _catalogue(path) if m.id}
    assert len(in_code) > 50
    assert sorted(map(str, in_code - in_catalogue)) == [], "new strings: run `make messages`"
    assert sorted(map(str, in_catalogue - in_code)) == [], "stale entries: run `make messages`"


#: A pair of straight quotes around a value; an apostrophe inside a word (l'offre) is not one.
STRAIGHT_QUOTES = re.compile(r"(?<!\w)'[^'\n]+'(?!\w)")


def test_french_messages_keep_the_house_forms() -> None:
    """Money is "€ HT" (the sign CLDR writes in amounts), never "EUR HT"; a quoted value is
    between « », never straight quotes (docs/i18n.md, *House forms*)."""
    strays = []
    for message in _catalogue(LOCALE / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po"):
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            if re.search(r"\bEUR\b", text) or STRAIGHT_QUOTES.search(text):
                strays.append(text)
    assert not strays, "\n".join(strays)


#: An ASCII apostrophe between two letters (l'offre); placeholders and `code` are left out below.
ASCII_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
#: What the user types or the code fills in, where an apostrophe is not French text's.
VERBATIM = re.compile(r"\{[^{}]*\}|`[^`]*`|[\w.-]+\.(?:csv|xlsx|json|po|md)\b")


def test_french_messages_write_the_typographic_apostrophe() -> None:
    """French writes ’ between letters (l’offre, n’ont), never the ASCII ' (docs/i18n.md, *House
    forms*); placeholders, code in backquotes and file names keep what they hold."""
    strays = []
    for message in _catalogue(LOCALE / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po"):
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        strays += [text for text in texts if ASCII_APOSTROPHE.search(VERBATIM.sub("", text))]
    assert not strays, "\n".join(strays)


#: A count placeholder followed by an English plural noun ("{n} columns"): such a message goes
#: through ngettext, or « 1 colonnes » can be printed. What is said here is no count that can be
#: 1, or not a noun: (start of the message, placeholder) -> why.
NOT_COUNTED = {
    ("{qty} units delivered", "qty"): "a decimal quantity; ngettext chooses on whole numbers",
    ("note: the Dask cluster", "strategy"): "a verb follows (solves)",
    ("canteen '{canteen}': no offer within", "total"): "of its {total} products: total > n >= 1",
    ("{km} km by road from", "factor"): "a decimal factor",
    ("'{read}' read as '{used}'", "width"): "a code's fixed width (5 or 14 digits)",
    ("'{value}' has {n} digits", "n"): "more digits than the width, so at least 2",
    ("'{value}' has {n} digits", "width"): "a code's fixed width",
    ("{file}: {size} bytes", "size"): "said above 10 MB only",
    ("; row {row} holds", "row"): "a verb follows",
    ("not a ma cantine purchase file", "n"): "the purchase format's 8 or 12 columns",
    ("; the {n} columns are", "n"): "the purchase format's 8 or 12 columns",
    ("canteen {canteen}: ", "points"): "decimal percentage points",
    ("{points} points missing", "points"): "decimal percentage points",
    ("{meals} meals: food cost", "meals"): "meals a day summed over canteens, decimal",
    ("{sector} · {meals} meals a day", "meals"): "a decimal figure of the input",
    ("The {shown} canteens farthest", "shown"): "MAX_CANTEEN_ROWS (80), said above it only",
    ("Each line joins two places", "factor"): "a decimal factor",
}
COUNTED = re.compile(r"\{(\w+)\} ([a-z]+s)\b")


def test_counted_messages_go_through_ngettext(extracted: Catalog) -> None:
    """A message counting something in the plural is a plural entry (ngettext), so that 1 (and
    in French 0) takes the singular; the few left singular are listed with why."""
    strays = []
    for message in extracted:
        if not message.id or isinstance(message.id, tuple):
            continue
        for name, word in COUNTED.findall(message.id):
            if word in ("is", "was", "has", "as"):
                continue
            if not any(message.id.startswith(s) and name == n for s, n in NOT_COUNTED):
                strays.append(f"{{{name}}} {word}: {message.id}")
    assert not strays, "\n".join(strays)


@pytest.mark.parametrize(
    ("language", "errors", "warnings", "head"),
    [
        ("fr", 1, 0, "1 problème dans le scénario :"),
        ("fr", 2, 1, "2 problèmes dans le scénario, et 1 avertissement :"),
        ("fr", 1, 2, "1 problème dans « ids.csv », et 2 avertissements :"),
        ("en", 1, 1, "1 problem in the scenario, and 1 warning:"),
        ("en", 2, 2, "2 problems in 'ids.csv', and 2 warnings:"),
    ],
)
def test_scenario_error_head_counts_in_the_singular_at_one(
    language: str, errors: int, warnings: int, head: str
) -> None:
    problems = [Problem("offers", 2 + i, "week", "bad", None, "error") for i in range(errors)]
    problems += [Problem("offers", 9 + i, "week", "odd", None, "warning") for i in range(warnings)]
    subject = "ids.csv" if "ids.csv" in head else None
    with use_language(language):
        text = str(ScenarioError(problems, subject))
    assert text.splitlines()[0] == head


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "fr",
            [
                "2 colonnes s’appellent « week » (« Week », « week ») ; n’en gardez qu’une",
                "colonne obligatoire absente ; trouvé « alpha », « beta »",
                "labels non comptés par le décompte EGalim : « XYZ » : label « XYZ » inconnu",
            ],
        ),
        (
            "en",
            [
                "2 columns are named 'week' ('Week', 'week'); keep one",
                "required column is missing; found 'alpha', 'beta'",
                "labels not counted by EGalim accounting: 'XYZ': unknown label 'XYZ'",
            ],
        ),
    ],
)
def test_values_listed_in_a_message_are_quoted_as_the_language_does(
    language: str, said: list[str]
) -> None:
    """Values joined into a message (header cells, columns found, label cells) are quoted « »
    in French, '' in English, like the message around them (docs/i18n.md, *House forms*)."""
    from rhd_match.egalim import egalim_accounting
    from rhd_match.inputs.validation import _missing_column
    from rhd_match.io import match_columns

    with use_language(language):
        _names, problems = match_columns(["Week", "week ", "qty"], ["week", "qty"], "offers", None)
        missing = _missing_column("product_id", ["alpha", "beta"])
        lines = pd.DataFrame({"value_eur_ht": [1.0], "family": ["AUTRES"], "labels": ["XYZ"]})
        with pytest.raises(ValueError) as caught:
            egalim_accounting(lines)
    assert [problems[-1].message, missing, str(caught.value)[: len(said[2])]] == said


@pytest.mark.parametrize(("language", "shown"), [("fr", "« C9 »"), ("en", "'C9'")])
def test_a_value_is_quoted_as_the_language_does(language: str, shown: str) -> None:
    with use_language(language):
        assert quoted("C9") == shown


@pytest.mark.parametrize(
    ("language", "first", "last", "shown"),
    [
        ("fr", "2026-W10", "2026-W12", "2026-W10 à 2026-W12"),
        ("en", "2026-W10", "2026-W12", "2026-W10 to 2026-W12"),
        ("fr", "2026-W10", "2026-W10", "2026-W10"),
        ("en", "2026-W10", "2026-W10", "2026-W10"),
    ],
)
def test_a_range_with_equal_ends_is_its_one_value(
    language: str, first: str, last: str, shown: str
) -> None:
    """« 2026-W10 à 2026-W10 » says one week twice."""
    with use_language(language):
        assert format_range(first, last) == shown


def test_values_are_quoted_by_the_one_helper() -> None:
    """A value in quotes goes through ``quoted``, not its own ``_("'{text}'")`` (one form, and
    one catalogue entry, for every quoted value)."""
    inline = re.compile(r"""_\(\s*"'\{\w+\}'"\s*\)""")
    strays = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "rhd_match").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert not strays, strays


def test_english_messages_keep_the_house_form_of_money() -> None:
    """English (the source strings) says money excluding VAT one way: "EUR excl. VAT", never
    "EUR HT" (docs/i18n.md, *House forms*)."""
    strays = []
    for message in _catalogue(LOCALE / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po"):
        texts = message.id if isinstance(message.id, tuple) else (message.id,)
        strays += [text for text in texts if re.search(r"\bEUR HT\b", text)]
    assert not strays, "\n".join(strays)


def test_extraction_finds_a_string_marked_in_a_new_module(tmp_path: Path) -> None:
    # Guards the configuration: the keywords used in the code are the ones extracted.
    module = tmp_path / "new.py"
    module.write_text(
        "from rhd_match.i18n import gettext as _, gettext_noop as N_, ngettext\n"
        "A = N_('constant')\n"
        "print(_('message'), ngettext('one', 'many', 2))\n",
        encoding="utf-8",
    )
    found = [m[1] for m in extract_from_file("python", str(module))]
    assert found == ["constant", "message", ("one", "many")]


def test_listed_argparse_messages_are_argparse_own() -> None:
    own = {m[1] for m in extract_from_file("python", argparse.__file__)}
    assert sorted(set(ARGPARSE_MESSAGES) - own) == []


# -- messages and formats -----------------------------------------------------------------------


def test_french_is_the_default_and_english_the_source() -> None:
    assert current_language() == "fr"
    assert gettext("example:") == "exemple :"
    with use_language("en"):
        assert current_language() == "en"
        assert gettext("example:") == "example:"
    assert gettext("example:") == "exemple :"


def test_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'de': expected one of fr, en"), use_language("de"):
        pass


def test_french_plurals_count_zero_and_one_as_singular() -> None:
    words = ("wrote {n} file to {folder}", "wrote {n} files to {folder}")
    said = {n: ngettext(*words, n).format(n=n, folder="out") for n in (0, 1, 2)}
    assert said == {
        0: "0 fichier écrit dans out",
        1: "1 fichier écrit dans out",
        2: "2 fichiers écrits dans out",
    }
    with use_language("en"):
        assert ngettext(*words, 0).format(n=0, folder="out") == "wrote 0 files to out"
    # Files named rather than counted agree with their number too.
    assert _wrote_files(["whatif.csv"], Path("out")) == "whatif.csv écrit dans out"
    assert _wrote_files(["a.csv", "b.png"], Path("out")) == "a.csv, b.png écrits dans out"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_residue_shown_as_zero_has_no_sign(language: str) -> None:
    """The difference of two equal sums (-1e-12) is 0, not -0,00; a number that rounds to a
    figure keeps its sign."""
    with use_language(language):
        assert "-" not in format_number(-1e-12, 2) + format_money(-0.004) + format_share(-4e-4)
        assert format_number(-0.005, 2).startswith("-")


@pytest.mark.parametrize(
    ("language", "money", "share", "number"),
    [
        ("fr", f"1{NNBSP}234,50{NBSP}€", f"20,0{NBSP}%", f"-12{NNBSP}345,7"),
        ("en", "€1,234.50", "20.0%", "-12,345.7"),
    ],
)
def test_numbers_money_and_shares_in_each_language(
    language: str, money: str, share: str, number: str
) -> None:
    with use_language(language):
        assert format_money(1234.5) == money
        assert format_share(0.2) == share
        assert format_number(-12345.67, decimals=1) == number
        assert format_share(0.125, decimals=0) == share.replace("20,0", "13").replace("20.0", "13")


@pytest.mark.parametrize(
    ("language", "rise", "fall", "nothing"),
    [
        ("fr", f"+0,4{NBSP}pt", f"-12,3{NBSP}pt", f"0,0{NBSP}pt"),
        ("en", "+0.4 pt", "-12.3 pt", "0.0 pt"),
    ],
)
def test_a_difference_of_shares_in_points(
    language: str, rise: str, fall: str, nothing: str
) -> None:
    """32,6 % → 33,0 % is +0,4 pt, never +0,4 %; a difference shown as zero has no sign."""
    with use_language(language):
        assert format_points(0.330 - 0.326) == rise
        assert format_points(-0.1234) == fall
        assert format_points(-1e-12) == nothing
        assert format_points(float("nan")) == ("n/a" if language == "en" else "s.o.")


@pytest.mark.parametrize(("language", "missing"), [("fr", "s.o."), ("en", "n/a")])
def test_a_missing_figure_is_said_so(language: str, missing: str) -> None:
    """NaN (no meals, no plan at that budget) is "n/a" in every format, never ``NaN,00``."""
    nan = float("nan")
    with use_language(language):
        shown = [format_number(nan, 2), format_money(nan), format_share(nan)]
        assert [*shown, format_significant(nan)] == [missing] * 4


def test_month_names_in_each_language() -> None:
    assert [month_name(m) for m in (1, 2, 8, 12)] == ["janvier", "février", "août", "décembre"]
    assert month_label(2027, 1, with_year=True) == "janv. 27"
    with use_language("en"):
        assert [month_name(m, abbreviated=True) for m in (1, 5, 9)] == ["Jan", "May", "Sep"]
        assert month_label(2026, 12) == "Dec"


# -- order sheets: labels for people, ids for machines -----------------------------------------


def test_order_sheet_labels_rename_columns_only(tiny_scenario: Scenario) -> None:
    flows = pd.DataFrame(
        {
            "canteen_id": ["C1"],
            "product_id": [tiny_scenario.products["product_id"].iloc[0]],
            "week": [tiny_scenario.demand["week"].iloc[0]],
            "supplier": ["producer"],
            "producer_id": [tiny_scenario.producers["producer_id"].iloc[0]],
            "qty": [2.0],
            "qty_kg": [2.0],
            "price_eur_ht": [1.5],
            "value_eur_ht": [3.0],
            "labels": ["BIO"],
            "distance_km": [4.0],
            "local": [True],
        }
    )
    sheets = order_sheets(tiny_scenario, flows)
    assert set(ORDER_LABELS) == set(ORDER_COLUMNS)
    french = order_sheet_labels(sheets)
    english = order_sheet_labels(sheets, language="en")
    assert list(french.columns[:6]) == [
        "Type de fournisseur",
        "Identifiant fournisseur",
        "Nom du fournisseur",
        "Identifiant producteur",
        "Producteur",
        "Semaine ISO",
    ]
    assert list(english.columns) == [ORDER_LABELS[c] for c in ORDER_COLUMNS]
    assert french.to_numpy().tolist() == sheets.to_numpy().tolist()
    assert list(sheets.columns) == list(ORDER_COLUMNS)  # the ids stay for files and code


# -- months in the report -----------------------------------------------------------------------


def test_report_months_follow_the_language() -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    assert set(week_month(scenario.demand["week"])) == {1}  # the tiny scenario is in January
    solution = scenario.solve(strategy="mip", time_limit_s=30, threads=1)
    french = render_html(scenario, solution)
    english = render_html(scenario, solution, language="en")
    assert ">janv.<" in french and ">Jan<" not in french
    assert ">Jan<" in english and ">janv.<" not in english


# -- command line -------------------------------------------------------------------------------


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--help"])
    assert caught.value.code == 0
    return capsys.readouterr().out


VERBS = sorted(
    next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
)


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_help_in_french_by_default_with_lang_and_an_example(
    verb: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LANGUAGE_ENV)
    french = _help([verb], capsys)
    assert french.startswith(f"utilisation : rhd-match {verb}")
    assert "afficher cette aide et quitter" in french
    assert "--lang {fr,en}" in french
    with use_language("fr"):
        example = gettext(EXAMPLES[verb])  # the example's files and folders in French
    assert f"exemple :\n  {example}\n" in french
    assert EXAMPLES[verb].startswith(f"rhd-match {verb} ")
    assert example.startswith(f"rhd-match {verb} ")
    english = _help([verb, "--lang", "en"], capsys)
    assert english.startswith(f"usage: rhd-match {verb}")
    assert f"example:\n  {EXAMPLES[verb]}\n" in english


def test_every_verb_has_an_example_and_only_verbs_do() -> None:
    assert set(EXAMPLES) == {*VERBS, "rhd-match"}


def test_language_from_the_environment_and_before_the_verb(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _help(["demo"], capsys).startswith("usage:")  # the variable the session sets
    monkeypatch.setenv(LANGUAGE_ENV, "fr")
    assert _help(["demo"], capsys).startswith("utilisation :")
    assert _help(["--lang", "en", "demo"], capsys).startswith("usage:")


def test_a_language_from_the_environment_not_spoken_is_said_in_the_one_used(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path)
    monkeypatch.setenv(LANGUAGE_ENV, "xx")
    assert main(["validate", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "valide : 3 produits" in out
    assert err.splitlines() == [
        "avertissement : RHD_MATCH_LANG=xx : rhd_match parle fr, en ; messages en français"
    ]
    assert main(["validate", str(tmp_path), "--lang", "en"]) == 0  # --lang overrides it
    assert capsys.readouterr().err == ""


def test_argparse_errors_in_french_and_argparse_left_as_found(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LANGUAGE_ENV)
    before = vars(argparse)["_"]
    with pytest.raises(SystemExit) as caught:
        main(["solve", "--demo", "--lang", "de"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "rhd-match solve : erreur : argument --lang : choix invalide : 'de'" in err
    with pytest.raises(SystemExit):
        main(["export", "--demo"])
    assert "arguments obligatoires manquants : --out" in capsys.readouterr().err
    assert vars(argparse)["_"] is before


def test_messages_of_a_run_in_each_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path)
    monkeypatch.delenv(LANGUAGE_ENV)
    assert main(["validate", str(tmp_path)]) == 0
    assert "valide : 3 produits, 2 cantines" in capsys.readouterr().out
    assert main(["validate", str(tmp_path), "--lang", "en"]) == 0
    assert "ok: 3 products, 2 canteens" in capsys.readouterr().out


def test_argument_types_warnings_and_internal_errors_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(LANGUAGE_ENV)
    refused = {
        ("solve", "--demo", "--time-limit", "0"): "« 0 » doit être un nombre strictement positif",
        ("tradeoff", "--demo", "--out", "t", "--points", "1"): "« 1 » doit valoir au moins 2",
        ("check-purchases", str(tmp_path)): f"« {tmp_path} » est un dossier, pas un fichier",
        ("menus", "--demo", "--out", "m", "--role", "pdt"): "« pdt » n’est pas de la forme",
    }
    for argv, words in refused.items():
        with pytest.raises(SystemExit) as caught:
            main(list(argv))
        assert caught.value.code == 2, argv
        assert words in capsys.readouterr().err, argv

    def command(args: argparse.Namespace) -> int:
        warnings.warn(UserWarning("odd input"), stacklevel=1)
        return {"a": 1}["b"]

    monkeypatch.setattr(cli_main, "cmd_demo", command)
    monkeypatch.setenv("RHD_MATCH_LOG_DIR", str(tmp_path / "logs"))
    assert main(["demo"]) == EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "avertissement : odd input"
    assert err[1].startswith("erreur interne : KeyError : 'b' ; détails dans ")
