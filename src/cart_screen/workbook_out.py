"""OUT.xlsx: a referral list's results as an Excel workbook, written row by row in bounded memory.

The workbook holds the same table as OUT.csv — the same columns and, cell for cell, the same
texts, as openpyxl (pandas) and calamine read them back (see `_TextSheet.escaped`) — on its
first sheet, with its header frozen and an autofilter, each outcome coloured;
its second sheet holds the summary (the figures `batch` prints at the end), a colour legend and
the notice, which is also in the file's properties. Every cell is a value: text is written as
text, the row number as a number, and nothing is ever a formula.

Rows come in as OUT.csv text (`write`), as the batch pipeline makes them chunk by chunk, or as
cells (`add_rows`); they go out through XlsxWriter in constant-memory mode, which keeps one row
in memory and the rest in temporary files until the workbook is put together at `finish`. The
results' rows are handed to it as the sheet's XML, made here a chunk at a time with its own
escaping (`_TextSheet.append_rows`): cell by cell, XlsxWriter's Python cost ~8 µs a cell. The
notice is not written after the data: the first sheet stays a plain list (header in row 1, one
row per record, nothing else), so that it reads back as a referral list does.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from cart_screen.files import atomic_write_binary, owned, remove_abandoned
from cart_screen.i18n import Language, M, web_wording
from cart_screen.list_records import BatchInputError
from cart_screen.render import OUTCOME_WORDS, source_lines, summary_notes, width
from cart_screen.result import Outcome
from cart_screen.ruleset import Ruleset

if TYPE_CHECKING:
    from cart_screen.list_summary import Summary

SHEET_ROWS = 1_048_576
"""Rows a worksheet holds (Excel's limit, and WPS's): the header and 1,048,575 records."""

CELL_LIMIT = 32_767
"""Characters (UTF-16 units) a cell holds; a longer text is cut, and says so (see fitted)."""

SCRATCH = ".cart-screen-xlsx-"
"""How the private folder of the writer's temporary files starts (then its owner: files.owned)."""

COLOURS: dict[Outcome, tuple[str, str]] = {
    "flagged": ("#FFC7CE", "#9C0006"),
    "needs_info": ("#FFEB9C", "#9C5700"),
    "no_flags": ("#C6EFCE", "#006100"),
    "error": ("#F8CBAD", "#833C0B"),
}
"""Each outcome's fill and font colour (Excel's own Bad / Neutral / Good, and orange for error)."""

TINTED: dict[str, Outcome] = {
    "flagged": "flagged",
    "needs_info": "needs_info",
    "errors": "error",
    "advisory_flagged": "flagged",
    "advisory_needs_info": "needs_info",
}
"""Columns tinted, when not empty, with the colour of the outcome they lead to."""

WIDTHS: dict[str, tuple[int, int]] = {
    "row": (6, 9),
    "patient_id": (12, 40),
    "outcome": (11, 11),
    "flagged": (24, 48),
    "needs_info": (24, 48),
    "advisory_flagged": (20, 40),
    "advisory_needs_info": (20, 40),
    "errors": (30, 80),
    "notice": (30, 30),
}
"""Each column's narrowest and widest width, in characters; between them it fits its texts (as
far as the first rows show them). The notice is the same on every row: it is not wrapped."""

_ROWS_AT_ONCE = 1_000
"""Rows made into XML before they go to the worksheet's row file together."""

_KNOWN_TEXTS = 1 << 14
"""Texts a column keeps the XML of (cleared when full: a column of ids repeats none)."""

_MEASURED_ROWS = 2_000
"""Rows whose texts set the column widths (a workbook cannot be widened once its rows are out)."""


class WorkbookFull(BatchInputError):
    """A list with more records than a worksheet has rows: OUT.xlsx cannot hold it whole."""


_PLAIN = re.compile(r"(?:[^\x00-\x1f&<>_\ufffe\uffff\s][^\x00-\x1f&<>_\ufffe\uffff]*)?(?<!\s)")
"""A text XlsxWriter writes as it is: no control character, nothing XML escapes, no `_` (its
`_x0041_` escapes), no space at either end (no xml:space); empty, too."""


_INLINE_END = "</t></is></c>"
"""How a text cell's XML ends after its text (written in its cell)."""

_SHARED_CELL = 't="s"><v>'
"""How a cell referring to a shared string reads in the sheet's XML (never in a text: `<` is
escaped there)."""

ZIP_LEVEL = 1
"""How hard OUT.xlsx's parts are compressed. XlsxWriter leaves zlib at its default (6), which
spent 0.6 s of CPU on the 34 MB sheet of a 100,000-row list for a 4.0 MB file; level 1 takes
0.13 s for 5.5 MB. Every reader reads either: a deflated part is a deflated part."""


_DEFLATE_BLOCK = 1 << 20
"""Bytes of a sheet's rows compressed at a time (_TwoThreadDeflate)."""


class _TwoThreadDeflate:
    """A raw deflate compressor (as zipfile's) that compresses on two threads: zlib lets go of
    the GIL while it works, and OUT.xlsx is put together once the rows are in, when the other
    core has nothing left to do. Each block given is compressed on its own and ends on a byte
    boundary (a sync flush), so the blocks' outputs one after another are one deflate stream
    (as pigz makes it); a last empty block ends it. 0.13 s → ~0.07 s for 100,000 rows."""

    def __init__(self, level: int | None) -> None:
        self._level = zlib.Z_DEFAULT_COMPRESSION if level is None else level
        self._threads = concurrent.futures.ThreadPoolExecutor(2, "deflate")
        self._pending: collections.deque[concurrent.futures.Future[bytes]] = collections.deque()

    def _deflated(self, data: bytes) -> bytes:
        block = zlib.compressobj(self._level, zlib.DEFLATED, -zlib.MAX_WBITS)
        return block.compress(data) + block.flush(zlib.Z_SYNC_FLUSH)

    def compress(self, data: bytes) -> bytes:
        self._pending.append(self._threads.submit(self._deflated, bytes(data)))
        done = []
        while len(self._pending) > 2:  # two at work, the next one waiting
            done.append(self._pending.popleft().result())
        return b"".join(done)

    def flush(self) -> bytes:
        try:
            done = [future.result() for future in self._pending]
        finally:
            self._pending.clear()
            self._threads.shutdown()
        last = zlib.compressobj(self._level, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
        return b"".join(done) + last


_ROWS_MARK = "<!--cart-screen rows-->"
"""Where a sheet's rows go in its XML as XlsxWriter puts it together (_TextSheet): they are
copied from their own file straight into the zip file (_QuickZip.write)."""

_ROWS_FILES: dict[str, str] = {}
"""The file holding the rows of each sheet's XML file that holds the _ROWS_MARK."""


class _QuickZip(zipfile.ZipFile):
    """XlsxWriter's zip file, at ZIP_LEVEL unless told otherwise. A sheet's XML holding a
    _ROWS_MARK is zipped with its rows put in place from their own file, as it is read: the
    rows are never copied into the sheet's XML first (XlsxWriter reads the rows back as text
    and writes them out again: ~0.15 s for 100,000 rows, at the very end of a batch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", ZIP_LEVEL)
        self._failed = False
        """Whether a part's writing failed (see close)."""
        super().__init__(*args, **kwargs)

    def write(
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: Any = None,
        compresslevel: Any = None,
    ) -> None:
        try:
            self._write(filename, arcname, compress_type, compresslevel)
        except BaseException:
            self._failed = True
            raise

    def close(self) -> None:
        """As ZipFile's; but a zip file whose writing failed (a full disk) is not finished: it
        is left as it is (its target is cut: _Target), rather than have an end written after
        its last whole part when it is collected, which fails again with a traceback."""
        if self._failed:
            self._didModify = False
        super().close()

    def _write(self, filename: Any, arcname: Any, compress_type: Any, compresslevel: Any) -> None:
        rows = _ROWS_FILES.pop(str(filename), None)
        if rows is None:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        xml = Path(filename).read_bytes()  # the sheet without its rows: small
        head, mark, tail = xml.partition(_ROWS_MARK.encode())
        if not mark:  # never a sheet without its rows
            raise RuntimeError("a worksheet's rows were not where they go")
        member = zipfile.ZipInfo.from_file(filename, arcname)
        member.compress_type = self.compression if compress_type is None else compress_type
        level = self.compresslevel if compresslevel is None else compresslevel
        setattr(member, "_compresslevel", level)  # noqa: B010  # as ZipFile.write sets it
        with self.open(member, "w") as out, Path(rows).open("rb") as written:
            if member.compress_type == zipfile.ZIP_DEFLATED:
                # (ZipFile's writer compresses what it is given with its `_compressor`: where
                # a later Python names it otherwise, the rows are compressed on one thread)
                setattr(out, "_compressor", _TwoThreadDeflate(level))  # noqa: B010
            out.write(head)
            shutil.copyfileobj(written, out, _DEFLATE_BLOCK)
            out.write(tail)
        Path(rows).unlink()  # as XlsxWriter removes it once copied


# XlsxWriter makes its zip file with the ZipFile it imported (XlsxWriter is pinned below 3.4
# for the internals this module relies on; tests/test_workbook_out.py checks each of them).
xlsxwriter.workbook.ZipFile = _QuickZip

SHARED_STRINGS = True
"""Whether texts a column repeats go to the shared strings (off: every text in its cell, as
XlsxWriter writes in constant-memory mode; the tests compare the two)."""


class _TextSheet(Worksheet):  # type: ignore[misc]  # XlsxWriter has no type hints
    """A worksheet whose texts are only ever text, and which takes whole rows of text fast.

    In constant-memory mode XlsxWriter takes a string that starts with `<r>` and ends with
    `</r>` for rich-text XML and writes it unescaped, so a patient id so written could write any
    cell — a formula too. No rich text is written here: such a string is escaped like any other.

    `append_rows` puts rows of cells, already as the sheet's XML, where XlsxWriter's own
    `write_string` would have put them (its row file, in constant-memory mode): XlsxWriter
    spends ~8 µs of Python on each cell it writes, which made OUT.xlsx cost several times the
    screening. The XML is the same, byte for byte (`cell_xml` makes it with XlsxWriter's own
    escaping; tests/test_workbook_out.py holds the two ways to the same sheet).
    """

    previous_row: int
    """XlsxWriter's: the row it holds back, written out when a later row is written to."""
    constant_memory: bool
    """XlsxWriter's: whether rows are streamed (texts then written in their cells)."""

    def _xml_rich_inline_string(self, string: str, attributes: Any = ()) -> None:
        preserve = string[:1].isspace() or string[-1:].isspace()
        self._xml_inline_string(string, preserve, list(attributes))

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """XlsxWriter's, but a text that Excel's `_xHHHH_` escapes write otherwise goes in the
        shared strings (see `escaped`), as `cell_xml` puts it there."""
        text = cell.string if type(cell).__name__ == "String" else None
        if not (self.constant_memory and isinstance(text, str) and self.escaped(text)):
            super()._write_cell(row, col, cell)
            return
        index = self.str_table._get_shared_string_index(self.shared_text(text))  # one cell more
        self.constant_memory = False  # XlsxWriter writes a shared string's cell so
        try:
            super()._write_cell(row, col, cell._replace(string=index))
        finally:
            self.constant_memory = True

    def escaped(self, text: str) -> bool:
        """Whether the text is written with Excel's `_xHHHH_` escapes (a carriage return, an
        `_x0041_` of its own, a character XML cannot hold). openpyxl — and so pandas — reads
        them back only from the shared strings (`_x005F_x0041_` as `_x0041_`), never from a
        cell's own text: such a text goes in the shared strings, the first time too."""
        return not _PLAIN.fullmatch(text) and self._escape_control_characters(text) != text

    def shared_text(self, text: str) -> str:
        """The text as the shared strings take it (XlsxWriter escapes it there as Excel
        does). A text with a carriage return, or one that looks like rich text (which the
        shared strings would write as XML, unescaped), goes as one run of rich text whose XML
        is made here: its text escaped, each carriage return a character reference (`&#13;`:
        every reader reads it as one, none reads the `_x000D_` escape but Excel and calamine)."""
        if "\r" in text or (text.startswith("<r>") and text.endswith("</r>")):
            xml = "&#13;".join(self._escape_data(part) for part in text.split("\r"))
            return f'<r><t xml:space="preserve">{xml}</t></r>'
        return text

    def cell_xml(self, text: str, cell_format: Any) -> str:
        """A text cell's XML after its `<c r="B2"`: as `write_string` writes it, but never as
        rich text, and a text with Excel's escapes in the shared strings (see `escaped`)."""
        style = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
        if _PLAIN.fullmatch(text):  # most texts: nothing to escape (a patient id, say)
            return f'{style} t="inlineStr"><is><t>{text}</t></is></c>'
        if self.escaped(text):
            return self.shared_xml(text, cell_format)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        return f'{style} t="inlineStr"><is><t{preserve}>{self._escape_data(text)}</t></is></c>'

    def shared_xml(self, text: str, cell_format: Any) -> str:
        """A text cell's XML after its `<c r="B2"`, the text in the workbook's shared strings
        (XlsxWriter writes them at the end, as `write_string` puts them there outside
        constant-memory mode; see `shared_text`). A text holding `x005F_` and no escape stays
        in its cell: openpyxl drops every `x005F_` from a shared string (its way of reading
        the escaped `_x005F_`)."""
        if "x005F_" in text and not self.escaped(text):
            return self.cell_xml(text, cell_format)
        table, shared = self.str_table, self.shared_text(text)
        index = table.string_table.get(shared)
        if index is None:
            index = table._get_shared_string_index(shared)
            table.count -= 1  # the cells are counted as they are appended
        style = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
        return f'{style} t="s"><v>{index}</v></c>'

    def number_xml(self, cell_format: Any) -> str:
        """What goes between a number cell's `<c r="A2"` and its `<v>`."""
        return f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""

    def _write_optimized_sheet_data(self) -> None:
        """XlsxWriter's, in constant-memory mode, but with a _ROWS_MARK where it copies the
        rows from their file: _QuickZip.write puts them there."""
        sheet_file = getattr(self.fh, "name", None)
        if self.dim_rowmin is None or not isinstance(sheet_file, str):
            super()._write_optimized_sheet_data()
            return
        self.row_data_fh.close()
        _ROWS_FILES[sheet_file] = self.row_data_filename
        self._xml_start_tag("sheetData")
        self.fh.write(_ROWS_MARK)
        self._xml_end_tag("sheetData")

    def write_held_row(self) -> None:
        """Write out the row XlsxWriter holds back (the last one written cell by cell)."""
        self._write_single_row(self.previous_row)

    def append_rows(self, xml: str, first: int, last: int, last_column: int) -> None:
        """Rows `first` to `last` (from 0), as the sheet's XML, after those written so far."""
        if self.constant_memory is not True or self.previous_row >= first:
            raise RuntimeError("rows are appended in order, in constant-memory mode")
        self._check_dimensions(first, 0)
        self._check_dimensions(last, last_column)
        self.write_held_row()
        self.row_data_fh.write(xml)
        self.previous_row = last  # held: nothing (the table is empty)
        # What the shared strings' table says of itself: how many cells refer to it.
        self.str_table.count += xml.count(_SHARED_CELL)


TEXT_ONLY = {
    "constant_memory": True,
    # Belt and braces: every cell is written as text or as a number anyway.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
"""XlsxWriter's options for a workbook of values: rows streamed, no text ever turned into
anything else."""


def write_table(
    target: IO[bytes],
    sheet_name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    language: Language = "en",
) -> int:
    """A workbook of one sheet of text cells (e.g. `log export`): the header bold and frozen
    with an autofilter, every cell a string (never a formula, never rich-text XML), a text too
    long for a cell cut and saying so (fitted). The rows written are counted."""
    book = xlsxwriter.Workbook(target, TEXT_ONLY)
    sheet = book.add_worksheet(sheet_name, worksheet_class=_TextSheet)
    bold = book.add_format({"bold": True})
    count = 0
    for column, name in enumerate(header):
        sheet.write_string(0, column, name, bold)
    sheet.freeze_panes(1, 0)
    for count, row in enumerate(rows, start=1):
        if count >= SHEET_ROWS:
            raise WorkbookFull(M.WORKBOOK_FULL.both(limit=f"{SHEET_ROWS - 1:,}"))
        for column, cell in enumerate(row):
            sheet.write_string(count, column, fitted(cell, language))
    sheet.autofilter(0, 0, count, max(len(header) - 1, 0))
    book.close()
    return count


class ResultsWorkbook:
    """OUT.xlsx being written: rows in order, then `finish` with the summary.

    `target` is a binary file (OUT.xlsx's temporary file, a web response's buffer); `scratch`
    is the folder for the temporary files (default: the system's). Use it as a context manager:
    leaving the block without `finish` (a failure, a stop) closes the temporary files and writes
    nothing more.
    """

    def __init__(
        self,
        target: IO[bytes],
        ruleset: Ruleset,
        day: dt.date,
        language: Language = "en",
        *,
        scratch: Path | None = None,
        rows: int | None = None,
        web: bool = False,
    ):
        self.ruleset, self.day, self.language = ruleset, day, language
        self.web = web
        """Whether the workbook is the web page's download: its summary says what the page
        says (i18n.web_wording), never a command-line option."""
        self._limit = SHEET_ROWS if rows is None else rows
        self._target = _Target(target)
        self._book = xlsxwriter.Workbook(
            self._target,
            {**TEXT_ONLY, "tmpdir": str(scratch) if scratch is not None else None},
        )
        notice = M.NOTICE(language)
        self._book.set_properties(
            {
                "title": M.WORKBOOK_TITLE(language),
                "subject": notice,
                "comments": notice,
                "author": "cart-screen",
                "keywords": f"{ruleset.id} sha256 {ruleset.sha256}",
            }
        )
        self._book.set_custom_property("notice", notice)
        self._book.set_custom_property("ruleset", ruleset.id)
        self._book.set_custom_property("ruleset_sha256", ruleset.sha256)
        self._book.set_custom_property("screening_date", day.isoformat())
        self._results = self._book.add_worksheet(
            M.WORKBOOK_RESULTS(language), worksheet_class=_TextSheet
        )
        self._summary = self._book.add_worksheet(
            M.WORKBOOK_SUMMARY(language), worksheet_class=_TextSheet
        )
        self._formats = _Formats(self._book)
        self._columns: tuple[str, ...] = ()
        self._cell_formats: list[Any] = []
        self._widths: list[int] = []
        self._to_measure = _MEASURED_ROWS
        self._wide_texts: set[tuple[int, str]] = set()
        """The texts beyond ASCII measured (their width takes a call a character)."""
        self._outcome_at = -1
        self._known: list[dict[str, str]] = []
        """Each column's cells' XML (after the reference), by text, for the texts it repeats."""
        self._once: list[dict[str, None]] = []
        """Each column's texts seen (once, unless known)."""
        self._letters: list[str] = []
        """Each column's letters (A, B, …)."""
        self._number_attributes: str | None = None
        self._numbered = False
        """Whether the first column is `row`, written as numbers."""
        self._next = 0
        """The next row to write (0: the header)."""
        self._inline_starts: dict[int, str] = {}
        """Each column's cell XML before a plain text's first time in it (see _fresh_xml)."""
        self._endings: dict[str, list[str]] = {}
        """The cells of each end of rows met (add_pieces)."""
        self._finished = False

    def __enter__(self) -> ResultsWorkbook:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, _: BaseException | None, __: TracebackType | None
    ) -> None:
        if self._finished:
            return
        self._abandon()
        if kind is None:
            raise RuntimeError("a results workbook left without finish(): nothing written")

    def write(self, text: str) -> None:
        """Rows as OUT.csv holds them, whole rows at a time; the first row written is the header."""
        self.add_rows(csv.reader(io.StringIO(text, newline=""), strict=True))

    def add_rows(self, rows: Iterable[Sequence[str]]) -> None:
        """Rows as cells, in order; the first row written is the header."""
        rows = iter(rows)
        if self._next == 0:
            header = next(rows, None)
            if header is None:
                return
            self._header(tuple(header))
        if self._to_measure > 0:
            rows = self._measured(rows)
        self._put(self._rows_xml(rows))

    def add_pieces(self, numbers: Iterable[int], middles: Sequence[str], end: str) -> None:
        """Records' rows as OUT.csv holds them in pieces (batch.ChunkOutput): each one's number,
        its middle (the cells between the number and the end, as CSV text) and the end all of
        them share (`,<notice>` and the line end). The same sheet as `write` gives for the rows
        put together, made without putting them together and reading them back."""
        ending = self._endings.get(end)
        if ending is None:
            ending = self._endings[end] = _csv_cells(end.removeprefix(",").removesuffix("\r\n"))
        rows = (
            [str(number), *(_csv_cells(middle) if '"' in middle else middle.split(",")), *ending]
            for number, middle in zip(numbers, middles, strict=True)
        )
        if self._next == 0 or self._to_measure > 0 or not self._numbered:
            self.add_rows(rows)
        elif self._next + len(middles) >= self._limit:
            self.add_rows(rows)  # it says where the sheet is full
        else:
            self._put(self._numbered_xml(rows))

    def _put(self, rows: Iterator[tuple[str, int]]) -> None:
        """Rows as the sheet's XML, each with its last column, after those written so far: to
        the worksheet's row file a chunk at a time (_TextSheet.append_rows)."""
        first = row = self._next
        parts: list[str] = []
        last_column = 0
        for xml, last in rows:
            if xml:  # a row of blanks is none (its number passed over)
                parts.append(xml)
            row += 1
            if last > last_column:
                last_column = last
            if row - first >= _ROWS_AT_ONCE:
                self._results.append_rows("".join(parts), first, row - 1, last_column)
                first, parts = row, []
        if parts:
            self._results.append_rows("".join(parts), first, row - 1, last_column)
        self._next = row

    def _rows_xml(self, rows: Iterator[Sequence[str]]) -> Iterator[tuple[str, int]]:
        """Each row's XML and its last column. A cell's XML after its reference is made once for
        each text a column repeats."""
        known, letters = self._known, self._letters
        numbered = self._numbered
        row = self._next
        for cells in rows:
            if row >= self._limit:
                raise WorkbookFull(M.WORKBOOK_FULL.both(limit=f"{self._limit - 1:,}"))
            if len(cells) > len(known):
                self._widen(len(cells) - 1)
            number = row + 1
            parts = [f'<row r="{number}">']
            last = -1
            for column, text in enumerate(cells):
                if not text:
                    continue  # an empty cell is a blank, as a spreadsheet reads OUT.csv's
                last = column
                if column == 0 and numbered and _whole_number(text):
                    parts.append(f'<c r="A{number}"{self._number_xml()}><v>{text}</v></c>')
                    continue
                xml = known[column].get(text) or self._fresh_xml(column, text)
                parts.append(f'<c r="{letters[column]}{number}"{xml}')
            row += 1
            if last < 0:  # a row of blanks is no row in the sheet (its number is passed over)
                yield "", last
                continue
            parts.append("</row>")
            yield "".join(parts), last

    def _numbered_xml(self, rows: Iterable[list[str]]) -> Iterator[tuple[str, int]]:
        """As _rows_xml, for rows numbered in their first cell (never blank), measured already,
        that the sheet has room for: the same XML with less work for each cell."""
        known, fresh, numbered = self._known, self._fresh_xml, self._number_xml()
        starts = [f'<c r="{letters}' for letters in self._letters]
        row = self._next
        for cells in rows:
            if len(cells) > len(known):
                self._widen(len(cells) - 1)
                starts = [f'<c r="{letters}' for letters in self._letters]
            row += 1
            number = str(row)
            parts = [f'<row r="{number}"><c r="A{number}"{numbered}><v>{cells[0]}</v></c>']
            last = 0
            for column in range(1, len(cells)):
                text = cells[column]
                if text:
                    xml = known[column].get(text) or fresh(column, text)
                    parts += (starts[column], number, '"', xml)
                    last = column
            parts.append("</row>")
            yield "".join(parts), last

    def _fresh_xml(self, column: int, text: str) -> str:
        """A text cell's XML after its reference, for a text its column has not kept (as
        add_rows makes it). A plain text met for the first time (a patient id, most often) is
        made as its column's first such cell was, without asking XlsxWriter again."""
        once, start = self._once[column], self._inline_starts.get(column)
        first_plain = text not in once and len(text) <= CELL_LIMIT // 2 and _PLAIN.fullmatch(text)
        if start is not None and first_plain and len(once) < _KNOWN_TEXTS:
            once[text] = None
            return f"{start}{text}{_INLINE_END}"
        if len(text) > CELL_LIMIT // 2:
            text = fitted(text, self.language)
        return self._cell_xml(column, text)

    def _number_xml(self) -> str:
        """A row number cell's XML between its reference and its value (its format numbered
        on its first use, as XlsxWriter numbers it)."""
        if self._number_attributes is None:
            self._number_attributes = self._results.number_xml(self._formats.number)
        return self._number_attributes

    def _cell_xml(self, column: int, text: str) -> str:
        """A text cell's XML after its reference, in its column's format. A text the column
        has had before goes in the workbook's shared strings, and its cell's XML is kept: the
        notice, outcomes and rule ids were two thirds of the sheet's XML to write and zip."""
        cell_format = self._cell_formats[column] if column < len(self._cell_formats) else None
        if isinstance(cell_format, dict):  # the outcome's colour
            cell_format = cell_format.get(text if column == self._outcome_at else "tinted")
        once = self._once[column]
        if text not in once or not SHARED_STRINGS:
            if len(once) >= _KNOWN_TEXTS:
                once.clear()  # a column of ids repeats none
            once[text] = None
            first: str = self._results.cell_xml(text, cell_format)  # its first time: in the cell
            if column != self._outcome_at and first.endswith(f"<t>{text}{_INLINE_END}"):
                # how a plain text is written in this column (its format numbered by now)
                self._inline_starts.setdefault(column, first[: -len(text + _INLINE_END)])
            return first
        xml: str = self._results.shared_xml(text, cell_format)
        known = self._known[column]
        if len(known) >= _KNOWN_TEXTS:
            known.clear()
        known[text] = xml
        return xml

    def _widen(self, column: int) -> None:
        """Room for cells up to `column` (a row wider than the header)."""
        while len(self._known) <= column:
            self._known.append({})
            self._once.append({})
            self._letters.append(xl_col_to_name(len(self._letters)))

    def _header(self, header: tuple[str, ...]) -> None:
        self._columns = header
        self._outcome_at = header.index("outcome") if "outcome" in header else -1
        self._numbered = header[:1] == ("row",)
        formats = self._formats
        for column, name in enumerate(header):
            self._results.write_string(0, column, name, formats.header)
            if name == "outcome":
                self._cell_formats.append(formats.outcome)
            elif name in TINTED:
                self._cell_formats.append({"tinted": formats.tint[TINTED[name]]})
            elif name == "row":
                self._cell_formats.append(formats.number)
            else:
                self._cell_formats.append(None)
        self._widths = [WIDTHS.get(name, (10, 40))[0] for name in header]
        self._widen(len(header) - 1)
        # Written now, the header's format is the first in the styles, as XlsxWriter has it.
        self._results.write_held_row()
        for column, name in enumerate(header):
            self._widths[column] = max(self._widths[column], width(name) + 3)  # the filter button
        self._results.freeze_panes(1, 0)
        self._next = 1

    def _measured(self, rows: Iterator[Sequence[str]]) -> Iterator[Sequence[str]]:
        """The rows, each one's texts widening its columns while the first rows are written."""
        widths, seen = self._widths, self._wide_texts
        for cells in rows:
            if self._to_measure > 0:
                self._to_measure -= 1
                for column, text in enumerate(cells[: len(widths)]):
                    if text and not text.isascii():
                        if (column, text) not in seen:  # the notice, in every row
                            seen.add((column, text))
                            widths[column] = max(widths[column], width(text[:200]))
                    else:
                        widths[column] = max(widths[column], len(text))
            yield cells

    def finish(self, summary: Summary) -> None:
        """Write the summary sheet and put the workbook together (into `target`)."""
        columns = len(self._columns)
        for column, name in enumerate(self._columns):
            narrowest, widest = WIDTHS.get(name, (10, 40))
            self._results.set_column(
                column, column, min(max(self._widths[column], narrowest), widest) + 1
            )
        if columns:
            self._results.autofilter(0, 0, max(self._next - 1, 0), columns - 1)
        _SummarySheet(self._summary, self._formats, self.language, self.web).write(
            summary, self.ruleset, self.day
        )
        try:
            self._book.close()
        except xlsxwriter.exceptions.FileCreateError as exc:  # a full disk, most often
            self._target.cut()
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
            if cause is None:
                raise
            raise cause from exc
        except BaseException:
            self._target.cut()
            raise
        finally:
            self._abandon()
        self._finished = True

    def _abandon(self) -> None:
        """Close the temporary files the worksheets write their rows to (XlsxWriter leaves them
        open when the workbook is not closed)."""
        for sheet in (self._results, self._summary):
            handle = getattr(sheet, "row_data_fh", None)
            if handle is not None and not handle.closed:
                handle.close()


class _Target:
    """The binary file the workbook goes to, as XlsxWriter's zip file writes it — until `cut`.

    A zip file that failed half-way (a full disk) is closed when it is collected, later, and
    writes its end then; by that time the file is closed and removed, and the error it would
    print is a traceback the user must not see. Cut, the zip file's writes go nowhere.
    """

    def __init__(self, handle: IO[bytes]):
        self._handle: IO[bytes] | None = handle

    def cut(self) -> None:
        self._handle = None

    def write(self, data: bytes) -> int:
        return len(data) if self._handle is None else self._handle.write(data)

    def tell(self) -> int:
        return 0 if self._handle is None else self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0 if self._handle is None else self._handle.seek(offset, whence)

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()


def _csv_cells(text: str) -> list[str]:
    """The cells of one row of CSV text."""
    return next(csv.reader([text], strict=True), [])


def _whole_number(text: str) -> bool:
    """Whether a text reads back the same written as a number: 1 to 15 digits, no leading 0."""
    return text.isascii() and text.isdigit() and len(text) <= 15 and text[0] != "0"


def fitted(text: str, language: Language) -> str:
    """A text cut to what a cell holds, saying so at its end; a text that fits, as it is."""
    units = len(text.encode("utf-16-le")) // 2
    if units <= CELL_LIMIT:
        return text
    mark = M.WORKBOOK_CELL_CUT(language, length=f"{len(text):,}", limit=f"{CELL_LIMIT:,}")
    keep = CELL_LIMIT - len(mark) - 1
    kept = text[:keep]
    while len(kept.encode("utf-16-le")) // 2 > keep:  # characters beyond U+FFFF take two units
        kept = kept[: -max(1, (len(kept.encode("utf-16-le")) // 2 - keep) // 2)]
    return kept + mark


class _Formats:
    """The cell formats the workbook uses (XlsxWriter wants each made once)."""

    def __init__(self, book: Any):
        self.header = book.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "text_wrap": False}
        )
        self.number = book.add_format({"align": "right", "valign": "top"})
        self.outcome: dict[str, Any] = {
            name: book.add_format(
                {"bg_color": fill, "font_color": font, "bold": True, "valign": "top"}
            )
            for name, (fill, font) in COLOURS.items()
        }
        self.tint: dict[Outcome, Any] = {
            name: book.add_format(
                {"bg_color": fill, "font_color": font, "text_wrap": True, "valign": "top"}
            )
            for name, (fill, font) in COLOURS.items()
        }
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.label = book.add_format({"bold": True, "valign": "top"})
        self.text = book.add_format({"text_wrap": True, "valign": "top"})
        self.count = book.add_format({"num_format": "#,##0"})
        self.share = book.add_format({"num_format": "0.0%"})
        self.table_head = book.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1})


class _SummarySheet:
    """The second sheet: what the list was screened with, the colours, the figures, the notice —
    each a value in its own cell, written top to bottom (the sheet is streamed too)."""

    def __init__(self, sheet: Any, formats: _Formats, language: Language, web: bool = False):
        self.sheet, self.formats, self.language, self.web = sheet, formats, language, web
        self.row = 0

    def line(self, *cells: str | int | float, formats: Sequence[Any] = ()) -> None:
        """One row of cells: texts as text, counts and shares as numbers."""
        for column, (value, cell_format) in enumerate(
            itertools.zip_longest(cells, formats[: len(cells)])
        ):
            if value == "":
                continue
            if isinstance(value, str):
                if self.web:  # the page's own words: it has no options to send its user to
                    value = web_wording(value, self.language)
                self.sheet.write_string(self.row, column, value, cell_format)
            else:
                self.sheet.write_number(self.row, column, value, cell_format)
        self.row += 1

    def write(self, summary: Summary, ruleset: Ruleset, day: dt.date) -> None:
        """The whole sheet."""
        lang, f = self.language, self.formats
        self.sheet.set_column(0, 0, 26)
        self.sheet.set_column(1, 1, 60)
        self.sheet.set_column(2, 3, 12)
        self.line(M.WORKBOOK_TITLE(lang), formats=[f.title])
        self.line(M.NOTICE(lang), formats=[f.bold])
        self.row += 1
        revision = ruleset.meta.label_revision.isoformat()
        self.line(M.WORKBOOK_DAY(lang), day.isoformat(), formats=[f.label])
        ruleset_is = M.WORKBOOK_RULESET_IS(lang, id=ruleset.id, revision=revision)
        self.line(M.WORKBOOK_RULESET(lang), ruleset_is, formats=[f.label])
        self.line("sha256", ruleset.sha256, formats=[f.label])
        if summary.screened_with is not None and not summary.screened_with[2].empty:
            site = summary.screened_with[2]
            source = site.name or M.SITE_OPTIONS(lang)
            shown = f"{source} · sha256 {site.sha256}" if site.sha256 else source
            self.line(M.WORKBOOK_SITE(lang), shown, formats=[f.label])
        if summary.source is not None:
            for read in source_lines(summary.source, lang):
                self.line(M.WORKBOOK_READ(lang), read, formats=[f.label])
        self.row += 1
        self._legend()
        self.row += 1
        self._outcomes(summary)
        self.row += 1
        self._rules(summary, ruleset, summary.rule_ids)
        if summary.advisory_ids:  # SPEC §11: counted apart, under their own heading
            self.row += 1
            self.line(M.ADVISORY_HEADING(lang), formats=[f.label])
            advised = summary.advised
            records = M.SUMMARY_ADVISORY_RECORDS(
                lang,
                flagged=advised["flagged"],
                needs=advised["needs_info"],
                clear=advised["no_flags"],
            )
            self.line(records)
            self._rules(summary, ruleset, summary.advisory_ids)
        notes = summary_notes(summary, lang)
        if notes:
            self.row += 1
            self.line(M.WORKBOOK_NOTES(lang), formats=[f.label])
            for note in notes:
                self.line(note)

    def _legend(self) -> None:
        lang, f = self.language, self.formats
        self.line(M.WORKBOOK_LEGEND(lang), formats=[f.label])
        for outcome in COLOURS:
            words = OUTCOME_WORDS[outcome](lang)
            self.line(outcome, words, formats=[f.outcome[outcome], f.text])
        self.line(M.WORKBOOK_LEGEND_CELLS(lang), formats=[f.text])

    def _outcomes(self, summary: Summary) -> None:
        lang, f, total = self.language, self.formats, summary.records
        head = [M.SUMMARY_OUTCOME(lang), M.SUMMARY_RECORDS(lang), M.SUMMARY_SHARE(lang)]
        self.line(head[0], "", *head[1:], formats=[f.table_head] * 4)
        for outcome in COLOURS:
            count = summary.outcomes[outcome]
            share: str | float = count / total if total else "–"
            words = OUTCOME_WORDS[outcome](lang).split(" — ")[0]
            self.line(
                outcome, words, count, share, formats=[f.outcome[outcome], None, f.count, f.share]
            )
        share_all: str | float = 1.0 if total else "–"
        self.line(
            M.SUMMARY_ALL(lang), "", total, share_all, formats=[f.bold, None, f.count, f.share]
        )

    def _rules(self, summary: Summary, ruleset: Ruleset, rule_ids: Sequence[str]) -> None:
        lang, f = self.language, self.formats
        titles = {rule.id: rule.title(lang) for rule in [*ruleset.rules, *ruleset.advisory]}
        flagged, needs = ("flagged", "needs_info") if lang == "en" else ("提示", "待补充")
        self.line(
            M.SUMMARY_RULE(lang),
            M.WORKBOOK_RULE_TITLE(lang),
            flagged,
            needs,
            formats=[f.table_head] * 4,
        )
        for rule_id in rule_ids:
            title = titles.get(rule_id, "")
            self.line(
                rule_id,
                title,
                summary.flagged[rule_id],
                summary.needs_info[rule_id],
                formats=[None, f.text, f.count, f.count],
            )


@contextlib.contextmanager
def written_workbook(
    path: Path, ruleset: Ruleset, day: dt.date, language: Language = "en"
) -> Iterator[ResultsWorkbook]:
    """OUT.xlsx at `path`, whole or not at all (files.atomic_write): call `finish` in the block.

    Its temporary files go to a private folder beside `path` (on the same disk, readable by
    their owner only), removed when done; one a killed run left is removed by the next run that
    writes there (files.remove_abandoned).
    """
    remove_abandoned(path.parent, SCRATCH)
    with (
        atomic_write_binary(path) as handle,
        tempfile.TemporaryDirectory(prefix=owned(SCRATCH), dir=path.parent) as scratch,
        ResultsWorkbook(handle, ruleset, day, language, scratch=Path(scratch)) as book,
    ):
        yield book


def workbook_bytes(
    csv_text: str, summary: Summary, ruleset: Ruleset, day: dt.date, language: Language = "en"
) -> bytes:
    """OUT.xlsx made from OUT.csv's text (the web page's download), as bytes; its summary in
    the page's words (i18n.web_wording)."""
    buffer = io.BytesIO()
    with ResultsWorkbook(buffer, ruleset, day, language, web=True) as book:
        book.write(csv_text)
        book.finish(summary)
    return buffer.getvalue()
