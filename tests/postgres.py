"""A real PostgreSQL server for the tests: Debian's own, in a temporary folder, on a private socket.

initdb refuses to run as root, so as root the server runs as the `postgres` OS user (Debian's
package makes it); as anyone else, as that user. It listens on a Unix socket in its own folder
only (no TCP port to collide with another run), trusts local connections, and is stopped — and
its folder removed — when the test session ends, passed or failed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PORT = 5432
"""Only names the socket file (.s.PGSQL.5432) in the server's own folder: nothing listens on TCP."""


def postgres_bin() -> Path | None:
    """The folder of Debian's newest PostgreSQL server programs, if installed."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent.parent.name
    )
    return found[-1].parent if found else None


@dataclass(frozen=True)
class Server:
    """A running server: where its socket is, and how to reach a database on it."""

    socket_dir: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={PORT}"

    def create_database(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir),
            port=PORT,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # a test's own name, not input
        return self.url(name)


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def running_postgres() -> Iterator[Server]:
    """Start a throwaway server; stop it and remove its files afterwards."""
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="cart-screen-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
    run = {"check": True, "capture_output": True, "cwd": root}
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{sockets}' -p {PORT} "
            "-c fsync=off -c full_page_writes=off -c max_connections=120"
        )
        subprocess.run(
            _as_server_user(
                [
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    str(root / "server.log"),
                    "start",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
        yield Server(sockets)
    except subprocess.CalledProcessError as exc:
        log = root / "server.log"
        detail = log.read_text(errors="replace") if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr!r} {detail}") from exc
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                check=False,
                capture_output=True,
                cwd=root,
            )
        shutil.rmtree(root, ignore_errors=True)
