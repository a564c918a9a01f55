"""A list file cut into byte ranges gives the same records, numbered the same, as one reader.

Cuts are found by counting quotes; a file quoted against RFC 4180 (a stray `"`) can fool the
count, which the next block's check must catch, reading the rest in one stream.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cart_screen import parallel
from cart_screen.batch import screen_chunks
from cart_screen.cli import app
from cart_screen.csv_list import RECORD_LIMIT, UNDECODED, read_chunks
from cart_screen.list_records import Job, map_columns
from cart_screen.ruleset import default_ruleset

HEADER = ["patient_id", "lvef_percent", "nyha_class", "notes"]
CELLS = ["", "R-1", "35", "III", "note, with comma", 'say "hi"', "two\nlines", "三\r\n行", "=1+1"]
BROKEN_LINES = ['x"y,35,I,bad quote', '"unterminated,35', "only,two", "", '"a"b,1,2,3']


@st.composite
def list_texts(draw: st.DrawFn) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for _ in range(draw(st.integers(0, 40))):
        if draw(st.integers(0, 9)) == 0:
            buffer.write(draw(st.sampled_from(BROKEN_LINES)) + "\r\n")
        else:
            writer.writerow(
                [
                    f"P{draw(st.integers(0, 99))}",
                    *[draw(st.sampled_from(CELLS)) for _ in HEADER[1:]],
                ]
            )
    return buffer.getvalue()


def screened(outputs: Any) -> tuple[str, list[Counter[str]]]:
    rows, number = [], 1
    counts: list[Counter[str]] = [Counter(), Counter(), Counter(), Counter()]
    for chunk in outputs:
        rows.append(chunk.rows(number))
        number += len(chunk.tails)
        counts[0].update(chunk.tally.outcomes)
        counts[1].update(chunk.tally.flagged)
        counts[2].update(chunk.tally.needs_info)
        counts[3].update(chunk.tally.patient_ids)
    return "".join(rows), [+c for c in counts]


def both_ways(
    path: Path,
    jobs: int,
    block_bytes: int,
    *,
    interrupt: Callable[[], None] | None = None,
    limit: int = RECORD_LIMIT,
) -> tuple[Any, Any]:
    """The list screened in blocks (calling `interrupt` after the first chunk) and in one stream,
    records over `limit` characters being error rows."""
    with path.open(encoding="utf-8-sig", errors=UNDECODED, newline="") as stream:
        header, chunks = read_chunks(stream, "utf-8", size=3, limit=limit)
        job = Job(default_ruleset(), map_columns(header, {}), dt.date(2026, 10, 15), False)
        one_stream = screened(screen_chunks(job, chunks))
    listed = parallel.ListFile(path, "utf-8-sig", "utf-8", limit)
    start = parallel.records_start(listed, header)
    assert start is not None
    outputs = parallel.screen_file(job, listed, start, jobs=jobs, block_bytes=block_bytes)
    first = list(itertools.islice(outputs, 1))
    if interrupt is not None:
        interrupt()
    return screened(itertools.chain(first, outputs)), one_stream


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(list_texts(), st.integers(1, 300))
def test_blocks_give_the_records_one_reader_gives(
    tmp_path: Path, text: str, block_bytes: int
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8", newline="")
    cut, one_stream = both_ways(path, jobs=1, block_bytes=block_bytes)
    assert cut == one_stream


def test_a_stray_quote_that_fools_the_count_is_caught_and_read_in_one_stream(
    tmp_path: Path,
) -> None:
    # The stray quote makes every later line end look like the inside of a quoted cell to the
    # count; the blocks after it must still give the records one reader gives.
    lines = ["patient_id,notes", 'A,5"3 tall', *[f"P{i},fine" for i in range(50)], 'B,"x', 'y",C']
    path = tmp_path / "list.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    for block_bytes in (8, 20, 64, 1 << 20):
        cut, one_stream = both_ways(path, jobs=1, block_bytes=block_bytes)
        assert cut == one_stream


def test_worker_processes_and_small_blocks_match_one_process(tmp_path: Path) -> None:
    text = "".join(
        ["patient_id,lvef_percent,notes\r\n"]
        + [
            f'P{i},{30 + i % 40},"line one\r\nline, two"\r\n' if i % 7 else f"P{i},x,\r\n"
            for i in range(3000)
        ]
    )
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8", newline="")
    cut, one_stream = both_ways(path, jobs=2, block_bytes=4096)
    assert cut == one_stream
    numbers = [row.split(",", 1)[0] for row in one_stream[0].split("\r\n") if row[:1].isdigit()]
    assert numbers == [str(n) for n in range(1, 3001)]


@pytest.mark.parametrize("codec", sorted(parallel.SPLITTABLE))
def test_in_a_splittable_encoding_a_broken_character_never_takes_a_line_end(codec: str) -> None:
    """So a block cut after a line-end byte still ends with a line end once decoded."""
    for lead in range(256):
        for middle in (b"", b"\x81", b"\x81\x30", b"\x81\x30\x81", b"\xe4\xb8"):
            data = bytes([lead]) + middle + b"\n"
            assert data.decode(codec, errors=UNDECODED).endswith("\n"), data


def test_encodings_that_cannot_be_cut_are_read_in_one_stream() -> None:
    for codec in ("utf-8-sig", "gb18030", "big5"):
        assert parallel.splittable(codec)
    for codec in ("utf-16", "utf-32", "iso2022_jp"):
        assert not parallel.splittable(codec)


def test_batch_with_jobs_gives_the_same_files_as_one_process(tmp_path: Path) -> None:
    """GB18030 with a BOM-less header, through the command, in 1 and 2 processes."""
    rows = [["patient_id", "诊断备注", "lvef_percent"]]
    rows += [[f"患者{i}", "多行\n备注" if i % 3 else "", str(20 + i % 60)] for i in range(5000)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    source = tmp_path / "in.csv"
    source.write_bytes(buffer.getvalue().encode("gb18030"))
    outputs = []
    for jobs in ("1", "2"):
        out, summary = tmp_path / f"out{jobs}.csv", tmp_path / f"s{jobs}.json"
        args = ["batch", str(source), "-o", str(out), "--encoding", "gb18030", "--jobs", jobs]
        run = CliRunner().invoke(app, [*args, "--summary", str(summary)])
        assert run.exit_code == 0, run.output
        outputs.append((out.read_bytes(), summary.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1]


def test_with_no_cut_near_a_stray_quote_the_rest_is_read_in_one_stream(tmp_path: Path) -> None:
    """No block grows without bound: past 16 blocks' worth, the rest is read as one stream."""
    lines = ["patient_id,notes", "A,5'3\" tall", *[f"P{i},fine" for i in range(3000)]]
    path = tmp_path / "list.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    cuts = list(parallel.blocks(path, len("patient_id,notes\r\n"), 64))
    assert cuts[-1].rest
    assert all(block.end - block.start <= 16 * 64 for block in cuts if not block.rest)
    cut, one_stream = both_ways(path, jobs=1, block_bytes=64)
    assert cut == one_stream


def test_a_worker_that_dies_loses_no_record(tmp_path: Path) -> None:
    """Its blocks are screened by this process instead; the rows are those of one stream."""
    import multiprocessing
    import os
    import signal

    text = "patient_id,lvef_percent\r\n" + "".join(f"P{i},{20 + i % 60}\r\n" for i in range(4000))
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8", newline="")

    def kill_the_worker() -> None:
        workers = multiprocessing.active_children()
        assert workers
        for child in workers:
            os.kill(child.pid or 0, signal.SIGKILL)

    cut, one_stream = both_ways(path, jobs=2, block_bytes=2048, interrupt=kill_the_worker)
    assert cut == one_stream


def test_a_pool_found_broken_as_a_block_is_handed_out_loses_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that died before any block of its said so: the pool refuses the next block
    (BrokenProcessPool at submit), which is screened here, as every block after it."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    text = "patient_id,lvef_percent\r\n" + "".join(f"P{i},{20 + i % 60}\r\n" for i in range(4000))
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8", newline="")
    submit = ProcessPoolExecutor.submit
    calls: list[bool] = []

    def broken_after_one(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(True)
        if len(calls) > 1:
            raise BrokenProcessPool("a child process terminated abruptly")
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", broken_after_one)
    cut, one_stream = both_ways(path, jobs=2, block_bytes=2048)
    assert len(calls) > 1
    assert cut == one_stream
