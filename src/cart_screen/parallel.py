"""Screening a list file on several cores: byte ranges cut where records end, read by each process.

Sending parsed records to worker processes costs about as much as screening them (pickling), so
here each process reads its own byte range of the file instead: this process finds the cuts and
writes the results in order; it screens a block itself whenever the workers have enough to do
(with a screening log, which it also stores, at most SHARE_LOGGED of the blocks).

A cut is a line end with an even number of `"` before it: outside any quoted cell, in a file
quoted as RFC 4180 says. A file quoted otherwise may fool that count, so each block proves its
own start: parsed on its own, the block before it must end with a whole record. If one does not,
that block and everything after it are read again in one stream, as without workers. The result
is the same records, numbered the same, as a single reader gives (tests check this).

Only encodings where a line-end byte is always a line end can be cut so (UTF-8, GB18030, …).

Workers never outlive this process: each asks the kernel to end it when this process ends, even
killed outright (PR_SET_PDEATHSIG on Linux; elsewhere a thread watching the parent's pid). A run
that stops (Ctrl-C, a signal, a failure) ends them at once rather than after their blocks. They
and multiprocessing's resource tracker are started with stdout and stderr on /dev/null, so that
neither ever holds the caller's pipes open (a caller reading them to the end would wait on
them); they have nothing to say there: results and errors come back through the pool.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import csv
import importlib
import io
import multiprocessing
import multiprocessing.context
import os
import pickle
import shutil
import signal
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO, cast

from cart_screen.batch import (
    ChunkOutput,
    collect_less,
    column_plan,
    screen_chunk,
    screen_chunks,
)
from cart_screen.csv_list import RECORD_LIMIT, UNDECODED, Records, chunks_of, quote_cut
from cart_screen.files import owned, remove_abandoned
from cart_screen.list_records import CHUNK_SIZE, Chunk, Job
from cart_screen.stopping import uncut
from cart_screen.workbook import SheetFacts, SheetList, SheetPart, part_chunks

if TYPE_CHECKING:
    from cart_screen.columnwise import ColumnPlan

BLOCK_BYTES = 1 << 19
"""Bytes a block holds (about 4,000 referrals): enough to pay for its dispatch, little to hold."""

SHARE_LOGGED = 0.15
"""With a screening log, the most of the blocks this process screens itself: it also stores
every chunk (log/lists.py) and takes the workers' results back, so it leaves most of the
screening to them. A 100,000-record list in 24 blocks, with one worker: this process screened 11
blocks otherwise (4.4 s CPU against the worker's 2.4 s), now 4 (3.5 s against 3.4 s)."""

SPLITTABLE = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8", "utf-8-sig", "ascii", "latin-1", "cp1252", "gb18030", "gbk", "gb2312",
        "big5", "big5hkscs", "shift_jis", "euc_jp", "euc_kr", "cp936", "cp950",
    )
)  # fmt: skip
"""Encodings whose bytes 0x0A (line end) and 0x22 (") only ever stand for themselves."""


def splittable(codec: str) -> bool:
    """Whether a list in this encoding can be cut into byte ranges."""
    return codecs.lookup(codec).name in SPLITTABLE


@dataclass(frozen=True)
class ListFile:
    """The list file, the codec it is read with, and its encoding as the user named it."""

    path: Path
    codec: str
    encoding: str
    record_limit: int = RECORD_LIMIT
    """Characters a record may hold (see csv_list.Records)."""

    def lines(self, data: IO[bytes]) -> TextIO:
        """Text lines from bytes after the start of the file (so with no byte-order mark)."""
        codec = "utf-8" if self.codec == "utf-8-sig" else self.codec
        return io.TextIOWrapper(data, encoding=codec, errors=UNDECODED, newline="")


@dataclass(frozen=True)
class Block:
    """Bytes [start, end) of the list file; `last` when it runs to the end of the file."""

    start: int
    end: int
    last: bool
    rest: bool = False
    """No cut was found near `start`: from there on the file is read in one stream."""


@dataclass
class BlockOutput:
    """A block, screened: its chunks in order, and whether it ended with a whole record."""

    chunks: list[ChunkOutput]
    whole: bool


def records_start(source: ListFile, header: list[str]) -> int | None:
    """The byte offset of the first record, if the header line can be found by counting quotes."""
    with source.path.open("rb") as handle:
        head = handle.read(1 << 20)
    end = quote_cut(head, 0, head.find(b"\n") + 1 if b"\n" in head else 0)
    if end is None:
        return None
    text = head[:end].decode(source.codec, errors=UNDECODED)
    if list(csv.reader(io.StringIO(text, newline=""), strict=True)) != [header]:
        return None
    return end


def blocks(path: Path, start: int, size: int = BLOCK_BYTES) -> Iterator[Block]:
    """Cut the file from `start` (where a record starts) into blocks of about `size` bytes."""
    total = path.stat().st_size
    with path.open("rb") as handle:
        while start < total:
            want = size
            while True:
                handle.seek(start)
                data = handle.read(want)
                if start + len(data) >= total:
                    yield Block(start, total, True)
                    return
                cut = quote_cut(data, 0, len(data))
                if cut is not None:
                    break
                if want >= 16 * size:  # a stray quote, most likely: no cut can be trusted
                    yield Block(start, total, True, rest=True)
                    return
                want *= 2  # one line (or one quoted cell) longer than a block
            yield Block(start, start + cut, False)
            start += cut


def screen_block(job: Job, plan: ColumnPlan | None, source: ListFile, block: Block) -> BlockOutput:
    """Read and screen one block on its own."""
    with source.path.open("rb") as handle:
        handle.seek(block.start)
        data = io.BytesIO(handle.read(block.end - block.start))
    # Decoded as it is read: a block's text is not held whole. (A cut stays a line end once
    # decoded: in these encodings a broken character never takes the byte after it if that is
    # a line end, which tests check for each.)
    records = Records(source.lines(data), source.record_limit)
    outputs = []
    last_broken = False
    for chunk in chunks_of(records, job.columns.width, source.encoding, CHUNK_SIZE):
        outputs.append(screen_chunk(job, chunk, plan))
        last_broken = len(chunk.cells) - 1 in chunk.problems
    # A block whose last record could not be read may have been cut inside a quoted cell.
    return BlockOutput(outputs, block.last or not last_broken)


_WORKER: tuple[Job | None, ColumnPlan | None, ListFile | None, str] | None = None
"""A worker's job, plan, list file and spool (a Helper's has only its spool: its job comes with
its work)."""

SPOOL = ".cart-screen-blocks-"
"""How the folder a run's workers leave their screened blocks in is named (then its owner: see
files.owned); a killed run's is removed by the next (files.remove_abandoned)."""


def _start_worker(job_file: str, source: ListFile | None, parent: int, spool: str) -> None:
    """A worker's start: its job from `job_file` (none: it comes with the work).

    The job is never in the start-up arguments: multiprocessing writes them into the new
    process's pipe from this thread while it still holds the pipe's other end, so a worker that
    dies before reading them (killed as it starts) leaves that write waiting for ever once they
    pass the pipe's 64 KB — a run hung, immune to SIGTERM. A file's name is a few bytes."""
    global _WORKER
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    job: Job | None = _unpickled(job_file) if job_file else None
    _WORKER = (job, column_plan(job) if job is not None else None, source, spool)
    collect_less()


def _pickled(value: object, spool: str, suffix: str) -> str:
    """A value in a file of the spool, pickled now (in this thread: never while it changes)."""
    descriptor, name = tempfile.mkstemp(suffix=suffix, dir=spool)
    with os.fdopen(descriptor, "wb") as out:
        pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
    return name


def _unpickled(name: str) -> Any:
    with Path(name).open("rb") as spooled:
        return pickle.load(spooled)


def die_with_parent(parent: int, *, prctl: bool = True) -> None:
    """End this process as soon as the process `parent` ends, however it ends (killed too)."""
    if not (prctl and _kernel_ends_this_with_parent()):
        threading.Thread(target=_watch, args=(parent,), name="parent watch", daemon=True).start()
    if os.getppid() != parent:  # it ended before the watch began
        os._exit(1)


def _kernel_ends_this_with_parent() -> bool:
    """Ask Linux for SIGKILL when the parent ends (prctl PR_SET_PDEATHSIG); False elsewhere.

    Linux watches the thread that started the process: the pool starts its workers from the
    thread that screens the list, which outlives them.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    set_parent_death_signal = 1  # PR_SET_PDEATHSIG, <linux/prctl.h>
    return bool(prctl(set_parent_death_signal, signal.SIGKILL, 0, 0, 0) == 0)


PARENT_WATCH_SECONDS = 0.2
"""How often a worker without the kernel's watch checks that its parent is still there."""


def _watch(parent: int) -> None:
    while os.getppid() == parent:  # an orphan is given another parent
        time.sleep(PARENT_WATCH_SECONDS)
    os._exit(1)


@contextlib.contextmanager
def _output_to_devnull() -> Iterator[None]:
    """This process's stdout and stderr on /dev/null for a moment: processes started meanwhile
    inherit that, not the caller's pipes or terminal."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    saved: dict[int, int] = {}
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for descriptor in (1, 2):
            try:
                saved[descriptor] = os.dup(descriptor)
            except OSError:  # closed: nothing to hand down
                continue
            os.dup2(null, descriptor)
        yield
    finally:
        for descriptor, was in saved.items():
            os.dup2(was, descriptor)
            os.close(was)
        os.close(null)


def _work(block: Block) -> str:
    """Screen a block in a worker; its output goes to a file in the spool, and only the file's
    name back through the pool's pipe.

    A worker killed while it writes a large result into that pipe (the kernel's OOM killer, a
    SIGKILL) leaves half a message there: the pool's reader thread then waits for the rest for
    ever, since this process holds the pipe's other end too, and the run hangs (reproduced on a
    busy machine by test_a_worker_that_dies_loses_no_record). A name is one write of under
    PIPE_BUF bytes, which the kernel never cuts: a worker that dies sends all of it or none.
    """
    assert _WORKER is not None
    job, plan, source, spool = _WORKER
    assert job is not None
    assert source is not None
    return _pickled(screen_block(job, plan, source, block), spool, ".block")


def _collected(name: str) -> BlockOutput:
    """A block a worker screened, from its file in the spool (removed once read)."""
    try:
        return cast(BlockOutput, _unpickled(name))
    finally:
        Path(name).unlink(missing_ok=True)


# ---------------------------------------------------------------- a sheet, in two processes

SHEET_SHARE = 0.4
"""The share of a sheet's rows this process screens when a worker screens the others: this
one writes every row out as well (OUT.xlsx costs most), while the worker reads the sheet from
its start to reach its rows (calamine streams rows in order). Measured on 100,000 rows on two
cores: 0.4 ends soonest (0.5 and 0.35 take some 5 % longer); benchmarks/workbook_speed.py."""

SHEET_ROWS_SHARED = 20_000
"""Rows a sheet must say it has before a worker shares them."""

SHEET_BYTES_SHARED = 1_500_000
"""An .xlsx smaller than this is read in one process, its worker never started (~20,000 rows
of a referral list take ~1.7 MB)."""


class Helper:
    """A worker process for a long .xlsx sheet (screen_sheet), started before the list is read:
    Python and the imports take it ~0.5 s, done while this process loads the rules and finds
    the sheet's header. Leaving it (a `with` block) ends the worker — at once after an
    exception."""

    def __init__(self) -> None:
        self._workers = _workers(None, None, multiprocessing.get_context("spawn"), 1)
        pool, self.spool = self._workers.__enter__()
        assert pool is not None
        self.pool = pool
        with uncut(), _output_to_devnull():  # a submit starts the worker
            self.pool.submit(_ready_to_work)

    def __enter__(self) -> Helper:
        return self

    def done(self) -> None:
        """Let the worker end now, while this process finishes: its work is in."""
        self.pool.shutdown(wait=False)

    def __exit__(self, *exc: Any) -> bool | None:
        return self._workers.__exit__(*exc)


def _ready_to_work() -> None:
    """What a worker does first: import what screening a sheet takes."""
    importlib.import_module("python_calamine_plus")


def screen_sheet(
    job: Job, sheet: SheetList, helper: Helper | None = None
) -> Generator[ChunkOutput, None, None]:
    """A sheet screened in order: where a `helper` is at hand and the sheet is a long streamed
    .xlsx, in two processes (this one its first rows, the helper the others meanwhile, read on
    their own: workbook.part_chunks), else in this one. The helper's chunks are taken as it
    writes them (see _handed_over), so that this process writes them out while the helper
    screens the next ones. Closing it (or an exception, Ctrl-C among them) ends the worker at
    once (see Helper); a worker that dies has the rows it had not handed over screened here."""
    at = _sheet_cut(sheet) if helper is not None else None
    part = sheet.split(at) if at is not None else None
    if helper is None or part is None:
        yield from screen_chunks(job, sheet.chunks)
        return
    # Pickled here and now: the pool's own thread would pickle the job while this one screens,
    # filling the caches the job holds ("dictionary changed size during iteration").
    work = _pickled((job, part), helper.spool, ".work")
    descriptor, handed = tempfile.mkstemp(suffix=".part", dir=helper.spool)
    os.close(descriptor)  # the worker writes its chunks to it
    future: Future[int] | None = None
    with contextlib.suppress(BrokenProcessPool), uncut(), _output_to_devnull():
        future = helper.pool.submit(_work_part, work, handed)
    yield from screen_chunks(job, sheet.chunks)
    last, empty_rows = part.first - 1, 0
    try:
        for output, met in _handed_over(handed, future):
            if output.numbers:
                last = output.numbers[-1]
            empty_rows = met
            yield output
        assert future is not None  # _handed_over says a worker never started died
        sheet.facts.empty_rows += future.result()
        helper.done()
        return
    except (BrokenProcessPool, _Died):
        pass
    finally:
        Path(handed).unlink(missing_ok=True)
    # the worker died: the rows after the last one it handed over are screened here
    sheet.facts.empty_rows += empty_rows
    yield from screen_chunks(job, part_chunks(replace(part, first=last + 1), sheet.facts))


def _sheet_cut(sheet: SheetList) -> int | None:
    """The row a worker's share of the sheet starts at, or None: all in this process."""
    first = sheet.rest.first
    if sheet.rest.path is None or sheet.last_row is None:
        return None
    rows = sheet.last_row - first + 1
    if rows < SHEET_ROWS_SHARED:
        return None
    return first + int(rows * SHEET_SHARE)


_FRAME = struct.Struct("<Q")
"""What comes before each chunk a worker hands over in its file: the chunk's length in bytes."""

HANDOVER_WAIT = 0.002
"""Seconds this process waits before it looks again for a chunk the worker has not written yet."""


class _Died(Exception):
    """The worker ended without handing over all it had screened (or never started)."""


def _work_part(work: str, handed: str) -> int:
    """Screen a sheet's rows from `part.first` on in a worker (the job and part pickled in the
    file `work`): each chunk, with the empty rows met before its last record, is written to the
    file `handed` as it is screened, its length first (see _handed_over). The empty rows met
    in all come back."""
    assert _WORKER is not None
    job, part = cast(tuple[Job, SheetPart], _unpickled(work))
    plan = column_plan(job)
    collect_less()  # the job is loaded now
    facts = SheetFacts("xlsx", part.sheet, 0, 0)
    with Path(handed).open("wb") as out:
        for chunk in part_chunks(part, facts):
            output = screen_chunk(job, chunk, plan)
            body = pickle.dumps((output, facts.empty_rows), protocol=pickle.HIGHEST_PROTOCOL)
            out.write(_FRAME.pack(len(body)) + body)
            out.flush()  # handed over: this process may take it now
    return facts.empty_rows


def _handed_over(name: str, future: Future[int] | None) -> Iterator[tuple[ChunkOutput, int]]:
    """The chunks a worker writes to the file `name` (and the empty rows met before each one's
    last record), each once it is written whole, until the worker has ended. Raises the
    worker's failure; _Died (or BrokenProcessPool) if it died, with what it handed over before
    given already."""
    with Path(name).open("rb") as spooled:
        while True:
            start = spooled.tell()
            head = spooled.read(_FRAME.size)
            if len(head) == _FRAME.size:
                (size,) = _FRAME.unpack(head)
                body = spooled.read(size)
                if len(body) == size:
                    yield pickle.loads(body)
                    continue
            if future is None:  # never started
                raise _Died
            ended = future.done()
            if ended and start == spooled.seek(0, os.SEEK_END):
                future.result()  # the worker's failure, if it failed
                return
            spooled.seek(start)
            if ended:  # a chunk half written, the worker gone
                raise _Died
            wait([future], timeout=HANDOVER_WAIT)


# ---------------------------------------------------------------- a list file, in many processes


def screen_list(
    job: Job,
    source: ListFile,
    header: list[str],
    stream: TextIO,
    chunks: Iterator[Chunk],
    *,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Generator[ChunkOutput, None, None]:
    """A list screened in order: in `jobs` processes where its file can be cut, else in one.

    `stream` is the list opened as text, already past its `header`, and `chunks` its records
    (read_chunks): what one process screens. `progress` is told the byte offset reached.
    Closing it (or an exception, Ctrl-C among them) ends the worker processes at once.
    """
    if jobs > 1 and splittable(source.codec):
        start = records_start(source, header)
        if start is not None:
            yield from screen_file(job, source, start, jobs=jobs, progress=progress)
            return
    outputs = screen_chunks(job, chunks)
    yield from outputs if progress is None else _reporting(outputs, stream, progress)


def _reporting(
    outputs: Iterator[ChunkOutput], stream: TextIO, progress: Callable[[int], None]
) -> Iterator[ChunkOutput]:
    for chunk in outputs:
        yield chunk
        progress(stream.buffer.tell())  # the reader reads a little ahead: close enough for a bar


def screen_file(
    job: Job,
    source: ListFile,
    start: int,
    *,
    jobs: int,
    progress: Callable[[int], None] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Generator[ChunkOutput, None, None]:
    """Screen the records from byte `start` to the end, in `jobs` processes, in input order.

    `progress` is told the byte offset reached after each block.
    """
    plan = column_plan(job)
    context = multiprocessing.get_context("spawn")
    # Results come back through a pipe, read by a thread of this process that needs the GIL for
    # each piece: hand the GIL over more often than every 5 ms while this process screens too.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield from _screen_blocks(job, source, start, plan, context, jobs, progress, block_bytes)
    finally:
        sys.setswitchinterval(switch)


def _screen_blocks(
    job: Job,
    source: ListFile,
    start: int,
    plan: ColumnPlan | None,
    context: multiprocessing.context.SpawnContext,
    jobs: int,
    progress: Callable[[int], None] | None,
    block_bytes: int,
) -> Iterator[ChunkOutput]:
    with _workers(job, source, context, jobs - 1) as (pool, _):
        cuts = blocks(source.path, start, block_bytes)
        yield from _in_order(job, plan, source, pool, jobs, cuts, progress)


@contextlib.contextmanager
def _workers(
    job: Job | None,
    source: ListFile | None,
    context: multiprocessing.context.SpawnContext,
    workers: int,
) -> Iterator[tuple[ProcessPoolExecutor | None, str]]:
    """A pool of `workers` processes (None for none), and the spool their results come back
    in; leaving the block ends them — at once if it is left by an exception (a stop, a failure:
    their work is of no use then), and work not yet started is not done."""
    # A worker that dies (killed, out of memory) fails its work with BrokenProcessPool rather
    # than leaving this process waiting for ever, as multiprocessing.Pool would (and its
    # results come back as files, see _work).
    temporary = Path(tempfile.gettempdir())
    remove_abandoned(temporary, SPOOL)
    spool = tempfile.mkdtemp(prefix=owned(SPOOL), dir=temporary) if workers else ""
    job_file = _pickled(job, spool, ".job") if workers and job is not None else ""
    with uncut(), _output_to_devnull():  # the pool's locks start the resource tracker
        pool = (
            ProcessPoolExecutor(
                workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(job_file, source, os.getpid(), spool),
            )
            if workers
            else None
        )
    with contextlib.ExitStack() as cleanup:
        if spool:
            cleanup.callback(shutil.rmtree, spool, ignore_errors=True)
        if pool is None:
            yield None, spool
            return
        with pool:
            try:
                yield pool, spool
            except BaseException:
                # (none left once the pool is shut down: Helper.done)
                for worker in list((pool._processes or {}).values()):
                    worker.terminate()
                raise
            finally:
                pool.shutdown(cancel_futures=True)


def _in_order(
    job: Job,
    plan: ColumnPlan | None,
    source: ListFile,
    pool: ProcessPoolExecutor | None,
    jobs: int,
    cuts: Iterator[Block],
    progress: Callable[[int], None] | None,
) -> Iterator[ChunkOutput]:
    """Hand out the blocks and pass on their chunks in input order."""
    pending: collections.deque[BlockOutput | Future[str]] = collections.deque()
    order: collections.deque[Block] = collections.deque()
    broken = False
    share, handed, here = SHARE_LOGGED if job.log else 1.0, 0, 0
    while True:
        # Hand out a block: to the workers while they have under two each still to do (or
        # this process has screened its share), else screen it here.
        block = next(cuts, None)
        if block is not None:
            order.append(block)
            busy = sum(not _ready(item) for item in pending)
            handed += 1
            submitted: Future[str] | None = None
            if (
                not block.rest
                and pool is not None
                and not broken
                and (busy < 2 * (jobs - 1) or here >= share * handed)
            ):
                # a submit may start a worker; it fails once a worker has died (the pool is
                # broken before a block of its says so): this block is screened here then
                with contextlib.suppress(BrokenProcessPool), uncut(), _output_to_devnull():
                    submitted = pool.submit(_work, block)
                broken = submitted is None
            if block.rest:  # passed on below as a block to read on from in one stream
                pending.append(BlockOutput([], whole=False))
            elif submitted is not None:
                pending.append(submitted)
            else:
                here += 1
                pending.append(screen_block(job, plan, source, block))
        # Pass on, in order, what is done (all of it once every block is handed out).
        while pending and (block is None or _ready(pending[0]) or len(pending) > 2 * jobs):
            head, done = pending.popleft(), order.popleft()
            if not isinstance(head, BlockOutput):
                try:
                    head = _collected(head.result())
                except BrokenProcessPool:  # a worker died: its blocks are screened here
                    broken = True
                    head = screen_block(job, plan, source, done)
            if not head.whole:  # cut where no record ends: from there on, one stream
                yield from _rest_in_one_stream(job, plan, source, done.start)
                return
            yield from head.chunks
            if progress is not None:
                progress(done.end)
        if block is None and not pending:
            return


def _ready(item: BlockOutput | Future[str]) -> bool:
    return isinstance(item, BlockOutput) or item.done()


def _rest_in_one_stream(
    job: Job, plan: ColumnPlan | None, source: ListFile, start: int
) -> Iterator[ChunkOutput]:
    with source.path.open("rb") as raw:
        raw.seek(start)
        records = Records(source.lines(raw), source.record_limit)
        for chunk in chunks_of(records, job.columns.width, source.encoding, CHUNK_SIZE):
            yield screen_chunk(job, chunk, plan)
