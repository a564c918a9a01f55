"""Recording a referral list in the screening log: one transaction per chunk, as it is screened.

A list's screening is stored whole, as `check` stores one — the form as read and the full result
JSON — but without writing out again, record after record, what the results of a list say alike.
Once per list (`screened_lists`): the notice, ruleset, language, site, each item's rule id,
category, severity, title, source and note (evaluate.shared_of), and the form's column names.
Once per list and distinct text (`list_parts`): each part a result has of its own — an item's
status and reason, an error (result.item_piece, error_piece), numbered as first met. Per record
(`screenings`): the patient id, outcome, screening date, row, the form's cells in column order,
and its result as the numbers of its parts. Reading a screening back puts the result JSON
together again (result.joined_result), equal to what `screen()` gives for the form as read.

The parts come from the screening itself (columnwise.ColumnPlan.screen_explained works each
reason out once per combination of values; batch.explained_of for the other records), in the
process that screened the chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from cart_screen.columnwise import Explained
from cart_screen.evaluate import shared_of
from cart_screen.i18n import Language
from cart_screen.log.screening_log import ListRow, ScreeningLog, Source, as_json, now, storable_ids
from cart_screen.ruleset import Ruleset
from cart_screen.site import Site

PARTS_REMEMBERED = 1 << 18
"""Distinct parts the recorder keeps numbers for; past it a part met again is stored again."""


class ListRecorder:
    """Stores each chunk of a list's results in the log, in one transaction per chunk."""

    def __init__(
        self, log: ScreeningLog, source: Source, ruleset: Ruleset, site: Site, language: Language
    ):
        self.log, self.source = log, source
        self.recorded = 0
        self._fixed = {
            "recorded_by": source.who,
            "source": source.kind,
            "source_file": source.file,
            "ruleset_id": ruleset.id,
            "ruleset_sha256": ruleset.sha256,
            "site_sha256": None if site.empty else site.sha256,
            "language": language,
        }
        self._shared = as_json(shared_of(ruleset, language, site))
        self._fields = "[]"
        self._list_id: int | None = None
        self._numbers: dict[str, str] = {}
        """Each part's number (as text) in this list."""
        self._next = 0

    def columns(self, names: Sequence[str]) -> None:
        """The form's column names, in the order each record's cells are stored."""
        self._fields = as_json(list(names))

    def add(
        self,
        numbers: Iterable[int],
        forms: Sequence[tuple[str | None, str, str]],
        explained: Sequence[Explained],
    ) -> None:
        """Store a chunk: each record's row number, its patient id, screening date and form as
        read (batch.forms_as_read), and its result's own part (Explained)."""
        known = self._numbers
        if len(known) > PARTS_REMEMBERED:
            known.clear()
        new: list[tuple[int, str]] = []
        number_of = known.__getitem__

        def numbered(parts: tuple[str, ...]) -> str:
            try:
                return ",".join(map(number_of, parts))
            except KeyError:  # a part met for the first time: numbered in the order met
                for part in parts:
                    if part not in known:
                        count = self._next + len(new)
                        known[part] = str(count)
                        new.append((count, part))
                return ",".join(map(number_of, parts))

        rows: list[ListRow] = []
        shown_ids = storable_ids([patient_id for patient_id, _, _ in forms])
        for number, (_, day, form), own, shown in zip(
            numbers, forms, explained, shown_ids, strict=False
        ):
            items = numbered(own.items)
            errors = numbered(own.errors) if own.errors else ""
            said = f'{{"items":[{items}],"errors":[{errors}]'
            if own.patient_id != shown:  # the id as screened, where the column cannot hold it
                said += ',"patient_id":' + json.dumps(own.patient_id)
            rows.append((shown, own.outcome, day, number, form, said + "}"))
        self._list_id = self.log.record_list_rows(
            self._list_id, (self._shared, self._fields), self._fixed, now(), new, rows
        )
        self._next += len(new)
        self.recorded += len(rows)
