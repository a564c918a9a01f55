"""Workbooks as referral lists (SPEC §8): an .xlsx, .xls or .ods sheet -> header and chunks.

A reader beside csv_list.py: it makes the same records and chunks (list_records.py), so a
workbook is screened by the same column map, value readers, error isolation, duplicate-id count
and summary as a CSV list. What it adds:

- **What the file is**, by its first bytes, whatever it is named: a ZIP holding `xl/workbook.xml`
  is an .xlsx (`xl/workbook.bin`: .xlsb), one whose `mimetype` is an OpenDocument spreadsheet is
  an .ods; an OLE2 container holding a `Workbook` stream is an .xls, one holding
  `EncryptionInfo` is a workbook protected with a password (olefile reads the container's
  directory). Anything else is text, for csv_list.py.
- **The header row** is the first of the first HEADER_ROWS rows that names patient_id (directly
  or through `--columns`); rows above it are titles, counted for the summary.
- **Cells keep their meaning.** The values come from calamine (in Rust: python-calamine-plus
  streams an .xlsx sheet's rows, python-calamine reads the other kinds whole), which gives typed
  cells: text stays text (`00123`, `=A1` typed as text); a number is written as text
  the way it would be typed, `12345.0` as `12345` and `2.5` as `2.5`, so an id, a count or an
  LVEF is read by the same readers as a CSV cell (a non-whole count stays `2.5`, and its reader
  says it is not whole); TRUE/FALSE become `TRUE`/`FALSE`, which the yes/no reader reads; a date,
  time or duration stays typed (reading.SheetCell), so a date cell in a date field is that date
  and anywhere else an error on that field. A number cell formatted as a percentage (.xlsx:
  its style's number format, `percent_styles`) is read as the percentage the sheet shows,
  `0.45` as `45%` (`percent_text`: the stored value, never the rounded display).
- **Cells with no value to read.** calamine gives an error cell (#N/A, #DIV/0!) as an empty
  cell (or, streamed, as the text `#N/A`) and a formula whose value was never saved as an empty
  cell: text or "not recorded", neither of which it is. For .xlsx,
  the sheet's XML is scanned for those two (see `unreadable_cells`) and each becomes an error on
  its field naming it. A formula with a saved value is read by that value — unless the workbook
  asks to be recalculated when opened (written by a program: its saved values are whatever the
  program put), when every formula is such an error too. Merged cells: only the first cell of
  a range holds the value; a cell under one in a data row is an error on its field, and a
  header with cells merged across columns is refused. (.xls and .ods: not scanned; such a cell
  reads as blank, so its field needs information.)
- **Rows**: an empty row is skipped and counted; every other row below the header is one record,
  numbered by the sheet's own row number (what Excel shows). Hidden rows are data like any
  other; a hidden sheet is read only when named: a workbook whose first sheet is hidden is
  refused when no sheet is named (the first sheet would not be the one Excel shows).

An .xlsx sheet is streamed in this process: its rows are read from the file as the chunks ask
for them (calamine holds no more than a row; ~15 MB in all), after its XML is scanned on a
thread of its own while the rules load (SheetReading). Other kinds are read whole, ~50 bytes a
cell. A long .xlsx sheet can be read in two parts, the second by another process
(SheetList.split, part_chunks: parallel.screen_sheet).
"""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import functools
import html
import importlib
import itertools
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import IO, Any, Literal, NamedTuple

from cart_screen.files import FileState, file_state
from cart_screen.i18n import M, Msg, Said
from cart_screen.list_records import (
    CHUNK_SIZE,
    BatchInputError,
    Cell,
    Chunk,
    Columns,
    map_columns,
    names_patient_id,
)
from cart_screen.reading import SheetCell

Kind = Literal["xlsx", "xlsb", "xls", "ods"]

ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

SUFFIXES: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx", ".xlsm"),
    "xlsb": (".xlsb",),
    "xls": (".xls",),
    "ods": (".ods",),
}
"""The names each kind of workbook goes by."""

WORKBOOK_SUFFIXES = frozenset(suffix for names in SUFFIXES.values() for suffix in names)

HEADER_ROWS = 20
"""The rows the header is looked for in (SPEC §8)."""

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

UNPACKED_FLOOR = 32 * 2**20
"""Bytes a ZIP workbook's part (a sheet's XML, its shared strings) may unpack to whatever its
packing: below this, no part is refused (a sheet of ~40,000 referrals; a single cell, a few
copies of which a reader holds, costs tens of MB at most)."""

PACKED_RATIO = 100
"""How many times smaller than what it unpacks to a part above UNPACKED_FLOOR may be packed.
Real workbooks pack 10-25×: a 100,000-row referral sheet's XML is ~82 MB in an 8.4 MB file
(~10×, benchmarks/workbook_speed.py), OUT.xlsx's ~10×, the same record on every row 13-18×
(XlsxWriter, openpyxl), a million empty formatted rows ~24×. A part packed much tighter is a
single huge value or a ZIP bomb: a 200 KB file unpacking one 200 MB cell (~1,000×, deflate's
most) made the reader hold 1.4 GB for 8 s, and a 1 MB upload could make it allocate gigabytes.
Refused before the sheet is read (`_refuse_bombs`): a part that passes unpacks to at most 32 MB
or 100 times what it takes in the file."""


def workbook_kind(path: Path) -> Kind | None:
    """What kind of workbook the file is, by its content; None when it is no workbook (text).

    A ZIP or OLE2 file that holds no workbook, a damaged one, and a workbook protected with a
    password are refused (BatchInputError).
    """
    with path.open("rb") as handle:
        head = handle.read(len(OLE2))
    if head.startswith(ZIP):
        return _zip_kind(path)
    if head.startswith(OLE2):
        return _ole_kind(path)
    return None


def _zip_kind(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as archive:
            _refuse_bombs(archive)
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise BatchInputError(_damaged_because(M.WORKBOOK_WHY_NOT_WHOLE_ZIP)) from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if mimetype.strip() == _ODS_MIMETYPE:
        return "ods"
    raise BatchInputError(M.WORKBOOK_NOT_A_WORKBOOK.both())


def _refuse_bombs(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook with a part that unpacks to more than UNPACKED_FLOOR and more than
    PACKED_RATIO times its packed size, before any of it is unpacked. The sizes are those the
    archive's directory gives (what every ZIP tool writes); a directory forged to understate a
    part is not caught here (Python's zipfile stops at the size it gives, and fails its CRC)."""
    for member in archive.infolist():
        unpacked, packed = member.file_size, member.compress_size
        if unpacked > UNPACKED_FLOOR and unpacked > PACKED_RATIO * packed:
            raise BatchInputError(
                M.WORKBOOK_TOO_UNPACKED.both(
                    packed=_bytes(packed),
                    unpacked=_bytes(unpacked),
                    ratio=f"{unpacked // max(packed, 1):,}",
                )
            )


def _bytes(size: int) -> str:
    """A size as said: `812 KB`, `200 MB`, `3.1 GB`."""
    if size >= 2**30:
        return f"{size / 2**30:,.1f} GB"
    if size >= 2**20:
        return f"{size / 2**20:,.0f} MB"
    return f"{max(size, 1) / 2**10:,.0f} KB"


def _ole_kind(path: Path) -> Kind:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as container:
            streams = {"/".join(entry).casefold() for entry in container.listdir()}
    except (OSError, ValueError, IndexError, TypeError) as exc:  # olefile's "not OLE2", truncated
        raise BatchInputError(_damaged_because(M.WORKBOOK_WHY_NOT_WHOLE_OLE2)) from exc
    if "encryptioninfo" in streams:  # Office's password protection wraps the .xlsx in OLE2
        raise BatchInputError(M.WORKBOOK_ENCRYPTED.both())
    if "workbook" in streams or "book" in streams:
        return "xls"
    raise BatchInputError(M.WORKBOOK_NOT_OLD_WORKBOOK.both())


def misnamed(path: PurePath, kind: Kind | None) -> str | None:
    """The file's suffix when it says another kind than its content (a CSV named .xlsx, an
    .xlsx named .csv), for the summary to say so; None when it tells the truth."""
    suffix = path.suffix.lower()
    if kind is None:
        return suffix if suffix in WORKBOOK_SUFFIXES else None
    return None if suffix in SUFFIXES[kind] else (suffix or "(no suffix)")


@dataclass
class SheetFacts:
    """What the summary says about the sheet read; `empty_rows` grows as the rows are read."""

    kind: Kind
    sheet: str
    header_row: int
    title_rows: int
    empty_rows: int = 0
    hidden: bool = False
    """Whether the sheet is hidden in the workbook (read only when named with --sheet)."""


@dataclass(frozen=True)
class SheetPart:
    """The rows of a sheet from row `first` on: what makes them records (chunks), there or in a
    process of their own that reads a streamed .xlsx sheet again (parallel.py, part_chunks)."""

    path: Path | None
    """The .xlsx file whose sheet is streamed (None: a sheet read whole, which is not split)."""
    sheet: str
    first: int
    width: int
    marks: Marks
    merged: list[Merge]
    size: int = CHUNK_SIZE
    state: FileState = None
    """The file's state when this process first opened it (files.file_state): one found in
    another state is another list now, and is refused."""
    percent: Percents = field(default_factory=dict)
    """The cells formatted as percentages (see percent_styles), by column."""

    def chunks(
        self, rows: Iterator[list[Any]], facts: SheetFacts, until: int | None = None
    ) -> Iterator[Chunk]:
        """These rows (the sheet's from row `first` on, to row `until`) as chunks of records."""
        return _chunks(
            rows,
            self.first,
            self.marks,
            self.merged,
            facts,
            self.size,
            self.width,
            until,
            self.percent,
        )


@dataclass
class SheetList:
    """A sheet ready to screen: its columns, its chunks of records (read as they are asked
    for), and what the summary says about it."""

    columns: Columns
    facts: SheetFacts
    rest: SheetPart
    """The sheet from its first record on: what its records are made of."""
    rows: Iterator[list[Any]]
    """The sheet's rows from its first record on, read as the chunks are."""
    last_row: int | None = None
    """The last row the sheet says it has (its `<dimension>`; None: it does not say)."""

    def __post_init__(self) -> None:
        self.chunks: Iterator[Chunk] = self.rest.chunks(self.rows, self.facts)
        """The sheet's records, a chunk at a time (to its end, or to where it was split)."""

    def split(self, at: int) -> SheetPart | None:
        """Leave the rows from `at` on to another reader (part_chunks): `chunks` ends before
        them. Only before the chunks are read; None for a sheet that is not streamed."""
        rest = self.rest
        if rest.path is None:
            return None
        if at <= rest.first:
            raise ValueError("a sheet is split after its first record")
        self.chunks = rest.chunks(_first_rows(self.rows, at - rest.first), self.facts, at - 1)
        return replace(rest, first=at)


class SheetReading:
    """A sheet being opened on a thread of its own, started now.

    An .xlsx sheet is streamed (python-calamine-plus): its rows are read from the file as they
    are asked for, a few at a time, so the sheet is never held whole; meanwhile this thread
    scans the sheet's XML for the cells calamine gives as empty (`unreadable_cells`) while the
    caller loads its rules. Other workbooks (.xls, .ods, .xlsb) are read whole by calamine on
    this thread, which lets go of the GIL while it parses. Errors are raised by `sheet`, where
    they would have been raised had it been read then.
    """

    def __init__(
        self, path: Path, kind: Kind, sheet: str | None, *, scan: bool = True, first_row: int = 1
    ) -> None:
        self.path, self.kind, self.asked = path, kind, sheet
        self.scan = scan
        """Whether the sheet's XML is scanned (see unreadable_cells)."""
        self.first_row = first_row
        """The row the rows start from (an .xlsx only: part_chunks)."""
        self.names: list[str] = []
        """The workbook's sheets, once it is open."""
        self.hidden = False
        """Whether the sheet read is hidden (or very hidden) in the workbook."""
        self._name: str | None = None
        self._rows: _Rows | None = None
        self._scanned = Scanned()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="sheet reading", daemon=True)
        self._thread.start()

    def sheet(self) -> tuple[str, _Rows, Scanned]:
        """The sheet's name, its rows, and what its XML says of its cells, once opened."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._name is not None
        assert self._rows is not None
        return self._name, self._rows, self._scanned

    def _read(self) -> None:
        try:
            self._rows = self._open()
            if self.kind == "xlsx" and self.scan and self._rows.first is not None:
                self._scanned = self._scan()
        except BaseException as exc:  # handed to the thread that asks for the sheet
            if self._rows is not None:
                self._rows.close()
            self._error = exc

    def _scan(self) -> Scanned:
        assert self._name is not None
        try:
            return unreadable_cells(self.path, self._name, 0)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # a damaged member
            raise BatchInputError(_damaged_because(M.WORKBOOK_WHY_ZIP_PART)) from exc

    def _open(self) -> _Rows:
        streamed = self.kind == "xlsx"
        calamine: Any = (
            importlib.import_module("python_calamine_plus")
            if streamed
            else importlib.import_module("python_calamine")
        )
        path, sheet = self.path, self.asked
        if self.kind != "xls":  # workbook_kind did, unless a caller knew the kind: no bomb
            _zip_kind(path)
        book: Any = None
        try:
            if path.suffix.lower() in SUFFIXES[self.kind]:
                book = calamine.CalamineWorkbook.from_path(path)
            else:  # calamine goes by the name; from a file object it looks at the content
                with path.open("rb") as handle:
                    book = calamine.CalamineWorkbook.from_filelike(handle)
            names = self.names = list(book.sheet_names)
            if not names:
                raise BatchInputError(M.WORKBOOK_NO_SHEETS.both())
            name = names[0] if sheet is None else sheet
            if name not in names:
                # Excel tells sheet names apart regardless of case (it refuses "Referrals" beside
                # "referrals"): one sheet so named is the one meant; the summary names it as is.
                alike = [n for n in names if n.casefold() == name.casefold()]
                name = alike[0] if len(alike) == 1 else name
            if name not in names:
                shown = ", ".join(names)
                said = M.WORKBOOK_NO_SUCH_SHEET.both(sheet=sheet, sheets=shown)
                raise BatchInputError(said)
            hidden = _hidden_sheets(book)
            if sheet is None and name in hidden:
                raise BatchInputError(_first_sheet_hidden(name, names, hidden))
            self._name, self.hidden = name, name in hidden
            if streamed:  # the workbook stays open while its rows are read
                stream = book.stream_sheet_by_name(name, min_row=self.first_row - 1)
                # _Rows owns the book from here: it closes it, also when its first row fails
                owned, book = book, None
                return _Rows(stream, owned, calamine.CalamineError, streamed=path)
            values = book.get_sheet_by_name(name)
            if values.start is None:  # nothing in it (iter_rows would fail)
                return _Rows(iter(()), None, calamine.CalamineError, first_column=0)
            # iter_rows gives rows from row 1, whatever `start` says, and its columns from
            # the first column with a value
            return _Rows(values.iter_rows(), None, calamine.CalamineError, values.start[1])
        except calamine.PasswordError as exc:
            raise BatchInputError(M.WORKBOOK_ENCRYPTED.both()) from exc
        except calamine.CalamineError as exc:
            raise _damaged(exc) from exc
        finally:
            if book is not None:  # read whole, or failed: the archive is not held while screening
                book.close()


def _hidden_sheets(book: Any) -> set[str]:
    """The sheets the workbook hides (hidden, or very hidden: shown by no menu)."""
    return {
        sheet.name
        for sheet in book.sheets_metadata
        if str(sheet.visible).rpartition(".")[2].casefold() != "visible"
    }


def _first_sheet_hidden(name: str, names: Sequence[str], hidden: set[str]) -> Said:
    """The refusal of a workbook whose first sheet is hidden, asked for no sheet by name: "the
    first sheet" would be one the coordinator does not see, not the one Excel opens on."""
    visible = ", ".join(other for other in names if other not in hidden)
    return M.WORKBOOK_FIRST_SHEET_HIDDEN.both(sheet=name, sheets=visible or "—")


def _damaged(exc: BaseException) -> BatchInputError:
    """calamine's refusal as said: what is wrong, in words. Its own text is only looked at (it
    may quote the workbook's contents: never shown), by the phrases calamine uses."""
    text = str(exc).casefold()
    why = next(
        (said for phrase, said in _CALAMINE_SAYS if phrase in text),
        M.WORKBOOK_WHY_ZIP_PART if type(exc).__name__ == "ZipError" else None,
    )
    if why is None:
        why = M.WORKBOOK_WHY_XML if type(exc).__name__ == "XmlError" else M.WORKBOOK_WHY_OTHER
    return BatchInputError(_damaged_because(why))


_CALAMINE_SAYS: tuple[tuple[str, Msg], ...] = (
    ("entity", M.WORKBOOK_WHY_ENTITY),
    ("doctype", M.WORKBOOK_WHY_ENTITY),
    ("parse float", M.WORKBOOK_WHY_NUMBER),
    ("parse int", M.WORKBOOK_WHY_NUMBER),
    ("shared strings", M.WORKBOOK_WHY_SHARED_STRING),
    ("row order", M.WORKBOOK_WHY_ROW_ORDER),
)
"""What calamine's error texts say (python-calamine 0.x), and what the user is told."""


def _damaged_because(why: Msg) -> Said:
    """The workbook cannot be read, for this reason, in both languages."""
    return Said(
        M.WORKBOOK_DAMAGED.en.format(detail=why.en), M.WORKBOOK_DAMAGED.zh.format(detail=why.zh)
    )


class _Rows:
    """A sheet's rows, from row 1, each a list of calamine's typed cells; the first row is read
    at once (None: the sheet is empty). A workbook streamed is closed once its rows are read,
    and a failure reading them (a sheet damaged further on) is a damaged workbook."""

    def __init__(
        self,
        rows: Iterator[list[Any]],
        book: Any,
        failure: type[Exception],
        first_column: int = 0,
        streamed: Path | None = None,
    ) -> None:
        self._rows, self._book, self._failure = iter(rows), book, failure
        self.first_column = first_column
        """The column (from column A) that each row's first cell is in."""
        self.streamed = streamed
        """The .xlsx file whose sheet is streamed (None: read whole)."""
        self.first = self._next()

    def _next(self) -> list[Any] | None:
        try:
            return next(self._rows, None)
        except self._failure as exc:
            self.close()
            raise _damaged(exc) from exc

    def __iter__(self) -> Iterator[list[Any]]:
        if self.first is not None:
            yield self.first
            try:
                yield from self._rows
            except self._failure as exc:
                raise _damaged(exc) from exc
            finally:
                self.close()

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def read_workbook(
    path: Path,
    kind: Kind,
    sheet: str | None,
    column_map: Mapping[str, str],
    size: int = CHUNK_SIZE,
    reading: SheetReading | None = None,
    state: FileState = None,
) -> SheetList:
    """Open sheet `sheet` (default: the first) of a workbook, find its header and map its
    columns; the records are read as the chunks are asked for. `reading` is that sheet being
    opened already (started earlier, to overlap other work); else it is opened here."""
    if reading is None or (reading.path, reading.kind, reading.asked) != (path, kind, sheet):
        reading = SheetReading(path, kind, sheet)
    name, sheet_rows, scanned = reading.sheet()
    if sheet_rows.first is None:
        raise BatchInputError(M.WORKBOOK_EMPTY_SHEET.both(sheet=name))
    rows = iter(sheet_rows)
    header: list[str] | None = None
    title_rows = 0
    for number, row in enumerate(rows, start=1):
        texts = [_header_text(cell) for cell in row]
        if names_patient_id(texts, column_map):
            header = texts
            break
        title_rows += any(text.strip() for text in texts)
        if number == HEADER_ROWS:
            break
    if header is None:
        sheet_rows.close()
        others = [other for other in reading.names if other != name]
        more = M.WORKBOOK_OTHER_SHEETS.both(sheets=", ".join(others)) if others else Said("", "")
        where = {"rows": HEADER_ROWS, "sheet": name}
        raise BatchInputError(
            Said(
                M.WORKBOOK_NO_HEADER.en.format(**where, others=more.en),
                M.WORKBOOK_NO_HEADER.zh.format(**where, others=more.zh),
            )
        )
    _no_merged_header(scanned.merged, number, len(header), name)
    columns = map_columns(header, column_map)
    columns = replace(columns, ignored=tuple(n for n in columns.ignored if n.strip()))
    facts = SheetFacts(kind, name, number, title_rows, hidden=reading.hidden)
    first = sheet_rows.first_column
    marks = _from_column(scanned.unreadable, first)
    merged = [
        m._replace(first_column=m.first_column - first, last_column=m.last_column - first)
        for m in scanned.merged
    ]
    percent = {
        column - first: ranges for column, ranges in scanned.percent.items() if column >= first
    }
    rest = SheetPart(
        sheet_rows.streamed, name, number + 1, len(header), marks, merged, size, state, percent
    )
    return SheetList(columns, facts, rest, rows, scanned.last_row)


def _first_rows(rows: Iterator[list[Any]], count: int) -> Iterator[list[Any]]:
    """The first `count` rows; the rest are left unread, and the sheet closed."""
    try:
        yield from itertools.islice(rows, count)
    finally:
        if isinstance(rows, Generator):
            rows.close()


def part_chunks(part: SheetPart, facts: SheetFacts) -> Iterator[Chunk]:
    """The records of a sheet from row `part.first` on, read on their own (another process),
    as the whole sheet's reading makes them; its empty rows are counted in `facts`. A file
    that is not as it was found (replaced, cut, removed: `part.state`) is a list that changed,
    whatever its reading finds."""

    path = part.path
    assert path is not None  # only a streamed sheet is split

    def unchanged() -> None:
        if part.state is not None and file_state(path) != part.state:
            raise BatchInputError(M.LIST_CHANGED.both())

    unchanged()
    try:
        reading = SheetReading(path, "xlsx", part.sheet, scan=False, first_row=part.first)
        yield from part.chunks(iter(reading.sheet()[1]), facts)
    except BatchInputError:
        unchanged()
        raise
    unchanged()


def _no_merged_header(merged: Sequence[Merge], row: int, width: int, sheet: str) -> None:
    """Refuse a header with merged cells across columns: a column whose header cell is under
    the range has no name of its own, and its data would be dropped without a word (a `nyha_class`
    under a merged `lvef_percent` loses a flag)."""
    for merge in merged:
        across = merge.first_column != merge.last_column and merge.first_column < width
        if across and merge.first_row <= row <= merge.last_row:
            said = M.WORKBOOK_HEADER_MERGED.both(cells=merge.cells, row=row, sheet=sheet)
            raise BatchInputError(said)


def _from_column(marks: Marks, first: int) -> Marks:
    """Marks by column from the sheet's first column with a value (calamine's rows start
    there), not from column A; those left of it are in no row."""
    if not first:
        return marks
    shifted: Marks = {}
    for row, cells in marks.items():
        kept = {column - first: cell for column, cell in cells.items() if column >= first}
        if kept:
            shifted[row] = kept
    return shifted


def _chunks(
    rows: Iterator[list[Any]],
    first: int,
    marks: Mapping[int, Mapping[int, SheetCell]],
    merged: Sequence[Merge],
    facts: SheetFacts,
    size: int,
    width: int,
    until: int | None = None,
    percent: Percents | None = None,
) -> Iterator[Chunk]:
    """The rows from row `first` on (to row `until`), as chunks of records numbered by their
    row, each as wide as the header (a streamed row ends at its last cell); an empty row is
    skipped and counted in `facts`. A cell under a merged range, other than its first, is an
    error on its field: the coordinator sees the first cell's value there, the sheet holds none
    (never filled in). A number cell formatted as a percentage is read as the percentage the
    sheet shows (`_Percents`)."""
    covering = _Covering(merged, width)
    percents = _PercentCells(percent or {}, width)
    cells: list[Sequence[Cell]] = []
    numbers: list[int] = []
    typed = _TypedCells()
    tables, read = typed.tables, typed.read
    padding: list[Cell] = [""] * width
    for number, row in _numbered(rows, first, marks, until):
        # A value seen before is looked up without a call (most typed cells are).
        record: list[Cell] = [
            cell if type(cell) is str else tables[type(cell)].get(cell) or read(cell)
            for cell in row
        ]
        if len(record) < width:  # a streamed row ends at its last value
            record += padding[len(record) :]
        if percents.columns:
            percents.read(number, row, record)
        marked = marks.get(number)
        if marked:
            for column, cell in marked.items():
                if column >= len(record):
                    record += [""] * (column + 1 - len(record))
                record[column] = cell
        if _blank(record[0]) and all(map(_blank, record)):
            facts.empty_rows += 1
            continue
        if len(record) > width:  # cells right of the header's are in no column
            del record[width:]
        if covering.ranges:
            covering.mark(number, record)
        cells.append(record)
        numbers.append(number)
        if len(cells) == size:
            yield Chunk(numbers[0], cells, {}, numbers)
            cells, numbers = [], []
    if cells:
        yield Chunk(numbers[0], cells, {}, numbers)


class _PercentCells:
    """The cells formatted as percentages, met row by row in order: each number there read as
    the percentage the sheet shows (`percent_text`)."""

    def __init__(self, percent: Percents, width: int) -> None:
        self.columns = {column: ranges for column, ranges in percent.items() if column < width}
        self._next = dict.fromkeys(self.columns, 0)

    def read(self, row: int, values: Sequence[Any], record: list[Cell]) -> None:
        for column, ranges in self.columns.items():
            at = self._next[column]
            while at < len(ranges) and ranges[at][1] < row:
                at += 1
            self._next[column] = at
            if at == len(ranges) or ranges[at][0] > row or column >= len(values):
                continue
            value = values[column]
            if isinstance(value, int | float) and not isinstance(value, bool):
                record[column] = percent_text(value)


@functools.lru_cache(maxsize=1 << 12)  # a list repeats the same few values
def percent_text(value: float) -> str:
    """A number cell formatted as a percentage, as the sheet shows it: 0.45 -> `45%`. The stored
    value times 100 exactly (to the 15 significant digits a spreadsheet keeps), never the
    display rounded to the format's decimals: 0.455 shown as `46%` by `0%` is `45.5%`, so that
    no value is moved across a threshold by its format."""
    shown = decimal.Decimal(number_text(float(value))) * 100
    return format(shown.normalize(), "f") + "%"


class _Covering:
    """The merged ranges over the rows as they come, in order: each row's cells under one, other
    than its first, marked as an error (one cell per range, made once)."""

    def __init__(self, merged: Sequence[Merge], width: int) -> None:
        self.ranges = sorted(
            merge
            for merge in merged
            if merge.last_column >= 0
            and merge.first_column < width
            and (merge.first_row, merge.first_column) != (merge.last_row, merge.last_column)
        )
        self.width = width
        self._next = 0
        self._active: list[tuple[Merge, SheetCell]] = []

    def mark(self, row: int, record: list[Cell]) -> None:
        ranges = self.ranges
        while self._next < len(ranges) and ranges[self._next].first_row <= row:
            merge = ranges[self._next]
            first = merge.cells.partition(":")[0]
            problem = M.CELL_MERGED.both(cells=merge.cells, first=first)
            self._active.append((merge, SheetCell("", None, problem)))
            self._next += 1
        self._active = [(m, cell) for m, cell in self._active if m.last_row >= row]
        for merge, cell in self._active:
            for column in range(max(merge.first_column, 0), min(merge.last_column + 1, self.width)):
                if (row, column) != (merge.first_row, merge.first_column):
                    record[column] = cell


def _numbered(
    rows: Iterator[list[Any]], first: int, marks: Mapping[int, object], until: int | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """The rows numbered from `first`, then a row of nothing for each row after the last that
    has a mark (a streamed sheet ends at its last row with a value: a formula never calculated
    there has none), up to row `until` (the rows after it are another reader's)."""
    number = first - 1
    for number, row in enumerate(rows, start=first):
        yield number, row
    last_marked = max(marks, default=0)
    for after in range(number + 1, (last_marked if until is None else min(last_marked, until)) + 1):
        yield after, []


def _blank(cell: Cell) -> bool:
    return type(cell) is str and not cell.strip()


class _TypedCells:
    """Typed cells as the readers take them, each value converted once (a list repeats the same
    few numbers, booleans and dates). One table per type: 1, 1.0 and True are equal keys."""

    LIMIT = 1 << 16

    def __init__(self) -> None:
        self.tables: collections.defaultdict[type, dict[Any, Cell]] = collections.defaultdict(dict)

    def read(self, value: Any) -> Cell:
        table = self.tables[type(value)]
        cell = table.get(value)
        if cell is None:
            if len(table) >= self.LIMIT:
                table.clear()
            cell = table[value] = _cell(value)
        return cell


def _cell(value: Any) -> Cell:
    """A typed cell as the readers take it (see the module's docstring)."""
    if isinstance(value, bool):  # before int: a bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= _EXACT_DIGITS_LIMIT:
            shown = number_text(value)
            return SheetCell(shown, None, M.CELL_TOO_MANY_DIGITS.both(shown=shown))
        return number_text(value)
    if isinstance(value, int):  # python-calamine-plus gives a whole number cell as an int
        return _cell(float(value)) if abs(value) >= _EXACT_DIGITS_LIMIT else str(value)
    if isinstance(value, dt.datetime):
        return SheetCell(value.isoformat(sep=" "), value)
    if isinstance(value, dt.date | dt.time):
        return SheetCell(value.isoformat(), value)
    return SheetCell(str(value), value)  # a duration (datetime.timedelta)


_EXACT_DIGITS_LIMIT = 1e15
"""Whole numbers from here on have more than the 15 significant digits a spreadsheet keeps (an
18-digit ID number typed into a number cell has already lost its last digits)."""


def number_text(value: float) -> str:
    """A number cell as the spreadsheet shows it, as it would be typed: to the 15 significant
    digits a spreadsheet keeps (`=0.1*3*10` holds 3.0000000000000004 and shows 3), `12345.0` ->
    `12345`, `2.5` -> `2.5`, never with an exponent (`1e-05` -> `0.00001`)."""
    if not value.is_integer():
        value = float(f"{value:.15g}")
    if value.is_integer():
        return str(int(value))
    return format(decimal.Decimal(repr(value)), "f")


def _header_text(value: Any) -> str:
    """A header cell as text (a header written as a number or a date is still a name)."""
    cell = value if type(value) is str else _cell(value)
    return cell if isinstance(cell, str) else cell.shown


# ---------------------------------------------------------------- cells with no value (.xlsx)

_SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_FOUND = re.compile(rb"<" + _PREFIX + rb"f[\s/>]|\st\s*=\s*[\"']e[\"']")
"""A formula element, or a cell's type attribute saying "error"."""
_FORMULA_END = re.compile(rb"</" + _PREFIX + rb"f\s*>")
_VALUE_START = re.compile(rb"\s*<" + _PREFIX + rb"v[\s/>]")
_CELL_START = re.compile(rb"<" + _PREFIX + rb"c[\s>]")
_CELL_END = re.compile(rb"</" + _PREFIX + rb"c\s*>")
_REFERENCE = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"']")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v>([^<]*)</" + _PREFIX + rb"v\s*>")
_MERGE = re.compile(
    rb"<" + _PREFIX + rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"
    rb":\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']"
)

_DIMENSION = re.compile(
    rb"<" + _PREFIX + rb"dimension\s+ref\s*=\s*[\"'][A-Za-z]*\d*:?[A-Za-z]*(\d+)[\"']"
)
"""A sheet's `<dimension ref="A1:T100102">` (or `ref="A1"`): its last row."""
_SCAN_BLOCK = 1 << 20
_TOKEN = 64
"""Bytes kept back at the end of a block, so that no token is cut in two between blocks."""

Marks = dict[int, dict[int, SheetCell]]
"""Cells with no value to read: sheet row number -> column (from the sheet's first) -> cell."""

Percents = dict[int, list[list[int]]]
"""The cells formatted as percentages: column (from the sheet's first) -> its runs of rows
`[first, last]`, in order (a column formatted whole is one run, however long)."""


class Merge(NamedTuple):
    """A range of merged cells: its first and last row (as the sheet numbers them) and first and
    last column (from the sheet's first). Only its first cell holds a value."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int
    cells: str
    """As the sheet names it: `B2:B4`."""


MERGES_LIMIT = 1 << 16
"""Merged ranges a sheet may have; a list with more is refused as damaged (a coordinator's
list has a few, for titles; a sheet with thousands of ranges over the same rows would make
each row cost as much as all of them)."""


@dataclass
class Scanned:
    """What the sheet's XML says that calamine does not: the cells with no value to read (error
    cells, formulas with no value saved or with one that may be out of date), and the merged
    ranges (a cell covered by one shows empty to calamine, but the coordinator sees the first
    cell's value across it)."""

    unreadable: Marks = field(default_factory=dict)
    merged: list[Merge] = field(default_factory=list)
    last_row: int | None = None
    """The last row the sheet's `<dimension>` names, as its writer declared it (a guess at the
    sheet's length, used only to share its rows between processes: never trusted to end it)."""
    percent: Percents = field(default_factory=dict)
    """The cells whose style formats their number as a percentage (see percent_styles)."""


def unreadable_cells(path: Path, sheet: str, first_column: int) -> Scanned:
    """The error cells, the formulas with no saved value and the merged ranges of one sheet.

    calamine gives the first two as empty cells. Finding them takes no XML parser: in a sheet's
    XML a formula is an `<f>` element (first in its cell, followed by `<v>` when its value was
    saved) and an error cell has `t="e"`; `<` is always escaped in text, so `<f` is always a
    tag. The sheet is scanned a block at a time for those tokens alone (almost always a few
    C-level searches a block); only the cells they are in are looked at, by their `r="B5"`
    reference. A workbook that asks to be recalculated when it is opened (`fullCalcOnLoad`:
    written by a program — XlsxWriter, openpyxl — and not saved since by Excel or WPS) holds
    whatever its writer put as each formula's value (XlsxWriter: 0): none of them is read.
    """
    scanned = Scanned()
    with zipfile.ZipFile(path) as archive:
        member, recalculate = _sheet_member(archive, sheet)
        if member is None:
            return scanned
        styles = percent_styles(archive)
        with archive.open(member) as xml:
            _scan(xml, scanned, first_column, recalculate, styles)
    for ranges in scanned.percent.values():
        _in_order(ranges)
    if len(scanned.merged) > MERGES_LIMIT:
        raise BatchInputError(_damaged_because(M.WORKBOOK_WHY_MERGES))
    return scanned


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> tuple[str | None, bool]:
    """The ZIP member holding a sheet's XML (workbook.xml names it, its relationships place it),
    and whether the workbook asks to be recalculated when opened (its saved values are not to
    be trusted)."""
    import xml.etree.ElementTree as ElementTree

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml")[: 16 << 20])
        links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")[: 16 << 20])
    except (KeyError, ElementTree.ParseError):
        return None, False
    recalculate = any(
        element.get("fullCalcOnLoad", "").strip().lower() in ("1", "true")
        for element in workbook.iter(f"{{{_SPREADSHEET_NS}}}calcPr")
    )
    relation = None
    for element in workbook.iter(f"{{{_SPREADSHEET_NS}}}sheet"):
        if element.get("name") == sheet:
            relation = element.get(f"{{{_RELATIONSHIPS_NS}}}id")
    for link in links.iter(f"{{{_PACKAGE_RELATIONSHIPS_NS}}}Relationship"):
        if relation is not None and link.get("Id") == relation:
            target = link.get("Target", "")
            return (target.lstrip("/") if target.startswith("/") else f"xl/{target}"), recalculate
    return None, recalculate


_BUILT_IN_PERCENT = frozenset({9, 10})
"""The built-in number formats that show a percentage: `0%` and `0.00%`."""
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
"""What a number format code shows as it is, or does not show: quoted text, a character escaped
with a backslash, `_x` (a space as wide as x), `*x` (x repeated), `[Red]`, `[>=100]`."""


def percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell styles (their `s` index: their place in styles.xml's cellXfs) whose number
    format shows a percentage: built-in 9 or 10, or a format code with a `%` that is neither
    quoted nor escaped (`0.0%`, not `0 "%"`). Empty when there are none (or no styles), and the
    sheet's scan then looks for no style at all."""
    import xml.etree.ElementTree as ElementTree

    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml")[: 16 << 20])
    except (KeyError, ElementTree.ParseError):
        return frozenset()
    percent = set(_BUILT_IN_PERCENT)
    for number_format in styles.iter(f"{{{_SPREADSHEET_NS}}}numFmt"):
        code = _QUOTED_OR_ESCAPED.sub("", number_format.get("formatCode", ""))
        identifier = number_format.get("numFmtId", "")
        if identifier.isdigit():
            if "%" in code:
                percent.add(int(identifier))
            else:  # a workbook may give a built-in number its own code
                percent.discard(int(identifier))
    found: set[int] = set()
    for cell_styles in styles.iter(f"{{{_SPREADSHEET_NS}}}cellXfs"):
        for index, style in enumerate(cell_styles.iter(f"{{{_SPREADSHEET_NS}}}xf")):
            identifier = style.get("numFmtId", "0")
            if identifier.isdigit() and int(identifier) in percent:
                found.add(index)
        break  # one cellXfs
    return frozenset(found)


def _in_order(ranges: list[list[int]]) -> None:
    """Runs of rows sorted and joined (a sheet's rows are almost always in order already)."""
    if all(before[1] < after[0] for before, after in itertools.pairwise(ranges)):
        return
    ranges.sort()
    joined: list[list[int]] = []
    for first, last in ranges:
        if joined and first <= joined[-1][1] + 1:
            joined[-1][1] = max(joined[-1][1], last)
        else:
            joined.append([first, last])
    ranges[:] = joined


def _tokens(head: bytes, styles: frozenset[int] = frozenset()) -> tuple[bytes, ...]:
    """Literal parts of what _FOUND finds, for a sheet that starts with `head`: a block with none
    of them has nothing to find (a fast search: most sheets hold neither formulas nor errors).
    Elements with a namespace prefix (`<x:f>`) or attributes in single quotes are rare; only
    a sheet written so is searched for them too. `styles`: the percent styles' `s="3"` too."""
    tokens = [b"<f", b'"e"', b"<mergeCell ", *(f'"{index}"'.encode() for index in styles)]
    if re.search(rb"<[A-Za-z_][\w.-]*:(?:worksheet|sheetData)\b", head):
        tokens += [b":f", b":mergeCell "]
    if re.search(rb"<(?:[\w.-]+:)?(?:worksheet|c|row|dimension)\s[^>]*='", head):
        tokens += [b"'e'", *(f"'{index}'".encode() for index in styles)]
    return tuple(tokens)


def _libc_memmem() -> Callable[[bytes, int, bytes, int], int | None] | None:
    """The C library's memmem, where it has one (glibc's compares many bytes at once): some
    three times as fast as `token in text` on a sheet's XML, and called without the GIL, so the
    rules load meanwhile (SheetReading). None elsewhere (Windows)."""
    import ctypes

    try:
        memmem = ctypes.CDLL(None).memmem
    except (OSError, AttributeError, TypeError):
        return None
    memmem.restype = ctypes.c_void_p
    memmem.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    return memmem


_MEMMEM = _libc_memmem()


def _holds(text: bytes, token: bytes) -> bool:
    """Whether `token` is in `text` (as `token in text`)."""
    if _MEMMEM is None:
        return token in text
    return _MEMMEM(text, len(text), token, len(token)) is not None


def _scan(
    xml: IO[bytes],
    scanned: Scanned,
    first_column: int,
    recalculate: bool,
    styles: frozenset[int] = frozenset(),
) -> None:
    text = b""
    tokens: tuple[bytes, ...] = ()
    marks = scanned.unreadable
    styled = _styled_cells(styles)
    while True:
        block = xml.read(_SCAN_BLOCK)
        text += block
        last = not block
        if not tokens:
            tokens = _tokens(text[:4096], styles)
            declared = _DIMENSION.search(text[:4096])
            scanned.last_row = int(declared.group(1)) if declared else None
        if not last and not any(_holds(text, token) for token in tokens):
            text = text[-_TOKEN:]
            continue
        stop = len(text) if last else len(text) - _TOKEN
        _merges(text, stop, scanned.merged, first_column)
        if styled:
            _percent_cells(text, stop, styled, scanned.percent, first_column)
        at = 0
        while (found := _FOUND.search(text, at, stop)) is not None:
            done = _look_at(text, found, marks, first_column, recalculate)
            if done is None and not last:  # the cell goes on in the next block
                at = _cell_start(text, found.start())
                break
            at = done if done is not None else stop
        else:
            at = max(at, _open_cell(text, stop))
        text = text[at:]
        if last:
            return


def _open_cell(text: bytes, stop: int) -> int:
    """Where the next block's search starts: `stop`, or the start of a cell that is still open
    there (its start tag or its formula cut by `stop`: searched whole with the next block)."""
    start = _cell_start(text, stop - 1) if stop else 0
    if not _CELL_START.match(text, start):
        return stop
    tag_end = text.find(b">", start, stop)
    if tag_end >= 0 and (text[tag_end - 1] == ord("/") or _CELL_END.search(text, tag_end, stop)):
        return stop  # the cell ends before `stop`
    return start


def _cell_start(text: bytes, at: int) -> int:
    """Where the cell holding text[at] starts (its `<c` tag is the last tag opened before it)."""
    start = text.rfind(b"<", 0, at + 1)
    while start > 0 and not _CELL_START.match(text, start):
        start = text.rfind(b"<", 0, start)
    return max(start, 0)


def _merges(text: bytes, stop: int, merged: list[Merge], first_column: int) -> None:
    """The merged ranges whose `<mergeCell ref="B2:B4"/>` starts before `stop` (those after it
    are met again with the next block, which starts at `stop`: one that starts before it and
    ends after it is whole in `text`, which holds _TOKEN bytes more)."""
    for found in _MERGE.finditer(text):
        if found.start() >= stop:
            break
        columns = (_column_index(found.group(1)), _column_index(found.group(3)))
        rows = (int(found.group(2)), int(found.group(4)))
        named = (found.group(1) + found.group(2) + b":" + found.group(3) + found.group(4)).upper()
        merged.append(
            Merge(
                min(rows),
                min(columns) - first_column,
                max(rows),
                max(columns) - first_column,
                named.decode("ascii"),
            )
        )


def _styled_cells(styles: frozenset[int]) -> tuple[bytes, ...]:
    """What a cell's start tag holds when it has one of these styles: `s="3"` (or `s='3'`)."""
    return tuple(f"s={quote}{index}{quote}".encode() for index in sorted(styles) for quote in "\"'")


def _percent_cells(
    text: bytes, stop: int, styled: tuple[bytes, ...], percent: Percents, first_column: int
) -> None:
    """Note the cells with a percent style whose start tag starts before `stop`, whatever they
    hold (only a number there is read as a percentage: `_PercentCells`); a tag that starts
    after it is met again with the next block, which starts at `stop`. A cell met again is
    noted again, which changes nothing. Found as literal bytes (a sheet of 100,000 such cells
    takes ~0.1 s); the tag they are in is looked at only then."""
    for token in styled:
        at = text.find(token)
        while at >= 0:
            start = text.rfind(b"<", 0, at)  # `<` is escaped everywhere but in a tag's start
            if start >= stop:
                break
            tag_end = text.find(b">", at)
            if start >= 0 and tag_end >= 0 and text[at - 1 : at].isspace():
                _percent_cell(text, start, tag_end, percent, first_column)
            at = text.find(token, at + len(token))


def _percent_cell(text: bytes, start: int, end: int, percent: Percents, first_column: int) -> None:
    """Note the cell whose start tag is text[start:end], if it is a cell's."""
    if not _CELL_START.match(text, start):
        return
    at = text.find(b" r=", start, end)  # as every writer puts it; a regular search is slower
    reference = _REFERENCE.match(text, at, end) if at >= 0 else None
    reference = reference or _REFERENCE.search(text, start, end)
    if reference is None:
        return
    row, column = int(reference.group(2)), _column_index(reference.group(1)) - first_column
    if column < 0:
        return
    runs = percent.setdefault(column, [])
    if runs and runs[-1][0] <= row <= runs[-1][1] + 1:
        runs[-1][1] = max(runs[-1][1], row)
    else:
        runs.append([row, row])


def _look_at(
    text: bytes, found: re.Match[bytes], marks: Marks, first_column: int, recalculate: bool
) -> int | None:
    """Mark the cell a token was found in if it has no value to read; where to search on
    (None: the cell is not whole in `text`)."""
    start = _cell_start(text, found.start())
    tag_end = text.find(b">", start)
    end = _CELL_END.search(text, found.end())
    if tag_end < 0 or end is None:
        return None
    if found.group().startswith(b"<"):  # a formula: is its value saved after it?
        close = text.find(b">", found.start())
        if text[close - 1 : close] == b"/":
            formula, after = "", close + 1
        else:
            closing = _FORMULA_END.search(text, close)
            if closing is None:
                return None
            formula = _unescaped(text[close + 1 : closing.start()])
            after = closing.end()
        named = "=" + formula if formula else "shared"
        if _VALUE_START.match(text, after) and _saved(text, start, tag_end, after, end.start()):
            if not recalculate:
                return after
            problem = M.CELL_NOT_RECALCULATED.both(formula=named)
        else:
            problem = M.CELL_NOT_CALCULATED.both(formula=named)
        shown = "=" + formula
    else:  # an error cell: its value names the error
        if found.start() > tag_end:  # the token was in the cell's text, not its tag
            return found.end()
        value = _VALUE.search(text, tag_end, end.start())
        shown = _unescaped(value.group(1)) if value else "#VALUE!"
        problem = M.CELL_ERROR.both(error=shown)
    reference = _REFERENCE.search(text, start, tag_end)
    if reference is not None:
        row, column = int(reference.group(2)), _column_index(reference.group(1)) - first_column
        if column >= 0:
            marks.setdefault(row, {})[column] = SheetCell(shown, None, problem)
    return end.end()


_STRING_TYPE = re.compile(rb"\st\s*=\s*[\"']str[\"']")


def _saved(text: bytes, start: int, tag_end: int, value_at: int, end: int) -> bool:
    """Whether the value after a formula was saved: it says something, or it is a formula's
    empty text (`t="str"`); an empty value of a number cell (`<v/>`) is none (openpyxl)."""
    value = _VALUE.search(text, value_at, end)
    if value is not None and value.group(1).strip():
        return True
    return _STRING_TYPE.search(text, start, tag_end) is not None


def _unescaped(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


def _column_index(letters: bytes) -> int:
    """`A` -> 0, `Z` -> 25, `AA` -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - ord("A") + 1
    return index - 1
