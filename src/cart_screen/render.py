"""Text and JSON renderings of results and rulesets. Formatting lives only here; nothing is decided."""

from __future__ import annotations

import json
from collections.abc import Iterator

import typer

from cart_screen.form import DERIVED, PatientForm
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
