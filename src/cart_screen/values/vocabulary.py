"""Diagnosis vocabulary: synonyms (English, Chinese, abbreviations) to canonical subtype codes.

The terms themselves are data under `rules/` (vocabulary.yaml); this module indexes them and
looks a diagnosis up as written, qualifiers included ("DLBCL, GCB type" is DLBCL-NOS).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import Field, StrictStr

from cart_screen.datafile import DataModel, Location, Text
from cart_screen.i18n import LANGUAGES, Language, M, Said
from cart_screen.values.lexicon import Lexicon
from cart_screen.values.text import FormValueError, fold, match_key

_WORD = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


class Term(DataModel):
    """One canonical subtype code with its names and where it stands in the classifications."""

    name: Text
    abbreviation: str
    synonyms: list[StrictStr] = Field(default_factory=list)
    who_2016: str | None = None
    who_haem5: str | None = None
    icc_2022: str | None = None
    icd_o_3: str | None = None
    note: str | None = None


class AmbiguousTerm(DataModel):
    """Terms that name more than one subtype: refused with a message saying what to record."""

    terms: list[StrictStr] = Field(min_length=1)
    message: Text


class Compound(DataModel):
    """Qualified names of one code: each base with each qualifier, either way round.

    A pathology report writes "DLBCL, GCB type" or "非生发中心型弥漫大B细胞淋巴瘤": the cell-of-origin
    subtypes are defined for DLBCL-NOS, so the base term with such a qualifier names DLBCL-NOS.
    """

    code: str
    bases: list[StrictStr] = Field(min_length=1)
    qualifiers: list[StrictStr] = Field(min_length=1)
    note: str | None = None


class VocabularyFile(DataModel):
    """The vocabulary file as written."""

    field: str
    note: Text
    origins: list[StrictStr] = Field(default_factory=list)
    """Lymphomas a large B-cell lymphoma may arise from: a suggestion names every one written."""
    codes: dict[str, Term] = Field(min_length=1)
    ambiguous: list[AmbiguousTerm] = Field(default_factory=list)
    compounds: list[Compound] = Field(default_factory=list)


class Vocabulary:
    """Looks up a diagnosis as written and returns its canonical code, or says why it can't."""

    def __init__(self, data: VocabularyFile, lexicon: Lexicon):
        self.data = data
        self.lexicon = lexicon
        self._origins = {
            code: frozenset(
                origin
                for written in (term.abbreviation, term.name.en, term.name.zh, *term.synonyms)
                for origin in self.origins_in(written)
            )
            for code, term in data.codes.items()
        }
        """The origins each code's terms name (tFL: FL, follicular; Richter: CLL, SLL)."""

    def origins_in(self, text: str) -> frozenset[str]:
        """The origins (`origins` in the file) a text names, as whole words ('FL', not 'tFL')."""
        words = f" {' '.join(_WORD.findall(fold(text)))} "
        named = set()
        for origin in self.data.origins:
            wanted = " ".join(_WORD.findall(fold(origin)))
            if (wanted in words) if _HAN.search(wanted) else (f" {wanted} " in words):
                named.add(wanted)
        return frozenset(named)

    @property
    def codes(self) -> Mapping[str, Term]:
        return self.data.codes

    def lookup(self, text: str) -> str:
        """Return the code for `text`; raise FormValueError for an unknown or ambiguous term."""
        key = match_key(text)
        code = self.lexicon.find(key)
        if code is not None:
            return code
        message = self.lexicon.ambiguity(key)
        if message is not None:
            raise FormValueError(message)
        # never a subtype of another origin: 'CLL transformed into DLBCL' is not offered tFL
        written = self.origins_in(text)
        close = [c for c in self.lexicon.suggest(key) if written <= self._origins[c]]
        if close:
            raise FormValueError(
                Said(
                    *(
                        M.UNKNOWN_DIAGNOSIS_CLOSE(
                            lang,
                            close=M.OR(lang).join(self.describe(c, lang) for c in close),
                        )
                        for lang in LANGUAGES
                    )
                )
            )
        raise FormValueError(M.UNKNOWN_DIAGNOSIS.both())

    def spellings(self) -> list[str]:
        """Every term as written: codes, names, synonyms, ambiguous terms, compound parts."""
        data = self.data
        words = [w for entry in data.ambiguous for w in entry.terms]
        for code, term in data.codes.items():
            words += [code, term.abbreviation, term.name.en, term.name.zh, *term.synonyms]
        for compound in data.compounds:
            words += [*compound.bases, *compound.qualifiers]
        return words

    def describe(self, code: str, language: Language = "en") -> str:
        """A short display name: 'PMBCL (Primary mediastinal large B-cell lymphoma)'."""
        term = self.codes.get(code)
        if term is None:
            return code
        if language == "zh":
            return f"{term.abbreviation}（{term.name.zh}）"
        return f"{term.abbreviation} ({term.name.en})"


def index_terms(data: VocabularyFile) -> tuple[Lexicon, list[tuple[Location, str]]]:
    """Build the lookup index; also return each term that would match two codes, with where it is."""
    lexicon = Lexicon()
    ambiguous = {match_key(written) for entry in data.ambiguous for written in entry.terms}
    for code, term in data.codes.items():
        at: Location = ("codes", code)
        # A code (or abbreviation) reads as itself, unless the bare word is ambiguous ('FL': the
        # history of a transformed FL, or FL itself?); its names and synonyms still read.
        if match_key(code) not in ambiguous:
            lexicon.add(code, code, at)
        if match_key(term.abbreviation) not in ambiguous:
            lexicon.add(term.abbreviation, code, (*at, "abbreviation"))
        lexicon.add(term.name.en, code, (*at, "name", "en"))
        lexicon.add(term.name.zh, code, (*at, "name", "zh"))
        for i, written in enumerate(term.synonyms):
            lexicon.add(written, code, (*at, "synonyms", i))
    for n, entry in enumerate(data.ambiguous):
        message = Said(entry.message.en, entry.message.zh)
        for i, written in enumerate(entry.terms):
            lexicon.add_ambiguous(written, message, ("ambiguous", n, "terms", i))
    clashes = list(lexicon.clashes)
    for n, compound in enumerate(data.compounds):
        at = ("compounds", n)
        if compound.code not in data.codes:
            known = ", ".join(data.codes)
            clashes.append(((*at, "code"), f"unknown code {compound.code!r}; known: {known}"))
            continue
        before = len(lexicon.clashes)
        for i, base in enumerate(compound.bases):
            for qualifier in compound.qualifiers:
                for written in (f"{base} {qualifier}", f"{qualifier} {base}"):
                    lexicon.add(written, compound.code, (*at, "bases", i))
        clashes += lexicon.clashes[before:]
    return lexicon, clashes
