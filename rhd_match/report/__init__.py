"""Reports people look at: an Excel results workbook and a self-contained HTML page.

* :func:`write_workbook` — every solution table on a formatted sheet, plus order sheets;
* :func:`write_html_report` — headline figures, charts and a map in one HTML file;
* :func:`write_reports` — both into a folder (``results.xlsx``, ``report.html``), all or none.

See ``docs/reports.md``.
"""

from __future__ import annotations

from pathlib import Path

from ..inputs.scenario import Scenario
from ..io import write_folder_atomically
from ..plan.solution import Solution
from .html import render_html, write_html_report
from .workbook import workbook_bytes, write_workbook

HTML_NAME = "report.html"
WORKBOOK_NAME = "results.xlsx"

__all__ = [
    "HTML_NAME",
    "WORKBOOK_NAME",
    "render_html",
    "workbook_bytes",
    "write_html_report",
    "write_reports",
    "write_workbook",
]


def write_reports(scenario: Scenario, solution: Solution, folder: str | Path) -> list[Path]:
    """Write ``report.html`` and ``results.xlsx`` into ``folder`` (created if needed).

    Both are rendered before anything is written, then moved in together: a failure leaves
    the folder as it was. Returns the paths written.
    """
    page = render_html(scenario, solution)
    data = workbook_bytes(scenario, solution)

    def write_page(path: Path) -> None:
        path.write_text(page, encoding="utf-8")

    def write_book(path: Path) -> None:
        path.write_bytes(data)

    return write_folder_atomically(Path(folder), {HTML_NAME: write_page, WORKBOOK_NAME: write_book})
