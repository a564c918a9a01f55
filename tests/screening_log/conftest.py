"""Fixtures for the screening log's tests: a fresh log on each engine for each test that asks for
`log_target` (tests run once per engine), on the session's real PostgreSQL server (`postgres`,
in tests/conftest.py)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from postgres import Server

ENGINES = ("sqlite", "postgresql")
_numbers = itertools.count(1)


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
