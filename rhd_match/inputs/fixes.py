"""Fixes the reader can be sure of: a value typed the way a French person writes it, read as the
code or number it unambiguously means (``docs/input-format.md``, *Values read with a fix*).

Each function returns the value to use, or ``None`` when the text is not one of the forms it
knows or could mean more than one thing: validation then reports the value as an error, and
when a fix is applied it warns with the value read and the value used.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..cells import FRENCH_NUMBER
from ..i18n import current_language, ngettext, quoted
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..weeks import WEEK_PATTERN, iso_weeks_in_year, week_label, week_problem

#: Other names of EGalim labels (ma cantine codes), as people write them, by ``fold`` key.
LABEL_ALIASES: Mapping[str, str] = {
    "AB": "BIO",
    "AGRICULTURE_BIOLOGIQUE": "BIO",
    "BIOLOGIQUE": "BIO",
    "AOC": "AOCAOP",
    "AOP": "AOCAOP",
    "AOC_AOP": "AOCAOP",
    "HAUTE_VALEUR_ENVIRONNEMENTALE": "HVE",
    "PRODUIT_FERMIER": "FERMIER",
}
#: Other names of units, by ``fold`` key.
UNIT_ALIASES: Mapping[str, str] = {
    "KILO": "kg",
    "KILOS": "kg",
    "KILOGRAMME": "kg",
    "KILOGRAMMES": "kg",
    "LITRE": "l",
    "LITRES": "l",
    "PIECES": "piece",
    "UNITE": "piece",
    "UNITES": "piece",
}
#: A week written by its number alone: ``S03``, ``W3``, ``Semaine 3``, ``sem. 03``.
SHORT_WEEK = re.compile(r"^(?:S|W|SEM\.?|SEMAINE|WEEK)\s*([0-9]{1,2})$", re.IGNORECASE)
#: A year and a week written otherwise than ``2026-W03``: ``2026-W3``, ``2026-w03``,
#: ``2026-S03``, ``2026 S3``, ``2026W03``.
SPELLED_WEEK = re.compile(
    r"^([0-9]{4})\s*[-/ ]?\s*(?:W|S|SEM\.?|SEMAINE|WEEK)\s*([0-9]{1,2})$", re.IGNORECASE
)
#: A date written day first, as French people do: ``12/01/2026``, ``12-01-2026``.
FRENCH_DATE = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$")
#: An ISO date, as a spreadsheet date cell reads (``2026-01-12`` or ``2026-01-12 00:00:00``).
ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]00:00:00)?$")
#: How people write each unit of ``docs/input-format.md`` after a number (lowercase, without
#: spaces): such a number is read in the column's unit. Euros and percentages are read on
#: their own (``fix_number``); a column in each product's own unit takes none.
UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "km": ("km",),
    "min": ("min", "mn", "minutes"),
    "kg": ("kg",),
    "kg/week": ("kg", "kg/week", "kg/semaine", "kg/sem"),
    "kg/unit": ("kg", "kg/unit"),
    "degrees": ("°",),
    "days": ("days", "jours", "j"),
    "meals/day": ("meals", "meals/day", "repas", "repas/jour"),
    "drops/week": ("drops", "drops/week", "livraisons", "livraisons/semaine"),
    "vehicles": ("vehicles", "véhicules", "vehicules"),
}

#: Each unit of ``docs/input-format.md`` as people read it, in the active language
#: (``unit_name``).
UNIT_NAMES: dict[str, str] = {
    "degrees": N_("degrees"),
    "fraction": N_("a share from 0 to 1"),
    "EUR HT/unit": N_("EUR excl. VAT per unit"),
    "EUR HT/kg": N_("EUR excl. VAT per kg"),
    "EUR HT": N_("EUR excl. VAT"),
    "EUR/km": N_("EUR per km"),
    "EUR/h": N_("EUR per hour"),
    "km": N_("km"),
    "min": N_("minutes"),
    "kg": N_("kg"),
    "kg/week": N_("kg per week"),
    "kg/unit": N_("kg per unit"),
    "meals/day": N_("meals per day"),
    "days": N_("days"),
    "drops/week": N_("drops per week"),
    "vehicles": N_("vehicles"),
    "product unit": N_("the product's unit"),
    "product unit/week": N_("the product's unit per week"),
    "product unit/group unit": N_("the product's unit per unit of the group"),
}


def unit_name(unit: str) -> str:
    """A column's unit as people read it (``kg/week`` → *kg par semaine* in French).

    Parameters
    ----------
    unit
        The unit as ``inputs.schema`` names it.

    Returns
    -------
    str
        Its name in the active language; the unit itself when it has none.
    """
    return _(UNIT_NAMES[unit]) if unit in UNIT_NAMES else unit


#: A number as a spreadsheet shows a long one it was not told is text: ``2,16205E+13``.
SCIENTIFIC = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$")


def code_digits(text: str) -> str:
    """A code (SIRET, INSEE) as typed in a spreadsheet, as the code: spaces of every kind
    removed (``216 204 980 00017``, no-break spaces too), a decimal part of zeros dropped
    (``62498.0``, a code read as a number).

    Parameters
    ----------
    text
        The cell as text.

    Returns
    -------
    str
        The code; ``text`` without its spaces when it has no such decimal part.
    """
    cleaned = re.sub(r"\s+", "", text)
    whole = re.fullmatch(r"([0-9]+)[.,]0+", cleaned)
    return whole.group(1) if whole else cleaned


def scientific_digits(text: str) -> str | None:
    """The whole number a code in scientific notation stands for, when the notation writes
    every one of its digits (``1.234567800002E+12`` is ``1234567800002``); ``None`` when
    digits are lost (``2,16205E+13``: 6 digits written of 14) or it is no whole number.

    A spreadsheet shows a long number with as many digits as fit: the number is whole
    when its mantissa holds at least as many digits as it has; fewer, and the last ones
    shown as zeros may have been anything.

    Parameters
    ----------
    text
        The cell without spaces, matching ``SCIENTIFIC``.

    Returns
    -------
    str or None
        The number's digits, or ``None``.
    """
    mantissa = re.split("[eE]", text)[0]
    written = re.sub("[.,]", "", mantissa).lstrip("0")
    number = Decimal(text.replace(",", "."))
    if not written or len(written) < number.adjusted() + 1:
        return None  # fewer digits written than the number has: the last ones are lost
    if number != number.to_integral_value():
        return None
    return str(int(number))


def scientific_code(value: str) -> str:
    """Why a code written in scientific notation cannot be read (its last digits are lost).

    Parameters
    ----------
    value
        The cell as written (``2,16205E+13``).

    Returns
    -------
    str
        The message, in the active language.
    """
    return _(
        "'{value}' is a number in scientific notation: its last digits are lost; format the "
        "column as text in the spreadsheet and type the codes again"
    ).format(value=value)


def fold(text: str) -> str:
    """``text`` as a code key: accents removed, upper case, other characters as ``_``.

    ``'Fruits et légumes'`` → ``FRUITS_ET_LEGUMES``; ``'Label Rouge'`` → ``LABEL_ROUGE``.
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Z0-9]+", "_", plain.upper()).strip("_")


def fix_code(text: str, choices: Iterable[str], aliases: Mapping[str, str] = {}) -> str | None:
    """The one code of ``choices`` that ``text`` names, written another way.

    Parameters
    ----------
    text
        A cell as typed (``'Fruits et légumes'``, ``'AB'``, ``'Pièce'``).
    choices
        The codes allowed (``FRUITS_ET_LEGUMES``…, or ``kg``, ``l``, ``piece``).
    aliases
        Other names (``fold`` keys) → code.

    Returns
    -------
    str or None
        The code whose ``fold`` key is the text's, or its alias; ``None`` when none is (a
        guess from a partial or close name is never made).
    """
    key = fold(text)
    by_key = {fold(c): c for c in choices}
    return by_key.get(key) or aliases.get(key)


#: The menu roles' French names (``fold`` keys) → role (``analysis.menus``'s ``--role``).
ROLE_ALIASES: dict[str, str] = {
    "ENTREE_CRUDITES": "raw_vegetable_starter",
    "CRUDITES": "raw_vegetable_starter",
    "LEGUME": "cooked_vegetable",
    "LEGUMES": "cooked_vegetable",
    "LEGUMES_CUITS": "cooked_vegetable",
    "FECULENT": "starchy",
    "FECULENTS": "starchy",
    "VIANDE": "meat",
    "POISSON": "fish",
    "PROTEINE_VEGETALE": "vegetarian_protein",
    "PLAT_VEGETARIEN": "vegetarian_protein",
    "LAITAGE": "dairy",
    "PRODUIT_LAITIER": "dairy",
    "FROMAGE": "cheese",
    "PAIN": "bread",
}


def role_name(role: str) -> str:
    """A menu role as people read it: its French name in French (``viande``), its own
    (``meat``) otherwise.

    Parameters
    ----------
    role
        A role of the menu plan (``analysis.menus``).

    Returns
    -------
    str
        The name, in the active language.
    """
    if current_language() != "fr":
        return role
    return next((k.lower() for k, r in ROLE_ALIASES.items() if r == role), role)


def did_you_mean(text: str, choices: list[str]) -> str:
    """``; did you mean 'BEEF'?`` for the choice ``text`` was likely meant as.

    Parameters
    ----------
    text
        A product id, a role, … as typed.
    choices
        What it could be.

    Returns
    -------
    str
        The hint, in the active language, to follow a message: the choice that is ``text``
        but for case first, else the closest spelling; empty when none is close.
    """
    same = [c for c in choices if c.casefold() == text.casefold()]
    close = same or difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    if not close:
        return ""
    return _("; did you mean {name}?").format(name=quoted(close[0]))


def fix_number(text: str, unit: str) -> tuple[float | None, str]:
    """The number a French-written cell means, in a column of ``unit``.

    ``3 000`` (digits grouped by spaces, no-break ones included) → 3000; ``1 234,50`` →
    1234.5; ``1,85 €`` → 1.85 in a column of euros; ``25 %`` → 0.25 in a column of
    fractions.

    Parameters
    ----------
    text
        The cell as typed.
    unit
        The column's unit (``docs/input-format.md``): ``€`` needs one in EUR, ``%`` one in
        ``fraction``.

    Returns
    -------
    tuple of (float or None, str)
        The number and ``"unit"`` when the column's unit was written after it (``12,5 km``
        in a column of km), else ``""``; or ``None`` with why not: ``""`` when the text is
        no number in any of these forms, else the reason a sign does not fit the column
        (``"percent"``, ``"euro"``, ``"unit"`` for another unit: ``40 t`` in kg; ``"product
        unit"`` for any in a column in each product's own unit).
    """
    match = FRENCH_NUMBER.match(text.strip())
    if match is None:
        return None, ""
    digits = re.sub(r"\D", "", match["int"])
    value = float(f"{match['sign']}{digits}.{match['dec'] or 0}")
    suffix = re.sub(r"\s", "", match["suffix"] or "").upper()
    if suffix == "%":
        if unit != "fraction":
            return None, "percent"
        return value / 100, ""
    if suffix.startswith(("€", "EUR")):
        if "EUR" not in unit:
            return None, "euro"
        if _money(suffix) == "EUR":  # 1,85 € in any column of euros
            return value, ""
        return (value, "unit") if _money(suffix) == _money(unit) else (None, "unit")
    if suffix and unit.startswith("product unit"):
        return None, "product unit"  # the unit is the product's: kg for one, piece for another
    if suffix:
        return (value, "unit") if suffix.lower() in UNIT_SPELLINGS.get(unit, ()) else (None, "unit")
    return value, ""


def _money(unit: str) -> str:
    """A unit of euros compared without case, spaces, ``HT`` and the euro sign's spelling
    (``€ HT/kg``, ``EUR/KG``, the column's ``EUR HT/kg`` alike)."""
    return re.sub(r"\s|HT", "", unit.upper().replace("€", "EUR"))


def unit_written(text: str) -> str:
    """The unit written after a number (``km`` of ``12,5 km``); empty without one.

    Parameters
    ----------
    text
        The cell as typed.

    Returns
    -------
    str
        The unit as typed, spaces around it removed.
    """
    match = FRENCH_NUMBER.match(text.strip())
    return (match["suffix"] or "").strip() if match else ""


def week_of_date(text: str) -> str | None:
    """The ISO week of a date written ``2026-01-12`` (a date cell) or ``12/01/2026`` (day
    first, the French order); ``None`` when the text is no such date."""
    iso, french = ISO_DATE.match(text), FRENCH_DATE.match(text)
    try:
        if iso is not None:
            day = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif french is not None:
            day = dt.date(int(french[3]), int(french[2]), int(french[1]))
        else:
            return None
    except ValueError:
        return None
    year, week, _ = day.isocalendar()
    return week_label(year, week)


def week_spelled(text: str) -> str | None:
    """The ISO week of a year and a week written otherwise (``2026-W3``, ``2026-s03``:
    ``SPELLED_WEEK``); ``None`` for any other text, and for a week the year does not have.

    Parameters
    ----------
    text
        A week as typed.

    Returns
    -------
    str or None
        The week as ``YYYY-Www``.
    """
    found = SPELLED_WEEK.match(text.strip())
    if found is None or not 1 <= int(found[2]) <= iso_weeks_in_year(int(found[1])):
        return None
    return week_label(int(found[1]), int(found[2]))


def known_weeks(cells: Iterable[str]) -> list[str]:
    """The ISO weeks written in full, or as dates, among ``cells``: what the year of a week
    written by its number alone is taken from (``fix_week``).

    Parameters
    ----------
    cells
        Week cells as written.

    Returns
    -------
    list of str
        The distinct ISO weeks (``YYYY-Www``) they name, sorted.
    """
    found = set()
    for text in cells:
        if week_problem(text) is None:
            found.add(text)
        else:
            week = week_spelled(text) or week_of_date(text)
            if week is not None:
                found.add(week)
    return sorted(found)


def fix_week(text: str, known: list[str]) -> tuple[str | None, str]:
    """The ISO week a cell means: a date, or a week number alone (``S03``) in a known year.

    The year of ``S03`` is that of the scenario's weeks written in full or as dates
    (``known``): when they all lie in one ISO year, that year; when they span several, the
    year whose week 3 lies between the first and the last of them. Otherwise (no such week,
    or no year or two years fitting) the week is ambiguous.

    Parameters
    ----------
    text
        The cell as typed.
    known
        Sorted ISO weeks of the scenario (``known_weeks``).

    Returns
    -------
    tuple of (str or None, str)
        The ISO week and the rule used (``"spelled"`` for ``2026-W3``, ``"date"`` or
        ``"year"``; ``""`` for a week written in full), or ``None`` and ``""`` when the text
        is none of these forms, ``"ambiguous"`` when the year cannot be told.
    """
    text = text.strip()
    if week_problem(text) is None:
        return text, ""
    spelled = week_spelled(text)
    if spelled is not None:
        return spelled, "spelled"
    by_date = week_of_date(text)
    if by_date is not None:
        return by_date, "date"
    short = SHORT_WEEK.match(text)
    if short is None or not known:
        return None, "ambiguous" if short else ""
    number = int(short[1])
    years = range(int(known[0][:4]), int(known[-1][:4]) + 1)
    fits = [
        week_label(y, number)
        for y in years
        if 1 <= number <= iso_weeks_in_year(y)
        and (len(years) == 1 or known[0] <= week_label(y, number) <= known[-1])
    ]
    if len(fits) != 1:
        return None, "ambiguous"
    return fits[0], "year"


def is_week_header(text: str) -> bool:
    """Whether a header cell names a week: ``2026-W03``, ``2026-W3``, ``S03`` or a date (a
    demand grid's columns).

    Parameters
    ----------
    text
        The header cell.

    Returns
    -------
    bool
        True when it names a week.
    """
    text = text.strip()
    return bool(
        WEEK_PATTERN.match(text)
        or SPELLED_WEEK.match(text)
        or SHORT_WEEK.match(text)
        or week_of_date(text)
    )


def week_read_as(read: str, week: str, rule: str) -> str:
    """The warning for a week read with a fix.

    Parameters
    ----------
    read
        The cell as written (``S03``, a date).
    week
        The ISO week it was read as (``YYYY-Www``).
    rule
        The rule that read it, as ``fix_week`` returns it (``"date"`` or the year rule).

    Returns
    -------
    str
        The warning, in the active language.
    """
    if rule == "spelled":
        return _("'{read}' read as {week}").format(read=read, week=week)
    if rule == "date":
        return _("'{read}' read as {week} (the ISO week of that date)").format(read=read, week=week)
    return _("'{read}' read as {week} (the year of the scenario's weeks written in full)").format(
        read=read, week=week
    )


def weeks_read_as(pairs: list[tuple[str, str]], rule: str) -> str:
    """The warning for several week headers read with one fix (``week_read_as`` for one).

    Parameters
    ----------
    pairs
        Each header as written and the ISO week it was read as, in column order (2 or more).
    rule
        The rule that read them, as ``fix_week`` returns it (``"date"`` or the year rule).

    Returns
    -------
    str
        The warning, in the active language: the count, the rule, and the headers (the
        first three and the last when there are more than six).
    """
    shown = [_("'{read}' as {week}").format(read=r, week=w) for r, w in pairs]
    if len(shown) > 6:
        shown = [*shown[:3], "…", shown[-1]]
    listed = ", ".join(shown)
    if rule == "spelled":
        text = ngettext(
            "{n} week header read as an ISO week: {listed}",
            "{n} week headers read as ISO weeks: {listed}",
            len(pairs),
        )
    elif rule == "date":
        text = ngettext(
            "{n} week header read as the ISO week of its date: {listed}",
            "{n} week headers read as the ISO weeks of their dates: {listed}",
            len(pairs),
        )
    else:
        text = ngettext(
            "{n} week header read in the year of the scenario's weeks written in full: {listed}",
            "{n} week headers read in the year of the scenario's weeks written in full: {listed}",
            len(pairs),
        )
    return text.format(n=len(pairs), listed=listed)


def ambiguous_week(read: str, known: list[str] | None = None) -> str:
    """The error for a week number whose year cannot be told, or that no year of the
    scenario has (``S54`` in 2026, which has 53 weeks).

    Parameters
    ----------
    read
        The cell as written (``S03``).
    known
        Sorted ISO weeks of the scenario (``known_weeks``), when there are any.

    Returns
    -------
    str
        The error, in the active language.
    """
    short = SHORT_WEEK.match(read.strip())
    if short is not None and known:
        number, first, last = int(short[1]), int(known[0][:4]), int(known[-1][:4])
        if first == last and not 1 <= number <= iso_weeks_in_year(first):
            return _("'{text}': year {year} has weeks 01 to {last}").format(
                text=read, year=first, last=iso_weeks_in_year(first)
            )
    return _(
        "'{read}' is a week number without a year, and the weeks written in full do not "
        "tell which year; write it like 2026-W03"
    ).format(read=read)
