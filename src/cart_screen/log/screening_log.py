"""The screening log itself: record screenings and decisions, read a patient's history back.

Everything is inserted, nothing updated or deleted (the database refuses both). A screening is
stored whole: the form as read, the result JSON, the ruleset's and site file's fingerprints, the
screening date, when it was recorded (UTC), where from (check / form / web / batch, with the list's
file name and row) and by whom (the OS user, or the web page's user: see web_log.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RowMapping

from cart_screen.i18n import M, Said
from cart_screen.log.store import CommitUnconfirmed, LogError, engine_for, migrate, reported
from cart_screen.log.tables import decisions, list_parts, screened_lists, screenings
from cart_screen.result import Outcome, ScreeningResult, joined_result
from cart_screen.values.text import control_problem

SourceKind = Literal["check", "form", "web", "batch"]
Decision = Literal["proceed", "not_now", "more_info"]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""What a text column cannot hold (PostgreSQL refuses NUL; neither stores a lone surrogate):
shown as U+FFFD in the patient id column. The form and result JSON keep them escaped."""


def now() -> dt.datetime:
    """The time a row is recorded: UTC."""
    return dt.datetime.now(dt.UTC)


def as_json(value: Any) -> str:
    """Compact JSON text that both engines store as it is (control characters escaped; a lone
    surrogate, from bytes that did not decode, escaped too)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), default=str)
    return text


def storable_id(patient_id: str | None) -> str | None:
    return None if patient_id is None else _UNSTORABLE.sub("\ufffd", patient_id)


def storable_ids(patient_ids: list[str | None]) -> list[str | None]:
    """Each id as storable_id has it (looked at in one pass when none needs a change)."""
    if _UNSTORABLE.search("".join(filter(None, patient_ids))) is None:
        return patient_ids
    return list(map(storable_id, patient_ids))


@dataclass(frozen=True)
class Source:
    """Where a screening came from and who asked for it."""

    kind: SourceKind
    who: str
    file: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class Screening:
    """One stored screening, as read back."""

    id: int
    patient_id: str | None
    outcome: Outcome
    screening_date: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    source: SourceKind
    source_file: str | None
    source_row: int | None
    ruleset_id: str
    ruleset_sha256: str
    site_sha256: str | None
    language: str
    form: dict[str, Any]
    result: dict[str, Any]

    @property
    def statuses(self) -> dict[str, str]:
        """Each rule id's status, in ruleset order; a screening of a list keeps only those that
        were not clear (see lists.py)."""
        if self.list_stored:
            return dict(self.result.get("statuses", {}))
        return {item["rule_id"]: item["status"] for item in self.result.get("items", [])}

    @property
    def list_stored(self) -> bool:
        """Whether this screening came from a list and keeps statuses, not the reasons' words."""
        return self.result.get("stored") == "statuses"

    @property
    def open_items(self) -> list[str]:
        """The rule ids flagged, then those that need info."""
        statuses = self.statuses
        return [r for r, s in statuses.items() if s == "flagged"] + [
            r for r, s in statuses.items() if s == "needs_info"
        ]


@dataclass(frozen=True)
class DecisionMade:
    """One physician's decision, against the screening it was made on."""

    id: int
    screening_id: int
    patient_id: str
    decision: Decision
    physician: str
    note: str | None
    decided_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class PatientLine:
    """A patient on the worklist: the latest screening and the latest decision, if any."""

    latest: Screening
    decision: DecisionMade | None
    screenings: int


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite gives back the UTC time without its zone; PostgreSQL with it.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _screening(row: RowMapping, lists: _ListResults | None = None) -> Screening:
    if row["list_id"] is not None and lists is not None:
        form, result = lists.joined(row)
    else:
        form, result = json.loads(row["form"]), json.loads(row["result"])
    return Screening(
        id=row["id"],
        patient_id=row["patient_id"],
        outcome=row["outcome"],
        screening_date=row["screening_date"],
        recorded_at=_utc(row["recorded_at"]),
        recorded_by=row["recorded_by"],
        source=row["source"],
        source_file=row["source_file"],
        source_row=row["source_row"],
        ruleset_id=row["ruleset_id"],
        ruleset_sha256=row["ruleset_sha256"],
        site_sha256=row["site_sha256"],
        language=row["language"],
        form=form,
        result=result,
    )


_PARTS_AT_ONCE = 900
"""Part numbers asked for in one query (SQLite allows 32,766 parameters; kept well below)."""


class _ListResults:
    """Puts the results of a list's screenings together again (see lists.py): loads what their
    list shares and the parts they name, once per read."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.lists: dict[int, tuple[dict[str, Any], list[str]]] = {}
        self.parts: dict[int, dict[int, dict[str, Any]]] = {}

    def screenings(self, rows: Sequence[RowMapping]) -> list[Screening]:
        """The screenings of these rows, list screenings with their results whole."""
        self._load([row for row in rows if row["list_id"] is not None])
        return [_screening(row, self) for row in rows]

    def _load(self, rows: Sequence[RowMapping]) -> None:
        wanted: dict[int, set[int]] = {}
        for row in rows:
            own = json.loads(row["result"])
            wanted.setdefault(row["list_id"], set()).update(own["items"], own["errors"])
        new = [list_id for list_id in wanted if list_id not in self.lists]
        if new:
            found = self.connection.execute(
                sa.select(screened_lists).where(screened_lists.c.id.in_(new))
            ).mappings()
            for listed in found:
                self.lists[listed["id"]] = (
                    json.loads(listed["shared"]),
                    json.loads(listed["fields"]),
                )
        for list_id, numbers in wanted.items():
            known = self.parts.setdefault(list_id, {})
            missing = sorted(numbers.difference(known))
            for start in range(0, len(missing), _PARTS_AT_ONCE):
                parts = self.connection.execute(
                    sa.select(list_parts.c.number, list_parts.c.part).where(
                        list_parts.c.list_id == list_id,
                        list_parts.c.number.in_(missing[start : start + _PARTS_AT_ONCE]),
                    )
                )
                known.update((number, json.loads(part)) for number, part in parts)

    def joined(self, row: RowMapping) -> tuple[dict[str, Any], dict[str, Any]]:
        """A list screening's form (by column name) and full result JSON."""
        shared, fields = self.lists[row["list_id"]]
        parts = self.parts[row["list_id"]]
        own = json.loads(row["result"])
        cells = json.loads(row["form"])
        form = dict(zip(fields, cells, strict=True)) if isinstance(cells, list) else cells
        result = joined_result(
            shared,
            own.get("patient_id", row["patient_id"]),
            row["outcome"],
            row["screening_date"].isoformat(),
            [parts[number] for number in own["items"]],
            [parts[number] for number in own["errors"]],
        )
        return form, result


def _decision(row: RowMapping) -> DecisionMade:
    return DecisionMade(
        id=row["id"],
        screening_id=row["screening_id"],
        patient_id=row["patient_id"],
        decision=row["decision"],
        physician=row["physician"],
        note=row["note"],
        decided_at=_utc(row["decided_at"]),
        recorded_by=row["recorded_by"],
    )


def result_row(
    result: ScreeningResult, form: Mapping[str, Any], source: Source, at: dt.datetime
) -> dict[str, Any]:
    """The row that stores one screening whole."""
    site = result.site
    return {
        "patient_id": storable_id(result.patient_id),
        "outcome": result.outcome,
        "screening_date": result.screening_date,
        "recorded_at": at,
        "recorded_by": source.who,
        "source": source.kind,
        "source_file": source.file,
        "source_row": source.row,
        "ruleset_id": result.ruleset.id,
        "ruleset_sha256": result.ruleset.sha256,
        "site_sha256": site.sha256 if site is not None else None,
        "language": result.language,
        "form": as_json(dict(form)),
        "result": as_json(result.model_dump(mode="json")),
    }


_ROWS_AT_ONCE = 500
"""Rows one INSERT stores: a chunk of a list in one statement (on SQLite six values a row and the
nine all rows share, bound once; on PostgreSQL 15 a row: well within SQLite's 32,766 and
PostgreSQL's 65,535 parameters to a statement). The driver lets go of the GIL for each statement
and the storing thread then waits to have it back from the thread that screens: one statement to
a chunk's screenings rather than five."""


@functools.cache
def _value_lists(marker: str, alike: int, count: int, rows: int) -> str:
    """`(…), (…)` for `rows` rows of `alike` values bound once (?1…?alike, in every row) and
    `count` of their own."""
    if not alike:
        return ", ".join([f"({', '.join([marker] * count)})"] * rows)
    first = [f"?{number}" for number in range(1, alike + 1)]
    return ", ".join(
        f"({', '.join([*first, *(f'?{alike + row * count + n}' for n in range(1, count + 1))])})"
        for row in range(rows)
    )


_LIST_COLUMNS = ("patient_id", "outcome", "screening_date", "source_row", "form", "result")

ListRow = tuple[str | None, str, str, int, str, str]
"""A list's screening as lists.py stores it: patient id, outcome, screening date (ISO), row,
form (its cells) and result (the numbers of its own parts)."""


class ScreeningLog:
    """A screening log opened on one database; see the module docstring."""

    def __init__(self, engine: Engine, where: str):
        self.engine, self.where = engine, where
        self._file: tuple[int, int] | None = None
        """A SQLite log's file (device and inode) once open (None: a database server's)."""

    def _identity(self) -> tuple[int, int] | None:
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        try:
            found = Path(database).stat()
        except OSError:
            return (-1, -1)  # not there (any more)
        return (found.st_dev, found.st_ino)

    def still_there(self) -> None:
        """Raise LogError if a SQLite log's file was removed or replaced since it was opened:
        what is recorded then goes to a file no one will read (deleted) or another one."""
        if self._file is not None and self._identity() != self._file:
            raise LogError(M.LOG_FILE_GONE.both(where=self.where))

    @classmethod
    def open(cls, target: str, *, existing: bool = False) -> ScreeningLog:
        """Open (and on first use create) the log at a file path or database URL; `existing`:
        a SQLite file must be there already (reading a log never makes one)."""
        engine, where = engine_for(target, existing=existing)
        log = cls(engine, where)
        try:
            with reported(where):
                migrate(engine, where)
        except BaseException:
            engine.dispose()
            raise
        log._file = log._identity()  # the file as made or found
        return log

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ScreeningLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------ writing

    def record(self, result: ScreeningResult, form: Mapping[str, Any], source: Source) -> int:
        """Store one screening whole; its id."""
        row = result_row(result, form, source, now())
        with reported(self.where), self.engine.begin() as connection:
            return int(
                connection.execute(
                    screenings.insert().values(row).returning(screenings.c.id)
                ).scalar_one()
            )

    def record_list_rows(
        self,
        list_id: int | None,
        list_shared: tuple[str, str],
        fixed: Mapping[str, Any],
        at: dt.datetime,
        parts: Sequence[tuple[int, str]],
        rows: Sequence[ListRow],
    ) -> int | None:
        """Store a chunk of a list in one transaction (see lists.py): the list itself first
        (`list_shared`: what its results share, its column names) unless `list_id` says it is
        stored, the parts met for the first time (number, text), and the screenings, with what
        they have alike (`fixed`) and each one's ListRow. The list's id.

        Straight to the driver, with values in the form each engine stores (a list's hundred
        thousand rows through SQLAlchemy's per-row processing cost twice the screening), many
        rows to an INSERT: SQLite runs an INSERT's CHECK of a value against a list (`outcome IN
        (…)`) by building a table of the list each time the statement runs, which for a row at a
        time (executemany) doubled what storing a row costs.
        """
        if not rows:
            return list_id
        with reported(self.where), self.engine.connect() as connection:
            transaction = connection.begin()  # rolled back as the connection closes, unless
            if list_id is None:
                shared, fields = list_shared
                list_id = int(
                    connection.execute(
                        screened_lists.insert()
                        .values(recorded_at=at, shared=shared, fields=fields)
                        .returning(screened_lists.c.id)
                    ).scalar_one()
                )
            sqlite = connection.dialect.name == "sqlite"
            marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"

            def insert(
                table: str,
                names: Sequence[str],
                values: Sequence[tuple[Any, ...]],
                alike: tuple[Any, ...] = (),
            ) -> None:
                """Many rows to a statement; `alike` (SQLite only): the first columns' values,
                the same for every row, bound once to a statement as ?1…?n."""
                count = len(names) - len(alike)
                start = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                for first in range(0, len(values), _ROWS_AT_ONCE):
                    some = values[first : first + _ROWS_AT_ONCE]
                    connection.exec_driver_sql(
                        start + _value_lists(marker, len(alike), count, len(some)),
                        (*alike, *itertools.chain.from_iterable(some)),
                    )

            if parts:
                insert("list_parts", ("list_id", "number", "part"), [(list_id, *p) for p in parts])
            names = [*fixed, "list_id", "recorded_at", *_LIST_COLUMNS]
            if sqlite:
                when = at.strftime("%Y-%m-%d %H:%M:%S.%f")
                insert("screenings", names, rows, (*fixed.values(), list_id, when))
            else:
                day = dt.date.fromisoformat
                head = (*fixed.values(), list_id, at)
                values = [(*head, p, o, day(d), n, f, r) for p, o, d, n, f, r in rows]
                insert("screenings", names, values)
            try:
                with reported(self.where):
                    transaction.commit()
            except LogError as exc:  # the server may have committed and the answer been lost
                raise CommitUnconfirmed(exc.said) from exc
        return list_id

    def decide(
        self,
        patient_id: str,
        decision: Decision,
        physician: str,
        who: str,
        note: str | None = None,
        screening_id: int | None = None,
    ) -> DecisionMade:
        """Record a decision against a screening of the patient (default: the latest)."""
        for name, text in (("physician", physician), ("note", note or "")):
            problem = control_problem(text)
            if problem is not None:
                raise RefusedText(Said(f"{name}: {problem.en}", f"{name}：{problem.zh}"))
        with reported(self.where), self.engine.begin() as connection:
            query = sa.select(screenings.c.id).where(screenings.c.patient_id == patient_id)
            if screening_id is not None:
                query = query.where(screenings.c.id == screening_id)
            on = connection.execute(query.order_by(screenings.c.id.desc()).limit(1)).scalar()
            if on is None:
                raise UnknownPatient(patient_id)
            row = {
                "screening_id": on,
                "patient_id": patient_id,
                "decision": decision,
                "physician": physician,
                "note": note or None,
                "decided_at": now(),
                "recorded_by": who,
            }
            made = connection.execute(
                decisions.insert().values(row).returning(decisions.c.id)
            ).scalar_one()
        return DecisionMade(id=int(made), **row)

    # ------------------------------------------------------------ reading

    def _read(self) -> Connection:
        return self.engine.connect()

    def screening(self, screening_id: int) -> Screening | None:
        with reported(self.where), self._read() as connection:
            row = (
                connection.execute(sa.select(screenings).where(screenings.c.id == screening_id))
                .mappings()
                .first()
            )
            return _ListResults(connection).screenings([row])[0] if row is not None else None

    def history(self, patient_id: str) -> tuple[list[Screening], list[DecisionMade]]:
        """Every screening and decision of one patient, oldest first; UnknownPatient if none."""
        with reported(self.where), self._read() as connection:
            found = connection.execute(
                sa.select(screenings)
                .where(screenings.c.patient_id == patient_id)
                .order_by(screenings.c.id)
            ).mappings()
            done = _ListResults(connection).screenings(found.all())
            made = connection.execute(
                sa.select(decisions)
                .where(decisions.c.patient_id == patient_id)
                .order_by(decisions.c.id)
            ).mappings()
            decided = [_decision(row) for row in made]
        if not done:
            raise UnknownPatient(patient_id)
        return done, decided

    def worklist(self, outcome: Outcome | None = None) -> list[PatientLine]:
        """One line per patient: the latest screening, how many, and the latest decision."""
        latest = (
            sa.select(
                sa.func.max(screenings.c.id).label("id"),
                sa.func.count().label("count"),
            )
            .where(screenings.c.patient_id.is_not(None))
            .group_by(screenings.c.patient_id)
            .subquery()
        )
        last_decision = (
            sa.select(sa.func.max(decisions.c.id))
            .group_by(decisions.c.patient_id)
            .scalar_subquery()
        )
        query = (
            sa.select(screenings, latest.c.count)
            .join(latest, latest.c.id == screenings.c.id)
            .order_by(screenings.c.id.desc())
        )
        if outcome is not None:
            query = query.where(screenings.c.outcome == outcome)
        with reported(self.where), self._read() as connection:
            rows = connection.execute(query).mappings().all()
            made = connection.execute(
                sa.select(decisions).where(decisions.c.id.in_(last_decision))
            ).mappings()
            by_patient = {row["patient_id"]: _decision(row) for row in made}
            done = _ListResults(connection).screenings(rows)
        return [
            PatientLine(screening, by_patient.get(row["patient_id"]), row["count"])
            for row, screening in zip(rows, done, strict=True)
        ]

    def everything(self) -> Iterator[Screening | DecisionMade]:
        """Every screening and decision, in the order they were recorded (for export)."""
        with reported(self.where), self._read() as connection:
            lists = _ListResults(connection)
            found = (
                screening
                for rows in connection.execution_options(stream_results=True, yield_per=1000)
                .execute(sa.select(screenings).order_by(screenings.c.id))
                .mappings()
                .partitions()
                for screening in lists.screenings(rows)
            )
            made = [
                _decision(row)
                for row in connection.execute(
                    sa.select(decisions).order_by(decisions.c.id)
                ).mappings()
            ]
            pending = iter(made)
            decision = next(pending, None)
            for screening in found:
                # A decision comes after the screening it was made on, and after every
                # screening recorded before it.
                while decision is not None and (
                    decision.decided_at < screening.recorded_at
                    and decision.screening_id < screening.id
                ):
                    yield decision
                    decision = next(pending, None)
                yield screening
            if decision is not None:
                yield decision
            yield from pending


class RefusedText(LogError):
    """A decision's physician or note holding a control character (no value may hold one)."""


class UnknownPatient(LogError):
    """No screening of this patient is in the log."""

    def __init__(self, patient_id: str):
        super().__init__(M.LOG_UNKNOWN_PATIENT.both(patient=patient_id))
        self.patient_id = patient_id
