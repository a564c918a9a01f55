"""Binds features/log/screening_log.feature: the story runs once on SQLite, once on PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pytest_bdd import given, parsers, scenario, then, when
from typer.testing import CliRunner

from cart_screen.cli import app


@scenario(
    "log/screening_log.feature",
    "First screen needs info, the re-screen is flagged, the physician asks for more",
)
def test_the_story_on_each_engine(log_target: str) -> None:
    """Asks for log_target here, so that the scenario runs once per engine."""


REFERRAL = {
    "patient_id": "R-0042", "screening_date": "2026-10-01", "date_of_birth": "1958-01-20",
    "diagnosis": "DLBCL_NOS", "disease_status": "refractory", "prior_systemic_lines": "3",
}  # fmt: skip


def cart_screen(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


@given("a screening log", target_fixture="log")
def a_log(log_target: str) -> str:
    return log_target


@given(parsers.parse("the referral {patient} with no echo result yet"), target_fixture="form")
def referral(patient: str) -> dict[str, str]:
    return {**REFERRAL, "patient_id": patient}


@when(parsers.parse("the echo comes back with an LVEF of {lvef:d}"), target_fixture="form")
def echo(form: dict[str, str], lvef: int) -> dict[str, str]:
    return {**form, "lvef_percent": str(lvef), "screening_date": "2026-10-15"}


@when("the coordinator screens it with the log")
def screens(form: dict[str, str], log: str, tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text(json.dumps(form), "utf-8")
    cart_screen("check", str(path), "--log", log)


def shown(log: str, patient: str) -> dict[str, list[dict[str, object]]]:
    return json.loads(cart_screen("log", "show", patient, "--json", "--log", log))  # type: ignore[no-any-return]


@then(parsers.parse("the log holds 1 screening of {patient} with outcome {outcome}"))
def one_screening(log: str, patient: str, outcome: str) -> None:
    assert [s["outcome"] for s in shown(log, patient)["screenings"]] == [outcome]


@then(
    parsers.parse(
        "the log holds {count:d} screenings of {patient}, the latest with outcome {outcome}"
    )
)
def screenings(log: str, count: int, patient: str, outcome: str) -> None:
    found = shown(log, patient)["screenings"]
    assert len(found) == count
    assert found[-1]["outcome"] == outcome


@then(parsers.parse('the diff reads "{line}"'))
def diff_reads(log: str, form: dict[str, str], line: str) -> None:
    assert line in cart_screen("log", "diff", form["patient_id"], "--log", log).splitlines()


@when(parsers.parse('the physician {physician} decides {decision} with the note "{note}"'))
def decides(log: str, form: dict[str, str], physician: str, decision: str, note: str) -> None:
    cart_screen("log", "decide", form["patient_id"], "--decision", decision,
                "--physician", physician, "--note", note, "--log", log)  # fmt: skip


@then(parsers.parse("the decision is recorded against screening {number:d}"))
def decision_against(log: str, form: dict[str, str], number: int) -> None:
    assert [d["screening_id"] for d in shown(log, form["patient_id"])["decisions"]] == [number]


@then(parsers.parse("the worklist shows {patient} as {outcome} with the decision {decision}"))
def worklist(log: str, patient: str, outcome: str, decision: str) -> None:
    lines = json.loads(cart_screen("log", "list", "--json", "--log", log))
    assert [(p["patient_id"], p["outcome"], p["decision"]["decision"]) for p in lines] == [
        (patient, outcome, decision)
    ]


@then(parsers.parse("the export holds {screened:d} screenings and {decided:d} decision"))
def export(log: str, tmp_path: Path, screened: int, decided: int) -> None:
    output = tmp_path / "log.csv"
    cart_screen("log", "export", "--output", str(output), "--log", log)
    with output.open(encoding="utf-8-sig", newline="") as exported:
        kinds = [row["kind"] for row in csv.DictReader(exported)]
    assert kinds == ["screening"] * screened + ["decision"] * decided
