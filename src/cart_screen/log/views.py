"""What the log commands and pages show: the worklist, a patient's history, the diff between
the last two screenings, and the export rows — as data (JSON) and as text, in either language.

Texts quoting what a form held (ids, values, notes) are passed through `printable` by whoever
puts them on a terminal or page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cart_screen.i18n import Language, M, Msg
from cart_screen.log.screening_log import DecisionMade, PatientLine, Screening
from cart_screen.reading import normalize_key
from cart_screen.render import printable
from cart_screen.result import NOTICE

STATUS_WORDS: dict[str, Msg] = {
    "flagged": M.LOG_FLAGGED,
    "needs_info": M.LOG_NEEDS_INFO,
    "clear": M.LOG_CLEAR,
    "": M.LOG_NOT_SCREENED,
}
OUTCOME_WORDS: dict[str, Msg] = {
    "flagged": M.LOG_FLAGGED,
    "needs_info": M.LOG_NEEDS_INFO,
    "no_flags": M.LOG_NO_FLAGS,
    "error": M.LOG_ERROR,
}
DECISION_WORDS: dict[str, Msg] = {
    "proceed": M.DECISION_PROCEED,
    "not_now": M.DECISION_NOT_NOW,
    "more_info": M.DECISION_MORE_INFO,
}


def when(moment: dt.datetime) -> str:
    """A recorded time as people read it: UTC to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


# ---------------------------------------------------------------- list


def worklist_json(lines: Sequence[PatientLine]) -> list[dict[str, Any]]:
    return [
        {
            "patient_id": line.latest.patient_id,
            "screening_id": line.latest.id,
            "screened_at": iso(line.latest.recorded_at),
            "outcome": line.latest.outcome,
            "open_items": line.latest.open_items,
            "screenings": line.screenings,
            "decision": decision_json(line.decision) if line.decision else None,
        }
        for line in lines
    ]


def worklist_text(lines: Sequence[PatientLine], language: Language) -> str:
    """One line per patient. What came from the input (an id, a name, a note, a value) is
    shown escaped here (render.printable), where a line is put together: an id holding a line
    break would otherwise forge a line of its own."""
    if not lines:
        return M.LOG_EMPTY(language) + "\n"
    out = []
    for line in lines:
        latest = line.latest
        out.append(
            M.LOG_LIST_LINE(
                language,
                patient=printable(latest.patient_id or ""),
                id=latest.id,
                at=when(latest.recorded_at),
                outcome=OUTCOME_WORDS[latest.outcome](language),
                open=M.LIST_SEPARATOR(language).join(latest.open_items)
                or M.LOG_OPEN_NONE(language),
                decision=decision_line(line.decision, language, latest.id),
            )
        )
    return "\n".join(out) + "\n"


def decision_line(
    decision: DecisionMade | None, language: Language, latest: int | None = None
) -> str:
    """The decision as a line; said to be earlier than the patient's `latest` screening when it
    was made on another (a decision on last week's data is no decision on today's)."""
    if decision is None:
        return M.LOG_NO_DECISION(language)
    line = M.LOG_DECISION_LINE(
        language,
        decision=DECISION_WORDS[decision.decision](language),
        physician=printable(decision.physician),
        at=when(decision.decided_at),
        id=decision.screening_id,
    )
    if latest is not None and decision.screening_id != latest:
        line += f" — {M.LOG_DECISION_EARLIER(language)}"
    return line


# ---------------------------------------------------------------- show


def decision_json(decision: DecisionMade) -> dict[str, Any]:
    return {
        "screening_id": decision.screening_id,
        "decision": decision.decision,
        "physician": decision.physician,
        "note": decision.note,
        "decided_at": iso(decision.decided_at),
        "recorded_by": decision.recorded_by,
    }


def screening_json(screening: Screening) -> dict[str, Any]:
    result = screening.result
    return {
        "id": screening.id,
        "screened_at": iso(screening.recorded_at),
        "screening_date": screening.screening_date.isoformat(),
        "outcome": screening.outcome,
        "ruleset": result.get("ruleset") or {"sha256": screening.ruleset_sha256},
        "site": {"sha256": screening.site_sha256} if screening.site_sha256 else None,
        "items": result.get("items", []),
        "errors": result.get("errors", []),
        "source": {
            "kind": screening.source,
            "file": screening.source_file,
            "row": screening.source_row,
        },
        "recorded_by": screening.recorded_by,
        "form": screening.form,
        "notice": result.get("notice"),
    }


def history_json(
    patient_id: str, screenings: Sequence[Screening], decisions: Sequence[DecisionMade]
) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "screenings": [screening_json(s) for s in screenings],
        "decisions": [decision_json(d) for d in decisions],
    }


def source_text(screening: Screening, language: Language) -> str:
    if screening.source_file is None:
        return screening.source
    return M.LOG_SOURCE_ROW(
        language,
        source=screening.source,
        file=printable(screening.source_file),
        row=screening.source_row,
    )


def history_text(
    screenings: Sequence[Screening], decisions: Sequence[DecisionMade], language: Language
) -> str:
    """Every screening and decision, oldest first, each under the one before it."""
    events: list[tuple[dt.datetime, int, list[str]]] = []
    for s in screenings:
        lines = [
            M.LOG_SCREENING_LINE(
                language,
                id=s.id,
                at=when(s.recorded_at),
                source=source_text(s, language),
                who=printable(s.recorded_by),
                date=s.screening_date.isoformat(),
                outcome=OUTCOME_WORDS[s.outcome](language),
                sha=s.ruleset_sha256[:12],
            )
        ]
        if s.open_items:
            items = M.LIST_SEPARATOR(language).join(
                f"{r} ({STATUS_WORDS[s.statuses[r]](language)})" for r in s.open_items
            )
            lines.append("  " + M.LOG_OPEN_ITEMS(language, items=items))
        errors = s.result.get("errors") or []
        if errors:
            said = printable(
                M.SEPARATOR(language).join(f"{e['field']}: {e['message']}" for e in errors)
            )
            lines.append("  " + M.LOG_ERRORS(language, errors=said))
        events.append((s.recorded_at, 0, lines))
    for d in decisions:
        lines = [
            M.LOG_DECISION_SHOWN(
                language,
                id=d.id,
                at=when(d.decided_at),
                decision=DECISION_WORDS[d.decision](language),
                physician=printable(d.physician),
                screening=d.screening_id,
                who=printable(d.recorded_by),
            )
        ]
        if d.note:
            lines.append("  " + M.LOG_NOTE(language, note=printable(d.note)))
        events.append((d.decided_at, 1, lines))
    events.sort(key=lambda event: (event[0], event[1]))
    return "\n".join(line for _, _, lines in events for line in lines) + "\n"


# ---------------------------------------------------------------- diff


@dataclass(frozen=True)
class Change:
    """A rule whose status changed, or a field whose value (as read) changed."""

    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Diff:
    """What changed between two screenings of one patient."""

    patient_id: str
    before: Screening
    after: Screening
    changes: list[Change]
    fields: list[Change]


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The form's values as read, by field name; a blank is not a value."""
    values = {}
    for key, value in form.items():
        text = "" if value is None else str(value).strip()
        if text:
            values[normalize_key(key)] = text
    return values


def diff(patient_id: str, before: Screening, after: Screening) -> Diff:
    """Each changed status (rule ids in the later screening's order) and each changed value."""
    old, new = before.statuses, after.statuses
    order = list(new) + [r for r in old if r not in new]
    changes = [Change(r, old.get(r), new.get(r)) for r in order if old.get(r) != new.get(r)]
    old_values, new_values = form_values(before.form), form_values(after.form)
    names = list(new_values) + [f for f in old_values if f not in new_values]
    fields = [
        Change(f, old_values.get(f), new_values.get(f))
        for f in names
        if old_values.get(f) != new_values.get(f)
    ]
    return Diff(patient_id, before, after, changes, fields)


def diff_json(found: Diff) -> dict[str, Any]:
    return {
        "patient_id": found.patient_id,
        "from": found.before.id,
        "to": found.after.id,
        "changes": [{"rule_id": c.name, "from": c.before, "to": c.after} for c in found.changes],
        "fields": [{"field": c.name, "from": c.before, "to": c.after} for c in found.fields],
    }


def diff_lines(
    found: Diff, rule_fields: Mapping[str, Iterable[str]], language: Language
) -> Iterator[str]:
    """The diff as a note: 'precaution.cardiac: needs info → flagged (lvef_percent: — → 35)';
    `rule_fields` names each rule's fields, so that a value is said beside the status it moved."""
    missing = M.LOG_NOT_RECORDED_VALUE(language)
    by_field = {c.name: c for c in found.fields}
    said: set[str] = set()

    def value(change: Change) -> str:
        before, after = printable(change.before or missing), printable(change.after or missing)
        return f"{printable(change.name)}: {before} → {after}"

    for change in found.changes:
        moved = [by_field[f] for f in rule_fields.get(change.name, ()) if f in by_field]
        said.update(c.name for c in moved)
        because = f" ({M.SEPARATOR(language).join(value(c) for c in moved)})" if moved else ""
        before = STATUS_WORDS[change.before or ""](language)
        after = STATUS_WORDS[change.after or ""](language)
        yield f"{change.name}: {before} → {after}{because}"
    rest = [c for c in found.fields if c.name not in said]
    if rest:
        yield M.LOG_ALSO_CHANGED(language)
        for change in rest:
            yield f"  {value(change)}"
    if not found.changes and not found.fields:
        yield M.LOG_NO_CHANGES(language)
    before_rules, after_rules = found.before.ruleset_sha256, found.after.ruleset_sha256
    if before_rules != after_rules:  # a status may have moved with the rules, not the patient
        yield M.LOG_RULES_CHANGED(language, before=before_rules[:12], after=after_rules[:12])


def diff_text(found: Diff, rule_fields: Mapping[str, Iterable[str]], language: Language) -> str:
    head = M.LOG_DIFF_HEAD(
        language,
        patient=printable(found.patient_id),
        before=found.before.id,
        before_at=when(found.before.recorded_at),
        after=found.after.id,
        after_at=when(found.after.recorded_at),
    )
    return "\n".join([head, *diff_lines(found, rule_fields, language)]) + "\n"


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = (
    "kind",
    "id",
    "patient_id",
    "at_utc",
    "by",
    "source",
    "source_file",
    "source_row",
    "screening_date",
    "outcome",
    "flagged",
    "needs_info",
    "errors",
    "ruleset_sha256",
    "site_sha256",
    "screening_id",
    "decision",
    "physician",
    "note",
    "form",
    "notice",
)
"""The export's columns: one row per screening (kind `screening`) or decision (`decision`), in
the order they were recorded; a decision's `screening_id` is the screening it was made on."""


def export_rows(events: Iterable[Screening | DecisionMade]) -> Iterator[list[str]]:
    """The export's rows (all text), in the order of EXPORT_COLUMNS."""
    import json

    for event in events:
        if isinstance(event, DecisionMade):
            yield [
                "decision", str(event.id), event.patient_id, iso(event.decided_at),
                event.recorded_by, "", "", "", "", "", "", "", "", "", "",
                str(event.screening_id), event.decision, event.physician, event.note or "", "",
                NOTICE,
            ]  # fmt: skip
            continue
        statuses = event.statuses
        errors = event.result.get("errors") or []
        yield [
            "screening",
            str(event.id),
            event.patient_id or "",
            iso(event.recorded_at),
            event.recorded_by,
            event.source,
            event.source_file or "",
            "" if event.source_row is None else str(event.source_row),
            event.screening_date.isoformat(),
            event.outcome,
            ";".join(r for r, s in statuses.items() if s == "flagged"),
            ";".join(r for r, s in statuses.items() if s == "needs_info"),
            "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            event.ruleset_sha256,
            event.site_sha256 or "",
            "",
            "",
            "",
            "",
            json.dumps(event.form, ensure_ascii=False),
            event.result.get("notice") or NOTICE,
        ]
