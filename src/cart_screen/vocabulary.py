"""Diagnosis vocabulary: synonyms (English, Chinese, abbreviations) to canonical subtype codes.

The terms themselves are data under `rules/`; this module only indexes and looks them up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from pydantic import Field

from cart_screen.datafile import DataModel, Text
from cart_screen.form import FormValueError
from cart_screen.i18n import Language, M, Said


def match_key(term: str) -> str:
    """Fold a term for matching: width, case, spaces, hyphens and punctuation do not count."""
    folded = unicodedata.normalize("NFKC", term).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


class Term(DataModel):
    """One canonical subtype code with its names and where it stands in the classifications."""

    name: Text
    abbreviation: str
    synonyms: list[str] = Field(default_factory=list)
    who_2016: str | None = None
    who_haem5: str | None = None
    icc_2022: str | None = None
    icd_o_3: str | None = None
    note: str | None = None


class AmbiguousTerm(DataModel):
    """Terms that name more than one subtype: refused with a message saying what to record."""

    terms: list[str] = Field(min_length=1)
    message: Text


class VocabularyFile(DataModel):
    """The vocabulary file as written."""

    field: str
    note: Text
    codes: dict[str, Term] = Field(min_length=1)
    ambiguous: list[AmbiguousTerm] = Field(default_factory=list)


class Vocabulary:
    """Looks up a diagnosis as written and returns its canonical code, or says why it can't."""

    def __init__(
        self, data: VocabularyFile, index: Mapping[str, str], ambiguous: Mapping[str, Text]
    ):
        self.data = data
        self._index = dict(index)
        self._ambiguous = dict(ambiguous)

    @property
    def codes(self) -> Mapping[str, Term]:
        return self.data.codes

    def lookup(self, text: str) -> str:
        """Return the code for `text`; raise FormValueError for an unknown or ambiguous term."""
        key = match_key(text)
        code = self._index.get(key)
        if code is not None:
            return code
        if key in self._ambiguous:
            message = self._ambiguous[key]
            raise FormValueError(Said(message.en, message.zh))
        raise FormValueError(M.UNKNOWN_DIAGNOSIS.both(codes=", ".join(self.codes)))

    def describe(self, code: str, language: Language = "en") -> str:
        """A short display name: 'PMBCL (Primary mediastinal large B-cell lymphoma)'."""
        term = self.codes.get(code)
        if term is None:
            return code
        if language == "zh":
            return f"{term.abbreviation}（{term.name.zh}）"
        return f"{term.abbreviation} ({term.name.en})"


Location = tuple[str | int, ...]


def index_terms(
    data: VocabularyFile,
) -> tuple[dict[str, str], dict[str, Text], list[tuple[Location, str]]]:
    """Build the lookup index; also return each term that would match two codes, with where it is."""
    index: dict[str, str] = {}
    clashes: list[tuple[Location, str]] = []

    def add(key: str, code: str, where: Location, written: str) -> None:
        if not key:
            clashes.append((where, f"term {written!r} has no letters or digits"))
        elif index.setdefault(key, code) != code:
            clashes.append((where, f"term {written!r} of {code} already names {index[key]}"))

    for code, term in data.codes.items():
        at: Location = ("codes", code)
        add(match_key(code), code, at, code)
        add(match_key(term.abbreviation), code, (*at, "abbreviation"), term.abbreviation)
        add(match_key(term.name.en), code, (*at, "name", "en"), term.name.en)
        add(match_key(term.name.zh), code, (*at, "name", "zh"), term.name.zh)
        for i, written in enumerate(term.synonyms):
            add(match_key(written), code, (*at, "synonyms", i), written)
    ambiguous: dict[str, Text] = {}
    for n, entry in enumerate(data.ambiguous):
        for i, written in enumerate(entry.terms):
            key = match_key(written)
            if key in index:
                where: Location = ("ambiguous", n, "terms", i)
                clashes.append((where, f"ambiguous term {written!r} already names {index[key]}"))
            ambiguous[key] = entry.message
    return index, ambiguous, clashes
