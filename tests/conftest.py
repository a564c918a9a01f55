"""Shared step vocabulary for the Gherkin features, and fixtures for the tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_bdd import given, parsers, then, when
from typer.testing import CliRunner

from cart_screen import NOTICE, Ruleset, ScreeningResult, load_ruleset, screen
from cart_screen.cli import app
from cart_screen.ruleset import default_rules_path

REPO = Path(__file__).resolve().parents[1]

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


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


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
    (item,) = (i for i in result.items if i.rule_id == rule_id)
    return item.status


RULE = r"(?P<rule_id>[a-z]+\.[a-z_]+)"
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


@then(parsers.re(rf"every item is {STATUS}"))
def every_item_is(result: ScreeningResult, status: str) -> None:
    assert len(result.items) == 12
    assert {i.status for i in result.items} == {status}


@then(parsers.re(rf"(?P<count>\d+) items are {STATUS}"), converters={"count": int})
def count_items(result: ScreeningResult, count: int, status: str) -> None:
    assert len(result.with_status(status)) == count  # type: ignore[arg-type]


@then(parsers.parse('the {rule_id} reason mentions "{text}"'))
def reason_mentions(result: ScreeningResult, rule_id: str, text: str) -> None:
    (item,) = (i for i in result.items if i.rule_id == rule_id)
    assert text in item.reason, item.reason


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
