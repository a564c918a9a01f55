"""`log export`: the whole log as a CSV file or an Excel workbook, written whole or not at all.

The rows come from one function (views.export_rows), so a workbook and a CSV file hold the same
cells. Every cell is written as text, never as a formula: in CSV a cell a spreadsheet would run
gets a leading `'` (render.spreadsheet_safe), in the workbook each cell is written as a string.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from cart_screen.files import atomic_write
from cart_screen.i18n import Language
from cart_screen.render import spreadsheet_safe

FORMATS = (".csv", ".xlsx")


def write_export(
    path: Path, header: tuple[str, ...], rows: Iterable[list[str]], language: Language = "en"
) -> int:
    """Write the header and rows to `path` (.csv or .xlsx, by its suffix); the rows written.
    In a workbook a text longer than a cell holds is cut, saying so (in `language`)."""
    if path.suffix.lower() == ".xlsx":
        return _write_xlsx(path, header, rows, language)
    count = 0
    with atomic_write(path, encoding="utf-8-sig", newline="") as out:  # BOM: Excel reads UTF-8
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([spreadsheet_safe(cell) for cell in row])
            count += 1
    return count


def _write_xlsx(
    path: Path, header: tuple[str, ...], rows: Iterable[list[str]], language: Language
) -> int:
    """One sheet: the header frozen with an autofilter, every cell a string (the workbook
    writer OUT.xlsx is written with)."""
    from cart_screen.workbook_out import write_table

    with atomic_write(path) as out:
        return write_table(out.buffer, "log", header, rows, language)
