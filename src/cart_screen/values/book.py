"""The value book: how every field's values are read, from values.yaml and vocabulary.yaml.

`ValueBook.read(field, kind, raw)` is the one reader behind form files, CSV cells, the wizard and
the web form: it returns the canonical value, None for "not recorded", or raises FormValueError
saying what is wrong and what to record. What each field accepts (spellings, affixes, number
words, ranges, units) is data; this module holds only the grammar that combines them.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, StrictBool, StrictInt, StrictStr

from cart_screen.datafile import (
    DataFileError,
    DataModel,
    Document,
    Location,
    Text,
    load_model,
    shipped_rules_path,
)
from cart_screen.i18n import LANGUAGES, Language, M, Msg, Said
from cart_screen.values.kinds import Kind
from cart_screen.values.labs import Bounds, LabReader, Labs, Quantity
from cart_screen.values.lexicon import Lexicon
from cart_screen.values.measure import BareReading, Measure, MeasureReader, unit_key
from cart_screen.values.text import (
    FormValueError,
    Shown,
    affix_keys,
    control_problem,
    fold,
    fold_affixes,
    id_text,
    match_key,
    not_finite,
    number_shape,
    plain_number,
    stray_mark,
    strip_affixes,
    strip_folded,
    too_many_digits,
)
from cart_screen.values.vocabulary import Vocabulary, VocabularyFile, index_terms

VALUES_FILE = "values.yaml"
VOCABULARY_FILE = "vocabulary.yaml"


class Ambiguous(DataModel):
    """Spellings that could mean more than one value: refused with what to record."""

    terms: list[StrictStr] = Field(min_length=1)
    message: Text


class FieldValues(DataModel):
    """How one field's values are written."""

    range: Bounds | None = None
    prefixes: list[StrictStr] = Field(default_factory=list)
    suffixes: list[StrictStr] = Field(default_factory=list)
    number_words: StrictBool = False
    list_separators: list[StrictStr] = Field(default_factory=list)
    analyte: str | None = None
    choices: dict[str, list[StrictStr]] = Field(default_factory=dict)
    ambiguous: list[Ambiguous] = Field(default_factory=list)
    scores: dict[str, Bounds] = Field(default_factory=dict)
    score_words: list[StrictStr] = Field(default_factory=list)
    measure: str | None = None
    """A quantity of `measures` (counts, haemoglobin): the units this field may be written in."""
    bare: list[BareReading] = Field(default_factory=list)
    """Where a number written without its unit is read, in which unit (measure fields)."""


class Dates(DataModel):
    """How dates are written: year first, with these separators, within these years."""

    separators: list[StrictStr] = Field(min_length=1)
    earliest: dt.date
    latest: dt.date


class Marks(DataModel):
    """Marks a value may hold: comparison signs (a bound), range signs, harmless punctuation.

    Each is one character as folded (full-width '＞' is '>'); anything else not in a spelling of
    the field makes the value unreadable."""

    bounds: list[StrictStr] = Field(default_factory=list)
    ranges: list[StrictStr] = Field(default_factory=list)
    punctuation: list[StrictStr] = Field(default_factory=list)


class ValuesFile(DataModel):
    """values.yaml as written."""

    marks: Marks = Field(default_factory=Marks)
    not_recorded: list[StrictStr] = Field(default_factory=list)
    yes_no: dict[StrictStr, list[StrictStr]]
    number_words: dict[StrictInt, list[StrictStr]] = Field(default_factory=dict)
    dates: Dates
    fields: dict[str, FieldValues] = Field(default_factory=dict)
    labs: Labs | None = None
    measures: dict[str, Measure] = Field(default_factory=dict)


_NO_FIELD = FieldValues()

_TWO_VALUES = re.compile(
    r"\s*(?:-|–|—|~|～|/|或|至|到|、|,|，|;|；|\||\bor\b|\bto\b|\band\b|&|\+)\s*|\s+"
)
"""What stands between two values written together: 'II-III', 'I/II', 'I II', 'B或C'."""
_DOUBT = re.compile(r"[?？]")
_READ_BY_SPELLING = frozenset({Kind.CHOICE, Kind.YES_NO, Kind.DIAGNOSIS, Kind.INTEGER, Kind.NUMBER})
"""Kinds whose text is matched with its marks set aside, so a mark is checked first (dates and
lab tests have a grammar of their own that reads every character)."""
_SIGNED_NUMBER = re.compile(r"[-+−]\s*\d")


class ValueBook:
    """Every field's reader, built from the loaded files (and the site's lab ULNs)."""

    def __init__(
        self,
        data: ValuesFile,
        vocabulary: Vocabulary,
        lexicons: Mapping[str, Lexicon],
        site_uln: Mapping[str, Quantity] | None = None,
        values_doc: Document | None = None,
    ):
        self.data = data
        self.values_doc = values_doc or Document(Path(VALUES_FILE), {}, {})
        """values.yaml as read, to say where a spelling stands."""
        self.vocabulary = vocabulary
        self.lexicons = dict(lexicons)
        self.site_uln = dict(site_uln or {})
        self._not_recorded = {_squeezed(w) for w in data.not_recorded}
        self._numbers = {match_key(w): n for n, words in data.number_words.items() for w in words}
        self._labs = (
            {
                name: LabReader(data.labs, name, self.site_uln.get(name))
                for name in data.labs.analytes
            }
            if data.labs
            else {}
        )
        self._measures = {
            name: MeasureReader(data.measures[spec.measure], tuple(spec.bare))
            for name, spec in data.fields.items()
            if spec.measure is not None and spec.measure in data.measures
        }
        self._readers: dict[tuple[str, Kind], Callable[[Any], Any]] = {}
        self._listed_by_field: dict[str, frozenset[str]] = {}
        self._marked: dict[tuple[str, Kind], tuple[str, ...]] = {}
        marks = data.marks
        self._bounds = frozenset(fold(c) for c in marks.bounds)
        self._ranges = frozenset(fold(c) for c in marks.ranges)
        self._punctuation = frozenset(fold(c) for c in marks.punctuation)

    def with_site_uln(self, site_uln: Mapping[str, Quantity]) -> ValueBook:
        """The same book reading absolute lab values against the site's ULNs."""
        if not site_uln:
            return self
        return ValueBook(self.data, self.vocabulary, self.lexicons, site_uln, self.values_doc)

    def field(self, name: str) -> FieldValues:
        return self.data.fields.get(name, _NO_FIELD)

    def lab(self, analyte: str) -> LabReader:
        return self._labs[analyte]

    # ------------------------------------------------------------------ reading

    def read(self, name: str, kind: Kind, raw: Any) -> Any:
        """The canonical value of field `name` from a raw value; None when it says 'not recorded'.

        `raw` is not blank. Raise FormValueError with what is wrong and what is allowed.
        """
        if isinstance(raw, str) and (control := control_problem(raw)) is not None:
            # '\x1b[D' from an arrow key, a NUL or an escape code: no part of any value. Text
            # (an id) takes anything else: 'expected non-empty text' would read as another fault.
            raise (
                FormValueError(control) if kind is Kind.TEXT else self._reject(name, kind, control)
            )
        if kind is Kind.TEXT:  # an id is echoed as written, whatever it says
            return self._text(name, kind, raw)
        if isinstance(raw, str) and _squeezed(raw) in self._not_recorded:
            return None
        if isinstance(raw, str) and _DOUBT.search(raw):
            # "yes?", "tFL?": a value in doubt is not a value yet
            raise self._reject(name, kind, M.IN_DOUBT.both())
        if isinstance(raw, str) and kind in _READ_BY_SPELLING:
            self._check_marks(name, kind, raw)
        reader = self._readers.get((name, kind))
        if reader is None:
            reader = self._readers[(name, kind)] = self._reader(name, kind)
        return reader(raw)

    def lookup_key(self, name: str, kind: Kind, text: str) -> str | None:
        """The match key a text is looked up by outside this reader (the SQL lookup table), or
        None where it must stay unknown: a control character, a question mark, a comparison sign
        or a stray mark ('NYHA ＞II', 'III?', 'III*'), which matching would otherwise set aside."""
        if control_problem(text) is not None or _DOUBT.search(text):
            return None
        try:
            self._check_marks(name, kind, text)
        except FormValueError:
            return None
        return match_key(text)

    def _check_marks(self, name: str, kind: Kind, raw: str) -> None:
        """Refuse a value holding a comparison sign (a bound: 'NYHA ＞II', '≥两线') or a mark no
        spelling of the field has ('↑III', 'C*', '#3'): matching sets marks aside, so neither
        may reach it. Lab tests and measures read every character themselves."""
        spec = self.field(name)
        if spec.analyte is not None or name in self._measures:
            return
        spellings = self._marked.get((name, kind))
        if spellings is None:
            spellings = self._marked[(name, kind)] = self._marked_spellings(name, kind)
        mark = stray_mark(fold(raw), spellings, self._punctuation, self._bounds, self._ranges)
        if mark is None:
            return
        if mark in self._bounds:
            raise self._reject(name, kind, M.A_BOUND.both())
        raise self._reject(name, kind, M.STRAY_MARK.both(mark=mark))

    def _marked_spellings(self, name: str, kind: Kind) -> tuple[str, ...]:
        """The field's spellings (folded) holding a mark that is not punctuation, longest first."""
        spec = self.field(name)
        words: list[str] = [*spec.prefixes, *spec.suffixes, *spec.list_separators]
        if kind is Kind.CHOICE:
            words += [*spec.choices, *(w for ws in spec.choices.values() for w in ws)]
            words += [*spec.score_words, *(t for entry in spec.ambiguous for t in entry.terms)]
        elif kind is Kind.YES_NO:
            words += [w for ws in self.data.yes_no.values() for w in ws]
        elif kind is Kind.DIAGNOSIS:
            words += self.vocabulary.spellings()
        elif spec.number_words:
            words += [w for ws in self.data.number_words.values() for w in ws]
        plain = self._punctuation | {"+", "_", "\u2212"}
        marked = {
            folded
            for folded in map(fold, words)
            if any(not (c.isalnum() or c.isspace() or c in plain) for c in folded)
        }
        return tuple(sorted(marked, key=len, reverse=True))

    def _reader(self, name: str, kind: Kind) -> Callable[[Any], Any]:
        spec = self.field(name)
        match kind:
            case Kind.TEXT:
                return functools.partial(self._text, name, kind)
            case Kind.DATE:
                return functools.partial(self._date, name)
            case Kind.INTEGER | Kind.NUMBER:
                return functools.partial(self._number, name, kind, spec)
            case Kind.CHOICE:
                return functools.partial(self._choice, name, spec)
            case Kind.YES_NO:
                return functools.partial(self._yes_no, name)
            case Kind.DIAGNOSIS:
                return functools.partial(self._diagnosis, name)

    def _reject(self, name: str, kind: Kind, why: Said | None = None) -> FormValueError:
        allowed = self.accepts(name, kind)
        if why is None:
            return FormValueError(
                Said(M.EXPECTED("en", allowed=allowed.en), M.EXPECTED("zh", allowed=allowed.zh))
            )
        return FormValueError(
            Said(
                M.REFUSED_BECAUSE("en", why=why.en, allowed=allowed.en),
                M.REFUSED_BECAUSE("zh", why=why.zh, allowed=allowed.zh),
            )
        )

    def _text(self, name: str, kind: Kind, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise self._reject(name, kind)
        return id_text(str(raw))

    def _date(self, name: str, raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            if raw.time() != dt.time():
                raise self._reject(name, Kind.DATE, M.DATE_AND_TIME.both())
            raw = raw.date()
        if isinstance(raw, dt.date):
            return self._in_years(name, raw)
        if not isinstance(raw, str):
            raise self._reject(name, Kind.DATE)
        text = fold(raw)
        # a spreadsheet's date cell exported as text carries a midnight time: it is still a date
        text = re.sub(r"[ t]0?0:00(?::00(?:\.0+)?)?$", "", text)
        parts = _date_parts(text, self.data.dates.separators)
        if parts is None:
            found = re.fullmatch(r"(\d{1,2})\D(\d{1,2})\D\d{2,4}", text)
            if found:
                either_way = max(int(found.group(1)), int(found.group(2))) <= 12
                why = M.DAY_MONTH_ORDER if either_way else M.NOT_YEAR_FIRST
                raise self._reject(name, Kind.DATE, why.both())
            raise self._reject(name, Kind.DATE)
        try:
            day = dt.date(*parts)
        except ValueError as exc:
            raise self._reject(name, Kind.DATE, M.NOT_A_DATE.both()) from exc
        return self._in_years(name, day)

    def _in_years(self, name: str, day: dt.date) -> dt.date:
        dates = self.data.dates
        if not dates.earliest <= day <= dates.latest:
            raise self._reject(name, Kind.DATE, M.DATE_IMPLAUSIBLE.both())
        return day

    def _number(self, name: str, kind: Kind, spec: FieldValues, raw: Any) -> float | int:
        if isinstance(raw, bool):
            raise self._reject(name, kind)
        if isinstance(raw, int | float):
            number = float(raw)
            if not math.isfinite(number):
                raise self._reject(name, kind, M.NOT_FINITE.both())
            if spec.analyte is not None and spec.analyte in self._labs:
                try:
                    self._labs[spec.analyte].check_bare(number)
                except FormValueError as exc:
                    raise self._reject(name, kind, exc.said) from exc
            if name in self._measures:
                try:
                    # a float was written with a decimal point (JSON, YAML): never a count per µL
                    whole = isinstance(raw, int)
                    number = self._measures[name].read_bare(number, whole=whole)
                except FormValueError as exc:
                    raise self._reject(name, kind, exc.said) from exc
        elif isinstance(raw, str):
            number = self._number_text(name, kind, spec, raw)
        else:
            raise self._reject(name, kind)
        if kind is Kind.INTEGER:
            if number != int(number):
                raise self._reject(name, kind, M.NOT_WHOLE.both())
            number = int(number)
        self._check_range(name, kind, spec, number)
        return number

    def _number_text(self, name: str, kind: Kind, spec: FieldValues, raw: str) -> float:
        text = fold(raw)
        if not_finite(text):
            raise self._reject(name, kind, M.NOT_FINITE.both())
        if too_many_digits(text):  # never rounded across a threshold ('39.99999999999999999')
            raise self._reject(name, kind, M.TOO_MANY_DIGITS.both())
        shape = number_shape(text)
        if shape is not None:
            raise self._reject(name, kind, _SHAPES[shape].both())
        if spec.analyte is not None and spec.analyte in self._labs:
            try:
                return self._labs[spec.analyte].read(raw)
            except FormValueError as exc:
                raise self._reject(name, kind, exc.said) from exc
        core = strip_folded(text, fold_affixes(spec.prefixes), fold_affixes(spec.suffixes))
        if name in self._measures:
            try:
                return self._measures[name].read(core)
            except FormValueError as exc:
                raise self._reject(name, kind, exc.said) from exc
        number = plain_number(core)
        if number is None and spec.number_words:
            words = self._numbers.get(match_key(core))
            number = None if words is None else float(words)
        if number is not None:
            return number
        shape = number_shape(core)
        if shape is not None:
            raise self._reject(name, kind, _SHAPES[shape].both())
        if spec.list_separators and any(fold(s) in text for s in spec.list_separators):
            raise self._reject(name, kind, M.A_LIST.both())
        raise self._reject(
            name, kind, (M.NOT_WHOLE if kind is Kind.INTEGER else M.NOT_A_NUMBER).both()
        )

    def _check_range(self, name: str, kind: Kind, spec: FieldValues, number: float) -> None:
        bounds = spec.range
        if bounds is None:
            return
        too_low = bounds.min is not None and number < bounds.min
        too_high = bounds.max is not None and number > bounds.max
        if too_low or too_high:
            why = M.IMPLAUSIBLE.both(value=f"{number:g}")
            hint = bounds.hint_below if too_low else bounds.hint_above
            if hint is not None:
                why = Said(f"{why.en} ({hint.en})", f"{why.zh}（{hint.zh}）")
            raise self._reject(name, kind, why)

    def _choice(self, name: str, spec: FieldValues, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise self._reject(name, Kind.CHOICE)
        lexicon = self.lexicons[name]
        text = str(raw)  # a bound ('NYHA ＞II') or a stray mark ('III*') was refused by read()
        key = match_key(text)
        # A listed spelling as written ('r/r', 'relapsed/refractory') is read before the text is
        # split, so that two values run together ('I-II' would key as 'iii') are never one.
        listed = lexicon.find(key) if _spaced(text) in self._listed(name) else None
        if listed is not None:
            return listed
        # ... and so is one behind its field's prefix or before its suffix ('HBsAg not detected')
        core = strip_folded(fold(text), fold_affixes(spec.prefixes), fold_affixes(spec.suffixes))
        if core != fold(text) and _spaced(core) in self._listed(name):
            found = lexicon.find(match_key(core))
            if found is not None:
                return found
        read = self._values_in(lexicon, spec, text)
        if len(read) > 1:  # 'I-II', and 'I I' too: never run together into another class
            values = M.OR("en").join(str(v) for v in read)
            raise self._reject(name, Kind.CHOICE, M.TWO_VALUES.both(values=values))
        message = lexicon.ambiguity(key)
        if message is not None:
            raise FormValueError(message)
        scored = self._score(spec, fold(text))
        if scored is not None:
            return scored
        core = strip_folded(fold(text), fold_affixes(spec.prefixes), fold_affixes(spec.suffixes))
        if len([p for p in _TWO_VALUES.split(core) if p]) > 1:
            # several words not listed as one spelling ('I V'): never joined into a value ('IV')
            raise self._reject(name, Kind.CHOICE)
        found = self._find_choice(lexicon, spec, key)
        if found is not None:
            return found
        close = lexicon.suggest(key)
        if close:
            raise self._reject(name, Kind.CHOICE, M.DID_YOU_MEAN.both(close=M.OR("en").join(close)))
        raise self._reject(name, Kind.CHOICE)

    def _values_in(self, lexicon: Lexicon, spec: FieldValues, text: str) -> list[str]:
        """The values of a text that writes several ('NYHA I-II', '心功能 I II 级', 'B或C'),
        its prefixes and suffixes set aside; [] when it is not several values."""
        affixes = set(affix_keys([*spec.prefixes, *spec.suffixes]))
        folded = fold(text)
        core = strip_folded(folded, fold_affixes(spec.prefixes), fold_affixes(spec.suffixes))
        for written in (core, folded):
            keys = [match_key(p) for p in _TWO_VALUES.split(written) if p]
            keys = [k for k in keys if k and k not in affixes]
            if len(keys) > 1:
                read = [self._find_choice(lexicon, spec, k) for k in keys]
                if all(read):
                    return [r for r in read if r is not None]
        return []

    def _find_choice(self, lexicon: Lexicon, spec: FieldValues, key: str) -> str | None:
        prefixes, suffixes = affix_keys(spec.prefixes), affix_keys(spec.suffixes)
        for core, _ in strip_affixes(key, prefixes, suffixes):
            found = lexicon.find(core)
            if found is None and spec.number_words and core in self._numbers:
                found = lexicon.find(str(self._numbers[core]))
            if found is not None:
                return found
        return None

    def _listed(self, name: str) -> frozenset[str]:
        """A choice field's spellings as written (folded, one space between words): 'r/r'."""
        listed = self._listed_by_field.get(name)
        if listed is None:
            spec = self.field(name)
            words = [*spec.choices, *(w for ws in spec.choices.values() for w in ws)]
            listed = self._listed_by_field[name] = frozenset(_spaced(w) for w in words)
        return listed

    def _score(self, spec: FieldValues, text: str) -> str | None:
        """A Child-Pugh score (5–15) read as its class, saying so; `text` is folded."""
        if not spec.scores:
            return None
        words = fold_affixes([*spec.prefixes, *spec.score_words])
        ends = fold_affixes([*spec.score_words, *spec.suffixes])
        for core in {text, strip_folded(text, words, ends), strip_folded(text, words, [])}:
            if core.isdigit():
                score = int(core)
                for value, bounds in spec.scores.items():
                    if (bounds.min or 0) <= score <= (bounds.max or score):
                        return Shown(value, M.SCORE_READ.both(score=score, value=value))
                raise FormValueError(M.SCORE_OUT.both(score=score, scores=_score_words(spec)))
        return None

    def _yes_no(self, name: str, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if not isinstance(raw, str) or _SIGNED_NUMBER.search(raw):  # '-1' is not a yes
            raise self._reject(name, Kind.YES_NO)
        found = self.lexicons["yes/no"].find(match_key(raw))
        if found is None:
            raise self._reject(name, Kind.YES_NO)
        return found == "yes"

    def _diagnosis(self, name: str, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise self._reject(name, Kind.DIAGNOSIS)
        return self.vocabulary.lookup(str(raw))

    # ------------------------------------------------------------------ saying what is allowed

    def accepts(self, name: str, kind: Kind) -> Said:
        """What field `name` accepts, in both languages."""
        spec = self.field(name)
        match kind:
            case Kind.TEXT:
                return M.ALLOWED_TEXT.both()
            case Kind.DATE:
                return M.ALLOWED_DATE.both()
            case Kind.YES_NO:
                spellings = self.data.yes_no
                yes, no = spellings.get("yes", []), spellings.get("no", [])
                pairs = [f"{y}/{n}" for y, n in zip(yes, no, strict=False)]
                return Said(
                    M.ALLOWED_YES_NO("en", pairs=", ".join(pairs)),
                    M.ALLOWED_YES_NO("zh", pairs="、".join(pairs)),
                )
            case Kind.CHOICE:
                choices = ", ".join(spec.choices)
                worded: list[str] = []
                for lang in LANGUAGES:
                    also = _other_spellings(spec, lang)
                    if spec.scores:
                        also.append(_score_words(spec))
                    if not also:
                        worded.append(M.ALLOWED_CHOICE(lang, choices=choices))
                    else:
                        joined = (", " if lang == "en" else "、").join(also[:10])
                        worded.append(M.ALLOWED_CHOICE_ALSO(lang, choices=choices, also=joined))
                return Said(*worded)
            case Kind.DIAGNOSIS:
                return M.ALLOWED_DIAGNOSIS.both()
            case Kind.INTEGER | Kind.NUMBER:
                noun = M.ALLOWED_WHOLE if kind is Kind.INTEGER else M.ALLOWED_NUMBER
                bounds = spec.range or Bounds()
                said = Said(
                    *(_range_words(noun(lang), bounds.min, bounds.max, lang) for lang in LANGUAGES)
                )
                if spec.analyte is not None and spec.analyte in self._labs:
                    lab = self._labs[spec.analyte]
                    units, example = lab.units_said(), lab.data.example
                    return Said(
                        M.ALLOWED_LAB("en", multiple=said.en, units=units, example=example),
                        M.ALLOWED_LAB("zh", multiple=said.zh, units=units, example=example),
                    )
                if name in self._measures:
                    measure = self._measures[name]
                    base, units = measure.measure.base, measure.units_said()
                    return Said(
                        M.ALLOWED_MEASURE("en", number=said.en, base=base, units=units),
                        M.ALLOWED_MEASURE("zh", number=said.zh, base=base, units=units),
                    )
                return said

    def spellings(self, name: str, kind: Kind) -> list[tuple[str, list[str]]]:
        """Each value of a field with the spellings written for it (for `rules show`)."""
        spec = self.field(name)
        match kind:
            case Kind.YES_NO:
                return [(value, list(words)) for value, words in self.data.yes_no.items()]
            case Kind.CHOICE:
                listed = [(value, list(words)) for value, words in spec.choices.items()]
                if spec.scores:
                    listed.append(("score", [_score_words(spec)]))
            case _:
                listed = []
        extra = [*spec.prefixes, *spec.suffixes]
        return [*listed, ("affixes", extra)] if extra else listed


def _other_spellings(spec: FieldValues, lang: Language) -> list[str]:
    """A few spellings of each value besides its name, not all of the first one's: in Chinese
    its Chinese spelling first (阳性 before pos), so the reader sees the words they would write."""
    picked: list[str] = []
    for words in spec.choices.values():
        others = [w for w in words[:2] if w not in spec.choices]
        chinese = [w for w in words if _HAN.search(w) and w not in spec.choices]
        if lang == "zh" and chinese and chinese[0] not in others:
            others = [chinese[0], *others][:2]
        picked.extend(others)
    return picked


_HAN = re.compile(r"[\u3400-\u9fff]")


def _squeezed(text: str) -> str:
    return fold(text).replace(" ", "")


def _spaced(text: str) -> str:
    return " ".join(fold(text).split())


def _score_words(spec: FieldValues) -> str:
    return ", ".join(
        f"{value} {b.min:g}–{b.max:g}"
        for value, b in spec.scores.items()
        if b.min is not None and b.max is not None
    )


_SHAPES: dict[str, Msg] = {
    "bound": M.A_BOUND,
    "range": M.A_RANGE,
    "decimal comma": M.DECIMAL_COMMA,
}


def _date_parts(text: str, separators: list[str]) -> tuple[int, int, int] | None:
    """Year, month and day of a year-first date, or None when it is not one."""
    for separator in separators:
        pieces = text.split(separator)
        year_first = len(pieces) == 3 and len(pieces[0]) == 4
        if year_first and all(p.isdigit() for p in pieces) and max(map(len, pieces[1:])) <= 2:
            return int(pieces[0]), int(pieces[1]), int(pieces[2])
    if len(text) == 8 and text.isdigit():
        return int(text[:4]), int(text[4:6]), int(text[6:])
    found = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", text)
    if found:
        return int(found.group(1)), int(found.group(2)), int(found.group(3))
    return None


def _range_words(noun: str, low: float | None, high: float | None, lang: Language) -> str:
    if low is not None and high is not None:
        return M.RANGE_BETWEEN(lang, noun=noun, low=f"{low:g}", high=f"{high:g}")
    if low is not None:
        return M.RANGE_AT_LEAST(lang, noun=noun, low=f"{low:g}")
    if high is not None:
        return M.RANGE_AT_MOST(lang, noun=noun, high=f"{high:g}")
    return noun


# ---------------------------------------------------------------- loading


def index_values(data: ValuesFile) -> tuple[dict[str, Lexicon], list[tuple[Location, str]]]:
    """A lexicon per choice field (and one for yes/no); every spelling clash with where it is."""
    lexicons: dict[str, Lexicon] = {}
    clashes: list[tuple[Location, str]] = _mark_problems(data.marks)
    yes_no = lexicons["yes/no"] = Lexicon()
    for value, words in data.yes_no.items():
        if value not in ("yes", "no"):
            clashes.append((("yes_no", value), f"{value!r}: only 'yes' and 'no' are values"))
        for i, word in enumerate(words):
            yes_no.add(word, value, ("yes_no", value, i))
    clashes += yes_no.clashes
    numbers = Lexicon()
    for number, words in data.number_words.items():
        for i, word in enumerate(words):
            numbers.add(word, str(number), ("number_words", number, i))
    clashes += numbers.clashes
    for name, spec in data.fields.items():
        at: Location = ("fields", name)
        if spec.analyte is not None and (
            data.labs is None or spec.analyte not in data.labs.analytes
        ):
            known = ", ".join(data.labs.analytes) if data.labs else "none"
            clashes.append(((*at, "analyte"), f"unknown analyte {spec.analyte!r}; known: {known}"))
        clashes += _measure_problems(data, name, spec)
        if not spec.choices:
            continue
        lexicon = lexicons[name] = Lexicon()
        for value, words in spec.choices.items():
            lexicon.add(value, value, (*at, "choices", value))
            for i, word in enumerate(words):
                lexicon.add(word, value, (*at, "choices", value, i))
        for n, entry in enumerate(spec.ambiguous):
            message = Said(entry.message.en, entry.message.zh)
            for i, word in enumerate(entry.terms):
                lexicon.add_ambiguous(word, message, (*at, "ambiguous", n, "terms", i))
        prefixes, suffixes = affix_keys(spec.prefixes), affix_keys(spec.suffixes)
        for value, words in spec.choices.items():
            for i, word in enumerate(words):
                for core, stripped in strip_affixes(match_key(word), prefixes, suffixes):
                    other = lexicon.find(core)
                    if stripped and other is not None and other != value:
                        why = f"{word!r} of {value} names {other} once its affix is taken off"
                        clashes.append(((*at, "choices", value, i), why))
        for role in ("prefixes", "suffixes"):
            for i, word in enumerate(getattr(spec, role)):
                key = match_key(word)
                if lexicon.find(key) is not None:
                    why = f"{word!r} is also a value ({lexicon.find(key)}): it cannot be a {role[:-2]}"
                    clashes.append(((*at, role, i), why))
        clashes += lexicon.clashes
    return lexicons, clashes


def _mark_problems(marks: Marks) -> list[tuple[Location, str]]:
    """What is wrong with the marks: not one character, or a sign that is also punctuation."""
    problems: list[tuple[Location, str]] = []
    bounds = {fold(c) for c in marks.bounds}
    for role in ("bounds", "ranges", "punctuation"):
        for i, written in enumerate(getattr(marks, role)):
            mark = fold(written)
            at: Location = ("marks", role, i)
            if len(mark) != 1 or mark.isalnum() or mark.isspace():
                problems.append((at, f"{written!r} is not one mark (a sign or punctuation)"))
            elif role == "punctuation" and mark in bounds:
                problems.append((at, f"{written!r} is a comparison sign: it cannot be punctuation"))
            elif role == "ranges" and mark not in bounds:
                problems.append((at, f"{written!r} must also be a bound (before one value)"))
    return problems


def _measure_problems(data: ValuesFile, name: str, spec: FieldValues) -> list[tuple[Location, str]]:
    """What is wrong with a field's measure and bare readings (unknown measure or unit)."""
    at: Location = ("fields", name)
    if spec.measure is None:
        return [((*at, "bare"), "bare readings need a measure")] if spec.bare else []
    measure = data.measures.get(spec.measure)
    if measure is None:
        known = ", ".join(data.measures) or "none"
        return [((*at, "measure"), f"unknown measure {spec.measure!r}; known: {known}")]
    units = {unit_key(u) for u in measure.units}
    problems: list[tuple[Location, str]] = []
    for i, bare in enumerate(spec.bare):
        if unit_key(bare.unit) not in units:
            why = f"{bare.unit!r} is not a unit of {spec.measure}: {', '.join(measure.units)}"
            problems.append(((*at, "bare", i, "unit"), why))
    return problems


def load_book(vocabulary_path: Path, values_path: Path) -> ValueBook:
    """Load and check the vocabulary and value-spellings files; DataFileError, located, if wrong."""
    vocabulary_doc, vocabulary_data = load_model(vocabulary_path, VocabularyFile)
    lexicon, clashes = index_terms(vocabulary_data)
    if vocabulary_data.field != "diagnosis":
        message = f"vocabulary for {vocabulary_data.field!r}; only 'diagnosis' has one"
        clashes.append((("field",), message))
    if clashes:
        raise DataFileError([vocabulary_doc.locate(where, why) for where, why in clashes])
    values_doc, values_data = load_model(values_path, ValuesFile)
    lexicons, value_clashes = index_values(values_data)
    if value_clashes:
        raise DataFileError([values_doc.locate(where, why) for where, why in value_clashes])
    vocabulary = Vocabulary(vocabulary_data, lexicon)
    return ValueBook(values_data, vocabulary, lexicons, values_doc=values_doc)


@functools.cache
def shipped_book() -> ValueBook:
    """The HICARA value book shipped with the package, for reading without a ruleset at hand."""
    folder = shipped_rules_path()
    return load_book(folder / VOCABULARY_FILE, folder / VALUES_FILE)
