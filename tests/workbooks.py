"""Workbooks for the tests, made here with a writer library (XlsxWriter, openpyxl): never a
binary file in the repository; and OUT.xlsx read back (openpyxl) as OUT.csv's texts. Shared by
the unit tests and the Gherkin steps.

A sheet is written from rows of cells in a small notation, so that a feature file can show a
coordinator's workbook as a table:

- plain text is a text cell, whatever it looks like (`00123`, `=A1`, `+86 138 …`);
- `{number 12345}`, `{date 1962-05-30}`, `{TRUE}` / `{FALSE}` are typed cells;
- `{percent 0.45}` is the number 0.45 formatted as a percentage (`0%`: Excel shows 45%, as
  typing `45%` stores it); `{percent 0.355 as 0.0%}` with that format code;
- `{formula =1+1 gives 2}` is a formula with its value saved; `{error #N/A}` a formula whose
  saved value is that error; `{formula =B3*2 never calculated}` a formula with no value saved
  (only openpyxl writes those: the sheet is then written with openpyxl);
- `{title TEXT across N}` is TEXT in a cell merged across N columns (a title row); `{date
  1962-05-30 down N}` a date cell merged down N rows (the rows below it are left empty);
- an empty cell is left empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import struct
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine

from cart_screen.i18n import Language
from cart_screen.workbook_out import fitted

_TYPED = re.compile(r"\{(?P<kind>\w+)(?: (?P<value>.*?))?\}")
_FORMULA = re.compile(r"(?P<formula>=.+?) (?:gives (?P<value>.+)|never calculated)")
_TITLE = re.compile(r"(?P<text>.+) across (?P<columns>\d+)")

Sheets = dict[str, Sequence[Sequence[str]]]


def write_workbook(
    path: Path,
    sheets: Sheets,
    *,
    saved_by_excel: bool = True,
    hidden: Mapping[str, str] | None = None,
) -> Path:
    """Write the sheets (name -> rows of cells in the notation above), in order; those in
    `hidden` are hidden (`hidden`) or very hidden (`very hidden`: shown by no menu), and the
    workbook opens on its first visible sheet.

    A writer library asks Excel to recalculate the workbook when it is opened (`fullCalcOnLoad`),
    since the values it saved with formulas are only what it was told; Excel and WPS drop that
    when they save. `saved_by_excel` makes the workbook as they leave it (its formulas' values
    are theirs); without it, as the program wrote it."""
    hidden = hidden or {}
    if any("never calculated" in cell for rows in sheets.values() for row in rows for cell in row):
        assert not hidden, "hidden sheets are written with XlsxWriter only"
        _with_openpyxl(path, sheets)
    else:
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path))
        made: dict[str, Any] = {}

        def formatted(code: str) -> Any:
            if code not in made:
                made[code] = book.add_format({"num_format": code})
            return made[code]

        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    _write_xlsxwriter(sheet, r, c, cell.strip(), formatted)
        shown = [sheet for sheet in book.worksheets() if sheet.name not in hidden]
        shown[0].activate()
        shown[0].set_first_sheet()
        for sheet in book.worksheets():
            how = hidden.get(sheet.name)
            if how is not None:
                sheet.very_hidden() if how == "very hidden" else sheet.hide()
        book.close()
    if saved_by_excel:
        _without_recalculation(path)
    return path


def _without_recalculation(path: Path) -> None:
    """The workbook as Excel saves it: no request to recalculate it when it is opened."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb'\s+fullCalcOnLoad="(?:1|true)"', b"", data)
            archive.writestr(info, data)


def _write_xlsxwriter(
    sheet: Any, r: int, c: int, cell: str, formatted: Callable[[str], Any]
) -> None:
    typed = _TYPED.fullmatch(cell)
    day = formatted("yyyy-mm-dd")
    if not cell:
        return
    if typed is None:
        sheet.write_string(r, c, cell)
        return
    kind, value = typed["kind"], typed["value"] or ""
    if kind == "number":
        sheet.write_number(r, c, float(value))
    elif kind == "percent":
        number, _, code = value.partition(" as ")
        sheet.write_number(r, c, float(number), formatted(code or "0%"))
    elif kind == "date" and " down " not in value:
        sheet.write_datetime(r, c, dt.datetime.fromisoformat(value), day)
    elif kind in ("TRUE", "FALSE"):
        sheet.write_boolean(r, c, kind == "TRUE")
    elif kind == "formula":
        found = _FORMULA.fullmatch(value)
        assert found is not None, cell
        saved = found["value"]
        number = re.fullmatch(r"-?\d+(?:\.\d+)?", saved or "")
        sheet.write_formula(r, c, found["formula"], None, float(saved) if number else saved)
    elif kind == "error":
        sheet.write_formula(r, c, "=NA()" if value == "#N/A" else "=1/0", None, value)
    elif kind == "title":
        found = _TITLE.fullmatch(value)
        assert found is not None, cell
        sheet.merge_range(r, c, r, c + int(found["columns"]) - 1, found["text"])
    elif kind == "date" and " down " in value:
        day_text, _, rows = value.partition(" down ")
        written = dt.datetime.fromisoformat(day_text)
        sheet.merge_range(r, c, r + int(rows) - 1, c, None, day)
        sheet.write_datetime(r, c, written, day)
    else:
        raise AssertionError(f"unknown cell notation {cell!r}")


def _with_openpyxl(path: Path, sheets: Sheets) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                cell = cell.strip()
                typed = _TYPED.fullmatch(cell)
                if not cell:
                    continue
                if typed is None:
                    written = sheet.cell(r, c, cell)
                    written.data_type = "s"  # text, even '=A1'
                    continue
                kind, value = typed["kind"], typed["value"] or ""
                if kind == "number":
                    sheet.cell(r, c, float(value))
                elif kind == "date":
                    sheet.cell(r, c, dt.date.fromisoformat(value)).number_format = "yyyy-mm-dd"
                elif kind in ("TRUE", "FALSE"):
                    sheet.cell(r, c, kind == "TRUE")
                elif kind == "formula":
                    found = _FORMULA.fullmatch(value)
                    assert found is not None, cell
                    assert found["value"] is None, cell
                    sheet.cell(r, c, found["formula"])
                elif kind == "error":
                    sheet.cell(r, c, value)  # openpyxl writes an error code as an error cell
                else:
                    raise AssertionError(f"{cell!r} is not written with openpyxl here")
    book.save(path)
    return path


def write_ole2(path: Path, streams: Sequence[str]) -> Path:
    """An OLE2 compound file (what .xls files and password-protected .xlsx files are) holding
    empty streams of these names: enough for a reader that looks at its directory."""
    sector, end, free, no_stream = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)
    fat = struct.pack("<128I", 0xFFFFFFFD, end, *[free] * 126)
    entries = [("Root Entry", 5, 1 if streams else no_stream, no_stream)]
    for at, name in enumerate(streams, start=1):
        entries.append((name, 2, no_stream, at + 1 if at < len(streams) else no_stream))
    directory = bytearray(sector)
    for at, (name, kind, child, right) in enumerate(entries):
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
        struct.pack_into("<III", entry, 68, no_stream, right, child)
        struct.pack_into("<II", entry, 116, end, 0)
        directory[at * 128 : (at + 1) * 128] = entry
    for at in range(len(entries), 4):
        struct.pack_into("<III", directory, at * 128 + 68, no_stream, no_stream, no_stream)
    path.write_bytes(bytes(header) + fat + bytes(directory))
    return path


def write_bomb(path: Path, unpacked: int = 48 * 2**20) -> Path:
    """A referral workbook (two records) whose sheet holds one more row: a single text cell of
    `unpacked` bytes, which deflate packs ~1,000 times (a small file, a huge cell)."""
    small = write_workbook(path.with_name(path.stem + "-small.xlsx"), {"S": [
        ["patient_id", "diagnosis"], ["B-1", "DLBCL_NOS"], ["B-2", "PMBCL"],
    ]})  # fmt: skip
    with (
        zipfile.ZipFile(small) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b"</sheetData>")
                with target.open(item.filename, "w", force_zip64=True) as member:
                    member.write(data[:at] + b'<row r="4"><c r="A4" t="inlineStr"><is><t>')
                    for _ in range(unpacked >> 20):
                        member.write(b"A" * 2**20)
                    member.write(b"</t></is></c></row>" + data[at:])
            else:
                target.writestr(item.filename, data)
    small.unlink()
    return path


def with_part(path: Path, member: str, data: bytes) -> Path:
    """The workbook with one of its parts (`xl/worksheets/sheet1.xml`, `xl/styles.xml`) replaced
    by `data`, as a damaged or hand-made file would hold it."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, data if name == member else content)
    return path


_SHEET_HEAD = (
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>patient_id</t></is></c>'
    "</row>"
)
FAILING_FIRST_ROWS = {
    # a number cell whose number is not one, in the header row
    "bad number": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="n"><v>abc</v></c>'
    '<c r="B1" t="inlineStr"><is><t>patient_id</t></is></c></row></sheetData></worksheet>',
    # an external entity (never fetched: the sheet is refused)
    "external entity": _SHEET_HEAD.replace(
        "<worksheet", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]><worksheet'
    )
    + '<row r="2"><c r="A2" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>',
    # a shared string that is not in the workbook's table
    "shared string": _SHEET_HEAD
    + '<row r="2"><c r="A2" t="s"><v>99</v></c></row></sheetData></worksheet>',
}


def failing_first_rows(path: Path, kind: str) -> Path:
    """A workbook whose sheet calamine refuses as its first rows are read."""
    write_workbook(path, {"S": [["patient_id"], ["A-1"]]})
    return with_part(path, "xl/worksheets/sheet1.xml", FAILING_FIRST_ROWS[kind].encode())


# ---------------------------------------------------------------- OUT.xlsx read back


def text_of(value: object) -> str:
    """A cell as OUT.csv would hold it: blank is empty, a number its digits, text as read
    (openpyxl's reading is pandas's: nothing is unescaped here)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # calamine's numbers are floats
        value = int(value)
    if isinstance(value, int | float):
        return str(value)
    assert isinstance(value, str), value
    return value


def sheet_rows(path: Path) -> list[list[str]]:
    """The first sheet's rows as openpyxl (and so pandas.read_excel) reads them."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        return [[text_of(value) for value in row] for row in rows]
    finally:
        book.close()


def calamine_rows(path: Path) -> list[list[str]]:
    """The first sheet's rows as calamine (python-calamine; pandas's `engine="calamine"`) reads
    them, each up to its last non-blank cell (as openpyxl's)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    finally:
        book.close()
    texts = [[text_of(value) for value in row] for row in rows]
    for row in texts:
        while row and not row[-1]:
            row.pop()
    return texts


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
    """The same texts, read back with openpyxl and with calamine; one longer than a cell holds
    is cut, saying so (see fitted)."""
    expected = [[fitted(cell, language) for cell in row] for row in csv_rows(out_csv)]
    assert same_width(sheet_rows(out_xlsx), len(expected[0])) == expected
    assert same_width(calamine_rows(out_xlsx), len(expected[0])) == expected
