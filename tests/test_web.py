"""The web page through the ASGI test client: form, validation next to fields, checklist, upload."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from cart_screen.form import FIELDS
from cart_screen.i18n import WEB_WORDING, Language, M, messages, web_wording
from cart_screen.list_summary import Summary
from cart_screen.render import rule_overviews
from cart_screen.result import NOTICE
from cart_screen.ruleset import default_ruleset
from cart_screen.web import BODY_LIMIT, SECURITY_HEADERS, UPLOAD_LIMIT, create_app
from cart_screen.web_lists import ResultStore, ScreenedList
from workbooks import FAILING_FIRST_ROWS, Sheets, failing_first_rows, write_bomb, write_workbook

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
    label, advisory = page.text.split('id="advisory-checklist"')
    assert label.count('data-rule="') == 12
    assert advisory.count('data-rule="advisory.') == len(
        default_ruleset().advisory
    )  # SPEC §11: a table of their own, after
    assert "LVEF 35 % is below 40 %" in page.text
    assert "Treating physician (name)" in page.text
    assert NOTICE in page.text
    assert (
        page.text.index("✗ flagged") < page.text.index("? needs info") < page.text.index("✓ clear")
    )


def test_an_uploaded_list_gets_a_results_page_of_its_own_and_the_results_csv(
    client: TestClient,
) -> None:
    with (EXAMPLES / "referrals.csv").open("rb") as upload:
        posted = client.post(
            "/batch", files={"file": ("março 名单.csv", upload, "text/csv")}, follow_redirects=False
        )
    assert posted.status_code == 303  # the results have an address: refreshing re-screens nothing
    page = client.get(posted.headers["location"])
    assert page.status_code == 200
    assert "5 records screened" in page.text
    assert "screened as of 2026-10-15" in page.text
    assert re.search(r'data-outcome="flagged">.*?<td class="number">2</td>', page.text, re.S)
    assert page.text.count('<tr class="outcome-') == 4 + 3  # outcomes, then 3 needing attention
    assert "Lymphoma subtype on the label" in page.text  # criteria by title
    assert "<svg" in page.text
    advisory = page.text.split('id="per-advisory"')[1]  # a chart of their own, after the label's
    assert advisory.count('data-rule="advisory.') == len(default_ruleset().advisory)
    assert "<script" not in page.text.split("</head>")[1]
    download = client.get(re.findall(r'id="download-csv" href="([^"]+)"', page.text)[0])
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"] == (
        'attachment; filename="mar_o __-screened-2026-10-15.csv"; '
        "filename*=UTF-8''mar%C3%A7o%20%E5%90%8D%E5%8D%95-screened-2026-10-15.csv"
    )
    lines = download.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "row,patient_id,outcome,flagged,needs_info,advisory_flagged,advisory_needs_info,errors,notice"
    )
    assert len(lines) == 6
    assert lines[2].startswith("2,EX-102,flagged,indication.subtype,")
    workbook = client.get(re.findall(r'id="download-xlsx" href="([^"]+)"', page.text)[0])
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert workbook.headers["content-disposition"].endswith("-screened-2026-10-15.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)][1:] == [
        [int(cells[0]), *cells[1:]] for cells in csv.reader(lines[1:])
    ]


def test_an_uploaded_workbook_is_read_as_batch_reads_it(client: TestClient, tmp_path: Path) -> None:
    sheets: Sheets = {
        "十月": [
            ["{title October referrals across 3}"],
            ["patient_id", "date_of_birth", "lvef_percent"],
            ["{number 12345}", "{date 1962-05-30}", "{number 35}"],
            [],
            ["007", "{date 1970-01-02}", "lvef 40"],
        ],
        "Other": [["patient_id"], ["NOT-READ"]],
    }
    data = write_workbook(tmp_path / "list.xlsx", sheets).read_bytes()
    posted = client.post("/batch", files={"file": ("十月.xlsx", data, "application/octet-stream")})
    assert posted.status_code == 200  # followed to the results page
    assert "2 records screened" in posted.text
    assert "十月" in posted.text  # the sheet read, its header row and the rows skipped
    assert "row 2" in posted.text
    token_link = re.findall(r'id="download-csv" href="([^"]+)"', posted.text)[0]
    rows = list(csv.reader(client.get(token_link).content.decode("utf-8-sig").splitlines()))
    assert [row[:2] for row in rows[1:]] == [["3", "12345"], ["5", "007"]]  # the sheet's rows


def test_an_upload_picks_its_sheet_and_the_server_maps_its_headers(tmp_path: Path) -> None:
    sheets: Sheets = {
        "说明": [["How to fill in this list"]],
        "名单": [["住院号", "左室射血分数"], ["Z-1", "{number 35}"]],
    }
    data = write_workbook(tmp_path / "list.xlsx", sheets).read_bytes()
    columns = {"住院号": "patient_id", "左室射血分数": "lvef_percent"}
    app = create_app(default_ruleset(), dt.date(2026, 10, 15), column_map=columns)
    client = TestClient(app, base_url="http://127.0.0.1")
    first = client.post("/batch", files={"file": ("名单.xlsx", data, "application/octet-stream")})
    assert first.status_code == 422  # the first sheet holds no list: the others are named
    assert "the workbook&#39;s other sheets: 名单 (name one under Sheet)" in first.text
    page = client.post(
        "/batch",
        data={"sheet": "名单"},
        files={"file": ("名单.csv", data, "application/octet-stream")},
    )
    assert page.status_code == 200
    assert "1 records screened" in page.text
    assert "named .csv" in page.text  # the name says CSV; the content is a workbook
    assert 'data-outcome="flagged">' in page.text
    text = client.post(
        "/batch", data={"sheet": "名单"}, files={"file": ("l.csv", b"patient_id\nA\n", "text/csv")}
    )
    assert text.status_code == 422
    assert "this file holds text (CSV), which has no sheets" in text.text


def test_results_no_longer_held_say_so_in_a_page() -> None:
    client = TestClient(create_app(default_ruleset()), base_url="http://127.0.0.1")
    for path in ("/lists/not-a-token?lang=zh", "/lists/not-a-token/results.csv?lang=zh"):
        page = client.get(path)
        assert page.status_code == 404
        assert "结果仅在服务器内存中保留 30 分钟" in page.text


def test_the_store_holds_few_lists_for_a_while_in_bounded_bytes() -> None:
    def screened(size: int) -> ScreenedList:
        return ScreenedList(
            "r", default_ruleset(), dt.date(2026, 1, 1), "en", Summary(()), compressed=b"x" * size
        )

    store = ResultStore(entries=2, limit=100, seconds=60)
    first, second = store.put(screened(10)), store.put(screened(10))
    assert store.get(first)
    assert store.get(second)
    third = store.put(screened(10))
    assert store.get(first) is None
    assert store.get(third)
    fourth = store.put(screened(95))
    assert store.get(second) is None
    assert store.get(third) is None
    assert store.get(fourth)
    assert ResultStore(seconds=0).get(ResultStore(seconds=0).put(screened(1))) is None


def test_a_header_only_list_is_said_to_have_no_records(client: TestClient) -> None:
    page = client.post("/batch", files={"file": ("r.csv", b"patient_id,lvef_percent\r\n")})
    assert page.status_code == 200
    assert "The list has a header row but no records: nothing was screened." in page.text


@pytest.mark.parametrize(
    ("upload", "status", "says"),
    [
        (("", b"", "application/octet-stream"), 400, "choose a file first"),
        (
            ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
            422,
            "not a CSV file or workbook",
        ),
        (("a.pdf", b"%PDF-1.7\n", "application/pdf"), 422, "not a CSV file or workbook"),
        (("a.bin", b"\x00\x01\x02", "application/octet-stream"), 422, "not a CSV file or workbook"),
        (("l.xlsx", b"PK\x03\x04rest", "application/zip"), 422, "it may be damaged"),
        (("l.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x"), 422, "it may be damaged"),
        (("r.csv", b"mrn,lvef_percent\n1,50\n", "text/csv"), 422, "the template list has every"),
    ],
)
def test_an_upload_the_page_cannot_screen_is_told_in_web_words(
    client: TestClient, upload: tuple[str, bytes, str], status: int, says: str
) -> None:
    page = client.post("/batch", files={"file": upload})
    assert page.status_code == status
    assert says in page.text
    assert "--" not in page.text
    assert "the file is empty" not in page.text
    assert 'role="alert"' in page.text


def test_the_template_list_has_every_column(client: TestClient) -> None:
    template = client.get("/template.csv")
    assert template.content.decode("utf-8-sig") == ",".join(FIELDS) + "\r\n"
    assert "referral-list-template.csv" in template.headers["content-disposition"]
    assert 'href="/template.csv"' in client.get("/batch").text


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


# ---------------------------------------------------------------- issue 13: the form and its pages


def hidden_answers(page: str) -> dict[str, str]:
    """The answers a checklist page carries in its edit form."""
    form = page.split('<form method="post" action="/check" class="inline">')[-1].split("</form>")[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))


def test_the_blank_form_has_the_screening_date_filled_in_and_a_clear_button(
    client: TestClient,
) -> None:
    page = client.get("/").text
    assert 'name="screening_date" type="text" placeholder="YYYY-MM-DD" value="2026-10-15"' in page
    assert 'id="clear-form" href="/?lang=en"' in page
    assert '<script src="/form.js" defer></script>' in page
    script = client.get("/form.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "script-src 'self'" in script.headers["Content-Security-Policy"]


def test_errors_are_tied_to_their_fields_and_summarised_with_links(client: TestClient) -> None:
    page = client.post("/check", data={"lvef_percent": "abc", "nyha_class": "II"}).text
    summary = page.split('<div class="error-summary"')[1].split("</div>")[0]
    assert 'role="alert" tabindex="-1" autofocus' in summary
    assert "2 value(s) need correcting" in summary
    assert '<a href="#patient_id">Patient id: a patient id is needed to screen</a>' in summary
    assert '<a href="#lvef_percent">LVEF (%): not a number' in summary
    assert summary.index("#patient_id") < summary.index("#lvef_percent")  # the form's order
    assert 'aria-describedby="lvef_percent-hint lvef_percent-error" aria-invalid="true"' in page
    assert 'id="lvef_percent-error"' in page
    assert 'aria-describedby="nyha_class-hint">' in page  # a field without an error: only its hint


def test_switching_language_keeps_what_was_typed_and_screens_nothing(client: TestClient) -> None:
    typed = {"lang": "en", "patient_id": "W-7", "lvef_percent": "abc", "nyha_class": "III"}
    page = client.post("/check", data={**typed, "lang_switch": "zh"})
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "转诊表" in page.text
    assert 'value="W-7"' in page.text
    assert 'value="abc"' in page.text
    assert '<option value="III" selected>' in page.text
    assert "error-summary" not in page.text  # switching is not screening
    assert 'form="referral" name="lang_switch" value="en"' in page.text  # and back again


def test_the_checklist_switches_language_as_the_same_checklist(client: TestClient) -> None:
    answers = {"patient_id": "W-8", "lvef_percent": "35", "diagnosis": "tFL — x"}
    english = client.post("/check", data=answers).text
    carried = hidden_answers(english.split("</header>")[0])
    assert carried == {
        "screening_date": "2026-10-15", "patient_id": "W-8", "lvef_percent": "35",
        "diagnosis": "tFL", "lang": "zh",
    }  # fmt: skip
    chinese = client.post("/check", data=carried).text
    assert '<html lang="zh-CN">' in chinese
    assert "预筛查清单" in chinese
    statuses = re.compile(r'data-rule="([\w.]+)" data-status="(\w+)"')
    assert statuses.findall(chinese) == statuses.findall(english)
    assert "1 flagged · 10 need info · 1 clear of 12 criteria" in english
    assert "12 项条目中：1 项提示 · 10 项待补充 · 1 项无异常" in chinese


def test_edit_these_answers_opens_the_form_filled_in(client: TestClient) -> None:
    checklist = client.post("/check", data={"patient_id": "W-9", "lvef_percent": "35"}).text
    assert "refreshing the page sends the answers again" in checklist
    answers = hidden_answers(checklist)
    assert answers["lang"] == "en"
    form = client.post("/check", data={**answers, "edit": "1"})
    assert form.status_code == 200
    assert 'id="referral"' in form.text
    assert 'value="W-9"' in form.text
    assert 'value="35"' in form.text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_rules_page_is_a_page_of_the_ruleset_without_server_paths(
    client: TestClient, lang: Language
) -> None:
    ruleset = default_ruleset()
    page = client.get(f"/rules?lang={lang}")
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "\x1b" not in text
    for path in ruleset.files:
        assert str(path.parent) not in text
    assert f'id="ruleset-sha256">{ruleset.sha256}<' in text
    for rule in ruleset.rules:
        assert f'<section class="rule" id="{rule.id}"' in text
        assert rule.title(lang) in text
    for overview in rule_overviews(ruleset, lang):  # thresholds' bases, label text
        for said in (*overview.bases, overview.label, overview.flagged_when):
            assert str(escape(said)) in text
    assert "NYHA心功能 | 心功能" in text  # accepted spellings
    assert 'href="/clinical-basis?lang=' in text
    assert ("Flagged when" if lang == "en" else "提示条件") in text


@pytest.mark.parametrize(("lang", "says"), [("en", "Page not found"), ("zh", "页面不存在")])
def test_a_bad_address_gets_a_page_in_the_pages_language(
    client: TestClient, lang: str, says: str
) -> None:
    page = client.get(f"/no-such-page?lang={lang}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert f"<h1>{says}</h1>" in page.text
    assert '{"detail"' not in page.text
    wrong_method = client.put(f"/check?lang={lang}")
    assert wrong_method.status_code == 405
    assert "<h1>" in wrong_method.text


def test_a_body_too_large_gets_a_page_in_the_pages_language(client: TestClient) -> None:
    page = client.post(
        "/check?lang=zh",
        content=b"x" * (BODY_LIMIT + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413
    assert "<h1>文件过大</h1>" in page.text


_COMMAND_LINE = re.compile(r"`cart-screen|cart-screen \w|(^|[\s（(；;])--\w|CART_SCREEN_")
"""What sends a user to the command line: a command, an option, an environment variable."""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_uploaded_workbook_that_unpacks_far_beyond_its_size_is_refused_on_the_page(
    client: TestClient, tmp_path: Path, lang: Language
) -> None:
    data = write_bomb(tmp_path / "bomb.xlsx").read_bytes()  # 48 MB of one cell in ~50 KB
    page = client.post(
        "/batch", data={"lang": lang}, files={"file": ("list.xlsx", data, "application/zip")}
    )
    assert page.status_code == 422
    message = M.WORKBOOK_TOO_UNPACKED.zh if lang == "zh" else M.WORKBOOK_TOO_UNPACKED.en
    assert str(escape(message.split("{")[0])) in page.text
    assert f'<html lang="{lang}' in page.text


# Messages the web page never shows: it has its own words for them (WEB_DUPLICATES,
# WEB_INTERNAL_ERROR), or they are the command line's own.
COMMAND_LINE_ONLY = {
    "INTERNAL_ERROR",
    "STOPPED_SAVED",  # the terminal wizard stopped with Ctrl-C
    "SHEET_FOR_CSV",  # --sheet and --encoding: the page has neither for a workbook
    "ENCODING_FOR_WORKBOOK",
    "LOG_BAD_TARGET",  # the log's command-line options: the page's log is set when it starts
    "LOG_NEEDED",
    "LOG_NO_SUCH_FILE",  # the log commands only
    "IS_THE_LOG",  # an output of the command line's named as its --log
    "LOG_TARGET_EMPTY",  # an empty --log or CART_SCREEN_LOG
    "LOG_PHYSICIAN_NEEDED",  # the page's decision form has its own field for the name
    "SQL_ONE_OUTPUT",  # rules sql
    "SERVE_PORT_IN_USE",  # serve says it before there is a page
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_message_the_page_can_show_sends_the_user_to_the_command_line(lang: Language) -> None:
    for name, message in messages().items():
        text = web_wording(message.zh if lang == "zh" else message.en, lang)
        if name not in COMMAND_LINE_ONLY:
            assert not _COMMAND_LINE.search(text), name
    raw = [m.zh if lang == "zh" else m.en for m in messages().values()]
    for said, _ in WEB_WORDING:  # each still occurs: a reworded message would slip through
        assert any(said(lang) in text for text in raw), said(lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_downloaded_workbooks_summary_says_what_the_page_says_not_the_command_line(
    client: TestClient, lang: Language
) -> None:
    listed = (
        "patient_id,diagnosis,lvef_percent,ward\r\n"
        "D-1,DLBCL,50,a\r\nD-1,DLBCL,45,b\r\nD-2,nonsense,50,c\r\nD-2,DLBCL,50,d\r\n"
    )
    posted = client.post(
        "/batch", data={"lang": lang}, files={"file": ("twice.csv", listed.encode(), "text/csv")}
    )
    assert posted.status_code == 200, posted.text
    said = M.WEB_DUPLICATES(lang, ids=2, records=4)
    assert said in posted.text
    href = re.findall(r'id="download-xlsx" href="([^"]+)"', posted.text)[0]
    book = openpyxl.load_workbook(io.BytesIO(client.get(href).content))
    results, summary = (
        [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value]
        for sheet in book.worksheets
    )
    assert said in summary  # the page's own words, as its results page has them
    assert M.SUMMARY_IGNORED(lang, columns="ward") in summary
    href = re.findall(r'id="download-csv" href="([^"]+)"', posted.text)[0]
    rows = list(csv.reader(io.StringIO(client.get(href).content.decode("utf-8-sig"))))
    assert [str(cell) for row in rows for cell in row if cell] == results  # cell for cell
    unknown = rows[3][-2]  # `nonsense`: the subtypes' list is on the Rules page
    assert WEB_WORDING[1][1](lang) in unknown
    assert str(escape(unknown)) in posted.text  # as the page has it
    for text in [*results, *summary]:
        assert not _COMMAND_LINE.search(text), text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_rules_page_lists_the_advisory_checks_apart_unless_the_site_turns_them_off(
    lang: Language,
) -> None:
    from cart_screen.site import Site

    ruleset = default_ruleset()
    page = TestClient(create_app(ruleset), base_url="http://127.0.0.1").get(f"/rules?lang={lang}")
    label, _, advisory = page.text.partition('id="advisory"')
    assert advisory, "no advisory section"
    assert M.ADVISORY_HEADING(lang) in advisory
    assert all(f'id="{rule.id}"' in advisory for rule in ruleset.advisory)
    assert all(f'id="{rule.id}"' in label for rule in ruleset.rules)
    off = create_app(ruleset, site=Site(advisory=False))
    plain = TestClient(off, base_url="http://127.0.0.1").get(f"/rules?lang={lang}").text
    assert 'id="advisory"' not in plain


def test_a_record_with_no_flag_but_a_value_that_could_not_be_read_needs_attention(
    client: TestClient,
) -> None:
    """A green row would hide it: the value's error is on the page, and the record counted.
    (A value no label rule uses: an advisory field; a screening date not read leaves the age
    unknown, so its row is not green.)"""
    lines = (EXAMPLES / "referrals.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",ecog_ps"] + [line + ",0" for line in lines[1:]]
    lines[1] = lines[1][: -len(",0")] + ",good"  # no ECOG grade
    text = "\n".join(lines) + "\n"
    posted = client.post("/batch", files={"file": ("l.csv", text.encode(), "text/csv")})
    page = posted.text
    assert page.count('<tr class="outcome-') == 4 + 4  # outcomes, then 4 needing attention
    listed = page.split('id="attention-table"')[1]
    assert 'class="outcome-no_flags" data-row="1"' in listed
    assert "ecog_ps: " in listed


@pytest.mark.parametrize("kind", FAILING_FIRST_ROWS)
def test_an_uploaded_workbook_refused_at_its_first_rows_is_a_page_saying_so(
    client: TestClient, tmp_path: Path, kind: str
) -> None:
    data = failing_first_rows(tmp_path / "list.xlsx", kind).read_bytes()
    for lang in ("en", "zh"):
        page = client.post(
            "/batch", data={"lang": lang}, files={"file": ("list.xlsx", data, "application/zip")}
        )
        assert page.status_code == 422
        assert 'role="alert"' in page.text
        assert "damaged" in page.text if lang == "en" else "损坏" in page.text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_workbook_whose_first_sheet_is_hidden_asks_for_the_sheet_on_the_page(
    client: TestClient, tmp_path: Path, lang: Language
) -> None:
    sheets: Sheets = {"old": [["patient_id"], ["OLD-1"]], "Referrals": [["patient_id"], ["N-1"]]}
    data = write_workbook(tmp_path / "list.xlsx", sheets, hidden={"old": "hidden"}).read_bytes()
    upload = ("list.xlsx", data, "application/zip")
    page = client.post("/batch", data={"lang": lang}, files={"file": upload})
    assert page.status_code == 422  # as every list the page cannot screen as sent
    said = M.WORKBOOK_FIRST_SHEET_HIDDEN(lang, sheet="old", sheets="Referrals")
    assert str(escape(web_wording(said, lang))) in page.text
    assert not _COMMAND_LINE.search(web_wording(said, lang))
    assert 'id="sheet" name="sheet"' in page.text
    # Named under Sheet, the hidden sheet is read; the visible one, too.
    for sheet in ("old", "Referrals"):
        named = client.post("/batch", data={"lang": lang, "sheet": sheet}, files={"file": upload})
        assert named.status_code == 200, named.text


def test_the_browsers_icon_request_gets_no_404(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 204
    assert icon.content == b""
    assert icon.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
