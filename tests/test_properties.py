"""Properties over any form: no exception, 12 items, outcome = worst item, missing never clear."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cart_screen import screen
from cart_screen.form import DERIVED, FIELDS
from cart_screen.ruleset import default_ruleset
from cart_screen.values.text import has_control, has_invisible

RULESET = default_ruleset()

GOOD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "screening_date": st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    "date_of_birth": st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    "age_years": st.integers(0, 120),
    "diagnosis": st.sampled_from([*RULESET.vocabulary.codes, "double hit", "伯基特淋巴瘤"]),
    "disease_status": st.sampled_from(["relapsed", "refractory", "remission", "untreated"]),
    "prior_systemic_lines": st.integers(0, 12),
    "active_infection": st.sampled_from(["none", "controlled", "uncontrolled"]),
    "lvef_percent": st.floats(0, 100),
    "nyha_class": st.sampled_from(["I", "II", "III", "IV", "1", "4"]),
    "total_bilirubin_x_uln": st.floats(0, 50),
    "ast_x_uln": st.floats(0, 50),
    "alt_x_uln": st.floats(0, 50),
    "child_pugh_class": st.sampled_from(["A", "B", "C"]),
}
YES_NO = st.sampled_from(["yes", "no", "Y", "n", "是", "否", True, False, 1, 0])
JUNK = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@st.composite
def forms(draw: st.DrawFn) -> dict[str, Any]:
    # an id holding a control character is no id (test_an_id_holding_a_control_character_…),
    # nor one holding an invisible one (test_an_id_with_an_invisible_character_…)
    ids = st.text(min_size=1, max_size=8).filter(
        lambda t: t.strip() and not has_control(t) and not has_invisible(t)
    )
    form: dict[str, Any] = {"patient_id": draw(ids)}
    for name in FIELDS:
        if name == "patient_id" or draw(st.booleans()):
            continue  # missing
        good = GOOD_VALUES.get(name, YES_NO)
        form[name] = draw(st.one_of(good, JUNK) if draw(st.integers(0, 4)) == 0 else good)
    return form


RANK = {"clear": 0, "needs_info": 1, "flagged": 2}
OUTCOME = {0: "no_flags", 1: "needs_info", 2: "flagged"}


@settings(max_examples=400, deadline=None)
@given(forms())
def test_any_form_screens_to_twelve_items_with_the_worst_as_outcome(form: dict[str, Any]) -> None:
    result = screen(form, as_of=dt.date(2026, 10, 15))
    assert len(result.items) == 12
    assert result.outcome == OUTCOME[max(RANK[i.status] for i in result.items)]
    assert result.notice
    assert result.ruleset.sha256 == RULESET.sha256
    result.model_dump_json()  # every result serialises


@settings(max_examples=400, deadline=None)
@given(forms())
def test_a_rule_whose_required_data_is_missing_is_never_clear(form: dict[str, Any]) -> None:
    result = screen(form, as_of=dt.date(2026, 10, 15))
    known = {**form}
    for error in result.errors:
        known.pop(error.field, None)
    facts = {name for name, value in known.items() if value is not None and str(value).strip()}
    for name, (_, sources) in DERIVED.items():
        if facts & set(sources):
            facts.add(name)
    for rule, item in zip(RULESET.rules, result.items, strict=True):
        if not set(rule.required) <= facts:
            assert item.status != "clear", (rule.id, item.reason)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), JUNK, max_size=8))
def test_any_mapping_at_all_gives_a_result_not_an_exception(raw: dict[str, Any]) -> None:
    result = screen(raw, as_of="2026-10-15")
    assert result.outcome in {"flagged", "needs_info", "no_flags", "error"}
    if result.outcome == "error":
        assert any(e.field == "patient_id" for e in result.errors)


PLAIN = st.text(max_size=8).filter(lambda t: not has_control(t))


@settings(max_examples=200, deadline=None)
@given(PLAIN, st.characters(categories=["Cc"], exclude_characters="\t\n\r"), PLAIN)
def test_an_id_holding_a_control_character_is_an_error_saying_so(
    before: str, control: str, after: str
) -> None:
    result = screen({"patient_id": f"R{before}{control}{after}"}, as_of=dt.date(2026, 10, 15))
    assert result.outcome == "error"
    (error,) = (e for e in result.errors if e.field == "patient_id")
    assert error.message.startswith("holds ")
    assert f"\\x{ord(control):02x}" in error.message
