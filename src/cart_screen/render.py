"""Text and JSON renderings of results and rulesets. Formatting lives only here; nothing is decided."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import typer

from cart_screen.form import DERIVED, FIELDS, PatientForm
from cart_screen.result import NOTICE, ScreeningResult, Status
from cart_screen.ruleset import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Equals,
    Member,
    Not,
    Ruleset,
    spec_of,
)
from cart_screen.vocabulary import Vocabulary

if TYPE_CHECKING:
    from cart_screen.batch import Summary
    from cart_screen.evaluate import Verdict

_MARK: dict[Status, tuple[str, str, str]] = {
    "flagged": ("✗", "red", "FLAGGED"),
    "needs_info": ("?", "yellow", "NEEDS INFO"),
    "clear": ("✓", "green", "CLEAR"),
}
_ORDER: tuple[Status, ...] = ("flagged", "needs_info", "clear")
_OUTCOME_WORDS = {
    "flagged": "FLAGGED — the physician must review the flagged items",
    "needs_info": "NEEDS INFO — some items cannot be decided from the data given",
    "no_flags": "NO FLAGS — nothing in the data raises a flag",
    "error": "ERROR — this record could not be screened",
}


def result_json(result: ScreeningResult, *, indent: int | None = 2) -> str:
    """SPEC §4 JSON for one result."""
    return result.model_dump_json(indent=indent)


def checklist_text(result: ScreeningResult) -> str:
    """The checklist a coordinator reads: flagged first, then needs info, then clear; notice last."""
    return "\n".join(_checklist_lines(result)) + "\n"


def _checklist_lines(result: ScreeningResult) -> Iterator[str]:
    yield typer.style(
        f"HICARA pre-screening checklist — patient {result.patient_id or '(no id)'}", bold=True
    )
    ref = result.ruleset
    yield (
        f"Screening date {result.screening_date.isoformat()} · ruleset {ref.id} "
        f"(label {ref.label_revision.isoformat()}) · sha256 {ref.sha256[:16]}…"
    )
    counts = ", ".join(f"{len(result.with_status(s))} {_MARK[s][2].lower()}" for s in _ORDER)
    outcome_colour = {"flagged": "red", "needs_info": "yellow", "no_flags": "green"}
    yield typer.style(
        f"Outcome: {_OUTCOME_WORDS[result.outcome]}",
        bold=True,
        fg=outcome_colour.get(result.outcome, "red"),
    ) + (f" ({counts})" if result.items else "")
    for status in _ORDER:
        items = result.with_status(status)
        if not items:
            continue
        symbol, colour, heading = _MARK[status]
        yield ""
        yield typer.style(heading, fg=colour, bold=True)
        for item in items:
            yield (
                typer.style(f"  {symbol} ", fg=colour)
                + typer.style(item.title, bold=True)
                + (f"  [{item.rule_id} · {item.severity}]")
            )
            yield f"      {item.reason}"
            yield typer.style(f"      Label: {item.source}", dim=True)
    if result.errors:
        yield ""
        yield typer.style("VALUES THAT COULD NOT BE READ (counted as missing)", fg="red", bold=True)
        for error in result.errors:
            yield f"  {error.field} = {error.value!r}: {error.message}"
    yield ""
    yield typer.style(result.notice, bold=True)


# ---------------------------------------------------------------- rulesets

_SYMBOL = {
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "eq": "=",
    "ne": "≠",
    "in": "in",
    "not_in": "not in",
}


def describe(condition: Condition, vocabulary: Vocabulary, *, nested: bool = False) -> str:
    """A condition in words and symbols: 'LVEF < 40 % or NYHA class in III, IV'."""
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            joiner = " or " if isinstance(condition, AnyOf) else " and "
            text = joiner.join(describe(p, vocabulary, nested=True) for p in parts)
            return f"({text})" if nested and len(parts) > 1 else text
        case Not(condition=inner):
            return f"not {describe(inner, vocabulary, nested=True)}"
        case Compare() | Equals() | Member():
            spec = spec_of(condition.field)
            assert spec is not None  # the loader refused unknown fields
            if isinstance(condition, Member):
                value = ", ".join(spec.show(v, vocabulary, short=True) for v in condition.values)
            else:
                value = spec.show(condition.value, vocabulary, short=True)
            return f"{spec.label} {_SYMBOL[condition.op]} {value}"
    raise AssertionError(condition)  # pragma: no cover - the union is exhaustive


def _bases(condition: Condition) -> Iterator[str]:
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            for part in parts:
                yield from _bases(part)
        case Not(condition=inner):
            yield from _bases(inner)
        case Compare() | Equals() | Member():
            if condition.basis is not None:
                yield condition.basis.en


def _field_words(name: str) -> str:
    if name in DERIVED:
        return f"{name} (from {' or '.join(DERIVED[name][1])})"
    return name


def ruleset_text(ruleset: Ruleset) -> str:
    """The ruleset as a readable checklist: what raises each flag, thresholds, citations."""
    meta = ruleset.meta
    lines = [
        typer.style(
            f"Ruleset {meta.id} — {meta.product}, label revision {meta.label_revision}", bold=True
        ),
        f"Source: {meta.source.en}",
        "Files: " + ", ".join(str(p) for p in ruleset.files),
        f"sha256: {ruleset.sha256}",
    ]
    if meta.components:
        lines.append(
            "Components asked about for hypersensitivity: "
            + ", ".join(c.en for c in meta.components)
        )
    if meta.reading_of_severe:
        lines.append(f'Reading of "severe": {meta.reading_of_severe.en}')
    for rule in ruleset.rules:
        lines += [
            "",
            typer.style(f"{rule.id}", bold=True) + f"  [{rule.category} · {rule.severity}]",
            f"  {rule.title.en}",
            f"  Flagged when: {describe(rule.flag_when, ruleset.vocabulary)}",
            *(f"    · {basis}" for basis in _bases(rule.flag_when)),
            "  Needs: "
            + ", ".join(_field_words(f) for f in rule.required)
            + (f"; used where recorded: {', '.join(rule.optional)}" if rule.optional else ""),
            f"  Label: {rule.label.en}",
        ]
        if rule.note:
            lines.append(f"  Note: {rule.note.en}")
    vocabulary = ruleset.vocabulary
    lines += ["", typer.style("Diagnosis vocabulary", bold=True), f"  {vocabulary.data.note.en}"]
    lines += [
        f"  {code:<15} {term.abbreviation} — {term.name.en} / {term.name.zh}"
        for code, term in vocabulary.codes.items()
    ]
    lines += ["", NOTICE]
    return "\n".join(lines) + "\n"


def form_schema_json() -> str:
    """JSON Schema of the patient form."""
    return json.dumps(PatientForm.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- batch

BATCH_COLUMNS = ("row", "patient_id", "outcome", "flagged", "needs_info", "errors", "notice")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def batch_row(number: int, verdict: Verdict, rule_ids: Sequence[str]) -> list[str]:
    """One OUT.csv row (SPEC §5): row, patient_id, outcome, flagged, needs_info, errors, notice."""
    statuses = verdict.statuses
    flagged = ";".join([r for r, s in zip(rule_ids, statuses) if s == "flagged"])  # noqa: B905
    needs = ";".join([r for r, s in zip(rule_ids, statuses) if s == "needs_info"])  # noqa: B905
    errors = "; ".join([f"{e.field}: {e.message}" for e in verdict.errors])
    # Only the patient id and error texts can carry what the list held; the rest is ours.
    patient_id = spreadsheet_safe(verdict.patient_id or "")
    return [
        str(number),
        patient_id,
        verdict.outcome,
        flagged,
        needs,
        spreadsheet_safe(errors),
        NOTICE,
    ]


def _width(text: str) -> int:
    """Columns a text takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell + " " * (w - _width(cell)) if i == 0 else " " * (w - _width(cell)) + cell
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def summary_text(summary: Summary) -> str:
    """The end-of-run table: outcomes, then each rule's flagged / needs-info counts."""
    total = summary.records

    def percent(n: int) -> str:
        return f"{100 * n / total:.1f} %" if total else "–"

    outcome_rows = [["outcome", "records", "share"]] + [
        [name, str(summary.outcomes[name]), percent(summary.outcomes[name])]
        for name in ("flagged", "needs_info", "no_flags", "error")
    ]
    outcome_rows.append(["all records", str(total), percent(total)])
    rule_rows = [["rule", "flagged", "needs_info"]] + [
        [rule_id, str(summary.flagged[rule_id]), str(summary.needs_info[rule_id])]
        for rule_id in summary.rule_ids
    ]
    lines = ["", *_table(outcome_rows), "", *_table(rule_rows)]
    if summary.duplicates:
        shown = ", ".join(f"{pid} ×{n + 1}" for pid, n in sorted(summary.duplicates.items())[:10])
        more = len(summary.duplicates) - 10
        lines += [
            "",
            f"Duplicate patient ids (each screened): {shown}"
            + (f" and {more} more" if more > 0 else ""),
        ]
    if summary.ignored_columns:
        lines += ["", "Ignored columns: " + ", ".join(summary.ignored_columns)]
    lines += ["", NOTICE]
    return "\n".join(lines) + "\n"


def template_csv() -> str:
    """An empty referral list: the header row with every form field."""
    return ",".join(FIELDS) + "\r\n"


def column_map_skeleton() -> str:
    """A `--columns` file to fill in: one line per field, your header on the left."""
    lines = [
        "# Column map for `cart-screen batch --columns THIS.yaml`.",
        "# Write your list's own header on the left of each field you have, e.g.",
        "#   MRN: patient_id",
        "#   诊断: diagnosis",
        "# Headers match ignoring case and surrounding spaces. Leave a line as it is (or delete it)",
        "# where your header already is the field name.",
        "",
    ]
    for name, spec in FIELDS.items():
        lines.append(f"# {spec.label}: {spec.allowed()}")
        lines.append(f"{name}: {name}")
    return "\n".join(lines) + "\n"
