"""The workbook reader's parts that batch's speed rests on: the sheet opened and its XML scanned on
a thread of its own (workbook.SheetReading), its rows streamed, typed cells converted once."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from cart_screen import workbook
from cart_screen.cli import app
from cart_screen.i18n import Language, M
from cart_screen.list_records import BatchInputError
from cart_screen.reading import SheetCell, cell_text
from cart_screen.workbook import SheetReading, read_workbook
from workbooks import FAILING_FIRST_ROWS, Sheets, failing_first_rows, write_bomb, write_workbook


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


# ---------------------------------------------------------------- a small file, a huge part


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")


def test_a_part_that_unpacks_far_beyond_its_packing_is_refused_before_it_is_read(
    bomb: Path,
) -> None:
    assert bomb.stat().st_size < 100_000  # 48 MB of one cell
    for read in (
        lambda: workbook.workbook_kind(bomb),
        lambda: read_workbook(bomb, "xlsx", None, {}),  # a caller that knew the kind
    ):
        with pytest.raises(BatchInputError) as refused:
            read()
        said = refused.value.said("en")
        assert said.startswith("the workbook is not read: a part of it unpacks from ")
        assert " KB to 48 MB (packed " in said
        assert "\n" not in said


@pytest.mark.parametrize(
    ("unpacked", "packed", "refused"),
    [
        (workbook.UNPACKED_FLOOR, 1, False),  # up to the floor, whatever its packing
        (workbook.UNPACKED_FLOOR + 1, workbook.UNPACKED_FLOOR // 100, True),
        (workbook.UNPACKED_FLOOR + 1, workbook.UNPACKED_FLOOR // 99, False),  # ≤ 100:1
        (100 * 2**20 * 10, 100 * 2**20, False),  # a big sheet packed as sheets are (~10:1)
        (2**31, 2**20, True),
    ],
)
def test_a_part_is_refused_above_the_floor_when_packed_beyond_the_ratio(
    unpacked: int, packed: int, refused: bool
) -> None:
    member = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    member.file_size, member.compress_size = unpacked, packed

    class Archive:
        def infolist(self) -> list[zipfile.ZipInfo]:
            return [zipfile.ZipInfo("xl/workbook.xml"), member]

    if refused:
        with pytest.raises(BatchInputError):
            workbook._refuse_bombs(Archive())  # type: ignore[arg-type]
    else:
        workbook._refuse_bombs(Archive())  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_batch_refuses_the_bomb_in_one_line_exit_2_and_writes_nothing(
    runner: CliRunner, bomb: Path, tmp_path: Path, lang: Language
) -> None:
    out = tmp_path / "out.xlsx"
    run = runner.invoke(app, ["batch", str(bomb), "-o", str(out), "--lang", lang])
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    message = M.WORKBOOK_TOO_UNPACKED.zh if lang == "zh" else M.WORKBOOK_TOO_UNPACKED.en
    said = message.split("{")[0]  # up to the sizes
    assert said in run.stderr
    assert "Traceback" not in run.output + run.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- a sheet whose first row fails


SAYS = {
    "bad number": M.WORKBOOK_WHY_NUMBER,
    "external entity": M.WORKBOOK_WHY_ENTITY,
    "shared string": M.WORKBOOK_WHY_SHARED_STRING,
}


@pytest.mark.parametrize("kind", FAILING_FIRST_ROWS)
def test_a_sheet_refused_at_its_first_rows_is_a_damaged_workbook_saying_why_in_words(
    tmp_path: Path, kind: str
) -> None:
    path = failing_first_rows(tmp_path / "first.xlsx", kind)
    with pytest.raises(BatchInputError) as refused:
        read_workbook(path, "xlsx", None, {})
    for lang in ("en", "zh"):
        said = refused.value.said(lang)
        assert SAYS[kind](lang) in said
        assert "Error" not in said
        assert "Calamine" not in said


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", FAILING_FIRST_ROWS)
def test_batch_refuses_a_sheet_failing_at_its_first_rows_in_one_line_exit_2(
    runner: CliRunner, tmp_path: Path, kind: str, lang: Language
) -> None:
    path = failing_first_rows(tmp_path / "f.xlsx", kind)
    out = tmp_path / "out" / "results.csv"
    out.parent.mkdir()
    run = runner.invoke(app, ["batch", str(path), "-o", str(out), "--lang", lang])
    assert run.exit_code == 2, run.output
    assert run.stderr.count("\n") == 1
    assert "internal error" not in run.stderr
    assert "Traceback" not in run.output + run.stderr
    assert list(out.parent.iterdir()) == []


# ---------------------------------------------------------------- numbers shown as percentages


def test_a_number_formatted_as_a_percentage_is_read_as_the_percentage_the_sheet_shows(
    tmp_path: Path,
) -> None:
    rows = [
        ["patient_id", "lvef_percent"],
        ["P-1", "{percent 0.45}"],  # typed `45%` in Excel: built-in format 9 (0%)
        ["P-2", "{percent 0.455}"],  # shown as 46%: read as stored, 45.5%, never rounded
        ["P-3", "{percent 0.355 as 0.0%}"],  # a format code of its own
        ["P-4", "{percent 0.4 as 0.00%}"],  # built-in format 10
        ["P-5", '{percent 0.45 as 0"%"}'],  # a quoted % shows the number as it is: 0
        ["P-6", "{percent 0.45 as 0\\%}"],  # an escaped one, the same
        ["P-7", "{number 0.45}"],
        ["P-8", "45"],  # text: what it says
        ["P-9", "{formula =0.3+0.05 gives 0.35}"],
    ]
    path = write_workbook(tmp_path / "percent.xlsx", {"S": rows})
    assert [row[1] for row in _records(path)] == [
        "45%", "45.5%", "35.5%", "40%", "0.45", "0.45", "0.45", "45", "0.35",
    ]  # fmt: skip


def test_a_percent_style_is_found_whoever_wrote_the_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["patient_id", "lvef_percent", "prior_systemic_lines"])
    for number, (lvef, code) in enumerate([(0.35, "0%"), (0.5, "0.0%"), (50, "General")]):
        sheet.append([f"O-{number}", lvef, 2])
        sheet.cell(number + 2, 2).number_format = code
    sheet.cell(2, 3).number_format = "0%"  # a percent style on another column's cell
    book.save(tmp_path / "openpyxl.xlsx")
    records = _records(tmp_path / "openpyxl.xlsx")
    assert [row[1:] for row in records] == [["35%", "200%"], ["50%", "2"], ["50", "2"]]


def test_a_workbook_without_percent_styles_scans_for_none(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plain.xlsx", {"S": [["patient_id"], ["{number 1}"]]})
    with zipfile.ZipFile(path) as archive:
        assert workbook.percent_styles(archive) == frozenset()
    assert workbook._tokens(b"", frozenset()) == (b"<f", b'"e"', b"<mergeCell ")


def test_the_percent_cells_reach_the_part_of_a_sheet_read_by_another_process(
    tmp_path: Path,
) -> None:
    rows = [["patient_id", "lvef_percent"], *[[f"A-{n}", "{percent 0.3}"] for n in range(300)]]
    path = write_workbook(tmp_path / "long.xlsx", {"S": rows})
    listed = read_workbook(path, "xlsx", None, {})
    part = listed.split(150)
    assert part is not None
    facts = workbook.SheetFacts("xlsx", "S", 0, 0)
    cells = {row[1] for chunk in workbook.part_chunks(part, facts) for row in chunk.cells}
    assert cells == {"30%"}
    assert {row[1] for chunk in listed.chunks for row in chunk.cells} == {"30%"}


@pytest.mark.parametrize("before", range(0, 40, 3))
def test_a_cell_or_a_merged_range_across_two_blocks_of_the_scan_is_found(
    before: int,
) -> None:
    """The scan reads a sheet's XML a block at a time and goes on from `stop`, _TOKEN bytes
    before the block's end: a tag that starts before it and ends after it is found once."""
    import io

    stop = workbook._SCAN_BLOCK - workbook._TOKEN
    head = b'<worksheet><sheetData><row r="5">'
    tags = (
        b'<c r="D5" s="3"><v>0.45</v></c>',
        b'<mergeCell ref="B3:B5"/>',
        b'<c r="D5" t="e"><v>#N/A</v></c>',
        b'<c r="D5"><f>B5*2</f></c>',
    )
    for tag in tags:
        padding = b" " * (stop - before - len(head))
        xml = head + padding + tag + b"</row></sheetData>" + b" " * 2_000_000 + b"</worksheet>"
        scanned = workbook.Scanned()
        workbook._scan(io.BytesIO(xml), scanned, 0, False, frozenset({3}))
        if b's="3"' in tag:
            assert scanned.percent == {3: [[5, 5]]}
        elif tag.startswith(b"<merge"):
            assert [merge.cells for merge in scanned.merged] == ["B3:B5"]
        else:  # an error cell, a formula never calculated
            assert list(scanned.unreadable) == [5], tag
            assert list(scanned.unreadable[5]) == [3]


def test_a_sheet_is_named_regardless_of_case_as_excel_names_it(tmp_path: Path) -> None:
    """A tryout's `--sheet referrals` was refused for the sheet `Referrals`: Excel tells sheet
    names apart regardless of case (as XlsxWriter and openpyxl do), so the one sheet so named is
    read, and the summary names it as the workbook does; a name no sheet has is refused."""
    sheets: Sheets = {"Notes": [["x"]], "Referrals": [["patient_id"], ["R-1"]]}
    source = write_workbook(tmp_path / "list.xlsx", sheets)
    out = tmp_path / "out.csv"
    run = CliRunner().invoke(app, ["batch", str(source), "-o", str(out), "--sheet", "referrals"])
    assert run.exit_code == 0, run.stderr
    assert "sheet: Referrals" in run.stderr
    assert out.read_text("utf-8").splitlines()[1].startswith("2,R-1,")
    refused = CliRunner().invoke(app, ["batch", str(source), "-o", str(out), "--sheet", "Ref"])
    assert refused.exit_code == 2
    assert "Notes, Referrals" in refused.stderr


def test_a_text_file_named_as_a_workbook_says_so_when_it_is_refused(tmp_path: Path) -> None:
    """A coordinator who chose an "Excel file" was told only about CSV columns and encodings
    (a tryout): the refusal first says the file holds text and was read as CSV."""
    source = tmp_path / "list.xlsx"
    source.write_text("hello\n", encoding="utf-8")
    run = CliRunner().invoke(app, ["batch", str(source), "-o", str(tmp_path / "o.csv")])
    assert run.exit_code == 2
    note = "the file is named .xlsx but holds text, not a workbook: read as CSV; no patient_id"
    assert note in run.stderr
    assert run.stderr.count("\n") == 1
