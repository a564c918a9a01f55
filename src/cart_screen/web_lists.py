"""A referral list uploaded to the web page: screened in memory, its results held for the page.

The upload is screened once (`screen_list`); what its results page shows — outcome counts, each
rule's flagged and needs-info counts, the first records that need attention — and the results
CSV, compressed, are kept in a `ResultStore` under a random token, so that the page has an
address of its own (refreshing it screens nothing again) and its downloads need no second
upload. The store is bounded in entries, bytes and time, and lives in memory only; the token
is the only key, and nothing about a list is logged.

A workbook (.xlsx, .xls, .ods) is recognised by its content and read by `workbook` as `batch`
reads one (its first sheet); anything else is CSV text. The results download as OUT.csv or
OUT.xlsx (`DOWNLOADS`); the workbook is made from the held CSV when it is asked for.

With a screening log (`serve --log`), the list's screenings are recorded as `batch --log` records
them — by a log.lists.ListRecorder handed in, one transaction per chunk — and the results page
says how many were (`Logged`). A log that fails partway stops the recording, not the screening:
the page says how many were recorded and that the rest were not.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
import tempfile
import threading
import time
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, NamedTuple, cast
from urllib.parse import quote

from cart_screen import workbook
from cart_screen.batch import screen_chunks
from cart_screen.csv_list import UNDECODED, read_chunks
from cart_screen.evaluate import advisory_ids
from cart_screen.i18n import WEB_WORDING, Language, M, Msg, Said, web_wording
from cart_screen.list_encoding import WORKBOOKS, ListEncoding, list_encoding
from cart_screen.list_records import BatchInputError, Job, map_columns
from cart_screen.list_summary import ListSource, Summary
from cart_screen.log.doubt import in_doubt_said
from cart_screen.render import BATCH_COLUMNS, csv_cell, printable, spreadsheet_safe
from cart_screen.ruleset import Ruleset
from cart_screen.site import NO_SITE, Site
from cart_screen.workbook import Kind, SheetList
from cart_screen.workbook_out import workbook_bytes

if TYPE_CHECKING:  # the log's modules import SQLAlchemy, of no use to a page without a log
    from cart_screen.log.lists import ListRecorder
    from cart_screen.log.store import LogError

ATTENTION_SHOWN = 200
"""Records that need attention listed on the results page; the download has them all."""
STORE_ENTRIES = 8
"""Lists whose results are held at a time; a ninth drops the oldest."""
STORE_BYTES = 64 * 2**20
"""Compressed results held at most, all lists together; more drops the oldest."""
STORE_SECONDS = 30 * 60
"""How long a list's results are held for its page and downloads."""
LOG_STOP_WAIT = 5.0
"""Seconds a failed list waits for the log to finish storing the chunk under way (a database
server frozen would make it wait for ever): past them, that chunk is in doubt."""


class Download(NamedTuple):
    """A format the results can be downloaded in."""

    media_type: str
    extension: str
    label: Msg


DOWNLOADS: dict[str, Download] = {
    "csv": Download("text/csv; charset=utf-8", "csv", M.WEB_DOWNLOAD_CSV),
    "xlsx": Download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        M.WEB_DOWNLOAD_XLSX,
    ),
}


class ListTimeout(Exception):
    """A list took longer than its time limit to screen."""


def is_workbook(data: bytes) -> bool:
    """Whether the upload is a spreadsheet workbook (ZIP: .xlsx/.ods; OLE2: .xls), by content."""
    return data.startswith(tuple(WORKBOOKS))


def read_workbook(
    data: bytes, sheet: str | None = None, column_map: Mapping[str, str] | None = None
) -> tuple[SheetList, Kind]:
    """An uploaded workbook's sheet (default: the first), ready to screen: the reader works on
    a file, so the upload is put in an owner-only temporary file, removed once the sheet is
    read."""
    with tempfile.NamedTemporaryFile(prefix=".cart-screen-upload-") as held:
        held.write(data)
        held.flush()
        path = Path(held.name)
        kind = workbook.workbook_kind(path)
        if kind is None:  # a ZIP or OLE2 signature and yet no workbook: refused above
            raise BatchInputError(M.WORKBOOK_NOT_A_WORKBOOK.both())
        return workbook.read_workbook(path, kind, sheet, column_map or {}), kind


@dataclass(frozen=True)
class AttentionRow:
    """A record that is flagged, needs information or could not be screened, as OUT.csv has it."""

    row: str
    patient_id: str
    outcome: str
    flagged: tuple[str, ...]
    needs_info: tuple[str, ...]
    errors: str


@dataclass
class Logged:
    """What the screening log holds of a screened list: `recorded` screenings committed,
    `in_doubt` being stored when the list stopped waiting for the log, and `problem`, why the
    others are not recorded (None: every one is)."""

    recorded: int = 0
    in_doubt: int = 0
    unconfirmed: int = 0
    """Screenings whose COMMIT failed: the log may hold them or not (ListRecorder.unconfirmed)."""
    problem: Said | None = None

    def said(self, records: int, language: Language) -> str:
        """The results page's line about the log: how many recorded, or which are NOT."""
        if self.problem is None:
            return M.WEB_LIST_RECORDED(language, count=self.recorded)
        rest = max(0, records - self.recorded - self.in_doubt - self.unconfirmed)
        said = M.WEB_LIST_NOT_RECORDED(
            language,
            count=self.recorded,
            rest=rest,
            reason=web_wording(self.problem(language), language),
        )
        return said + in_doubt_said(self.in_doubt, self.unconfirmed, language)


@dataclass
class ScreenedList:
    """One uploaded list, screened: the figures its results page shows and the results CSV."""

    name: str
    """The upload's file name without its folder or extension (for the download's name)."""
    ruleset: Ruleset
    day: dt.date
    language: Language
    summary: Summary
    attention: list[AttentionRow] = field(default_factory=list)
    compressed: bytes = b""
    """OUT.csv, deflated (the notice in every row makes it shrink ~20 times)."""
    logged: Logged | None = None
    """What the screening log holds of the list (None: no log is kept)."""

    @property
    def attention_count(self) -> int:
        """The records that need attention: every one but no_flags, and the no_flags ones whose
        values could not all be read (Tally.unread: a green row would hide it)."""
        outcomes = self.summary.outcomes
        return (
            outcomes["flagged"] + outcomes["needs_info"] + outcomes["error"] + self.summary.unread
        )

    def filename(self, extension: str) -> str:
        """`<input-name>-screened-<date>.<extension>`."""
        return f"{self.name}-screened-{self.day.isoformat()}.{extension}"

    def download(self, kind: str) -> Iterator[bytes]:
        """The results file in the format asked for (a key of DOWNLOADS), a block at a time."""
        if kind == "xlsx":
            yield workbook_bytes(
                self.csv_text(), self.summary, self.ruleset, self.day, self.language
            )
            return
        if kind != "csv":
            raise KeyError(kind)
        yield "\ufeff".encode()  # a BOM, so that Excel and WPS show Chinese correctly
        inflate = zlib.decompressobj()
        for start in range(0, len(self.compressed), 1 << 16):
            yield inflate.decompress(self.compressed[start : start + (1 << 16)])
        yield inflate.flush()

    def csv_text(self) -> str:
        """OUT.csv whole, as text (for tests and small lists)."""
        return b"".join(self.download("csv")).decode("utf-8-sig")


def download_name(filename: str | None) -> str:
    """An upload's name as the start of its results' file name: no folder, no extension, no
    control or path characters; `referrals` when nothing is left."""
    stem = PurePath((filename or "").replace("\\", "/")).stem
    stem = "".join(c for c in stem if unicodedata.category(c)[0] not in "CZ" or c == " ")
    stem = re.sub(r'[<>:"/\\|?*;]+', "_", stem).strip(" .")
    return stem[:80] or "referrals"


def content_disposition(name: str) -> str:
    """An attachment header naming `name`, in ASCII for old clients and UTF-8 for the rest."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def screen_list(
    data: bytes,
    encoding: str,
    ruleset: Ruleset,
    as_of: dt.date,
    language: Language = "en",
    site: Site = NO_SITE,
    *,
    deadline: float | None = None,
    name: str = "referrals",
    filename: str = "",
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    recorder: ListRecorder | None = None,
    logged: Logged | None = None,
) -> ScreenedList:
    """Screen an uploaded list in memory: its summary, the records that need attention and the
    results CSV (same rows as `batch`).

    `encoding` is the one the list is in, or `auto` to detect it as `batch` does. Past
    `deadline` (a time.monotonic() value) the screening stops with ListTimeout. `filename` is
    the upload's own name (the summary says when it names another kind of file than it holds);
    `sheet` a workbook's sheet (default: the first); `column_map` the site's headers, as
    `batch --columns` takes them.

    With a `recorder`, each chunk's screenings are recorded in the screening log as they are
    screened; `logged` (made here if not given) counts them, and keeps why the recording
    stopped if the log failed. A list that fails (BatchInputError, ListTimeout) stops the
    recording too, once what was handed over is stored: `logged` then says how many were.
    """
    column_map = column_map or {}
    if is_workbook(data):
        sheet_list, kind = read_workbook(data, sheet, column_map)
        columns, chunks = sheet_list.columns, sheet_list.chunks
        misnamed = workbook.misnamed(PurePath(filename), kind)

        def source() -> ListSource:
            return ListSource.of_sheet(sheet_list.facts, misnamed)
    else:
        if sheet is not None:
            raise BatchInputError(M.WEB_SHEET_FOR_CSV.both())
        used: ListEncoding = list_encoding(data, encoding)
        stream = io.TextIOWrapper(
            io.BytesIO(data), encoding=used.codec, errors=UNDECODED, newline=""
        )
        header, chunks = read_chunks(stream, used.name, detected=used.detected)
        columns = map_columns(header, column_map)

        def source() -> ListSource:
            misnamed = workbook.misnamed(PurePath(filename), None)
            return ListSource(used.name, used.detected, misnamed=misnamed)

    rule_ids = tuple(rule.id for rule in ruleset.rules)
    deflate = zlib.compressobj(6)
    parts = [deflate.compress((",".join(BATCH_COLUMNS) + "\r\n").encode())]
    log_failures: tuple[type[Exception], ...] = ()
    if recorder is not None:
        from cart_screen.log.store import LogError

        log_failures = (LogError,)
        logged = Logged() if logged is None else logged
        recorder.columns([column for _, column in columns.fields])
    job = Job(ruleset, columns, as_of, False, language, site, log=recorder is not None)
    try:
        with Summary(
            rule_ids,
            ignored_columns=columns.ignored,
            advisory_ids=advisory_ids(ruleset, site),
            screened_with=(ruleset.id, ruleset.sha256, site),
        ) as summary:
            screened = ScreenedList(name, ruleset, as_of, language, summary, logged=logged)
            number = 1
            for chunk in screen_chunks(job, chunks):
                if deadline is not None and time.monotonic() > deadline:
                    raise ListTimeout
                if recorder is not None and logged is not None and logged.problem is None:
                    try:
                        recorder.log.still_there()
                        recorder.add(chunk.numbered(number), chunk.forms, chunk.own)
                    except log_failures as exc:
                        _stopped(recorder, logged, exc)
                rows = _web_worded(chunk.rows(number), language)
                parts.append(deflate.compress(rows.encode()))
                summary.add(chunk.tally)
                room = ATTENTION_SHOWN - len(screened.attention)
                screened.attention += _attention(rows, room)
                number += len(chunk.tails)
            summary.source = source()  # after the rows: a sheet's empty rows are counted as read
            summary.finish()
        if recorder is not None and logged is not None and logged.problem is None:
            try:
                recorder.finish()  # every chunk handed over to the log is stored
                recorder.log.still_there()  # and where it says it is
            except log_failures as exc:
                _stopped(recorder, logged, exc)
            logged.recorded = recorder.recorded
    except BaseException:  # a list that fails: what was handed over to the log is stored
        if recorder is not None and logged is not None:
            recorder.stop(keep=logged.problem is None, wait=LOG_STOP_WAIT)
            _counted(recorder, logged)
        raise
    parts.append(deflate.flush())
    screened.compressed = b"".join(parts)
    return screened


def _stopped(recorder: ListRecorder, logged: Logged, exc: Exception) -> None:
    """The log failed: nothing more is recorded (the list is screened on); say why, and how
    many were recorded before."""
    recorder.stop(keep=False, wait=LOG_STOP_WAIT)
    logged.problem = cast("LogError", exc).said
    _counted(recorder, logged)


def _counted(recorder: ListRecorder, logged: Logged) -> None:
    """What the log holds of the list, as the recorder knows it once it has stopped."""
    logged.recorded, logged.in_doubt = recorder.recorded, recorder.in_doubt
    logged.unconfirmed = recorder.unconfirmed


_ERRORS = BATCH_COLUMNS.index("errors")


def _web_worded(rows: str, language: Language) -> str:
    """OUT.csv rows with their errors in the page's words (i18n.web_wording), as the results
    page shows them: the downloads send no one to the command line either. Rows whose errors
    say nothing the page words otherwise (almost all) are left as they are."""
    if not any(said(language) in rows for said, _ in WEB_WORDING):
        return rows
    worded = []
    for cells in csv.reader(io.StringIO(rows, newline="")):
        cells[_ERRORS] = web_wording(cells[_ERRORS], language)
        worded.append(",".join(map(csv_cell, cells)) + "\r\n")
    return "".join(worded)


def _attention(rows: str, most: int) -> list[AttentionRow]:
    """The first `most` OUT.csv rows that need attention — not `no_flags`, or `no_flags` with a
    value that could not be read — read back from the rows."""
    found: list[AttentionRow] = []
    for cells in csv.reader(io.StringIO(rows, newline="")):
        if len(found) == most:
            break
        row = dict(zip(BATCH_COLUMNS, cells, strict=False))
        if row["outcome"] == "no_flags" and not row["errors"]:
            continue
        found.append(
            AttentionRow(
                row["row"],
                _as_written(row["patient_id"]),
                row["outcome"],
                tuple(filter(None, row["flagged"].split(";"))),
                tuple(filter(None, row["needs_info"].split(";"))),
                _as_written(row["errors"]),
            )
        )
    return found


def _as_written(cell: str) -> str:
    """A cell as the list had it: without the quote OUT.csv puts before a formula's start."""
    if cell.startswith("'") and spreadsheet_safe(cell[1:]) == cell:
        return printable(cell[1:])
    return printable(cell)


class ResultStore:
    """Screened lists held in memory under random tokens, bounded in entries, bytes and time."""

    def __init__(
        self,
        entries: int = STORE_ENTRIES,
        limit: int = STORE_BYTES,
        seconds: float = STORE_SECONDS,
    ):
        self.entries, self.limit, self.seconds = entries, limit, seconds
        self._held: OrderedDict[str, tuple[float, ScreenedList]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, screened: ScreenedList) -> str:
        """Hold a screened list; its token (unguessable: the token is the only key)."""
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._expire()
            self._held[token] = (time.monotonic(), screened)
            while len(self._held) > self.entries or (
                len(self._held) > 1
                and sum(len(s.compressed) for _, s in self._held.values()) > self.limit
            ):
                self._held.popitem(last=False)
        return token

    def get(self, token: str) -> ScreenedList | None:
        """The list held under `token`, or None when there is none (or it expired)."""
        with self._lock:
            self._expire()
            held = self._held.get(token)
        return held[1] if held else None

    def _expire(self) -> None:
        oldest = time.monotonic() - self.seconds
        while self._held and next(iter(self._held.values()))[0] < oldest:
            self._held.popitem(last=False)
