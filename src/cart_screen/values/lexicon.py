"""Spellings -> values: the index behind every vocabulary (diagnoses, statuses, classes, yes/no).

A spelling is indexed by its match key. One key naming two values is a clash the loader reports
where the spelling is written; a spelling listed as ambiguous is refused with its message; a
spelling close to a known one (a typo: "DLBLC NOS") gets suggestions, never a reading.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from cart_screen.i18n import Said
from cart_screen.values.text import match_key

Where = tuple[str | int, ...]
"""Where a spelling is written in its data file (keys and item numbers from the top)."""

_SUGGEST_MIN_LENGTH = 4
"""Keys shorter than this get no suggestions: 'ii' is not a typo of 'iii'."""
_SUGGEST_CUTOFF = 0.8
"""How alike (difflib's ratio, 0–1: matching characters over both lengths) a known spelling must
be to be offered. difflib is enough for a few hundred spellings, read once per distinct value."""


class Lexicon:
    """Match keys of spellings, each naming one value, or ambiguous with what to record."""

    def __init__(self) -> None:
        self.index: dict[str, str] = {}
        self.ambiguous: dict[str, Said] = {}
        self.clashes: list[tuple[Where, str]] = []

    def add(self, written: str, value: str, where: Where) -> None:
        """Index a spelling of `value`; a clash with another value is kept to report."""
        key = match_key(written)
        if not key:
            self.clashes.append((where, f"{written!r} has no letters or digits"))
        elif key in self.ambiguous:
            self.clashes.append((where, f"{written!r} of {value} is also listed as ambiguous"))
        elif self.index.setdefault(key, value) != value:
            self.clashes.append((where, f"{written!r} of {value} already names {self.index[key]}"))

    def add_ambiguous(self, written: str, message: Said, where: Where) -> None:
        """Index a spelling that names more than one value: refused with `message`."""
        key = match_key(written)
        if "; " in message.en and where[-1] == 0:  # said once, at the entry's first term
            # OUT.csv joins a record's errors with "; " (SPEC §5): a message must not hold it
            self.clashes.append((where, f"the message for {written!r} may not hold '; '"))
        if key in self.index:
            self.clashes.append((where, f"ambiguous {written!r} already names {self.index[key]}"))
        elif not key:
            self.clashes.append((where, f"{written!r} has no letters or digits"))
        else:
            self.ambiguous[key] = message

    def find(self, key: str) -> str | None:
        """The value a match key names, or None."""
        return self.index.get(key)

    def ambiguity(self, key: str) -> Said | None:
        """What to record instead, when a match key is an ambiguous spelling."""
        return self.ambiguous.get(key)

    def suggest(self, key: str, limit: int = 3) -> list[str]:
        """Values whose spellings are close to `key` (most alike first), for 'did you mean'."""
        if len(key) < _SUGGEST_MIN_LENGTH:
            return []
        found = difflib.get_close_matches(key, self.index, n=limit * 4, cutoff=_SUGGEST_CUTOFF)
        return _unique(self.index[spelling] for spelling in found if _alike(key, spelling))[:limit]


_SIGNS = {"+": "+", "positive": "+", "阳性": "+", "\u2212": "-", "negative": "-", "阴性": "-"}


def _polarity(key: str) -> frozenset[str]:
    """The signs a key carries ('ebv+…' positive, 'ebvnegative…' negative): a suggestion never
    offers the opposite sign of what was written."""
    return frozenset(sign for word, sign in _SIGNS.items() if word in key)


_NEGATIONS = ("not", "without", "no", "non", "未", "非", "无", "不")
_NUMBERS = re.compile(r"\d+")


def _alike(written: str, known: str) -> bool:
    """Whether a known spelling may be offered for what was written: never one of the opposite
    sign, negation or numbers ('EBV-' is not 'EBV+', 'FL without transformation' is not tFL,
    'MYC/BCL6' is not 'MYC/BCL2')."""
    sign = _polarity(written)
    if sign and _polarity(known) != sign:
        return False
    if _NUMBERS.findall(written) != _NUMBERS.findall(known):
        return False
    negated = [word for word in _NEGATIONS if word in written]
    return all(word in known for word in negated)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
