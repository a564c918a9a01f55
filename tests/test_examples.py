"""The shared examples give the results their opening comments state."""

from __future__ import annotations

from pathlib import Path

from cart_screen import screen
from cart_screen.reading import load_form_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def statuses(name: str) -> tuple[str, dict[str, list[str]]]:
    result = screen(load_form_file(EXAMPLES / name))
    by_status: dict[str, list[str]] = {"flagged": [], "needs_info": [], "clear": []}
    for item in result.items:
        by_status[item.status].append(item.rule_id)
    return result.outcome, by_status


def test_patient_flagged() -> None:
    outcome, by_status = statuses("patient-flagged.yaml")
    assert outcome == "flagged"
    assert by_status["flagged"] == ["indication.prior_lines", "precaution.cardiac"]
    assert by_status["needs_info"] == ["interaction.live_vaccines"]
    assert len(by_status["clear"]) == 9


def test_patient_no_flags() -> None:
    outcome, by_status = statuses("patient-no-flags.yaml")
    assert outcome == "no_flags"
    assert len(by_status["clear"]) == 12
