"""Pure screening: (ruleset, form) -> result, with three-valued (Kleene) logic. No I/O.

A comparison with a missing *required* field is unknown; with a missing *optional* field it is
false. `any`/`all`/`not` combine as SQL's NULL logic does. True -> flagged, false -> clear,
unknown -> needs_info. Missing is never false for a required field, so it never becomes clear.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from cart_screen.form import DERIVED, FIELDS, FieldError, Kind, ReadForm
from cart_screen.result import (
    FieldErrorOut,
    Item,
    RulesetRef,
    ScreeningResult,
    Status,
    outcome_of,
)
from cart_screen.ruleset import (
    AllOf,
    AnyOf,
    Condition,
    Leaf,
    Member,
    Not,
    Rule,
    Ruleset,
    spec_of,
)
from cart_screen.vocabulary import Vocabulary

Truth = bool | None
"""Kleene truth: True, False, or None for unknown."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}

_STATUS: dict[Truth, Status] = {True: "flagged", False: "clear", None: "needs_info"}


def truth(condition: Condition, facts: Mapping[str, Any], required: Collection[str]) -> Truth:
    """Evaluate a condition over the facts in Kleene logic."""
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            # One true part decides `any`, one false part decides `all`; else unknown wins.
            decisive = isinstance(condition, AnyOf)
            seen_unknown = False
            for part in parts:
                value = truth(part, facts, required)
                if value is decisive:
                    return decisive
                seen_unknown |= value is None
            return None if seen_unknown else not decisive
        case Not(condition=inner):
            value = truth(inner, facts, required)
            return None if value is None else not value
        case _:
            return _leaf_truth(condition, facts, required)


def _leaf_truth(leaf: Leaf, facts: Mapping[str, Any], required: Collection[str]) -> Truth:
    value = facts.get(leaf.field)
    if value is None:
        return None if leaf.field in required else False
    if isinstance(leaf, Member):
        inside = value in leaf.values
        return inside if leaf.op == "in" else not inside
    return _COMPARE[leaf.op](value, leaf.value)


def judge(rule: Rule, facts: Mapping[str, Any]) -> Status:
    """The status of one rule for one patient."""
    return _STATUS[truth(rule.flag_when, facts, rule.required)]


# ---------------------------------------------------------------- reasons in plain words

_PHRASES: dict[tuple[str, bool], str] = {
    ("lt", True): "{label} {value} is below {limit}",
    ("lt", False): "{label} {value} is not below {limit}",
    ("le", True): "{label} {value} is at or below {limit}",
    ("le", False): "{label} {value} is above {limit}",
    ("gt", True): "{label} {value} is above {limit}",
    ("gt", False): "{label} {value} is not above {limit}",
    ("ge", True): "{label} {value} is at or above {limit}",
    ("ge", False): "{label} {value} is below {limit}",
    ("eq", True): "{label}: {value}",
    ("eq", False): "{label}: {value}, not {limit}",
    ("ne", True): "{label}: {value}, not {limit}",
    ("ne", False): "{label}: {value}",
    ("in", True): "{label}: {value} is one of {limit}",
    ("in", False): "{label}: {value} is not one of {limit}",
    ("not_in", True): "{label}: {value} is not one of {limit}",
    ("not_in", False): "{label}: {value} is one of {limit}",
}


def _phrase(
    leaf: Leaf, value: Any, held: bool, errors: Mapping[str, FieldError], vocabulary: Vocabulary
) -> str:
    spec = spec_of(leaf.field)
    assert spec is not None  # the loader refused unknown fields
    if value is None:
        if leaf.field in errors:
            unread = errors[leaf.field].value
            return f"{spec.label} could not be read ({unread!r}), so it was not used"
        return f"{spec.label} not recorded (used only where recorded)"
    if isinstance(leaf, Member):
        limit = ", ".join(spec.show(v, vocabulary, short=True) for v in leaf.values)
    else:
        limit = spec.show(leaf.value, vocabulary)
    template = "{label}: {value}" if spec.kind is Kind.YES_NO else _PHRASES[(leaf.op, held)]
    phrase = template.format(label=spec.label, value=spec.show(value, vocabulary), limit=limit)
    if held and leaf.basis is not None:
        phrase += f" ({leaf.basis.en})"
    return phrase


def _explain(
    condition: Condition,
    facts: Mapping[str, Any],
    required: Collection[str],
    want: Truth,
    said: list[str],
    missing: list[str],
    errors: Mapping[str, FieldError],
    vocabulary: Vocabulary,
) -> None:
    """Collect the phrases (or missing fields) that make `condition` come out as `want`."""
    match condition:
        case AnyOf(of=parts) | AllOf(of=parts):
            # any: true because of its true parts, false because of all; all: the reverse.
            every = want is (not isinstance(condition, AnyOf))
            for part in parts:
                if every or truth(part, facts, required) is want:
                    _explain(part, facts, required, want, said, missing, errors, vocabulary)
        case Not(condition=inner):
            flipped = None if want is None else not want
            _explain(inner, facts, required, flipped, said, missing, errors, vocabulary)
        case _:
            if want is None:
                if condition.field not in missing:
                    missing.append(condition.field)
            else:
                value = facts.get(condition.field)
                said.append(_phrase(condition, value, want, errors, vocabulary))


def _needs(missing: Sequence[str], errors: Mapping[str, FieldError]) -> str:
    parts: list[str] = []
    for fact in missing:
        spec, sources = DERIVED[fact] if fact in DERIVED else (FIELDS[fact], (fact,))
        unreadable = [errors[s] for s in sources if s in errors]
        if unreadable:
            parts.extend(
                f"{FIELDS[e.field].label} ({e.field}) could not be read: {e.value!r}"
                for e in unreadable
            )
        else:
            parts.append(f"{spec.label} not recorded ({' or '.join(sources)})")
    return "Needs data: " + "; ".join(parts) + "."


def reason(
    rule: Rule,
    status: Status,
    facts: Mapping[str, Any],
    errors: Mapping[str, FieldError],
    vocabulary: Vocabulary,
) -> str:
    """Why a rule came out as it did, with the values used, or which data would resolve it."""
    want: Truth = {"flagged": True, "clear": False, "needs_info": None}[status]
    said: list[str] = []
    missing: list[str] = []
    _explain(rule.flag_when, facts, rule.required, want, said, missing, errors, vocabulary)
    if status == "needs_info":
        return _needs(missing, errors)
    return "; ".join(said) + "."


# ---------------------------------------------------------------- the whole result


def _ruleset_ref(ruleset: Ruleset) -> RulesetRef:
    return RulesetRef.model_construct(
        id=ruleset.id, label_revision=ruleset.meta.label_revision, sha256=ruleset.sha256
    )


def _errors_out(errors: Sequence[FieldError]) -> list[FieldErrorOut]:
    return [
        FieldErrorOut.model_construct(field=e.field, value=e.value, message=e.message)
        for e in errors
    ]


def error_result(
    ruleset: Ruleset,
    patient_id: str | None,
    errors: Sequence[FieldError],
    screening_date: dt.date,
) -> ScreeningResult:
    """A record that cannot be screened at all: outcome error, no items, the reasons why."""
    return ScreeningResult.model_construct(
        patient_id=patient_id,
        outcome="error",
        items=[],
        errors=_errors_out(errors),
        ruleset=_ruleset_ref(ruleset),
        screening_date=screening_date,
    )


def evaluate(ruleset: Ruleset, read: ReadForm) -> ScreeningResult:
    """Screen one read form against every rule, in ruleset order."""
    patient_id = read.form.patient_id
    errors = list(read.errors)
    if not patient_id:
        if not any(e.field == "patient_id" for e in errors):
            errors.insert(
                0, FieldError("patient_id", None, "missing; every record needs the referral's id")
            )
        return error_result(ruleset, None, errors, read.screening_date)
    by_field = {e.field: e for e in errors}
    items = []
    for rule in ruleset.rules:
        status = judge(rule, read.facts)
        items.append(
            Item.model_construct(
                rule_id=rule.id,
                category=rule.category,
                severity=rule.severity,
                status=status,
                title=rule.title.en,
                reason=reason(rule, status, read.facts, by_field, ruleset.vocabulary),
                source=rule.label.en,
            )
        )
    return ScreeningResult.model_construct(
        patient_id=patient_id,
        outcome=outcome_of([item.status for item in items]),
        items=items,
        errors=_errors_out(errors),
        ruleset=_ruleset_ref(ruleset),
        screening_date=read.screening_date,
    )
