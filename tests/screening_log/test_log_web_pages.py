"""The log's web pages saying what went wrong as it is: a decision naming another patient's
screening, a worklist filter that is not an outcome; and the patient page's diff, with the other
values that changed listed under their heading."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cart_screen.log.screening_log import ScreeningLog
from screening_log.test_log_web import screen_one, token, web_app


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_decision_on_another_patients_screening_says_so(log_target: str) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        screen_one(client, "R-0041")
        screen_one(client, "R-0042")
        patient = client.get("/log/patient", params={"id": "R-0042"})
        decision = {"patient_id": "R-0042", "decision": "proceed", "physician": "Dr Chen",
                    "csrf": token(patient.text)}  # fmt: skip
        other = client.post("/log/decision", data={**decision, "screening_id": "1"})
        assert other.status_code == 404
        assert (
            "screening 1 is another patient&#39;s screening, not one of patient R-0042"
            in other.text
        )
        assert "no screening of patient R-0042" not in other.text
        none = client.post("/log/decision", data={**decision, "screening_id": "99"})
        assert none.status_code == 404
        assert "no screening 99 is in the screening log" in none.text
    with ScreeningLog.open(log_target) as log:
        assert log.history("R-0042")[1] == []


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_filter_that_is_no_outcome_is_a_400_page_not_everything(log_target: str) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        screen_one(client, "W-1")
        page = client.get("/log", params={"outcome": "bogus"})
        assert page.status_code == 400
        assert "the worklist has no outcome “bogus” to show" in page.text
        assert 'data-patient="W-1"' not in page.text
        assert client.get("/log", params={"outcome": ""}).status_code == 200  # all outcomes
        zh = client.get("/log", params={"outcome": "bogus", "lang": "zh"})
        assert "筛查记录没有可显示的结果“bogus”" in zh.text


@pytest.mark.parametrize("engine", ["sqlite"])
def test_the_other_values_changed_are_listed_under_their_heading(log_target: str) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        screen_one(client, "W-2", lvef_percent="60", ecog="1")
        screen_one(client, "W-2", lvef_percent="35", ecog="1", age_years="70")
        page = client.get("/log/patient", params={"id": "W-2"}).text
    diff = re.search(r'<ul id="diff">(.*?)</section>', page, re.S)
    assert diff
    assert '<li>other values changed:<ul class="also-changed"><li>age_years: — → 70</li>' in (
        diff.group(1)
    )
    assert "<li>  " not in diff.group(1)
