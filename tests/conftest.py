"""Shared step vocabulary for the Gherkin features, and fixtures for the tests."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shlex
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import openpyxl
import pytest
import uvicorn
import yaml
from pytest_bdd import given, parsers, then, when
from typer.testing import CliRunner

from cart_screen import NOTICE, Ruleset, ScreeningResult, load_ruleset, screen
from cart_screen.cli import app
from cart_screen.form import FIELDS
from cart_screen.i18n import Language, M
from cart_screen.render import checklist_text
from cart_screen.result import Outcome
from cart_screen.ruleset import default_rules_path
from cart_screen.workbook_out import COLOURS

pytest.register_assert_rewrite("workbooks")
from postgres import Server, postgres_bin, running_postgres  # noqa: E402
from workbooks import (  # noqa: E402
    Sheets,
    assert_same_rows,
    formula_cells,
    sheet_rows,
    text_of,
    write_ole2,
    write_workbook,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """Debian's PostgreSQL, started once for the session in a temporary folder, then stopped
    (the screening log's tests and the SQL differential test use it)."""
    if postgres_bin() is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with running_postgres() as server:
        yield server


NOTHING_TO_FLAG: dict[str, str] = {
    "patient_id": "T-001",
    "screening_date": "2026-10-15",
    "date_of_birth": "1971-08-02",
    "diagnosis": "DLBCL_NOS",
    "disease_status": "relapsed",
    "prior_systemic_lines": "3",
    "active_infection": "none",
    "hypersensitivity_to_components": "no",
    "lvef_percent": "58",
    "nyha_class": "I",
    "total_bilirubin_x_uln": "0.6",
    "ast_x_uln": "0.9",
    "alt_x_uln": "1.1",
    "child_pugh_class": "A",
    "on_immunosuppressants": "no",
    "recent_live_vaccine": "no",
    "other_anticancer_therapy": "no",
    "icu_available": "yes",
}
"""A complete referral on which every one of the 12 HICARA items is clear."""


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands take their default language from the locale; tests say which they mean."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


@contextlib.contextmanager
def running_server(app: Any) -> Iterator[str]:
    """A real uvicorn server for `app` on a free loopback port, in a thread; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the web server did not start"
        assert thread.is_alive(), "the web server stopped"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve() -> Callable[[Any], AbstractContextManager[str]]:
    """`with serve(app) as url:` runs a real web server for the block (see running_server)."""
    return running_server


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


ResultsCsv = Callable[[Callable[[str], Any], Any], str]


def results_csv(get: Callable[[str], Any], page: Any) -> str:
    """The results CSV an upload's results page links to: `get` fetches a path (a test
    client's or httpx's get), `page` is the response the upload ended on."""
    link = re.search(r'id="download-csv" href="([^"]+)"', page.text)
    assert link, f"no results download on the page ({page.status_code})"
    download = get(link.group(1))
    assert download.status_code == 200
    text: str = download.content.decode("utf-8-sig")
    return text


@pytest.fixture(name="results_csv")
def results_csv_fixture() -> ResultsCsv:
    """`results_csv(client.get, response)`: see results_csv."""
    return results_csv


# ---------------------------------------------------------------- Given


@given(parsers.parse("a referral with nothing to flag, screened on {day}"), target_fixture="form")
def referral_with_nothing_to_flag(day: str) -> dict[str, str]:
    return {**NOTHING_TO_FLAG, "screening_date": day}


@given("a referral with only a patient id", target_fixture="form")
def referral_with_only_an_id() -> dict[str, str]:
    return {"patient_id": "T-002"}


@given(parsers.re(r"its (?P<field>\w+) is (?P<value>.*)"), target_fixture="form")
def set_field(form: dict[str, str], field: str, value: str) -> dict[str, str]:
    """`missing` removes the field; anything else is written as a form would hold it."""
    changed = {k: v for k, v in form.items() if k != field}
    if value != "missing":
        changed[field] = value
    return changed


@given(
    parsers.parse(
        "a copy of the HICARA rules with the LVEF threshold changed from {old:d} to {new:d}"
    ),
    target_fixture="edited_rules",
)
def edited_rules(tmp_path: Path, old: int, new: int) -> Path:
    copy = tmp_path / "edited"
    shutil.copytree(default_rules_path(), copy)
    rules = copy / "ruleset.yaml"
    text, count = re.subn(
        rf"(field: lvef_percent\n\s+value: ){old}\b", rf"\g<1>{new}", rules.read_text("utf-8")
    )
    assert count == 1
    rules.write_text(text, "utf-8")
    return copy


# ---------------------------------------------------------------- When


@when("it is screened", target_fixture="result")
def it_is_screened(form: dict[str, str]) -> ScreeningResult:
    return screen(form)


@when("it is screened at a site with advisory off", target_fixture="result")
def screened_with_advisory_off(form: dict[str, str]) -> ScreeningResult:
    return screen(form, site={"advisory": "off"})


@when(parsers.parse("it is screened at a site whose default is {default}"), target_fixture="result")
def screened_at_site(form: dict[str, str], default: str) -> ScreeningResult:
    site = {} if default == "none" else {"icu_available": default}
    return screen(form, site=site)


@when(parsers.parse("the coordinator checks it as {how}"), target_fixture="output")
def coordinator_checks(form: dict[str, str], how: str, runner: CliRunner, tmp_path: Path) -> str:
    path = tmp_path / "form.yaml"
    path.write_text(yaml.safe_dump(form, allow_unicode=True), "utf-8")
    args = ["check", str(path)] + (["--json"] if how == "JSON" else [])
    run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    return run.output


@when("both rulesets are loaded", target_fixture="rulesets")
def both_loaded(edited_rules: Path) -> tuple[Ruleset, Ruleset]:
    return load_ruleset(default_rules_path()), load_ruleset(edited_rules)


# ---------------------------------------------------------------- Then


def item_status(result: ScreeningResult, rule_id: str) -> str:
    """A label item's status, or an advisory check's (those are in `advisory`, never `items`)."""
    (item,) = (i for i in [*result.items, *result.advisory] if i.rule_id == rule_id)
    return item.status


RULE = r"(?P<rule_id>[a-z]+\.[a-z0-9_]+)"
STATUS = r"(?P<status>flagged|needs_info|clear)"


@then(parsers.re(rf"{RULE} is {STATUS}"))
def rule_has_status(result: ScreeningResult, rule_id: str, status: str) -> None:
    assert item_status(result, rule_id) == status, [i.reason for i in result.items]


@then(parsers.re(rf"{RULE} has severity (?P<severity>exclusion|caution)"))
def rule_has_severity(result: ScreeningResult, rule_id: str, severity: str) -> None:
    assert {i.rule_id: i.severity for i in result.items}[rule_id] == severity


@then(parsers.parse("the outcome is {outcome}"))
def outcome_is(result: ScreeningResult, outcome: str) -> None:
    assert result.outcome == outcome


@then("every advisory check stands apart from the label's items")
def advisory_apart(result: ScreeningResult) -> None:
    """SPEC §11: `advisory.*` items, severity advisory, only in `advisory`; the label's 12 items
    alone in `items` (and so in the outcome)."""
    assert result.advisory_checked
    assert len(result.items) == 12
    assert all(not i.rule_id.startswith("advisory.") for i in result.items)
    assert result.advisory
    assert all(i.rule_id.startswith("advisory.") for i in result.advisory)
    assert {(i.category, i.severity) for i in result.advisory} == {("advisory", "advisory")}
    assert all(
        i.source.startswith(("Not in the HICARA label", "不在 HICARA 说明书中"))
        for i in result.advisory
    )


@then("no advisory check ran")
def no_advisory(result: ScreeningResult) -> None:
    assert not result.advisory_checked
    assert result.advisory == []


@then(
    parsers.re(rf"(?P<count>\d+) advisory checks? (?:is|are) {STATUS}"), converters={"count": int}
)
def count_advisory(result: ScreeningResult, count: int, status: str) -> None:
    assert len(result.advisory_with_status(status)) == count  # type: ignore[arg-type]


@then(parsers.parse('the checklist shows the advisory section "{text}" after the label\'s items'))
def checklist_advisory_section(result: ScreeningResult, text: str) -> None:
    shown = click.unstyle(checklist_text(result))
    label_end = max(shown.index(f"[{i.rule_id} ") for i in result.items)
    assert text in shown[label_end:], shown


@then(parsers.re(rf"every item is {STATUS}"))
def every_item_is(result: ScreeningResult, status: str) -> None:
    assert len(result.items) == 12
    assert {i.status for i in result.items} == {status}


@then(parsers.re(rf"(?P<count>\d+) items are {STATUS}"), converters={"count": int})
def count_items(result: ScreeningResult, count: int, status: str) -> None:
    assert len(result.with_status(status)) == count  # type: ignore[arg-type]


@then(parsers.parse('the {rule_id} reason mentions "{text}"'))
def reason_mentions(result: ScreeningResult, rule_id: str, text: str) -> None:
    (item,) = (i for i in [*result.items, *result.advisory] if i.rule_id == rule_id)
    assert text in item.reason, item.reason


@then(parsers.parse('the {rule_id} note says "{text}"'))
def note_says(result: ScreeningResult, rule_id: str, text: str) -> None:
    (item,) = (i for i in [*result.items, *result.advisory] if i.rule_id == rule_id)
    assert item.note is not None
    assert text in item.note, item.note


@then(parsers.parse("the checklist shows the {rule_id} note"))
def checklist_shows_note(result: ScreeningResult, rule_id: str) -> None:
    (item,) = (i for i in result.items if i.rule_id == rule_id)
    assert item.note is not None
    assert M.NOTE(result.language, note=item.note) in checklist_text(result)


@then(parsers.parse('the form defines {field} as "{text}"'))
def form_defines(field: str, text: str) -> None:
    hint = FIELDS[field].hint
    assert text in hint.en or text in hint.zh, hint


@then(parsers.parse("there is {count:d} error on {field}"))
def errors_on(result: ScreeningResult, count: int, field: str) -> None:
    assert [e.field for e in result.errors].count(field) == count, result.errors


@then(parsers.parse('the error on {field} says "{text}"'))
def error_says(result: ScreeningResult, field: str, text: str) -> None:
    (error,) = (e for e in result.errors if e.field == field)
    assert text in error.message, error.message


@then("the output carries the notice")
def output_has_notice(output: str) -> None:
    assert NOTICE in output


@then("the output carries the ruleset fingerprint")
def output_has_fingerprint(output: str) -> None:
    assert load_ruleset(default_rules_path()).sha256[:16] in output


@then('the output never says "eligible"')
def never_eligible(output: str) -> None:
    assert not re.search(r"\beligible\b", output, re.IGNORECASE)


@then("their fingerprints differ")
def fingerprints_differ(rulesets: tuple[Ruleset, Ruleset]) -> None:
    assert rulesets[0].sha256 != rulesets[1].sha256


@then(
    parsers.parse(
        "a referral with LVEF {lvef:d} is {first} under the first and {second} under the second"
    )
)
def lvef_under_both(rulesets: tuple[Ruleset, Ruleset], lvef: int, first: str, second: str) -> None:
    form: dict[str, Any] = {**NOTHING_TO_FLAG, "lvef_percent": lvef}
    assert item_status(screen(form, rules=rulesets[0]), "precaution.cardiac") == first
    assert item_status(screen(form, rules=rulesets[1]), "precaution.cardiac") == second


# ---------------------------------------------------------------- referral lists


@dataclass
class BatchRun:
    """One `cart-screen batch` run: its exit, messages and what it wrote."""

    exit_code: int
    output: str
    rows: list[dict[str, str]] | None
    summary: dict[str, Any] | None
    out_path: Path


@given("a referral list:", target_fixture="referral_list")
def referral_list(docstring: str, tmp_path: Path) -> Path:
    path = tmp_path / "referrals.csv"
    path.write_text(docstring + "\n", "utf-8")
    return path


@given(
    parsers.parse('a referral list whose note "{marker}" runs on for {lines:d} lines:'),
    target_fixture="referral_list",
)
def referral_list_with_long_note(docstring: str, tmp_path: Path, marker: str, lines: int) -> Path:
    path = tmp_path / "referrals.csv"
    path.write_text(docstring.replace(marker, "x,\n" * lines) + "\n", "utf-8")
    return path


SAVED_IN = {
    "UTF-8": "utf-8",
    "UTF-8 with BOM": "utf-8-sig",
    "UTF-16": "utf-16",
    "GB18030": "gb18030",
}
"""How a list is saved, in the words of a spreadsheet's "Save as", and the codec that does it."""


@given(parsers.parse("a referral list saved in {saved}:"), target_fixture="referral_list")
def referral_list_saved_in(docstring: str, tmp_path: Path, saved: str) -> Path:
    path = tmp_path / "referrals.csv"
    path.write_bytes((docstring + "\n").encode(SAVED_IN[saved]))
    return path


NOT_A_CSV = {
    "an Excel workbook (.xlsx)": b"PK\x03\x04\x14\x00\x06\x00" + bytes(64),
    "a PDF document": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "a photo (JPEG)": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "a list saved in Latin-1": "patient_id,notes\nA,José Müller\n".encode("latin-1"),
}
"""What a coordinator may upload instead of a CSV list, by the bytes it starts with."""


@given(parsers.parse("a file that is {content}"), target_fixture="referral_list")
def file_that_is(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "referrals.csv"
    path.write_bytes(NOT_A_CSV[content])
    return path


@given("a column map:", target_fixture="column_map")
def column_map(docstring: str, tmp_path: Path) -> Path:
    path = tmp_path / "columns.yaml"
    path.write_text(docstring + "\n", "utf-8")
    return path


def run_batch(
    runner: CliRunner, source: Path, *extra: str, output: str = "results.csv"
) -> BatchRun:
    out = source.with_name(output)
    summary = source.with_name("summary.json")
    args = ["batch", str(source), "--output", str(out), "--summary", str(summary), *extra]
    run = runner.invoke(app, [*args, "--as-of", "2026-10-15"])
    rows = read_results(out) if out.exists() else None
    figures = json.loads(summary.read_text("utf-8")) if summary.exists() else None
    return BatchRun(run.exit_code, run.output, rows, figures, out)


def read_results(path: Path) -> list[dict[str, str]]:
    """The rows of a results file, by its format (OUT.csv or OUT.xlsx: SPEC §8)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as results:
            return list(csv.DictReader(results))
    assert path.suffix == ".xlsx", path
    assert formula_cells(path) == []
    header, *rows = sheet_rows(path)
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)) for row in rows]


@when("the coordinator screens the list", target_fixture="batch_run")
def screens_the_list(runner: CliRunner, referral_list: Path) -> BatchRun:
    return run_batch(runner, referral_list)


@when("the coordinator screens the list with the column map", target_fixture="batch_run")
def screens_with_map(runner: CliRunner, referral_list: Path, column_map: Path) -> BatchRun:
    return run_batch(runner, referral_list, "--columns", str(column_map))


# ---------------------------------------------------------------- workbooks (SPEC §8)


@given(parsers.parse('a workbook with the sheet "{name}":'), target_fixture="workbook_sheets")
def workbook_with_sheet(name: str, datatable: list[list[str]]) -> Sheets:
    return {name: datatable[1:]}  # the first row names the columns, as the sheet does: A, B, …


@pytest.fixture
def saved_by_excel() -> bool:
    """Whether the workbook in a scenario was last saved by Excel (else a program wrote it)."""
    return True


@given(
    "the workbook was written by a program and never saved by Excel",
    target_fixture="saved_by_excel",
)
def written_by_a_program() -> bool:
    return False


@pytest.fixture
def hidden_sheets() -> dict[str, str]:
    """The sheets a scenario's workbook hides: name -> `hidden` or `very hidden`."""
    return {}


@given(parsers.parse('the sheet "{name}" is {how}'))
def sheet_is_hidden(hidden_sheets: dict[str, str], name: str, how: str) -> None:
    assert how in ("hidden", "very hidden"), how
    hidden_sheets[name] = how


@given(parsers.parse('a second sheet "{name}" in the workbook:'))
def second_sheet(workbook_sheets: Sheets, name: str, datatable: list[list[str]]) -> None:
    workbook_sheets[name] = datatable[1:]


KEPT_AS: dict[str, Callable[[Path], Path]] = {
    "a workbook": lambda path: write_workbook(path, {"Sheet1": [["patient_id"], ["A1"]]}),
    "CSV text": lambda path: _written(path, b"patient_id\r\nA1\r\n"),
    "a ZIP archive with no workbook": lambda path: _zipped(path, {"notes.txt": "A1"}),
    "a damaged ZIP archive": lambda path: _written(path, b"PK\x03\x04\x14\x00" + bytes(64)),
    "a workbook protected by password": lambda path: write_ole2(
        path, ["EncryptionInfo", "EncryptedPackage"]
    ),
    "an empty workbook sheet": lambda path: write_workbook(path, {"Sheet1": []}),
    "a workbook without a header": lambda path: write_workbook(
        path, {"Sheet1": [["Referrals"], *[["x", "y"]] * 25]}
    ),
}
"""What a coordinator may give as a referral list, beside a good CSV file."""


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zipped(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


@given(
    parsers.parse('a referral list kept as {content} named "{name}"'),
    target_fixture="referral_list",
)
def referral_list_kept_as(tmp_path: Path, content: str, name: str) -> Path:
    return KEPT_AS[content](tmp_path / name)


@when(
    parsers.parse('the coordinator screens the workbook into "{output}"'),
    target_fixture="batch_run",
)
def screens_the_workbook(
    runner: CliRunner,
    tmp_path: Path,
    workbook_sheets: Sheets,
    output: str,
    saved_by_excel: bool,
    hidden_sheets: dict[str, str],
) -> BatchRun:
    path = tmp_path / "referrals.xlsx"
    source = write_workbook(
        path, workbook_sheets, saved_by_excel=saved_by_excel, hidden=hidden_sheets
    )
    return run_batch(runner, source, output=output)


@when(
    parsers.parse('the coordinator screens sheet "{sheet}" of the workbook'),
    target_fixture="batch_run",
)
def screens_a_named_sheet(
    runner: CliRunner,
    tmp_path: Path,
    workbook_sheets: Sheets,
    sheet: str,
    hidden_sheets: dict[str, str],
) -> BatchRun:
    source = write_workbook(tmp_path / "referrals.xlsx", workbook_sheets, hidden=hidden_sheets)
    return run_batch(runner, source, "--sheet", sheet)


@when(
    parsers.parse('the coordinator screens sheet "{sheet}" of the workbook with the column map'),
    target_fixture="batch_run",
)
def screens_a_sheet(
    runner: CliRunner, tmp_path: Path, workbook_sheets: Sheets, sheet: str, column_map: Path
) -> BatchRun:
    source = write_workbook(tmp_path / "referrals.xlsx", workbook_sheets)
    return run_batch(runner, source, "--sheet", sheet, "--columns", str(column_map))


@when(
    parsers.re('the coordinator screens the list with options "(?P<options>[^"]*)"'),
    target_fixture="batch_run",
)
def screens_with_options(runner: CliRunner, referral_list: Path, options: str) -> BatchRun:
    return run_batch(runner, referral_list, *shlex.split(options))


@then(parsers.parse('sheet row {number:d} says "{text}"'))
def sheet_row_says(batch_run: BatchRun, number: int, text: str) -> None:
    assert batch_run.rows is not None
    (row,) = [row for row in batch_run.rows if row["row"] == str(number)]
    assert text in row["errors"], row["errors"]


@then("the results have these rows:")
def results_rows(batch_run: BatchRun, datatable: list[list[str]]) -> None:
    assert batch_run.exit_code == 0, batch_run.output
    assert batch_run.rows is not None
    header, *expected = datatable
    got = [[row[column] for column in header] for row in batch_run.rows]
    assert got == expected


@then(parsers.parse('row {number:d} says "{text}"'))
def row_says(batch_run: BatchRun, number: int, text: str) -> None:
    assert batch_run.rows is not None
    assert text in batch_run.rows[number - 1]["errors"]


@then("every row carries the notice")
def rows_carry_notice(batch_run: BatchRun) -> None:
    assert batch_run.rows is not None
    assert all(row["notice"] == NOTICE for row in batch_run.rows)


@then(
    parsers.parse(
        "the summary counts {records:d} records: {flagged:d} flagged, {needs:d} needs_info, "
        "{clear:d} no_flags, {error:d} error"
    )
)
def summary_counts(
    batch_run: BatchRun, records: int, flagged: int, needs: int, clear: int, error: int
) -> None:
    assert batch_run.summary is not None
    assert batch_run.summary["records"] == records
    outcomes = {"flagged": flagged, "needs_info": needs, "no_flags": clear, "error": error}
    assert batch_run.summary["outcomes"] == outcomes
    assert re.search(rf"^all records +{records} +100\.0 %$", batch_run.output, re.MULTILINE)


@then(
    parsers.parse(
        'the summary counts {ids:d} patient id given more than once and names "{column}" as an '
        "ignored column"
    )
)
def summary_counts_duplicates(batch_run: BatchRun, ids: int, column: str) -> None:
    """Counted, not named: the summary goes to stderr, and from there to logs."""
    assert batch_run.summary is not None
    assert batch_run.summary["duplicates"] == {"patient_ids": ids, "records": 2 * ids}
    assert "duplicate_patient_ids" not in batch_run.summary
    assert batch_run.summary["ignored_columns"] == [column]
    assert f"{ids} patient ids occur more than once" in batch_run.output
    assert column in batch_run.output


@then(parsers.parse('the summary says "{text}"'))
def summary_says(batch_run: BatchRun, text: str) -> None:
    assert batch_run.exit_code == 0, batch_run.output
    assert text in batch_run.output


@then(parsers.parse('the command fails with "{text}"'))
def command_fails(batch_run: BatchRun, text: str) -> None:
    assert batch_run.exit_code == 2
    assert text in batch_run.output


@then("no results file is left behind")
def nothing_left(batch_run: BatchRun) -> None:
    assert not batch_run.out_path.exists()
    assert list(batch_run.out_path.parent.glob("*.part")) == []


# ---------------------------------------------------------------- 中文步骤（# language: zh-CN）


@given(parsers.parse("一位各项均无异常的转诊患者，筛查日期为 {day}"), target_fixture="form")
def zh_referral_with_nothing_to_flag(day: str) -> dict[str, str]:
    return {**NOTHING_TO_FLAG, "screening_date": day}


@given(parsers.re(r"其 (?P<field>\w+) 为 (?P<value>.*)"), target_fixture="form")
def zh_set_field(form: dict[str, str], field: str, value: str) -> dict[str, str]:
    """“缺失”表示删除该字段。"""
    return set_field(form, field, "missing" if value == "缺失" else value)


@when("以中文筛查", target_fixture="result")
def zh_screened(form: dict[str, str]) -> ScreeningResult:
    return screen(form, language="zh")


@then(parsers.re(rf"{RULE} 的状态为 {STATUS}"))
def zh_rule_has_status(result: ScreeningResult, rule_id: str, status: str) -> None:
    rule_has_status(result, rule_id, status)


@then(parsers.parse("该条理由为“{text}”"))
def zh_reason_is(result: ScreeningResult, text: str) -> None:
    (item,) = (i for i in result.items if i.rule_id == "indication.adult")
    assert item.reason == text


@then(parsers.parse("{rule_id} 的备注提到“{text}”"))
def zh_note_says(result: ScreeningResult, rule_id: str, text: str) -> None:
    note_says(result, rule_id, text)


@when("在关闭参考检查项的机构以中文筛查", target_fixture="result")
def zh_screened_advisory_off(form: dict[str, str]) -> ScreeningResult:
    return screen(form, language="zh", site={"advisory": "off"})


@then("参考检查项与说明书条目分开列出")
def zh_advisory_apart(result: ScreeningResult) -> None:
    advisory_apart(result)


@then("未进行参考检查")
def zh_no_advisory(result: ScreeningResult) -> None:
    no_advisory(result)


@then(parsers.parse("筛查结果为 {outcome}"))
def zh_outcome_is(result: ScreeningResult, outcome: str) -> None:
    outcome_is(result, outcome)


@then(parsers.parse("清单在说明书条目之后显示参考检查项标题“{text}”"))
def zh_checklist_advisory_section(result: ScreeningResult, text: str) -> None:
    checklist_advisory_section(result, text)


@then(parsers.parse("{rule_id} 的理由提到“{text}”"))
def zh_reason_mentions(result: ScreeningResult, rule_id: str, text: str) -> None:
    reason_mentions(result, rule_id, text)


@then(parsers.parse("{field} 的错误提示提到“{text}”"))
def zh_error_says(result: ScreeningResult, field: str, text: str) -> None:
    error_says(result, field, text)


@then(parsers.parse("表单中 {field} 的定义提到“{text}”"))
def zh_form_defines(field: str, text: str) -> None:
    form_defines(field, text)


@then("提示语为中文")
def zh_notice(result: ScreeningResult) -> None:
    assert result.language == "zh"
    assert (
        result.notice
        == "仅为预筛查辅助，并非用药资格判定。该患者是否适合使用 HICARA，由主治医师决定。"
    )


# ---------------------------------------------------------------- OUT.xlsx (batch_workbook.feature)


@dataclass
class WorkbookRun:
    """The same list written as OUT.csv and as OUT.xlsx, in one language."""

    csv_path: Path
    xlsx_path: Path
    language: Language


@when(
    parsers.parse("the coordinator screens the list into a workbook in {lang}"),
    target_fixture="workbook_run",
)
def screens_into_a_workbook(runner: CliRunner, referral_list: Path, lang: Language) -> WorkbookRun:
    paths = referral_list.with_name("results.csv"), referral_list.with_name("results.xlsx")
    for out in paths:
        args = ["batch", str(referral_list), "-o", str(out), "--lang", lang]
        run = runner.invoke(app, [*args, "--as-of", "2026-10-15"])
        assert run.exit_code == 0, run.output
    return WorkbookRun(*paths, lang)


@then("the workbook's first sheet has the same rows as the results list")
def workbook_same_rows(workbook_run: WorkbookRun) -> None:
    assert_same_rows(workbook_run.csv_path, workbook_run.xlsx_path, workbook_run.language)


COLOUR_NAMES: dict[str, Outcome] = {
    "red": "flagged",
    "yellow": "needs_info",
    "green": "no_flags",
    "orange": "error",
}


@then("the outcome cells are coloured:")
def outcome_colours(workbook_run: WorkbookRun, datatable: list[list[str]]) -> None:
    sheet = openpyxl.load_workbook(workbook_run.xlsx_path).worksheets[0]
    column = [cell.value for cell in sheet[1]].index("outcome") + 1
    for row, outcome, colour in datatable[1:]:
        cell = sheet.cell(int(row) + 1, column)
        assert cell.value == outcome
        assert cell.fill.fgColor.rgb == "FF" + COLOURS[COLOUR_NAMES[colour]][0].lstrip("#")


@then("no cell of the workbook is a formula")
def no_formula(workbook_run: WorkbookRun) -> None:
    assert formula_cells(workbook_run.xlsx_path) == []


@then("the workbook's header is frozen and has an autofilter")
def header_frozen(workbook_run: WorkbookRun) -> None:
    sheet = openpyxl.load_workbook(workbook_run.xlsx_path).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref
        == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    )


@then(
    parsers.parse(
        "the workbook's summary sheet counts {records:d} records: {flagged:d} flagged, "
        "{needs:d} needs_info, {no_flags:d} no_flags, {error:d} error"
    )
)
def workbook_counts(
    workbook_run: WorkbookRun, records: int, flagged: int, needs: int, no_flags: int, error: int
) -> None:
    sheet = openpyxl.load_workbook(workbook_run.xlsx_path).worksheets[1]
    counts = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if len(row) > 2}
    expected = {"flagged": flagged, "needs_info": needs, "no_flags": no_flags, "error": error}
    assert {name: counts[name] for name in expected} == expected
    assert counts[M.SUMMARY_ALL(workbook_run.language)] == records


@then(
    parsers.parse(
        "the workbook carries the notice in {lang} on its summary sheet and in its properties"
    )
)
def workbook_notice(workbook_run: WorkbookRun, lang: Language) -> None:
    book = openpyxl.load_workbook(workbook_run.xlsx_path)
    texts = {text_of(v) for row in book.worksheets[1].iter_rows(values_only=True) for v in row}
    assert M.NOTICE(lang) in texts
    assert book.properties.subject == M.NOTICE(lang)
