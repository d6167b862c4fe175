"""The *ma cantine* declaration: yearly EGalim figures per canteen, and plan vs actual.

*ma cantine* (https://ma-cantine.agriculture.gouv.fr, betagouv/ma-cantine) is where every
collective restaurant declares its food purchases of a **calendar year**. This module gives a
plan's figures in the shape of that declaration (field names as renamed in 2026, see
``/work/shared/domain/egalim.md``), writes them to CSV and JSON, and compares a plan with what a
canteen really bought. Every figure comes from ``rhd_match.egalim.egalim_accounting``.

Related modules: ``rhd_match.macantine.export`` (the purchase import file "import achats")
and ``rhd_match.macantine.reading`` (reading such a file back). See ``docs/macantine.md``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..egalim import DETAIL_ORDER, FAMILIES, SHARE_FIELDS, VALUE_FIELDS, egalim_accounting
from ..i18n import gettext as _
from ..i18n import quoted
from ..weeks import week_thursday
from ..writing import csv_writer, write_folder_atomically

#: Header of the purchase import file keyed by SIRET (``data/schemas/imports/achats_siret.json``).
HEADER_SIRET: tuple[str, ...] = (
    "siret",
    "description",
    "fournisseur",
    "date",
    "prix_ht",
    "famille_produits",
    "categories_egalim",
    "origine",
    "est_circuit_court",
    "est_local",
    "definition_local",
    "definition_local_km",
)
#: Header of the purchase import file keyed by ma cantine id (``achats_id.json``).
HEADER_ID: tuple[str, ...] = ("cantine_id", *HEADER_SIRET[1:])
#: Header of the old 8-column format keyed by SIRET (``achats_siret_old.json``), which the
#: platform accepts on its old-format import page until the end of the 2027 declaration campaign.
HEADER_SIRET_OLD: tuple[str, ...] = (*HEADER_SIRET[:6], "caracteristiques", "definition_local")
#: Header of the old 8-column format keyed by ma cantine id (``achats_id_old.json``).
HEADER_ID_OLD: tuple[str, ...] = ("cantine_id", *HEADER_SIRET_OLD[1:])
#: Values of ``definition_local`` (``Purchase.Local``).
LOCAL_DEFINITIONS: tuple[str, ...] = ("PAT", "COMMUNE", "DEPARTEMENT", "REGION", "KM")
#: Values of ``origine``.
ORIGINS: tuple[str, ...] = ("FRANCE", "EUROPE")

#: Detailed declaration fields ``valeur_{famille}_{detail}`` (EUR HT), family by family.
DETAIL_FIELDS: tuple[str, ...] = tuple(
    f"valeur_{fam.lower()}_{detail}" for fam in FAMILIES for detail in DETAIL_ORDER
)
#: Percentages as the platform shows them: ``round(100 × part / base, 2)``, with the exact
#: share each one rounds.
PERCENT_FIELDS: dict[str, str] = {
    "pourcentage_bio": "share_organic",
    "pourcentage_egalim": "share_quality",
    "pourcentage_egalim_hors_bio": "share_quality_excluding_organic",
    "pourcentage_viandes_volailles_produits_de_la_mer_egalim": "share_meat_fish",
    "pourcentage_viandes_volailles_egalim": "share_meat",
    "pourcentage_produits_de_la_mer_egalim": "share_fish",
}
_QUALITY_PARTS = ("valeur_siqo", "valeur_egalim_autres", "valeur_externalites_performance")
#: Each percentage's part and base, as sums of declaration amounts.
PERCENT_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pourcentage_bio": (("valeur_bio",), ("valeur_totale",)),
    "pourcentage_egalim": (("valeur_bio", *_QUALITY_PARTS), ("valeur_totale",)),
    "pourcentage_egalim_hors_bio": (_QUALITY_PARTS, ("valeur_totale",)),
    "pourcentage_viandes_volailles_produits_de_la_mer_egalim": (
        ("valeur_viandes_volailles_egalim", "valeur_produits_de_la_mer_egalim"),
        ("valeur_viandes_volailles", "valeur_produits_de_la_mer"),
    ),
    "pourcentage_viandes_volailles_egalim": (
        ("valeur_viandes_volailles_egalim",),
        ("valeur_viandes_volailles",),
    ),
    "pourcentage_produits_de_la_mer_egalim": (
        ("valeur_produits_de_la_mer_egalim",),
        ("valeur_produits_de_la_mer",),
    ),
}
#: Mainland targets the platform checks on the rounded percentages (``EGALIM_OBJECTIVES``,
#: ``macantine/utils.py``): organic, then quality and sustainable, in percent.
TARGETS_PERCENT: tuple[float, float] = (20.0, 50.0)
DECLARATION_NUMBERS: tuple[str, ...] = (
    *VALUE_FIELDS,
    *DETAIL_FIELDS,
    *SHARE_FIELDS,
    "share_quality_excluding_organic",
    *PERCENT_FIELDS,
    "objectifs_egalim_atteints",
)
#: Fields ``compare`` puts side by side.
COMPARED_FIELDS: tuple[str, ...] = (
    "valeur_totale",
    "valeur_bio",
    "valeur_siqo",
    "valeur_egalim_autres",
    "valeur_externalites_performance",
    "valeur_viandes_volailles",
    "valeur_produits_de_la_mer",
    *SHARE_FIELDS,
)


def week_year(weeks: pd.Series) -> pd.Series:
    """Calendar year of each ISO week (``2026-W03``): the year of its Thursday (ISO 8601 rule).

    A week straddling New Year belongs to the year holding most of its days, e.g. 2026-W01
    (Monday 29 Dec 2025) is declared in 2026.

    Parameters
    ----------
    weeks
        ISO weeks, any index.

    Returns
    -------
    pandas.Series
        The year of each week (int64), aligned on ``weeks.index``.
    """
    uniques = pd.unique(weeks.astype(str).to_numpy())
    year = {w: week_thursday(str(w)).year for w in uniques}
    return weeks.astype(str).map(year).astype(np.int64)


def declaration(flows: pd.DataFrame) -> pd.DataFrame:
    """Yearly *ma cantine* declaration figures of a plan, per canteen.

    Parameters
    ----------
    flows
        A plan's ``flows`` table (``docs/model.md``): at least ``canteen_id``, ``week`` (ISO
        week), ``value_eur_ht`` (EUR HT), ``family`` and ``labels``.

    Returns
    -------
    DataFrame
        One row per canteen and calendar year (the year of each ISO week's Thursday), sorted:
        ``canteen_id``, ``year``, the declaration totals of
        ``rhd_match.egalim.VALUE_FIELDS`` and the detailed ``valeur_{famille}_{detail}``
        fields (EUR HT, exact), the shares of ``rhd_match.egalim.SHARE_FIELDS`` and
        ``share_quality_excluding_organic`` (exact fractions of value, NaN where the base is
        0) and the ``PERCENT_FIELDS`` (percent, rounded to 2 decimals as the platform
        does).
    """
    lines = flows[["canteen_id", "value_eur_ht", "family", "labels"]].assign(
        year=week_year(flows["week"]).to_numpy()
    )
    return figures_by(lines, ["canteen_id", "year"])


def figures_by(lines: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Declaration figures of purchase lines grouped by ``keys`` (see ``declaration``).

    Parameters
    ----------
    lines
        One row per purchase line: ``value_eur_ht`` (EUR HT), ``family``, ``labels`` and the
        ``keys`` columns.
    keys
        The columns to group by (e.g. ``canteen_id`` and ``year``).

    Returns
    -------
    pandas.DataFrame
        One row per value of ``keys``, sorted: the ``keys`` then ``DECLARATION_NUMBERS``
        (values in EUR HT, shares as fractions, percentages rounded as the platform does,
        ``objectifs_egalim_atteints``).
    """
    lines = lines.assign(labels=lines["labels"].fillna("").astype(str))
    totals = egalim_accounting(lines, by=list(keys)).reset_index()
    egalim_hors_bio = (
        totals["valeur_siqo"]
        + totals["valeur_egalim_autres"]
        + totals["valeur_externalites_performance"]
    )
    base = totals["valeur_totale"].astype(float)
    totals["share_quality_excluding_organic"] = (egalim_hors_bio / base.where(base > 0)).clip(
        0.0, 1.0
    )
    for pct, (part, whole) in PERCENT_PARTS.items():
        totals[pct] = percent(totals[list(part)].sum(axis=1), totals[list(whole)].sum(axis=1))
    organic, quality = TARGETS_PERCENT
    totals["objectifs_egalim_atteints"] = (totals["pourcentage_bio"] >= organic) & (
        totals["pourcentage_egalim"] >= quality
    )
    return totals[[*keys, *DECLARATION_NUMBERS]].reset_index(drop=True)


def percent(part: pd.Series, base: pd.Series) -> pd.Series:
    """``round(100 × part / base, 2)`` as the platform computes it (NaN where ``base`` is 0).

    Amounts are taken to the cent (the platform stores each purchase to the cent), divided
    in exact decimal arithmetic, then rounded to 2 decimals half to even, as Python's
    ``round`` does on a ``Decimal`` (``Diagnostic.compute_pourcentage_*``): 119.97 EUR of
    600.00 EUR gives 20.00, not the 19.99 of binary floating point.

    Parameters
    ----------
    part
        Amounts, EUR HT.
    base
        Their bases, EUR HT, aligned on ``part``.

    Returns
    -------
    pandas.Series
        Percentages (0–100, 2 decimals), on ``part.index``.

    References
    ----------
    betagouv/ma-cantine, ``Diagnostic.compute_pourcentage_*`` (``docs/macantine.md``).
    """
    part_cents = np.rint(part.astype(float).to_numpy() * 100.0)
    base_cents = np.rint(base.astype(float).to_numpy() * 100.0)
    values = [
        float(round(Decimal(int(100 * p)) / Decimal(int(b)), 2)) if b > 0 else math.nan
        for p, b in zip(part_cents, base_cents, strict=True)
    ]
    return pd.Series(values, index=part.index, dtype=float)


def compare(
    plan_declaration: pd.DataFrame,
    actual_declaration: pd.DataFrame,
    *,
    sirets: Mapping[str, str] | None = None,
    plan_year: int | None = None,
    actual_year: int | None = None,
) -> pd.DataFrame:
    """Side by side per canteen: what the canteen bought (*before*) and the plan (*after*).

    Parameters
    ----------
    plan_declaration
        ``declaration`` of a plan (keyed by ``canteen_id`` and ``year``).
    actual_declaration
        ``rhd_match.macantine.reading.purchase_figures`` of real purchases, keyed by
        ``canteen_id`` or by ``siret`` (then ``sirets`` maps canteen_id → SIRET).
    sirets
        canteen_id → SIRET, needed when ``actual_declaration`` is keyed by ``siret``.
    plan_year, actual_year
        The year taken from each side; by default each canteen's latest year on that side.

    Returns
    -------
    DataFrame
        One row per canteen found on either side (outer join, sorted): ``canteen_id``,
        ``year_before``, ``year_after``, then for each of ``COMPARED_FIELDS``
        ``{field}_before`` and ``{field}_after`` (EUR HT or fraction), and for the shares
        ``{share}_change`` (after − before, fraction; ×100 for percentage points).

    Raises
    ------
    ValueError
        When the actual figures are keyed by ``siret`` without ``sirets``, or hold a SIRET
        the mapping lacks (every such SIRET named).
    """
    actual = actual_declaration
    if "canteen_id" not in actual.columns:
        if "siret" not in actual.columns or sirets is None:
            raise ValueError(_("actual figures keyed by siret need `sirets` (canteen_id → SIRET)"))
        to_canteen = {str(s): c for c, s in sirets.items()}
        actual = actual.assign(canteen_id=actual["siret"].astype(str).map(to_canteen))
        unknown = actual["canteen_id"].isna()
        if unknown.any():
            missing = ", ".join(sorted(actual.loc[unknown, "siret"].astype(str).unique()))
            raise ValueError(_("SIRET not in the mapping: {sirets}").format(sirets=missing))
    before = _one_year(actual, actual_year)
    after = _one_year(plan_declaration, plan_year)
    cols = ["canteen_id", "year", *COMPARED_FIELDS]
    side = before[cols].merge(
        after[cols], on="canteen_id", how="outer", suffixes=("_before", "_after"), sort=True
    )
    out = side[["canteen_id", "year_before", "year_after"]].copy()
    for field in COMPARED_FIELDS:
        out[f"{field}_before"] = side[f"{field}_before"]
        out[f"{field}_after"] = side[f"{field}_after"]
        if field in SHARE_FIELDS:
            out[f"{field}_change"] = side[f"{field}_after"] - side[f"{field}_before"]
    for col in ("year_before", "year_after"):
        out[col] = out[col].astype("Int64")
    return out.reset_index(drop=True)


def _one_year(figures: pd.DataFrame, year: int | None) -> pd.DataFrame:
    frame = figures.assign(canteen_id=figures["canteen_id"].astype(str))
    if year is not None:
        return frame[frame["year"] == year]
    latest = frame.groupby("canteen_id")["year"].transform("max")
    return frame[frame["year"] == latest]


def visible(text: str) -> str:
    """``text`` quoted as the active language quotes a value, with every character other than
    printable ASCII shown as ``<U+XXXX>``.

    A non-breaking space (``<U+00A0>``) then never passes for an ordinary one in a message.

    Parameters
    ----------
    text
        The text to show.

    Returns
    -------
    str
        ``text`` escaped, between « » in French (``« 12<U+00A0>3 »``), single quotes in
        English (``'12<U+00A0>3'``): ``docs/i18n.md``, *House forms*.
    """
    shown = "".join(c if " " <= c <= "~" or c.isalnum() else f"<U+{ord(c):04X}>" for c in text)
    return quoted(shown)


def siret_problem(siret: str) -> str | None:
    """Why ``siret`` is not a valid SIRET (14 digits, Luhn checksum); ``None`` when it is.

    Parameters
    ----------
    siret
        The identifier as written.

    Returns
    -------
    str or None
        The reason, with the text shown by ``visible``; ``None`` for a valid SIRET.
    """
    if not (len(siret) == 14 and siret.isascii() and siret.isdigit()):
        return _("{siret} is not a SIRET: 14 digits expected").format(siret=visible(siret))
    total = 0
    for i, char in enumerate(reversed(siret)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    if total % 10:
        return _("{siret} is not a valid SIRET (Luhn checksum fails)").format(siret=visible(siret))
    return None


#: The largest id of a ``BigAutoField`` (Django's 64-bit signed primary key).
LARGEST_ID = 2**63 - 1


def canteen_number(text: str) -> int | None:
    """The canteen the platform's import looks up for a ``cantine_id``, or ``None``.

    The import finds the canteen by its primary key, an integer, which Django reads with
    Python's ``int`` (``api/views/purchase_import_base.py``, ``Canteen.objects.filter(id=…)``):
    ``001`` is canteen 1, ``1.0`` is refused. Ids start at 1 and are 64-bit
    (``DEFAULT_AUTO_FIELD`` is ``BigAutoField``, ``macantine/settings.py``): a larger number
    is no canteen's, like a float whose digits a spreadsheet lost (``1e25``).

    Parameters
    ----------
    text
        The id, spaces and non-breaking spaces already removed (``normalize_string``).

    Returns
    -------
    int or None
        The canteen's id; ``None`` when no canteen can have this id.
    """
    try:
        number = int(text)
    except ValueError:
        return None
    return number if 1 <= number <= LARGEST_ID else None


# -- writers ----------------------------------------------------------------------------------


def declaration_writers(
    figures: pd.DataFrame, stem: str = "declaration"
) -> dict[str, Callable[[Path], None]]:
    """Writers of ``{stem}.csv`` and ``{stem}.json`` for ``declaration`` figures.

    Both files are deterministic UTF-8; amounts are rounded to the cent (EUR HT, as declared),
    shares are exact fractions, percentages have 2 decimals. The JSON holds one object per
    canteen keyed by ``canteen_id`` (or ``siret``), each holding one object per year keyed by
    the year: ``{"LENS_1": {"2026": {"valeur_totale": 1234.56, ...}}}``; NaN becomes ``null``.

    Parameters
    ----------
    figures
        ``declaration`` or ``purchase_figures`` figures: one row per ``canteen_id`` (or
        ``siret``) × ``year``.
    stem
        The files' name without extension.

    Returns
    -------
    dict of str to Callable[[Path], None]
        File name → writer, for ``write_folder_atomically``.
    """
    rounded = _rounded(figures)
    key = "canteen_id" if "canteen_id" in rounded.columns else "siret"
    payload: dict[str, dict[str, dict[str, Any]]] = {}
    numbers = [c for c in rounded.columns if c not in (key, "year")]
    for record in rounded.sort_values([key, "year"]).to_dict(orient="records"):
        fields = {c: _json_number(record[c]) for c in numbers}
        payload.setdefault(str(record[key]), {})[str(int(record["year"]))] = fields
    text = json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    def write_json(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return {f"{stem}.csv": csv_writer(rounded), f"{stem}.json": write_json}


def write_declaration(figures: pd.DataFrame, folder: str | Path) -> list[Path]:
    """Write ``declaration.csv`` and ``declaration.json`` into ``folder``; all or nothing.

    Parameters
    ----------
    figures
        ``declaration`` figures (see ``declaration_writers``).
    folder
        The folder to write into (created if needed); other files in it are left alone.

    Returns
    -------
    list of Path
        The two files written.
    """
    return write_folder_atomically(Path(folder), declaration_writers(figures))


def _rounded(figures: pd.DataFrame) -> pd.DataFrame:
    out = figures.copy()
    for col in out.columns:
        if col.startswith("valeur_"):
            out[col] = np.round(out[col].astype(float), 2)
    return out


def _json_number(value: Any) -> float | int | bool | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    number = float(value)
    return None if math.isnan(number) else number
