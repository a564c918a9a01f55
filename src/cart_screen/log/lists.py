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

The parts come from the screening itself (columnwise.ColumnPlan.screen_explained says each
reason from what each value says; batch.explained_of for the other records), in the process that
screened the chunk, which also numbers the chunk's distinct parts (columnwise.OwnParts: a worker
hands over each part once and the records' parts as numbers in an array). Here each distinct
part of a chunk is given its number in the list, and the records' numbers are mapped to those.

The chunks are stored from a thread of their own, in order, as they are handed over (add): the
database drivers let go of the GIL while the database works and while SQLite waits for the disk
at each commit (synchronous=FULL), so the list goes on being screened meanwhile. At most AHEAD
chunks wait; `recorded` counts the screenings committed, exact once the thread has ended (finish,
stop).
"""

from __future__ import annotations

import itertools
import json
import operator
import queue
import threading
from collections.abc import Iterable, Sequence
from typing import cast

from cart_screen.columnwise import OwnParts, nones
from cart_screen.evaluate import shared_of
from cart_screen.i18n import Language
from cart_screen.log.screening_log import ListRow, ScreeningLog, Source, as_json, now, storable_ids
from cart_screen.log.store import CommitUnconfirmed
from cart_screen.ruleset import Ruleset
from cart_screen.site import Site

PARTS_REMEMBERED = 1 << 18
"""Distinct parts the recorder keeps numbers for; past it a part met again is stored again."""

AHEAD = 8
"""Chunks handed over that may wait to be stored (about a block of the parallel path's)."""

_Handed = tuple[Iterable[int], Sequence[tuple[str | None, str, str]], OwnParts]


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
        self._waiting: queue.Queue[_Handed | None] = queue.Queue(AHEAD)
        self._thread: threading.Thread | None = None
        self._ended = threading.Event()
        """Set by the storing thread as it ends, after its last commit."""
        self._failure: Exception | None = None
        """What stopped the storing: raised by the next add, or by finish."""
        self._dropping = False
        self._ending = False
        """Whether the thread has been told to end (once)."""
        self._storing = 0
        """The screenings of the chunk being stored (0: none)."""
        self.in_doubt = 0
        """Screenings whose storing the run stopped waiting for (see stop): the log may hold
        them or not."""
        self.unconfirmed = 0
        """Screenings whose transaction's COMMIT failed (CommitUnconfirmed): the database may
        have committed them, and the answer been lost."""

    def add(
        self,
        numbers: Iterable[int],
        forms: Sequence[tuple[str | None, str, str]],
        own: OwnParts,
    ) -> None:
        """Hand a chunk over to be stored (see store) once those before it are; raises what
        stopped the storing of one before it (a LogError)."""
        if self._failure is not None:
            raise self._failure
        if self._thread is None:
            self._ended = threading.Event()
            self._thread = threading.Thread(target=self._store_handed, name="log", daemon=True)
            self._ending = False
            self._thread.start()
        self._waiting.put((numbers, forms, own))

    def finish(self) -> None:
        """Wait until every chunk handed over is stored; raises what stopped the storing."""
        self.stop(keep=True)
        if self._failure is not None:
            raise self._failure

    def stop(self, *, keep: bool, wait: float | None = None) -> None:
        """End the storing thread: once the chunks handed over are stored (`keep`), or once the
        one being stored is (the others are dropped). `recorded` is then exact — unless the
        database has not answered within `wait` seconds (a server frozen, a lock never let go):
        then the screenings being stored are `in_doubt`, and the thread is left to end with the
        process."""
        thread = self._thread
        if thread is None:
            return
        self._dropping = self._dropping or not keep
        try:
            if not self._ending:
                # never waits long: the thread takes chunks until it meets this
                self._waiting.put(None, timeout=wait)
                self._ending = True
            # Forgotten only once it has ended: a stop that cuts this wait short (Ctrl-C while
            # the chunks are stored) comes back here, and the count is read after the last commit.
            # (Not Thread.join: before Python 3.13 a join cut short by KeyboardInterrupt can mark
            # the thread as ended while it still stores — and the count is read too soon.)
            self._ended.wait(wait)
        except queue.Full:
            pass
        if not self._ended.is_set():
            self.in_doubt = self._storing
            return
        self._thread = None

    def _store_handed(self) -> None:
        try:
            self._store_until_told()
        finally:
            self._ended.set()  # after the last commit

    def _store_until_told(self) -> None:
        while (handed := self._waiting.get()) is not None:
            if self._failure is None and not self._dropping:
                self._storing = len(handed[1])
                try:
                    self.store(*handed)
                except CommitUnconfirmed as exc:
                    self.unconfirmed = self._storing
                    self._failure = exc
                except Exception as exc:  # told in the main thread; the rest is not stored
                    self._failure = exc
                finally:
                    self._storing = 0

    def columns(self, names: Sequence[str]) -> None:
        """The form's column names, in the order each record's cells are stored."""
        self._fields = as_json(list(names))

    def store(
        self,
        numbers: Iterable[int],
        forms: Sequence[tuple[str | None, str, str]],
        own: OwnParts,
    ) -> None:
        """Store a chunk now, in one transaction: each record's row number, its patient id,
        screening date and form as read (batch.forms_as_read), and its result's own part
        (Explained, numbered in the chunk: OwnParts)."""
        known = self._numbers
        if len(known) > PARTS_REMEMBERED:
            known.clear()
        # Each distinct part's number in the list: those met for the first time numbered in the
        # order met (record after record, its items then its errors), as own.parts has them.
        numbered = list(map(known.get, own.parts))
        new: list[tuple[int, str]] = []
        if None in numbered:
            for at in nones(numbered):
                count = self._next + len(new)
                numbered[at] = known[own.parts[at]] = str(count)
                new.append((count, own.parts[at]))
        texts = cast(list[str], numbered)
        middles = _middles(list(map(texts.__getitem__, own.numbers)), own.items, own.errors)
        said = map("".join, zip(_START, middles, _END, strict=False))  # the others repeat
        ids = own.patient_ids
        shown_ids = storable_ids([patient_id for patient_id, _, _ in forms])
        if ids != shown_ids:  # the id as screened, where the column cannot hold it
            said = map(_with_id, said, ids, shown_ids)
        outcomes = own.outcomes
        days = map(operator.itemgetter(1), forms)
        cells = map(operator.itemgetter(2), forms)
        rows: list[ListRow] = list(
            zip(shown_ids, outcomes, days, numbers, cells, said, strict=False)
        )
        self._list_id = self.log.record_list_rows(
            self._list_id, (self._shared, self._fields), self._fixed, now(), new, rows
        )
        self._next += len(new)
        self.recorded += len(rows)


_START = itertools.repeat('{"items":[')
_BETWEEN = '],"errors":['
_END = itertools.repeat("]}")


def _middles(numbers: list[str], items: list[int], errors: list[int]) -> Iterable[str]:
    """Each record's `<its items' numbers>],"errors":[<its errors' numbers>`, from the numbers
    of every record's parts in order (its items, then its errors) and how many of each it has
    (`errors` empty: none)."""
    sizes = set(items)
    if len(sizes) == 1 and not errors:  # as nearly always: joined in C
        size = sizes.pop()
        if not size:
            return itertools.repeat(_BETWEEN, len(items))
        joined = map(",".join, zip(*[iter(numbers)] * size, strict=True))
        return map(operator.add, joined, itertools.repeat(_BETWEEN))
    middles, at = [], 0
    for own_items, own_errors in zip(items, errors or [0] * len(items), strict=True):
        end = at + own_items
        last = end + own_errors
        middles.append(f"{','.join(numbers[at:end])}{_BETWEEN}{','.join(numbers[end:last])}")
        at = last
    return middles


def _with_id(said: str, patient_id: str | None, shown: str | None) -> str:
    """A record's result with the id as screened, where the column cannot hold it."""
    if patient_id == shown:
        return said
    return f'{said[:-1]},"patient_id":{json.dumps(patient_id)}}}'
