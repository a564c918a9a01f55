"""The only place that reads rule files: YAML -> validated models; every problem says file:line:col.

A ruleset is a folder holding `ruleset.yaml` (metadata and rules) and the vocabulary file it names.
Loading checks the YAML, then the shape (pydantic models with a discriminated union of conditions),
then the meaning: every field a rule uses exists on the form, is listed as required or optional,
and is compared with a value of its own kind.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from cart_screen.datafile import DataModel, Text
from cart_screen.form import (
    DERIVED,
    FIELDS,
    NUMERIC_KINDS,
    FieldSpec,
    FormValueError,
    Kind,
)
from cart_screen.reading import FormReader
from cart_screen.vocabulary import Location, Vocabulary, VocabularyFile, index_terms

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
    components: list[Text] = Field(default_factory=list)
    reading_of_severe: Text | None = None
    rules: list[Rule] = Field(min_length=1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rule file, where it is and what is allowed."""

    file: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: error: {self.message}"


class RulesetError(Exception):
    """A ruleset that was refused; `problems` says each thing wrong with its file:line:col."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True, eq=False)
class Ruleset:
    """A loaded, checked ruleset: metadata, rules in order, vocabulary and fingerprint.

    Compared and hashed by identity, so work derived from it can be cached per ruleset.
    """

    meta: RulesetFile
    vocabulary: Vocabulary
    files: tuple[Path, ...]
    sha256: str

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def rules(self) -> Sequence[Rule]:
        return self.meta.rules

    @functools.cached_property
    def reader(self) -> FormReader:
        """Reads raw forms with this ruleset's vocabulary."""
        return FormReader(self.vocabulary)


def spec_of(field: str) -> FieldSpec | None:
    """The spec of a form field or derived fact a rule may use."""
    return FIELDS[field] if field in FIELDS else DERIVED[field][0] if field in DERIVED else None


# ---------------------------------------------------------------- reading YAML with positions

Marks = dict[Location, tuple[int, int]]


class _Document:
    """A parsed YAML file with the line:column of every key and item."""

    def __init__(self, path: Path, data: Any, marks: Marks):
        self.path, self.data, self.marks = path, data, marks

    def locate(self, where: Location, message: str) -> Problem:
        """Point at the deepest part of `where` that is written in the file."""
        for depth in range(len(where), -1, -1):
            mark = self.marks.get(where[:depth])
            if mark is not None:
                return Problem(self.path, mark[0], mark[1], message)
        return Problem(self.path, 1, 1, message)


_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> _Document:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RulesetError([Problem(path, 1, 1, "no such file")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot be read as UTF-8 text ({exc.__class__.__name__})"
        raise RulesetError([Problem(path, 1, 1, message)]) from exc
    loader = _Loader(text)
    problems: list[Problem] = []
    marks: Marks = {}

    def build(node: yaml.Node, where: Location) -> Any:
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                at = key_node if isinstance(value_node, yaml.CollectionNode) else value_node
                mark = (at.start_mark.line + 1, at.start_mark.column + 1)
                if key in mapping:
                    problems.append(Problem(path, *mark, f"key {key!r} is given twice"))
                marks[(*where, key)] = mark
                mapping[key] = build(value_node, (*where, key))
            return mapping
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                marks[(*where, i)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                items.append(build(item, (*where, i)))
            return items
        return loader.construct_object(node, deep=True)

    try:
        root = loader.get_single_node()
        data = build(root, ()) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise RulesetError([Problem(path, line, column, f"not valid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise RulesetError([Problem(path, 1, 1, f"not valid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    if problems:
        raise RulesetError(problems)
    if data is None:
        raise RulesetError([Problem(path, 1, 1, "the file is empty")])
    marks[()] = (1, 1)
    return _Document(path, data, marks)


def _yaml_path(data: Any, loc: Sequence[str | int]) -> Location:
    """Turn a pydantic error location into a path in the YAML data, dropping union tags."""
    path: list[str | int] = []
    for part in loc:
        if isinstance(data, dict) and part in _TAGS and part not in data:
            continue  # the tag pydantic adds for a discriminated union, not a key in the file
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            path.append(part)
            break
        path.append(part)
    return tuple(path)


_TAGS = frozenset({"lt", "le", "gt", "ge", "eq", "ne", "in", "not_in", "any", "all", "not"})
_OPS = "a condition's op is one of: lt, le, gt, ge, eq, ne, in, not_in, any, all, not"


def _shape_problems(doc: _Document, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        where = _yaml_path(doc.data, detail["loc"])
        message = detail["msg"]
        match detail["type"]:
            case "missing":
                message = f"missing key {detail['loc'][-1]!r}"
            case "unknown_key":
                where = (*where, detail["ctx"]["key"])
            case "union_tag_invalid":
                where = (*where, "op")
                message = f"unknown op {detail['ctx']['tag']!r}; {_OPS}"
            case "union_tag_not_found":
                message = f"a condition needs an op; {_OPS}"
            case "int_type" | "float_type":
                # A threshold may be a whole or a decimal number; say so once, not once per type.
                message = f"expected a number, not {detail['input']!r}"
        problem = doc.locate(where, message)
        if problem not in problems:
            problems.append(problem)
    return problems


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


def _check_value(spec: FieldSpec, value: Any, vocabulary: Vocabulary, field: str) -> str | None:
    """Say what is wrong with comparing `field` with `value`, or None when it fits."""
    if isinstance(value, bool) and spec.kind in NUMERIC_KINDS:
        return f"{field} is a number; {value!r} is not"
    if spec.kind is Kind.DATE:
        return f"{field} is a date, which a rule cannot compare (use a derived fact such as age)"
    try:
        parsed = spec.parse(value, vocabulary)
    except FormValueError as exc:
        return f"{value!r} does not fit {field}: {exc}"
    if spec.kind not in NUMERIC_KINDS and parsed != value:
        return f"write {value!r} as {parsed!r}, the way {field} is stored"
    return None


def _meaning_problems(doc: _Document, meta: RulesetFile, vocabulary: Vocabulary) -> list[Problem]:
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
                wrong = _check_value(spec, value, vocabulary, leaf.field)
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
                        spec.parse(given, vocabulary)
                    except FormValueError as exc:
                        problems.append(doc.locate(place, f"{given!r} does not fit {name}: {exc}"))
    return problems


# ---------------------------------------------------------------- loading


def _validate(doc: _Document, model: type[DataModel]) -> Any:
    if not isinstance(doc.data, dict):
        raise RulesetError([doc.locate((), "expected `key: value` pairs at the top level")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise RulesetError(_shape_problems(doc, exc)) from exc


def _load_vocabulary(path: Path) -> Vocabulary:
    doc = _read_yaml(path)
    data: VocabularyFile = _validate(doc, VocabularyFile)
    index, ambiguous, clashes = index_terms(data)
    if data.field != "diagnosis":
        clashes.append((("field",), f"vocabulary for {data.field!r}; only 'diagnosis' has one"))
    if clashes:
        raise RulesetError([doc.locate(where, message) for where, message in clashes])
    return Vocabulary(data, index, ambiguous)


def sha256_of_files(files: Sequence[Path]) -> str:
    """SHA-256 over `sha256sum`'s lines for the loaded files, so `sha256sum F… | sha256sum` agrees."""
    manifest = "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in files
    )
    return hashlib.sha256(manifest.encode()).hexdigest()


def load_ruleset(path: str | Path, *, run_examples: bool = False) -> Ruleset:
    """Load and check a ruleset folder (or its ruleset.yaml); raise RulesetError with every problem.

    With `run_examples`, each rule's worked examples are evaluated too (as `rules validate`
    does): a threshold edited without its examples is then reported where the example stands.
    """
    path = Path(path)
    ruleset_path = path / RULESET_FILE if path.is_dir() else path
    doc = _read_yaml(ruleset_path)
    meta: RulesetFile = _validate(doc, RulesetFile)
    vocabulary_path = ruleset_path.parent / meta.vocabulary
    if not vocabulary_path.is_file():
        raise RulesetError([doc.locate(("vocabulary",), f"no vocabulary file {vocabulary_path}")])
    vocabulary = _load_vocabulary(vocabulary_path)
    problems = _meaning_problems(doc, meta, vocabulary)
    if problems:
        raise RulesetError(problems)
    files = (ruleset_path, vocabulary_path)
    ruleset = Ruleset(meta, vocabulary, files, sha256_of_files(files))
    if run_examples:
        from cart_screen.evaluate import example_status  # evaluate builds on this module

        wrong = []
        for n, rule in enumerate(meta.rules):
            for i, example in enumerate(rule.examples):
                got = example_status(ruleset, rule, example)
                if got != example.status:
                    message = f"example {i + 1} of {rule.id}: expected {example.status}, got {got}"
                    wrong.append(doc.locate(("rules", n, "examples", i), message))
        if wrong:
            raise RulesetError(wrong)
    return ruleset


def default_rules_path() -> Path:
    """The HICARA ruleset shipped with the package (or, in a source checkout, under rules/)."""
    packaged = Path(__file__).parent / "rules" / "hicara"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules" / "hicara"


@functools.cache
def default_ruleset() -> Ruleset:
    """The shipped HICARA ruleset, loaded once per process."""
    return load_ruleset(default_rules_path())
