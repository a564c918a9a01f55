"""The web server under load and abuse (issue 14, failure 5 and the minor items).

A list is screened in a worker thread, so one upload never stalls the page for everyone; list
jobs are bounded (busy: a 503 page) and each has a time limit; a request body must arrive in
time and within the size limit; only loopback names (and those the server is told) are accepted
as Host; every page answers HEAD.

The tests that need real concurrency run a real uvicorn server on a free loopback port. Screening
is held at a gate the test opens, so they assert what happens while a list is being screened —
never how long anything takes.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cart_screen import web, web_lists
from cart_screen.ruleset import default_ruleset
from cart_screen.web import allowed_hosts, create_app
from conftest import ResultsCsv

Serve = Callable[[Any], AbstractContextManager[str]]

HEADER = "patient_id,lvef_percent,diagnosis\r\n"


def a_list(records: int) -> bytes:
    return (HEADER + "".join(f"P-{n},50,DLBCL_NOS\r\n" for n in range(records))).encode()


def upload(records: int = 3, **data: str) -> dict[str, Any]:
    return {"files": {"file": ("r.csv", a_list(records), "text/csv")}, "data": data}


class Gate:
    """Holds every list screening (in its worker thread) until the test opens the gate."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.started = threading.Event()
        self.opened = threading.Event()
        screen_list = web_lists.screen_list

        def held(*args: Any, **kwargs: Any) -> web_lists.ScreenedList:
            self.started.set()
            assert self.opened.wait(60), "the test never opened the gate"
            return screen_list(*args, **kwargs)

        monkeypatch.setattr(web, "screen_list", held)


def app(**limits: Any) -> FastAPI:
    return create_app(default_ruleset(), dt.date(2026, 10, 15), **limits)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate(monkeypatch)
    yield held
    held.opened.set()  # never leave a worker thread waiting


def post_in_background(url: str, results: list[httpx.Response]) -> threading.Thread:
    def post() -> None:
        results.append(httpx.post(f"{url}/batch", timeout=60, follow_redirects=True, **upload()))

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def test_the_page_answers_while_a_list_is_being_screened(
    gate: Gate, serve: Serve, results_csv: ResultsCsv
) -> None:
    with serve(app()) as url:
        results: list[httpx.Response] = []
        uploading = post_in_background(url, results)
        assert gate.started.wait(30), "the list was never screened"
        # The screening is held: a server that screened in its event loop could not answer.
        page = httpx.get(f"{url}/", timeout=20)
        assert page.status_code == 200
        assert uploading.is_alive()
        assert not results
        gate.opened.set()
        uploading.join(60)
        assert results[0].status_code == 200
        out = results_csv(lambda path: httpx.get(url + path, timeout=20), results[0])
        assert out.count("\r\n") == 4  # the header and three rows


def test_a_list_beyond_the_jobs_allowed_is_told_to_try_again(gate: Gate, serve: Serve) -> None:
    with serve(app(list_jobs=1)) as url:
        results: list[httpx.Response] = []
        first = post_in_background(url, results)
        assert gate.started.wait(30)
        busy = httpx.post(f"{url}/batch", timeout=20, **upload())
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "30"
        assert "as many lists as it takes at a time (1); try again in a minute" in busy.text
        gate.opened.set()
        first.join(60)
        assert results[0].status_code == 200
        # the slot is free again
        again = httpx.post(f"{url}/batch", timeout=20, follow_redirects=True, **upload())
        assert again.status_code == 200


def test_a_list_that_takes_too_long_is_stopped_with_a_clear_page() -> None:
    client = TestClient(app(list_seconds=0), base_url="http://127.0.0.1")
    response = client.post("/batch", **upload(records=2_000))
    assert response.status_code == 503
    assert "took longer than 0 s to screen and was stopped" in response.text
    assert "split it into smaller lists" in response.text
    assert "cart-screen" not in response.text.split("<main>")[1]


def test_a_body_that_does_not_arrive_in_time_is_cut_off(serve: Serve) -> None:
    with serve(app(body_seconds=0.5)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
            slow.sendall(
                b"POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 1000\r\n\r\npatient_id=A"
            )  # and nothing more
            answer = b""
            while chunk := slow.recv(4096):  # until the server closes the connection
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b"took longer than 0.5 s to arrive" in answer


def test_a_body_over_the_limit_is_refused_as_it_arrives() -> None:
    client = TestClient(app(), base_url="http://127.0.0.1")
    too_much = b"x" * (web.BODY_LIMIT + 1)
    response = client.post(
        "/check", content=too_much, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8000", 200),
        ("localhost:8000", 200),
        ("[::1]:8000", 200),
        ("LOCALHOST", 200),
        ("evil.example", 400),
        ("evil.example:8000", 400),
        ("127.0.0.1.evil.example", 400),
    ],
)
def test_only_loopback_names_are_accepted_as_host(host: str, status: int) -> None:
    client = TestClient(app(), base_url="http://127.0.0.1")
    assert client.get("/", headers={"Host": host}).status_code == status


def test_the_served_address_and_names_asked_for_are_accepted_too() -> None:
    assert allowed_hosts("0.0.0.0", ["ward-pc.local"]) == [
        "127.0.0.1", "localhost", "[::1]", "0.0.0.0", "ward-pc.local",
    ]  # fmt: skip
    assert allowed_hosts("::", []) == ["127.0.0.1", "localhost", "[::1]", "[::]"]
    client = TestClient(app(hosts=["ward-pc.local"]), base_url="http://ward-pc.local")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/batch", "/rules", "/clinical-basis", "/style.css"])
def test_every_page_answers_head_as_get_without_a_body(path: str) -> None:
    client = TestClient(app(), base_url="http://127.0.0.1")
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
