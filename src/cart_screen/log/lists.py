"""Recording a referral list in the screening log: one transaction per chunk, as it is screened.

A list's screenings are stored as its results file has them — each item's status, every value
that could not be read — with the record's form as read; the reasons' words are what `check`
gives for that form. Building each record's full result would cost ten times the screening
itself (issue 11 allows the log 1.5×), so the chunk's OUT.csv rows are read back instead: the
statuses, the errors and the patient id are all there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence

from cart_screen.i18n import Language, M
from cart_screen.log.screening_log import ScreeningLog, Source, as_json, now, storable_id
from cart_screen.result import Outcome
from cart_screen.ruleset import Ruleset
from cart_screen.site import Site


class ListRecorder:
    """Stores each chunk of a list's results in the log, in one transaction per chunk."""

    def __init__(
        self,
        log: ScreeningLog,
        source: Source,
        ruleset: Ruleset,
        site: Site,
        language: Language,
        day: dt.date,
    ):
        self.log, self.source, self.language = log, source, language
        self.rule_ids = tuple(rule.id for rule in ruleset.rules)
        self.recorded = 0
        # What every result of this list shares, as JSON text, once.
        self._ruleset_json = json.dumps(
            {"id": ruleset.id, "label_revision": str(ruleset.meta.label_revision),
             "sha256": ruleset.sha256},
            ensure_ascii=False,
        )  # fmt: skip
        settings = None if site.empty else {"name": site.name, "sha256": site.sha256}
        self._site_json = json.dumps(settings, ensure_ascii=False, default=str)
        self._notice_json = json.dumps(M.NOTICE(language), ensure_ascii=False)
        self._fixed = {
            "recorded_by": source.who,
            "source": source.kind,
            "source_file": source.file,
            "ruleset_id": ruleset.id,
            "ruleset_sha256": ruleset.sha256,
            "site_sha256": None if site.empty else site.sha256,
            "language": language,
        }
        self._day = day
        self._items: dict[tuple[str, str], str] = {}

    def add(self, rows: str, forms: Sequence[tuple[str | None, str]]) -> None:
        """Store a chunk: its OUT.csv rows (as batch writes them) and each record's patient id
        and form as read (JSON text), as batch.forms_as_read gives them."""
        at = now()
        stored = []
        for cells, (patient_id, form) in zip(
            csv.reader(io.StringIO(rows, newline="")), forms, strict=True
        ):
            number, _, outcome, flagged, needs_info, errors = cells[:6]
            stored.append(
                {
                    **self._fixed,
                    "patient_id": storable_id(patient_id),
                    "outcome": outcome,
                    "screening_date": self._day,
                    "recorded_at": at,
                    "source_row": int(number),
                    "form": form,
                    "result": self._result(outcome, flagged, needs_info, errors),  # type: ignore[arg-type]
                }
            )
        self.log.record_rows(stored)
        self.recorded += len(stored)

    def _result(self, outcome: Outcome, flagged: str, needs_info: str, errors: str) -> str:
        key = (flagged, needs_info) if outcome != "error" else ("", "error")
        items = self._items.get(key)
        if items is None:
            items = self._items[key] = self._items_json(outcome, flagged, needs_info)
        said = [
            {"field": field, "message": message}
            for field, _, message in (e.partition(": ") for e in errors.split("; ") if e)
        ]
        return (
            f'{{"outcome":"{outcome}","items":{items},"errors":{as_json(said)},'
            f'"notice":{self._notice_json},"ruleset":{self._ruleset_json},'
            f'"screening_date":"{self._day.isoformat()}","language":"{self.language}",'
            f'"site":{self._site_json},"stored":"statuses"}}'
        )

    def _items_json(self, outcome: str, flagged: str, needs_info: str) -> str:
        if outcome == "error":
            return "[]"
        status = dict.fromkeys(self.rule_ids, "clear")
        status.update(dict.fromkeys(flagged.split(";") if flagged else (), "flagged"))
        status.update(dict.fromkeys(needs_info.split(";") if needs_info else (), "needs_info"))
        return json.dumps([{"rule_id": r, "status": s} for r, s in status.items()])
