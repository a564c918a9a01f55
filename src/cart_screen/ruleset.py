"""Layer 3: the only place that reads rule files: YAML -> validated models, file:line:col on error.

A ruleset is a folder holding `ruleset.yaml` (metadata and rules) and the files it names: the
diagnosis vocabulary and the value spellings (both read by `cart_screen.values`), and the
advisory checks from the pivotal trials (`advisory.yaml`: rules with ids `advisory.*` and severity
`advisory`, which never decide the outcome; see SPEC §11), loaded and checked as the label's are. Loading checks
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
    model_validator,
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

Category = Literal["indication", "contraindication", "precaution", "interaction", "advisory"]
Severity = Literal["exclusion", "caution", "advisory"]
SEVERITY: dict[Category, Severity] = {
    "indication": "exclusion",
    "contraindication": "exclusion",
    "precaution": "caution",
    "interaction": "caution",
    "advisory": "advisory",
}
"""SPEC §3: indication and contraindication items exclude, precaution and interaction items
caution; SPEC §11: the pivotal trials' checks (advisory.yaml) advise."""

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
    """One criterion: what raises the flag, the data it needs, and the text it comes from — the
    label's sentence, or (an advisory check) where the pivotal trials set it."""

    id: str = Field(
        pattern=r"^(indication|contraindication|precaution|interaction|advisory)\.[a-z0-9_]+$"
    )
    category: Category
    severity: Severity = "exclusion"
    """Optional for label rules (their category gives it); every advisory check writes
    `severity: advisory`. Filled in from the category when not written."""
    title: Text
    label: Text
    """Label rules: the label sentence. Advisory checks: why it is not the label, and the trials."""
    sources: list[str] = Field(default_factory=list)
    """What an advisory check cites: names from the advisory file's `sources` (trials, guidance)."""
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

    @model_validator(mode="after")
    def _severity_of_category(self) -> Rule:
        expected = SEVERITY[self.category]
        if not self.declared_severity:
            object.__setattr__(self, "severity", expected)  # frozen: set once, while built
        elif self.severity != expected:
            message = f"{self.category} rules have severity {expected!r}, not {self.severity!r}"
            raise ValueError(message)
        return self

    @property
    def declared_severity(self) -> bool:
        """Whether the file wrote the rule's severity (every advisory check must)."""
        return "severity" in self.model_fields_set

    @property
    def advisory(self) -> bool:
        """An advisory check from the pivotal trials (never a label criterion)."""
        return self.category == "advisory"


class RulesetFile(DataModel):
    """`ruleset.yaml` as written."""

    id: str = Field(min_length=1)
    product: str = Field(min_length=1)
    label_revision: dt.date
    source: Text
    vocabulary: str = Field(min_length=1)
    values: str = Field(default="values.yaml", min_length=1)
    """The value-spellings file: how each field's values may be written."""
    advisory: str | None = Field(default=None, min_length=1)
    """The advisory checks' file (the pivotal trials' questions), if the ruleset has one."""
    components: list[Text] = Field(default_factory=list)
    reading_of_severe: Text | None = None
    basis_checked: dt.date | None = None
    """When the sources the thresholds cite were last checked (docs/clinical-basis.md)."""
    rules: list[Rule] = Field(min_length=1)


class AdvisoryFile(DataModel):
    """`advisory.yaml` as written: checks from the pivotal trials, never label criteria."""

    id: str = Field(min_length=1)
    about: Text
    """What these checks are and are not (the heading's longer form, for the clinical basis)."""
    sources: dict[str, Text] = Field(min_length=1)
    """Each trial or guideline a check may cite, with its registry number or publication."""
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
    advisory_file: AdvisoryFile | None = None
    advisory_doc: Document | None = None
    """advisory.yaml as read, to say where an advisory check stands."""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def rules(self) -> Sequence[Rule]:
        """The label's rules, in order: they alone decide the outcome."""
        return self.meta.rules

    @property
    def advisory(self) -> Sequence[Rule]:
        """The advisory checks from the pivotal trials, in order (none without the file)."""
        return self.advisory_file.rules if self.advisory_file is not None else ()

    def rule_files(self) -> Iterator[tuple[Sequence[Rule], Document]]:
        """Each rule file's rules with the file as read (label first, then advisory)."""
        yield self.rules, self.doc
        if self.advisory_file is not None and self.advisory_doc is not None:
            yield self.advisory_file.rules, self.advisory_doc

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


def _meaning_problems(doc: Document, rules: Sequence[Rule], book: ValueBook) -> list[Problem]:
    problems: list[Problem] = []
    known = ", ".join([*FIELDS, *DERIVED])
    seen: dict[str, int] = {}
    for n, rule in enumerate(rules):
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


def _kind_problems(
    doc: Document, rules: Sequence[Rule], advisory: AdvisoryFile | None = None
) -> list[Problem]:
    """Label rules are never advisory; advisory checks are advisory and cite known sources."""
    problems: list[Problem] = []
    for n, rule in enumerate(rules):
        at: Location = ("rules", n)
        if advisory is None:
            if rule.advisory:
                why = "advisory checks live in the advisory file (ruleset.yaml: advisory), not here"
                problems.append(doc.locate((*at, "category"), why))
            continue
        if not rule.advisory:
            why = f"{rule.id}: the advisory file holds advisory checks only (category: advisory)"
            problems.append(doc.locate((*at, "category"), why))
        if not rule.declared_severity:
            why = f"{rule.id}: an advisory check says severity: advisory"
            problems.append(doc.locate(at, why))
        if not rule.sources:
            problems.append(doc.locate(at, f"{rule.id}: name the trials it comes from (sources)"))
        for i, source in enumerate(rule.sources):
            if source not in advisory.sources:
                why = f"unknown source {source!r}; known: {', '.join(advisory.sources)}"
                problems.append(doc.locate((*at, "sources", i), why))
    return problems


def _load_advisory(
    doc: Document, meta: RulesetFile, folder: Path, book: ValueBook, label_ids: set[str]
) -> tuple[Path | None, AdvisoryFile | None, Document | None, list[Problem]]:
    """The advisory file a ruleset names, read and checked as the label's rules are."""
    if meta.advisory is None:
        return None, None, None, []
    path = _named_file(doc, folder, "advisory", meta.advisory)
    advisory_doc = _read_yaml(path)
    advisory: AdvisoryFile = validate(advisory_doc, AdvisoryFile)
    problems = _kind_problems(advisory_doc, advisory.rules, advisory)
    problems += _meaning_problems(advisory_doc, advisory.rules, book)
    for n, rule in enumerate(advisory.rules):
        if rule.id in label_ids:
            message = f"rule id {rule.id!r} is also a label rule's"
            problems.append(advisory_doc.locate(("rules", n, "id"), message))
    return path, advisory, advisory_doc, problems


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
    problems += _kind_problems(doc, meta.rules)
    problems += _meaning_problems(doc, meta.rules, book)
    label_ids = {rule.id for rule in meta.rules}
    folder = ruleset_path.parent
    advisory_path, advisory, advisory_doc, more = _load_advisory(doc, meta, folder, book, label_ids)
    problems += more
    if problems:
        raise RulesetError(problems)
    files: tuple[Path, ...] = (ruleset_path, vocabulary_path, values_path)
    if advisory_path is not None:
        files += (advisory_path,)
    return Ruleset(meta, book, files, sha256_of_files(files), doc, advisory, advisory_doc)


def default_rules_path() -> Path:
    """The HICARA ruleset shipped with the package (or, in a source checkout, under rules/)."""
    return shipped_rules_path()


@functools.cache
def default_ruleset() -> Ruleset:
    """The shipped HICARA ruleset, loaded once per process."""
    return load_ruleset(default_rules_path())
