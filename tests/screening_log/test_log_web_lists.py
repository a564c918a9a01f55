"""A list uploaded to the web page with a screening log kept (`serve --log`), on both engines: every
record recorded as `batch --log` records one (source web, the file's name and each record's row,
who acts on the page), the results page saying how many; a log that fails partway says exactly
how many were recorded and that the rest were not, the results still shown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cart_screen.cli import app as cli_app
from cart_screen.i18n import Said
from cart_screen.log.lists import ListRecorder
from cart_screen.log.screening_log import Screening, ScreeningLog
from cart_screen.log.store import LogError
from screening_log.test_log_web import token, web_app
from workbooks import write_workbook

HEADER = ["patient_id", "screening_date", "lvef_percent", "diagnosis"]


def rows_of(count: int, prefix: str) -> list[list[str]]:
    return [
        [f"{prefix}-{n}", f"2026-10-{10 + n % 5:02d}", str(30 + n % 40), "DLBCL_NOS"]
        for n in range(count)
    ]


def csv_of(count: int, prefix: str = "U") -> bytes:
    lines = [",".join(HEADER), *(",".join(row) for row in rows_of(count, prefix))]
    return ("\n".join(lines) + "\n").encode()


def upload(client: TestClient, name: str, data: bytes, **extra: str) -> Any:
    csrf = token(client.get("/batch").text)
    return client.post("/batch", data={"csrf": csrf, **extra}, files={"file": (name, data)})


def stored(target: str) -> list[Screening]:
    with ScreeningLog.open(target) as log:
        return [event for event in log.everything() if isinstance(event, Screening)]


def test_an_uploaded_csv_and_xlsx_are_recorded_as_batch_records_a_list(
    log_target: str, tmp_path: Path
) -> None:
    sheet = write_workbook(
        tmp_path / "sheet.xlsx", {"Referrals": [HEADER, *rows_of(3, "X")]}, saved_by_excel=True
    )
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        page = upload(client, "C:\\lists\\referrals.csv", csv_of(1203))
        assert page.status_code == 200
        assert (
            '<p class="recorded" id="recorded">1203 screenings recorded in the screening log.'
            in (page.text)
        )
        assert "NOT RECORDED" not in page.text
        sheet_page = upload(client, "sheet.xlsx", sheet.read_bytes(), lang="zh")
        assert "已在筛查记录库中记录 3 次筛查。" in sheet_page.text
        worklist = client.get("/log").text
        assert 'data-patient="U-1202"' in worklist
        assert 'data-patient="X-2"' in worklist
    screenings = stored(log_target)
    assert len(screenings) == 1206
    assert {s.source for s in screenings} == {"web"}
    assert {s.recorded_by for s in screenings} == {"coordinator"}
    by_id = {s.patient_id: s for s in screenings}
    assert (by_id["U-7"].source_file, by_id["U-7"].source_row) == ("referrals.csv", 8)
    assert by_id["U-7"].form["lvef_percent"] == "37"
    assert (by_id["X-1"].source_file, by_id["X-1"].source_row) == ("sheet.xlsx", 3)
    # and `log list` finds every one, with its source
    result = CliRunner().invoke(cli_app, ["log", "list", "--json", "--log", log_target])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    patients = {line["patient_id"] for line in listed}
    assert {f"U-{n}" for n in range(1203)} | {"X-0", "X-1", "X-2"} <= patients


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_list_without_a_token_is_refused_and_records_nothing(log_target: str) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        refused = client.post("/batch", files={"file": ("list.csv", csv_of(2))})
        assert refused.status_code == 403
    assert stored(log_target) == []


@pytest.mark.parametrize("engine", ["sqlite"])
def test_behind_a_sign_on_proxy_the_list_is_recorded_as_the_header_names(
    log_target: str,
) -> None:
    app = web_app(log_target, header="X-Remote-User")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.headers["X-Remote-User"] = "dr.zhou"
        assert "2 screenings recorded" in upload(client, "list.csv", csv_of(2)).text
        del client.headers["X-Remote-User"]
        unattributed = upload(client, "list.csv", csv_of(2, "V"))  # screened, not recorded
        assert unattributed.status_code == 200
        assert (
            "NOT RECORDED: 0 screenings of this list were recorded in the screening log; the "
            "other 2 are not in it — no user: the sign-on proxy&#39;s X-Remote-User header is "
            "missing from the request"
        ) in unattributed.text
        assert 'id="outcome-table"' in unattributed.text
    assert {s.recorded_by for s in stored(log_target)} == {"dr.zhou"}


def test_a_log_that_fails_partway_says_how_many_were_recorded_and_shows_the_results(
    log_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_store, calls = ListRecorder.store, []

    def second_fails(self: ListRecorder, *chunk: Any) -> None:
        calls.append(chunk)
        if len(calls) == 2:
            raise LogError(Said("the database went away", "数据库已断开"))
        real_store(self, *chunk)

    monkeypatch.setattr(ListRecorder, "store", second_fails)
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        page = upload(client, "list.csv", csv_of(1200))
    assert page.status_code == 200
    said = re.search(r'<p class="problems" role="alert" id="not-recorded">([^<]*)</p>', page.text)
    assert said, "the page does not say what was not recorded"
    assert said.group(1) == (
        "NOT RECORDED: 500 screenings of this list were recorded in the screening log; the other "
        "700 are not in it — the database went away"
    )
    assert 'id="outcome-table"' in page.text  # the results are still shown
    assert len(stored(log_target)) == 500


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_removed_sqlite_log_shows_the_not_recorded_line(log_target: str) -> None:
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        Path(log_target).unlink()
        page = upload(client, "list.csv", csv_of(3))
    assert page.status_code == 200
    assert 'id="not-recorded"' in page.text
    assert "NOT RECORDED: 0 screenings of this list were recorded" in page.text
    assert "the other 3 are not in it" in page.text
    assert "removed or replaced" in page.text
    assert 'id="outcome-table"' in page.text


@pytest.mark.parametrize("engine", ["sqlite"])
def test_a_list_that_fails_partway_says_how_many_the_log_holds(
    log_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cart_screen.web_lists as web_lists

    real, seen = web_lists._attention, []

    def third_times_out(rows: str, most: int) -> list[Any]:
        seen.append(rows)
        if len(seen) == 3:
            raise web_lists.ListTimeout
        return real(rows, most)

    monkeypatch.setattr(web_lists, "_attention", third_times_out)
    with TestClient(web_app(log_target), base_url="http://127.0.0.1") as client:
        page = upload(client, "list.csv", csv_of(1600))  # four chunks
    assert page.status_code == 503
    # the third chunk was handed to the log before the time ran out; the fourth never was
    assert "1500 screenings of this list were recorded in the log before it failed" in page.text
    assert len(stored(log_target)) == 1500
