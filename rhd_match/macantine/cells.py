"""The rule for each cell of a *ma cantine* purchase file: what the platform does with it
(accepts, refuses at its schema check or at its row import, with its own wording) and
what a person meant. ``reading`` walks these rules both ways.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, Decimal, InvalidOperation
from typing import Any, cast

import pandas as pd

from ..egalim import FAMILIES, LABELS, LEGACY_LABELS, format_labels, unknown_label_message
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from .declaration import (
    LOCAL_DEFINITIONS,
    ORIGINS,
    canteen_number,
    siret_problem,
    visible,
)

#: Exact cell values of the platform's oui/non columns (schema ``trueValues``/``falseValues``).
TRUE_VALUES = ("OUI", "oui", "x")
FALSE_VALUES = ("non", "NON", "")
#: Label × family combinations the platform marks "not applicable" (warned, not rejected).
NOT_APPLICABLE: dict[str, tuple[str, ...]] = {
    "LABEL_ROUGE": ("BOISSONS",),
    "PECHE_DURABLE": tuple(f for f in FAMILIES if f != "PRODUITS_DE_LA_MER"),
    "FERMIER": tuple(
        f for f in FAMILIES if f not in ("VIANDES_VOLAILLES", "CHARCUTERIE", "PRODUITS_LAITIERS")
    ),
}
#: Information codes of the old format's ``caracteristiques`` column.
OLD_INFO = ("EUROPE", "FRANCE", "CIRCUIT_COURT", "LOCAL")
#: Old ``definition_local`` values and what the platform turns them into (``definition_local``,
#: ``definition_local_km``), ``api/views/purchase_import_old.py``.
OLD_LOCAL: dict[str, tuple[str, int | None]] = {
    "AUTOUR_SERVICE": ("KM", 200),
    "AUTRE": ("KM", None),
    **{d: (d, None) for d in ("PAT", "COMMUNE", "DEPARTEMENT", "REGION")},
}
# The platform's own wording, where its tests show it (api/tests/test_purchases_import*.py).
REQUIRED = N_("required value is empty (« La valeur est obligatoire et doit être renseignée »)")
BAD_DATE = N_("not a date YYYY-MM-DD (« La date doit être écrite sous la forme `aaaa-mm-jj` »)")
BAD_NUMBER = N_(
    "not a number (« La valeur ne doit comporter que des chiffres et le point comme "
    "séparateur décimal »)"
)
BAD_WIDTH = "« La ligne n'a pas le même nombre de cellules que l'en-tête »"
BLANK_ROW = N_("empty row: delete it (« ligne vide »)")
SPACES_LINE = N_(
    "a row holding only spaces or a tab: delete it (the platform reads its spaces as a cell, "
    "not as an empty row, and says the cells it lacks, required values included, are missing)"
)
SCHEMA, IMPORT, HEADER = "schema", "import", "header"


@dataclass(frozen=True)
class Cell:
    """What one cell means, and what the platform says about it.

    ``value`` is what a person meant (``None`` when it cannot be read: ``error`` says why);
    ``refusal`` is the platform's message when it refuses the cell, at ``stage``.
    """

    value: object
    error: str | None = None
    refusal: str | None = None
    stage: str = SCHEMA


# -- cells ------------------------------------------------------------------------------------


def _by_unique(values: pd.Series, rule: Callable[[str], Cell]) -> list[Cell]:
    table = {v: rule(v) for v in pd.unique(values.to_numpy())}
    return [table[v] for v in values]


def cell_rules(raw: pd.DataFrame, *, old: bool, today: dt.date) -> dict[str, list[Cell]]:
    """Every cell read both ways (see ``Cell``), column by column.

    Parameters
    ----------
    raw
        The purchase file's cells as text, one row per purchase, its columns as the platform
        names them.
    old
        The file is in the platform's older format (``caracteristiques`` column).
    today
        The day the file would be imported (later dates are refused).

    Returns
    -------
    dict
        Per column, one ``Cell`` per row.
    """
    key = raw.columns[0]
    cells: dict[str, list[Cell]] = {
        key: _by_unique(raw[key], _siret if key == "siret" else _cantine_id),
        "description": _by_unique(raw["description"], _description),
        "fournisseur": [Cell(v.strip()) for v in raw["fournisseur"]],
        "date": _by_unique(raw["date"], _date),
        "prix_ht": _by_unique(raw["prix_ht"], _price),
        "famille_produits": _by_unique(raw["famille_produits"], _family),
    }
    if old:
        cells["caracteristiques"] = _by_unique(raw["caracteristiques"], _old_characteristics)
        cells["definition_local"] = _by_unique(raw["definition_local"], _old_local)
    else:
        cells["categories_egalim"] = _by_unique(raw["categories_egalim"], _labels)
        cells["origine"] = _by_unique(raw["origine"], _origin)
        cells["est_circuit_court"] = _by_unique(raw["est_circuit_court"], _flag)
        cells["est_local"] = _by_unique(raw["est_local"], _flag)
        cells["definition_local"] = _by_unique(raw["definition_local"], _local_definition)
        cells["definition_local_km"] = _by_unique(raw["definition_local_km"], _km)
    _local_rules(cells, old)
    return cells


def _platform_spaces(text: str) -> str:
    """What the platform strips from an identifier (``normalize_string``): spaces and NBSP."""
    return text.replace(" ", "").replace("\xa0", "")


def _siret(text: str) -> Cell:
    """A SIRET cell: what it means (spaces of any kind removed) and what the platform says
    (it removes ordinary and no-break spaces only).

    Parameters
    ----------
    text
        The cell as written.

    Returns
    -------
    Cell
        The SIRET meant, or the reason there is none, and the platform's refusal if any.
    """
    meant = re.sub(r"\s+", "", text)
    why = siret_problem(meant) if meant else _(REQUIRED)
    if text == "":
        return Cell(None, _(REQUIRED), _(REQUIRED))
    platform = _platform_spaces(text)
    refused = siret_problem(platform)
    if refused:
        refused = _("{text}: no canteen can have this SIRET ({why})").format(
            text=visible(text), why=refused
        )
    return Cell(meant if why is None else None, why, refused, IMPORT)


def _cantine_id(text: str) -> Cell:
    """A ``cantine_id`` cell, read as the platform's Django ``int()`` reads it (``001`` is
    canteen 1); a whole number it refuses as written (``1.0``) is still the canteen meant.

    Parameters
    ----------
    text
        The cell as written.

    Returns
    -------
    Cell
        The canteen number as text, and the platform's refusal if any.
    """
    meant = re.sub(r"\s+", "", text)
    if text == "":
        return Cell(None, _(REQUIRED), _(REQUIRED))
    written = _decimal(text)
    if written is None:
        msg = _("{text} is {problem}: cantine_id holds the platform's numeric canteen id")
        return Cell(meant, None, msg.format(text=visible(text), problem=_(BAD_NUMBER)))
    number = canteen_number(_platform_spaces(text))
    if number is None:
        if written >= 1 and written == written.to_integral_value():
            meant = str(int(written))  # 1.0 meant canteen 1; the platform's int() refuses it
        msg = _("{text}: a canteen id is a whole number").format(text=visible(text))
        return Cell(meant, None, msg, IMPORT)
    return Cell(str(number))  # 001 is canteen 1, as on the platform


def _description(text: str) -> Cell:
    # The platform's schema wants a value, then strips it: spaces pass, stored empty.
    return Cell(text.strip(), None, _(REQUIRED) if text == "" else None)


def _date(text: str) -> Cell:
    if text == "":
        return Cell(None, _(REQUIRED), _(REQUIRED))
    try:
        # The schema's format %Y-%m-%d, read by strptime: 2025-5-2 is 2025-05-02.
        exact = dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        exact = None
    if exact is not None:
        return Cell(exact)
    try:
        meant = dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        msg = _is(text, BAD_DATE)
        return Cell(None, msg, msg)
    return Cell(meant, None, _is(text, BAD_DATE))


def _decimal(text: str) -> Decimal | None:
    """The number the platform reads (Python ``Decimal``: ``1e3``, surrounding spaces)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _price(text: str) -> Cell:
    if text == "":
        return Cell(None, _(REQUIRED), _(REQUIRED))
    number = _decimal(text)
    refusal = None if number is not None else _is(text, BAD_NUMBER)
    if number is None and text.count(",") == 1:
        number = _decimal(text.replace(",", "."))  # a decimal comma: meant as a dot
    if number is None:
        return Cell(None, _is(text, N_("not a number")), refusal)
    cents = number.quantize(Decimal(".01"), rounding=ROUND_HALF_DOWN)
    if cents < 0:
        msg = _("{text}: a price cannot be negative").format(text=visible(text))
        return Cell(None, msg, refusal or msg, SCHEMA if refusal else IMPORT)
    return Cell(int(cents * 100), None, refusal)


def _family(text: str) -> Cell:
    if text == "":
        return Cell(None, _(REQUIRED), _(REQUIRED))
    meant = text.strip().upper()
    refusal = None if re.fullmatch(" *(" + "|".join(FAMILIES) + ") *", text) else _motif(text)
    if meant not in FAMILIES:
        msg = _("unknown family {text} (known: {families})")
        return Cell(None, msg.format(text=visible(text), families=",".join(FAMILIES)), refusal)
    return Cell(meant, None, refusal)


def _is(text: str, problem: str) -> str:
    """``'TEXT' is PROBLEM``, the problem (marked with ``N_``) in the active language."""
    return _("{text} is {problem}").format(text=visible(text), problem=_(problem))


def _motif(text: str) -> str:
    return f"« {text} ne respecte pas le motif imposé »"


def _codes(text: str) -> list[str]:
    return [t.strip().upper() for t in re.split(r"[,;]", text) if t.strip()]


def _meant_labels(codes: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Labels cell meant by ``codes``, the error if any, and notes on codes read differently:
    a legacy code as the label the platform's purchase summaries count it as."""
    notes: list[str] = []
    labels: list[str] = []
    bad: list[str] = []
    for code in codes:
        if code in LEGACY_LABELS:
            labels.append(LEGACY_LABELS[code].read_as)
            notes.append(_(LEGACY_LABELS[code].note))
        elif code in LABELS:
            labels.append(code)
        else:
            bad.append(unknown_label_message(code))
    if bad:
        return None, "; ".join(dict.fromkeys(bad)), notes
    return format_labels(labels), None, notes


def _labels(text: str) -> Cell:
    if text == "":
        return Cell("")
    meant, error, notes = _meant_labels(_codes(text))
    one = "(" + "|".join(LABELS) + ")"
    if not re.fullmatch(f" *{one}( *, *{one})* *", text):
        refusal: str | None = _motif(text)
        stage: str = SCHEMA
    else:
        # The schema allows spaces around commas; the import then splits on ',' without
        # trimming, and ' COMMERCE_EQUITABLE' is no label of the platform.
        spaced = [t for t in text.strip().split(",") if t not in LABELS]
        refusal = (
            None
            if not spaced
            else _(
                "{codes}: the platform splits labels on ',' without trimming spaces: write "
                "them with no space (BIO,COMMERCE_EQUITABLE)"
            ).format(codes=", ".join(visible(t) for t in spaced))
        )
        stage = IMPORT
    if refusal and notes:
        refusal += "; " + "; ".join(notes)
    return Cell(meant, error, refusal, stage)


def _origin(text: str) -> Cell:
    meant = text.strip().upper()
    refusal = None if text == "" or re.fullmatch(" *(EUROPE|FRANCE) *", text) else _motif(text)
    if meant not in ("", *ORIGINS):
        return Cell(None, _is(text, N_("not FRANCE, EUROPE or empty")), refusal)
    return Cell(meant, None, refusal)


def _flag(text: str) -> Cell:
    meant = text.strip().lower()
    refusal = None
    if text not in TRUE_VALUES + FALSE_VALUES:
        refusal = _("{text}: exactly OUI, oui or x for yes; non, NON or empty for no").format(
            text=visible(text)
        )
    if meant in ("oui", "x"):
        return Cell(True, None, refusal)
    if meant in ("non", ""):
        return Cell(False, None, refusal)
    return Cell(None, _is(text, N_("not oui/non (OUI, oui or x; non, NON or empty)")), refusal)


def _local_definition(text: str) -> Cell:
    meant = text.strip().upper()
    choices = "|".join(LOCAL_DEFINITIONS)
    refusal = None if text == "" or re.fullmatch(f" *({choices}) *", text) else _motif(text)
    if meant not in ("", *LOCAL_DEFINITIONS):
        msg = _("{text} is not one of {choices}")
        return Cell(
            None, msg.format(text=visible(text), choices=", ".join(LOCAL_DEFINITIONS)), refusal
        )
    return Cell(meant, None, refusal)


def _km(text: str) -> Cell:
    if text == "":
        return Cell(None)
    meant = text.strip()
    if _decimal(text) is None:
        refusal: str | None = _is(text, BAD_NUMBER)
        stage: str = SCHEMA
    else:
        refusal = (
            None
            if re.fullmatch(r"\d+", meant)
            else _("{text}: whole km").format(text=visible(text))
        )
        stage = IMPORT
    if not re.fullmatch(r"\d+", meant):
        return Cell(None, _is(text, N_("not whole km")), refusal, stage)
    return Cell(int(meant), None, refusal, stage)


def _old_characteristics(text: str) -> Cell:
    """Old ``caracteristiques``: labels and information codes; the platform trims each."""
    if text == "":
        return Cell(("", set()))
    codes = _codes(text)
    info = {c for c in codes if c in OLD_INFO}
    meant, error, notes = _meant_labels([c for c in codes if c not in OLD_INFO])
    one = "(" + "|".join((*LABELS, *OLD_INFO)) + ")"
    refusal = None if re.fullmatch(f" *{one}( *, *{one})* *", text) else _motif(text)
    if refusal and notes:
        refusal += "; " + "; ".join(notes)
    return Cell(None if error else (meant, info), error, refusal)


def _old_local(text: str) -> Cell:
    meant = text.strip().upper()
    choices = "|".join(OLD_LOCAL)
    refusal = None if text == "" or re.fullmatch(f" *({choices}) *", text) else _motif(text)
    if meant == "":
        return Cell(("", None), None, refusal)
    if meant not in OLD_LOCAL:
        msg = _("{text} is not one of {choices}")
        return Cell(None, msg.format(text=visible(text), choices=", ".join(OLD_LOCAL)), refusal)
    return Cell(OLD_LOCAL[meant], None, refusal)


def _local_rules(cells: dict[str, list[Cell]], old: bool) -> None:
    """Rules across cells (``data/validators/purchase.py``): a local definition only for local
    lines, a distance only for ``KM``; never both EUROPE and FRANCE. Rewrites ``cells`` so that
    every line has ``origine``, ``est_circuit_court``, ``est_local``, ``definition_local`` and
    ``definition_local_km``, with the platform's refusals added where the rules fail."""
    if old:
        chars, local_def = cells["caracteristiques"], cells["definition_local"]
        info = [_part(c, 1) or set() for c in chars]
        cells["categories_egalim"] = [Cell(_part(c, 0)) for c in chars]
        both = _("both EUROPE and FRANCE: {said}").format(
            said="« Les caractéristiques EUROPE et FRANCE ne peuvent pas être sélectionnées en "
            "même temps. »"
        )
        for i, codes in enumerate(info):
            if {"EUROPE", "FRANCE"} <= codes and chars[i].refusal is None:
                chars[i] = Cell(chars[i].value, both, both, IMPORT)
        cells["origine"] = [Cell(next((o for o in ORIGINS if o in i), "")) for i in info]
        cells["est_circuit_court"] = [Cell("CIRCUIT_COURT" in i) for i in info]
        cells["est_local"] = [Cell("LOCAL" in i) for i in info]
        cells["definition_local"] = [
            Cell(_part(d, 0), d.error, d.refusal, d.stage) for d in local_def
        ]
        cells["definition_local_km"] = [Cell(_part(d, 1)) for d in local_def]
    local = [c.value is True for c in cells["est_local"]]
    not_local = "« La caractéristique LOCAL n'est pas sélectionnée : le champ doit être vide. »"
    not_km = "« La distance en km doit être vide lorsque la définition locale n'est pas 'KM'. »"
    for i, is_local in enumerate(local):
        definition, km = cells["definition_local"][i], cells["definition_local_km"][i]
        if definition.refusal is None and definition.value and not is_local:
            msg = _("a local definition on a line that is not local: {said}").format(said=not_local)
            cells["definition_local"][i] = Cell(definition.value, None, msg, IMPORT)
        if km.refusal is None and km.value is not None:
            if not is_local:
                msg = _("a distance on a line that is not local: {said}").format(said=not_local)
                cells["definition_local_km"][i] = Cell(km.value, None, msg, IMPORT)
            elif definition.value != "KM":
                cells["definition_local_km"][i] = Cell(km.value, None, not_km, IMPORT)


def _part(cell: Cell, i: int) -> Any:
    """Part ``i`` of a cell whose value is a tuple (old-format cells), or ``None``."""
    return None if cell.value is None else cast(tuple[Any, ...], cell.value)[i]


def is_late(value: object, today: dt.date) -> bool:
    """Whether a date cell's value is after ``today`` (the platform refuses it).

    Parameters
    ----------
    value
        The cell's value as read (a date, or whatever could not be read as one).
    today
        The day the file would be imported.

    Returns
    -------
    bool
        ``value`` is a date after ``today``.
    """
    return isinstance(value, dt.date) and value > today


def future_text(today: dt.date) -> str:
    """The error of a purchase dated after ``today``.

    Parameters
    ----------
    today
        The day the file would be imported.

    Returns
    -------
    str
        The message.
    """
    return _("after {day}: ma cantine rejects future dates").format(day=today.isoformat())
