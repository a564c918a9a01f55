"""Advisory checks (issue 16, SPEC §11): a file of their own, loaded and refused as the label's,
never in the outcome. Behaviour a clinician reads is in features/advisory_*.feature."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cart_screen import screen
from cart_screen.ruleset import RulesetError, default_rules_path, load_ruleset


def copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_path(), folder)
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "says"),
    [
        (
            "advisory.yaml",
            '    category: advisory\n    severity: advisory\n    title: {en: "ECOG performance status 0–1"',
            '    category: advisory\n    title: {en: "ECOG performance status 0–1"',
            "advisory.performance_status: an advisory check says severity: advisory",
        ),
        (
            "advisory.yaml",
            "sources: [JULIET, TRANSCEND NHL 001, EBMT, NCT05436223]",
            "sources: [JULIET, KEYNOTE-000]",
            "unknown source 'KEYNOTE-000'",
        ),
        (
            "advisory.yaml",
            "  - id: advisory.hiv\n    category: advisory\n    severity: advisory",
            "  - id: advisory.hiv\n    category: advisory\n    severity: caution",
            "advisory rules have severity 'advisory', not 'caution'",
        ),
        (
            "advisory.yaml",
            '      value: 1.0\n      basis: {en: "ZUMA-1, JULIET: ANC',
            '      value: "1.0"\n      basis: {en: "ZUMA-1, JULIET: ANC',
            "expected a number, not '1.0'",
        ),
        (
            "ruleset.yaml",
            "  - id: indication.adult\n    category: indication",
            "  - id: indication.adult\n    category: indication\n    severity: advisory",
            "indication rules have severity 'exclusion', not 'advisory'",
        ),
    ],
)
def test_a_wrong_advisory_file_is_refused_with_file_line_and_reason(
    tmp_path: Path, file: str, old: str, new: str, says: str
) -> None:
    folder = copy_rules(tmp_path)
    path = folder / file
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(RulesetError) as refused:
        load_ruleset(folder)
    message = str(refused.value)
    assert says in message
    assert f"{file}:" in message


def test_a_label_rule_file_cannot_hold_an_advisory_check(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    path = folder / "ruleset.yaml"
    text = path.read_text("utf-8")
    text = text.replace(
        "  - id: indication.adult\n    category: indication",
        "  - id: advisory.adult\n    category: advisory",
    )
    path.write_text(text, "utf-8")
    with pytest.raises(RulesetError, match="advisory checks live in the advisory file"):
        load_ruleset(folder)


def test_a_ruleset_without_an_advisory_file_screens_the_label_alone(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    path = folder / "ruleset.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("advisory:")), "utf-8")
    (folder / "advisory.yaml").unlink()
    result = screen({"patient_id": "A-1", "ecog_ps": "4"}, rules=folder, as_of="2026-10-15")
    assert result.advisory == []
    assert len(result.items) == 12


def test_the_advisory_checks_never_change_the_outcome() -> None:
    """Whatever the advisory data says, the outcome is the label's alone."""
    worst = {
        "patient_id": "A-2",
        "ecog_ps": "4",
        "prior_cd19_therapy": "yes",
        "cns_involvement": "active",
        "hbsag": "positive",
        "anti_hbc": "positive",
        "hiv": "positive",
        "hcv_rna": "positive",
        "platelets_x10e9_l": "5",
    }
    label_only = screen({"patient_id": "A-2"}, site={"advisory": "off"}, as_of="2026-10-15")
    with_advisory = screen(worst, as_of="2026-10-15")
    assert with_advisory.outcome == label_only.outcome == "needs_info"
    assert [i.status for i in with_advisory.items] == [i.status for i in label_only.items]
    assert len(with_advisory.advisory_with_status("flagged")) == 8
