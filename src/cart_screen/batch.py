"""Referral lists: CSV records in -> one verdict per record out, in input order, streaming.

Nothing is lost: a record that cannot be read (wrong number of cells, bytes that do not decode)
or screened (no patient id, an unexpected failure) becomes a verdict with outcome `error` and the
reason, and every other record is still screened.
"""

from __future__ import annotations

import codecs
import collections
import csv
import datetime as dt
import multiprocessing
import multiprocessing.pool
import signal
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import yaml

from cart_screen.evaluate import Verdict, decide, result_of
from cart_screen.form import FIELDS
from cart_screen.i18n import Language, M, Said
from cart_screen.reading import FieldError, normalize_key
from cart_screen.result import Outcome, ScreeningResult, Status
from cart_screen.ruleset import Ruleset

# A spreadsheet cell can hold 32,767 characters; a longer CSV field is a broken record.
csv.field_size_limit(1 << 20)


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
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise BatchInputError(M.MAP_UNREADABLE.both(path=path, kind=type(exc).__name__)) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
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


def text_encoding(encoding: str) -> str:
    """The codec to read a list with; UTF-8 also takes Excel's byte-order mark."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError as exc:
        raise BatchInputError(M.UNKNOWN_ENCODING.both(encoding=encoding)) from exc
    return "utf-8-sig" if codec == "utf-8" else codec


def read_records(stream: TextIO, encoding: str) -> tuple[list[str], Iterator[Record]]:
    """The header and a stream of records; blank lines are not records (as csv.DictReader)."""
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise BatchInputError(M.EMPTY_LIST.both()) from None
    except csv.Error as exc:
        raise BatchInputError(M.BAD_HEADER_CSV.both(detail=exc)) from exc
    if not _decoded("".join(header)):
        raise BatchInputError(M.BAD_HEADER_BYTES.both(encoding=encoding))
    return header, _records(reader, len(header), encoding)


def _records(reader: Iterator[list[str]], width: int, encoding: str) -> Iterator[Record]:
    number = 0
    while True:
        try:
            for cells in reader:
                if not cells:
                    continue
                number += 1
                if len(cells) != width:
                    yield Record(number, cells, M.CELLS_COUNT.both(cells=len(cells), width=width))
                elif not _decoded("".join(cells)):
                    yield Record(number, cells, M.BAD_BYTES.both(encoding=encoding))
                else:
                    yield Record(number, cells)
            return
        except csv.Error as exc:  # the reader carries on with the next line
            number += 1
            yield Record(number, [], M.BAD_CSV.both(detail=exc))


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
    reader = ruleset.reader
    for record in records:
        facts: Mapping[str, Any] = {}
        defaulted: frozenset[str] = frozenset()
        if record.problem is not None:
            verdict = _error(record, columns, record.problem, as_of)
        else:
            try:
                read = reader.read_cells(columns.fields, record.cells, as_of, job.site)
                verdict, facts, defaulted = decide(ruleset, read), read.facts, read.defaulted
            except Exception as exc:  # one record's failure must not lose the others
                message = M.NOT_SCREENED.both(kind=type(exc).__name__)
                verdict = _error(record, columns, message, as_of)
        result = (
            result_of(ruleset, verdict, facts, job.language, defaulted) if job.details else None
        )
        yield Screened(record.number, verdict, result)


def _error(record: Record, columns: Columns, message: Said, day: dt.date) -> Verdict:
    index = columns.patient_id
    patient_id = record.cells[index].strip() or None if index < len(record.cells) else None
    return Verdict(patient_id, "error", (), (FieldError("record", None, message),), day)


# ---------------------------------------------------------------- chunks, in one process or many


@dataclass
class Tally:
    """What a chunk adds to the summary: outcomes, status profiles and the patient ids seen."""

    outcomes: Counter[Outcome] = field(default_factory=Counter)
    profiles: Counter[tuple[Status, ...]] = field(default_factory=Counter)
    patient_ids: list[str] = field(default_factory=list)


@dataclass
class ChunkOutput:
    """A chunk of records, screened: its OUT.csv rows and JSONL lines as text, and its tally."""

    rows: str
    details: str
    tally: Tally


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to screen chunks the same way the main process would."""

    ruleset: Ruleset
    columns: Columns
    as_of: dt.date
    details: bool
    language: Language = "en"
    site: Mapping[str, Any] = field(default_factory=dict)
    """Site-wide defaults, already read (see reading.read_site_defaults)."""


def screen_chunk(job: Job, records: list[Record]) -> ChunkOutput:
    """Screen a chunk of records into OUT.csv rows, JSONL lines and a tally."""
    from cart_screen.render import batch_rows, result_json

    writer = batch_rows(tuple(rule.id for rule in job.ruleset.rules), job.language)
    rows: list[str] = []
    details: list[str] = []
    tally = Tally()
    for item in screen_records(job, records):
        verdict = item.verdict
        rows.append(writer.row(item.number, verdict))
        if item.result is not None:
            details.append(result_json(item.result, indent=None) + "\n")
        tally.outcomes[verdict.outcome] += 1
        tally.profiles[verdict.statuses] += 1
        if verdict.patient_id is not None:
            tally.patient_ids.append(verdict.patient_id)
    return ChunkOutput("".join(rows), "".join(details), tally)


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_JOB: Job | None = None
"""The job of a worker process, set once when the worker starts."""


def _start_worker(job: Job) -> None:
    global _JOB
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    _JOB = job


def _work(records: list[Record]) -> ChunkOutput:
    assert _JOB is not None
    return screen_chunk(_JOB, records)


def screen_chunks(
    job: Job, records: Iterable[Record], *, jobs: int = 1, chunk_size: int = 2000
) -> Iterator[ChunkOutput]:
    """Screen records chunk by chunk, in input order; with jobs > 1, in worker processes.

    At most a few chunks per worker are in flight, so memory stays constant whatever the size
    of the list.
    """
    chunks = _chunks(records, chunk_size)
    if jobs <= 1:
        for chunk in chunks:
            yield screen_chunk(job, chunk)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_start_worker, initargs=(job,)) as pool:
        pending: collections.deque[multiprocessing.pool.AsyncResult[ChunkOutput]] = (
            collections.deque()
        )
        for chunk in chunks:
            pending.append(pool.apply_async(_work, (chunk,)))
            if len(pending) >= 2 * jobs + 1:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class DuplicateIds:
    """Finds the patient ids that occur more than once, in memory that does not grow with the list.

    Each id goes, by a checksum of it, to one of 256 partitions, spilled to temporary files in a
    private folder beside the results; at the end each partition — about 1/256 of the ids — is read
    back on its own to count its ids. The folder is removed when done, or when the run fails.
    """

    PARTITIONS = 256
    SPILL_AT = 1 << 16
    """Bytes a partition holds in memory before it is appended to its file."""

    def __init__(self, scratch: Path | None = None):
        self._scratch = scratch
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._buffers = [bytearray() for _ in range(self.PARTITIONS)]

    def add(self, patient_id: str) -> None:
        data = patient_id.encode("utf-8", "surrogateescape")
        partition = zlib.crc32(data) % self.PARTITIONS
        buffer = self._buffers[partition]
        buffer += len(data).to_bytes(4, "little")
        buffer += data
        if len(buffer) >= self.SPILL_AT:
            self._spill(partition)

    def _path(self, partition: int) -> Path:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(
                prefix=".cart-screen-ids-", dir=self._scratch
            )
        return Path(self._folder.name) / f"{partition:03d}"

    def _spill(self, partition: int) -> None:
        with self._path(partition).open("ab") as spill:
            spill.write(self._buffers[partition])
        self._buffers[partition] = bytearray()

    def counts(self) -> dict[str, int]:
        """Each id seen more than once, with how many times; then the scratch folder is removed."""
        found: dict[str, int] = {}
        try:
            for partition in range(self.PARTITIONS):
                data = bytes(self._buffers[partition])
                if self._folder is not None and self._path(partition).exists():
                    data = self._path(partition).read_bytes() + data
                seen: Counter[bytes] = Counter()
                at = 0
                while at < len(data):
                    size = int.from_bytes(data[at : at + 4], "little")
                    seen[data[at + 4 : at + 4 + size]] += 1
                    at += 4 + size
                found.update(
                    (key.decode("utf-8", "surrogateescape"), n) for key, n in seen.items() if n > 1
                )
        finally:
            self.close()
        return dict(sorted(found.items()))

    def close(self) -> None:
        """Remove the scratch folder (safe to call twice)."""
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self._buffers = [bytearray() for _ in range(self.PARTITIONS)]


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
    scratch: Path | None = None
    _ids: DuplicateIds = field(init=False, repr=False)
    _profiles: Counter[tuple[Status, ...]] = field(default_factory=Counter, repr=False)

    def __post_init__(self) -> None:
        self._ids = DuplicateIds(self.scratch)

    def __enter__(self) -> Summary:
        return self

    def __exit__(self, *_: object) -> None:
        self._ids.close()

    def add(self, tally: Tally) -> None:
        """Count a chunk's tally."""
        self.records += sum(tally.outcomes.values())
        self.outcomes.update(tally.outcomes)
        # Status profiles repeat across chunks: count them, and turn them into per-rule
        # counts now and then, so that memory stays bounded.
        self._profiles.update(tally.profiles)
        if len(self._profiles) > 10_000:
            self._fold_profiles()
        for patient_id in tally.patient_ids:
            self._ids.add(patient_id)

    def _fold_profiles(self) -> None:
        for statuses, count in self._profiles.items():
            for rule_id, status in zip(self.rule_ids, statuses, strict=False):
                if status == "flagged":
                    self.flagged[rule_id] += count
                elif status == "needs_info":
                    self.needs_info[rule_id] += count
        self._profiles.clear()

    def finish(self) -> Summary:
        """Complete the counts and find the duplicate patient ids, once every record is in."""
        self._fold_profiles()
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
            "duplicate_patient_ids": self.duplicates,
            "ignored_columns": list(self.ignored_columns),
        }
