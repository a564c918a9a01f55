"""Recording a referral list in the screening log: one transaction per chunk, as it is screened.

A list's screening is stored as its results file has it — each item's status that is not clear,
every value that could not be read — with the record's form as read and screening date (the
result JSON says `"stored": "statuses"`; the reasons' words are what `check` gives for that form).
Building each record's full result would cost ten times the screening itself (issue 11 allows
the log half again), so the chunk's OUT.csv rows are read back instead: the statuses, the errors
and the outcome are all there; the patient id, date and form come from the records themselves
(batch.forms_as_read, in the process that screened them).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from cart_screen.i18n import Language
from cart_screen.log.screening_log import ScreeningLog, Source, as_json, now, storable_id
from cart_screen.ruleset import Ruleset
from cart_screen.site import Site


class ListRecorder:
    """Stores each chunk of a list's results in the log, in one transaction per chunk."""

    def __init__(
        self, log: ScreeningLog, source: Source, ruleset: Ruleset, site: Site, language: Language
    ):
        self.log, self.source = log, source
        self.recorded = 0
        self._shared = {
            "recorded_by": source.who,
            "source": source.kind,
            "source_file": source.file,
            "ruleset_id": ruleset.id,
            "ruleset_sha256": ruleset.sha256,
            "site_sha256": None if site.empty else site.sha256,
            "language": language,
        }
        self._statuses: dict[tuple[str, str], str] = {}
        self._errors: dict[str, str] = {"": "[]"}

    def add(self, rows: str, forms: Sequence[tuple[str | None, str, str]]) -> None:
        """Store a chunk: its OUT.csv rows (as batch writes them) and each record's patient id,
        screening date and form as read (batch.forms_as_read)."""
        stored = [
            (
                storable_id(patient_id),
                cells[2],
                day,
                int(cells[0]),
                form,
                self._result(cells[2], cells[3], cells[4], cells[5]),
            )
            for cells, (patient_id, day, form) in zip(
                csv.reader(io.StringIO(rows, newline="")), forms, strict=True
            )
        ]
        self.log.record_list_rows(self._shared, now(), stored)
        self.recorded += len(stored)

    def _result(self, outcome: str, flagged: str, needs_info: str, errors: str) -> str:
        statuses = self._statuses.get((flagged, needs_info))
        if statuses is None:
            found = dict.fromkeys(flagged.split(";") if flagged else (), "flagged")
            found.update(dict.fromkeys(needs_info.split(";") if needs_info else (), "needs_info"))
            statuses = self._statuses[(flagged, needs_info)] = json.dumps(found)
        said = self._errors.get(errors)
        if said is None:
            parts = (e.partition(": ") for e in errors.split("; "))
            said = as_json([{"field": field, "message": message} for field, _, message in parts])
            if len(self._errors) < 4096:
                self._errors[errors] = said
        return (
            f'{{"stored":"statuses","outcome":"{outcome}","statuses":{statuses},"errors":{said}}}'
        )
