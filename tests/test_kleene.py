"""Kleene three-valued logic of any / all / not, with required and optional fields."""

from __future__ import annotations

from typing import Any

import pytest

from cart_screen.evaluate import Truth, truth
from cart_screen.ruleset import AllOf, AnyOf, Compare, Condition, Not

T = Compare(op="lt", field="lvef_percent", value=40)  # true for lvef 30, false for 50
REQUIRED = {"lvef_percent"}


def leaf(value: Truth) -> tuple[Condition, dict[str, Any]]:
    return T, {"lvef_percent": {True: 30, False: 50, None: None}[value]}


VALUES: list[Truth] = [True, False, None]


def combine(kind: type[AnyOf] | type[AllOf], a: Truth, b: Truth) -> Truth:
    """Evaluate `a op b` with two copies of a leaf, each reading its own field value."""
    left = Compare(op="lt", field="ast_x_uln", value=40)
    right = Compare(op="lt", field="alt_x_uln", value=40)
    facts = {
        "ast_x_uln": {True: 1, False: 50, None: None}[a],
        "alt_x_uln": {True: 1, False: 50, None: None}[b],
    }
    condition = (
        AnyOf(op="any", of=[left, right]) if kind is AnyOf else AllOf(op="all", of=[left, right])
    )
    return truth(condition, facts, {"ast_x_uln", "alt_x_uln"})


KLEENE_OR = {
    (a, b): (True if True in (a, b) else None if None in (a, b) else False)
    for a in VALUES
    for b in VALUES
}
KLEENE_AND = {
    (a, b): (False if False in (a, b) else None if None in (a, b) else True)
    for a in VALUES
    for b in VALUES
}


@pytest.mark.parametrize(("a", "b"), list(KLEENE_OR))
def test_any_is_kleene_or(a: Truth, b: Truth) -> None:
    assert combine(AnyOf, a, b) is KLEENE_OR[(a, b)]


@pytest.mark.parametrize(("a", "b"), list(KLEENE_AND))
def test_all_is_kleene_and(a: Truth, b: Truth) -> None:
    assert combine(AllOf, a, b) is KLEENE_AND[(a, b)]


@pytest.mark.parametrize(("value", "negated"), [(True, False), (False, True), (None, None)])
def test_not_keeps_unknown_unknown(value: Truth, negated: Truth) -> None:
    condition, facts = leaf(value)
    assert truth(Not(op="not", condition=condition), facts, REQUIRED) is negated


def test_a_missing_optional_field_makes_its_comparison_false() -> None:
    assert truth(T, {}, required=set()) is False
    assert truth(T, {}, required=REQUIRED) is None
