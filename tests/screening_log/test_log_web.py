"""The log on the web page, on both engines: recording /check, the worklist, the patient page
and its decision form (CSRF-protected), who acted (OS user or the trusted proxy's header), a
database that is down (an error page), and 50 screenings and decisions at once through uvicorn."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cart_screen.log import store
from cart_screen.log.screening_log import ScreeningLog
from cart_screen.ruleset import default_ruleset
from cart_screen.web import create_app
from cart_screen.web_log import WebLog
from postgres import running_postgres

Serve = Callable[[Any], AbstractContextManager[str]]


def web_app(target: str, header: str | None = None) -> FastAPI:
    log = WebLog(ScreeningLog.open(target), user="coordinator", user_header=header)
    return create_app(default_ruleset(), dt.date(2026, 10, 15), log=log)


def token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def screen_one(client: TestClient, patient: str, **values: str) -> str:
    data = {"patient_id": patient, "csrf": token(client.get("/").text), **values}
    page = client.post("/check", data=data)
    assert page.status_code == 200
    return page.text


def test_a_screening_is_recorded_and_decided_on_the_page(log_target: str) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        posted = client.post(
            "/check",
            data={"patient_id": "W-1", "csrf": token(client.get("/").text)},
            follow_redirects=False,
        )
        assert posted.status_code == 303  # POST, redirect, GET: refreshing records nothing again
        assert posted.headers["location"] == "/screenings/1?lang=en"
        first = client.get(posted.headers["location"])
        assert "Screening 1, recorded" in first.text
        assert "refreshing the page sends" not in first.text  # a stored page is safe to refresh
        assert 'name="edit"' in first.text  # the answers travel, to edit into a new screening
        screen_one(client, "W-1", lvef_percent="35")
        listed = client.get("/log")
        assert 'data-patient="W-1"' in listed.text
        assert 'data-outcome="flagged"' in listed.text
        assert "coordinator" in listed.text
        assert 'data-patient="W-1"' not in client.get("/log?outcome=no_flags").text
        patient = client.get("/log/patient", params={"id": "W-1"})
        assert "precaution.cardiac: needs info → flagged (lvef_percent: — → 35)" in patient.text
        decision = {
            "patient_id": "W-1", "screening_id": "2", "decision": "proceed",
            "physician": "Dr Chen", "csrf": token(patient.text),
        }  # fmt: skip
        done = client.post("/log/decision", data=decision, follow_redirects=True)
        assert done.status_code == 200
        assert 'data-decision="proceed"' in done.text
        stored = client.get("/screenings/2")
        assert stored.status_code == 200
        assert 'data-rule="precaution.cardiac" data-status="flagged"' in stored.text
    with ScreeningLog.open(log_target) as log:
        screenings, decisions = log.history("W-1")
    assert [s.source for s in screenings] == ["web", "web"]
    assert [(d.screening_id, d.recorded_by) for d in decisions] == [(2, "coordinator")]


def test_a_post_without_a_valid_token_changes_nothing(log_target: str) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        screen_one(client, "W-2")
        forged = {"patient_id": "W-2", "screening_id": "1", "decision": "proceed",
                  "physician": "Mallory", "csrf": "1.00"}  # fmt: skip
        assert client.post("/log/decision", data=forged).status_code == 403
        assert client.post("/check", data={"patient_id": "W-3"}).status_code == 403
    with ScreeningLog.open(log_target) as log:
        assert log.history("W-2")[1] == []
        assert [line.latest.patient_id for line in log.worklist()] == ["W-2"]


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_screening_address_that_is_no_number_is_a_page_and_a_note_holds_no_control_character(
    log_target: str,
) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        screen_one(client, "W-5")
        for path in ("/screenings/abc", "/screenings/1.5", "/screenings/" + "9" * 30):
            page = client.get(path)
            assert page.status_code == 404
            assert page.headers["content-type"].startswith("text/html")
        patient = client.get("/log/patient", params={"id": "W-5"})
        decision = {"patient_id": "W-5", "screening_id": "1", "decision": "proceed",
                    "physician": "Dr Chen", "note": "ok\x1b[31mred", "csrf": token(patient.text)}  # fmt: skip
        refused = client.post("/log/decision", data=decision)
        assert refused.status_code == 422
        assert "note: " in refused.text
    with ScreeningLog.open(log_target) as log:
        assert log.history("W-5")[1] == []


@pytest.mark.parametrize("engine", ["sqlite"])
def test_behind_a_sign_on_proxy_the_header_names_who_acted_and_is_required(
    log_target: str,
) -> None:
    app = web_app(log_target, header="X-Remote-User")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/log").status_code == 403
        client.headers["X-Remote-User"] = "dr.zhou"
        screen_one(client, "W-4")
        assert "dr.zhou" in client.get("/log").text
    with ScreeningLog.open(log_target) as log:
        assert log.history("W-4")[0][0].recorded_by == "dr.zhou"


def assert_not_recorded_but_shown(page: httpx.Response) -> None:
    assert page.status_code == 200
    assert 'id="not-recorded"' in page.text
    assert "NOT RECORDED" in page.text
    assert 'id="outcome"' in page.text  # the checklist is there


def test_a_postgresql_log_that_goes_down_gives_an_error_page_and_the_result_still_shows() -> None:
    with running_postgres() as server:  # a server of its own, to stop
        app = web_app(server.create_database("down"))
        client = TestClient(app, base_url="http://127.0.0.1")
        form = client.get("/").text
    page = client.post("/check", data={"patient_id": "W-5", "csrf": token(form)})
    assert_not_recorded_but_shown(page)
    assert "cannot be used" in page.text
    listed = client.get("/log")
    assert listed.status_code == 503
    assert 'id="log-problem"' in listed.text


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_locked_sqlite_log_gives_an_error_page_and_the_result_still_shows(
    log_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_SECONDS", 0.2)
    holder = ScreeningLog.open(log_target)
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        form = client.get("/").text
        with holder.engine.begin():  # another program holds the write lock
            page = client.post("/check", data={"patient_id": "W-6", "csrf": token(form)})
    holder.close()
    assert_not_recorded_but_shown(page)
    assert "is locked" in page.text


def test_fifty_screenings_and_decisions_at_once_are_all_recorded(
    log_target: str, serve: Serve
) -> None:
    ScreeningLog.open(log_target).close()  # created before the requests come
    with serve(web_app(log_target)) as url:
        form = httpx.get(f"{url}/").text
        answers: list[int] = []
        lock = threading.Lock()

        def screen_and_decide(n: int) -> None:
            with httpx.Client(base_url=url, timeout=60) as client:
                data = {
                    "patient_id": f"C-{n % 10}",
                    "lvef_percent": str(30 + n),
                    "csrf": token(form),
                }
                screened = client.post("/check", data=data)
                patient = client.get("/log/patient", params={"id": f"C-{n % 10}"})
                latest = re.findall(r'name="screening_id" value="(\d+)"', patient.text)[0]
                decision = {"patient_id": f"C-{n % 10}", "screening_id": latest,
                            "decision": "more_info", "physician": f"Dr {n}",
                            "csrf": token(patient.text)}  # fmt: skip
                decided = client.post("/log/decision", data=decision)
                with lock:
                    answers.extend([screened.status_code, decided.status_code])

        threads = [threading.Thread(target=screen_and_decide, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert answers == [303] * 100  # each screening and each decision: redirected to its page
    with ScreeningLog.open(log_target) as log, log.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM screenings").scalar() == 50
        assert connection.exec_driver_sql("SELECT count(*) FROM decisions").scalar() == 50
