"""Marks and digits a value may not hold (values.yaml `marks`; text.too_many_digits): the
reader's own answers, below the Gherkin scenarios in features/values_*.feature."""

from __future__ import annotations

import pytest

from cart_screen.values.book import shipped_book
from cart_screen.values.kinds import Kind
from cart_screen.values.text import FormValueError, Measured, apart, too_many_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("39.999999999999", False),  # 14 digits
        ("39.9999999999999", False),  # 15
        ("39.99999999999999", True),  # 16
        ("40.000000000000000000", False),  # trailing zeros of a decimal do not count
        ("0.000000000000000001", False),  # nor do leading zeros
        ("1234567890123456", True),
        ("LVEF 39.99999999999999 %", True),
    ],
)
def test_significant_digits_beyond_a_double_are_found(text: str, expected: bool) -> None:
    assert too_many_digits(text) is expected


def test_fifteen_significant_digits_read_exactly() -> None:
    assert shipped_book().read("lvef_percent", Kind.NUMBER, "39.9999999999999") == 39.9999999999999


@pytest.mark.parametrize(
    ("name", "kind", "text"),
    [
        ("nyha_class", Kind.CHOICE, "NYHA ＞II"),
        ("child_pugh_class", Kind.CHOICE, "Child-Pugh ＞B"),
        ("prior_systemic_lines", Kind.INTEGER, "‹两线"),
        ("ecog_ps", Kind.INTEGER, "≳1"),
        ("cns_involvement", Kind.CHOICE, "≈none"),
        ("hbsag", Kind.CHOICE, "HBsAg <20"),
        ("on_immunosuppressants", Kind.YES_NO, "›yes"),
    ],
)
def test_every_field_read_by_spelling_refuses_a_sign(name: str, kind: Kind, text: str) -> None:
    with pytest.raises(FormValueError, match="a bound, not a measured value"):
        shipped_book().read(name, kind, text)


@pytest.mark.parametrize(
    ("name", "kind", "text", "expected"),
    [
        ("hbsag", Kind.CHOICE, "阳性(+)", "positive"),  # a spelling's own marks are its own
        ("hbsag", Kind.CHOICE, "(-)", "negative"),
        ("diagnosis", Kind.DIAGNOSIS, "EBV+ DLBCL", "EBV_DLBCL"),
        ("lvef_percent", Kind.NUMBER, "LVEF=35%", 35.0),
        ("child_pugh_class", Kind.CHOICE, "Child-Pugh: B.", "B"),
    ],
)
def test_marks_that_are_part_of_a_spelling_or_punctuation_still_read(
    name: str, kind: Kind, text: str, expected: object
) -> None:
    assert shipped_book().read(name, kind, text) == expected


def test_a_list_separator_holding_a_sign_is_still_a_list() -> None:
    with pytest.raises(FormValueError, match="a list, not a count"):
        shipped_book().read("prior_systemic_lines", Kind.INTEGER, "R-CHOP -> R-ICE")


@pytest.mark.parametrize(
    ("value", "limit", "shown", "expected"),
    [
        (39.99999999999, 40.0, "40", "39.99999999999"),
        (3.0000000000000004, 3.0, "3", "3.0000000000000004"),
        (3.24, 3.0, "3.24", "3.24"),  # already apart: unchanged
        (40.0, 40.0, "40", "40"),  # on the threshold: shown so
        (3.246, 3.247, "3.25", "3.246"),  # rounded across a threshold off the grid
    ],
)
def test_a_value_is_shown_apart_from_its_threshold(
    value: float, limit: float, shown: str, expected: str
) -> None:
    assert apart(value, limit, shown) == expected


def test_a_measured_value_keeps_how_it_was_shaped_through_pickling() -> None:
    import pickle

    read = shipped_book().read(
        "total_bilirubin_x_uln", Kind.NUMBER, "61.50000001 µmol/L (ULN 20.5)"
    )
    assert isinstance(read, Measured)
    again = pickle.loads(pickle.dumps(read))
    assert "= 3.0000000005×ULN" in again.how_against(3.0).en
    assert "= 3×ULN" in again.how.en
