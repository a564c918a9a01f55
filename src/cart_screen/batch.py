"""Screening a referral list: chunks of records in -> OUT.csv rows, JSONL lines and tallies out.

The middle of the list pipeline (read records -> screen -> write rows and summary): it takes the
chunks a reader made (csv_list.py, workbook.py; records defined in list_records.py), screens
them column-wise where it can (columnwise.py) and record by record otherwise, and hands each
chunk's rows (render.py writes them) and tally (list_summary.py) on. parallel.py runs it on
several cores.

Nothing is lost: a record that cannot be read or screened (no patient id, an unexpected failure)
becomes a verdict with outcome `error` and the reason, and every other record is still screened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import operator
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from cart_screen.columnwise import ColumnPlan, Explained, OwnParts
from cart_screen.csv_list import shown_undecoded
from cart_screen.evaluate import Verdict, advisory_ids, decide, result_of
from cart_screen.i18n import M, Said
from cart_screen.list_records import Chunk, Columns, Job, Record
from cart_screen.list_summary import Tally
from cart_screen.reading import FieldError, cell_text
from cart_screen.render import batch_rows, result_json
from cart_screen.result import ScreeningResult, error_piece, item_piece


class Screened(NamedTuple):
    """One record's verdict, with the full result when details were asked for."""

    number: int
    verdict: Verdict
    result: ScreeningResult | None = None


def screen_records(job: Job, records: Iterable[Record]) -> Iterator[Screened]:
    """Screen each record in order; a record that fails becomes an `error` verdict, never a crash."""
    ruleset, columns, as_of = job.ruleset, job.columns, job.as_of
    reader = job.reader
    for record in records:
        facts: Mapping[str, Any] = {}
        defaulted: frozenset[str] = frozenset()
        if record.problem is not None:
            verdict = _error(record, columns, record.problem, as_of)
        else:
            try:
                read = reader.read_cells(columns.fields, record.cells, as_of, job.site.defaults)
                verdict, facts = decide(ruleset, read, job.site.advisory), read.facts
                defaulted = read.defaulted
            except Exception as exc:  # one record's failure must not lose the others
                message = M.NOT_SCREENED.both(kind=type(exc).__name__)
                verdict = _error(record, columns, message, as_of)
        result = (
            result_of(ruleset, verdict, facts, job.language, defaulted, job.site)
            if job.details or job.log
            else None
        )
        yield Screened(record.number, verdict, result)


def _error(record: Record, columns: Columns, message: Said, day: dt.date) -> Verdict:
    index = columns.patient_id
    cell = cell_text(record.cells[index]) if index < len(record.cells) else ""
    patient_id = cell.strip() or None
    if patient_id is not None:
        # Bytes that did not decode cannot be written out: each shows as U+FFFD, so the id
        # still points at the record and its row is written.
        patient_id = shown_undecoded(patient_id)
    return Verdict(patient_id, "error", (), (FieldError("record", None, message),), day)


# ---------------------------------------------------------------- chunks, in one process or many


@dataclass
class ChunkOutput:
    """A chunk of records, screened: each one's OUT.csv row without its number (the record
    number is known only where the chunks meet, in order), the JSONL lines, and the tally."""

    tails: list[str]
    """The middle of each row: what comes between its number and its end."""
    end: str
    """What ends every row (the notice cell and the line end: the same for all)."""
    details: str
    tally: Tally
    numbers: Sequence[int] | None = None
    """Each row's number, where the chunk's records are not numbered one after another."""
    forms: list[tuple[str | None, str, str]] = field(default_factory=list)
    """For the screening log (Job.log): each record's patient id, screening date and form as
    read (see forms_as_read)."""
    own: OwnParts = field(default_factory=lambda: OwnParts.of(()))
    """For the screening log: each record's own part of its full result (see Explained), its
    distinct parts numbered (OwnParts)."""

    def numbered(self, first: int) -> Sequence[int]:
        """Each row's number, counting from `first` (or as `numbers` has them)."""
        return self.numbers or range(first, first + len(self.tails))

    def rows(self, first: int) -> str:
        """The rows as OUT.csv has them, numbered from `first` (or by `numbers`)."""
        numbers = map(str, self.numbered(first))
        comma, end = itertools.repeat(","), itertools.repeat(self.end)
        cells = zip(numbers, comma, self.tails, end, strict=False)  # the others repeat
        return "".join(itertools.chain.from_iterable(cells))


def screen_chunk(job: Job, chunk: Chunk, plan: ColumnPlan | None = None) -> ChunkOutput:
    """Screen a chunk of records into OUT.csv rows, JSONL lines and a tally.

    With a plan, the plain records are screened column-wise (see columnwise.py) and the rest
    record by record; without one — or should the column-wise pass fail — all record by record,
    where one record's failure is that record's error row.
    """
    rule_ids = tuple(rule.id for rule in job.ruleset.rules)
    advised = advisory_ids(job.ruleset, job.site)
    writer = batch_rows(rule_ids, job.language, advised)
    tails: list[str | None] = [None] * len(chunk.cells)
    tally = Tally()
    forms = forms_as_read(job, chunk) if job.log else []
    explained: list[Explained | None] = [None] * len(chunk.cells) if job.log else []
    if plan is not None:
        try:
            tails, tally, explained = plan.screen_explained(chunk)
        except Exception:  # the record-by-record path below isolates the record that fails
            tails, tally = [None] * len(chunk.cells), Tally()
            explained = [None] * len(chunk.cells) if job.log else []
    if None not in tails:
        done = cast(list[str], tails)
        own = OwnParts.of(cast(list[Explained], explained))
        return ChunkOutput(done, writer.row_end, "", tally, chunk.numbers, forms, own)
    details: list[str] = []
    left = [at for at, tail in enumerate(tails) if tail is None]
    for at, item in zip(left, screen_records(job, chunk.records(left)), strict=True):
        tails[at] = writer.tail(item.verdict)
        if item.result is not None:
            if job.details:
                details.append(result_json(item.result, indent=None) + "\n")
            if job.log:
                explained[at] = explained_of(item.result)
                patient_id, _, form = forms[at]
                forms[at] = (patient_id, item.result.screening_date.isoformat(), form)
        tally.add(item.verdict, rule_ids, advised)
    done = cast(list[str], tails)  # every record's row is in now
    own = OwnParts.of(cast(list[Explained], explained))
    return ChunkOutput(done, writer.row_end, "".join(details), tally, chunk.numbers, forms, own)


def explained_of(result: ScreeningResult) -> Explained:
    """A full result's own part, as the column-wise path gives it for a plain record."""
    return Explained(
        result.patient_id,
        result.outcome,
        tuple(item_piece(item.status, item.reason) for item in [*result.items, *result.advisory]),
        tuple(error_piece(e.field, e.value, e.message) for e in result.errors),
    )


def forms_as_read(job: Job, chunk: Chunk) -> list[tuple[str | None, str, str]]:
    """For the screening log, each record's patient id (as its row names it), screening date
    (ISO) and form as read: the cells of the form's columns, in the order of `job.columns`, as
    a JSON array (escaped: a NUL or a byte that did not decode stays as read; a workbook's date
    cell as the sheet shows it) — or, for a broken record, `{"record": [its cells]}`."""
    import json

    columns = job.columns
    indexes = [index for index, _ in columns.fields]
    pick: Callable[[Sequence[str]], Sequence[str]] = (
        operator.itemgetter(*indexes)  # a tuple of the cells: two names or more
        if len(indexes) > 1
        else lambda cells: [cells[index] for index in indexes]
    )
    width, at_id = columns.width, columns.patient_id
    at_date = next((i for i, name in columns.fields if name == "screening_date"), None)
    # The C string encoder the json module's encoder uses for each str of a list: the same text.
    string = json.encoder.encode_basestring_ascii
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
    default = job.as_of.isoformat()
    days: dict[str, str] = {}
    forms = []
    # A CSV's cells are all text (a workbook's date and error cells are not): read as they are.
    texts = set(map(type, itertools.chain.from_iterable(chunk.cells))) <= {str}
    for row in chunk.cells:
        cells = cast(Sequence[str], row) if texts else list(map(cell_text, row))
        day = default
        if len(cells) == width:
            form = f"[{','.join(map(string, pick(cells)))}]"
            if at_date is not None and cells[at_date]:
                day = days.get(cells[at_date]) or days.setdefault(
                    cells[at_date], _day_of(job, cells[at_date])
                )
        else:  # a broken record: the cells there are, by position
            form = dumps({"record": list(cells)})
        patient_id = cells[at_id].strip() or None if at_id < len(cells) else None
        forms.append((patient_id, day, form))
    return forms


def _day_of(job: Job, text: str) -> str:
    """The screening date a cell gives (the job's date when it cannot be read), ISO."""
    ok, value = job.reader.read_text("screening_date", text)
    return value.isoformat() if ok and isinstance(value, dt.date) else job.as_of.isoformat()


def column_plan(job: Job) -> ColumnPlan | None:
    """The column-wise plan for a job, when its rules and outputs allow one."""
    return ColumnPlan(job) if ColumnPlan.usable(job) else None


def screen_chunks(job: Job, chunks: Iterable[Chunk]) -> Generator[ChunkOutput, None, None]:
    """Screen chunk by chunk, in input order (parallel.py screens a file on several cores)."""
    plan = column_plan(job)
    for chunk in chunks:
        yield screen_chunk(job, chunk, plan)


COLLECT_AFTER = (10_000, 10, 10)
"""The garbage collector's thresholds while a list is screened (Python's are 700, 10, 10)."""


def collect_less() -> None:
    """Set the garbage collector for screening a list, in each process that screens one: what
    is loaded by now (the rules, the modules) is frozen out of its passes, and it runs every
    10,000 new containers rather than 700. A list's screening makes a great many short-lived
    lists and tuples (a row, its cells) and hardly a cycle; the collector's passes over them
    and over the rules took some 5 % of a batch (benchmarks/workbook_speed.py)."""
    gc.freeze()
    gc.set_threshold(*COLLECT_AFTER)


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """collect_less for a while (a list's screening in a process that goes on after it: the
    collector is as it was afterwards, what was frozen free to be collected again)."""
    was = gc.get_threshold()
    collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*was)
        gc.unfreeze()
