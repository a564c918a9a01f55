"""Reading raw form values: every spelling the form accepts, and a located error for the rest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cart_screen.form import FIELDS, PatientForm
from cart_screen.reading import FormFileError, age_on, load_form_file, read_form
from cart_screen.ruleset import default_ruleset

BOOK = default_ruleset().book


def read(field: str, raw: Any) -> tuple[Any, list[str]]:
    done = read_form({"patient_id": "P", field: raw}, BOOK, dt.date(2026, 10, 15))
    return getattr(done.form, field), [e.message.en for e in done.errors if e.field == field]


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        ("hypersensitivity_to_components", " YES ", True),
        ("hypersensitivity_to_components", "y", True),
        ("hypersensitivity_to_components", True, True),
        ("hypersensitivity_to_components", 1, True),
        ("hypersensitivity_to_components", "是", True),
        ("hypersensitivity_to_components", "否", False),
        ("hypersensitivity_to_components", "False", False),
        ("nyha_class", "iv", "IV"),
        ("nyha_class", 2, "II"),
        ("nyha_class", "3", "III"),
        ("child_pugh_class", "c", "C"),
        ("disease_status", " Relapsed ", "relapsed"),
        ("lvef_percent", "39.5", 39.5),
        ("lvef_percent", "45%", 45.0),
        ("lvef_percent", "５５", 55.0),  # full-width digits, as a Chinese input method types them
        ("lvef_percent", 5, 5.0),
        ("lvef_percent", "LVEF 35%", 35.0),
        ("nyha_class", "心功能III级", "III"),
        ("nyha_class", "Ⅳ", "IV"),
        ("child_pugh_class", "Child-Pugh B", "B"),
        ("child_pugh_class", "10分", "C"),
        ("disease_status", "原发难治", "refractory"),
        ("disease_status", "r/r", "relapsed_or_refractory"),
        ("prior_systemic_lines", "三线", 3),
        ("prior_systemic_lines", "two", 2),
        ("age_years", "45岁", 45),
        ("date_of_birth", "1965年3月14日", dt.date(1965, 3, 14)),
        ("date_of_birth", "19650314", dt.date(1965, 3, 14)),
        ("total_bilirubin_x_uln", "3.2倍正常上限", 3.2),
        ("total_bilirubin_x_uln", "68 µmol/L (ULN 21)", 68 / 21),
        ("hypersensitivity_to_components", "无", False),
        ("on_immunosuppressants", "unknown", None),
        ("prior_systemic_lines", "2", 2),
        ("prior_systemic_lines", 2.0, 2),
        ("prior_systemic_lines", "3.0", 3),
        ("age_years", "120", 120),
        ("date_of_birth", "1960-02-29", dt.date(1960, 2, 29)),
        ("date_of_birth", dt.date(1960, 1, 1), dt.date(1960, 1, 1)),
        ("diagnosis", "  dlbcl - nos ", "DLBCL_NOS"),
        ("diagnosis", "ＤＬＢＣＬ　ＮＯＳ", "DLBCL_NOS"),
        ("diagnosis", "Double Hit (MYC/BCL2)", "HGBL_MYC_BCL2"),
        ("diagnosis", "DLBCL, GCB type", "DLBCL_NOS"),
        ("patient_id", 12345, "12345"),
        ("lvef_percent", "   ", None),
    ],
)
def test_accepted_spellings(field: str, raw: Any, value: Any) -> None:
    assert read(field, raw) == (value, [])


@pytest.mark.parametrize(
    ("field", "raw", "says"),
    [
        ("hypersensitivity_to_components", "maybe", "expected yes or no"),
        ("hypersensitivity_to_components", 2, "expected yes or no"),
        ("nyha_class", "V", "expected one of I, II, III, IV (also 1, 2, 3, 4)"),
        ("nyha_class", "II-III", "names more than one value (II or III): record one"),
        ("lvef_percent", "abc", "not a number — expected a number from 5 to 95"),
        (
            "lvef_percent",
            "0.55",
            "0.55 is outside the plausible range (an LVEF this low is a fraction",
        ),
        ("lvef_percent", "50-55%", "a range, not one value"),
        ("lvef_percent", ">60", "a bound, not a measured value"),
        ("lvef_percent", "NaN", "not a finite number"),
        ("lvef_percent", "4_5", "not a number"),
        ("lvef_percent", float("inf"), "not a finite number"),
        ("lvef_percent", "95.1", "95.1 is outside the plausible range"),
        ("lvef_percent", True, "expected a number"),
        (
            "total_bilirubin_x_uln",
            "-1",
            "-1 is outside the plausible range — expected a number from 0 to 50",
        ),
        ("total_bilirubin_x_uln", "68 µmol/L", "no upper limit of normal to divide by"),
        ("total_bilirubin_x_uln", "68 mmol/L (ULN 21)", "not a unit of this test"),
        ("prior_systemic_lines", "R-CHOP, R-ICE", "a list, not a count"),
        ("disease_status", "PR", "a response, not the course of the disease"),
        ("active_infection", "yes", "say whether the infection is controlled or uncontrolled"),
        ("child_pugh_class", "17分", "a Child-Pugh score of 17 does not exist"),
        ("date_of_birth", "03/04/1965", "day and month could be either way round"),
        ("prior_systemic_lines", "2.5", "not a whole number"),
        ("prior_systemic_lines", "-1", "outside the plausible range"),
        (
            "age_years",
            "121",
            "121 is outside the plausible range — expected a whole number from 0 to 120",
        ),
        ("date_of_birth", "1960-02-30", "not a real calendar date"),
        ("date_of_birth", "15/03/1960", "expected a calendar date, year first: YYYY-MM-DD"),
        ("date_of_birth", "1860-01-01", "not a plausible date"),
        ("date_of_birth", dt.datetime(1960, 1, 1, 8, 0), "a date and time"),
        ("diagnosis", "DLBCL", "names several subtypes — record which"),
        ("diagnosis", "C83.3", "an ICD code does not identify the subtype"),
        ("diagnosis", "lymphoma", "not a known lymphoma subtype"),
        ("diagnosis", "DLBLC NOS", "did you mean DLBCL-NOS ("),
        ("diagnosis", "double hit", '"double hit" without its genes names two diagnoses'),
        ("patient_id", ["a"], "expected non-empty text"),
    ],
)
def test_unreadable_values_become_errors_and_count_as_missing(
    field: str, raw: Any, says: str
) -> None:
    value, messages = read(field, raw)
    assert value is None
    assert len(messages) == 1
    assert says in messages[0]


def test_every_field_says_what_it_allows() -> None:
    for spec in FIELDS.values():
        assert spec.allowed()


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("2008-10-15", "2026-10-15", 18),
        ("2008-10-16", "2026-10-15", 17),
        ("2000-02-29", "2018-02-28", 17),
        ("2000-02-29", "2018-03-01", 18),
        ("2000-02-29", "2020-02-29", 20),
        ("1999-12-31", "2000-01-01", 0),
    ],
)
def test_age_in_completed_years(born: str, on: str, age: int) -> None:
    assert age_on(dt.date.fromisoformat(born), dt.date.fromisoformat(on)) == age


def test_screening_date_comes_from_the_form_then_as_of_then_today() -> None:
    as_of = dt.date(2026, 1, 1)
    assert read_form({"screening_date": "2025-05-05"}, BOOK, as_of).screening_date == dt.date(
        2025, 5, 5
    )
    assert read_form({}, BOOK, as_of).screening_date == as_of
    assert read_form({}, BOOK).screening_date == dt.date.today()


def test_keys_match_ignoring_case_and_spaces_and_unknown_keys_are_reported() -> None:
    done = read_form({" LVEF_Percent ": "50", "EF": "50"}, BOOK)
    assert done.form.lvef_percent == 50.0
    assert [(e.field, e.message.en) for e in done.errors] == [
        ("EF", "unknown field — see `cart-screen schema`")
    ]


def test_the_pydantic_model_reads_the_same_spellings() -> None:
    form = PatientForm.model_validate(
        {"nyha_class": "4", "icu_available": "是", "lvef_percent": ""}
    )
    assert (form.nyha_class, form.icu_available, form.lvef_percent) == ("IV", True, None)


def test_the_json_schema_lists_every_field_with_its_label_and_group() -> None:
    schema = PatientForm.model_json_schema()
    assert list(schema["properties"]) == list(FIELDS)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["lvef_percent"]["title"] == "LVEF"
    assert schema["properties"]["lvef_percent"]["x-group"] == "heart"


def test_form_files_keep_yaml_scalars_as_text(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("patient_id: 00123\nnyha_class: III\nicu_available: no\nlvef_percent:\n")
    assert load_form_file(path) == {
        "patient_id": "00123",
        "nyha_class": "III",
        "icu_available": "no",
        "lvef_percent": None,
    }


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("form.yaml", "- a\n- b\n", "expected one patient as `field: value` pairs"),
        ("form.yaml", "a: [b\n", "not valid YAML"),
        ("form.json", '{"a": ', "not valid JSON"),
        ("form.json", '{"lvef_percent": 35, "lvef_percent": 55}', "'lvef_percent' is given twice"),
        ("form.yaml", b"\xff\xfe\x00", "not UTF-8 text"),  # a UTF-16 mark, then half a character
    ],
)
def test_unreadable_form_files_raise_one_located_error(
    tmp_path: Path, name: str, text: str | bytes, says: str
) -> None:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(FormFileError, match=says):
        load_form_file(path)


def test_a_key_given_twice_in_a_form_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("patient_id: A\nlvef_percent: 35\nlvef_percent: 55\n")
    with pytest.raises(
        FormFileError, match=r"form.yaml:3:1: not valid YAML: key 'lvef_percent' is given twice"
    ):
        load_form_file(path)


def test_a_field_given_twice_in_two_spellings_is_taken_from_neither() -> None:
    done = read_form({"patient_id": "A", "lvef_percent": "35", "LVEF_Percent": "55"}, BOOK)
    assert done.form.lvef_percent is None
    assert [(e.field, e.message.en) for e in done.errors] == [
        ("lvef_percent", "given twice — keep one value")
    ]


def test_chinese_message_names_the_chinese_spellings_first() -> None:
    """A coordinator reading Chinese is told the words they would write (阳性), not only 'pos'."""
    done = read_form({"patient_id": "P", "hbsag": "maybe"}, BOOK, dt.date(2026, 10, 15))
    (error,) = [e for e in done.errors if e.field == "hbsag"]
    assert "（也可写 阳性、pos、阴性、neg）" in error.message.zh
    assert error.message.en.endswith("(also pos, neg)")
