"""CSV referral lists: text -> header and chunks of records, each record bounded in length.

Read as RFC 4180 says (a quoted cell may hold commas and line breaks); a record that cannot be
read (wrong number of cells, bytes that do not decode, longer than RECORD_LIMIT) is kept as a
record with its problem, so that it still gets its own row.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterator
from typing import AnyStr, TextIO

from cart_screen.i18n import M, Said
from cart_screen.list_records import CHUNK_SIZE, BatchInputError, Chunk

RECORD_LIMIT = 1 << 20
"""Characters a record may hold, line ends included. A spreadsheet cell holds at most 32,767, so
a longer record is a broken one (most often a quote that is never closed): it is one error row,
read past without being kept (see Records)."""

# The csv module's own limit on a cell is never met first: a cell is shorter than its record.
csv.field_size_limit(RECORD_LIMIT)


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
            yield Chunk(first, cells, _checked(cells, problems, width, encoding))
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


def _checked(
    cells: list[list[str]], problems: dict[int, Said], width: int, encoding: str
) -> dict[int, Said]:
    """Mark the records with the wrong number of cells, then those with bytes that did not decode.

    Both are checked for the whole chunk at once first: almost every chunk has neither.
    """
    if problems or set(map(len, cells)) != {width}:
        for at, row in enumerate(cells):
            if at not in problems and len(row) != width:
                problems[at] = M.CELLS_COUNT.both(cells=len(row), width=width)
    if _undecoded.count and not _decoded("".join(itertools.chain.from_iterable(cells))):
        for at, row in enumerate(cells):
            if at not in problems and not _decoded("".join(row)):
                problems[at] = M.BAD_BYTES.both(encoding=encoding)
    return problems


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


_UNDECODED_CHARACTER = re.compile("[\udc80-\udcff]")
"""How the error handler UNDECODED keeps a byte that did not decode (as surrogateescape)."""


def shown_undecoded(text: str) -> str:
    """Text with each byte that did not decode shown as U+FFFD (it cannot be written out)."""
    return text if _decoded(text) else _UNDECODED_CHARACTER.sub("\ufffd", text)
