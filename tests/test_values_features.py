"""Steps for the features on reading values as referrals write them (features/values_*.feature).

The shared vocabulary (a referral with nothing to flag, its field is …, it is screened, a rule's
status and reason, and their Chinese forms) comes from conftest.py; the steps here read one value
the way a form or CSV cell holds it, with or without a site file, and say what it was read as.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pytest_bdd import given, parsers, scenarios, then, when

from cart_screen import ScreeningResult, screen
from cart_screen.form import FIELDS
from cart_screen.i18n import Language
from cart_screen.reading import UNREADABLE, FieldError, FormReader
from cart_screen.ruleset import default_ruleset
from cart_screen.site import read_lab_uln
from cart_screen.wizard import canonical_text

scenarios(
    "values_diagnosis.feature",
    "values_disease_status.feature",
    "values_counts.feature",
    "values_yes_no_infection.feature",
    "values_nyha_child_pugh.feature",
    "values_numbers.feature",
    "values_liver_tests.feature",
    "values_dates.feature",
    "values_zh.feature",
)

AS_OF = dt.date(2026, 10, 15)
RULE = r"(?P<rule_id>[a-z]+\.[a-z_]+)"


@dataclass(frozen=True)
class Reading:
    """One value as a form cell holds it, and what the reader made of it."""

    field: str
    written: str
    value: Any
    errors: tuple[FieldError, ...]

    def refusal(self) -> FieldError:
        """The one error on this field (the value must not have been read)."""
        assert self.value is None, self.value
        (error,) = (e for e in self.errors if e.field == self.field)
        return error

    def shown(self, language: Language) -> str:
        """The value as the checklist shows it, with how it was worked out where it was."""
        vocabulary = default_ruleset().vocabulary
        return FIELDS[self.field].show(self.value, vocabulary, language=language)


def read_with(reader: FormReader, field: str, written: str) -> Reading:
    read = reader.read({field: written}, AS_OF)
    value = read.facts.get(field)
    value = None if value is UNREADABLE else value  # given but not read: no value
    return Reading(field, written, value, read.errors)


# ---------------------------------------------------------------- Given


@given("the site file:", target_fixture="site")
def the_site_file(docstring: str) -> Mapping[str, Any]:
    site: Mapping[str, Any] = yaml.safe_load(docstring)
    return site


# ---------------------------------------------------------------- When


@when(parsers.parse('the referral writes {field:w} as "{written}"'), target_fixture="reading")
def writes(field: str, written: str) -> Reading:
    return read_with(default_ruleset().reader, field, written)


@when(
    parsers.parse('the referral writes {field:w} as "{written}" at that site'),
    target_fixture="reading",
)
def writes_at_site(site: Mapping[str, Any], field: str, written: str) -> Reading:
    ruleset = default_ruleset()
    reader = ruleset.reader_for(read_lab_uln(site.get("lab_uln", {}), ruleset.book))
    return read_with(reader, field, written)


@when("it is screened at that site", target_fixture="result")
def screened_at_that_site(form: dict[str, str], site: Mapping[str, Any]) -> ScreeningResult:
    return screen(form, site=site)


# ---------------------------------------------------------------- Then


@then(parsers.parse("it reads as {expected}"))
def reads_as(reading: Reading, expected: str) -> None:
    assert reading.errors == (), reading.errors
    assert reading.value is not None
    assert canonical_text(FIELDS[reading.field], reading.value) == expected


@then("it is read as not recorded, with no error")
def not_recorded(reading: Reading) -> None:
    assert (reading.value, reading.errors) == (None, ())


@then(parsers.parse('it is refused: "{text}"'))
def refused(reading: Reading, text: str) -> None:
    assert text in reading.refusal().message.en, reading.refusal().message.en


@then(parsers.parse('the refusal does not mention "{text}"'))
def refusal_does_not_mention(reading: Reading, text: str) -> None:
    assert text not in reading.refusal().message.en, reading.refusal().message.en


@then(parsers.parse('in Chinese the refusal says "{text}"'))
def refused_in_chinese(reading: Reading, text: str) -> None:
    assert text in reading.refusal().message.zh, reading.refusal().message.zh


@then(parsers.parse('it shows how it was read: "{text}"'))
def shows_how(reading: Reading, text: str) -> None:
    assert text in reading.shown("en"), reading.shown("en")


@then(parsers.parse('in Chinese it shows "{text}"'))
def shows_how_in_chinese(reading: Reading, text: str) -> None:
    assert text in reading.shown("zh"), reading.shown("zh")


@then(parsers.parse("the screening date is {day}"))
def screening_date_is(result: ScreeningResult, day: str) -> None:
    assert result.screening_date.isoformat() == day


# ---------------------------------------------------------------- 中文步骤（# language: zh-CN）


@then(parsers.re(rf"{RULE} 的理由包含“(?P<text>.+)”"))
def zh_reason_contains(result: ScreeningResult, rule_id: str, text: str) -> None:
    (item,) = (i for i in result.items if i.rule_id == rule_id)
    assert text in item.reason, item.reason


@then(parsers.re(r"(?P<field>\w+) 的错误说明包含“(?P<text>.+)”"))
def zh_error_contains(result: ScreeningResult, field: str, text: str) -> None:
    (error,) = (e for e in result.errors if e.field == field)
    assert text in error.message, error.message
