"""Running the worked examples rules carry (`rules validate`): given these values, this status.

Above evaluation, which it uses; the loader (ruleset.py) only checks that an example's values fit
their fields. A threshold edited without its examples is reported where the example stands.
"""

from __future__ import annotations

from cart_screen.datafile import Problem
from cart_screen.evaluate import STATUS_OF_TRUTH, truth
from cart_screen.result import Status
from cart_screen.ruleset import Example, Rule, Ruleset, RulesetError, spec_of


def example_status(ruleset: Ruleset, rule: Rule, example: Example) -> Status:
    """The status a rule gives its worked example (fields the example leaves out are missing)."""
    facts = {}
    for name, value in example.given.items():
        spec = spec_of(name)
        assert spec is not None  # the loader refused unknown fields
        read = spec.parse(value, ruleset.book)
        if read is not None:
            facts[name] = read
    return STATUS_OF_TRUTH[truth(rule.flag_when, facts, rule.required)]


def example_problems(ruleset: Ruleset) -> list[Problem]:
    """Each worked example whose rule gives another status than it says, located in its file."""
    wrong = []
    for rules, doc in ruleset.rule_files():
        for n, rule in enumerate(rules):
            for i, example in enumerate(rule.examples):
                got = example_status(ruleset, rule, example)
                if got != example.status:
                    message = f"example {i + 1} of {rule.id}: expected {example.status}, got {got}"
                    wrong.append(doc.locate(("rules", n, "examples", i), message))
    return wrong


def check_examples(ruleset: Ruleset) -> Ruleset:
    """The ruleset, once every worked example gives its status; else RulesetError, located."""
    wrong = example_problems(ruleset)
    if wrong:
        raise RulesetError(wrong)
    return ruleset
