"""A long .xlsx sheet shared by two processes gives the records, rows and files one process gives.

This process screens the sheet's first rows while a worker (parallel.Helper) reads the sheet
from its start to its share and screens the rest. Merged cells over the cut, empty rows on
either side, formulas never calculated at the very end (rows calamine does not stream), and a
worker that dies must change nothing.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import zipfile
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cart_screen import parallel, workbook
from cart_screen.batch import screen_chunks
from cart_screen.cli import app
from cart_screen.list_records import Job
from cart_screen.ruleset import default_ruleset
from cart_screen.workbook import SheetList, read_workbook
from workbooks import write_workbook

HEADER = ["patient_id", "date_of_birth", "lvef_percent", "screening_date", "notes"]


def referral(number: int) -> list[str]:
    """A record; every 37th row empty, and a screening date merged down three rows at 101."""
    if number % 37 == 0:
        return [""] * len(HEADER)
    day = "{date 2026-10-15 down 3}" if number == 101 else "{date 2026-10-15}"
    if number in (102, 103):
        day = ""
    lvef = "{formula =30+5 gives 35}" if number % 11 == 0 else f"{{number {20 + number % 50}}}"
    if number % 13 == 0:
        lvef = "{error #N/A}"
    return [
        f"R-{number:04d}",
        f"{{date 19{40 + number % 50}-05-30}}",
        lvef,
        day,
        "note, with comma",
    ]


def sheet(path: Path, records: int, *, never_calculated: bool = False) -> Path:
    rows: list[list[str]] = [["{title Referrals across 3}"], HEADER]
    rows += [referral(number) for number in range(1, records + 1)]
    if never_calculated:  # formulas with no value, the last in rows calamine ends before
        # (written with openpyxl: only typed cells, no merged ones, no formula values)
        plain = {"{error #N/A}": "", "{formula =30+5 gives 35}": "{number 35}"}
        rows = [[plain.get(c, c.replace(" down 3", "")) for c in row] for row in rows[1:]]
        rows += [[], ["R-LAST", "", "{formula =B3*2 never calculated}"]]
    return write_workbook(path, {"Referrals": rows})


def batch_files(source: Path, out: Path, *options: str) -> tuple[bytes, ...]:
    summary, details = out.with_suffix(".json"), out.with_suffix(".jsonl")
    args = [
        "batch",
        str(source),
        "-o",
        str(out),
        "--summary",
        str(summary),
        "--jsonl",
        str(details),
    ]
    run = CliRunner().invoke(app, [*args, "--as-of", "2026-10-15", *options])
    assert run.exit_code == 0, run.output
    found = [out.read_bytes(), summary.read_bytes(), details.read_bytes()]
    if out.suffix == ".xlsx":
        with zipfile.ZipFile(out) as archive:
            found = [archive.read("xl/worksheets/sheet1.xml"), *found[1:]]
    return tuple(found)


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Any sheet shared with a worker, however short; the rows where each was cut."""
    monkeypatch.setattr(parallel, "SHEET_ROWS_SHARED", 10)
    monkeypatch.setattr(parallel, "SHEET_BYTES_SHARED", 0)
    cuts: list[int] = []
    split = SheetList.split

    def noted(self: SheetList, at: int) -> Any:
        cuts.append(at)
        return split(self, at)

    monkeypatch.setattr(SheetList, "split", noted)
    return cuts


@pytest.mark.parametrize("share", [0.05, 0.45, 0.95])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_two_processes_give_the_files_one_gives(
    tmp_path: Path, shared: list[int], monkeypatch: pytest.MonkeyPatch, share: float, suffix: str
) -> None:
    source = sheet(tmp_path / "list.xlsx", 400)
    one = batch_files(source, tmp_path / f"one{suffix}", "--jobs", "1")
    assert not shared
    monkeypatch.setattr(parallel, "SHEET_SHARE", share)
    two = batch_files(source, tmp_path / f"two{suffix}", "--jobs", "2")
    assert len(shared) == 1
    assert two == one


def test_formulas_never_calculated_after_the_last_row_streamed_are_the_workers(
    tmp_path: Path, shared: list[int]
) -> None:
    source = sheet(tmp_path / "list.xlsx", 120, never_calculated=True)
    one = batch_files(source, tmp_path / "one.csv", "--jobs", "1")
    assert b"R-LAST" in one[0]
    assert batch_files(source, tmp_path / "two.csv", "--jobs", "2") == one
    assert len(shared) == 1


def screened(outputs: Any) -> list[str]:
    rows, number = [], 1
    for chunk in outputs:
        rows.append(chunk.rows(number))
        number += len(chunk.tails)
    return rows


def test_a_worker_that_dies_loses_no_record(tmp_path: Path, shared: list[int]) -> None:
    """Its rows are screened by this process instead: the rows and empty rows of one process."""
    source = sheet(tmp_path / "list.xlsx", 300)
    alone = read_workbook(source, "xlsx", None, {})
    job = Job(default_ruleset(), alone.columns, dt.date(2026, 10, 15), False)
    one = screened(screen_chunks(job, alone.chunks))
    for when in ("before", "during"):
        listed = read_workbook(source, "xlsx", None, {})
        with parallel.Helper() as helper:
            if when == "before":
                kill_workers()
            outputs = parallel.screen_sheet(job, listed, helper)
            rows = screened([next(outputs)])
            if when == "during":
                kill_workers()
            rows += screened(outputs)
        assert "".join(rows) == "".join(one)
        assert listed.facts == alone.facts
    assert len(shared) == 2


def kill_workers() -> None:
    workers = multiprocessing.active_children()
    assert workers
    for child in workers:
        os.kill(child.pid or 0, signal.SIGKILL)


def test_where_no_worker_can_be_started_the_sheet_is_screened_here(
    tmp_path: Path, shared: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = sheet(tmp_path / "list.xlsx", 200)
    one = batch_files(source, tmp_path / "one.csv", "--jobs", "1")

    def refused() -> None:
        raise OSError(38, "Function not implemented")  # no semaphores in this sandbox

    monkeypatch.setattr(parallel, "Helper", refused)
    assert batch_files(source, tmp_path / "two.csv", "--jobs", "2") == one
    assert not shared


def test_a_sheet_replaced_after_it_was_opened_is_refused_not_read_half_from_each(
    tmp_path: Path, shared: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sheet is opened as the command starts and read again by the worker later: a list
    put in its place meanwhile (a save, a `mv`) must not give half of each list."""
    import cart_screen.cli as cli

    source = sheet(tmp_path / "list.xlsx", 300)
    other = sheet(tmp_path / "other.xlsx", 300)
    setting = cli._setting

    def replaced(*args: Any) -> Any:  # while the rules load, the sheet open already
        other.replace(source)
        return setting(*args)

    monkeypatch.setattr(cli, "_setting", replaced)
    out = tmp_path / "out.csv"
    run = CliRunner().invoke(app, ["batch", str(source), "-o", str(out), "--jobs", "2"])
    assert run.exit_code == 2, run.output
    assert "the list changed while it was being read" in run.output
    assert not out.exists()


def test_a_worker_refuses_a_sheet_that_is_not_as_it_was_found(tmp_path: Path) -> None:
    from cart_screen.files import file_state
    from cart_screen.list_records import BatchInputError
    from cart_screen.workbook import SheetFacts, part_chunks

    source = sheet(tmp_path / "list.xlsx", 300)
    listed = read_workbook(source, "xlsx", None, {}, state=file_state(source))
    part = listed.split(150)
    assert part is not None
    facts = SheetFacts("xlsx", "Referrals", 0, 0)
    assert sum(len(chunk.cells) for chunk in part_chunks(part, facts)) > 100
    for change in ("replaced", "removed"):
        if change == "replaced":
            sheet(tmp_path / "other.xlsx", 300).replace(source)
        else:
            source.unlink()
        with pytest.raises(BatchInputError) as refused:
            list(part_chunks(part, facts))
        assert "changed while it was being read" in str(refused.value)


def test_workers_are_started_with_a_few_bytes_never_the_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """multiprocessing writes a worker's start-up arguments into its pipe while this process
    holds the other end: past the pipe's 64 KB, a worker killed as it starts left that write
    waiting for ever (a run that even SIGTERM could not end)."""
    import pickle

    from cart_screen.list_records import map_columns

    started: list[bytes] = []

    class Recorded(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append(pickle.dumps(kwargs["initargs"]))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Recorded)
    columns = map_columns(HEADER, {})
    job = Job(default_ruleset(), columns, dt.date(2026, 10, 15), False)
    context = multiprocessing.get_context("spawn")
    with parallel._workers(job, None, context, 1), parallel.Helper():
        pass
    assert len(started) == 2
    assert all(len(arguments) < 4096 for arguments in started)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_sheet_cut_short_while_read_is_a_list_that_changed_not_a_damaged_one(
    tmp_path: Path, shared: list[int], monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """Truncated in place (a copy over it, still being written) the workbook cannot be read:
    what to say is that the list changed, not to open and save it again in Excel."""
    import cart_screen.cli as cli

    source = sheet(tmp_path / "list.xlsx", 300)
    setting = cli._setting

    def cut(*args: Any) -> Any:
        with source.open("r+b") as handle:
            handle.truncate(source.stat().st_size // 2)
        return setting(*args)

    monkeypatch.setattr(cli, "_setting", cut)
    out = tmp_path / "out.csv"
    run = CliRunner().invoke(app, ["batch", str(source), "-o", str(out), "--jobs", jobs])
    assert run.exit_code == 2, run.output
    assert "the list changed while it was being read" in run.output
    assert "damaged" not in run.output
    assert not out.exists()


def test_a_worker_that_dies_after_handing_over_some_chunks_loses_none_and_repeats_none(
    tmp_path: Path, shared: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunks it handed over are written once; the rows after them are screened here."""
    monkeypatch.setattr(parallel, "SHEET_SHARE", 0.01)
    source = sheet(tmp_path / "list.xlsx", 1500)
    alone = read_workbook(source, "xlsx", None, {}, size=20)
    job = Job(default_ruleset(), alone.columns, dt.date(2026, 10, 15), False)
    one = screened(screen_chunks(job, alone.chunks))
    read_here: list[int] = []
    part_chunks = workbook.part_chunks

    def noted(part: Any, facts: Any) -> Any:
        read_here.append(part.first)
        return part_chunks(part, facts)

    monkeypatch.setattr(parallel, "part_chunks", noted)
    listed = read_workbook(source, "xlsx", None, {}, size=20)
    with parallel.Helper() as helper:
        outputs = parallel.screen_sheet(job, listed, helper)
        taken = []
        for output in outputs:
            taken.append(output)
            if output.numbers and output.numbers[0] >= shared[0]:  # the worker's first
                kill_workers()
                break
        taken += list(outputs)
    assert "".join(screened(taken)) == "".join(one)
    assert listed.facts == alone.facts
    assert len(read_here) == 1
    assert read_here[0] >= shared[0] + 20  # after what was handed over, not from the cut


def test_a_chunk_half_written_by_a_worker_that_ended_is_a_worker_that_died(
    tmp_path: Path,
) -> None:
    whole = parallel._FRAME.pack(3) + b"abc"
    (tmp_path / "handed").write_bytes(whole[:-1])
    ended: Future[int] = Future()
    ended.set_result(0)
    with pytest.raises(parallel._Died):
        list(parallel._handed_over(str(tmp_path / "handed"), ended))


def test_a_helper_let_go_and_then_left_by_a_failure_passes_the_failure_on() -> None:
    """A list found changed once the worker's rows are in (its pool shut down already) is one
    line, not a traceback from ending workers that are gone."""

    def let_go_then_fail() -> None:
        with parallel.Helper() as helper:
            helper.done()
            raise KeyError("the list changed")

    with pytest.raises(KeyError, match="the list changed"):
        let_go_then_fail()
