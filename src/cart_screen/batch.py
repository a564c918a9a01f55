"""Referral lists: CSV records in -> one verdict per record out, in input order, streaming.

Nothing is lost: a record that cannot be read (wrong number of cells, bytes that do not decode)
or screened (no patient id, an unexpected failure) becomes a verdict with outcome `error` and the
reason, and every other record is still screened.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from cart_screen.evaluate import Verdict, decide, result_of
from cart_screen.form import FIELDS, FieldError, normalize_key
from cart_screen.result import Outcome, ScreeningResult, Status
from cart_screen.ruleset import Ruleset

# A spreadsheet cell can hold 32,767 characters; a longer CSV field is a broken record.
csv.field_size_limit(1 << 20)

_UNDECODED = re.compile("[\udc80-\udcff]")
"""Bytes that did not decode are kept as lone surrogates (surrogateescape) and found here."""


class BatchInputError(Exception):
    """The list cannot be screened at all (unreadable file, no patient_id column): exit 2."""


@dataclass(frozen=True)
class Columns:
    """Which input column feeds which form field, and which columns are ignored."""

    width: int
    fields: tuple[tuple[int, str], ...]
    patient_id: int
    ignored: tuple[str, ...]


def load_column_map(path: Path) -> dict[str, str]:
    """Read a `--columns` file: `their header: form field` pairs, checked against the form."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise BatchInputError(f"{path}: cannot be read ({exc.__class__.__name__})") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BatchInputError(f"{path}: not a valid YAML column map") from exc
    if not isinstance(data, dict):
        raise BatchInputError(f"{path}: expected `their header: form field` pairs")
    mapping: dict[str, str] = {}
    for header, target in data.items():
        if target is None:
            continue  # a line of the skeleton the site left empty
        if str(target) not in FIELDS:
            raise BatchInputError(
                f"{path}: {header!r} maps to {target!r}, which is not a form field; "
                f"fields: {', '.join(FIELDS)}"
            )
        mapping[normalize_key(header)] = str(target)
    return mapping


def map_columns(header: list[str], column_map: Mapping[str, str]) -> Columns:
    """Match headers to fields (ignoring case and surrounding spaces, or via the column map)."""
    fields: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = normalize_key(name.removeprefix("\ufeff"))
        target = column_map.get(key) or (key if key in FIELDS else None)
        if target is None:
            ignored.append(name)
        elif target in fields:
            raise BatchInputError(
                f"columns {fields[target] + 1} and {index + 1} both give {target}; keep one"
            )
        else:
            fields[target] = index
    if "patient_id" not in fields:
        raise BatchInputError(
            "no patient_id column; the header must name one (or map one with --columns)"
        )
    return Columns(
        len(header), tuple((i, f) for f, i in fields.items()), fields["patient_id"], tuple(ignored)
    )


@dataclass(frozen=True)
class Record:
    """One CSV record: its 1-based number and its cells, or why it could not be read."""

    number: int
    cells: list[str]
    problem: str | None = None


def text_encoding(encoding: str) -> str:
    """The codec to read a list with; UTF-8 also takes Excel's byte-order mark."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError as exc:
        raise BatchInputError(f"unknown encoding {encoding!r}") from exc
    return "utf-8-sig" if codec == "utf-8" else codec


def read_records(stream: TextIO, encoding: str) -> tuple[list[str], Iterator[Record]]:
    """The header and a stream of records; blank lines are not records (as csv.DictReader)."""
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise BatchInputError("the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise BatchInputError(f"the header row is not valid CSV ({exc})") from exc
    if _UNDECODED.search("".join(header)):
        raise BatchInputError(f"the header row is not valid {encoding}; try --encoding gb18030")
    return header, _records(reader, len(header), encoding)


def _records(reader: Iterator[list[str]], width: int, encoding: str) -> Iterator[Record]:
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield Record(number, [], f"not valid CSV ({exc})")
            continue
        if not cells:
            continue
        number += 1
        if len(cells) != width:
            yield Record(number, cells, f"has {len(cells)} cells; the header has {width}")
        elif _UNDECODED.search("".join(cells)):
            yield Record(number, cells, f"holds bytes that are not valid {encoding}")
        else:
            yield Record(number, cells)


@dataclass(frozen=True)
class Screened:
    """One record's outcome, with the full result when details were asked for."""

    number: int
    verdict: Verdict
    result: ScreeningResult | None = None


def screen_records(
    records: Iterable[Record],
    columns: Columns,
    ruleset: Ruleset,
    as_of: dt.date,
    *,
    details: bool = False,
) -> Iterator[Screened]:
    """Screen each record in order; a record that fails becomes an `error` verdict, never a crash."""
    reader = ruleset.reader
    for record in records:
        patient_id = _cell(record.cells, columns.patient_id)
        if record.problem is not None:
            verdict = _error(patient_id, "record", record.problem, as_of)
            yield Screened(record.number, verdict, _result(ruleset, verdict, {}, details))
            continue
        try:
            read = reader.read({name: record.cells[i] for i, name in columns.fields}, as_of)
            verdict = decide(ruleset, read)
            yield Screened(record.number, verdict, _result(ruleset, verdict, read.facts, details))
        except Exception as exc:  # one record's failure must not lose the others
            message = f"could not be screened (internal error {type(exc).__name__})"
            verdict = _error(patient_id, "record", message, as_of)
            yield Screened(record.number, verdict, _result(ruleset, verdict, {}, details))


def _cell(cells: list[str], index: int) -> str | None:
    return cells[index].strip() or None if index < len(cells) else None


def _error(patient_id: str | None, where: str, message: str, day: dt.date) -> Verdict:
    return Verdict(patient_id, "error", (), (FieldError(where, None, message),), day)


def _result(
    ruleset: Ruleset, verdict: Verdict, facts: Mapping[str, Any], details: bool
) -> ScreeningResult | None:
    return result_of(ruleset, verdict, facts) if details else None


@dataclass
class Summary:
    """Counts over a list, like a cohort attrition table: outcomes and each rule's statuses."""

    rule_ids: tuple[str, ...]
    records: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    needs_info: Counter[str] = field(default_factory=Counter)
    ignored_columns: tuple[str, ...] = ()
    _seen: set[int] = field(default_factory=set, repr=False)
    duplicates: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: Verdict) -> None:
        """Count one verdict."""
        self.records += 1
        self.outcomes[verdict.outcome] += 1
        for rule_id, status in zip(self.rule_ids, verdict.statuses, strict=False):
            if status == "flagged":
                self.flagged[rule_id] += 1
            elif status == "needs_info":
                self.needs_info[rule_id] += 1
        if verdict.patient_id is not None:
            # Only a hash of each id is kept: 1 M referrals cost tens of MB, not the ids.
            key = hash(verdict.patient_id)
            if key in self._seen:
                self.duplicates[verdict.patient_id] += 1
            else:
                self._seen.add(key)

    def as_json(self) -> dict[str, Any]:
        """The same figures for `--summary FILE.json`."""
        outcomes: tuple[Outcome, ...] = ("flagged", "needs_info", "no_flags", "error")
        return {
            "records": self.records,
            "outcomes": {name: self.outcomes[name] for name in outcomes},
            "rules": {
                rule_id: {"flagged": self.flagged[rule_id], "needs_info": self.needs_info[rule_id]}
                for rule_id in self.rule_ids
            },
            # a duplicated id appears once more than it is counted here
            "duplicate_patient_ids": {pid: n + 1 for pid, n in sorted(self.duplicates.items())},
            "ignored_columns": list(self.ignored_columns),
        }


def statuses_of(verdict: Verdict, rule_ids: tuple[str, ...], status: Status) -> list[str]:
    """The ids of the rules with one status, in ruleset order."""
    return [rule_id for rule_id, s in zip(rule_ids, verdict.statuses, strict=False) if s == status]
