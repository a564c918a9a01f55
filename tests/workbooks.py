"""Reading OUT.xlsx back in tests (openpyxl), as OUT.csv's texts: shared by the unit tests and
the Gherkin steps."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from openpyxl.utils.escape import unescape

from cart_screen.i18n import Language
from cart_screen.workbook_out import fitted


def text_of(value: object) -> str:
    """A cell as OUT.csv would hold it: blank is empty, a number its digits, text unescaped
    (openpyxl leaves Excel's _xHHHH_ escapes of control characters as they are stored)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    assert isinstance(value, str), value
    return str(unescape(value))


def sheet_rows(path: Path) -> list[list[str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        return [[text_of(value) for value in row] for row in rows]
    finally:
        book.close()


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def same_width(rows: list[list[str]], width: int) -> list[list[str]]:
    """Rows padded to the header's width (a workbook row ends at its last non-blank cell)."""
    return [row + [""] * (width - len(row)) for row in rows]


def formula_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def assert_same_rows(out_csv: Path, out_xlsx: Path, language: Language = "en") -> None:
    """The same texts; one longer than a cell holds is cut, saying so (see fitted)."""
    expected = [[fitted(cell, language) for cell in row] for row in csv_rows(out_csv)]
    got = same_width(sheet_rows(out_xlsx), len(expected[0]))
    assert got == expected
