"""Reading whole forms: raw mappings, CSV cells or form files -> facts, errors and defaults.

`form.py` says how one value of one field is read; this module reads a whole record with those
specs: unknown and repeated keys, values that cannot be read, age from the date of birth,
cross-field checks, site-wide defaults, and YAML/JSON form files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from cart_screen.datafile import FORM_FILE_LIMIT, MARKED, FileTooLarge, anchor_at, read_limited
from cart_screen.files import cannot_read
from cart_screen.form import FIELDS, PatientForm
from cart_screen.i18n import M, Said
from cart_screen.values.kinds import Kind
from cart_screen.values.labs import Bounds
from cart_screen.values.text import FormValueError

if TYPE_CHECKING:
    from cart_screen.values.book import ValueBook


class FieldError(NamedTuple):
    """A value that could not be read: where, what was given, and what is allowed."""

    field: str
    value: Any
    message: Said


class Unreadable:
    """The fact a field holds when its value was given but could not be read.

    It is not a missing value: a rule comparing it is unknown (needs info), even where the field
    is optional — a NYHA class written 'III-IV' is not 'NYHA not recorded' (SPEC §10 reads a value
    outside its field's set as unknown, too). The error says what to record.
    """

    _instance: Unreadable | None = None

    def __new__(cls) -> Unreadable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNREADABLE"

    def __reduce__(self) -> tuple[type[Unreadable], tuple[()]]:
        return (Unreadable, ())


UNREADABLE = Unreadable()


class SheetCell(NamedTuple):
    """A spreadsheet cell that is not text: a date or a time, read by its meaning as a form's
    typed value is (a date cell in a date field is that date; anywhere else it is an error on
    that field), or a cell the workbook holds no value for (an error cell such as #N/A, a formula
    never calculated), which is an error on its field with `problem` as the reason.

    Text and numbers from a workbook are text (see workbook.py): the same readers read them as
    they read a CSV cell.
    """

    shown: str
    """The cell as the user sees it ('1965-03-14', '#N/A'): an error quotes it."""
    value: Any = None
    problem: Said | None = None


def cell_text(cell: str | SheetCell) -> str:
    """A list cell as text: what it says, or what a workbook shows for it."""
    return cell if isinstance(cell, str) else cell.shown


class ReadForm(NamedTuple):
    """A form as read: the facts rules use (the clean values and what is derived from them),
    the screening date, and what could not be read."""

    facts: Mapping[str, Any]
    screening_date: dt.date
    errors: tuple[FieldError, ...]
    defaulted: frozenset[str] = frozenset()
    """Site fields the form left blank and the site-wide default filled in."""

    @property
    def patient_id(self) -> str | None:
        value: str | None = self.facts.get("patient_id")
        return value

    @property
    def form(self) -> PatientForm:
        """The clean values as the pydantic model."""
        return PatientForm.model_construct(
            **{k: v for k, v in self.facts.items() if k in FIELDS and v is not UNREADABLE}
        )


def normalize_key(key: object) -> str:
    """Match field names as SPEC says: ignoring case and surrounding spaces."""
    return str(key).strip().casefold()


def _jsonable(raw: Any) -> Any:
    if raw is None or isinstance(raw, str | bool | int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw):
        return raw
    return str(raw)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on `day`; someone born on 29 February turns a year older on 1 March."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_MEMO_LIMITS = {Kind.DATE: 40_000}
"""Distinct text values remembered per field (dates: every birthday of a century); others 4096."""

_Reading = tuple[bool, Any]
"""How one text value reads: (True, value or None for blank) or (False, the error message)."""


class FormReader:
    """Reads raw forms with one value book; never raises for a bad value.

    Parsing is pure, so each field remembers how the text values it has seen read: a referral
    list repeats the same few spellings of yes/no, subtypes, dates and lab values on every row.
    Memory stays bounded: each field remembers a limited number of distinct values.
    """

    def __init__(self, book: ValueBook):
        self.book = book
        self.vocabulary = book.vocabulary
        self.ages = book.field("age_years").range
        """The plausible ages: one worked out from a date of birth is held to them too."""
        self._memo: dict[str, dict[str | SheetCell, _Reading]] = {name: {} for name in FIELDS}

    def reading(self, name: str, text: str | SheetCell) -> _Reading:
        """How a text value (or a workbook's cell) of field `name` reads, remembered for next time."""
        memo = self._memo[name]
        known = memo.get(text)
        if known is not None:
            return known
        known = self.read_text(name, text)
        # patient ids are all different: remembering them would only cost memory
        kind = FIELDS[name].kind
        if kind is not Kind.TEXT and len(memo) < _MEMO_LIMITS.get(kind, 4_096):
            memo[text] = known
        return known

    def read_text(self, name: str, text: str | SheetCell) -> _Reading:
        """How a text value (or a workbook's cell) of field `name` reads (not remembered: see
        `reading`)."""
        if isinstance(text, SheetCell):
            if text.problem is not None:
                return (False, text.problem)
            raw: Any = text.value
        elif not text.strip():
            return (True, None)
        else:
            raw = text
        try:
            return (True, FIELDS[name].parse(raw, self.book))
        except FormValueError as exc:
            return (False, exc.said)

    def parse_fields(self, raw: Mapping[Any, Any]) -> tuple[dict[str, Any], list[FieldError]]:
        """Read each known field of a raw mapping; an error for each value that can't be read."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        seen: set[str] = set()
        for key, value in raw.items():
            name = key if key in FIELDS else normalize_key(key)
            if name not in FIELDS:
                errors.append(FieldError(str(key), _jsonable(value), M.UNKNOWN_FIELD.both()))
                continue
            if name in seen:
                # "LVEF_percent" and "lvef_percent" both given: neither is taken on trust.
                values.pop(name, None)
                errors.append(FieldError(name, _jsonable(value), M.GIVEN_TWICE.both()))
                continue
            seen.add(name)
            if isinstance(value, str):
                ok, read = self.reading(name, value)
                if not ok:
                    errors.append(FieldError(name, value, read))
                elif read is not None:
                    values[name] = read
            elif value is not None:
                try:
                    read = FIELDS[name].parse(value, self.book)
                except FormValueError as exc:
                    errors.append(FieldError(name, _jsonable(value), exc.said))
                else:
                    if read is not None:
                        values[name] = read
        return values, errors

    def parse_cells(
        self, fields: Sequence[tuple[int, str]], cells: Sequence[str | SheetCell]
    ) -> tuple[dict[str, Any], list[FieldError]]:
        """Read a list record's cells: `fields` pairs each form field with its column."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        memos = self._memo
        for index, name in fields:
            text = cells[index]
            known = memos[name].get(text) or self.reading(name, text)
            if known[0]:
                if known[1] is not None:
                    values[name] = known[1]
            else:
                errors.append(FieldError(name, cell_text(text), known[1]))
        return values, errors

    def read(
        self,
        raw: Mapping[Any, Any] | PatientForm,
        as_of: dt.date | None = None,
        site: Mapping[str, Any] | None = None,
    ) -> ReadForm:
        """Read a raw form into clean values, derived facts and errors.

        `site` holds site-wide defaults (see SITE_FIELDS; `cart_screen.site` reads them).
        """
        if isinstance(raw, PatientForm):
            values = raw.model_dump(exclude_none=True)
            errors: list[FieldError] = []
        else:
            values, errors = self.parse_fields(raw)
        return self.derive(values, errors, as_of, site, ages=self.ages)

    def read_cells(
        self,
        fields: Sequence[tuple[int, str]],
        cells: Sequence[str | SheetCell],
        as_of: dt.date,
        site: Mapping[str, Any] | None = None,
    ) -> ReadForm:
        """Read one list record (see parse_cells)."""
        values, errors = self.parse_cells(fields, cells)
        return self.derive(values, errors, as_of, site, ages=self.ages)

    @staticmethod
    def derive(
        values: dict[str, Any],
        errors: list[FieldError],
        as_of: dt.date | None,
        site: Mapping[str, Any] | None = None,
        *,
        ages: Bounds | None,
    ) -> ReadForm:
        """Add what is computed or defaulted: screening date, age, cross-field errors, site facts.

        `ages`: the plausible ages (age_years' range), which an age from a date of birth must be in.
        """
        # A screening date given but not read: an error among `errors` (or, from the column-wise
        # path, the Unreadable fact itself)
        day = values.get("screening_date")
        unread_day = day is UNREADABLE or (
            day is None and any(e.field == "screening_date" for e in errors)
        )
        if day is UNREADABLE:
            del values["screening_date"]
            day = None
        screening_date = day or as_of or dt.date.today()
        age: int | Unreadable | None
        if unread_day and values.get("date_of_birth") is not None:
            # A screening date given but not read is not the run's date: an age from the date of
            # birth on another day could turn 17 into 18. The age stated stands; else unknown.
            age = values.get("age_years", UNREADABLE)
        else:
            age, birth_ok = _age(values, screening_date, errors, ages)
            if not birth_ok:
                del values["date_of_birth"]
        defaulted = []
        for name, value in (site or {}).items():
            # Only a blank is filled in: a value that could not be read stays an error.
            if name not in values and not any(e.field == name for e in errors):
                values[name] = value
                defaulted.append(name)
        values["age"] = age
        for error in errors:
            # a value given but not read is unknown to the rules, not missing (see Unreadable)
            if error.field in RULE_FIELDS and values.get(error.field) is None:
                values[error.field] = UNREADABLE
        return ReadForm(values, screening_date, tuple(errors), frozenset(defaulted))


RULE_FIELDS = frozenset(name for name, spec in FIELDS.items() if spec.kind is not Kind.TEXT)
"""Fields rules may compare: every field but free text (the patient id)."""

DERIVE_INPUTS = ("screening_date", "date_of_birth", "age_years")
"""The fields `FormReader.derive` reads to compute the screening date and age."""

SITE_FIELDS = ("icu_available",)
"""Fields that describe the treating site, not the patient: the only ones a site-wide default
may fill in (SPEC §2). A patient's data is never defaulted: missing stays needs_info."""


def _age(
    values: Mapping[str, Any],
    screening_date: dt.date,
    errors: list[FieldError],
    ages: Bounds | None,
) -> tuple[int | None, bool]:
    """Age from date of birth, else age in years, and whether the date of birth stands.

    A date of birth after the screening date, one giving an age outside `ages` (a date cell of
    1900-02-28 is no patient of 126), or one that disagrees with age_years by more than a year,
    is an error; the first two count the date as missing, a conflict leaves the age unknown.
    """
    birth: dt.date | None = values.get("date_of_birth")
    stated_age: int | None = values.get("age_years")
    if birth is None:
        return stated_age, True
    if birth > screening_date:
        message = M.BIRTH_AFTER_SCREENING.both(day=screening_date.isoformat())
        errors.append(FieldError("date_of_birth", birth.isoformat(), message))
        return stated_age, False
    age = age_on(birth, screening_date)
    low, high = (ages.min, ages.max) if ages is not None else (None, None)
    if (low is not None and age < low) or (high is not None and age > high):
        message = M.AGE_FROM_BIRTH_IMPLAUSIBLE.both(
            age=age,
            day=screening_date.isoformat(),
            low=f"{low if low is not None else 0:g}",
            high=f"{high:g}" if high is not None else "…",
        )
        errors.append(FieldError("date_of_birth", birth.isoformat(), message))
        return stated_age, False
    if stated_age is not None and abs(stated_age - age) > 1:
        errors.append(FieldError("age_years", stated_age, M.AGE_CONFLICT.both(age=age)))
        return None, True
    return age, True


def read_form(
    raw: Mapping[Any, Any] | PatientForm,
    book: ValueBook,
    as_of: dt.date | None = None,
) -> ReadForm:
    """Read one raw form (see FormReader.read)."""
    return FormReader(book).read(raw, as_of)


class FormFileError(Exception):
    """A form file that cannot be read at all (missing, not YAML/JSON, not one mapping)."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said


class _FormLoader(yaml.SafeLoader):
    """YAML that keeps every scalar as text but null, and refuses a key given twice.

    The form's own parsers read the text; YAML 1.1 would otherwise turn `00123` into 83, `no` into
    false for a patient id, or `1:20` into 80. PyYAML keeps the last of two equal keys without a
    word: `lvef_percent: 35` could silently become 55.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_FormLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _RepeatedKey(ValueError):
    """A JSON object with one key twice."""


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON too keeps the last of two equal keys without a word; a form must not."""
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise _RepeatedKey(key)
        mapping[key] = value
    return mapping


def load_form_file(path: Path) -> Mapping[str, Any]:
    """Read one patient form from a YAML or JSON file (at most FORM_FILE_LIMIT bytes; YAML
    without anchors or aliases, which a form never needs and a billion laughs is made of)."""
    try:
        text = read_limited(path, FORM_FILE_LIMIT, MARKED)
    except FileNotFoundError as exc:
        raise FormFileError(M.FORM_NO_FILE.both(path=path)) from exc
    except FileTooLarge as exc:
        raise FormFileError(M.FILE_TOO_LARGE.both(path=path, limit=exc.limit // 2**20)) from exc
    except UnicodeDecodeError as exc:
        raise FormFileError(M.TEXT_FILE_NOT_UTF8.both(path=path)) from exc
    except OSError as exc:
        raise FormFileError(cannot_read(path, exc)) from exc
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, object_pairs_hook=_refuse_repeated_keys)
        elif (anchor := anchor_at(text)) is not None:
            where = f"{path}:{anchor[0]}:{anchor[1]}"
            detail = "anchors and aliases (&, *) are not allowed in form files"
            raise FormFileError(M.FORM_BAD_YAML.both(where=where, detail=detail))
        else:
            data = yaml.load(text, Loader=_FormLoader)
    except _RepeatedKey as exc:
        detail = f"key {exc.args[0]!r} is given twice"
        raise FormFileError(M.FORM_BAD_JSON.both(where=path, detail=detail)) from exc
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        raise FormFileError(M.FORM_BAD_JSON.both(where=where, detail=exc.msg)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise FormFileError(M.FORM_BAD_YAML.both(where=where, detail=exc.problem)) from exc
    except yaml.YAMLError as exc:
        raise FormFileError(M.FORM_BAD_YAML.both(where=path, detail="")) from exc
    except RecursionError as exc:  # '[[[[…' a thousand deep: no form is nested at all
        detail = "nested too deeply: a form is one level of `field: value` pairs"
        raise FormFileError(M.FORM_BAD_YAML.both(where=path, detail=detail)) from exc
    if not isinstance(data, dict):
        raise FormFileError(M.FORM_NOT_MAPPING.both(path=path))
    return data
