"""Commune outlines drawn under the report's map, read from a GeoJSON file.

The package carries the outlines of the 36 communes of the Communauté d'agglomération de
Lens-Liévin (the demo's territory): IGN Admin Express COG 2018 outlines and INSEE codes, as
published in ``gregoiredavid/france-geojson``, simplified, Licence Ouverte / Etalab 2.0 (see
``docs/reports.md``). Other territories pass their own file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from ..errors import OptionError
from ..i18n import gettext as _

#: The demo territory's commune outlines (GeoJSON, WGS 84).
DEMO_COMMUNES = Path(__file__).resolve().parent.parent / "data" / "communes_call.geojson"
#: Whom the drawn outlines are credited to, under the map.
DEMO_COMMUNES_SOURCE = "IGN Admin Express COG 2018, INSEE — Licence Ouverte / Etalab 2.0"


@dataclass(frozen=True)
class Commune:
    """One commune: its name and outline rings, each a sequence of (lon, lat) in degrees."""

    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


#: Where a page's commune outlines come from: a GeoJSON file, the outlines read already
#: (``read_communes``, so that a file checked early is not parsed again), or None (default).
CommuneSource: TypeAlias = "str | Path | Sequence[Commune] | None"


def read_communes(path: str | Path) -> list[Commune]:
    """The communes of a GeoJSON ``FeatureCollection`` of polygons.

    Parameters
    ----------
    path
        GeoJSON file (RFC 7946, WGS 84 longitude/latitude); each feature a ``Polygon`` or
        ``MultiPolygon`` with a ``name`` (or ``nom``) property; other geometries are skipped.

    Returns
    -------
    list of Commune
        In file order; only the outer ring of each polygon is kept (holes are not drawn).

    Raises
    ------
    OptionError
        When the file cannot be read or is not a GeoJSON feature collection (the message
        names the file and why).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        features = data["features"]
        assert isinstance(features, list)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as err:
        message = _("{path}: not a GeoJSON feature collection of commune outlines ({error})")
        raise OptionError([message.format(path=path, error=err)]) from None
    communes = []
    for feature in features:
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
        polygons = {"Polygon": [coordinates], "MultiPolygon": coordinates}.get(str(kind), [])
        rings = tuple(
            tuple((float(point[0]), float(point[1])) for point in polygon[0])
            for polygon in polygons
            if polygon
        )
        if rings:
            props = feature.get("properties") or {}
            communes.append(Commune(str(props.get("name", props.get("nom", ""))), rings))
    return communes
