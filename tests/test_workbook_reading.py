"""The workbook reader's parts that batch's speed rests on: calamine reading the sheet on a thread
of its own while this one scans the XML (workbook.SheetReading), typed cells converted once."""

from __future__ import annotations

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
    # calamine's rows start at the first column holding a value (C here); the scan counts from A.
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
    assert [cell_text(cell) for cell in rows[0]] == ["R-1", "#N/A", "2"]
    assert [cell_text(cell) for cell in rows[1]] == ["R-2", "35", "#DIV/0!"]
    marked = rows[0][1]
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
    assert reading.name() is None
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
