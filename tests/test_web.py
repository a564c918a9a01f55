"""The web page through the ASGI test client: form, validation next to fields, checklist, upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cart_screen.form import FIELDS
from cart_screen.i18n import M
from cart_screen.result import NOTICE
from cart_screen.ruleset import default_ruleset
from cart_screen.web import SECURITY_HEADERS, UPLOAD_LIMIT, create_app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def client() -> TestClient:
    return TestClient(
        create_app(default_ruleset(), dt.date(2026, 10, 15)), base_url="http://127.0.0.1"
    )


def test_the_form_has_every_field_with_its_hint_and_the_notice(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for name, spec in FIELDS.items():
        assert f'name="{name}"' in page.text
        assert spec.label.en in page.text
    assert "DMSO (dimethyl sulfoxide), dextran 40, human albumin" in page.text
    assert NOTICE in page.text
    assert default_ruleset().sha256 in page.text


def test_every_page_sends_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/batch"), client.get("/style.css")):
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value


def test_bad_values_are_shown_next_to_their_fields_keeping_what_was_typed(
    client: TestClient,
) -> None:
    page = client.post(
        "/check", data={"patient_id": "W-1", "lvef_percent": "abc", "diagnosis": "DLBCL"}
    )
    assert page.status_code == 422
    assert 'id="lvef_percent-error"' in page.text
    assert "not a number — expected a number from 5 to 95" in page.text
    assert 'value="abc"' in page.text
    assert 'value="W-1"' in page.text
    assert "names several subtypes" in page.text


def test_a_missing_patient_id_is_asked_for(client: TestClient) -> None:
    page = client.post("/check", data={"lvef_percent": "50"})
    assert page.status_code == 422
    assert "a patient id is needed" in page.text


def test_the_checklist_page_has_every_item_the_signature_lines_and_the_notice(
    client: TestClient,
) -> None:
    page = client.post(
        "/check",
        data={"patient_id": "W-2", "lvef_percent": "35", "nyha_class": "", "diagnosis": "tFL — x"},
    )
    assert page.status_code == 200
    assert page.text.count('data-rule="') == 12
    assert "LVEF 35 % is below 40 %" in page.text
    assert "Treating physician (name)" in page.text
    assert NOTICE in page.text
    assert (
        page.text.index("✗ flagged") < page.text.index("? needs info") < page.text.index("✓ clear")
    )


def test_an_uploaded_list_comes_back_as_the_results_csv(client: TestClient) -> None:
    with (EXAMPLES / "referrals.csv").open("rb") as upload:
        response = client.post("/batch", files={"file": ("r.csv", upload, "text/csv")})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "row,patient_id,outcome,flagged,needs_info,errors,notice"
    assert len(lines) == 6
    assert lines[2].startswith("2,EX-102,flagged,indication.subtype,")


@pytest.mark.parametrize(
    ("content", "status", "says"),
    [
        (b"mrn\n1\n", 422, "no patient_id column"),
        (b"x" * (UPLOAD_LIMIT + 1), 413, "larger than"),
    ],
)
def test_an_upload_that_cannot_be_screened_says_why(
    client: TestClient, content: bytes, status: int, says: str
) -> None:
    response = client.post("/batch", files={"file": ("r.csv", content, "text/csv")})
    assert response.status_code == status
    assert says in response.text


def test_the_page_switches_to_chinese_and_keeps_it_through_the_form(client: TestClient) -> None:
    page = client.get("/?lang=zh")
    assert '<html lang="zh-CN">' in page.text
    assert "转诊表" in page.text
    assert "患者编号" in page.text
    assert M.NOTICE("zh") in page.text
    assert 'name="lang" value="zh"' in page.text
    wrong = client.post("/check", data={"lang": "zh", "patient_id": "Z-1", "lvef_percent": "abc"})
    assert "不是数值" in wrong.text
    checklist = client.post(
        "/check", data={"lang": "zh", "patient_id": "Z-1", "lvef_percent": "35"}
    )
    assert "LVEF（左心室射血分数） 35 %，低于 40 %" in checklist.text
    assert "主治医师（姓名）" in checklist.text


def test_a_failure_shows_and_logs_only_its_kind_never_what_was_typed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ruleset = default_ruleset()
    client = TestClient(
        create_app(ruleset, dt.date(2026, 10, 15)),
        raise_server_exceptions=False,
        base_url="http://127.0.0.1",
    )

    def broken(*_: object, **__: object) -> None:
        raise ValueError("secret patient value R-SECRET")

    monkeypatch.setattr(type(ruleset.reader), "read", broken)
    response = client.post("/check", data={"patient_id": "R-SECRET"})
    assert response.status_code == 500
    assert "internal error (ValueError)" in response.text
    assert "R-SECRET" not in response.text
    assert "R-SECRET" not in caplog.text
    assert (
        response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    )


def test_a_field_posted_twice_is_refused(client: TestClient) -> None:
    page = client.post(
        "/check",
        content=b"patient_id=W-9&lvef_percent=35&lvef_percent=55",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 422
    assert "given twice" in page.text


def test_the_clinical_basis_page_is_a_readable_page_linked_from_the_rules() -> None:
    from cart_screen.ruleset import default_ruleset

    client = TestClient(create_app(default_ruleset()), base_url="http://127.0.0.1")
    rules = client.get("/rules")
    assert "/clinical-basis" in rules.text
    page = client.get("/clinical-basis")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<table>" in page.text
    assert "<h3><code>indication.prior_lines</code>" in page.text
    assert "site&#x27;s reading" in page.text or "site's reading" in page.text
