"""The workbook reader's parts that batch's speed rests on: the sheet opened and its XML scanned on
a thread of its own (workbook.SheetReading), its rows streamed, typed cells converted once."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cart_screen.list_records import BatchInputError
from cart_screen.reading import SheetCell, cell_text
from cart_screen.workbook import SheetReading, read_workbook
from workbooks import Sheets, write_workbook


def _records(path: Path, sheet: str | None = None, **options: object) -> list[list[str]]:
    listed = read_workbook(path, "xlsx", sheet, {}, **options)  # type: ignore[arg-type]
    return [[cell_text(cell) for cell in row] for chunk in listed.chunks for row in chunk.cells]


def test_a_cell_with_no_value_is_marked_in_its_column_when_the_sheet_starts_right_of_a(
    tmp_path: Path,
) -> None:
    # A streamed sheet's rows start at column A, as the scan counts (calamine reading a sheet
    # whole starts them at the first column holding a value: C here).
    path = write_workbook(
        tmp_path / "offset.xlsx",
        {
            "Referrals": [
                ["", "", "patient_id", "lvef_percent", "prior_systemic_lines"],
                ["", "", "R-1", "{error #N/A}", "{number 2}"],
                ["", "", "R-2", "{number 35}", "{error #DIV/0!}"],
            ]
        },
    )
    listed = read_workbook(path, "xlsx", None, {})
    rows = [row for chunk in listed.chunks for row in chunk.cells]
    assert [cell_text(cell) for cell in rows[0]] == ["", "", "R-1", "#N/A", "2"]
    assert [cell_text(cell) for cell in rows[1]] == ["", "", "R-2", "35", "#DIV/0!"]
    marked = rows[0][3]
    assert isinstance(marked, SheetCell)
    assert marked.problem is not None


def test_a_reading_started_early_is_used_and_one_for_another_sheet_is_not(tmp_path: Path) -> None:
    sheets: Sheets = {
        "One": [["patient_id"], ["A-1"]],
        "Two": [["patient_id"], ["B-1"]],
    }
    path = write_workbook(tmp_path / "two.xlsx", sheets)
    assert _records(path, "Two", reading=SheetReading(path, "xlsx", "Two")) == [["B-1"]]
    # Started for the first sheet, asked for the second: the second is read.
    assert _records(path, "Two", reading=SheetReading(path, "xlsx", None)) == [["B-1"]]


def test_calamines_refusal_on_its_thread_is_raised_where_the_sheet_is_asked_for(
    tmp_path: Path,
) -> None:
    path = write_workbook(tmp_path / "one.xlsx", {"One": [["patient_id"], ["A-1"]]})
    reading = SheetReading(path, "xlsx", "Missing")
    with pytest.raises(BatchInputError, match="there is no sheet named Missing"):
        read_workbook(path, "xlsx", "Missing", {}, reading=reading)


def test_typed_cells_keep_their_type_though_their_values_are_equal(tmp_path: Path) -> None:
    # True == 1 == 1.0 in Python: each must still be read as its own cell, in any order.
    row = ["{TRUE}", "{number 1}", "{FALSE}", "{number 0}", "{number 1.5}", "{TRUE}"]
    header = ["patient_id", *(f"c{n}" for n in range(len(row)))]
    path = write_workbook(
        tmp_path / "typed.xlsx", {"S": [header, ["A-1", *row], ["A-2", *reversed(row)]]}
    )
    expected = ["TRUE", "1", "FALSE", "0", "1.5", "TRUE"]
    assert _records(path) == [["A-1", *expected], ["A-2", *reversed(expected)]]


# ---------------------------------------------------------------- a streamed sheet's edges


def test_a_last_row_holding_only_a_formula_never_calculated_is_a_record(tmp_path: Path) -> None:
    # The stream ends at the last row with a value; this row has none, but it is data.
    path = write_workbook(
        tmp_path / "last.xlsx",
        {
            "S": [
                ["patient_id", "lvef_percent", "prior_systemic_lines"],
                ["A-1", "{number 55}", "{number 2}"],
                ["", "", "{formula =B3*2 never calculated}"],
            ]
        },
    )
    listed = read_workbook(path, "xlsx", None, {})
    rows = [
        (number, row)
        for chunk in listed.chunks
        for number, row in zip(chunk.numbers or [], chunk.cells, strict=True)
    ]
    assert [number for number, _ in rows] == [2, 3]
    last = rows[1][1]
    assert [cell_text(cell) for cell in last] == ["", "", "=B3*2"]
    assert isinstance(last[2], SheetCell)
    assert last[2].problem is not None


def test_every_row_is_as_wide_as_the_header_row(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "widths.xlsx",
        {
            "S": [
                ["patient_id", "lvef_percent", "diagnosis"],
                ["A-1"],  # ends at its first cell
                ["A-2", "{number 40}", "DLBCL_NOS", "a note", "", "another"],  # beyond the header
                ["", "", "", "only a note right of the header"],  # data: a record (no id)
                [],  # empty: skipped and counted
                ["A-3", "", "PMBCL"],
            ]
        },
    )
    listed = read_workbook(path, "xlsx", None, {})
    records = [[cell_text(cell) for cell in row] for chunk in listed.chunks for row in chunk.cells]
    # As wide as the header row as the sheet has it: to the sheet's last column with a value.
    assert records == [
        ["A-1", "", "", "", "", ""],
        ["A-2", "40", "DLBCL_NOS", "a note", "", "another"],
        ["", "", "", "only a note right of the header", "", ""],
        ["A-3", "", "PMBCL", "", "", ""],
    ]
    assert listed.facts.empty_rows == 1


def test_a_sheet_damaged_past_its_first_rows_is_refused_once_reached(tmp_path: Path) -> None:
    rows = [["patient_id", "lvef_percent"], *[[f"A-{n}", "{number 50}"] for n in range(3000)]]
    good = write_workbook(tmp_path / "good.xlsx", {"S": rows})
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b'<row r="2500"')
                data = data[:at] + b"<row r=" + data[at + 20 :]  # broken XML
            target.writestr(item, data)
    listed = read_workbook(damaged, "xlsx", None, {})
    with pytest.raises(BatchInputError, match="damaged"):
        for _ in listed.chunks:
            pass


def test_a_whole_number_beyond_15_digits_is_an_error_whatever_type_calamine_gives_it(
    tmp_path: Path,
) -> None:
    # Streamed, a whole number cell comes as an int up to 2**53, as a float beyond.
    row = ["{number 5000000000000000}", "{number 100000000000000000000}", "{number 123}"]
    path = write_workbook(tmp_path / "digits.xlsx", {"S": [["patient_id", "a", "b"], row]})
    cells = [
        cell for chunk in read_workbook(path, "xlsx", None, {}).chunks for cell in chunk.cells[0]
    ]
    for cell in cells[:2]:
        assert isinstance(cell, SheetCell)
        assert cell.problem is not None
    assert cells[2] == "123"
