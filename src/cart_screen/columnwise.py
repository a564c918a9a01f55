"""Column-wise screening: a chunk of CSV records -> its OUT.csv rows, a column at a time.

The record-by-record path (`batch.screen_records`) reads each record into facts, runs every rule
and writes the row: some 20 µs of Python a record. But a referral list repeats a few spellings per
column, and a rule's status depends only on which side of the rule's thresholds each of its
fields falls. So this path works on whole columns:

1. Each distinct cell text of a field is read once into a *class*: the truth of every comparison
   the ruleset makes with that field (a missing value has the truths the rules give a missing
   one) — or, for a value that cannot be read, its error and the truths of a missing value.
   The fields age is derived from (screening date, date of birth, age in years) keep each value
   a class of its own, and age is a column of its own, read once per combination of those
   classes through the same `FormReader.derive` as every other path.
2. Each rule's status is looked up from its fields' classes, in a table filled the first time a
   combination appears by running the rule's own compiled condition on the classes' values, and
   becomes a bit of the record's code (see _Rule).
3. The cells of each code (outcome, flagged, needs_info) are written once. The advisory checks
   (SPEC §11) make a code of their own the same way, for the advisory columns: never the outcome.

Every step is a map or zip over a column, run in C; Python runs only for what was not seen before.
The rows are the same as the record-by-record path writes — tests compare the two on generated
lists — and that path still serves `--jsonl` (whose reasons quote each record's values) and every
record that is not plain: one that cannot be read, or has no patient id.
"""

from __future__ import annotations

import array
import collections
import datetime as dt
import itertools
import operator
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar, cast

from cart_screen.evaluate import (
    STATUS_OF_TRUTH,
    Judge,
    Predicate,
    Truth,
    advisory_ids,
    judge_for,
    needed,
    phrase,
    reason,
    reason_frame,
    said_of,
)
from cart_screen.form import DERIVED, FIELDS
from cart_screen.i18n import Language
from cart_screen.list_records import Cell, Chunk, Job
from cart_screen.list_summary import Tally
from cart_screen.reading import (
    DERIVE_INPUTS,
    RULE_FIELDS,
    UNREADABLE,
    FieldError,
    FormReader,
    cell_text,
)
from cart_screen.render import csv_cell, spreadsheet_safe
from cart_screen.result import Outcome, Status, error_piece, escaped, item_frame, item_piece
from cart_screen.ruleset import Leaf, Rule, leaves
from cart_screen.values.text import has_control, has_invisible

MEMO_LIMIT = 1 << 16
"""Entries a table (texts, combinations, cells) remembers before it starts afresh."""

CLASS_LIMIT = 1 << 16
"""Classes a column may have (a column of dates has one a day) before the plan starts afresh."""

MEMO_TRIAL = 8_000
"""Records a rule on several columns looks up its combinations for before it judges whether
that pays (with a log: see _Reasons.explained)."""

_ID_BITS = 17
"""Bits a class id takes when several are packed into one int (CLASS_LIMIT fits)."""


def _packed(columns: Sequence[list[int]]) -> list[int]:
    """Each record's class ids in these columns as one int: a smaller key than a tuple."""
    packed = columns[0]
    for shift, column in enumerate(columns[1:], start=1):
        shifted = map(operator.lshift, column, itertools.repeat(_ID_BITS * shift))
        packed = list(map(operator.or_, packed, shifted))
    return packed


def _unpacked(packed: int, count: int) -> list[int]:
    mask = (1 << _ID_BITS) - 1
    return [(packed >> (_ID_BITS * shift)) & mask for shift in range(count)]


_NONE = itertools.repeat(None)
_ONE = itertools.repeat(1)


def nones(values: Sequence[object]) -> Iterator[int]:
    """The positions of the values that are None, found in C (`is None` for each value)."""
    return itertools.compress(range(len(values)), map(operator.is_, _NONE, values))


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _looked_up(table: dict[K, V], keys: Sequence[K], make: Callable[[K], V]) -> list[V]:
    """table[key] for each key, in C; a key not in the table is made once and remembered."""
    found = list(map(table.get, keys))
    if None in found:
        for at in nones(found):
            key = keys[at]
            value = table.get(key)  # the same new key may come twice in a chunk
            if value is None:
                if len(table) >= MEMO_LIMIT:
                    table.clear()
                value = table[key] = make(key)
            found[at] = value
    return found  # type: ignore[return-value]  # no None is left


class Detail(NamedTuple):
    """What the screening log's full result needs beyond a class's truths and error cells (only
    worked out for a job with a log): the errors with the values given, whether the site's
    default filled a blank, how each value was worked out, and — for age — the errors of the
    fields it comes from (the reason of a rule on age names them)."""

    errors: tuple[FieldError, ...] = ()
    defaulted: bool = False
    hows: tuple[Any, ...] = ()
    sources: tuple[FieldError, ...] = ()


Learned = tuple[Mapping[str, Any], tuple[str, ...], Detail]
"""What a text (or combination) reads as: its facts, its error cells (`field: message`), and
the detail the log needs."""

_NO_DETAIL = Detail()

Explain = Callable[[Status, Mapping[str, Any], Mapping[str, FieldError], frozenset[str]], str]
"""An item's own part (result.item_piece) from its status, the facts, errors and defaults."""


class _Column:
    """One column of facts: each distinct text -> a class id; each class's facts and errors.

    A class holds the values whose comparisons (those the rules make with this column) come out
    the same, with the same errors; a column that others are derived from keeps each value apart.
    """

    def __init__(self, learn: Callable[[Any], Learned], *, by_value: bool = False):
        self._learn, self._by_value = learn, by_value
        self._truths: list[Predicate] = []
        self._ids: dict[Any, int] = {}
        self._classes: dict[Hashable, int] = {}
        self.facts: list[tuple[tuple[str, Any], ...]] = []
        """Facts of each class, as (name, value) pairs (a column of dates has one a day)."""
        self.errors: list[tuple[str, ...]] = []
        """Error cells of each class."""
        self.details: list[Detail] = []
        """The log's detail of each class (see Detail)."""
        self.error_ids: set[int] = set()

    def compares(self, predicates: Iterable[Predicate]) -> None:
        """Add the comparisons that rules make with this column's facts."""
        self._truths.extend(predicates)

    def classify(self, texts: Sequence[Any]) -> list[int]:
        """The class id of each text (a new text is read once, then remembered)."""
        return _looked_up(self._ids, texts, self._class_of)

    def errors_into(
        self,
        errors: dict[int, list[str]],
        ids: list[int],
        own: dict[int, list[str]] | None = None,
        of: Sequence[Sequence[str]] = (),
    ) -> None:
        """Add to each record's error cells (by position) those of its class in this column —
        and given `own`, to its own errors what `of` holds for its class (the log's: one pass
        finds the records of a class with errors for both)."""
        for class_id in self.error_ids.intersection(ids):
            cells, at = self.errors[class_id], -1
            pieces = of[class_id] if own is not None else ()
            try:
                while True:  # list.index scans in C for the next record of this class
                    at = ids.index(class_id, at + 1)
                    errors.setdefault(at, []).extend(cells)
                    if own is not None:
                        own.setdefault(at, []).extend(pieces)
            except ValueError:
                pass

    def _class_of(self, text: Any) -> int:
        facts, errors, detail = self._learn(text)
        truths = tuple(truth(facts) for truth in self._truths)
        pairs = tuple(facts.items())
        key = (truths, errors, pairs if self._by_value else (), detail)
        class_id = self._classes.get(key)
        if class_id is None:
            class_id = self._classes[key] = len(self.facts)
            self.facts.append(pairs)
            self.errors.append(errors)
            self.details.append(detail)
            if errors:
                self.error_ids.add(class_id)
        return class_id


class Explained(NamedTuple):
    """A record's own part of its full result, for the screening log (see
    ColumnPlan.screen_explained)."""

    patient_id: str | None
    outcome: Outcome
    items: tuple[str, ...]
    errors: tuple[str, ...]


class OwnParts(NamedTuple):
    """A chunk's records' own parts (Explained), in the form that is cheap to hand over from a
    worker and to number in the log (log/lists.py): each distinct part once, numbered from 0 in
    the order first met — record after record, its items then its errors — and each record's
    parts as those numbers, in one array. A worker's chunk pickled so is a few arrays and the
    distinct texts, not a tuple of thirty-odd texts per record."""

    patient_ids: list[str | None]
    outcomes: list[Outcome]
    parts: list[str]
    """The distinct parts, in the order first met."""
    numbers: array.array[int]
    """Each record's parts' numbers (in `parts`), record after record: its items, its errors."""
    items: list[int]
    """How many items each record has."""
    errors: list[int]
    """How many errors each record has (all 0, as nearly always: empty)."""

    @classmethod
    def of(cls, explained: Sequence[Explained]) -> OwnParts:
        """The records' own parts, numbered (each step a pass in C)."""
        items = list(map(operator.attrgetter("items"), explained))
        errors = list(map(operator.attrgetter("errors"), explained))
        counted = list(map(len, errors))
        said = map(operator.add, items, errors) if any(counted) else items
        flat = list(itertools.chain.from_iterable(said))
        parts = list(dict.fromkeys(flat))
        number = dict(zip(parts, range(len(parts)), strict=True))
        return cls(
            list(map(operator.attrgetter("patient_id"), explained)),
            list(map(operator.attrgetter("outcome"), explained)),
            parts,
            array.array("I", map(number.__getitem__, flat)),
            list(map(len, items)),
            counted if any(counted) else [],
        )

    def explained(self) -> list[Explained]:
        """Each record's own part again (for tests, and for reading it as Explained)."""
        texts = list(map(self.parts.__getitem__, self.numbers))
        errors = self.errors or [0] * len(self.items)
        found, at = [], 0
        for patient_id, outcome, items, own_errors in zip(
            self.patient_ids, self.outcomes, self.items, errors, strict=True
        ):
            end = at + items
            last = end + own_errors
            found.append(
                Explained(patient_id, outcome, tuple(texts[at:end]), tuple(texts[end:last]))
            )
            at = last
        return found


class _Rule:
    """One rule's status from the class ids of the columns it uses, as a bit of a record's code.

    A record's *code* adds up its rules' bits: rule number r adds 1 << r when it needs
    information and 1 << (rules + r) when it is flagged. So the flagged and needs-info cells each
    come from one half of the code, and the count of a rule's bit is the rule's count.
    """

    def __init__(
        self,
        predicate: Predicate,
        columns: Sequence[_Column],
        number: int,
        rules: int,
        explain: Explain | None = None,
    ):
        self._predicate, self._explain = predicate, explain
        self.columns = tuple(columns)
        self.bits: dict[Status, int] = {
            "flagged": 1 << (rules + number),
            "needs_info": 1 << number,
            "clear": 0,
        }
        self._table: dict[int, int] = {}
        """The bit of each combination of classes (packed), for a rule on several columns."""
        self._by_class: list[int] = []
        """The bit of each class, for a rule on one column (class ids count up from 0)."""
        self._bit_by_class: list[int] = []
        """With a log, for a rule on one column: the bit of each class, and its item's own part
        (status and reason)."""
        self._item_by_class: list[str] = []
        self.reasons: _Reasons | None = None
        """With a log, for a rule on several columns: how each record's item is said."""

    def codes(self, ids: Mapping[_Column, list[int]]) -> list[int]:
        """Each record's bit for this rule, given the class ids of each column."""
        if len(self.columns) == 1:
            by_class, classes = self._by_class, len(self.columns[0].facts)
            by_class.extend(map(self._code, range(len(by_class), classes)))
            return list(map(by_class.__getitem__, ids[self.columns[0]]))
        keys = _packed([ids[column] for column in self.columns])
        return _looked_up(self._table, keys, self._code)

    def _code(self, key: int) -> int:
        facts: dict[str, Any] = {}
        class_ids = _unpacked(key, len(self.columns))
        for column, class_id in zip(self.columns, class_ids, strict=True):
            facts.update(column.facts[class_id])
        return self.bits[STATUS_OF_TRUTH[self._predicate(facts)]]

    def explained(self, ids: Mapping[_Column, list[int]]) -> tuple[list[int], list[str]]:
        """With a log: each record's bit, and its item's own part (see result.item_piece) —
        worked out once for each class (a reason quotes the values), or for a rule on several
        columns, put together from what each class says (see _Reasons)."""
        if self.reasons is not None:
            return self.reasons.explained(ids)
        column = self.columns[0]
        bits, items = self._bit_by_class, self._item_by_class
        for class_id in range(len(items), len(column.facts)):
            bit, item = self.item(class_id)
            bits.append(bit)
            items.append(item)
        classes = ids[column]
        return list(map(bits.__getitem__, classes)), list(map(items.__getitem__, classes))

    def item(self, key: int) -> tuple[int, str]:
        """The bit and the item's own part for one combination of classes (packed), said whole."""
        assert self._explain is not None  # a plan for a job with a log gives one
        facts: dict[str, Any] = {}
        errors: dict[str, FieldError] = {}
        defaulted: set[str] = set()
        class_ids = _unpacked(key, len(self.columns)) if len(self.columns) > 1 else [key]
        for column, class_id in zip(self.columns, class_ids, strict=True):
            pairs, detail = column.facts[class_id], column.details[class_id]
            facts.update(pairs)
            # As the record-by-record path keys them: by field, the last one said winning.
            errors.update((e.field, e) for e in detail.sources or detail.errors)
            if detail.defaulted:
                defaulted.update(name for name, _ in pairs)
        status = STATUS_OF_TRUTH[self._predicate(facts)]
        return self.bits[status], self._explain(status, facts, errors, frozenset(defaulted))


_TRUTH_CODES: dict[Truth, int] = {True: 1, False: 2, None: 3}
"""A comparison's truth as two bits of a pattern (see _Reasons)."""


class _Said:
    """One piece of a reason (a comparison's words, or what would resolve a missing fact) for
    each class of the column it is about, escaped as item_piece writes it (result.escaped; None
    for words holding a lone surrogate) — worked out the first time a class needs it."""

    def __init__(self, position: int, say: Callable[[int], str]):
        self.position, self._say = position, say
        self._known: dict[int, str | None] = {}

    def of(self, class_ids: list[int]) -> list[str | None]:
        known = self._known
        for class_id in set(class_ids).difference(known):
            known[class_id] = escaped(self._say(class_id))
        return list(map(known.__getitem__, class_ids))


class _Pattern(NamedTuple):
    """What a rule says for one pattern of its comparisons' truths: its bit, and its item's own
    part as `before + separator.join(pieces) + after`, each piece said by a column's class."""

    bit: int
    before: str
    separator: str
    after: str
    pieces: tuple[_Said, ...]


class _Reasons:
    """With a log, the item of a rule on several columns for each record, without work for each
    combination of values (with a log every value is a class of its own, and the lab values a
    rule combines make a combination nearly every record).

    A reason names comparisons (or missing facts), and which ones depends only on the truth of
    each comparison (Judge.walked); each comparison is on one column, so its truth, its words
    and what would resolve its fact are the column's class's. So a record's *pattern* of truths
    is a sum of its classes' codes, each pattern is worked out once (status, frame, which pieces),
    each piece once per class, and a record's item is its pattern's frame around its classes'
    pieces, joined in C. Escaping JSON text goes character by character, so the item is the
    same text result.item_piece makes of the whole reason — except for words holding a lone
    surrogate, whose records are said whole (item_piece escapes all of such a part).
    """

    def __init__(
        self,
        rule: Rule,
        predicate: Predicate,
        placed: Sequence[tuple[Leaf, _Column]],
        owner: _Rule,
        judge: Judge,
        language: Language,
    ):
        self._rule, self._predicate, self._owner = rule, predicate, owner
        self._judge, self._language = judge, language
        self._columns = owner.columns
        self._leaves = [leaf for leaf, _ in placed]
        self._at = [self._columns.index(column) for _, column in placed]
        self._parts = [judge.part(leaf) for leaf in self._leaves]
        self._truths: list[list[int]] = [[] for _ in self._columns]
        """Each column's classes' codes: the truths of the rule's comparisons on the column."""
        self._patterns: dict[int, _Pattern] = {}
        self._words: dict[tuple[int, bool], _Said] = {}
        self._needed: dict[str, _Said] = {}
        self._texts: dict[str, str] = {}
        """Each item text said, as the one object that stands for it."""
        self._items: dict[int, str] = {}
        self._bits: dict[int, int] = {}
        """The item and the bit of each combination of classes (packed) met."""
        self._met = self._new = 0
        """Records looked up in `_items`, and how many of them were not there."""

    def explained(self, ids: Mapping[_Column, list[int]]) -> tuple[list[int], list[str]]:
        """Each record's bit and item's own part (see _Rule.explained): looked up in C for a
        combination of classes met before (most records: the cardiac rule's columns have a few
        hundred combinations in 100,000 records), worked out from the pieces for the others —
        all of them once most records bring a combination not met before (the hepatic rule's
        lab values), where looking them up first costs more than it saves."""
        classes = [ids[column] for column in self._columns]
        if self._met > MEMO_TRIAL and self._new * 2 > self._met:
            return self._worked_out(classes)
        if len(self._items) > MEMO_LIMIT:
            self._items.clear()
            self._bits.clear()
        keys = _packed(classes)
        items = list(map(self._items.get, keys))
        self._met += len(keys)
        if None in items:
            new = list(nones(items))
            self._new += len(new)
            new_keys = list(map(keys.__getitem__, new))
            bits, made = self._worked_out([list(map(c.__getitem__, new)) for c in classes])
            self._items.update(zip(new_keys, made, strict=True))
            self._bits.update(zip(new_keys, bits, strict=True))
            collections.deque(map(items.__setitem__, new, made), maxlen=0)
        return list(map(self._bits.__getitem__, keys)), cast(list[str], items)

    def _worked_out(self, classes: list[list[int]]) -> tuple[list[int], list[str]]:
        """Each record's bit and item's own part from its classes (one list per column), said
        from the pieces of its pattern of truths."""
        patterns: list[int] = []
        for position, (column, codes) in enumerate(zip(self._columns, self._truths, strict=True)):
            codes.extend(self._code(position, c) for c in range(len(codes), len(column.facts)))
            found = map(codes.__getitem__, classes[position])
            patterns = list(map(operator.or_, patterns, found)) if patterns else list(found)
        count = len(patterns)
        seen = collections.Counter(patterns)
        order = sorted(range(count), key=patterns.__getitem__) if len(seen) > 1 else range(count)
        items: list[str] = [""] * count
        bits: dict[int, int] = {}
        start = 0
        for pattern in sorted(seen):
            where = order[start : start + seen[pattern]]
            start += len(where)
            plan = self._patterns.get(pattern)
            if plan is None:
                plan = self._patterns[pattern] = self._pattern([c[where[0]] for c in classes])
            bits[pattern] = plan.bit
            chosen = [list(map(classes[said.position].__getitem__, where)) for said in plan.pieces]
            # The same classes for every record (columns not in the list, say): one text, one
            # object — pickled once to come back from a worker, hashed once to be numbered.
            alike = all(column.count(column[0]) == len(column) for column in chosen)
            if alike:
                chosen = [column[:1] for column in chosen]
            pieces = [said.of(column) for said, column in zip(plan.pieces, chosen, strict=True)]
            if any(None in piece for piece in pieces):  # a lone surrogate: said whole
                keys = _packed([list(map(c.__getitem__, where)) for c in classes])
                made = [self._owner.item(key)[1] for key in keys]
            elif alike:
                made = _joined(plan, cast(list[list[str]], pieces), 1) * len(where)
            else:  # each text once, as one object (see above)
                made = _joined(plan, cast(list[list[str]], pieces), len(where))
                if len(self._texts) > MEMO_LIMIT:
                    self._texts.clear()
                made = list(map(self._texts.setdefault, made, made))
            collections.deque(map(items.__setitem__, where, made), maxlen=0)
        return list(map(bits.__getitem__, patterns)), items

    def _code(self, position: int, class_id: int) -> int:
        """A class's code: two bits for each of the rule's comparisons on its column."""
        facts = dict(self._columns[position].facts[class_id])
        code = 0
        for number, (part, at) in enumerate(zip(self._parts, self._at, strict=True)):
            if at == position:
                code |= _TRUTH_CODES[part(facts)] << (2 * number)
        return code

    def _pattern(self, class_ids: Sequence[int]) -> _Pattern:
        """What the rule says for the pattern of truths of these classes (one record's)."""
        facts: dict[str, Any] = {}
        for column, class_id in zip(self._columns, class_ids, strict=True):
            facts.update(column.facts[class_id])
        status = STATUS_OF_TRUTH[self._predicate(facts)]
        said, missing = said_of(self._judge, self._rule, status, facts)
        frame = reason_frame(status, self._language)
        start, end = item_frame(status)
        pieces = (
            tuple(self._needs(fact) for fact in missing)
            if status == "needs_info"
            else tuple(self._phrase(leaf, held) for leaf, held in said)
        )
        # the catalogue's text: never a lone surrogate, so never None
        before, separator, after = (escaped(text) or "" for text in frame)
        return _Pattern(self._owner.bits[status], start + before, separator, after + end, pieces)

    def _phrase(self, leaf: Leaf, held: bool) -> _Said:
        number = next(n for n, known in enumerate(self._leaves) if known is leaf)
        found = self._words.get((number, held))
        if found is None:
            position = self._at[number]
            column, judge, language = self._columns[position], self._judge, self._language

            def say(class_id: int) -> str:
                pairs, detail = column.facts[class_id], column.details[class_id]
                defaulted = (
                    frozenset(name for name, _ in pairs) if detail.defaulted else frozenset()
                )
                return phrase(judge, leaf, held, dict(pairs), language, defaulted)

            found = self._words[(number, held)] = _Said(position, say)
        return found

    def _needs(self, fact: str) -> _Said:
        found = self._needed.get(fact)
        if found is None:
            position = next(
                a for leaf, a in zip(self._leaves, self._at, strict=True) if leaf.field == fact
            )
            column, language = self._columns[position], self._language

            def say(class_id: int) -> str:
                # A column's errors are of its own fields (age's: of the fields it comes from),
                # keyed as the record-by-record path keys them: by field, the last one winning.
                detail = column.details[class_id]
                errors = {e.field: e for e in detail.sources or detail.errors}
                return needed(fact, errors, language)

            found = self._needed[fact] = _Said(position, say)
        return found


def _joined(plan: _Pattern, pieces: Sequence[list[str]], count: int) -> list[str]:
    """Each record's item: the pattern's frame around its pieces, joined in C."""
    if not pieces:
        return [plan.before + plan.after] * count
    parts: list[Iterable[str]] = [itertools.repeat(plan.before), pieces[0]]
    for piece in pieces[1:]:
        parts += [itertools.repeat(plan.separator), piece]
    parts.append(itertools.repeat(plan.after))
    return list(map("".join, zip(*parts, strict=False)))  # the repeats never end


# Fields a rule may not use on this path: derive() may drop or fill them in, record by record.
_NOT_COLUMN_WISE = frozenset({"patient_id", *DERIVE_INPUTS}) - frozenset(DERIVED)


class ColumnPlan:
    """How the chunks of one job are screened column-wise (see the module's docstring)."""

    def __init__(self, job: Job):
        self.job = job
        self._rule_ids = tuple(rule.id for rule in job.ruleset.rules)
        self._flagged_least = 1 << len(job.ruleset.rules)
        """The least code with a flagged rule (flagged bits are above the needs-info bits)."""
        self._advisory_ids = advisory_ids(job.ruleset, job.site)
        self._start()

    def _start(self) -> None:
        """Set up the columns and rules, with nothing learned yet."""
        job = self.job
        judge = judge_for(job.ruleset)
        mapped = {name: index for index, name in job.columns.fields if name != "patient_id"}
        # With a log, each value is a class of its own: the full result's reasons quote it.
        logged = job.log
        self._fields = {
            name: _Column(self._reader_of(name), by_value=logged or name in DERIVE_INPUTS)
            for name in FIELDS
        }
        self._derived = _Column(self._derive_key, by_value=logged)
        self._pending: dict[int, int] = {}
        """A chunk's age keys (see _derived_ids), each with the inputs of one record it came from."""
        self._days: dict[_Column, list[int | None]] = {}
        """Each derive input column's classes as a date (yyyymmdd; see _day_numbers)."""
        self._rules = self._plan(job.ruleset.rules, judge.rule_predicates, judge)
        advisory = job.ruleset.advisory if self._advisory_ids else ()
        self._advisory = self._plan(advisory, judge.advisory_predicates, judge)
        self._mapped = [(index, self._fields[name]) for name, index in mapped.items()]
        used = {column for rule in [*self._rules, *self._advisory] for column in rule.columns}
        used.update(self._fields[name] for name in DERIVE_INPUTS)
        self._unmapped = [c for n, c in self._fields.items() if n not in mapped and c in used]
        self._inputs = [self._fields[name] for name in DERIVE_INPUTS]
        self._flagged_cells: dict[int, str] = {}
        """Flagged part of a code -> `flagged,<rule ids>,` ("" for none: then not flagged)."""
        self._needs_cells: dict[bool, dict[int, str]] = {True: {}, False: {}}
        """Whether flagged, then the needs-info part of a code -> the rest of the status cells."""
        self._error_cells: dict[tuple[str, ...], str] = {}
        self._said_errors: dict[_Column, list[tuple[str, ...]]] = {}
        """With a log: each column's classes' errors as the result's `errors` has them."""
        self._advisory_cells: dict[int, str] = {}
        """Advisory code -> `,<advisory flagged ids>,<advisory needs-info ids>`."""

    def _plan(
        self, rules: Sequence[Rule], predicates: Sequence[Predicate], judge: Judge
    ) -> list[_Rule]:
        """Each rule's place in a code, on the columns its comparisons use (with a log, and
        how to say its reason)."""
        planned: list[_Rule] = []
        for number, rule in enumerate(rules):
            columns: list[_Column] = []
            placed: list[tuple[Leaf, _Column]] = []
            for leaf in leaves(rule.flag_when):
                column = self._derived if leaf.field in DERIVED else self._fields[leaf.field]
                column.compares([judge.part(leaf)])
                placed.append((leaf, column))
                if column not in columns:
                    columns.append(column)
            explain = self._explainer(rule) if self.job.log else None
            planned.append(_Rule(predicates[number], columns, number, len(rules), explain))
            if self.job.log and len(columns) > 1:
                language = self.job.language
                planned[-1].reasons = _Reasons(
                    rule, predicates[number], placed, planned[-1], judge, language
                )
        return planned

    def _explainer(self, rule: Rule) -> Explain:
        judge, language = judge_for(self.job.ruleset), self.job.language

        def explain(
            status: Status,
            facts: Mapping[str, Any],
            errors: Mapping[str, FieldError],
            defaulted: frozenset[str],
        ) -> str:
            said = reason(judge, rule, status, facts, errors, language, defaulted)
            return item_piece(status, said)

        return explain

    @staticmethod
    def usable(job: Job) -> bool:
        """Whether this job's rules and outputs allow column-wise screening."""
        return not job.details and not any(
            leaf.field in _NOT_COLUMN_WISE
            for rule in [*job.ruleset.rules, *job.ruleset.advisory]
            for leaf in leaves(rule.flag_when)
        )

    def _reader_of(self, name: str) -> Callable[[str], Learned]:
        reader, language, default = (
            self.job.reader,
            self.job.language,
            self.job.site.defaults.get(name),
        )

        logged = self.job.log

        def learn(text: str) -> Learned:
            ok, read = reader.read_text(name, text)  # the column remembers it
            if not ok:  # given but not read: unknown to the rules (reading.Unreadable)
                facts = {name: UNREADABLE} if name in RULE_FIELDS else {}
                said = read(language)
                if not logged:
                    return facts, (f"{name}: {said}",), _NO_DETAIL
                return (
                    facts,
                    (f"{name}: {said}",),
                    Detail((FieldError(name, cell_text(text), read),)),
                )
            value = default if read is None else read  # only a blank takes the site default
            if not logged:
                return ({} if value is None else {name: value}), (), _NO_DETAIL
            detail = Detail(defaulted=read is None and value is not None, hows=_hows(value))
            return ({} if value is None else {name: value}), (), detail

        return learn

    def _derived_ids(self, ids: Mapping[_Column, list[int]]) -> list[int]:
        """Each record's key for the derived column (age): what its age is derived from.

        Derived whole, that is the record's classes of the screening date, date of birth and
        age in years together (`~packed`, below 0) — nearly one key a record, since each date
        is a class of its own. But where both dates are plain dates (or blank) and the birth is
        not after the screening date, derive() finds the same age, and the same errors, for
        every record with the same age in completed years and age in years: that pair is the
        key (at or above 0; what it stands for is derived from one record it came from:
        _pending). The age is worked out in C from the dates as numbers yyyymmdd: the completed
        years are (screening − birth) // 10000. A date that could not be read is derived whole
        too (derive() works no age out from a date of birth on a screening date not read; with
        a log, its reasons name the errors of the fields age comes from)."""
        inputs = [ids[column] for column in self._inputs]
        packed = _packed(inputs)
        whole = list(map(operator.invert, packed))
        if not packed:
            return whole
        screening, birth, stated = inputs
        day = self.job.as_of or dt.date.today()  # as derive() takes it for a blank
        on_days = list(map(self._day_numbers(self._inputs[0], day).__getitem__, screening))
        born_days = list(map(self._day_numbers(self._inputs[1], None).__getitem__, birth))
        odd: list[int] = []  # records with a date that is not a plain date: derived whole
        if None in on_days or None in born_days:
            either = map(
                operator.or_, map(operator.is_, on_days, _NONE), map(operator.is_, born_days, _NONE)
            )
            odd = list(itertools.compress(range(len(packed)), either))
            on_days = [0 if number is None else number for number in on_days]
            born_days = [0 if number is None else number for number in born_days]
        on, born = cast(list[int], on_days), cast(list[int], born_days)
        # the age in completed years, shifted past the age in years' class and a bit saying
        # a date of birth was given
        ages = map(operator.floordiv, map(operator.sub, on, born), itertools.repeat(10_000))
        keys = list(
            map(
                operator.or_,
                map(operator.lshift, ages, itertools.repeat(_ID_BITS + 1)),
                map(operator.or_, map(operator.lshift, stated, itertools.repeat(1)), _ONE),
            )
        )
        if 0 in born:  # no date of birth: the age in years alone
            for at in itertools.compress(range(len(keys)), map(operator.not_, born)):
                keys[at] = stated[at] << 1
        odd += itertools.compress(range(len(keys)), map(operator.gt, born, on))  # born after
        for at in odd:
            keys[at] = whole[at]
        self._pending = dict(zip(keys, packed, strict=True))
        return keys

    def _day_numbers(self, column: _Column, blank: dt.date | None) -> list[int | None]:
        """Each class of a date column as the number yyyymmdd of its date (`blank`'s, or 0,
        for a blank class), None for a value that is not a plain date or could not be read
        (derived whole: a screening date not read dates no age, see FormReader.derive)."""
        known = self._days.setdefault(column, [])
        for class_id in range(len(known), len(column.facts)):
            day = next((value for _, value in column.facts[class_id]), None)
            if day is UNREADABLE:
                known.append(None)
                continue
            if day is None:
                day = blank
            if day is None:
                known.append(0)
            elif type(day) is dt.date:
                known.append(day.year * 10_000 + day.month * 100 + day.day)
            else:
                known.append(None)
        return known

    def _derive_key(self, key: int) -> Learned:
        """The derived facts of a key of _derived_ids."""
        return self._derive(~key if key < 0 else self._pending[key])

    def _derive(self, packed: int) -> Learned:
        """The derived facts (age) from the values derive() reads, and the errors it finds."""
        values: dict[str, Any] = {}
        sources: list[FieldError] = []
        for column, class_id in zip(
            self._inputs, _unpacked(packed, len(self._inputs)), strict=True
        ):
            # (an unread screening date is kept: derive() works no age out on the run's date)
            values.update(
                (k, v)
                for k, v in column.facts[class_id]
                if v is not UNREADABLE or k == "screening_date"
            )
            sources.extend(column.details[class_id].errors)
        errors: list[FieldError] = []
        ages = self.job.ruleset.book.field("age_years").range
        facts = FormReader.derive(values, errors, self.job.as_of, ages=ages).facts
        language = self.job.language
        cells = tuple(f"{e.field}: {e.message(language)}" for e in errors)
        derived = {name: facts[name] for name in DERIVED if facts.get(name) is not None}
        if not self.job.log:
            return derived, cells, _NO_DETAIL
        found = tuple(errors)
        return (
            derived,
            cells,
            Detail(found, hows=_hows(*derived.values()), sources=(*sources, *found)),
        )

    def screen(self, chunk: Chunk) -> tuple[list[str | None], Tally]:
        """The row of each plain record of the chunk, without its number (None for the other
        records), and their tally.

        Records that cannot be read, or have no patient id, are left to the record-by-record
        path: their rows are None and they are not in the tally.
        """
        rows, tally, _ = self.screen_explained(chunk)
        return rows, tally

    def screen_explained(
        self, chunk: Chunk
    ) -> tuple[list[str | None], Tally, list[Explained | None]]:
        """As `screen`, and with a log each plain record's own part of its full result: its
        patient id and each item's and error's own part (result.item_piece, error_piece), the
        same texts for the same values (None for a record left to the other path)."""
        if any(len(c.facts) > CLASS_LIMIT for c in [*self._fields.values(), self._derived]):
            self._start()
        plain, count = chunk.cells, len(chunk.cells)
        if chunk.problems:  # as blank cells (so no patient id), to be left to the other path
            plain = list(plain)
            for at in chunk.problems:
                plain[at] = [""] * self.job.columns.width
        columns = list(zip(*plain, strict=True)) if count else []
        patient_ids = _patient_ids(columns[self.job.columns.patient_id]) if count else []
        blank = [""] * count

        # 1. classes, and the error cells of each record (field order, then what derive finds)
        # (with a log, and each record's own errors: result.error_piece)
        ids: dict[_Column, list[int]] = {}
        errors: dict[int, list[str]] = {}
        own_errors: dict[int, list[str]] = {}
        own = own_errors if self.job.log else None
        for index, column in self._mapped:
            ids[column] = column.classify(columns[index])
            said = self._error_pieces(column) if self.job.log else ()
            column.errors_into(errors, ids[column], own, said)
        for column in self._unmapped:  # not in the list: blank for every record
            ids[column] = column.classify([""]) * count
        derived = self._derived
        ids[derived] = derived.classify(self._derived_ids(ids))
        said = self._error_pieces(derived) if self.job.log else ()
        derived.errors_into(errors, ids[derived], own, said)

        # 2. each rule's bit of each record's code; 3. the status cells of each code
        explained: list[Explained | None] = []
        bits: list[_Bits]
        advisory_bits: list[_Bits]
        if self.job.log:
            # each record's items: the label's, then the advisory checks' (result.items, then
            # result.advisory, as the log keeps them)
            both = [rule.explained(ids) for rule in self._rules]
            advised = [rule.explained(ids) for rule in self._advisory]
            bits = [rule_bits for rule_bits, _ in both]
            advisory_bits = [rule_bits for rule_bits, _ in advised]
            pieces = [rule_items for _, rule_items in [*both, *advised]]
            items = list(zip(*pieces, strict=True)) if pieces else [()] * count
        else:
            bits = self._codes(self._rules, ids, count)
            advisory_bits = self._codes(self._advisory, ids, count)
        codes = _summed(bits, count)
        flagged = list(map(operator.rshift, codes, itertools.repeat(len(bits))))
        needs = list(map(operator.and_, codes, itertools.repeat((1 << len(bits)) - 1)))
        is_flagged = list(map(bool, flagged))
        first_cells = _looked_up(self._flagged_cells, flagged, self._flagged_cell)
        tables = list(map(self._needs_cells.__getitem__, is_flagged))
        rest_cells = list(map(dict.get, tables, needs))
        if None in rest_cells:
            for at in nones(rest_cells):
                cell = self._needs_cell(is_flagged[at], needs[at])
                rest_cells[at] = tables[at].setdefault(needs[at], cell)

        advisory_codes = _summed(advisory_bits, count)
        advisory_cells = _looked_up(self._advisory_cells, advisory_codes, self._advisory_cell)

        error_cells = blank[:]
        if errors:
            found = _looked_up(self._error_cells, list(map(tuple, errors.values())), _error_cell)
            for at, cell in zip(errors, found, strict=True):
                error_cells[at] = cell
        shown = _shown_ids(patient_ids)
        comma = itertools.repeat(",")
        cells_of_rows = zip(
            shown,
            comma,
            first_cells,
            rest_cells,
            advisory_cells,
            comma,
            error_cells,
            strict=False,  # the commas and line ends repeat without end
        )
        rows: list[str | None] = list(map("".join, cells_of_rows))

        tally = Tally()
        groups = [
            (self._rule_ids, self._rules, bits, codes, tally.outcomes, self._flagged_least),
            (
                self._advisory_ids,
                self._advisory,
                advisory_bits,
                advisory_codes,
                tally.advised,
                1 << len(self._advisory),
            ),
        ]
        for rule_ids, rules, group_bits, group_codes, outcomes, least in groups:
            for rule_id, rule, rule_bits in zip(rule_ids, rules, group_bits, strict=True):
                tally.flagged[rule_id] = _counted(rule_bits, rule.bits["flagged"], count)
                tally.needs_info[rule_id] = _counted(rule_bits, rule.bits["needs_info"], count)
            no_flags = group_codes.count(0)
            flagged_count = sum(map(least.__le__, group_codes))
            outcomes.update(
                flagged=flagged_count,
                needs_info=count - no_flags - flagged_count,
                no_flags=no_flags,
            )
        if not self._advisory_ids:  # the checks did not run: no record counts for them
            tally.advised.clear()
        tally.unread = sum(1 for at in errors if not codes[at] and patient_ids[at])
        if self.job.log:
            # flagged if any flagged bit, else needs info if any other: as _outcome, in C
            either = zip(is_flagged, map(bool, needs), strict=True)
            record_outcomes = map(_OUTCOMES.__getitem__, either)
            record_errors: list[tuple[str, ...]] = [()] * count
            for at, own_said in own_errors.items():
                record_errors[at] = tuple(own_said)
            explained = list(map(Explained, patient_ids, record_outcomes, items, record_errors))
        if "" in patient_ids:  # no patient id, or not readable: left to the other path
            for at in [at for at, pid in enumerate(patient_ids) if not pid]:
                rows[at] = None
                if explained:
                    explained[at] = None
                for rule_ids, rules, group_bits, group_codes, outcomes, least in groups:
                    for rule_id, rule, rule_bits in zip(rule_ids, rules, group_bits, strict=True):
                        bit = rule_bits if isinstance(rule_bits, int) else rule_bits[at]
                        tally.flagged[rule_id] -= bit == rule.bits["flagged"]
                        tally.needs_info[rule_id] -= bit == rule.bits["needs_info"]
                    if self._advisory_ids or outcomes is tally.outcomes:
                        outcomes[_outcome(group_codes[at], least)] -= 1
            patient_ids = list(filter(None, patient_ids))
        tally.patient_ids.extend(patient_ids)
        return rows, tally, explained

    def _codes(
        self, rules: Sequence[_Rule], ids: Mapping[_Column, list[int]], count: int
    ) -> list[_Bits]:
        """Each rule's bit of each record's code — or, for a rule on columns the list does not
        have (blank for every record: most advisory checks), its one bit for all of them."""
        unmapped = set(self._unmapped)
        return [
            rule.codes({c: ids[c][:1] for c in rule.columns})[0]
            if count and unmapped.issuperset(rule.columns)
            else rule.codes(ids)
            for rule in rules
        ]

    def _error_pieces(self, column: _Column) -> list[tuple[str, ...]]:
        """Each class's errors as the result's `errors` has them (result.error_piece)."""
        language = self.job.language
        known = self._said_errors.setdefault(column, [])
        known.extend(
            tuple(error_piece(e.field, e.value, e.message(language)) for e in detail.errors)
            for detail in column.details[len(known) :]
        )
        return known

    def _advisory_cell(self, code: int) -> str:
        """`,<advisory flagged ids>,<advisory needs-info ids>` for an advisory code."""
        count = len(self._advisory)
        flagged, needs = code >> count, code & ((1 << count) - 1)
        return f",{_names(self._advisory_ids, flagged)},{_names(self._advisory_ids, needs)}"

    def _flagged_cell(self, code: int) -> str:
        """`flagged,<rule ids>,` for the flagged part of a code; nothing when none is flagged."""
        if not code:
            return ""
        return f"flagged,{self._names(code)},"

    def _needs_cell(self, is_flagged: bool, code: int) -> str:
        """The rest of the status cells: the needs-info ids, after the outcome when not flagged."""
        if is_flagged:
            return self._names(code)
        return f"needs_info,,{self._names(code)}" if code else "no_flags,,"

    def _names(self, code: int) -> str:
        return _names(self._rule_ids, code)


_Bits = list[int] | int
"""A rule's bit of each record's code, or the one bit of every record's (see ColumnPlan._codes)."""


def _summed(bits: Sequence[_Bits], count: int) -> list[int]:
    """Each record's code: the sum of its rules' bits."""
    constant = sum(b for b in bits if isinstance(b, int))
    varying = [b for b in bits if not isinstance(b, int)]
    if not varying:
        return [constant] * count
    codes = list(map(sum, zip(*varying, strict=True)))
    return list(map(constant.__add__, codes)) if constant else codes


def _counted(bits: _Bits, bit: int, count: int) -> int:
    """How many of the records have this bit for the rule."""
    if isinstance(bits, int):
        return count if bits == bit else 0
    return bits.count(bit)


def _names(rule_ids: Sequence[str], code: int) -> str:
    """The ids of the rules whose bits a code (or one half of it) has, joined by `;`."""
    return ";".join(rule_id for n, rule_id in enumerate(rule_ids) if code >> n & 1)


_OUTCOMES: dict[tuple[bool, bool], Outcome] = {
    (True, True): "flagged",
    (True, False): "flagged",
    (False, True): "needs_info",
    (False, False): "no_flags",
}
"""The outcome of a record, by whether a rule is flagged and whether one needs information."""


def _outcome(code: int, flagged_least: int) -> Outcome:
    """The outcome of a code: flagged from the least flagged bit up, else needs info if any."""
    if code >= flagged_least:
        return "flagged"
    return "needs_info" if code else "no_flags"


def _hows(*values: Any) -> tuple[Any, ...]:
    """How each value was worked out, where it says (values.text.Measured, Shown): two values
    equal as numbers may have been worked out from different lab values."""
    return tuple(getattr(value, "how", None) for value in values)


def _patient_ids(cells: Sequence[Cell]) -> list[str]:
    """Each record's patient id; "" (left to the record-by-record path, which says why) for a
    workbook's cell that is not text (a date, an error cell) or an id holding a control
    character."""
    try:
        ids = list(map(str.strip, cells))  # type: ignore[arg-type]  # all text, almost always
        texts: Sequence[str] = cells  # type: ignore[assignment]
    except TypeError:
        ids = [cell.strip() if isinstance(cell, str) else "" for cell in cells]
        texts = [cell if isinstance(cell, str) else "" for cell in cells]
    # The cell as it is: str.strip() takes off control characters too (\x1c-\x1f, \x85),
    # which the reader refuses in an id that is not blank; and it leaves the invisible ones
    # (a zero-width space, a byte-order mark), which the reader takes off or refuses.
    joined = "".join(texts)
    if has_control(joined) or has_invisible(joined):
        odd = [has_control(text) or has_invisible(text) for text in texts]
        return ["" if bad else pid for bad, pid in zip(odd, ids, strict=True)]
    return ids


def _error_cell(said: tuple[str, ...]) -> str:
    # SPEC §5 joins the errors with "; " in every language (as render.BatchRows does).
    return csv_cell(spreadsheet_safe("; ".join(said)))


_FORMULA_STARTS = ("\n=", "\n+", "\n-", "\n@", "\n\t", "\n\r")
"""After a line break: the starts of a cell a spreadsheet would run as a formula."""


def _shown_ids(patient_ids: list[str]) -> list[str]:
    """The patient id cells: as they are, unless one needs quoting or a leading `'`."""
    lines = "\n" + "\n".join(patient_ids)
    plain = (
        lines.count("\n") == len(patient_ids)  # no id holds a line break
        and '"' not in lines
        and "," not in lines
        and "\r" not in lines
        and not any(map(lines.__contains__, _FORMULA_STARTS))
    )
    return patient_ids if plain else [csv_cell(spreadsheet_safe(pid)) for pid in patient_ids]
