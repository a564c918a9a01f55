"""The command line as a coordinator uses it: check, schema, rules validate/show; exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.result import NOTICE
from cart_screen.ruleset import default_rules_path, default_ruleset

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def test_check_prints_a_checklist_with_flagged_items_first_and_the_notice_last(
    runner: CliRunner,
) -> None:
    run = runner.invoke(app, ["check", str(EXAMPLES / "patient-flagged.yaml")])
    assert run.exit_code == 0
    out = run.output
    assert out.index("FLAGGED\n") < out.index("NEEDS INFO\n") < out.index("CLEAR\n")
    assert out.rstrip().endswith(NOTICE)
    assert "Prior systemic lines 1 is below 2" in out


def test_check_json_is_the_spec_shape(runner: CliRunner) -> None:
    run = runner.invoke(app, ["check", "--json", str(EXAMPLES / "patient-no-flags.yaml")])
    assert run.exit_code == 0
    result = json.loads(run.output)
    assert list(result) == [
        "patient_id", "outcome", "items", "advisory", "advisory_checked", "errors", "notice",
        "ruleset", "screening_date", "language", "site",
    ]  # fmt: skip
    assert list(result["items"][0]) == [
        "rule_id", "category", "severity", "status", "title", "reason", "source", "note",
    ]  # fmt: skip
    # SPEC §11: the advisory checks, same item shape, never in the outcome
    assert result["advisory_checked"] is True
    assert [list(item) for item in result["advisory"]] == [list(result["items"][0])] * len(
        default_ruleset().advisory
    )
    assert {(i["category"], i["severity"]) for i in result["advisory"]} == {
        ("advisory", "advisory")
    }
    assert list(result["ruleset"]) == ["id", "label_revision", "sha256"]
    assert result["notice"] == NOTICE
    assert result["screening_date"] == "2026-10-15"


def test_as_of_sets_the_screening_date_when_the_form_has_none(
    runner: CliRunner, tmp_path: Path
) -> None:
    form = tmp_path / "f.json"
    form.write_text(json.dumps({"patient_id": "A", "date_of_birth": "2008-10-16"}))
    run = runner.invoke(app, ["check", "--json", "--as-of", "2026-10-16", str(form)])
    result = json.loads(run.output)
    assert result["screening_date"] == "2026-10-16"
    assert result["items"][0]["status"] == "clear"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["check", "missing.yaml"], "no such file"),
        (["check", str(EXAMPLES / "referrals.csv")], "expected one patient"),
        (["check", "--as-of", "2026-02-30", str(EXAMPLES / "patient-flagged.yaml")], "--as-of"),
        (["check", "--rules", "/nonexistent", str(EXAMPLES / "patient-flagged.yaml")], "refused"),
        (["rules", "validate", "/nonexistent"], "no such file"),
    ],
)
def test_bad_input_exits_2_with_a_message(runner: CliRunner, args: list[str], says: str) -> None:
    run = runner.invoke(app, args)
    assert run.exit_code == 2
    assert says in run.output
    assert "Traceback" not in run.output


def test_rules_validate_reports_each_problem_with_file_line_column(
    runner: CliRunner, tmp_path: Path
) -> None:
    shutil.copytree(default_rules_path(), tmp_path / "r")
    rules = tmp_path / "r" / "ruleset.yaml"
    rules.write_text(rules.read_text("utf-8").replace("field: lvef_percent", "field: ef"), "utf-8")
    run = runner.invoke(app, ["rules", "validate", str(tmp_path / "r")])
    assert run.exit_code == 2
    assert f"{rules}:" in run.output
    assert "unknown field 'ef'" in run.output


def test_rules_validate_and_show_the_shipped_rules(runner: CliRunner) -> None:
    run = runner.invoke(app, ["rules", "validate"])
    assert run.exit_code == 0
    assert "12 rules" in run.output
    shown = runner.invoke(app, ["rules", "show"]).output
    assert "precaution.hepatic" in shown
    assert "Total bilirubin > 3×ULN or AST > 5×ULN or ALT > 5×ULN or Child-Pugh class = C" in shown
    assert "CTCAE v5 grade ≥ 3" in shown
    assert "sha256: " in shown


def test_schema_is_json_schema_of_the_form(runner: CliRunner) -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).output)
    assert schema["title"] == "HICARA referral form"
    assert "lvef_percent" in schema["properties"]


def test_python_m_runs_the_cli_and_an_internal_error_is_one_line() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cart_screen", "check", str(EXAMPLES / "patient-flagged.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0
    assert NOTICE in run.stdout


def test_the_site_default_for_intensive_care_from_option_or_environment(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = tmp_path / "f.yaml"
    form.write_text("patient_id: S-1\n")
    run = runner.invoke(app, ["check", str(form), "--icu-available", "yes"])
    assert "Intensive care available: yes (site default)." in run.output
    monkeypatch.setenv("CART_SCREEN_ICU_AVAILABLE", "no")
    run = runner.invoke(app, ["check", str(form), "--json"])
    (item,) = (
        i for i in json.loads(run.output)["items"] if i["rule_id"] == "precaution.icu_facility"
    )
    assert item["status"] == "flagged"
    bad = runner.invoke(app, ["check", str(form), "--icu-available", "maybe"])
    assert bad.exit_code == 2
    assert "icu_available: expected yes or no" in bad.output


def test_only_site_fields_take_a_site_default() -> None:
    from cart_screen.site import read_defaults
    from cart_screen.values.text import FormValueError

    with pytest.raises(FormValueError, match="only icu_available has a site default"):
        read_defaults({"hypersensitivity_to_components": "no"})


def test_rules_show_lists_the_spellings_each_field_accepts(runner: CliRunner) -> None:
    run = runner.invoke(app, ["rules", "show", "--lang", "en"])
    assert run.exit_code == 0
    text = run.output
    assert "How values are read" in text
    assert "relapsed_or_refractory: r/r | R/R | relapsed/refractory" in text
    assert "nyha_class — one of I, II, III, IV" in text
    assert "affixes: Child-Pugh class | Child-Pugh" in text
    assert "DLBCL_NOS: any of DLBCL, DLBCL NOS" in text  # the cell-of-origin compounds
    assert "Refused as ambiguous: double-hit lymphoma" in text
    assert "In any field, these mean not recorded: unknown" in text


def test_rules_validate_checks_the_value_spellings_file(runner: CliRunner, tmp_path: Path) -> None:
    from cart_screen.ruleset import default_rules_path

    folder = tmp_path / "rules"
    shutil.copytree(default_rules_path(), folder)
    values = folder / "values.yaml"
    values.write_text(values.read_text("utf-8").replace("      B: [B]", "      B: [B, A]"), "utf-8")
    run = runner.invoke(app, ["rules", "validate", str(folder)])
    assert run.exit_code == 2
    assert f"{values}:" in run.output
    assert "'A' of B already names A" in run.output


def test_the_clinical_basis_page_is_generated_from_the_rule_files(runner: CliRunner) -> None:
    """docs/clinical-basis.md cannot drift: regenerate it with `cart-screen rules basis -o …`."""
    run = runner.invoke(app, ["rules", "basis"])
    assert run.exit_code == 0
    page = Path(__file__).resolve().parents[1] / "docs" / "clinical-basis.md"
    assert page.read_text("utf-8") == run.output, (
        "run: cart-screen rules basis -o docs/clinical-basis.md"
    )
    for rule_id in ("indication.prior_lines", "interaction.live_vaccines", "precaution.hepatic"):
        assert f"### `{rule_id}`" in run.output
    assert "Threshold (site's reading / 本中心的解读): site's reading: a live vaccine" in run.output
    assert "| `HGBL_11Q` |" in run.output
    assert "no: off-label, for the physician" in run.output


# ---------------------------------------------------------------- hostile YAML (issue 14, 7)

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else 'lol'}]\n"
    for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
"""A billion laughs: each line nine aliases of the one before."""


def test_a_form_file_with_anchors_or_aliases_is_refused_at_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    form = tmp_path / "form.yaml"
    form.write_text("patient_id: A-1\n" + LAUGHS, "utf-8")
    run = runner.invoke(app, ["check", str(form)])
    assert run.exit_code == 2
    assert run.stderr == (
        f"cart-screen: error: {form}:2:4: not valid YAML: anchors and aliases (&, *) are not "
        "allowed in form files\n"
    )


def test_a_column_map_with_anchors_or_aliases_is_refused_at_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("MRN: &id patient_id\nID: *id\n", "utf-8")
    out = tmp_path / "out.csv"
    run = runner.invoke(
        app, ["batch", str(EXAMPLES / "referrals.csv"), "-o", str(out), "--columns", str(mapping)]
    )
    assert run.exit_code == 2
    assert run.stderr == (
        f"cart-screen: error: {EXAMPLES / 'referrals.csv'}: {mapping}:1:6: anchors and aliases "
        "(&, *) are not allowed in column maps\n"
    )
    assert not out.exists()


@pytest.mark.parametrize("kind", ["form", "map"])
def test_a_form_file_or_column_map_over_one_megabyte_is_refused_unread(
    runner: CliRunner, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 110_000, "utf-8")
    args = (
        ["check", str(path)]
        if kind == "form"
        else [
            "batch",
            str(EXAMPLES / "referrals.csv"),
            "-o",
            str(tmp_path / "o.csv"),
            "--columns",
            str(path),
        ]
    )
    run = runner.invoke(app, args)
    assert run.exit_code == 2
    assert f"{path}: larger than 1 MB" in run.stderr


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_form_or_column_map_nested_a_thousand_deep_is_one_line(
    runner: CliRunner, tmp_path: Path, suffix: str
) -> None:
    deep = tmp_path / f"deep{suffix}"
    deep.write_text("[" * 1500 + "]" * 1500, "utf-8")
    run = runner.invoke(app, ["check", str(deep)])
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    listed = tmp_path / "list.csv"
    listed.write_text("patient_id\nA\n", "utf-8")
    args = ["batch", str(listed), "-o", str(tmp_path / "out.csv"), "--columns", str(deep)]
    run = runner.invoke(app, args)
    assert run.exit_code == 2, run.output
    assert "not a valid YAML column map" in run.output or "column map" in run.output
