"""Reports people look at: an Excel results workbook and a self-contained HTML page.

* ``write_workbook`` — every solution table on a formatted sheet, plus order sheets;
* ``write_html_report`` — headline figures, charts and a map in one HTML file;
* ``write_order_workbooks`` — one order workbook per producer;
* ``write_reports`` — both into a folder (``results.xlsx``, ``report.html``), all or none.

See ``docs/reports.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..inputs.scenario import Scenario
from ..logistics.tours import TourPlan
from ..plan.solution import Solution
from ..writing import write_folder_atomically
from .communes import CommuneSource
from .html import render_html, write_html_report
from .workbook import (
    order_sheet,
    order_workbook_writers,
    results_workbook_writer,
    workbook_bytes,
    write_order_workbooks,
    write_workbook,
)

HTML_NAME = "report.html"
WORKBOOK_NAME = "results.xlsx"

__all__ = [
    "HTML_NAME",
    "WORKBOOK_NAME",
    "order_workbook_writers",
    "render_html",
    "report_writers",
    "results_workbook_writer",
    "workbook_bytes",
    "write_html_report",
    "write_order_workbooks",
    "write_reports",
    "write_workbook",
]


def write_reports(
    scenario: Scenario,
    solution: Solution,
    folder: str | Path,
    *,
    language: str = "fr",
    communes: CommuneSource = None,
) -> list[Path]:
    """Write ``report.html`` and ``results.xlsx`` into ``folder`` (created if needed).

    Both are rendered before anything is written, then moved in together: a failure leaves
    the folder as it was.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).
    folder
        The folder to write into; other files in it are left alone.
    language
        Language of the page's translated texts and of the workbook (sheet names, column
        labels, number formats): one of ``rhd_match.i18n.LANGUAGES``.
    communes
        GeoJSON file of the commune outlines drawn under the page's map
        (``rhd_match.report.render_html``).

    Returns
    -------
    list of Path
        The paths written: ``report.html`` and ``results.xlsx``.

    Raises
    ------
    ValueError
        When a workbook sheet would hold more rows than Excel allows (nothing is written), or
        when ``language`` is not one rhd_match speaks.
    OptionError
        When ``communes`` is not a readable GeoJSON feature collection (nothing is written).
    """
    return write_folder_atomically(
        Path(folder), report_writers(scenario, solution, language, communes)
    )


def report_writers(
    scenario: Scenario,
    solution: Solution,
    language: str = "fr",
    communes: CommuneSource = None,
    tours: TourPlan | None = None,
    *,
    by_producer: bool = False,
) -> dict[str, Callable[[Path], None]]:
    """The writers of ``write_reports``, the page and the workbook rendered already.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan.
    language
        One of ``rhd_match.i18n.LANGUAGES``.
    communes
        GeoJSON file of the commune outlines drawn under the page's map, or the outlines read
        already (``read_communes``); None for the default.
    tours
        The plan's delivery tours (``rhd_match.logistics.plan_tours``), drawn in a section of
        their own, the routing problems a clock cut short counted in the workbook's summary;
        ``None``: no such section or rows.
    by_producer
        Add one order workbook per supplier, ``orders/{file}`` (``order_workbook_writers``);
        the order sheet is built once, for them and the results workbook.

    Returns
    -------
    dict of str to Callable[[Path], None]
        ``report.html`` and ``results.xlsx`` → writer, for
        ``rhd_match.writing.write_folder_atomically``.

    Raises
    ------
    ValueError
        When a workbook sheet would hold more rows than Excel allows, or ``language`` is
        unknown.
    """
    page = render_html(scenario, solution, language=language, communes=communes, tours=tours)
    orders = order_sheet(scenario, solution)

    def write_page(path: Path) -> None:
        path.write_text(page, encoding="utf-8")

    writers = {
        HTML_NAME: write_page,
        WORKBOOK_NAME: results_workbook_writer(scenario, solution, language, orders, tours),
    }
    if by_producer:
        books = order_workbook_writers(scenario, solution, language=language, orders=orders)
        writers |= {f"orders/{name}": write for name, write in books.items()}
    return writers
