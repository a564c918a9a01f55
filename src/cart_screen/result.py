"""What a screen produces: one item per rule, the outcome, the errors, the notice, the fingerprint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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
