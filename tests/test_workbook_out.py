"""OUT.xlsx (issue 10, part 2): the same rows as OUT.csv, values only, frozen header, autofilter,
coloured outcomes, a summary sheet, the notice; written whole or not at all."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import gc
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cart_screen import workbook_out
from cart_screen.cli import app
from cart_screen.i18n import Language, M
from cart_screen.list_summary import Summary
from cart_screen.ruleset import default_ruleset
from cart_screen.workbook_out import ResultsWorkbook, WorkbookFull, workbook_bytes
from workbooks import (
    assert_same_rows,
    calamine_rows,
    csv_rows,
    formula_cells,
    same_width,
    sheet_rows,
    text_of,
)

REPO = Path(__file__).resolve().parents[1]
REFERRALS = REPO / "examples" / "referrals.csv"
CORPUS = REPO / "tests" / "hostile"
RULESET = default_ruleset()
DAY = dt.date(2026, 10, 15)
HEADER = (
    "patient_id,screening_date,date_of_birth,diagnosis,disease_status,prior_systemic_lines,"
    "lvef_percent,nyha_class"
)
OK = "2026-10-15,1962-05-30,DLBCL_NOS,relapsed,3,55,I"


def batch(runner: CliRunner, source: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(
        app, ["batch", str(source), "-o", str(out), "--as-of", "2026-10-15", *extra]
    )


def written_both_ways(
    runner: CliRunner, source: Path, folder: Path, *extra: str
) -> tuple[Path, Path]:
    out_csv, out_xlsx = folder / "out.csv", folder / "out.xlsx"
    for out in (out_csv, out_xlsx):
        run = batch(runner, source, out, *extra)
        assert run.exit_code == 0, run.output
    return out_csv, out_xlsx


# ---------------------------------------------------------------- the sheet


def test_the_workbook_has_the_csv_rows_values_only_a_frozen_header_and_an_autofilter(
    runner: CliRunner, tmp_path: Path
) -> None:
    out_csv, out_xlsx = written_both_ways(runner, REFERRALS, tmp_path)
    assert_same_rows(out_csv, out_xlsx)
    assert formula_cells(out_xlsx) == []
    book = openpyxl.load_workbook(out_xlsx)
    results, summary = book.worksheets
    assert (results.title, summary.title) == ("Results", "Summary")
    assert results.freeze_panes == "A2"
    records = len(csv_rows(out_csv)) - 1
    assert results.auto_filter.ref == f"A1:I{records + 1}"
    assert results["A2"].value == 1  # the row number is a number
    assert results["A2"].data_type == "n"
    assert results.max_row == records + 1  # nothing after the data: it reads back as a list


def test_outcomes_are_coloured_and_the_cells_that_need_attention_tinted(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        f"{HEADER}\r\nA,{OK}\r\nB,2026-10-15,1962-05-30,PMBCL,relapsed,3,55,I\r\n"
        "C,2026-10-15,1962-05-30,DLBCL_NOS,relapsed,3,,I\r\nD,too,few\r\n"
        "E,2026-10-15,1962-05-30,DLBCL_NOS,relapsed,3,abc,I\r\n",
        "utf-8",
    )
    out = tmp_path / "out.xlsx"
    assert batch(runner, source, out).exit_code == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    outcome, flagged, needs, errors = (
        header.index(name) for name in ("outcome", "flagged", "needs_info", "errors")
    )

    def fill(row: int, column: int) -> str | None:
        cell = sheet.cell(row, column + 1)
        return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None

    colour = {name: "FF" + fill_[1:] for name, (fill_, _) in workbook_out.COLOURS.items()}
    outcomes = [sheet.cell(row, outcome + 1).value for row in range(2, 7)]
    assert outcomes == ["needs_info", "flagged", "needs_info", "error", "needs_info"]
    assert [fill(row, outcome) for row in range(2, 7)] == [colour[o] for o in outcomes]
    assert fill(3, flagged) == colour["flagged"]  # B: the subtype
    assert fill(4, needs) == colour["needs_info"]  # C: no LVEF
    assert fill(5, errors) == colour["error"]  # D: a broken record
    assert fill(6, errors) == colour["error"]  # E: an LVEF that cannot be read
    assert fill(2, flagged) is None  # nothing flagged: no tint
    assert sheet.cell(1, outcome + 1).font.b  # the header stands out


def test_the_summary_sheet_has_the_terminal_summary_figures_and_the_notice(
    runner: CliRunner, tmp_path: Path
) -> None:
    out, figures_file = tmp_path / "out.xlsx", tmp_path / "summary.json"
    run = batch(runner, REFERRALS, out, "--summary", str(figures_file))
    assert run.exit_code == 0, run.output
    figures = json.loads(figures_file.read_text("utf-8"))
    book = openpyxl.load_workbook(out)
    rows = [[text_of(v) for v in row] for row in book.worksheets[1].iter_rows(values_only=True)]
    texts = [cell for row in rows for cell in row]
    assert M.NOTICE("en") in texts
    assert RULESET.sha256 in texts
    assert "2026-10-15" in texts
    by_first = {row[0]: row for row in rows if row and row[0]}
    assert set(figures["outcomes"]) <= set(by_first)
    outcome_rows = [row for row in rows if row[0] in figures["outcomes"] and row[2]]
    assert {row[0]: int(row[2]) for row in outcome_rows} == figures["outcomes"]
    assert by_first["all records"][2] == str(figures["records"])
    for rule in RULESET.rules:
        row = by_first[rule.id]
        counts = figures["rules"][rule.id]
        assert row[1] == rule.title("en")
        assert (int(row[2]), int(row[3])) == (counts["flagged"], counts["needs_info"])
    assert formula_cells(out) == []
    properties = book.properties
    assert properties.subject == M.NOTICE("en")
    assert properties.description == M.NOTICE("en")  # "comments"
    custom = {p.name: p.value for p in book.custom_doc_props.props}
    assert custom["ruleset_sha256"] == RULESET.sha256
    assert custom["notice"] == M.NOTICE("en")


def test_in_chinese_the_sheets_summary_and_notice_are_chinese_and_the_rows_the_csv_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        f"{HEADER}\r\n张三-1,{OK}\r\n李四-2,2026-10-15,1962-05-30,无此病,relapsed,3,x,I\r\n",
        "utf-8",
    )
    out_csv, out_xlsx = written_both_ways(runner, source, tmp_path, "--lang", "zh")
    assert_same_rows(out_csv, out_xlsx, "zh")
    book = openpyxl.load_workbook(out_xlsx)
    assert book.sheetnames == ["筛查结果", "汇总"]
    texts = {text_of(v) for row in book.worksheets[1].iter_rows(values_only=True) for v in row}
    assert M.NOTICE("zh") in texts
    assert M.WORKBOOK_TITLE("zh") in texts
    assert RULESET.rules[0].title("zh") in texts
    assert book.properties.subject == M.NOTICE("zh")


def test_jsonl_and_a_workbook_together(runner: CliRunner, tmp_path: Path) -> None:
    out, details = tmp_path / "out.xlsx", tmp_path / "d.jsonl"
    run = batch(runner, REFERRALS, out, "--jsonl", str(details))
    assert run.exit_code == 0, run.output
    lines = details.read_text("utf-8").splitlines()
    rows = sheet_rows(out)[1:]
    assert [json.loads(line)["patient_id"] for line in lines] == [row[1] for row in rows]


def test_a_workbook_read_back_is_a_referral_list_with_the_same_records(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The first sheet is a plain list (header in row 1, nothing after the data), so a list
    reader — here its rows saved as CSV — finds every record and patient id again."""
    out_xlsx = tmp_path / "out.xlsx"
    assert batch(runner, REFERRALS, out_xlsx).exit_code == 0
    rows = sheet_rows(out_xlsx)
    again = tmp_path / "again.csv"
    with again.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(same_width(rows, len(rows[0])))
    second = tmp_path / "second.csv"
    assert batch(runner, again, second).exit_code == 0
    assert [row[1] for row in csv_rows(second)] == [row[1] for row in rows]


# ---------------------------------------------------------------- texts that must stay text

AWKWARD_IDS = [
    "=1+1",
    "+86 138 0013 8000",
    "-5",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "<r><t>x</t></r>",
    '<r></r></is></c><c r="B2"><f>1+1</f></c><c r="C2" t="inlineStr"><is><r></r>',
    "_x0041_",
    "a\tb",  # a control character other than tab is refused (an error row, its id empty)
    " leading and trailing ",
    "007",
    "1e5",
    "TRUE",
    "2026-10-15",
    "https://example.org/x",
    "张三 · 𠀀",
]


def list_of_ids(source: Path, ids: list[str]) -> Path:
    """A referral list of the same record under each id."""
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER.split(","))
        writer.writerows([patient_id, *OK.split(",")] for patient_id in ids)
    return source


def test_ids_a_spreadsheet_would_run_or_convert_stay_the_texts_of_out_csv(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = list_of_ids(tmp_path / "in.csv", AWKWARD_IDS)
    out_csv, out_xlsx = written_both_ways(runner, source, tmp_path)
    assert_same_rows(out_csv, out_xlsx)
    assert formula_cells(out_xlsx) == []
    sheet = openpyxl.load_workbook(out_xlsx).worksheets[0]
    assert all(sheet.cell(row, 2).data_type == "s" for row in range(2, len(AWKWARD_IDS) + 2))
    with zipfile.ZipFile(out_xlsx) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


ESCAPED_IDS = [
    "cr\r\nlf",
    "_x000D_y",
    "_x0041_",
    "ax005F_b",  # openpyxl drops `x005F_` from a shared string: this one stays in its cell
    "<r>_x0041_\r</r>",
    "<r></r></si><si><f>1+1</f></r>",
]


def test_ids_with_excels_escapes_read_back_as_out_csv_has_them_with_openpyxl_and_calamine(
    runner: CliRunner, tmp_path: Path
) -> None:
    # each the first time, and again (then in the shared strings)
    source = list_of_ids(tmp_path / "in.csv", ESCAPED_IDS * 2)
    out_csv, out_xlsx = written_both_ways(runner, source, tmp_path)
    assert [row[1] for row in csv_rows(out_csv)[1:]] == ESCAPED_IDS * 2
    assert_same_rows(out_csv, out_xlsx)  # openpyxl's reading (pandas's) and calamine's
    assert formula_cells(out_xlsx) == []
    with zipfile.ZipFile(out_xlsx) as archive:
        for name in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
            assert "<f>" not in archive.read(name).decode(), name


def test_a_table_of_texts_with_excels_escapes_reads_back_as_written() -> None:
    buffer = io.BytesIO()
    rows = [[text, "plain"] for text in ESCAPED_IDS]
    assert workbook_out.write_table(buffer, "log", ["_x0041_ head", "b"], rows) == len(rows)
    path = Path(tempfile.mkdtemp()) / "table.xlsx"
    path.write_bytes(buffer.getvalue())
    expected = [["_x0041_ head", "b"], *rows]
    assert sheet_rows(path) == expected
    assert calamine_rows(path) == expected
    assert formula_cells(path) == []


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_table_cell_too_long_for_excel_is_cut_and_says_so(language: Language) -> None:
    """`log export` to .xlsx cut a 40,000-character id or form at 32,767 without a word (a
    tryout): the form's JSON no longer parsed, and nothing said it was not whole."""
    buffer = io.BytesIO()
    long = "R" * 40_000
    assert workbook_out.write_table(buffer, "log", ["patient_id"], [[long]], language) == 1
    path = Path(tempfile.mkdtemp()) / "table.xlsx"
    path.write_bytes(buffer.getvalue())
    cell = sheet_rows(path)[1][0]
    assert len(cell) <= workbook_out.CELL_LIMIT
    assert cell == workbook_out.fitted(long, language)
    assert cell.endswith(M.WORKBOOK_CELL_CUT(language, length="40,000", limit="32,767"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ids=st.lists(
        st.text(
            st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r\n"),
            min_size=1,
            max_size=12,
        ).filter(lambda t: t.strip() == t and t.strip()),
        min_size=1,
        max_size=12,
    )
)
def test_any_ids_give_the_same_rows_in_both_formats(ids: list[str], tmp_path: Path) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example: hypothesis runs many
    source = list_of_ids(folder / "in.csv", ids)
    out_csv, out_xlsx = written_both_ways(CliRunner(), source, folder)
    assert_same_rows(out_csv, out_xlsx)


def test_a_cell_longer_than_a_spreadsheet_holds_is_cut_and_says_so(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    long_id = "L" * 40_000
    source.write_text(f"{HEADER}\r\n{long_id},{OK}\r\nshort,{OK}\r\n", "utf-8")
    out = tmp_path / "out.xlsx"
    assert batch(runner, source, out).exit_code == 0
    rows = sheet_rows(out)
    cut = rows[1][1]
    assert len(cut) <= workbook_out.CELL_LIMIT
    assert cut.startswith("L" * 30_000)
    assert cut.endswith(M.WORKBOOK_CELL_CUT("en", length="40,000", limit="32,767"))
    assert rows[2][1] == "short"


def test_hostile_corpus_lists_give_the_same_rows_in_both_formats(
    runner: CliRunner, tmp_path: Path
) -> None:
    screened = 0
    for source in sorted(CORPUS.glob("*.csv")):
        folder = tmp_path / source.stem
        folder.mkdir()
        out_csv, out_xlsx = folder / "out.csv", folder / "out.xlsx"
        first = batch(runner, source, out_csv)
        second = batch(runner, source, out_xlsx)
        assert first.exit_code == second.exit_code, source.name
        assert first.stderr == second.stderr, source.name
        if first.exit_code == 0:
            assert_same_rows(out_csv, out_xlsx)
            assert formula_cells(out_xlsx) == [], source.name
            screened += 1
        else:
            assert sorted(p.name for p in folder.iterdir()) == []
    assert screened >= 10


# ---------------------------------------------------------------- rows as XML, as XlsxWriter writes them

RESULT_HEADER = ("row", "patient_id", "outcome", "flagged", "needs_info", "errors", "notice")
TRICKY_TEXTS = [
    "",
    " lead",
    "trail ",
    "\tx",
    "a\x00b\x1fc\x0b",
    "_x0041_ and _x00e9_",
    "<r>rich?</r>",
    "<r><t>=1+1</t></r>",
    "&<>\"'",
    "\u202e\ufffe\uffff",
    "𝕏 emoji 😀",
    "中文 诊断",
    "line\nbreak",
    "=1+1",
    "L" * 40_000,
]


def reference_rows(book: ResultsWorkbook, rows: list[tuple[str, ...]]) -> None:
    """The data rows written cell by cell with XlsxWriter's own write_string and write_number,
    in the formats ResultsWorkbook gives them (how OUT.xlsx was written before it wrote XML)."""
    sheet, formats = book._results, book._cell_formats
    for row, cells in enumerate(book._measured(iter(rows)), start=1):
        for column, text in enumerate(cells):
            if len(text) > workbook_out.CELL_LIMIT // 2:
                text = workbook_out.fitted(text, book.language)
            if column == 0 and workbook_out._whole_number(text):
                sheet.write_number(row, 0, int(text), formats[0])
                continue
            if not text:
                continue
            cell_format = formats[column] if column < len(formats) else None
            if isinstance(cell_format, dict):
                cell_format = cell_format.get(text if column == 2 else "tinted")
            sheet.write_string(row, column, text, cell_format)
    # XlsxWriter holds the last row until the workbook closes, after the summary sheet's formats
    # are numbered: out now, its formats are numbered as ResultsWorkbook numbers them.
    sheet.write_held_row()
    book._next = len(rows) + 1


def results_workbook(rows: list[tuple[str, ...]], reference: bool = False) -> io.BytesIO:
    buffer = io.BytesIO()
    summary = Summary(tuple(rule.id for rule in RULESET.rules))
    with ResultsWorkbook(buffer, RULESET, DAY) as book:
        book.add_rows([RESULT_HEADER])
        if reference:
            reference_rows(book, rows)
        else:
            book.add_rows(rows)
        book.finish(summary)
    return buffer


def sheet_parts(rows: list[tuple[str, ...]], reference: bool) -> tuple[bytes, bytes]:
    """The results sheet's XML and the styles, every text in its cell (XlsxWriter's way in
    constant-memory mode: shared strings off)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workbook_out, "SHARED_STRINGS", False)
        buffer = results_workbook(rows, reference)
    with zipfile.ZipFile(buffer) as archive:
        return archive.read("xl/worksheets/sheet1.xml"), archive.read("xl/styles.xml")


def cells_as_read(buffer: io.BytesIO) -> list[list[tuple[Any, ...]]]:
    """Every cell of both sheets as openpyxl reads it: value, type, fill, font colour, bold."""
    book = openpyxl.load_workbook(buffer)
    return [
        [
            (c.coordinate, c.value, c.data_type, c.fill.fgColor.rgb, c.font.color, c.font.b)
            for row in sheet.iter_rows()
            for c in row
        ]
        for sheet in book.worksheets
    ]


def test_rows_as_xml_are_what_xlsxwriter_writes_cell_by_cell() -> None:
    rows = [
        ("1", "P-1", "flagged", "indication.subtype", "", "", M.NOTICE("en")),
        ("007", "P-2", "needs_info", "", "precaution.cardiac", "", M.NOTICE("en")),
        ("", "", "", "", "", "", ""),  # a row of blanks: no row in the sheet
        ("3", "P-1", "error", "", "", "record: has 2 cells", M.NOTICE("en"), "beyond"),
        ("12345678901234567", *TRICKY_TEXTS[:6]),
        ("4", *TRICKY_TEXTS[6:12]),
        ("5", "no_flags", "no_flags", *TRICKY_TEXTS[12:]),
        ("6", "P-1", "flagged", "indication.subtype", "", "", M.NOTICE("en")),  # texts again
    ]
    assert sheet_parts(rows, reference=False) == sheet_parts(rows, reference=True)
    # Repeated texts in the shared strings read back as the same cells, in the same formats.
    shared = results_workbook(rows)
    with zipfile.ZipFile(shared) as archive:
        # the notice thrice after its first time, P-1 twice, flagged and its rule once each;
        # the three texts with Excel's escapes the first time (see _TextSheet.escaped)
        assert 'count="10" uniqueCount="7"' in archive.read("xl/sharedStrings.xml").decode()
    assert cells_as_read(shared) == cells_as_read(results_workbook(rows, reference=True))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "0", "x", ""]),
            *[st.text(max_size=8) | st.sampled_from(TRICKY_TEXTS[:14]) for _ in range(6)],
        ),
        max_size=6,
    )
)
def test_any_rows_as_xml_are_what_xlsxwriter_writes(rows: list[tuple[str, ...]]) -> None:
    assert sheet_parts(rows, reference=False) == sheet_parts(rows, reference=True)
    shared = cells_as_read(results_workbook(rows * 2))  # each text at least twice
    assert shared == cells_as_read(results_workbook(rows * 2, reference=True))


def pieces_workbook(rows: Sequence[Sequence[str]], chunk: int) -> bytes:
    """OUT.xlsx's sheet from rows as batch has them, in pieces (number, middle, end)."""
    buffer = io.BytesIO()
    with ResultsWorkbook(buffer, RULESET, DAY) as book:
        book.add_rows([RESULT_HEADER])
        end = f",{csv_text([M.NOTICE('en')]).removesuffix(chr(13) + chr(10))}\r\n"
        for first in range(0, len(rows), chunk):
            some = rows[first : first + chunk]
            middles = [csv_text(cells[1:-1]).removesuffix("\r\n") for cells in some]
            book.add_pieces([int(cells[0]) for cells in some], middles, end)
        book.finish(Summary(tuple(rule.id for rule in RULESET.rules)))
    with zipfile.ZipFile(buffer) as archive:
        return archive.read("xl/worksheets/sheet1.xml") + archive.read("xl/sharedStrings.xml")


def csv_text(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def test_rows_in_pieces_are_the_rows_put_together() -> None:
    """batch hands OUT.xlsx each record's number, middle and the rows' end: past the rows that
    set the column widths, they are written without being put together and read back."""
    texts = [t for t in TRICKY_TEXTS if t and len(t) < 100] + ["a,b", 'say "x"', "a\r\nb"]
    rows: list[tuple[str, ...]] = [
        (
            str(number + 2),
            f"P-{number % 700}" if number % 2 else f"P-{number}",  # met again, and new ones
            ["flagged", "needs_info", "no_flags", "error"][number % 4],
            texts[number % len(texts)] if number % 3 else "",
            "precaution.cardiac" if number % 5 else "",
            texts[number % 7] if number % 11 else f"x: {number // 22} is not a number",
            M.NOTICE("en"),
        )
        for number in range(workbook_out._MEASURED_ROWS + 1_500)
    ]
    buffer = results_workbook(rows)
    with zipfile.ZipFile(buffer) as archive:
        whole = archive.read("xl/worksheets/sheet1.xml") + archive.read("xl/sharedStrings.xml")
    assert pieces_workbook(rows, 500) == whole
    assert pieces_workbook(rows, 1_999) == whole


# ---------------------------------------------------------------- outputs refused, nothing left


@pytest.mark.parametrize("name", ["out.xls", "out.ods", "out.xlsm", "out.json"])
def test_another_extension_is_a_usage_error_before_anything_is_screened(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    run = batch(runner, REFERRALS, tmp_path / name)
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert "OUT's format follows its extension" in run.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["out.XLSX", "results"])
def test_the_extension_chooses_the_format_whatever_its_case(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    assert batch(runner, REFERRALS, out).exit_code == 0
    assert zipfile.is_zipfile(out) == (name == "out.XLSX")


def test_the_input_as_the_output_is_refused_and_left_as_it_was(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "list.xlsx"
    source.write_bytes(REFERRALS.read_bytes())
    run = batch(runner, source, source)
    assert run.exit_code == 2
    assert "is the input" in run.stderr
    assert source.read_bytes() == REFERRALS.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["list.xlsx"]


def test_a_folder_that_cannot_be_written_is_one_line_and_nothing_is_left(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root writes anyway: refuse as the kernel would
        real = tempfile.mkstemp

        def refused(*args: Any, **kwargs: Any) -> tuple[int, str]:
            if Path(kwargs.get("dir") or ".") == folder:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
            return real(*args, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    try:
        run = batch(runner, REFERRALS, folder / "out.xlsx")
    finally:
        folder.chmod(0o700)
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert f"cannot write the results to {folder}" in run.stderr
    assert ": permission denied (this user may not write there); nothing written" in run.stderr
    assert "Error" not in run.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("where", "target", "name"),
    [
        ("while the workbook is put together", zipfile.ZipFile, "write"),
        ("at the last flush", os, "fsync"),
        ("in the middle of the sheet's rows", workbook_out._TwoThreadDeflate, "compress"),
    ],
)
def test_a_full_disk_leaves_the_old_file_and_nothing_else(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    target: object,
    name: str,
) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"yesterday's")

    def full(*_: Any, **__: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(target, name, full)
    run = batch(runner, REFERRALS, out, "--jsonl", str(tmp_path / "d.jsonl"))
    assert run.exit_code == 2, where
    assert run.stderr.count("\n") == 1
    assert "cannot write the results: the disk is full; nothing written" in run.stderr
    assert out.read_bytes() == b"yesterday's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]
    unraised: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraised.append)
    gc.collect()  # the zip file left half-written is collected without a word (a traceback)
    assert unraised == []


def test_a_list_longer_than_a_worksheet_is_refused_whole(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook_out, "SHEET_ROWS", 4)  # the header and 3 records
    run = batch(runner, REFERRALS, tmp_path / "out.xlsx", "--jsonl", str(tmp_path / "d.jsonl"))
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert "more than 3 records" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_killed_run_leaves_files_the_next_run_removes(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from make_referrals import write

    source = write(tmp_path / "in.csv", 30_000)
    folder = tmp_path / "out"
    folder.mkdir()
    args = [sys.executable, "-m", "cart_screen", "batch", str(source), "--jobs", "1"]
    run = subprocess.Popen([*args, "-o", str(folder / "out.xlsx")], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(workbook_out.SCRATCH) for p in folder.iterdir()):
            assert run.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.2)  # rows are being written
        os.kill(run.pid, signal.SIGKILL)
    finally:
        run.wait(timeout=30)
    left = sorted(p.name for p in folder.iterdir())
    assert "out.xlsx" not in left
    assert any(name.endswith(".part") for name in left)
    small = tmp_path / "small.csv"
    small.write_text("patient_id,lvef_percent\r\nP1,50\r\n", "utf-8")
    again = subprocess.run(
        [*args[:4], str(small), "-o", str(folder / "out.xlsx")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["out.xlsx"]


# ---------------------------------------------------------------- the library, for the web page


def test_the_workbook_is_written_to_a_binary_file_from_out_csv_text() -> None:
    text = (
        "row,patient_id,outcome,flagged,needs_info,errors,notice\r\n"
        f'1,P-1,flagged,indication.subtype,,,"{M.NOTICE("en")}"\r\n'
        f'2,"a, b",error,,,"record: has 2 cells, the header has 8",x\r\n'
    )
    summary = Summary(tuple(rule.id for rule in RULESET.rules))
    data = workbook_bytes(text, summary, RULESET, DAY)
    book = openpyxl.load_workbook(io.BytesIO(data))
    got = [[text_of(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    assert got == list(csv.reader(io.StringIO(text, newline="")))


def test_the_row_limit_is_checked_as_rows_come_and_nothing_is_finished() -> None:
    buffer = io.BytesIO()
    with pytest.raises(WorkbookFull), ResultsWorkbook(buffer, RULESET, DAY, rows=3) as book:
        book.write("row,patient_id\r\n1,a\r\n2,b\r\n3,c\r\n")
    assert buffer.getvalue() == b""


def test_leaving_without_finish_is_a_mistake_not_an_empty_file() -> None:
    buffer = io.BytesIO()
    with pytest.raises(RuntimeError), ResultsWorkbook(buffer, RULESET, DAY) as book:
        book.write("row,patient_id\r\n1,a\r\n")
    assert buffer.getvalue() == b""
