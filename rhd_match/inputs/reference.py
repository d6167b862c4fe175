"""The input-format reference (``docs/input-format.md``), generated from the table declarations.

Run ``python -m rhd_match.inputs.reference > docs/input-format.md`` after changing a table;
a test fails while the committed page differs.
"""

from __future__ import annotations

from .schema import TABLES, Column


def reference_markdown() -> str:
    """The input-format reference as Markdown, generated from the declarations above."""
    out = [
        "# Input format",
        "",
        "A scenario is a folder holding one CSV file per table (`products.csv`, `canteens.csv`,",
        "`producers.csv`, `offers.csv`, `demand.csv`, UTF-8, comma-separated, header row) or one",
        "Excel workbook with one sheet per table, plus an optional `parameters.json`.",
        "Optional columns may be left out; empty cells in them mean *not given*. An optional",
        "table (`market.csv`, `groups.csv`, `hubs.csv`; sheets `market`, `groups`, `hubs`) may be",
        "left out: the scenario then has none. When a scenario has hubs, every producer's",
        "`hub_id` must name one of them (an unknown hub is an error naming the row); without",
        "hubs, `hub_id` is information only. Hub `delivery_days` are ISO weekdays written",
        "`1;2;4` (French or English abbreviations such as `lun;mar;jeu` or `mon;tue;thu` are",
        "read as numbers, with a warning).",
        "",
        "## Files as people save them",
        "",
        "- **One source per folder**: a folder holding both the tables' CSV files and a workbook",
        "  with a sheet for each required table (`scenario.xlsx`, whatever its name) is an error",
        "  naming the workbook: rhd_match would read one of them and silently ignore the edits",
        "  made in the other, so keep one and move the other out of the folder (or give the",
        "  workbook's path to read it). A workbook whose table sheets hold headers but no data",
        "  row (a blank copy of the template) holds no scenario: the CSV files are read, and a",
        "  warning names the workbook left aside (its example rows are data: delete them). A",
        "  workbook with sheets for some of the tables only (the offers edited apart, a plan's",
        "  `results.xlsx`) is not read, and a warning names it and its sheets; a workbook of no",
        "  table and Excel's lock file (`~$scenario.xlsx`) are left alone.",
        "- **Separators**: comma, semicolon or tab, whichever splits the header. A row with more",
        "  or fewer fields than the header is an error naming the row and the count (`7 fields,",
        "  expected 6`): quote text holding the separator, and write decimal commas only in",
        "  semicolon-separated files. The message says which of these it most likely is: each way",
        "  of reading the row (two fields making a decimal-comma number, a text cut at a",
        "  separator, a separator ending the row) is compared with the well-formed rows' columns.",
        "  Separators ending every row, or most rows (a file saved with one, or two for an empty",
        "  column), are read as the end of the row, with a warning that counts them",
        "  (`every row ends with 2 extra ';'`, `an extra tab`); a row whose count is still",
        "  wrong once they are taken off (an unquoted `;` in a name) is the only one named, with",
        "  its own hint. A row counts as ending with a separator only when, cut there, it holds",
        "  numbers where the well-formed rows do: a name with an unquoted `,` before empty last",
        "  values also makes a row one empty field longer, but shifts its values. Header cells",
        "  that no row fills are one error for the header, not one per row.",
        "- **Empty tables**: a demand or offers file with a header only is read with a warning",
        "  naming the file (nothing to buy, or no local supply).",
        "- **Encodings**: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order",
        "  mark, or Windows-1252, what French Excel writes for *CSV (séparateur : point-virgule)*",
        "  (read with a warning: strict UTF-8 is tried first; a statistical guess is not used, as",
        "  it mistakes French Windows-1252 text for other code pages).",
        "- **Empty rows** (blank lines, rows of separators, cells holding only spaces) are not",
        "  data, in CSV files and sheets alike; row numbers in messages stay those of the file.",
        "- **Headers, sheets and file names** may differ by case, accents and spaces",
        "  (`Product_ID`, `Latitudé`, `Products`, `Products.CSV`); title rows above the header",
        "  are skipped, and a header on two rows (a group's label merged above its columns'",
        "  names, the other names below or merged down) is read as one. Each is read with a",
        "  warning (one per table for its renamed headers, one",
        "  for a grid's week headers read the same way). A column not in the table is ignored",
        "  with a warning naming the column it most looks like (`max_shares`: did you mean",
        "  `max_share`?); a sheet or CSV file whose name is close to an optional table left out",
        "  (`Market1`, `market_2026.csv`) is named in a warning, as that table is then empty.",
        "- **Codes** with a fixed number of digits (`insee`, `siret`) as a spreadsheet writes",
        "  them are read back with a warning naming the cell: leading zeros dropped by a number",
        "  cell padded back (`2408` → `02408`), spaces removed (`216 204 980 00017`, no-break",
        "  spaces too), a decimal part of zeros dropped (`62498.0`). A code in scientific",
        "  notation (`2,16205E+13`: its last digits are lost) or with too many digits is an",
        "  error.",
        "- **Ids** (`product_id`, `canteen_id`, `producer_id`, `hub_id`, `market_id`,",
        "  `group_id`, `supplier_id`) are compared exactly, case included; spaces around a cell",
        '  are never part of it (`" HUB_LENS "` is `HUB_LENS`). As a spreadsheet\'s lookups',
        "  (`RECHERCHEV`, `VLOOKUP`) ignore case, two rows of a table whose ids differ only by",
        "  case (`HUB_LENS`, `hub_lens`) are an error naming both rows; two spellings of a",
        "  market's `supplier_id` (`GROSSISTE`, `Grossiste`) are a warning, as they are read as",
        "  two suppliers (an order sheet each). An id used in another table that is unknown but",
        "  for case (`apple` for `APPLE`) is an error that names the id meant. Tables whose ids",
        "  another table takes from any of them share the rule: a canteen, a producer and a hub",
        "  (all named by `distances`), a product and a group (named by `demand`) must not have",
        "  the same id, nor two ids that differ only by case (`FARM_B`, `farm_b`): an error at",
        "  the row of the table named last here, naming the other's row.",
        "- **Formulas** in a workbook are read as the value saved with them; a formula whose",
        "  value was never saved (a workbook written by a program that does not compute",
        "  formulas) is an error naming its cells: open and save the workbook in Excel or",
        "  LibreOffice.",
        "- **A table that cannot be read** (a wrong field count, its key column missing) gets",
        "  its own errors only: the ids other tables take from it are not reported as unknown.",
        "- **Warnings come with the errors**: a scenario that cannot be read lists its warnings",
        "  (a code's leading zero put back, a column renamed) among its errors, by file and row,",
        "  in `rhd-match validate` and every command reading a scenario, and in the",
        "  `ScenarioError` (each problem's `severity`): fixing the errors reveals nothing new.",
        "- **`parameters.json`** in UTF-8, UTF-16 or Windows-1252; a JSON mistake names the line",
        "  and character (a comma before `}`, single quotes, a `//` comment); a name given",
        "  twice is an error naming its lines (JSON would keep the last); an unknown name names",
        "  the closest known one (`Targets`: did you mean `targets`?); a number written as text",
        '  with a decimal comma (`"0,25"`) is an error saying what to write. Every problem with',
        "  a value names its line and keys (`parameters.json, line 3, key 'targets.organic'`).",
        "- **Text beginning with `=`, `+`, `-` or `@`** is text: every workbook rhd_match writes",
        "  stores it as text, never as a formula. A spreadsheet opening a CSV file may still run",
        "  such a cell as a formula (`=HYPERLINK(...)` in a product name: *CSV injection*). The",
        "  CSV files written for people, for a French Excel (the order sheets `order_sheets.csv`",
        "  and `orders_{producer_id}.csv`, and `contract_summary.csv`), put a `'` before every",
        "  text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return, as OWASP",
        "  advises: the spreadsheet shows the text, quote included, and runs nothing; number",
        "  columns (a negative quantity) are never touched. CSV files for programs are written",
        "  as they are, as reading them back must give the same text: the scenario's CSV files,",
        "  a plan's tables (`flows.csv` and the others), the *ma cantine* import files and the",
        "  analyses' tables. Share workbooks or the order sheets with people.",
        "",
        "## The template workbook",
        "",
        "`rhd-match template territoire.xlsx` (`--year 2026`, `--lang en`; in Python",
        '`rhd_match.inputs.template.write_template(path, year=2026, language="fr")`) writes a',
        "blank scenario workbook: an instructions sheet (French by default), one sheet per table",
        "with its header frozen and each column's meaning and unit in a comment on its header,",
        "drop-down lists for families, units, labels, sectors and weeks (read from a `listes`",
        "sheet; labels and sectors accept other text, as a cell may hold several labels),",
        "drop-down lists of the ids of the `producers`, `products`, `canteens` and `hubs` sheets",
        "on the columns that name them elsewhere (an id not there yet gives a warning, not a",
        "refusal), and the demand sheet as a grid with one column per ISO week of the year. The",
        "optional tables (`market`, `groups`, `hubs`) have their sheet, header only: left",
        "empty, the scenario has none.",
        "",
        "Each required table's sheet holds one **example row**, in grey italics (together a valid",
        "one-of-everything scenario, with ids beginning `EXEMPLE-`). Example rows are read like",
        "any other row, so that nothing a person typed over them is ever dropped: delete them,",
        "or write over them; a product, canteen or producer whose id still begins `EXEMPLE-`",
        "gets a warning at its row. The same bytes are written for the same year and language.",
        "",
        "## Demand as a grid",
        "",
        "The `demand` table may also be typed the way people plan: one row per canteen and",
        "product (`canteen_id`, `product_id`), one column per week. The layout is told from the",
        "header: a demand table without `week` and `qty` columns whose other headers name weeks",
        "(`2026-W03`, `S03`, or a date) is a grid. An empty cell is no demand; a 0 is kept.",
        "Two columns of the same week (`S03` and `2026-W03`) are an error naming both.",
        "Headers other than weeks are ignored with a warning. Problems in a cell name the",
        "grid's row and the column `qty`.",
        "",
        "## Values read with a fix",
        "",
        "A value written another way that can mean one thing only is read with a warning",
        "naming the file, row and column, the value read and the value used; one that could",
        "mean more than one thing is an error.",
        "",
        "| written | read as | when |",
        "|---|---|---|",
        "| `Fruits et légumes`, `Label Rouge`, `Pièce` | `FRUITS_ET_LEGUMES`, `LABEL_ROUGE`,"
        " `piece` | accents, case, spaces and hyphens aside, it is the code |",
        "| `AB`, `Agriculture biologique`, `AOC`, `AOP`, `kilo`, `litre` | `BIO`, `BIO`,"
        " `AOCAOP`, `AOCAOP`, `kg`, `l` | a known other name (`rhd_match.inputs.fixes`) |",
        "| `3 000`, `1 234,50` (spaces or no-break spaces between thousands) | 3000, 1234.5 |"
        " always (a plain decimal comma, `12,5`, is read without a warning) |",
        "| `1,85 €`, `1,85 EUR` | 1.85 | in a column of euros; elsewhere an error |",
        "| `25 %` | 0.25 | in a column of fractions (targets); elsewhere an error |",
        "| `12,5 km`, `18 min`, `2 000 kg`, `300 kg/semaine`, `420 repas`, `0,80 €/km`,"
        " `0,30 € HT/kg` | 12.5, 18, 2000, 300, 420, 0.8, 0.3 | the unit is the column's own"
        " (below: km, min, kg, meals/day, …), with one"
        " warning per table and column, not per cell; another unit (`2 t` in kg, `31 m` in km)"
        " is an error saying the unit the column holds; any unit in a column in each product's"
        " own unit (`qty`, `max_qty_per_week`, `conversion`) is an error: write the number"
        " alone |",
        "| `2026-W3`, `2026-w03`, `2026-S03`, `2026 S3` | `2026-W03` | always (a week the year"
        " does not have is an error) |",
        "| a date: a date cell, `2026-01-12`, `12/01/2026` (day first) | its ISO week,"
        " `2026-W03` | always |",
        "| `S03`, `W3`, `Semaine 3` | `2026-W03` | the year is that of the weeks written in full"
        " or as dates in the offers and demand tables: when they lie in one ISO year, that year;"
        " when they span several, the one year whose week 3 lies between the first and the"
        " last of them; otherwise an error |",
        "",
        "A close or partial name (`Fruits`, `Viande`) is never guessed; a number with both",
        "separators (`1.234,50`, `1,234.50`) is an error.",
        "",
        "Every number column has a largest value. Where the column sets none of its own, its",
        "unit's ceiling applies (`rhd_match.inputs.schema.CEILINGS`): far above any",
        "territory's figure (a central kitchen of 30,000 meals a day buys about 50 t of food a",
        "week; an estimate), far below what breaks the solver's arithmetic. A larger value is",
        "an error: it is a code pasted, or an exponent typed, in a number column.",
        "",
    ]
    for table in TABLES.values():
        out += [f"## `{table.name}`", "", table.doc, "", f"Key: `{', '.join(table.key)}`."]
        if table.foreign:
            refs = ", ".join(f"`{c}` → `{t}`" for c, t in table.foreign.items())
            out += ["", f"References: {refs}."]
        out += [
            "",
            "| column | type | unit | required | allowed values | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for c in table.columns:
            allowed = _allowed(c)
            req = "yes" if c.required and not c.nullable else ("column" if c.required else "no")
            out.append(f"| `{c.name}` | {c.kind} | {c.unit} | {req} | {allowed} | {c.doc} |")
        out.append("")
    return "\n".join(out)


def _allowed(c: Column) -> str:
    if c.choices:
        return ", ".join(f"`{x}`" for x in c.choices)
    bounds = []
    if c.positive:
        bounds.append("> 0")
    if c.minimum is not None:
        bounds.append(f"≥ {c.minimum:g}")
    if c.maximum is not None:
        bounds.append(f"≤ {c.maximum:,.0f}" if c.maximum >= 1000 else f"≤ {c.maximum:g}")
    return ", ".join(bounds)


if __name__ == "__main__":
    print(reference_markdown())
