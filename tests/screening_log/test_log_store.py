"""The log's storage on both engines: migrations from empty, append-only enforced by the database,
the SQLite file's mode and journal, and a database that is down or locked (one clear message)."""

from __future__ import annotations

import signal
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cart_screen import screen
from cart_screen.columnwise import Explained, OwnParts
from cart_screen.log import store
from cart_screen.log.lists import ListRecorder
from cart_screen.log.screening_log import ScreeningLog, Source
from cart_screen.log.store import LogError
from cart_screen.result import item_piece
from cart_screen.ruleset import default_ruleset
from cart_screen.site import NO_SITE

FORM = {"patient_id": "S-1", "lvef_percent": "35"}


def a_log_with_one_of_each(target: str) -> ScreeningLog:
    """A log with a screening, a decision and a list of one screening (so a row in each table)."""
    log = ScreeningLog.open(target)
    log.record(screen(FORM, as_of="2026-11-27"), FORM, Source("check", "tester"))
    log.decide("S-1", "more_info", "Dr Li", "tester")
    recorder = ListRecorder(
        log, Source("batch", "tester", "l.csv"), default_ruleset(), NO_SITE, "en"
    )
    recorder.columns(["patient_id"])
    rules = default_ruleset()
    items = len(rules.rules) + len(rules.advisory)  # the label's, then the advisory checks'
    parts = Explained("L-1", "needs_info", (item_piece("needs_info", "Needs data."),) * items, ())
    recorder.store([1], [("L-1", "2026-11-27", '["L-1"]')], OwnParts.of([parts]))
    return log


def test_migrations_build_the_log_from_an_empty_database_and_a_second_open_changes_nothing(
    log_target: str,
) -> None:
    with ScreeningLog.open(log_target) as log:
        inspector = sa.inspect(log.engine)
        assert set(TABLES) | {"alembic_version"} <= set(inspector.get_table_names())
        with log.engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert version.scalars().all() == ["0002"]
    with ScreeningLog.open(log_target) as log, log.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1


TABLES = ("screenings", "decisions", "screened_lists", "list_parts")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE screenings SET outcome = 'no_flags'",
        "DELETE FROM screenings",
        "UPDATE decisions SET decision = 'proceed'",
        "DELETE FROM decisions",
        # An upsert rewrites a recorded row (SQLite: without firing the delete trigger).
        "INSERT OR REPLACE INTO screenings SELECT * FROM screenings",
        "INSERT OR REPLACE INTO decisions SELECT * FROM decisions",
        "INSERT INTO screenings SELECT * FROM screenings WHERE true ON CONFLICT (id) DO UPDATE "
        "SET outcome = 'no_flags'",
        "INSERT INTO decisions SELECT * FROM decisions WHERE true ON CONFLICT (id) DO UPDATE "
        "SET decision = 'proceed'",
        "UPDATE screened_lists SET shared = '{}'",
        "DELETE FROM screened_lists",
        "UPDATE list_parts SET part = '{}'",
        "DELETE FROM list_parts",
        "INSERT OR REPLACE INTO screened_lists SELECT * FROM screened_lists",
        "INSERT OR REPLACE INTO list_parts SELECT * FROM list_parts",
    ],
)
def test_the_database_refuses_to_change_delete_or_replace_what_is_recorded(
    log_target: str, statement: str
) -> None:
    if "OR REPLACE" in statement and not log_target.endswith(".db"):
        pytest.skip("INSERT OR REPLACE is SQLite's; PostgreSQL's upsert is ON CONFLICT")
    with a_log_with_one_of_each(log_target) as log:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), log.engine.begin() as c:
            c.exec_driver_sql(statement)
        screenings, decisions = log.history("S-1")
        assert [s.outcome for s in screenings] == ["flagged"]
        assert [d.decision for d in decisions] == ["more_info"]
        listed = log.history("L-1")[0][0].result
        assert [item["reason"] for item in listed["items"]] == ["Needs data."] * 12


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE decisions",
        "TRUNCATE screenings CASCADE",
        "TRUNCATE list_parts",
        "TRUNCATE screened_lists CASCADE",
    ],
)
def test_postgresql_refuses_truncate(postgres: object, tmp_path: Path, statement: str) -> None:
    target = postgres.create_database(f"truncate_{abs(hash(statement))}")  # type: ignore[attr-defined]
    with a_log_with_one_of_each(target) as log:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), log.engine.begin() as c:
            c.exec_driver_sql(statement)
        assert len(log.history("S-1")[0]) == 1


def test_the_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    target = tmp_path / "screening.db"
    with a_log_with_one_of_each(str(target)) as log, log.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    for companion in tmp_path.glob("screening.db-*"):
        assert stat.S_IMODE(companion.stat().st_mode) == 0o600


def test_a_database_that_is_down_is_one_clear_message(postgres: object, tmp_path: Path) -> None:
    down = f"postgresql+psycopg://postgres:secret@/nowhere?host={tmp_path}&port=5999"
    with pytest.raises(LogError) as caught:
        ScreeningLog.open(down)
    said = caught.value.said.en
    assert "cannot be used" in said
    assert "secret" not in said
    assert "\n" not in said
    with pytest.raises(LogError, match="cannot be used"):
        ScreeningLog.open(str(tmp_path / "no-such-folder" / "screening.db"))


def test_a_sqlite_log_locked_too_long_is_one_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = str(tmp_path / "screening.db")
    ScreeningLog.open(target).close()
    monkeypatch.setattr(store, "BUSY_SECONDS", 0.2)
    holder = ScreeningLog.open(target)
    waiting = ScreeningLog.open(target)
    # BEGIN IMMEDIATE: the write lock is held
    with holder.engine.begin(), pytest.raises(LogError, match="is locked"):
        waiting.record(screen(FORM, as_of="2026-11-27"), FORM, Source("check", "tester"))
    holder.close()
    waiting.close()


def test_a_target_that_is_neither_a_path_nor_a_log_url_is_refused() -> None:
    with pytest.raises(LogError, match="file path") as caught:
        ScreeningLog.open("mysql://user:hunter2@host/db")
    assert "hunter2" not in caught.value.said.en


def test_the_newest_revision_the_store_knows_is_alembics_head() -> None:
    """store.HEAD lets an up-to-date log open without Alembic: it must name the newest file."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(store.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == store.HEAD


def a_list_recorder(folder: Path) -> tuple[ScreeningLog, ListRecorder, Explained]:
    """A new log, a recorder of a list in it, and a record's own part of its result."""
    log = ScreeningLog.open(str(folder / "log.db"))
    recorder = ListRecorder(
        log, Source("batch", "tester", "l.csv"), default_ruleset(), NO_SITE, "en"
    )
    recorder.columns(["patient_id"])
    rules = default_ruleset()
    items = len(rules.rules) + len(rules.advisory)
    parts = Explained("L-1", "needs_info", (item_piece("needs_info", "Needs data."),) * items, ())
    return log, recorder, parts


def test_a_stop_that_cuts_the_wait_for_the_log_still_counts_what_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while `finish` waits for the chunks to be stored: the stop that follows waits for
    the chunk being stored, so the count said is what the log holds (it said one chunk less)."""
    import time

    log, recorder, parts = a_list_recorder(tmp_path)
    store = recorder.store

    def slow(*args: Any) -> None:
        time.sleep(0.2)  # a log that takes its time (a lock, a slow disk)
        store(*args)

    monkeypatch.setattr(recorder, "store", slow)
    for number in range(1, 4):
        recorder.add([number], [("L-1", "2026-11-27", '["L-1"]')], OwnParts.of([parts]))
    time.sleep(0.05)  # the first chunk is being stored

    def ctrl_c(*_: Any) -> None:
        raise KeyboardInterrupt

    # A real signal while `finish` waits (CPython before 3.13 then marks a thread whose join
    # was cut short as ended while it still runs: the count was read before the last commit).
    previous = signal.signal(signal.SIGALRM, ctrl_c)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(KeyboardInterrupt):
            recorder.finish()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    recorder.stop(keep=False)
    with log.engine.connect() as connection:
        held = connection.exec_driver_sql("SELECT count(*) FROM screenings").scalar()
    assert recorder.recorded == held
    assert 1 <= held <= 3
    log.close()


def test_a_log_that_does_not_answer_leaves_the_chunk_in_doubt_and_the_stop_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database server frozen mid-chunk: a stop waits a while, then says which screenings
    it cannot vouch for, rather than waiting with it for ever (Ctrl-C included)."""
    import threading

    log, recorder, parts = a_list_recorder(tmp_path)
    frozen, entered = threading.Event(), threading.Event()
    store = recorder.store

    def stuck(*args: Any) -> None:
        entered.set()
        frozen.wait(30)  # the server does not answer
        store(*args)

    monkeypatch.setattr(recorder, "store", stuck)
    recorder.add([1, 2], [("L-1", "2026-11-27", '["L-1"]')] * 2, OwnParts.of([parts, parts]))
    for number in range(3, 11):  # as many as wait in line: the stop must not wait to queue either
        recorder.add([number], [("L-1", "2026-11-27", '["L-1"]')], OwnParts.of([parts]))
    assert entered.wait(5)
    recorder.stop(keep=False, wait=0.2)
    assert (recorder.recorded, recorder.in_doubt) == (0, 2)
    frozen.set()  # the server comes back: the chunk under way is stored, the rest dropped
    recorder.stop(keep=False)
    assert (recorder.recorded, recorder.in_doubt) == (2, 2)
    log.close()
