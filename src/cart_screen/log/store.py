"""Opening the screening log: a SQLite file or a PostgreSQL URL, migrated to the newest schema.

`--log screening.db` is a SQLite file, created readable by its owner only (0600), in WAL mode
(readers never wait for a writer) with a busy timeout (two writers take turns instead of failing).
Every transaction on SQLite begins IMMEDIATE: one that reads and then writes (a decision on the
latest screening) never finds the file changed under it. `--log postgresql+psycopg://…` is a
PostgreSQL database. Alembic brings either to the newest schema on first use (a second open finds
nothing to do); on PostgreSQL an advisory lock makes two first uses at once take turns.

A database that cannot be reached, is locked for too long or refuses a write raises LogError,
whose message names the log (a URL without its password) and what went wrong — never a value
of the data, which an error from the database may quote.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cart_screen.i18n import M, Said

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_SECONDS = 15.0
"""How long a SQLite writer waits for another to finish before the log counts as locked."""
CONNECT_SECONDS = 10
"""How long to wait for a PostgreSQL server to answer."""
_MIGRATION_LOCK = 0x0C5C_1011
"""The PostgreSQL advisory lock key taken while the schema is brought up to date."""


class LogError(Exception):
    """The screening log cannot be used: unreachable, locked, refused, or not a log target."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said


class CommitUnconfirmed(LogError):
    """A transaction's COMMIT failed (the connection lost as it was sent, say): the database may
    have committed it, or not — what it holds is in doubt until someone looks."""


def engine_for(target: str, *, existing: bool = False) -> tuple[Engine, str]:
    """An engine for a `--log` target, and how to name the log in messages (no password).

    A SQLite file is created, private, when it is not there — unless `existing` (the `log`
    commands read a log: a mistyped path is an error, never a new empty log); a file that
    others may read is refused.
    """
    if "://" not in target:
        path = Path(target).expanduser()
        _sqlite_file(path, existing)
        url = sa.URL.create("sqlite", database=str(path.resolve()))
        return _sqlite_engine(url), str(path)
    try:
        url = sa.make_url(target)
    except sa.exc.ArgumentError as exc:
        raise LogError(M.LOG_BAD_TARGET.both(target=_masked(target))) from exc
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        url = url.set(drivername="postgresql+psycopg")
        engine = sa.create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_SECONDS}
        )
        return engine, url.render_as_string(hide_password=True)
    if url.drivername == "sqlite" and url.database:
        _sqlite_file(Path(url.database), existing)
        return _sqlite_engine(url), url.database
    raise LogError(M.LOG_BAD_TARGET.both(target=url.render_as_string(hide_password=True)))


def _masked(target: str) -> str:
    """A target that is not a URL SQLAlchemy reads may still hold a password: drop the userinfo."""
    scheme, _, rest = target.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def _sqlite_file(path: Path, existing: bool) -> None:
    """The log's SQLite file: there (when `existing`) or created private, and private."""
    if existing and not path.exists():
        raise LogError(M.LOG_NO_SUCH_FILE.both(where=str(path)))
    _create_private(path)
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # SQLite says why when it opens it
    if stat.S_ISREG(mode) and mode & 0o077:
        shown = oct(stat.S_IMODE(mode))[2:].rjust(4, "0")
        raise LogError(M.LOG_NOT_PRIVATE.both(where=str(path), mode=shown))


def _create_private(path: Path) -> None:
    """Create the SQLite file readable and writable by its owner only, before SQLite does."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise LogError(
            M.LOG_UNREACHABLE.both(where=str(path), detail=exc.strerror or type(exc).__name__)
        ) from exc
    os.close(descriptor)


def _sqlite_engine(url: sa.URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_SECONDS})

    @sa.event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's BEGIN below, not the driver's
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a committed transaction is synced to the WAL before the commit returns, so it
        # survives a power loss (NORMAL would keep the file consistent but may lose the last ones).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


HEAD = "0002"
"""The newest migration's revision (a test holds it to Alembic's head): a log there already is
opened without loading Alembic (a tenth of a second, every run)."""


GUARDED = ("screenings", "decisions", "screened_lists", "list_parts")
"""The tables the migrations make append-only, each with its triggers (see `guards`)."""


def guards(dialect: str) -> set[str]:
    """The names of the triggers that keep the log append-only on an engine (the migrations')."""
    ends = (
        ("no_update", "no_delete", "no_replace")
        if dialect == "sqlite"
        else ("append_only", "no_truncate")
    )
    return {f"{table}_{end}" for table in GUARDED for end in ends}


def check_guarded(engine: Engine, where: str) -> None:
    """Refuse a log whose append-only triggers are gone, disabled or no longer refuse (dropped
    through sqlite3 or psql, say): it would take screenings, then let them be changed."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            found = connection.execute(
                sa.text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND sql LIKE '%RAISE(ABORT%'"
                )
            )
        else:
            found = connection.execute(  # text(): the driver's paramstyle takes `%` otherwise
                sa.text(
                    "SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                    "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' "
                    "AND p.proname = 'screening_log_append_only' "
                    "AND p.prosrc LIKE '%RAISE EXCEPTION%'"
                )
            )
        missing = sorted(guards(connection.dialect.name) - set(found.scalars()))
    if missing:
        raise LogError(M.LOG_UNGUARDED.both(where=where, missing=", ".join(missing)))


def migrate(engine: Engine, where: str) -> None:
    """Bring the log's schema to the newest revision (nothing to do when it is there), and
    check that it is still append-only (check_guarded)."""
    if _at_head(engine):
        check_guarded(engine, where)
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        tables = set(sa.inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:  # another application's database
            raise LogError(M.LOG_FOREIGN.both(where=where))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    check_guarded(engine, where)


def _at_head(engine: Engine) -> bool:
    """Whether the log's schema is the newest one (False for a new or another database)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return False
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        return versions.scalars().all() == [HEAD]


@contextlib.contextmanager
def reported(where: str) -> Iterator[None]:
    """Turn a database failure into LogError, saying what went wrong without the data."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        raise LogError(_said(where, exc)) from exc
    except sa.exc.SQLAlchemyError as exc:
        raise LogError(M.LOG_UNREACHABLE.both(where=where, detail=type(exc).__name__)) from exc


def _said(where: str, exc: sa.exc.DBAPIError) -> Said:
    original = exc.orig
    first_line = str(original).strip().splitlines()[0] if str(original).strip() else ""
    if "locked" in first_line or "busy" in first_line:
        return M.LOG_LOCKED.both(where=where, seconds=f"{BUSY_SECONDS:g}")
    if "append-only" in first_line:
        return M.LOG_REFUSED.both(where=where)
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        # Connection failures say where and why ("connection refused", "unable to open"),
        # never a value of the data; other errors may quote a value, so only their kind is said.
        detail = first_line[:200] or type(original).__name__
    else:
        detail = type(original).__name__
    return M.LOG_UNREACHABLE.both(where=where, detail=detail)
