"""What a screen produces: one item per rule, the outcome, the errors, the notice, the fingerprint."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from cart_screen.i18n import Language, M

Status = Literal["flagged", "needs_info", "clear"]
Outcome = Literal["flagged", "needs_info", "no_flags", "error"]
Severity = Literal["exclusion", "caution", "advisory"]

NOTICE = M.NOTICE("en")
"""SPEC §4: carried by every result, in every output; no setting removes it (in Chinese: zh)."""


class _Value(BaseModel):
    # Built on first validation or JSON dump: results are constructed from checked values.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Item(_Value):
    """One rule's finding for one patient."""

    rule_id: str
    category: Literal["indication", "contraindication", "precaution", "interaction", "advisory"]
    severity: Severity
    status: Status
    title: str
    reason: str
    source: str
    note: str | None = None
    """What the coordinator should know beside the status (the rule file's note), if any."""


class FieldErrorOut(_Value):
    """A value that could not be read; it counted as missing."""

    field: str
    value: str | bool | int | float | None
    message: str


class RulesetRef(_Value):
    """Which rules produced a result, down to the bytes of the files loaded."""

    id: str
    label_revision: dt.date
    sha256: str


class SiteRef(_Value):
    """Which site settings a result was screened with: they change how values are read."""

    name: str | None
    """The site file's name, or None when the settings came from options alone."""
    sha256: str | None
    """The site file's sha256, as `sha256sum` prints it."""
    settings: dict[str, Any]
    """The settings in force: site-field defaults and the lab's upper limits of normal."""


class ScreeningResult(_Value):
    """One patient's checklist (SPEC §4)."""

    patient_id: str | None
    outcome: Outcome
    items: list[Item]
    advisory: list[Item] = []
    """SPEC §11: the advisory checks from the pivotal trials (rule ids `advisory.*`), in file
    order — not part of the label, and never part of the outcome."""
    advisory_checked: bool = False
    """Whether the advisory checks ran (a site file with `advisory: off` leaves them out)."""
    errors: list[FieldErrorOut]
    notice: str = NOTICE
    ruleset: RulesetRef
    screening_date: dt.date
    language: Language = "en"
    """The language of the human texts (titles, reasons, citations, messages, the notice)."""
    site: SiteRef | None = None
    """The site settings used (`--site`, `--icu-available`), or None when there were none."""

    def with_status(self, status: Status) -> list[Item]:
        """The items of one status, in ruleset order."""
        return [item for item in self.items if item.status == status]

    def advisory_with_status(self, status: Status) -> list[Item]:
        """The advisory items of one status, in file order."""
        return [item for item in self.advisory if item.status == status]


def outcome_of(statuses: Sequence[Status]) -> Outcome:
    """SPEC §4: flagged if any item is flagged; else needs_info if any needs info; else no_flags."""
    if "flagged" in statuses:
        return "flagged"
    if "needs_info" in statuses:
        return "needs_info"
    return "no_flags"


# ---------------------------------------------------------------- a result in shared and own parts

_json_string: Callable[[str], str] = json.encoder.encode_basestring
"""A str as a JSON string, in C (non-ASCII kept, as piece_text keeps it)."""

SHARED_ITEM_KEYS = ("rule_id", "category", "severity", "title", "source", "note")
"""What an item says whatever the patient: the same for every record of a list."""


def piece_text(value: Mapping[str, Any]) -> str:
    """One part of a result (an item's status and reason, or an error) as compact JSON text: the
    same content gives the same text, so a list stores each once (control characters and a lone
    surrogate from bytes that did not decode are escaped)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text


def item_piece(status: str, reason: str) -> str:
    """What an item says of one patient: its status and the reason (as piece_text writes it,
    through the json module's C string encoder: a list has one for each rule and record)."""
    said = escaped(reason)
    if said is None:  # a lone surrogate, from bytes that did not decode
        return piece_text({"status": status, "reason": reason})
    before, after = item_frame(status)
    return before + said + after


def item_frame(status: str) -> tuple[str, str]:
    """What comes before and after the reason in an item's own part: item_piece(status, reason)
    is `before + escaped(reason) + after` wherever escaped(reason) is not None."""
    return f'{{"status":"{status}","reason":"', '"}'


def escaped(text: str) -> str | None:
    """A text as item_piece writes it inside its JSON string (C's string encoder, without the
    quotes) — or None for one holding a lone surrogate, for which item_piece escapes the whole
    part. It escapes character by character, so the escaped pieces of a text, joined, are the
    escaped text."""
    said = _json_string(text)
    return said[1:-1] if _encodable(said) else None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def error_piece(field: str, value: Any, message: str) -> str:
    """A value of one patient that could not be read, as the result's `errors` list has it."""
    return piece_text({"field": field, "value": value, "message": message})


def shared_part(result: Mapping[str, Any]) -> dict[str, Any]:
    """What a result JSON holds that is the same for every record of a list screened alike:
    the notice, ruleset, language, site, and each item but its status and reason."""
    return {
        "notice": result["notice"],
        "ruleset": result["ruleset"],
        "language": result["language"],
        "site": result["site"],
        "items": [{key: item[key] for key in SHARED_ITEM_KEYS} for item in result["items"]],
        "advisory": [
            {key: item[key] for key in SHARED_ITEM_KEYS} for item in result.get("advisory", [])
        ],
        "advisory_checked": result.get("advisory_checked", False),
    }


def joined_result(
    shared: Mapping[str, Any],
    patient_id: str | None,
    outcome: str,
    screening_date: str,
    items: Sequence[Mapping[str, Any]],
    errors: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The full result JSON (SPEC §4, as `screen()` gives it) from its shared part and one
    record's own: each item's status and reason (none for an `error` outcome), its errors."""
    rules, advisory = shared["items"], shared.get("advisory", [])
    screened = outcome != "error"  # an error has no items, label or advisory

    def joined(
        shared_items: Sequence[Mapping[str, Any]], own_items: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        return [
            {
                "rule_id": rule["rule_id"],
                "category": rule["category"],
                "severity": rule["severity"],
                "status": own["status"],
                "title": rule["title"],
                "reason": own["reason"],
                "source": rule["source"],
                "note": rule["note"],
            }
            for rule, own in zip(shared_items, own_items, strict=True)
        ]

    # A record's own items are the label's, then the advisory checks' (as batch keeps them).
    label_items = joined(rules, items[: len(rules)]) if screened else []
    advisory_items = joined(advisory, items[len(rules) :]) if screened else []
    return {
        "patient_id": patient_id,
        "outcome": outcome,
        "items": label_items,
        "advisory": advisory_items,
        "advisory_checked": screened and bool(shared.get("advisory_checked", False)),
        "errors": [dict(error) for error in errors],
        "notice": shared["notice"],
        "ruleset": shared["ruleset"],
        "screening_date": screening_date,
        "language": shared["language"],
        "site": shared["site"],
    }
