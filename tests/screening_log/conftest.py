"""Fixtures for the screening log's tests: a real PostgreSQL server for the session, and a fresh
log on each engine for each test that asks for `log_target` (tests run once per engine)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from screening_log.postgres import Server, postgres_bin, running_postgres

ENGINES = ("sqlite", "postgresql")
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """Debian's PostgreSQL, started once for the session in a temporary folder, then stopped."""
    if postgres_bin() is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with running_postgres() as server:
        yield server


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Which engine this run of the test uses."""
    return str(request.param)


@pytest.fixture
def log_target(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A `--log` target for a new, empty log: a SQLite file or a PostgreSQL database."""
    if engine == "sqlite":
        return str(tmp_path / "screening.db")
    server: Server = request.getfixturevalue("postgres")
    return server.create_database(f"log_{os.getpid()}_{next(_numbers)}")
