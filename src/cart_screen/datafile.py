"""Reading data files (rules, vocabularies, value spellings, site settings): YAML with the
line:column of every key, strict models, and problems that say `file:line:col: error: …`.

Every model read from a data file shares strict keys, frozen values and bilingual text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

Language = Literal["en", "zh"]
Location = tuple[str | int, ...]
"""Where a value stands in a data file: its keys and item numbers from the top."""


class DataModel(BaseModel):
    """A value read from a data file; an unknown key is refused, naming what is allowed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = list(cls.model_fields)
            for key in data:
                if key not in cls.model_fields:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'; allowed: {allowed}",
                        {"key": key, "allowed": ", ".join(allowed)},
                    )
        return data


class Text(DataModel):
    """One human text in both languages; data files write it as `{en: ..., zh: ...}`."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    def __call__(self, language: Language = "en") -> str:
        return self.zh if language == "zh" else self.en


def shipped_rules_path() -> Path:
    """The HICARA ruleset shipped with the package (or, in a source checkout, under rules/)."""
    packaged = Path(__file__).parent / "rules" / "hicara"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules" / "hicara"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file, where it is and what is allowed."""

    file: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: error: {self.message}"


class DataFileError(Exception):
    """A rule, vocabulary or site file that was refused; `problems` says each thing wrong with its file:line:col."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))


Marks = dict[Location, tuple[int, int]]


class Document:
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

DATA_FILE_LIMIT = 4 * 1024 * 1024
"""Largest rule, vocabulary, values or site file read (bytes); HICARA's largest is 26 kB."""
FORM_FILE_LIMIT = 1024 * 1024
"""Largest patient form file or column map read (bytes): each is a few lines."""


class FileTooLarge(Exception):
    """A file larger than the limit it is read with."""

    def __init__(self, limit: int):
        super().__init__(f"larger than {limit // 2**20} MB")
        self.limit = limit


MARKED = "marked"
"""The encoding of a file a user writes (a form, a column map): UTF-8, or UTF-16 or UTF-32 when
its byte-order mark says so (Windows Notepad's "Unicode" is UTF-16 with one)."""

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE's, its beginning
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_limited(path: Path, limit: int, encoding: str = "utf-8") -> str:
    """A file's text, read only if it holds at most `limit` bytes (else FileTooLarge), in
    `encoding` (MARKED: as its byte-order mark says, else UTF-8).

    Never more than `limit` + 1 bytes are read, whatever the file is: /dev/zero or a huge file
    named by mistake would otherwise be read until memory ran out.
    """
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(limit)
    if encoding == MARKED:
        marked = (codec for mark, codec in _BYTE_ORDER_MARKS if data.startswith(mark))
        encoding = next(marked, "utf-8")
    return data.decode(encoding)


def anchor_at(text: str) -> tuple[int, int] | None:
    """The line:column of the first YAML anchor (&) or alias (*) in `text`, if there is one.

    None of our files needs one, and aliases are how a few lines of YAML expand to gigabytes
    (a billion laughs): building the data would re-expand each alias. The tokens are only
    scanned — linear in the text, nothing built — and only when `&` or `*` occurs at all. A file
    that is not valid YAML is left for the parser to locate its error.
    """
    if "&" not in text and "*" not in text:
        return None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                return token.start_mark.line + 1, token.start_mark.column + 1
    except yaml.YAMLError:
        return None
    return None


_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
"""Characters a data file's text must not hold (tab and line break are fine): each would reach a
terminal or a page as it is (`rules show`, every checklist): escape sequences, bidi controls."""


def read_yaml(path: Path, kind: str = "rule files") -> Document:
    """Read a data file (`kind` names such files in messages), with the line:column of every key.

    Refused, located: more than DATA_FILE_LIMIT bytes, anchors and aliases, control characters,
    a key given twice, and whatever is not valid YAML.
    """
    try:
        text = read_limited(path, DATA_FILE_LIMIT)
    except FileNotFoundError as exc:
        raise DataFileError([Problem(path, 1, 1, "no such file")]) from exc
    except IsADirectoryError as exc:
        raise DataFileError([Problem(path, 1, 1, "is a folder, not a file")]) from exc
    except FileTooLarge as exc:
        message = f"{exc}; a data file this large is not one of ours"
        raise DataFileError([Problem(path, 1, 1, message)]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot be read as UTF-8 text ({exc.__class__.__name__})"
        raise DataFileError([Problem(path, 1, 1, message)]) from exc
    anchor = anchor_at(text)
    if anchor is not None:
        message = f"anchors and aliases (&, *) are not allowed in {kind}"
        raise DataFileError([Problem(path, *anchor, message)])
    loader = _Loader(text)
    problems: list[Problem] = []
    marks: Marks = {}

    def scalar(node: yaml.Node) -> Any:
        value = loader.construct_object(node, deep=True)
        control = _CONTROL.search(value) if isinstance(value, str) else None
        if control is not None:
            shown = printable_escape(control[0])
            mark = (node.start_mark.line + 1, node.start_mark.column + 1)
            problems.append(
                Problem(path, *mark, f"control character {shown} is not allowed in {kind}")
            )
        return value

    def build(node: yaml.Node, where: Location) -> Any:
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = scalar(key_node)
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
        return scalar(node)

    try:
        root = loader.get_single_node()
        data = build(root, ()) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise DataFileError(
            [Problem(path, line, column, f"not valid YAML: {exc.problem}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise DataFileError([Problem(path, 1, 1, f"not valid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    if problems:
        raise DataFileError(problems)
    if data is None:
        raise DataFileError([Problem(path, 1, 1, "the file is empty")])
    marks[()] = (1, 1)
    return Document(path, data, marks)


def printable_escape(character: str) -> str:
    """A character as Python would escape it: \\x1b, \\u202e."""
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _yaml_path(data: Any, loc: Sequence[str | int]) -> Location:
    """Turn a pydantic error location into a path in the YAML data, dropping union tags.

    pydantic puts a discriminated union's tag ('lt', 'any', …) in the location, before the key
    inside it: a name that is not a key in the file and is not the last part of the location.
    """
    path: list[str | int] = []
    for n, part in enumerate(loc):
        if isinstance(data, dict) and part not in data and n < len(loc) - 1:
            continue
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            path.append(part)
            break
        path.append(part)
    return tuple(path)


def _tags(expected: str) -> str:
    return ", ".join(tag.strip().strip("'") for tag in expected.split(","))


def shape_problems(doc: Document, error: ValidationError) -> list[Problem]:
    """Each problem pydantic found in a data file, located and said for its editor."""
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
                ctx = detail["ctx"]
                key = str(ctx["discriminator"]).strip("'")
                where = (*where, key)
                message = f"unknown {key} {ctx['tag']!r}; one of: {_tags(ctx['expected_tags'])}"
            case "union_tag_not_found":
                message = f"missing key {str(detail['ctx']['discriminator']).strip(chr(39))!r}"
            case "int_type" | "float_type":
                # A threshold may be a whole or a decimal number; say so once, not once per type.
                message = f"expected a number, not {detail['input']!r}"
            case "string_type" if isinstance(detail["input"], bool):
                # YAML 1.1 reads a bare yes/no/on/off as true/false
                message = 'expected text: quote it ("yes", "no") — YAML reads a bare yes or no as true or false'
            case "string_type":
                message = f"expected text, not {detail['input']!r}"
            case "dict_type":
                message = f"expected `key: value` pairs, not {detail['input']!r}"
            case "list_type":
                message = (
                    f"expected a list ([a, b] or one `- item` a line), not {detail['input']!r}"
                )
        problem = doc.locate(where, message)
        if problem not in problems:
            problems.append(problem)
    return problems


def validate(doc: Document, model: type[DataModel]) -> Any:
    """The document's data as `model`; raise DataFileError with each problem located."""
    if not isinstance(doc.data, dict):
        raise DataFileError([doc.locate((), "expected `key: value` pairs at the top level")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(shape_problems(doc, exc)) from exc


def load_model(
    path: Path, model: type[DataModel], kind: str = "rule files"
) -> tuple[Document, Any]:
    """Read a YAML data file and validate it against `model`; raise DataFileError, located."""
    doc = read_yaml(path, kind)
    return doc, validate(doc, model)
