"""`cart-screen serve` as a user starts it, in a process of its own: the page's address is said only
once the log is open and the port is bound — a port another program holds, or a log that cannot
be used, is one line and exit 2, with no address to open; and the address said is the page's."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

COMMAND = [sys.executable, "-m", "cart_screen", "serve"]


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LANG": "C.UTF-8"}
    environment.pop("CART_SCREEN_LOG", None)
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=60, env=environment
    )


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_port_in_use_is_one_line_and_exit_2_with_no_address_to_open(held_port: int) -> None:
    done = serve("--port", str(held_port))
    assert done.returncode == 2
    assert done.stderr.startswith(f"cart-screen: error: port {held_port} is in use: ")
    assert done.stderr.count("\n") == 1
    assert "open http" not in done.stderr
    assert "INFO" not in done.stderr
    assert "Traceback" not in done.stderr


def test_in_chinese_too(held_port: int) -> None:
    done = serve("--port", str(held_port), "--lang", "zh")
    assert done.returncode == 2
    assert f"端口 {held_port} 已被占用" in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_log_that_cannot_be_used_is_said_before_any_address(tmp_path: Path) -> None:
    done = serve("--port", "0", "--log", str(tmp_path / "no-such-folder" / "screening.db"))
    assert done.returncode == 2
    assert done.stderr.startswith("cart-screen: error: the screening log ")
    assert done.stderr.count("\n") == 1
    assert "open http" not in done.stderr


def test_an_address_that_cannot_be_listened_on_is_one_line() -> None:
    done = serve("--host", "no-such-host.invalid", "--port", "0")
    assert done.returncode == 2
    assert done.stderr.startswith("cart-screen: error: cannot listen on no-such-host.invalid")
    assert done.stderr.count("\n") == 1


def test_the_address_said_is_the_page_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    environment = {**os.environ, "LANG": "C.UTF-8"}
    environment.pop("CART_SCREEN_LOG", None)
    with subprocess.Popen(
        [*COMMAND, "--port", "0", "--log", str(tmp_path / "screening.db")],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=environment,
    ) as server:
        try:
            assert server.stderr is not None
            first = server.stderr.readline()
            assert first.startswith("cart-screen: open http://127.0.0.1:")
            address = first.split("open ")[1].split(" ")[0]
            assert not address.endswith(":0/")  # the port bound, not the 0 asked for
            page = httpx.get(address, timeout=30)  # the server listens on the socket bound
            assert page.status_code == 200
            assert 'name="patient_id"' in page.text
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)
    assert server.returncode == 130  # 128 + SIGINT, as every command stopped by Ctrl-C
