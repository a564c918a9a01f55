"""A record over the length limit is one error row; every other record is read as without a limit.

Issue 14, failure 1: a quoted cell over the csv module's cell limit stopped the reader inside the
cell, and it started again with the quotes paired the other way round: three records gave millions
of rows and the valid record after them was lost.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.csv_list import READ_SIZE, RECORD_LIMIT, Records, RecordTooLong, read_chunks
from cart_screen.i18n import M
from conftest import ResultsCsv
from test_parallel import both_ways

HEADER = "patient_id,lvef_percent,diagnosis\r\n"


def oversized_cell_list(lines: int) -> str:
    """The repro from the issue: a quoted cell of `lines` lines of `x,` between two good records."""
    return HEADER + "A1,50,PMBCL\r\n" + 'A2,"' + "x,\n" * lines + '",PMBCL\r\n' + "A3,50,PMBCL\r\n"


def out_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_oversized_quoted_cell_is_one_error_row_and_the_next_record_is_screened(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(oversized_cell_list(400_000), encoding="utf-8", newline="")  # 1.2 MB
    written = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.csv"
        args = ["batch", str(source), "-o", str(out), "--jobs", jobs, "--as-of", "2026-10-15"]
        run = CliRunner().invoke(app, args)
        assert run.exit_code == 0, run.output
        rows = out_rows(out)
        assert [(r["row"], r["patient_id"]) for r in rows] == [
            ("1", "A1"),
            ("2", "A2"),
            ("3", "A3"),
        ]
        assert [r["outcome"] for r in rows] == ["flagged", "error", "flagged"]
        assert rows[1]["errors"].startswith("record: longer than 1,048,576 characters")
        written.append(out.read_bytes())
    assert written[0] == written[1]


def test_the_same_with_a_small_limit_in_one_stream() -> None:
    stream = io.StringIO(oversized_cell_list(40), newline="")
    header, chunks = read_chunks(stream, "UTF-8", limit=64)
    assert header == ["patient_id", "lvef_percent", "diagnosis"]
    records = [record for chunk in chunks for record in chunk.records()]
    assert [(r.number, r.cells) for r in records] == [
        (1, ["A1", "50", "PMBCL"]),
        (2, ["A2"]),  # the cells before the quote: its patient id
        (3, ["A3", "50", "PMBCL"]),
    ]
    assert records[1].problem is not None
    assert records[1].problem.en == M.RECORD_TOO_LONG.both(limit=64).en


# ---------------------------------------------------------------- what a record is

Read = list[str] | str
"""A record as read: its cells, or what is wrong with it."""


def reference(text: str) -> list[tuple[int, Read]]:
    """Each record as the csv reader reads it without a limit: its length in characters (the
    lines it took) and its cells or its error. Blank lines are not records."""
    taken: list[int] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            taken.append(len(line))
            yield line

    reader = csv.reader(lines(), strict=True)
    records: list[tuple[int, Read]] = []
    while True:
        before = len(taken)
        try:
            read: Read = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            read = str(exc)
        if read != []:
            records.append((sum(taken[before:]), read))


TOO_LONG = "too long"


def bounded(text: str | TextIO, limit: int, block: int) -> list[Read]:
    """Each record as Records reads it."""
    stream = io.StringIO(text, newline="") if isinstance(text, str) else text
    records = Records(stream, limit, block)
    read: list[Read] = []
    while True:
        try:
            row = next(records.rows)
        except StopIteration:
            return read
        except RecordTooLong:
            read.append(TOO_LONG)
            records.resume()
        except csv.Error as exc:
            read.append(str(exc))
        else:
            if row:
                read.append(row)


TEXTS = st.text(alphabet=st.sampled_from(list('a,"\n\r é\x1c\u2028')), max_size=80)


@settings(max_examples=2000, deadline=None)
@given(TEXTS, st.integers(2, 40), st.integers(1, 17))
def test_records_are_those_of_a_reader_without_a_limit_except_the_long_ones(
    text: str, limit: int, block: int
) -> None:
    """Whatever the quoting (unbalanced, stray, doubled, after a closed cell), read in blocks of
    any size: the same records in the same order, each over the limit one 'too long'."""
    expected = [TOO_LONG if length > limit else read for length, read in reference(text)]
    assert bounded(text, limit, block) == expected


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(1, 17))
def test_with_the_full_limit_the_records_are_exactly_the_csv_readers(text: str, block: int) -> None:
    assert bounded(text, RECORD_LIMIT, block) == [read for _, read in reference(text)]


def test_a_quote_never_closed_makes_the_rest_one_record() -> None:
    text = 'A1,50\r\nA2,"5\r\nA3,50\r\nA4,50\r\n'
    assert bounded(text, 1000, 7) == [["A1", "50"], "unexpected end of data"]
    assert bounded(text, 12, 7) == [["A1", "50"], TOO_LONG]


def test_a_long_record_is_read_past_in_bounded_memory(tmp_path: Path) -> None:
    """The 8 MB repro of the issue with a 64 KB limit: the long cell is never held whole."""
    import tracemalloc

    source = tmp_path / "in.csv"
    source.write_text(oversized_cell_list(2_800_000), encoding="utf-8", newline="")
    with source.open(encoding="utf-8", newline="") as stream:
        tracemalloc.start()
        try:
            read = bounded(stream, 1 << 16, READ_SIZE)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert read == [
        HEADER.strip().split(","),
        ["A1", "50", "PMBCL"],
        TOO_LONG,
        ["A3", "50", "PMBCL"],
    ]
    assert peak < 2_000_000


# ---------------------------------------------------------------- one row per record, either path


@st.composite
def hostile_lists(draw: st.DrawFn) -> str:
    """Lists with long quoted cells, quotes never closed, stray and misplaced quotes."""
    lines = ["patient_id,lvef_percent,notes"]
    for _ in range(draw(st.integers(0, 14))):
        patient = f"P{draw(st.integers(0, 99))}"
        lines.append(
            draw(
                st.sampled_from(
                    [
                        f"{patient},{draw(st.integers(20, 70))},fine",
                        f'{patient},40,"two\nlines, quoted"',
                        f'{patient},50,"' + "x,\n" * draw(st.integers(1, 60)) + '",PMBCL',
                        f'{patient},50,"never closed',
                        f'{patient},5"3,stray quote',
                        f'{patient},"closed"then more,x',
                        f"{patient}," + "y" * draw(st.integers(0, 200)),
                        "",
                    ]
                )
            )
        )
    end = draw(st.sampled_from(["\r\n", "\n", ""])) if len(lines) > 1 else "\r\n"
    return "\r\n".join(lines) + end


def out_table(rows_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(rows_text, newline="")))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(hostile_lists(), st.integers(40, 160), st.integers(1, 400))
def test_one_row_per_record_in_order_in_one_stream_and_in_byte_ranges(
    tmp_path: Path, text: str, limit: int, block_bytes: int
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8", newline="")
    cut, one_stream = both_ways(path, jobs=1, block_bytes=block_bytes, limit=limit)
    assert cut == one_stream
    expected = reference(text)[1:]  # after the header
    rows = out_table(one_stream[0])
    assert [row[0] for row in rows] == [str(n) for n in range(1, len(expected) + 1)]
    too_long = M.RECORD_TOO_LONG("en", limit=limit)
    for (length, _), row in zip(expected, rows, strict=True):
        assert (too_long in row[7]) == (length > limit)


def test_worker_processes_read_long_records_as_one_process_does(tmp_path: Path) -> None:
    lines = ["patient_id,lvef_percent,notes"]
    for i in range(600):
        lines.append(f'P{i},50,"' + "x,\n" * (i % 50) + '"' if i % 7 == 0 else f"P{i},{i % 60},ok")
    lines.append('P-last,50,"never closed')
    path = tmp_path / "list.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    cut, one_stream = both_ways(path, jobs=2, block_bytes=512, limit=100)
    assert cut == one_stream
    rows = out_table(one_stream[0])
    assert len(rows) == 601
    long = [len(line) + 2 > 100 for line in lines[1:]]
    assert [M.RECORD_TOO_LONG("en", limit=100) in row[7] for row in rows] == long
    assert sum(long) == 35
    assert "unexpected end of data" in rows[-1][7]


def test_the_web_upload_gives_one_row_per_record(tmp_path: Path, results_csv: ResultsCsv) -> None:
    from fastapi.testclient import TestClient

    from cart_screen.ruleset import default_ruleset
    from cart_screen.web import create_app

    client = TestClient(
        create_app(default_ruleset(), dt.date(2026, 10, 15)), base_url="http://127.0.0.1"
    )
    data = oversized_cell_list(400_000).encode()
    response = client.post("/batch", files={"file": ("r.csv", data, "text/csv")})
    assert response.status_code == 200
    rows = out_table(results_csv(client.get, response))
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [
        ("1", "A1", "flagged"),
        ("2", "A2", "error"),
        ("3", "A3", "flagged"),
    ]
