"""Referral lists: CSV records in -> one verdict per record out, in input order, streaming.

Nothing is lost: a record that cannot be read (wrong number of cells, bytes that do not decode)
or screened (no patient id, an unexpected failure) becomes a verdict with outcome `error` and the
reason, and every other record is still screened.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import itertools
import operator
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, AnyStr, NamedTuple, TextIO

import yaml

from cart_screen.datafile import FORM_FILE_LIMIT, FileTooLarge, anchor_at, read_limited
from cart_screen.evaluate import Verdict, decide, result_of
from cart_screen.files import owned, remove_abandoned
from cart_screen.form import FIELDS
from cart_screen.i18n import Language, M, Said
from cart_screen.reading import FieldError, FormReader, normalize_key
from cart_screen.result import Outcome, ScreeningResult
from cart_screen.ruleset import Ruleset
from cart_screen.site import NO_SITE, Site

if TYPE_CHECKING:
    from cart_screen.columnwise import ColumnPlan
    from cart_screen.list_encoding import ListEncoding

RECORD_LIMIT = 1 << 20
"""Characters a record may hold, line ends included. A spreadsheet cell holds at most 32,767, so
a longer record is a broken one (most often a quote that is never closed): it is one error row,
read past without being kept (see Records)."""

# The csv module's own limit on a cell is never met first: a cell is shorter than its record.
csv.field_size_limit(RECORD_LIMIT)


class BatchInputError(Exception):
    """The list cannot be screened at all (unreadable file, no patient_id column): exit 2."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said


@dataclass(frozen=True)
class Columns:
    """Which input column feeds which form field, and which columns are ignored."""

    width: int
    fields: tuple[tuple[int, str], ...]
    patient_id: int
    ignored: tuple[str, ...]


def load_column_map(path: Path) -> dict[str, str]:
    """Read a `--columns` file: `their header: form field` pairs, checked against the form."""
    try:
        text = read_limited(path, FORM_FILE_LIMIT, "utf-8-sig")
        anchor = anchor_at(text)  # none needed; aliases are how a billion laughs is made
        if anchor is not None:
            where = f"{path}:{anchor[0]}:{anchor[1]}"
            raise BatchInputError(M.MAP_ANCHORS.both(where=where))
        data = yaml.safe_load(text)
    except FileTooLarge as exc:
        raise BatchInputError(M.FILE_TOO_LARGE.both(path=path, limit=exc.limit // 2**20)) from exc
    except OSError as exc:
        raise BatchInputError(M.MAP_UNREADABLE.both(path=path, kind=type(exc).__name__)) from exc
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        raise BatchInputError(M.MAP_INVALID.both(path=path)) from exc
    if not isinstance(data, dict):
        raise BatchInputError(M.MAP_NOT_PAIRS.both(path=path))
    mapping: dict[str, str] = {}
    for header, target in data.items():
        if target is None:
            continue  # a line of the skeleton the site left empty
        if str(target) not in FIELDS:
            fields = ", ".join(FIELDS)
            said = M.MAP_BAD_FIELD.both(path=path, header=header, target=target, fields=fields)
            raise BatchInputError(said)
        mapping[normalize_key(header)] = str(target)
    return mapping


def map_columns(header: list[str], column_map: Mapping[str, str]) -> Columns:
    """Match headers to fields (ignoring case and surrounding spaces, or via the column map)."""
    fields: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = normalize_key(name.removeprefix("\ufeff"))
        target = column_map.get(key) or (key if key in FIELDS else None)
        if target is None:
            ignored.append(name)
        elif target in fields:
            first, second = fields[target] + 1, index + 1
            raise BatchInputError(M.COLUMNS_CLASH.both(first=first, second=second, field=target))
        else:
            fields[target] = index
    if "patient_id" not in fields:
        raise BatchInputError(M.NO_ID_COLUMN.both())
    return Columns(
        len(header), tuple((i, f) for f, i in fields.items()), fields["patient_id"], tuple(ignored)
    )


class Record(NamedTuple):
    """One CSV record: its 1-based number and its cells, or why it could not be read."""

    number: int
    cells: list[str]
    problem: Said | None = None


class Chunk(NamedTuple):
    """Consecutive records as read: the first one's number, each one's cells, and the records
    that cannot be read (by position in the chunk) with the reason."""

    first: int
    cells: list[list[str]]
    problems: dict[int, Said]

    def records(self, positions: Iterable[int] | None = None) -> Iterator[Record]:
        """The chunk record by record (only those at `positions`, if given)."""
        for at in range(len(self.cells)) if positions is None else positions:
            yield Record(self.first + at, self.cells[at], self.problems.get(at))


def text_encoding(encoding: str) -> str:
    """The codec to read a list with; UTF-8 also takes Excel's byte-order mark.

    Only text encodings: Python's codec registry also holds bytes-to-bytes and str-to-str codecs
    (base64, zlib, rot13, …), which fail at the first read, and `undefined`, which refuses all.
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError as exc:
        raise BatchInputError(M.UNKNOWN_ENCODING.both(encoding=encoding)) from exc
    if not info._is_text_encoding or info.name == "undefined":
        raise BatchInputError(M.NOT_TEXT_ENCODING.both(encoding=encoding))
    return "utf-8-sig" if info.name == "utf-8" else info.name


CHUNK_SIZE = 500
"""Records screened together: enough for column-wise work to pay, few enough that the cells the
csv reader has just made are still in the CPU's cache when they are looked up (~17 % faster than
2,000 here)."""


def read_chunks(
    stream: TextIO,
    encoding: str,
    size: int = CHUNK_SIZE,
    *,
    detected: bool = False,
    limit: int = RECORD_LIMIT,
) -> tuple[list[str], Iterator[Chunk]]:
    """The header and a stream of chunks; blank lines are not records (as csv.DictReader).

    `encoding` is the name of the one the stream is read in, as the user is told it;
    `detected` says whether it was detected (list_encoding.py) or asked for. A record longer
    than `limit` characters is an error row (see Records).
    """
    records = Records(stream, limit)
    try:
        header = next(records.rows)
    except StopIteration:
        raise BatchInputError(M.EMPTY_LIST.both()) from None
    except RecordTooLong:
        raise BatchInputError(M.HEADER_TOO_LONG.both(limit=limit)) from None
    except csv.Error as exc:
        raise BatchInputError(M.BAD_HEADER_CSV.both(detail=exc)) from exc
    if not _decoded("".join(header)):
        message = M.BAD_HEADER_BYTES if detected else M.BAD_HEADER_BYTES_GIVEN
        raise BatchInputError(message.both(encoding=encoding))
    return header, chunks_of(records, len(header), encoding, size)


def chunks_of(
    records: Records, width: int, encoding: str, size: int = CHUNK_SIZE
) -> Iterator[Chunk]:
    """Records chunk by chunk (see read_chunks); one that cannot be read is an error record."""
    first = 1
    cells: list[list[str]] = []
    problems: dict[int, Said] = {}
    while True:
        ended = False
        try:
            while len(cells) < size and not ended:
                before, wanted = len(cells), size - len(cells)
                try:
                    cells.extend(itertools.islice(records.rows, wanted))
                    ended = len(cells) - before < wanted
                finally:
                    if [] in cells[before:]:  # blank lines are not records
                        cells[before:] = [row for row in cells[before:] if row]
        except RecordTooLong as exc:  # extend keeps the records read before it
            problems[len(cells)] = M.RECORD_TOO_LONG.both(limit=records.limit)
            cells.append(exc.cells)
            records.resume()
            continue
        except csv.Error as exc:
            problems[len(cells)] = M.BAD_CSV.both(detail=exc)
            cells.append([])  # the reader carries on with the next line
            continue
        if cells:
            yield _checked(Chunk(first, cells, problems), width, encoding)
        if ended:
            return
        first, cells, problems = first + len(cells), [], {}


# ---------------------------------------------------------------- records, bounded


class RecordTooLong(Exception):
    """A record longer than the limit, read past to its end (see Records)."""

    def __init__(self, cells: list[str]):
        super().__init__()
        self.cells = cells
        """The cells its first line holds before any quote (its patient id, most often)."""


READ_SIZE = 1 << 16
"""Characters read at a time."""


class Records:
    """The records of a CSV text, as a csv reader (strict, RFC 4180 quoting) reads them, none of
    them longer than `limit` characters.

    The text is read a block at a time and handed to the csv reader only up to the end of the
    last record the block completes, found by reading the quoting as the csv reader does. A
    record longer than the limit is never handed over: it is read past, to the end the csv
    reader would have found for it, without being kept, and `rows` raises RecordTooLong in its
    place; after `resume`, `rows` reads on from the next record. So every other record, and the
    number it is counted by, is what a reader without a limit gives, and the text held at any
    time is a few times the limit at most.

    A record ends at a line end outside a quoted cell, and a quote opens a cell only at the
    start of a cell. A quote that is never closed therefore makes the rest of the text one
    record, as it does for the csv reader: one error row ("unexpected end of data", or too long).
    """

    def __init__(self, stream: TextIO, limit: int = RECORD_LIMIT, block: int = READ_SIZE):
        if not 2 <= limit <= RECORD_LIMIT:  # "\r\n", a blank line, is never too long
            raise ValueError(f"a record limit from 2 to {RECORD_LIMIT} characters, not {limit}")
        self.limit = limit
        self._read = stream.read
        self._block = block
        self._text = ""
        """Text read and not yet handed over; a record starts at `_at`."""
        self._at = 0
        self._ended = False
        self.rows: Iterator[list[str]] = self._reader()
        """The csv reader: the rows from the next record on, or RecordTooLong."""

    def resume(self) -> None:
        """Read on after a RecordTooLong, from the record after the long one."""
        self.rows = self._reader()

    def _reader(self) -> Iterator[list[str]]:
        return csv.reader(itertools.chain.from_iterable(self._lines()), strict=True)

    def _lines(self) -> Iterator[list[str]]:
        """Lines for the csv reader, a run of whole records at a time (so it is between records
        whenever RecordTooLong is raised)."""
        while True:
            text, at = self._text, self._at
            # A \r at the end may be the start of a \r\n: the record it ends is not yet whole.
            end = _whole_records(text[:-1] if text[-1:] == "\r" and not self._ended else text, at)
            if end - at > self.limit:
                long = self._first_long(text, at, end)
                if long is not None:
                    start, self._at = long
                    if start > at:
                        yield _split_lines(text[at:start])
                    raise RecordTooLong(_leading_cells(text, start))
            self._at = end
            if end > at:
                yield _split_lines(text[at:end])
            if self._ended:  # what is left is one record, however it is quoted
                self._text, self._at = "", 0
                if len(text) - end > self.limit:
                    raise RecordTooLong(_leading_cells(text, end))
                if end < len(text):
                    yield _split_lines(text[end:])
                return
            if len(text) - end > self.limit:
                cells = _leading_cells(text, end)
                self._read_past(text, end)
                raise RecordTooLong(cells)
            more = self._read(max(self._block, len(text) - end))
            self._text, self._at, self._ended = text[end:] + more, 0, not more

    def _first_long(self, text: str, at: int, end: int) -> tuple[int, int] | None:
        """The first record in text[at:end] (whole records) over the limit: its start and end."""
        while at < end:
            stop = _record_end(text, at)[0]
            if stop - at > self.limit:
                return at, stop
            at = stop
        return None

    def _read_past(self, text: str, at: int) -> None:
        """Read past the record that starts at text[at], keeping none of what follows of it."""
        end, state = _record_end(text, at)
        while end < 0:
            text = self._read(self._block)
            if not text:
                self._ended = True
                end = 0
                break
            end, state = _record_end(text, 0, state)
        self._text, self._at = text, end


def _leading_cells(text: str, start: int) -> list[str]:
    """The cells a record starting at text[start] holds before its first quote or line end:
    they read the same whatever follows."""
    head = text[start : start + 1024]
    stops = [at for char in '"\r\n' if (at := head.find(char)) >= 0]
    return head[: min(stops, default=len(head))].split(",")[:-1]


def quote_cut(data: AnyStr, start: int, end: int) -> int | None:
    """The last line end in data[start:end] after which the quotes since `start` are even: a
    record's end, if the text is quoted as RFC 4180 says and a record starts at `start`."""
    quote, newline = ('"', "\n") if isinstance(data, str) else (b'"', b"\n")
    at, quotes = end, data.count(quote, start, end)
    while (line_end := data.rfind(newline, start, at)) != -1:
        quotes -= data.count(quote, line_end, at)  # now: those before it
        if quotes % 2 == 0:
            return line_end + 1
        # Odd: so is every line end back to the quote before this one.
        at = data.rfind(quote, start, line_end)
        if at == -1:
            return None
        quotes -= 1
    return None


_WELL_QUOTED = re.compile(r'[^"]*+(?:(?<![^,\r\n])"[^"]*+(?:""[^"]*+)*+"(?![^,\r\n])[^"]*+)*+')
"""Text quoted as RFC 4180 says: each quoted cell starts and ends a cell, no other quote."""


def _whole_records(text: str, at: int) -> int:
    """Where the last record that `text` holds whole ends (`at` if none); one starts at `at`."""
    while True:
        # Almost every list is quoted as RFC 4180 says: up to where it is, a line end with
        # even quotes before it ends a record, found without reading record by record.
        well = _WELL_QUOTED.match(text, at).end()  # type: ignore[union-attr]  # always matches
        cut = quote_cut(text, at, well) or at
        end, _ = _record_end(text, cut)
        if end < 0:
            return cut
        at = end


# How the csv reader stands in a record (strict, RFC 4180 quoting).
_CELL_START, _PLAIN, _QUOTED, _QUOTE, _BROKEN = range(5)
"""At a cell's start; in a cell without quotes (a quote there is just a character); in a quoted
cell; after a quote in a quoted cell (its end, or the first of a doubled quote); after a quoted
cell closed and followed by more (an error: the reader drops the rest of the line)."""

_LINE_END_OR_QUOTE = re.compile(r'["\r\n]')
_LINE_END = re.compile(r"\r\n?|\n")


def _record_end(text: str, at: int, state: int = _CELL_START) -> tuple[int, int]:
    """Read `text` from `at`, in `state`, as the csv reader does, to the end of the record: the
    index past its line end and _CELL_START, or -1 and the state at the end of the text."""
    while at < len(text):
        if state == _QUOTED:
            at = text.find('"', at)
            if at < 0:
                return -1, _QUOTED
            at, state = at + 1, _QUOTE
        elif state == _QUOTE:
            char = text[at]
            if char == '"':
                at, state = at + 1, _QUOTED
            elif char == ",":
                at, state = at + 1, _CELL_START
            elif char in "\r\n":
                return _past_line_end(text, at), _CELL_START
            else:
                state = _BROKEN
        elif state == _BROKEN:
            line_end = _LINE_END.search(text, at)
            return (line_end.end(), _CELL_START) if line_end else (-1, _BROKEN)
        else:
            found = _LINE_END_OR_QUOTE.search(text, at)
            if found is None:
                return -1, _CELL_START if text[-1] == "," else _PLAIN
            where = found.start()
            if text[where] != '"':
                return _past_line_end(text, where), _CELL_START
            opens = text[where - 1] == "," if where > at else state == _CELL_START
            at, state = where + 1, _QUOTED if opens else _PLAIN
    return -1, state


def _past_line_end(text: str, at: int) -> int:
    return at + 2 if text.startswith("\r\n", at) else at + 1


_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _split_lines(text: str) -> list[str]:
    """Text cut into lines as a text stream with newline="" cuts it: at \\r, \\n and \\r\\n."""
    if any(char in text for char in _OTHER_BREAKS):  # where str.splitlines would cut too
        return _LINE.findall(text)
    return text.splitlines(keepends=True)


def _checked(chunk: Chunk, width: int, encoding: str) -> Chunk:
    """Mark the records with the wrong number of cells, then those with bytes that did not decode.

    Both are checked for the whole chunk at once first: almost every chunk has neither.
    """
    cells, problems = chunk.cells, chunk.problems
    if problems or set(map(len, cells)) != {width}:
        for at, row in enumerate(cells):
            if at not in problems and len(row) != width:
                problems[at] = M.CELLS_COUNT.both(cells=len(row), width=width)
    if _undecoded.count and not _decoded("".join(itertools.chain.from_iterable(cells))):
        for at, row in enumerate(cells):
            if at not in problems and not _decoded("".join(row)):
                problems[at] = M.BAD_BYTES.both(encoding=encoding)
    return chunk


class _Undecoded:
    """The error handler lists are read with (UNDECODED): as surrogateescape, bytes that do not
    decode are kept (as lone surrogates), so that their record can be named; and it counts them,
    so that records are searched for such bytes only once some have been met in this process."""

    count = 0

    def __call__(self, error: UnicodeError) -> tuple[str | bytes, int]:
        self.count += 1
        return _SURROGATE_ESCAPE(error)


_SURROGATE_ESCAPE = codecs.lookup_error("surrogateescape")
_undecoded = _Undecoded()
UNDECODED = "cart-screen-undecoded"
codecs.register_error(UNDECODED, _undecoded)


def _decoded(text: str) -> bool:
    """False when text holds bytes that did not decode (kept as lone surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
                verdict, facts, defaulted = decide(ruleset, read), read.facts, read.defaulted
            except Exception as exc:  # one record's failure must not lose the others
                message = M.NOT_SCREENED.both(kind=type(exc).__name__)
                verdict = _error(record, columns, message, as_of)
        result = (
            result_of(ruleset, verdict, facts, job.language, defaulted, job.site)
            if job.details
            else None
        )
        yield Screened(record.number, verdict, result)


def _error(record: Record, columns: Columns, message: Said, day: dt.date) -> Verdict:
    index = columns.patient_id
    patient_id = record.cells[index].strip() or None if index < len(record.cells) else None
    if patient_id is not None and not _decoded(patient_id):
        # Bytes that did not decode cannot be written out: each shows as U+FFFD, so the id
        # still points at the record and its row is written.
        patient_id = _UNDECODED_CHARACTER.sub("\ufffd", patient_id)
    return Verdict(patient_id, "error", (), (FieldError("record", None, message),), day)


_UNDECODED_CHARACTER = re.compile("[\udc80-\udcff]")
"""How the error handler UNDECODED keeps a byte that did not decode (as surrogateescape)."""


# ---------------------------------------------------------------- chunks, in one process or many


@dataclass
class Tally:
    """What a chunk adds to the summary: outcomes, each rule's flagged and needs-info counts,
    and the patient ids seen."""

    outcomes: Counter[Outcome] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    needs_info: Counter[str] = field(default_factory=Counter)
    patient_ids: list[str] = field(default_factory=list)

    def add(self, verdict: Verdict, rule_ids: Sequence[str]) -> None:
        """Count one record's verdict."""
        self.outcomes[verdict.outcome] += 1
        for rule_id, status in zip(rule_ids, verdict.statuses, strict=False):
            if status == "flagged":
                self.flagged[rule_id] += 1
            elif status == "needs_info":
                self.needs_info[rule_id] += 1
        if verdict.patient_id is not None:
            self.patient_ids.append(verdict.patient_id)


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
    forms: list[tuple[str | None, str, str]] = field(default_factory=list)
    """For the screening log (Job.log): each record's patient id, screening date and form as
    read (see forms_as_read)."""

    def rows(self, first: int) -> str:
        """The rows as OUT.csv has them, numbered from `first`."""
        numbers = map(str, range(first, first + len(self.tails)))
        comma, end = itertools.repeat(","), itertools.repeat(self.end)
        cells = zip(numbers, comma, self.tails, end, strict=False)  # the others repeat
        return "".join(itertools.chain.from_iterable(cells))


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to screen chunks the same way the main process would."""

    ruleset: Ruleset
    columns: Columns
    as_of: dt.date
    details: bool
    language: Language = "en"
    site: Site = NO_SITE
    """The site settings: defaults for site fields, the lab's ULNs (see site.py)."""
    log: bool = False
    """Whether the screening log records the list: each chunk also gives its forms as read."""

    @property
    def reader(self) -> FormReader:
        """Reads cells with the ruleset's value book and the site's lab ULNs."""
        return self.ruleset.reader_for(self.site.lab_uln)


def screen_chunk(job: Job, chunk: Chunk, plan: ColumnPlan | None = None) -> ChunkOutput:
    """Screen a chunk of records into OUT.csv rows, JSONL lines and a tally.

    With a plan, the plain records are screened column-wise (see columnwise.py) and the rest
    record by record; without one — or should the column-wise pass fail — all record by record,
    where one record's failure is that record's error row.
    """
    from cart_screen.render import batch_rows, result_json

    rule_ids = tuple(rule.id for rule in job.ruleset.rules)
    writer = batch_rows(rule_ids, job.language)
    tails: list[str | None] = [None] * len(chunk.cells)
    tally = Tally()
    forms = forms_as_read(job, chunk) if job.log else []
    if plan is not None:
        try:
            tails, tally = plan.screen(chunk)
        except Exception:  # the record-by-record path below isolates the record that fails
            tails, tally = [None] * len(chunk.cells), Tally()
    if None not in tails:
        return ChunkOutput(tails, writer.row_end, "", tally, forms)  # type: ignore[arg-type]
    details: list[str] = []
    left = chunk.records(at for at, tail in enumerate(tails) if tail is None)
    for item in screen_records(job, left):
        tails[item.number - chunk.first] = writer.tail(item.verdict)
        if item.result is not None:
            details.append(result_json(item.result, indent=None) + "\n")
        tally.add(item.verdict, rule_ids)
    return ChunkOutput(tails, writer.row_end, "".join(details), tally, forms)  # type: ignore[arg-type]


def forms_as_read(job: Job, chunk: Chunk) -> list[tuple[str | None, str, str]]:
    """For the screening log, each record's patient id (as its row names it), screening date
    (ISO) and form as read: the cells of the form's columns as JSON text (escaped: a NUL or a
    byte that did not decode stays as read)."""
    import json

    columns = job.columns
    names = [name for _, name in columns.fields]
    pick = operator.itemgetter(*(index for index, _ in columns.fields))
    width, at_id = columns.width, columns.patient_id
    at_date = next((i for i, name in columns.fields if name == "screening_date"), None)
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
    default = job.as_of.isoformat()
    days: dict[str, str] = {}
    forms = []
    for cells in chunk.cells:
        day = default
        if len(cells) == width:
            picked = pick(cells)
            form: dict[str, Any] = dict(
                zip(names, picked if len(names) > 1 else (picked,), strict=True)
            )
            if at_date is not None and cells[at_date]:
                day = days.get(cells[at_date]) or days.setdefault(
                    cells[at_date], _day_of(job, cells[at_date])
                )
        else:  # a broken record: the cells there are, by position
            form = {"record": list(cells)}
        patient_id = cells[at_id].strip() or None if at_id < len(cells) else None
        forms.append((patient_id, day, dumps(form)))
    return forms


def _day_of(job: Job, text: str) -> str:
    """The screening date a cell gives (the job's date when it cannot be read), ISO."""
    ok, value = job.reader.read_text("screening_date", text)
    return value.isoformat() if ok and isinstance(value, dt.date) else job.as_of.isoformat()


def column_plan(job: Job) -> ColumnPlan | None:
    """The column-wise plan for a job, when its rules and outputs allow one."""
    from cart_screen.columnwise import ColumnPlan

    return ColumnPlan(job) if ColumnPlan.usable(job) else None


def screen_chunks(job: Job, chunks: Iterable[Chunk]) -> Iterator[ChunkOutput]:
    """Screen chunk by chunk, in input order (parallel.py screens a file on several cores)."""
    plan = column_plan(job)
    for chunk in chunks:
        yield screen_chunk(job, chunk, plan)


class DuplicateIds:
    """Finds the patient ids that occur more than once, in memory that does not grow with the list.

    Each id goes, by its hash, to one of 256 partitions, spilled to temporary files in a private
    folder beside the results; at the end each partition — about 1/256 of the ids — is read back
    on its own to count its ids. The folder is removed when done, or when the run fails; one a
    killed run left is removed by the next run that makes one there (files.remove_abandoned).

    Ids are gathered into batches, each sorted by hash, so that each partition's share is one slice
    (no Python loop over the ids); a partition stores one id a line (an id holding a line break or
    backslash is escaped).
    """

    PARTITIONS = 256
    SPILL_AT = 1 << 12
    """Characters a partition holds in memory before it is appended to its file."""
    BATCH = 1 << 13
    """Ids gathered before they are partitioned (each partitioning visits every partition)."""
    _BOUNDS = tuple(-(1 << 63) + (p + 1) * (1 << 56) for p in range(PARTITIONS))
    """The hash each partition stays below (hashes are signed 64-bit)."""
    SCRATCH = ".cart-screen-ids-"
    """How the scratch folder's name starts (then its owner: see files.owned)."""

    def __init__(self, scratch: Path | None = None):
        self._scratch = scratch
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._buffers: list[list[str]] = [[] for _ in range(self.PARTITIONS)]
        self._sizes = [0] * self.PARTITIONS
        self._waiting: list[str] = []

    def add(self, patient_id: str) -> None:
        """Count one id."""
        self.add_all([patient_id])

    def add_all(self, patient_ids: list[str]) -> None:
        """Count a chunk's ids (partitioned a batch of ids at a time)."""
        self._waiting.extend(patient_ids)
        if len(self._waiting) >= self.BATCH:
            self._partition()

    def _partition(self) -> None:
        patient_ids, self._waiting = self._waiting, []
        if not patient_ids:
            return
        lines = "\n".join(patient_ids)
        if "\\" in lines or lines.count("\n") != len(patient_ids) - 1:
            patient_ids = [_escape(patient_id) for patient_id in patient_ids]
        ordered = sorted(patient_ids, key=hash)
        hashes = sorted(map(hash, patient_ids))
        start = 0
        for partition, bound in enumerate(self._BOUNDS):
            end = bisect.bisect_left(hashes, bound, start)
            if end > start:
                text = "\n".join(ordered[start:end]) + "\n"
                self._buffers[partition].append(text)
                self._sizes[partition] += len(text)
                if self._sizes[partition] >= self.SPILL_AT:
                    self._spill(partition)
                start = end

    def open(self) -> None:
        """Make the scratch folder now (else at the first spill)."""
        if self._folder is None:
            remove_abandoned(self._scratch or Path(tempfile.gettempdir()), self.SCRATCH)
            self._folder = tempfile.TemporaryDirectory(
                prefix=owned(self.SCRATCH), dir=self._scratch
            )

    def _path(self, partition: int) -> Path:
        self.open()
        assert self._folder is not None
        return Path(self._folder.name) / f"{partition:03d}"

    def _open(self, partition: int, mode: str) -> IO[str]:
        path = self._path(partition)
        return path.open(mode, encoding="utf-8", errors="surrogateescape", newline="")

    def _spill(self, partition: int) -> None:
        with self._open(partition, "a") as spill:
            spill.writelines(self._buffers[partition])
        self._buffers[partition], self._sizes[partition] = [], 0

    def counts(self) -> dict[str, int]:
        """Each id seen more than once, with how many times; then the scratch folder is removed."""
        found: dict[str, int] = {}
        try:
            self._partition()
            for partition in range(self.PARTITIONS):
                text = "".join(self._buffers[partition])
                if self._folder is not None and self._path(partition).exists():
                    with self._open(partition, "r") as spilled:
                        text = spilled.read() + text
                seen = Counter(text.split("\n"))
                seen.pop("", None)  # after the last line break
                found.update((_unescape(key), n) for key, n in seen.items() if n > 1)
        finally:
            self.close()
        return dict(sorted(found.items()))

    def close(self) -> None:
        """Remove the scratch folder (safe to call twice)."""
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self._buffers = [[] for _ in range(self.PARTITIONS)]
        self._sizes = [0] * self.PARTITIONS
        self._waiting = []


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: "\n" if m[1] == "n" else m[1], text)


@dataclass
class Summary:
    """Counts over a list, like a cohort attrition table: outcomes and each rule's statuses.

    Use it as a context manager: duplicate detection keeps scratch files until `finish`.
    """

    rule_ids: tuple[str, ...]
    records: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    needs_info: Counter[str] = field(default_factory=Counter)
    ignored_columns: tuple[str, ...] = ()
    duplicates: dict[str, int] = field(default_factory=dict)
    """Each patient id seen more than once, with how many times (filled in by `finish`)."""
    show_duplicates: bool = False
    """Whether the summary may name the duplicate ids (`--show-duplicates`); else it counts them:
    a summary goes to stderr, and from there to cron mails and CI logs."""
    encoding: ListEncoding | None = None
    """The encoding the list was read in, and whether it was detected."""
    screened_with: tuple[str, str, Site] | None = None
    """The ruleset's id and sha256 and the site settings the list was screened with."""
    scratch: Path | None = None
    _ids: DuplicateIds = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._ids = DuplicateIds(self.scratch)

    def __enter__(self) -> Summary:
        self._ids.open()
        return self

    def __exit__(self, *_: object) -> None:
        self._ids.close()

    def add(self, tally: Tally) -> None:
        """Count a chunk's tally."""
        self.records += sum(tally.outcomes.values())
        self.outcomes.update(tally.outcomes)
        self.flagged.update(tally.flagged)
        self.needs_info.update(tally.needs_info)
        self._ids.add_all(tally.patient_ids)

    def finish(self) -> Summary:
        """Find the duplicate patient ids, once every record is in."""
        self.duplicates = self._ids.counts()
        return self

    def as_json(self) -> dict[str, Any]:
        """The same figures for `--summary FILE.json`."""
        outcomes: tuple[Outcome, ...] = ("flagged", "needs_info", "no_flags", "error")
        return {
            "records": self.records,
            "outcomes": {name: self.outcomes[name] for name in outcomes},
            "rules": {
                rule_id: {"flagged": self.flagged[rule_id], "needs_info": self.needs_info[rule_id]}
                for rule_id in self.rule_ids
            },
            "duplicates": {
                "patient_ids": len(self.duplicates),
                "records": sum(self.duplicates.values()),
            },
            **({"duplicate_patient_ids": self.duplicates} if self.show_duplicates else {}),
            "ignored_columns": list(self.ignored_columns),
            "encoding": self.encoding.name if self.encoding else None,
            "encoding_detected": self.encoding.detected if self.encoding else None,
            **self._provenance(),
        }

    def _provenance(self) -> dict[str, Any]:
        """Which rules and site settings produced the figures (so OUT.csv can be traced)."""
        if self.screened_with is None:
            return {}
        ruleset_id, sha256, site = self.screened_with
        return {
            "ruleset": {"id": ruleset_id, "sha256": sha256},
            "site": None if site.empty else {"name": site.name, "sha256": site.sha256},
        }
