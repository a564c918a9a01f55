"""What a referral list file holds before it is read as CSV: its encoding, or why it is no CSV.

`batch` and the web page's list upload read a list in the encoding asked for or, by default
(`auto`), in the one found here (SPEC §7). A byte-order mark says UTF-8, UTF-16 or UTF-32.
Without one, the whole file is checked, a block at a time (memory does not grow with the file):

1. it decodes as UTF-8: UTF-8;
2. its valid non-ASCII UTF-8 characters outnumber the bytes that do not decode at least MOSTLY
   times: UTF-8 all the same, and each record holding such bytes is an error row. This comes
   before GB18030 because valid UTF-8 Chinese often also "decodes" as GB18030: a damaged UTF-8
   list read so would be mojibake throughout, while GB18030 Chinese read as UTF-8 gives about
   one valid character for six bytes that do not decode;
3. it decodes whole as GB18030: GB18030;
4. otherwise it is refused. Never a guess, never mojibake.

A GB18030 list whose bytes are also valid UTF-8 (or nearly: a few short words such as 状态 are)
cannot be told from UTF-8 by its bytes and is read as UTF-8; a list of any length is not.

Content that is no CSV at all (a workbook, a PDF, an image, a binary file) is recognised by its
first bytes and refused with what it is, whatever encoding was asked for.
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from cart_screen.csv_list import text_encoding
from cart_screen.i18n import M
from cart_screen.list_records import BatchInputError

AUTO = "auto"
"""The encoding a user asks for to have it detected (the default)."""

BLOCK_BYTES = 1 << 20
"""Bytes checked at a time."""

HEAD_BYTES = 8000
"""The first bytes that tell what a file is (NULs among them: see NUL_SHARE)."""

NUL_SHARE = 100
"""A list whose first HEAD_BYTES hold more than STRAY_NULS NUL bytes, and more than one in
NUL_SHARE of them, is not text: UTF-16 or UTF-32 without a byte-order mark (half or three
quarters of their bytes are NULs where the text is ASCII, and a CSV's commas, line ends, digits
and field names are: a Chinese list in UTF-16 has some 1 in 5), or a binary file (most hold
NULs by the thousand). A stray NUL or two in a text list (a bad export, a field copied from
another program) is read as text like one further on: an error on that record's field (a
control character), every other record screened."""

STRAY_NULS = 2
"""NUL bytes the head of a text list may hold whatever its length, when it has lines (a list of
a few lines); a few bytes with a NUL and no line end are no list (a binary file's start)."""

MOSTLY = 4
"""How many valid non-ASCII UTF-8 characters a list needs per byte that does not decode to be
read as damaged UTF-8 (GB18030 Chinese gives about 0.2; a damaged UTF-8 list, hundreds)."""


class ListEncoding(NamedTuple):
    """The encoding a list is read in: its codec, its name as the user is told it, and whether
    it was detected (or asked for)."""

    codec: str
    name: str
    detected: bool = True


UTF8 = ListEncoding("utf-8-sig", "UTF-8")
GB18030 = ListEncoding("gb18030", "GB18030")

BYTE_ORDER_MARKS = {
    codecs.BOM_UTF32_LE: ListEncoding("utf-32", "UTF-32"),  # before UTF-16 LE's, its beginning
    codecs.BOM_UTF32_BE: ListEncoding("utf-32", "UTF-32"),
    codecs.BOM_UTF8: UTF8,
    codecs.BOM_UTF16_LE: ListEncoding("utf-16", "UTF-16"),
    codecs.BOM_UTF16_BE: ListEncoding("utf-16", "UTF-16"),
}

WORKBOOKS = {
    b"PK\x03\x04": M.LIST_IS_WORKBOOK,  # a ZIP: .xlsx, .ods
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": M.LIST_IS_OLD_WORKBOOK,  # OLE: .xls (and .doc)
}

NOT_CSV = {
    b"%PDF-": M.LIST_IS_PDF.both(),
    b"\x89PNG\r\n\x1a\n": M.LIST_IS_IMAGE.both(kind="PNG"),
    b"\xff\xd8\xff": M.LIST_IS_IMAGE.both(kind="JPEG"),
    b"GIF87a": M.LIST_IS_IMAGE.both(kind="GIF"),
    b"GIF89a": M.LIST_IS_IMAGE.both(kind="GIF"),
}


def list_encoding(source: Path | bytes, requested: str = AUTO) -> ListEncoding:
    """The encoding to read a list (a file, or the bytes uploaded) in: the one asked for, or
    the one detected when `requested` is `auto`.

    A list that is no CSV, or whose encoding cannot be told, is refused (BatchInputError).
    """
    head = source[:HEAD_BYTES] if isinstance(source, bytes) else _head(source)
    refuse_workbook(head)
    for signature, said in NOT_CSV.items():
        if head.startswith(signature):
            raise BatchInputError(said)
    if requested.strip().lower() != AUTO:
        return ListEncoding(text_encoding(requested), requested, detected=False)
    for mark, encoding in BYTE_ORDER_MARKS.items():
        if head.startswith(mark):
            return encoding
    if not_text(head):
        raise BatchInputError(M.LIST_NOT_TEXT.both())
    return detect_encoding(source)


def not_text(head: bytes) -> bool:
    """Whether the first bytes of a file with no byte-order mark hold too many NULs for text
    (see NUL_SHARE)."""
    nuls = head.count(b"\0")
    few = nuls <= STRAY_NULS and (b"\n" in head or b"\r" in head)  # in a line or two of text
    return nuls * NUL_SHARE > len(head) and not few


def refuse_workbook(head: bytes) -> None:
    """Refuse a spreadsheet workbook: reading one is for later (SPEC §8)."""
    for signature, message in WORKBOOKS.items():
        if head.startswith(signature):
            raise BatchInputError(message.both())


def detect_encoding(source: Path | bytes) -> ListEncoding:
    """UTF-8, (mostly) UTF-8 or GB18030, by checking the whole list (see the module docstring)."""
    if _decodes(source, "utf-8"):
        return UTF8
    valid, undecodable = utf8_counts(source)
    if valid >= MOSTLY * undecodable:
        return UTF8
    if _decodes(source, "gb18030"):
        return GB18030
    raise BatchInputError(M.LIST_ENCODING_UNKNOWN.both())


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _blocks(source: Path | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        for start in range(0, len(source), BLOCK_BYTES):
            yield source[start : start + BLOCK_BYTES]
        return
    with source.open("rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            yield block


def _decodes(source: Path | bytes, codec: str) -> bool:
    """Whether the whole list decodes in `codec` (an ASCII block between characters is skipped)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for block in _blocks(source):
            if not block.isascii() or decoder.getstate()[0]:
                decoder.decode(block)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


_NOT_ASCII = bytes(range(0x80, 0x100))


def utf8_counts(source: Path | bytes) -> tuple[int, int]:
    """The list's valid non-ASCII UTF-8 characters, and its bytes that are not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    valid = undecodable = 0
    for block in itertools.chain(_blocks(source), [b""]):  # the empty block ends the decoding
        pending = decoder.getstate()[0]
        if block and block.isascii() and not pending:
            continue
        text = decoder.decode(block, not block)
        # Each byte that does not decode is one lone surrogate, which UTF-8 cannot encode.
        used = len(pending) + len(block) - len(decoder.getstate()[0])
        bad = used - len(text.encode("utf-8", "ignore"))
        ascii_characters = len(block.translate(None, _NOT_ASCII))  # never part of another
        undecodable += bad
        valid += len(text) - ascii_characters - bad
    return valid, undecodable
