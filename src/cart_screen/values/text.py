"""Text as referrals write it: folding for matching, affixes, plain numbers, and the value error.

`fold` makes the spellings one: full/half width, Unicode Roman numerals, case and surrounding
space do not count. `match_key` goes further for names (spaces, hyphens and punctuation do not
count either), keeping `+` so that "EBV+" and "EBV-" never become one term.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from cart_screen.i18n import M, Msg, Said


class FormValueError(ValueError):
    """A raw value that cannot be read; `said` tells why and what is allowed, in both languages."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said


class Shown(str):
    """A value read from a spelling that needed working out ('score 8' -> B): `how` says how."""

    how: Said

    def __new__(cls, value: str, how: Said) -> Shown:
        made = super().__new__(cls, value)
        made.how = how
        return made

    def __reduce__(self) -> tuple[type[Shown], tuple[str, Said]]:
        return (Shown, (str(self), self.how))


class Shaped(NamedTuple):
    """How a `Measured.how` was said, to say it again with more digits: the message, its parts,
    which part holds the number compared, that number as shown, and what follows it there."""

    message: Msg
    parts: dict[str, str]
    key: str
    number: str
    after: str = ""


class Measured(float):
    """A number worked out from what was written ('68 µmol/L (ULN 21)' -> 3.24): `how` says how."""

    how: Said
    shaped: Shaped | None

    def __new__(cls, value: float, how: Said, shaped: Shaped | None = None) -> Measured:
        made = super().__new__(cls, value)
        made.how = how
        made.shaped = shaped
        return made

    def __reduce__(self) -> tuple[type[Measured], tuple[float, Said, Shaped | None]]:
        return (Measured, (float(self), self.how, self.shaped))

    def how_against(self, limit: float) -> Said:
        """`how`, with the number compared shown apart from `limit` (see `apart`)."""
        shaped = self.shaped
        if shaped is None:
            return self.how
        number = apart(float(self), limit, shaped.number)
        if number == shaped.number:
            return self.how
        return shaped.message.both(**{**shaped.parts, shaped.key: number + shaped.after})


def apart(value: float, limit: float, shown: str) -> str:
    """`shown` (how `value` is written in a reason), unless it reads as `limit` or across it
    though `value` does not ('40' for 39.99999999999 against 40): then `value` with the fewest
    significant digits that keep it on its side of `limit`."""

    def side(number: float) -> int:
        return (number > limit) - (number < limit)

    if side(float(shown)) == side(value):
        return shown
    at_least = len(shown.replace(".", "").lstrip("+-0")) or 1  # never fewer than shown
    for digits in range(at_least, 18):
        text = f"{value:.{digits}g}"
        if side(float(text)) == side(value):
            return text
    return repr(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters no value holds: C0 but tab and line breaks (a cell copied from a report may
wrap), DEL and C1. Arrow keys in a terminal that does no line editing type ESC sequences."""
_INVISIBLE = "\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff"
"""Characters that show as nothing (zero-width space and joiners, the byte-order mark a second
export glued on carries, the soft hyphen): an id holding one looks like another. (Direction
marks and overrides are kept, and shown escaped wherever an id is echoed: render.printable.)"""
_INVISIBLE_INSIDE = re.compile(f"[{_INVISIBLE}]")
_EDGES = re.compile(f"^[\\s{_INVISIBLE}]+|[\\s{_INVISIBLE}]+$")


def id_text(text: str) -> str:
    """An id as written, without space or invisible characters around it ('\\ufeffP2 ' -> 'P2').
    Raise FormValueError when one is left inside it: 'P\\u200b1' looks like 'P1' and is not."""
    found = _EDGES.sub("", text)
    inside = _INVISIBLE_INSIDE.search(found)
    if inside is not None:
        raise FormValueError(M.INVISIBLE_CHARACTER.both(shown=f"U+{ord(inside[0]):04X}"))
    return found


def has_invisible(text: str) -> bool:
    """Whether `text` holds a character that shows as nothing (see id_text)."""
    return _INVISIBLE_INSIDE.search(text) is not None


_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]|.", re.DOTALL)
"""A control sequence (CSI `ESC [ … final`, a two-character escape) or else one character."""
_KEYS = {"\x1b[A": "↑", "\x1b[B": "↓", "\x1b[C": "→", "\x1b[D": "←", "\x7f": "⌫", "\x08": "⌫"}
"""What a terminal without line editing types for a key (arrows, backspace)."""


def has_control(text: str) -> bool:
    """Whether `text` holds a control character no value may hold (see control_problem)."""
    return _CONTROL.search(text) is not None


def control_problem(text: str) -> Said | None:
    """Why `text` is no value when it holds a control character: the first one (or escape
    sequence) shown escaped ('\\x1b[D', with the key that types it), else None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    sequence = _SEQUENCE.match(text, found.start())
    assert sequence is not None  # `.` matches any one character
    shown = "".join(f"\\x{ord(c):02x}" if _CONTROL.match(c) else c for c in sequence[0])
    key = _KEYS.get(sequence[0])
    if key is None:
        return M.CONTROL_CHARACTER.both(shown=shown)
    return M.CONTROL_KEY.both(shown=shown, key=key)


_ROMAN_SIGN = re.compile("[\u2160-\u2188]")
"""A Unicode Roman numeral sign (Ⅲ): one numeral each, so 'ⅠⅠ' is two values, never II."""


def fold(text: str) -> str:
    """Width, Roman-numeral forms, case and surrounding space do not count: 'Ⅲ级 ' -> 'iii 级'.

    A Roman numeral sign stands apart as one word ('ⅡⅠ' -> 'ii i', two values, never III)."""
    spaced = _ROMAN_SIGN.sub(lambda sign: f" {sign[0]} ", text)
    return unicodedata.normalize("NFKC", spaced).casefold().strip()


_NEGATIVE = re.compile(r"(?<=[^\W_])-(?![^\W_])")
"""A minus sign that ends a word ('EBV- DLBCL', 'CD20-'): negative, not a hyphen."""


def match_key(text: str) -> str:
    """Fold a name for matching: spaces, hyphens and punctuation do not count either.

    Signs do: `+` and a `-` that ends a word ('EBV-') stay, so 'EBV+' and 'EBV-' never meet;
    so does `_`, which only codes have ('EBV_DLBCL' is a code; 'EBV-DLBCL' is not).
    """
    marked = _NEGATIVE.sub("\u2212", fold(text))
    key = "".join(ch for ch in marked if ch.isalnum() or ch in "+\u2212_")
    if any(ch.isalnum() for ch in key):
        return key
    # Signs alone are a lab's notation: '(-)' is negative, '-' may be 'not done', '±' borderline.
    # They keep every mark but spaces, so each is a key of its own (a value book says which
    # means what, or that one is ambiguous); a text of marks no book names still matches nothing.
    return "".join(ch for ch in marked.replace("-", "\u2212") if not ch.isspace())


def strip_affixes(
    key: str, prefixes: Sequence[str], suffixes: Sequence[str]
) -> Iterable[tuple[str, bool]]:
    """`key` with at most one prefix and one suffix taken off (longest first), each way to do it,
    the whole key first; with whether anything was taken off. Affixes are match keys too."""
    yield key, False
    starts = [p for p in prefixes if p and key.startswith(p) and len(p) < len(key)]
    for prefix in starts:
        yield key[len(prefix) :], True
    cores = [key, *(key[len(p) :] for p in starts)]
    for core in cores:
        for suffix in suffixes:
            if suffix and core.endswith(suffix) and len(suffix) < len(core):
                yield core[: -len(suffix)], True


# A plain decimal: no exponent, no underscores, no thousands separators.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_NOT_FINITE = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


def plain_number(text: str) -> float | None:
    """The number a folded text is, written as a plain decimal ('35', '3.2', '.5'), or None."""
    return float(text) if _DECIMAL.fullmatch(text) else None


def stray_mark(
    text: str,
    spellings: Sequence[str],
    punctuation: frozenset[str],
    bounds: frozenset[str],
    ranges: frozenset[str],
) -> str | None:
    """The first mark in a folded text that no value may hold, or None; a comparison sign is
    returned as itself (the caller says 'a bound').

    Spellings of the field that hold marks ('阳性(+)', '%', '->') are set aside first, longest
    first; one holding a comparison sign only between two words ('R-CHOP -> R-ICE'). What remains
    may hold letters, digits, spaces, signs kept in matching ('EBV+', 'EBV−') and `punctuation`; a sign of
    `ranges` between two values is a range ('2~3'), a bound anywhere else ('~50')."""
    for spelling in spellings:
        if any(ch in bounds for ch in spelling):
            text = re.sub(rf"(?<=\S)\s*{re.escape(spelling)}\s*(?=\S)", " ", text)
        else:
            text = text.replace(spelling, " ")
    for at, ch in enumerate(text):
        if ch.isalnum() or ch.isspace() or ch in "+_\u2212" or ch in punctuation:
            continue
        if ch in ranges and _between_values(text, at):
            continue
        return ch
    return None


def _between_values(text: str, at: int) -> bool:
    before, after = text[:at].rstrip(), text[at + 1 :].lstrip()
    return bool(before) and bool(after) and before[-1].isalnum() and after[0].isalnum()


EXACT_DIGITS = 15
"""Significant digits a double holds exactly: a text with more is rounded when read, and may be
rounded across a threshold ('39.9999999999999999999' would read as 40)."""
_DIGIT_RUN = re.compile(r"\d+(?:\.\d+)?")


def too_many_digits(text: str) -> bool:
    """Whether a number in `text` has more significant digits than a double holds exactly
    (leading zeros and a decimal's trailing zeros do not count)."""
    for run in _DIGIT_RUN.findall(text):
        whole, _, fraction = run.partition(".")
        fraction = fraction.rstrip("0")
        if len((whole + fraction).lstrip("0")) > EXACT_DIGITS:
            return True
    return False


def not_finite(text: str) -> bool:
    """Whether a folded text names a number that is not finite (NaN, infinity)."""
    return text.replace(" ", "") in _NOT_FINITE


_BOUND = re.compile(r"^(<=|>=|=<|=>|<|>|≤|≥|≦|≧|⩽|⩾)\s*\d|^\d+(?:\.\d+)?\s*\+$")
_RANGE = re.compile(r"^\d+(?:\.\d+)?\s*(?:-|–|—|~|～|至|到|to)\s*\d+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")


def number_shape(text: str) -> str | None:
    """Name what a folded text that is not a plain number looks like: 'bound', 'range',
    'decimal comma' — or None. These are never read: each is an error asking for one value."""
    if _BOUND.match(text):
        return "bound"
    if _RANGE.match(text):
        return "range"
    if _DECIMAL_COMMA.match(text):
        return "decimal comma"
    return None


def affix_keys(words: Iterable[str]) -> list[str]:
    """Match keys of prefixes or suffixes, longest first (so 'NYHA class' goes before 'NYHA')."""
    return sorted({match_key(w) for w in words} - {""}, key=len, reverse=True)


def fold_affixes(words: Iterable[str]) -> list[str]:
    """Folded prefixes or suffixes, longest first, for texts where spaces still count."""
    return sorted({fold(w) for w in words} - {""}, key=len, reverse=True)


def strip_folded(text: str, prefixes: Sequence[str], suffixes: Sequence[str]) -> str:
    """Take at most one folded prefix and one folded suffix off a folded text (longest first)."""
    for prefix in prefixes:
        if text.startswith(prefix) and len(prefix) < len(text):
            text = text[len(prefix) :].lstrip(" :：=")
            break
    for suffix in suffixes:
        if text.endswith(suffix) and len(suffix) < len(text):
            text = text[: -len(suffix)].rstrip()
            break
    return text
