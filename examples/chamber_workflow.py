"""Chamber of Agriculture workflow: Excel in, plan, reports and ma cantine files out.

A Chamber (or the team of a territorial food project, PAT) keeps the territory's tables in one
Excel workbook that its staff edit by hand, runs the matching, and hands out files people open
without Python. This script goes through the whole round trip:

1. take a scenario (the Lens-Liévin demo, or ``--small``) and write it as an Excel workbook,
   ``OUT/input/scenario.xlsx`` with one sheet per table, plus ``parameters.json``
   (``Scenario.to_folder(..., fmt="xlsx")``) — this is the file the staff edit;
2. read the workbook back (``Scenario.from_folder``): every table is validated, an invalid
   workbook raises one ``ScenarioError`` listing every problem (sheet, row, column), allowed
   but odd inputs are kept in ``scenario.warnings``;
3. solve, and check the plan with the independent checker (``rhd_match.check``);
4. write the result tables as CSV files (``OUT/tables/``), the reports people read
   (``OUT/reports/report.html`` and ``results.xlsx``, ``rhd_match.report.write_reports``) and
   the ma cantine files (``OUT/macantine/``: declaration figures, purchase import file,
   producer order sheets and contract summary, ``rhd_match.macantine.export.export_plan``;
   give ``--siret-file`` so that the purchase file is keyed by SIRET).

Run from the repository root::

    python examples/chamber_workflow.py --small --out out/chamber   # seconds
    python examples/chamber_workflow.py --out out/chamber           # the demo: under a minute
"""

from __future__ import annotations

import sys
from pathlib import Path

from _common import language, load, parser

import rhd_match
from rhd_match.macantine import export_plan, read_sirets
from rhd_match.report import write_reports


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("out/chamber"),
        help="output folder (default out/chamber)",
    )
    p.add_argument(
        "--siret-file",
        type=Path,
        help="CSV or XLSX with columns canteen_id,siret, for the ma cantine purchase file",
    )
    args = p.parse_args(argv)
    out: Path = args.out
    # Read the SIRET file first: a bad file fails at once, listing every bad row. Without it
    # the purchase file is keyed by canteen_id and ma cantine wants its numeric canteen id
    # instead (a PlatformIdWarning says so).
    sirets = read_sirets(args.siret_file) if args.siret_file else None

    # 1. The workbook the Chamber's staff edit in Excel.
    written = load(args.small).to_folder(out / "input", fmt="xlsx")
    workbook = next(path for path in written if path.suffix == ".xlsx")
    print(f"wrote the input workbook {workbook}")

    # 2. ... after editing, read it back. Every problem is reported at once.
    try:
        scenario = rhd_match.Scenario.from_folder(workbook)
    except rhd_match.ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)  # file, row (header = row 1), column, message
        return 2
    print(f"read back {scenario!r}, {len(scenario.warnings)} warning(s)")

    # 3. Solve and check.
    solution = scenario.solve(time_limit_s=args.time_limit)
    print(solution)
    violations = rhd_match.check(scenario, solution)
    if not violations.empty:
        print(violations.head(20).to_string(), file=sys.stderr)
        return 1
    print("checker: the plan meets every constraint")

    # 4. Files for people: tables, reports, ma cantine declaration and purchase files, orders.
    files = solution.to_folder(out / "tables", formats=("csv",))
    files += write_reports(scenario, solution, out / "reports", language=language())
    # A plan for 2026 has weeks after today's date: ma cantine refuses purchases dated in the
    # future, so the purchase file is uploaded once the year is over; no warning here.
    files += export_plan(
        scenario, solution, out / "macantine", sirets=sirets, future="ignore", language=language()
    )
    print(f"wrote {len(files)} files to {out}:")
    for path in files:
        print(f"  {path.relative_to(out)}")
    return 0


if __name__ == "__main__":
    with rhd_match.i18n.use_language(language()):
        sys.exit(main())
