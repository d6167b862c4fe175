"""Warnings on validated tables: what is allowed but probably not meant (supply nobody can
deliver, places far from the others, labels a family cannot carry, empty tables)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from ..egalim import FISH_FAMILY, MEAT_FAMILY
from ..errors import Problem
from ..geo import haversine_km
from ..i18n import format_figure, format_number, format_range, ngettext
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..weeks import week_monday
from .groups import served_products
from .schema import TABLES
from .validation import FIRST_DATA_ROW, source_rows

#: A canteen or producer farther than this from the scenario's centre (the median latitude and
#: longitude of all its places), and than FAR_FACTOR × the median place's distance to it, is
#: flagged: a typing slip (latitude and longitude swapped, a sign or a digit lost) puts a point
#: hundreds or thousands of km away, while a PAT's places lie within a department or two.
FAR_KM = 150.0
#: How the ids of the template's example rows begin (``rhd_match.inputs.template``): rows
#: still holding them were neither deleted nor written over.
EXAMPLE_ID_PREFIX = "EXEMPLE-"
#: The tables whose example rows the template writes, by key column (the example offers and
#: demand rows name these ids).
EXAMPLE_KEYS = {"products": "product_id", "canteens": "canteen_id", "producers": "producer_id"}
FAR_FACTOR = 5.0
#: Demand weeks beyond this many from the others are flagged: a year has 52 or 53 ISO weeks.
MAX_HORIZON_WEEKS = 53
LISTED_PRODUCTS = 5  # products named per canteen in the no-offer-in-reach warning
#: More canteens than this with demand out of reach get one warning with the count and this many
#: examples, not one each: a territory's fish or beef is often out of every canteen's reach.
LISTED_CANTEENS = 3
#: A road distance outside [ROAD_MIN_FACTOR, ROAD_MAX_FACTOR] × the straight line between its
#: places (± ROAD_SLACK_KM) is flagged: roads are about 1.3 times the straight line
#: (``LogisticsOptions.road_factor``, an estimate); half the line, or several times more, is a
#: slip (metres or miles, another pair, a place's coordinates), not a road.
ROAD_MIN_FACTOR = 0.5
ROAD_MAX_FACTOR = 4.0
ROAD_SLACK_KM = 2.0


def domain_warnings(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """Things that are allowed but probably not meant: supply nobody can deliver, odd labels.

    Parameters
    ----------
    tables
        The typed tables by name, references already checked.
    files
        The file each table was read from, by name.

    Returns
    -------
    list of Problem
        Warnings, each with its file, row and column.
    """
    warnings: list[Problem] = []
    products, offers, demand = tables["products"], tables["offers"], tables["demand"]
    canteens, producers = tables["canteens"], tables["producers"]
    empty = [
        (
            "demand",
            demand,
            _("the table has no rows (a header only?): nothing to buy: every plan is empty"),
        ),
        (
            "offers",
            offers,
            _(
                "the table has no rows (a header only?): no local supply: everything is bought "
                "from the conventional supplier"
            ),
        ),
    ]
    # An optional CSV file was written for its rows; a workbook's sheet is there as the
    # template made it, filled or not.
    given = _("the file has no rows (a header only?): read as not given")
    empty += [
        (name, tables[name], given)
        for name, table in TABLES.items()
        if table.optional and str(files.get(name)).lower().endswith(".csv")
    ]
    for table, frame, msg in empty:
        if frame.empty:
            warnings.append(Problem(table, None, None, msg, files.get(table), "warning"))

    served = served_products(demand, tables["groups"]) if "groups" in tables else demand
    warnings += _unreachable_demand(canteens, producers, offers, served, files.get("canteens"))
    warnings += _far_places(tables, files)
    warnings += _template_examples(tables, files)
    warnings += _idle_rows(tables, files)
    warnings += _stray_weeks(demand, "demand", files.get("demand"))
    warnings += _stray_weeks(offers, "offers", files.get("offers"))
    warnings += _odd_road_distances(tables, files)

    family = offers["product_id"].map(products.set_index("product_id")["family"])
    rules = [
        ("LABEL_ROUGE", family == "BOISSONS", N_("LABEL_ROUGE on BOISSONS")),
        ("PECHE_DURABLE", family != FISH_FAMILY, N_("PECHE_DURABLE outside PRODUITS_DE_LA_MER")),
        (
            "FERMIER",
            ~family.isin([MEAT_FAMILY, "CHARCUTERIE", "PRODUITS_LAITIERS"]),
            N_("FERMIER outside VIANDES_VOLAILLES, CHARCUTERIE, PRODUITS_LAITIERS"),
        ),
    ]
    labels = offers["labels"].fillna("").astype(str)
    for label, wrong_family, what in rules:
        has = labels.str.split(",").map(lambda labs, lab=label: lab in labs)
        bad = (has & wrong_family).to_numpy()
        if bad.any():
            warnings.append(
                Problem(
                    "offers",
                    int(np.flatnonzero(bad)[0]) + FIRST_DATA_ROW,
                    "labels",
                    ngettext(
                        "{n} row with {what}: ma cantine marks it not applicable",
                        "{n} rows with {what}: ma cantine marks it not applicable",
                        int(bad.sum()),
                    ).format(n=format_number(int(bad.sum())), what=_(what)),
                    files.get("offers"),
                    "warning",
                )
            )
    return warnings


def _unreachable_demand(
    canteens: pd.DataFrame,
    producers: pd.DataFrame,
    offers: pd.DataFrame,
    demand: pd.DataFrame,
    file: str | None,
) -> list[Problem]:
    """One warning per canteen, at its row, naming the products it demands that no producer
    offers within delivery radius in any week (they go to the conventional supplier); one
    warning for them all, at the first one's row, when more than LISTED_CANTEENS are."""
    reach = _reachable_pairs(canteens, producers, offers)
    pairs = demand[["canteen_id", "product_id"]].drop_duplicates()
    served = pairs.merge(reach, on=["canteen_id", "product_id"], how="left", indicator=True)
    lonely = served[served["_merge"] == "left_only"]
    rows = pd.Series(source_rows(canteens), index=canteens["canteen_id"].astype(str).to_numpy())
    totals = pairs["canteen_id"].astype(str).value_counts()
    by_canteen = {
        str(canteen_id): sorted(group["product_id"].astype(str))
        for canteen_id, group in lonely.groupby("canteen_id", sort=True)
    }
    if len(by_canteen) > LISTED_CANTEENS:
        return [_unreachable_summary(by_canteen, totals, rows, file)]
    warnings = []
    for canteen_id, products in by_canteen.items():
        n_all = int(totals[canteen_id])
        listed = _listed(products, LISTED_PRODUCTS)
        if len(products) == n_all:
            msg = ngettext(
                "canteen '{canteen}': no offer within any producer's delivery radius for its "
                "only product, in any week (bought from the conventional supplier)",
                "canteen '{canteen}': no offer within any producer's delivery radius for any "
                "of its {total} products, in any week (bought from the conventional supplier)",
                n_all,
            )
        else:
            msg = _(
                "canteen '{canteen}': no offer within any producer's delivery radius for {n} of "
                "its {total} products ({listed}), in any week (bought from the conventional "
                "supplier)"
            )
        warnings.append(
            Problem(
                "canteens",
                int(rows[canteen_id]),
                "canteen_id",
                msg.format(canteen=canteen_id, total=n_all, n=len(products), listed=listed),
                file,
                "warning",
            )
        )
    return warnings


def _idle_rows(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """One warning per table, at the first row concerned, for canteens with nothing to buy,
    producers without offers and canteens with demand but no meal: nothing is bought or
    sold for them, or their cost per meal cannot be computed. Silent when the whole demand
    or offers table is empty (warned on its own)."""
    canteens, producers = tables["canteens"], tables["producers"]
    demand, offers = tables["demand"], tables["offers"]
    buying = canteens["canteen_id"].isin(demand.loc[demand["qty"] > 0, "canteen_id"]).to_numpy()
    no_meal = canteens["meals_per_day"].eq(0).to_numpy()
    if "service_days" in canteens.columns:
        no_meal = no_meal | canteens["service_days"].eq(0).to_numpy()
    selling = producers["producer_id"].isin(offers["producer_id"]).to_numpy()
    cases: list[tuple[str, str, np.ndarray, Callable[[int], str]]] = [
        (
            "canteens",
            "canteen_id",
            ~buying & bool(len(demand)),
            lambda n: ngettext(
                "{n} canteen with nothing to buy, no demand row or every quantity 0 ({listed}): "
                "it counts in no EGalim figure and in no cost per meal",
                "{n} canteens with nothing to buy, no demand row or every quantity 0 "
                "({listed}): they count in no EGalim figure and in no cost per meal",
                n,
            ),
        ),
        (
            "producers",
            "producer_id",
            ~selling & bool(len(offers)),
            lambda n: ngettext(
                "{n} producer with no offer row ({listed}): it sells nothing in any plan",
                "{n} producers with no offer row ({listed}): they sell nothing in any plan",
                n,
            ),
        ),
        (
            "canteens",
            "meals_per_day",
            buying & no_meal,
            lambda n: ngettext(
                "{n} canteen with demand but no meal served ({listed}): it has no cost per "
                "meal and is left out of the territory's",
                "{n} canteens with demand but no meal served ({listed}): they have no cost "
                "per meal and are left out of the territory's",
                n,
            ),
        ),
    ]
    found = []
    for table, column, idle, message in cases:
        if not idle.any():
            continue
        ids = sorted(tables[table][TABLES[table].key[0]].astype(str)[idle])
        listed = _listed(ids, LISTED_PRODUCTS)
        msg = message(len(ids)).format(n=format_number(len(ids)), listed=listed)
        row = int(source_rows(tables[table])[int(np.flatnonzero(idle)[0])])
        found.append(Problem(table, row, column, msg, files.get(table), "warning"))
    return found


def _stray_weeks(frame: pd.DataFrame, table: str, file: str | None) -> list[Problem]:
    """One warning, at the first row concerned, for the demand's or the offers' weeks outside
    the year-long window holding most of the table's rows (a school year spans two ISO years;
    ``2027-W06`` among 2026's weeks is a year typed wrong, planned apart from its year)."""
    weeks = frame["week"].astype(object).where(frame["week"].notna(), None)
    unique = sorted({str(w) for w in weeks if w is not None})
    if not unique:
        return []
    ordinal = {w: week_monday(w).toordinal() for w in unique}
    days = weeks.map(ordinal).to_numpy(float)  # NaN for a missing week
    ordered = np.sort(days[~np.isnan(days)])
    start = np.array(list(ordinal.values()), dtype=float)  # ISO week texts sort by date
    span = 7.0 * (MAX_HORIZON_WEEKS - 1)
    held = np.searchsorted(ordered, start + span, side="right") - np.searchsorted(ordered, start)
    first = start[int(np.argmax(held))]  # the earliest window holding the most rows
    stray = (days < first) | (days > first + span)
    if not stray.any():
        return []
    within = (start >= first) & (start <= first + span)
    inside = [w for w, kept in zip(unique, within, strict=True) if kept]
    outside = [w for w, kept in zip(unique, within, strict=True) if not kept]
    n = int(stray.sum())
    message = (
        ngettext(
            "{n} row in week {listed}, outside the year of the others ({weeks}): a "
            "year typed wrong? Only an offer of that same week can serve it",
            "{n} rows in weeks {listed}, outside the year of the others ({weeks}): a "
            "year typed wrong? Only offers of those same weeks can serve them",
            n,
        )
        if table == "demand"
        else ngettext(
            "{n} row in week {listed}, outside the year of the others ({weeks}): a "
            "year typed wrong? Only a demand of that same week can buy it",
            "{n} rows in weeks {listed}, outside the year of the others ({weeks}): a "
            "year typed wrong? Only demand of those same weeks can buy them",
            n,
        )
    )
    msg = message.format(
        n=format_number(n),
        listed=_listed(outside, LISTED_PRODUCTS),
        weeks=format_range(inside[0], inside[-1]),
    )
    row = int(source_rows(frame)[int(np.flatnonzero(stray)[0])])
    return [Problem(table, row, "week", msg, file, "warning")]


def _template_examples(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """A warning at each row of the template's example left in the products, canteens and
    producers (planned like any other row)."""
    found = []
    for table, key in EXAMPLE_KEYS.items():
        ids = tables[table][key].astype(str)
        rows = source_rows(tables[table])
        for pos in np.flatnonzero(ids.str.startswith(EXAMPLE_ID_PREFIX).to_numpy()):
            msg = _(
                "{id} is the template's example row, planned like the others: delete it (and "
                "the offers and demand naming it), or write your own row over it"
            ).format(id=ids.iloc[pos])
            found.append(Problem(table, int(rows[pos]), key, msg, files.get(table), "warning"))
    return found


def _listed(names: list[str], limit: int) -> str:
    """The first ``limit`` names, then how many more."""
    listed = ", ".join(names[:limit])
    if len(names) > limit:
        listed += ", " + _("... ({n} more)").format(n=format_number(len(names) - limit))
    return listed


def _unreachable_summary(
    by_canteen: Mapping[str, list[str]], totals: pd.Series, rows: pd.Series, file: str | None
) -> Problem:
    """The no-offer-in-reach warning of many canteens in one: their count, the first few with
    how many of their products are out of reach, and the products most often out of reach."""
    examples = [
        _("{canteen} ({n} of {total})").format(
            canteen=canteen_id, n=len(products), total=int(totals[canteen_id])
        )
        for canteen_id, products in by_canteen.items()
    ]
    counts = pd.Series([p for products in by_canteen.values() for p in products]).value_counts()
    often = sorted(counts.index, key=lambda product: (-int(counts[product]), product))
    n = len(by_canteen)
    msg = ngettext(
        "{n} canteen buys products that no producer offers within its delivery radius in any "
        "week (bought from the conventional supplier): {canteens}; most often {products}",
        "{n} canteens buy products that no producer offers within its delivery radius in any "
        "week (bought from the conventional supplier): {canteens}; most often {products}",
        n,
    ).format(
        n=format_number(n),
        canteens=_listed(examples, LISTED_CANTEENS),
        products=_listed(often, LISTED_PRODUCTS),
    )
    first = next(iter(by_canteen))
    return Problem("canteens", int(rows[first]), "canteen_id", msg, file, "warning")


def _far_places(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """A warning at the row of each canteen, producer or hub far from all the others."""
    texts = {
        "canteens": N_(
            "canteen '{id}' at ({lat}, {lon}) is {km} km from the centre of the scenario's "
            "places (half lie within {spread} km): {hint}"
        ),
        "producers": N_(
            "producer '{id}' at ({lat}, {lon}) is {km} km from the centre of the scenario's "
            "places (half lie within {spread} km): {hint}"
        ),
        "hubs": N_(
            "hub '{id}' at ({lat}, {lon}) is {km} km from the centre of the scenario's "
            "places (half lie within {spread} km): {hint}"
        ),
    }
    columns = {"hubs": ("latitude", "longitude", "hub_id")}  # else lat, lon, {table}_id
    places = []
    for table, what in texts.items():
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        lat_col, lon_col, id_col = columns.get(table, ("lat", "lon", f"{table[:-1]}_id"))
        lat = pd.to_numeric(frame[lat_col], errors="coerce").to_numpy(float)
        lon = pd.to_numeric(frame[lon_col], errors="coerce").to_numpy(float)
        places.append((table, what, frame, lat, lon, lat_col, id_col))
    lat = np.concatenate([p[3] for p in places])
    lon = np.concatenate([p[4] for p in places])
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 3:
        return []
    centre_lat, centre_lon = float(np.median(lat[ok])), float(np.median(lon[ok]))
    spread = float(np.median(haversine_km(lat[ok], lon[ok], centre_lat, centre_lon)))
    limit = max(FAR_KM, FAR_FACTOR * spread)
    warnings = []
    for table, what, frame, f_lat, f_lon, lat_col, id_col in places:
        dist = haversine_km(f_lat, f_lon, centre_lat, centre_lon)
        swapped = haversine_km(f_lon, f_lat, centre_lat, centre_lon)
        rows = source_rows(frame)
        for pos in np.flatnonzero(dist > limit):
            hint = (
                _("latitude and longitude look swapped")
                if swapped[pos] <= limit
                else _("check the coordinates (decimal degrees, WGS84)")
            )
            warnings.append(
                Problem(
                    table,
                    int(rows[pos]),
                    lat_col,
                    _(what).format(
                        id=frame[id_col].iloc[pos],
                        lat=format_figure(f_lat[pos]),
                        lon=format_figure(f_lon[pos]),
                        km=format_number(float(dist[pos])),
                        spread=format_number(spread),
                        hint=hint,
                    ),
                    files.get(table),
                    "warning",
                )
            )
    return warnings


def _odd_road_distances(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """A warning at each ``distances`` row from a place to itself (never used), or whose km
    are less than half the straight line between its places or many times more."""
    distances = tables.get("distances")
    if distances is None or distances.empty:
        return []
    where: dict[str, tuple[float, float]] = {}
    for table, lat_col, lon_col in (
        ("canteens", "lat", "lon"),
        ("producers", "lat", "lon"),
        ("hubs", "latitude", "longitude"),
    ):
        frame = tables.get(table)
        if frame is not None and not frame.empty:
            ids = frame[TABLES[table].key[0]].astype(str)
            where |= dict(zip(ids, zip(frame[lat_col], frame[lon_col], strict=True), strict=True))
    rows = source_rows(distances)
    warnings = []
    for pos, (a, b, km) in enumerate(
        zip(distances["from_id"], distances["to_id"], distances["km"], strict=True)
    ):
        if a == b:
            msg = _("a distance from '{id}' to itself is never used").format(id=a)
            column = "to_id"
        elif a in where and b in where and pd.notna(km):
            line = float(haversine_km(*where[a], *where[b]))
            low, high = ROAD_MIN_FACTOR * line, ROAD_MAX_FACTOR * line
            if low - ROAD_SLACK_KM <= km <= high + ROAD_SLACK_KM:
                continue
            msg = (
                _(
                    "{km} km by road from '{a}' to '{b}', less than half the straight line "
                    "between their coordinates ({line} km): another pair, unit or place?"
                )
                if km < low
                else _(
                    "{km} km by road from '{a}' to '{b}', more than {factor} times the "
                    "straight line between their coordinates ({line} km): another pair, unit "
                    "(metres, miles) or place?"
                )
            ).format(
                km=format_number(float(km), 1),
                a=a,
                b=b,
                line=format_number(line, 1),
                factor=format_number(ROAD_MAX_FACTOR),
            )
            column = "km"
        else:
            continue
        warnings.append(
            Problem("distances", int(rows[pos]), column, msg, files.get("distances"), "warning")
        )
    return warnings


def _reachable_pairs(
    canteens: pd.DataFrame, producers: pd.DataFrame, offers: pd.DataFrame
) -> pd.DataFrame:
    """(canteen_id, product_id) pairs with an offer from a producer delivering that far."""
    offered = offers[["producer_id", "product_id"]].drop_duplicates()
    prod = producers.set_index("producer_id")
    rows = offered.join(prod[["lat", "lon", "delivery_radius_km"]], on="producer_id")
    if rows.empty or canteens.empty:
        return pd.DataFrame({"canteen_id": [], "product_id": []}, dtype="str")
    dist = haversine_km(
        rows["lat"].to_numpy()[:, None],
        rows["lon"].to_numpy()[:, None],
        canteens["lat"].to_numpy()[None, :],
        canteens["lon"].to_numpy()[None, :],
    )
    i, j = np.nonzero(dist <= rows["delivery_radius_km"].to_numpy()[:, None])
    return pd.DataFrame(
        {
            "canteen_id": canteens["canteen_id"].to_numpy()[j],
            "product_id": rows["product_id"].to_numpy()[i],
        }
    ).drop_duplicates()
