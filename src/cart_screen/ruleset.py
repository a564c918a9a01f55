"""Layer 3: the only place that reads rule files: YAML -> validated models, file:line:col on error.

A ruleset is a folder holding `ruleset.yaml` (metadata and rules) and the files it names: the
diagnosis vocabulary and the value spellings (both read by `cart_screen.values`). Loading checks
the YAML, then the shape (pydantic models with a discriminated union of conditions), then the
meaning: every field a rule uses exists on the form, is listed as required or optional, and is
compared with a value of its own kind; every choice field's spellings name its own values.
Running the rules' worked examples is `cart_screen.examples`' job (it needs the evaluator).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
)

from cart_screen.datafile import (
    DataFileError,
    DataModel,
    Document,
    Location,
    Problem,
    Text,
    shipped_rules_path,
    validate,
)
from cart_screen.datafile import read_yaml as _read_yaml
from cart_screen.form import DERIVED, FIELDS, FieldSpec, book_problems
from cart_screen.reading import FormReader
from cart_screen.values.book import ValueBook, load_book
from cart_screen.values.kinds import NUMERIC_KINDS, Kind
from cart_screen.values.labs import Quantity
from cart_screen.values.text import FormValueError
from cart_screen.values.vocabulary import Vocabulary

RulesetError = DataFileError
"""A ruleset that was refused; `problems` says each thing wrong with its file:line:col."""

RULESET_FILE = "ruleset.yaml"

Category = Literal["indication", "contraindication", "precaution", "interaction"]
Severity = Literal["exclusion", "caution"]
SEVERITY: dict[Category, Severity] = {
    "indication": "exclusion",
    "contraindication": "exclusion",
    "precaution": "caution",
    "interaction": "caution",
}
"""SPEC §3: indication and contraindication items exclude, precaution and interaction items caution."""

Scalar = StrictStr | StrictBool | StrictInt | StrictFloat
"""A value as YAML gives it; strict, so that 1 stays 1 and never becomes true."""


class Compare(DataModel):
    """`field` compared with a number: lt <, le ≤, gt >, ge ≥."""

    op: Literal["lt", "le", "gt", "ge"]
    field: str
    value: StrictInt | StrictFloat
    basis: Text | None = None


class Equals(DataModel):
    """`field` equal (eq) or not equal (ne) to one value of its own kind."""

    op: Literal["eq", "ne"]
    field: str
    value: Scalar
    basis: Text | None = None


class Member(DataModel):
    """`field` one of (in) or none of (not_in) a list of values of its own kind."""

    op: Literal["in", "not_in"]
    field: str
    values: list[Scalar] = Field(min_length=1)
    basis: Text | None = None


class AnyOf(DataModel):
    """True when any part is true (Kleene or)."""

    op: Literal["any"]
    of: list[Condition] = Field(min_length=1)


class AllOf(DataModel):
    """True when every part is true (Kleene and)."""

    op: Literal["all"]
    of: list[Condition] = Field(min_length=1)


class Not(DataModel):
    """True when its condition is false (Kleene not)."""

    op: Literal["not"]
    condition: Condition


Leaf = Compare | Equals | Member
Condition = Annotated[Compare | Equals | Member | AnyOf | AllOf | Not, Field(discriminator="op")]
AnyOf.model_rebuild()
AllOf.model_rebuild()
Not.model_rebuild()


class Example(DataModel):
    """A worked example a rule carries: given these values, this status. `rules validate` runs them."""

    given: dict[str, Scalar | dt.date]
    status: Literal["flagged", "needs_info", "clear"]


class Rule(DataModel):
    """One label criterion: what raises the flag, the data it needs, and the label text it enforces."""

    id: str = Field(pattern=r"^(indication|contraindication|precaution|interaction)\.[a-z0-9_]+$")
    category: Category
    title: Text
    label: Text
    required: list[str] = Field(min_length=1)
    optional: list[str] = Field(default_factory=list)
    flag_when: Condition
    note: Text | None = None
    examples: list[Example] = Field(default_factory=list)

    @field_validator("category")
    @classmethod
    def _category_matches_id(cls, category: str, info: Any) -> str:
        rule_id = info.data.get("id", "")
        if rule_id and not rule_id.startswith(category + "."):
            raise ValueError(f"category {category!r} does not match rule id {rule_id!r}")
        return category

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.category]


class RulesetFile(DataModel):
    """`ruleset.yaml` as written."""

    id: str = Field(min_length=1)
    product: str = Field(min_length=1)
    label_revision: dt.date
    source: Text
    vocabulary: str = Field(min_length=1)
    values: str = Field(default="values.yaml", min_length=1)
    """The value-spellings file: how each field's values may be written."""
    components: list[Text] = Field(default_factory=list)
    reading_of_severe: Text | None = None
    basis_checked: dt.date | None = None
    """When the sources the thresholds cite were last checked (docs/clinical-basis.md)."""
    rules: list[Rule] = Field(min_length=1)


@dataclass(frozen=True, eq=False)
class Ruleset:
    """A loaded, checked ruleset: metadata, rules in order, vocabulary and fingerprint.

    Compared and hashed by identity, so work derived from it can be cached per ruleset.
    """

    meta: RulesetFile
    book: ValueBook
    files: tuple[Path, ...]
    sha256: str
    doc: Document
    """ruleset.yaml as read, to say where a rule stands (for its worked examples)."""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def rules(self) -> Sequence[Rule]:
        return self.meta.rules

    @property
    def vocabulary(self) -> Vocabulary:
        return self.book.vocabulary

    @functools.cached_property
    def reader(self) -> FormReader:
        """Reads raw forms with this ruleset's value book (and no site file)."""
        return FormReader(self.book)

    def reader_for(self, lab_uln: Mapping[str, Quantity]) -> FormReader:
        """Reads raw forms with this ruleset's book and a site's laboratory ULNs."""
        if not lab_uln:
            return self.reader
        return FormReader(self.book.with_site_uln(lab_uln))


def spec_of(field: str) -> FieldSpec | None:
    """The spec of a form field or derived fact a rule may use."""
    return FIELDS[field] if field in FIELDS else DERIVED[field][0] if field in DERIVED else None


# ---------------------------------------------------------------- checking meaning


def _leaves(condition: Condition, where: Location) -> Iterator[tuple[Leaf, Location]]:
    """Each comparison of a condition, with where it stands in the file."""
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            for i, part in enumerate(parts):
                yield from _leaves(part, (*where, "of", i))
        case Not(condition=inner):
            yield from _leaves(inner, (*where, "condition"))
        case _:
            yield condition, where


def leaves(condition: Condition) -> list[Leaf]:
    """The comparisons of a condition, in order."""
    return [leaf for leaf, _ in _leaves(condition, ())]


def _check_value(spec: FieldSpec, value: Any, book: ValueBook, field: str) -> str | None:
    """Say what is wrong with comparing `field` with `value`, or None when it fits."""
    if isinstance(value, bool) and spec.kind in NUMERIC_KINDS:
        return f"{field} is a number; {value!r} is not"
    if spec.kind is Kind.DATE:
        return f"{field} is a date, which a rule cannot compare (use a derived fact such as age)"
    try:
        parsed = spec.parse(value, book)
    except FormValueError as exc:
        return f"{value!r} does not fit {field}: {exc}"
    if parsed is None:
        return f"{value!r} means 'not recorded' for {field}: compare with a value"
    if spec.kind not in NUMERIC_KINDS and parsed != value:
        return f"write {value!r} as {parsed!r}, the way {field} is stored"
    return None


def _meaning_problems(doc: Document, meta: RulesetFile, book: ValueBook) -> list[Problem]:
    problems: list[Problem] = []
    known = ", ".join([*FIELDS, *DERIVED])
    seen: dict[str, int] = {}
    for n, rule in enumerate(meta.rules):
        at: Location = ("rules", n)
        if rule.id in seen:
            problems.append(doc.locate((*at, "id"), f"rule id {rule.id!r} is used twice"))
        seen.setdefault(rule.id, n)
        listed: dict[str, Location] = {}
        for role in ("required", "optional"):
            for i, name in enumerate(getattr(rule, role)):
                where = (*at, role, i)
                if spec_of(name) is None:
                    problems.append(doc.locate(where, f"unknown field {name!r}; known: {known}"))
                elif name in listed:
                    problems.append(doc.locate(where, f"{name!r} is listed twice"))
                listed.setdefault(name, where)
        used = set()
        for leaf, where in _leaves(rule.flag_when, (*at, "flag_when")):
            used.add(leaf.field)
            spec = spec_of(leaf.field)
            if spec is None:
                message = f"unknown field {leaf.field!r}; known: {known}"
                problems.append(doc.locate((*where, "field"), message))
                continue
            if leaf.field not in listed:
                message = f"{leaf.field!r} is used here but listed in neither required nor optional"
                problems.append(doc.locate((*where, "field"), message))
            if isinstance(leaf, Compare) and spec.kind not in NUMERIC_KINDS:
                message = (
                    f"{leaf.op} compares numbers, but {leaf.field} is {spec.kind.value}; "
                    "use eq, ne, in or not_in"
                )
                problems.append(doc.locate((*where, "op"), message))
                continue
            values = leaf.values if isinstance(leaf, Member) else [leaf.value]
            for i, value in enumerate(values):
                wrong = _check_value(spec, value, book, leaf.field)
                if wrong:
                    place = (*where, "values", i) if isinstance(leaf, Member) else (*where, "value")
                    problems.append(doc.locate(place, wrong))
        for name, where in listed.items():
            if name not in used and spec_of(name) is not None:
                message = f"{name!r} is listed but flag_when never uses it"
                problems.append(doc.locate(where, message))
        for i, example in enumerate(rule.examples):
            for name, given in example.given.items():
                place = (*at, "examples", i, "given", name)
                spec = spec_of(name)
                if name not in listed:
                    message = f"example gives {name!r}, which {rule.id} neither requires nor uses"
                    problems.append(doc.locate(place, message))
                elif spec is not None:
                    try:
                        spec.parse(given, book)
                    except FormValueError as exc:
                        problems.append(doc.locate(place, f"{given!r} does not fit {name}: {exc}"))
    return problems


# ---------------------------------------------------------------- loading


def sha256_of_files(files: Sequence[Path]) -> str:
    """SHA-256 over `sha256sum`'s lines for the loaded files, so `sha256sum F… | sha256sum` agrees."""
    manifest = "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in files
    )
    return hashlib.sha256(manifest.encode()).hexdigest()


def _named_file(doc: Document, folder: Path, key: str, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise RulesetError([doc.locate((key,), f"no {key} file {path}")])
    return path


def load_ruleset(path: str | Path) -> Ruleset:
    """Load and check a ruleset folder (or its ruleset.yaml); raise RulesetError with every problem.

    `cart_screen.examples.check_examples` runs the rules' worked examples (`rules validate`).
    """
    path = Path(path)
    ruleset_path = path / RULESET_FILE if path.is_dir() else path
    doc = _read_yaml(ruleset_path)
    meta: RulesetFile = validate(doc, RulesetFile)
    vocabulary_path = _named_file(doc, ruleset_path.parent, "vocabulary", meta.vocabulary)
    values_path = _named_file(doc, ruleset_path.parent, "values", meta.values)
    book = load_book(vocabulary_path, values_path)
    problems = [book.values_doc.locate(where, why) for where, why in book_problems(book)]
    problems += _meaning_problems(doc, meta, book)
    if problems:
        raise RulesetError(problems)
    files = (ruleset_path, vocabulary_path, values_path)
    return Ruleset(meta, book, files, sha256_of_files(files), doc)


def default_rules_path() -> Path:
    """The HICARA ruleset shipped with the package (or, in a source checkout, under rules/)."""
    return shipped_rules_path()


@functools.cache
def default_ruleset() -> Ruleset:
    """The shipped HICARA ruleset, loaded once per process."""
    return load_ruleset(default_rules_path())
