"""EGalim accounting, counted the way the *ma cantine* platform counts it.

This module is the single place where purchase lines become EGalim figures: the optimiser takes
its coefficients from ``line_classes``, and every report and the *ma cantine* export call
``egalim_accounting`` (the independent checker, ``rhd_match.check``, restates the shares'
rules on its own on purpose).

Rules (sources in ``docs/egalim.md``):

* the base is the value excluding VAT (EUR HT) of all food purchases;
* a line with several labels counts **once**, in the first group it belongs to, in the order
  bio → siqo → egalim_autres → externalites_performance
  (betagouv/ma-cantine ``data/models/purchase.py``, ``PurchaseQuerySet.aggregated_stats``);
* the detailed split walks the labels in the order of ``DETAIL_ORDER``
  (``Purchase._complete_diag_data_appro_labels``);
* fair trade is also reported as sub-amounts: *bio dont commerce équitable* (organic lines also
  labelled COMMERCE_EQUITABLE) and *egalim autres dont commerce équitable*, which the platform's
  complete declaration takes from the detailed split (``Diagnostic.
  populate_simplified_diagnostic_values``): only lines whose detail is ``commerce_equitable``,
  so an HVE, PECHE_DURABLE or RUP line also labelled COMMERCE_EQUITABLE counts 0 there;
* a label code outside ``LABELS`` is an error, never ignored: the legacy codes
  ``LEGACY_LABELS`` included (the platform's import refuses them too; only the reading of a
  purchase file, ``rhd_match.macantine.cells``, reads them as the label the platform's
  purchase summaries count them as, with a note);
* meat and fish: lines of families VIANDES_VOLAILLES and PRODUITS_DE_LA_MER carrying any EGalim
  label, over all lines of those two families (CHARCUTERIE is never in that base).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from .i18n import gettext as _
from .i18n import gettext_noop as N_
from .i18n import quoted

FAMILIES: tuple[str, ...] = (
    "VIANDES_VOLAILLES",
    "CHARCUTERIE",
    "PRODUITS_DE_LA_MER",
    "FRUITS_ET_LEGUMES",
    "PRODUITS_LAITIERS",
    "BOULANGERIE",
    "BOISSONS",
    "AUTRES",
)
MEAT_FAMILY = "VIANDES_VOLAILLES"
FISH_FAMILY = "PRODUITS_DE_LA_MER"

#: The national estimate of EGalim's extra food cost per meal, low and high, EUR HT (CGAAER,
#: ``docs/egalim.md``).
CGAAER_EXTRA_PER_MEAL = (0.14, 0.42)

#: EGalim characteristics as *ma cantine* codes them, in the platform's counting order.
LABELS: tuple[str, ...] = (
    "BIO",
    "LABEL_ROUGE",
    "AOCAOP",
    "IGP",
    "STG",
    "HVE",
    "PECHE_DURABLE",
    "RUP",
    "COMMERCE_EQUITABLE",
    "FERMIER",
    "EXTERNALITES",
    "PERFORMANCE",
)


@dataclass(frozen=True)
class LegacyLabel:
    """A code *ma cantine* no longer accepts, and what it still counts as.

    Attributes
    ----------
    read_as : str
        The label of ``LABELS`` the platform's purchase summaries count it as (the group of
        ``Purchase.CHARACTERISTIC_LABELS_*`` holding it); a purchase file is read with it.
    advice : str
        What to write instead (marked with ``N_``, translated where shown).
    note : str
        What reading a purchase file says of it (marked with ``N_``).
    """

    read_as: str
    advice: str
    note: str


#: Codes *ma cantine* no longer accepts (``Purchase.Characteristic``, "not used anymore";
#: ``data/models/purchase.py``): its imports refuse them, its purchase summaries still count
#: CONVERSION_BIO as organic and EQUIVALENTS with externalities and performance. Its complete
#: declaration's detailed split has no field for EQUIVALENTS: read as EXTERNALITES, the first
#: label of its group, it lands in the ``externalites`` detail (``docs/macantine.md``).
LEGACY_LABELS: dict[str, LegacyLabel] = {
    "CONVERSION_BIO": LegacyLabel(
        "BIO",
        N_("write BIO: organic in conversion counts as organic"),
        N_("CONVERSION_BIO read as BIO (organic in conversion counts as organic)"),
    ),
    "EQUIVALENTS": LegacyLabel(
        "EXTERNALITES",
        N_(
            "no longer declared; write EXTERNALITES or PERFORMANCE if the product was bought "
            "on that criterion"
        ),
        N_(
            "EQUIVALENTS read as EXTERNALITES (ma cantine counts it with externalities and "
            "performance; write EXTERNALITES or PERFORMANCE)"
        ),
    ),
}

#: Quality groups in counting order; a line counts in the first group holding one of its labels.
GROUPS: dict[str, tuple[str, ...]] = {
    "bio": ("BIO",),
    "siqo": ("LABEL_ROUGE", "AOCAOP", "IGP", "STG"),
    "egalim_autres": ("HVE", "PECHE_DURABLE", "RUP", "FERMIER", "COMMERCE_EQUITABLE"),
    "externalites_performance": ("EXTERNALITES", "PERFORMANCE"),
}

#: Detailed declaration split (``valeur_{famille}_{detail}``), walked in this order.
DETAIL_ORDER: dict[str, tuple[str, ...]] = {
    "bio": ("BIO",),
    "label_rouge": ("LABEL_ROUGE",),
    "aocaop_igp_stg": ("AOCAOP", "IGP", "STG"),
    "hve": ("HVE",),
    "peche_durable": ("PECHE_DURABLE",),
    "rup": ("RUP",),
    "commerce_equitable": ("COMMERCE_EQUITABLE",),
    "fermier": ("FERMIER",),
    "externalites": ("EXTERNALITES",),
    "performance": ("PERFORMANCE",),
}

#: Declaration totals produced by ``egalim_accounting``, in EUR HT.
VALUE_FIELDS: tuple[str, ...] = (
    "valeur_totale",
    "valeur_bio",
    "valeur_bio_dont_commerce_equitable",
    "valeur_siqo",
    "valeur_externalites_performance",
    "valeur_egalim_autres",
    "valeur_egalim_autres_dont_commerce_equitable",
    "valeur_viandes_volailles",
    "valeur_viandes_volailles_egalim",
    "valeur_produits_de_la_mer",
    "valeur_produits_de_la_mer_egalim",
)
SHARE_FIELDS: tuple[str, ...] = (
    "share_organic",
    "share_quality",
    "share_meat_fish",
    "share_meat",
    "share_fish",
)


def parse_labels(text: object) -> tuple[str, ...]:
    """Split a labels cell (``"BIO,IGP"``, blanks and case tolerated) into label codes.

    Unknown codes are kept as written (upper-cased) so that validation can name them.

    Parameters
    ----------
    text
        A labels cell: codes separated by commas or semicolons; ``None``, NaN or ``pd.NA``
        for none.

    Returns
    -------
    tuple of str
        The codes, upper-cased, in the order written, each once.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ()
    parts = (p.strip().upper() for p in str(text).replace(";", ",").split(","))
    seen: dict[str, None] = {}
    for p in parts:
        if p:
            seen[p] = None
    return tuple(seen)


def format_labels(labels: Iterable[str]) -> str:
    """Canonical labels cell: known codes in platform order, comma-separated, no spaces.

    Parameters
    ----------
    labels
        Label codes, in any order, repeats allowed.

    Returns
    -------
    str
        Known codes in the order of ``LABELS``, then unknown ones sorted, joined by commas.
    """
    chosen = set(labels)
    known = [lab for lab in LABELS if lab in chosen]
    unknown = sorted(chosen.difference(LABELS))
    return ",".join(known + unknown)


def unknown_label_message(code: str) -> str:
    """Why ``code`` is not a label code, with what to write instead when it is a legacy one.

    Parameters
    ----------
    code
        An upper-cased code outside ``LABELS``.

    Returns
    -------
    str
        The message, in the active language, for a ``Problem`` or an error.
    """
    if code in LEGACY_LABELS:
        return _("'{code}' is a legacy ma cantine code: {advice}").format(
            code=code, advice=_(LEGACY_LABELS[code].advice)
        )
    return _("unknown label '{code}' (known: {labels})").format(code=code, labels=",".join(LABELS))


@cache
def _classify(labels_cell: str) -> tuple[str, str, bool]:
    labels = set(parse_labels(labels_cell))
    unknown = sorted(labels.difference(LABELS))
    if unknown:
        raise ValueError("; ".join(unknown_label_message(code) for code in unknown))
    group = next((g for g, members in GROUPS.items() if labels.intersection(members)), "")
    detail = next((d for d, members in DETAIL_ORDER.items() if labels.intersection(members)), "")
    return group, detail, "COMMERCE_EQUITABLE" in labels


def line_classes(labels: pd.Series) -> pd.DataFrame:
    """Classify purchase lines by their labels cell.

    A line counts once, in the first group it belongs to, in the order bio → siqo →
    egalim_autres → externalites_performance (``docs/egalim.md``).

    Parameters
    ----------
    labels
        One labels cell per purchase line (``"BIO,IGP"``; blank for none), any index.

    Returns
    -------
    pandas.DataFrame
        Aligned on ``labels.index``, with columns ``group`` (one of ``GROUPS`` or ``""``
        when the line counts for nothing), ``detail`` (one of ``DETAIL_ORDER`` or ``""``),
        ``fair_trade`` (bool), ``is_quality`` (counts toward the 50 %) and ``is_organic``.

    Raises
    ------
    ValueError
        When a cell holds a code outside ``LABELS`` (legacy codes included), naming
        every such cell.

    References
    ----------
    betagouv/ma-cantine, ``data/models/purchase.py``, ``PurchaseQuerySet.aggregated_stats``
    (each group's filter excludes the groups before it; read at release 2026.39.1).
    """
    cells = labels.astype(object).where(labels.notna(), "").astype(str)
    # Each distinct cell is classified once, then spread to its lines by its code.
    codes, uniques = pd.factorize(cells.to_numpy())
    table: list[tuple[str, str, bool]] = []
    bad: list[str] = []
    for u in uniques:
        try:
            table.append(_classify(u))
        except ValueError as exc:
            bad.append(_("{where}: {message}").format(where=quoted(u), message=exc))
    if bad:
        raise ValueError(
            _("labels not counted by EGalim accounting: {cells}").format(cells=" | ".join(bad))
        )
    classified = np.array(table, dtype=object).reshape(-1, 3)
    out = pd.DataFrame(
        {
            "group": pd.Series(classified[codes, 0], index=labels.index, dtype=object),
            "detail": pd.Series(classified[codes, 1], index=labels.index, dtype=object),
            "fair_trade": classified[codes, 2].astype(bool),
        },
        index=labels.index,
    )
    out["is_quality"] = out["group"] != ""
    out["is_organic"] = out["group"] == "bio"
    return out


def egalim_accounting(
    lines: pd.DataFrame,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """EGalim figures of purchase lines, as declared on *ma cantine*.

    Parameters
    ----------
    lines
        One row per purchase line with columns ``value_eur_ht`` (EUR excl. VAT, ≥ 0),
        ``family`` (one of ``FAMILIES``) and ``labels`` (comma-separated label codes).
    by
        Column(s) to group by (e.g. ``"canteen_id"``); ``None`` gives one row for all lines.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``by`` (indexed by it, sorted), or one row: the ``VALUE_FIELDS``
        (EUR HT), the detailed ``valeur_{famille}_{detail}`` fields
        (EUR HT) and the ``SHARE_FIELDS`` (fractions in [0, 1]; NaN where the base is zero):
        ``share_organic`` = bio / total; ``share_quality`` = (bio + siqo + egalim_autres +
        externalites_performance) / total; ``share_meat_fish`` = labelled meat and seafood /
        all meat and seafood (the law's 60 % base); ``share_meat`` and ``share_fish`` separately.

    Raises
    ------
    ValueError
        When a labels cell holds a code outside ``LABELS`` (see `line_classes`).

    References
    ----------
    Code rural et de la pêche maritime, art. L230-5-1 (loi n° 2018-938 du 30 octobre 2018,
    EGalim): 50 % quality, of which 20 % organic, by value HT; loi n° 2021-1104 du 22 août
    2021 (Climat et Résilience): 60 % of meat and seafood. Fields and sums as betagouv/ma-cantine
    declares them (``Diagnostic.populate_simplified_diagnostic_values``); see
    ``docs/egalim.md``.
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    classes = line_classes(lines["labels"])
    value = lines["value_eur_ht"].astype(float).to_numpy()
    family = lines["family"].astype(str).to_numpy()
    group = classes["group"].to_numpy()
    fair = classes["fair_trade"].to_numpy()
    quality = classes["is_quality"].to_numpy()
    detail = classes["detail"].to_numpy()
    meat = family == MEAT_FAMILY
    fish = family == FISH_FAMILY
    cols: dict[str, np.ndarray] = {
        "valeur_totale": value,
        "valeur_bio": value * (group == "bio"),
        "valeur_bio_dont_commerce_equitable": value * ((group == "bio") & fair),
        "valeur_siqo": value * (group == "siqo"),
        "valeur_externalites_performance": value * (group == "externalites_performance"),
        "valeur_egalim_autres": value * (group == "egalim_autres"),
        # As the platform's complete declaration: from the detailed split, not the group.
        "valeur_egalim_autres_dont_commerce_equitable": value * (detail == "commerce_equitable"),
        "valeur_viandes_volailles": value * meat,
        "valeur_viandes_volailles_egalim": value * (meat & quality),
        "valeur_produits_de_la_mer": value * fish,
        "valeur_produits_de_la_mer_egalim": value * (fish & quality),
    }
    for fam in FAMILIES:
        in_family = family == fam
        for name in DETAIL_ORDER:
            cols[f"valeur_{fam.lower()}_{name}"] = value * (in_family & (detail == name))
    frame = pd.DataFrame(cols, index=lines.index)
    if keys:
        for k in keys:
            frame[k] = lines[k].to_numpy()
        totals = frame.groupby(keys, sort=True, observed=True).sum()
    else:
        totals = frame.sum().to_frame().T
    return add_shares(totals)


def add_shares(totals: pd.DataFrame) -> pd.DataFrame:
    """Add ``SHARE_FIELDS`` to a frame of declaration totals (NaN where the base is 0).

    Parameters
    ----------
    totals
        Declaration totals (EUR HT), one row per group of lines, with the ``VALUE_FIELDS``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``totals`` with the ``SHARE_FIELDS`` added (fractions in [0, 1]).
    """
    out = totals.copy()
    quality = (
        out["valeur_bio"]
        + out["valeur_siqo"]
        + out["valeur_egalim_autres"]
        + out["valeur_externalites_performance"]
    )
    meat_fish = out["valeur_viandes_volailles"] + out["valeur_produits_de_la_mer"]
    meat_fish_q = out["valeur_viandes_volailles_egalim"] + out["valeur_produits_de_la_mer_egalim"]
    out["share_organic"] = _ratio(out["valeur_bio"], out["valeur_totale"])
    out["share_quality"] = _ratio(quality, out["valeur_totale"])
    out["share_meat_fish"] = _ratio(meat_fish_q, meat_fish)
    out["share_meat"] = _ratio(
        out["valeur_viandes_volailles_egalim"], out["valeur_viandes_volailles"]
    )
    out["share_fish"] = _ratio(
        out["valeur_produits_de_la_mer_egalim"], out["valeur_produits_de_la_mer"]
    )
    return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den_f = den.astype(float)
    # Clip guards against float noise (a share is a part of its base by construction).
    return (num.astype(float) / den_f.where(den_f > 0)).clip(0.0, 1.0)
