"""The terminal wizard, driven by piped answers as a coordinator on the phone would type them."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.result import NOTICE
from cart_screen.ruleset import default_ruleset
from cart_screen.wizard import Wizard

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

HAPPY = [
    "R-7", "2026-10-15", "1960-02-28", "DLBCL NOS", "refractory", "3",
    "none", "否", "58", "I", "1.0", "1.0", "1.0", "", "no", "no", "no", "yes",
]  # fmt: skip
"""One answer a line; age is not asked after a date of birth; the review screen then takes the
end of input (or an empty line) as 'screen'."""


def answers(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def test_happy_path_shows_the_checklist_and_saves_form_and_result(
    runner: CliRunner, tmp_path: Path
) -> None:
    form, result = tmp_path / "form.yaml", tmp_path / "result.json"
    args = ["form", "--save", str(form), "--result", str(result)]
    run = runner.invoke(app, args, input=answers(HAPPY))
    assert run.exit_code == 0, run.output
    assert "Outcome: NO FLAGS" in run.output
    assert run.output.rstrip().endswith(f"saved {result}")
    assert NOTICE in run.output
    saved = yaml.safe_load(form.read_text("utf-8"))
    assert saved["diagnosis"] == "DLBCL NOS"  # as typed: it reads as DLBCL_NOS again
    assert saved["hypersensitivity_to_components"] == "否"  # as typed
    assert "age_years" not in saved  # skipped
    assert json.loads(result.read_text("utf-8"))["outcome"] == "no_flags"


def test_a_wrong_answer_is_explained_and_asked_again() -> None:
    wizard = Wizard(default_ruleset())
    for typed in HAPPY[:8]:
        assert wizard.answer(typed).kind == "next", typed
    assert wizard.question().name == "lvef_percent"
    for wrong, said in (
        ("abc", "not a number — expected a number from 5 to 95"),
        ("120", "120 is outside the plausible range"),
    ):
        feedback = wizard.answer(wrong)
        assert (feedback.kind, wizard.question().name) == ("again", "lvef_percent")
        assert said in feedback.message
    assert wizard.answer("58").kind == "next"


def test_piped_answers_stop_at_one_that_cannot_be_read_and_screen_nothing(
    runner: CliRunner,
) -> None:
    # Asking again would take the next line, meant for the next question: every later answer
    # would land in the wrong field (a live vaccine 'yes' read as the immunosuppressants answer).
    lines = [*HAPPY[:8], "abc", *HAPPY[8:]]
    run = runner.invoke(app, ["form"], input=answers(lines))
    assert run.exit_code == 2, run.output
    assert "answers from standard input: lvef_percent: not a number" in run.output
    assert "nothing was screened" in run.output
    assert "Outcome" not in run.output


def test_piped_answers_with_a_line_left_over_screen_nothing(runner: CliRunner) -> None:
    wizard = Wizard(default_ruleset())
    for typed in HAPPY:
        wizard.answer(typed)
    advisory = ["-"] * (len(wizard.names) - wizard.position)  # the advisory questions, skipped
    run = runner.invoke(app, ["form"], input=answers([*HAPPY, *advisory, "yes"]))
    assert run.exit_code == 2, run.output
    assert "more answer lines than questions (a line left over: yes)" in run.output
    assert "Outcome" not in run.output


def test_skip_leaves_a_value_unknown_and_it_needs_info(runner: CliRunner) -> None:
    lines = list(HAPPY)
    lines[8] = "-"  # LVEF unknown
    run = runner.invoke(app, ["form", "--as-of", "2026-10-15"], input=answers(lines))
    assert "Outcome: NEEDS INFO" in run.output
    assert "LVEF not recorded (lvef_percent)" in run.output


def test_back_goes_to_the_previous_question_and_keeps_its_answer() -> None:
    wizard = Wizard(default_ruleset())
    for typed in ("R-1", "2026-10-15", "1960-01-01"):
        assert wizard.answer(typed).kind == "next"
    assert wizard.answer("<").kind == "back"
    question = wizard.question()
    assert (question.name, question.default) == ("date_of_birth", "1960-01-01")
    assert wizard.answer("").kind == "next"  # Enter keeps it
    assert wizard.form()["date_of_birth"] == "1960-01-01"


def test_cross_field_problems_are_caught_at_the_answer() -> None:
    wizard = Wizard(default_ruleset())
    for typed in ("R-1", "2026-10-15"):
        wizard.answer(typed)
    feedback = wizard.answer("2027-01-01")
    assert feedback.kind == "again"
    assert "after the screening date" in feedback.message
    wizard.answer("1960-06-01")
    assert wizard.question().name == "diagnosis"  # age is not asked after a date of birth
    form = {"patient_id": "R-1", "age_years": "40"}
    prefilled = Wizard.prefilled(default_ruleset(), form, as_of=dt.date(2026, 10, 15))
    for _ in range(2):  # the id and the screening date as shown
        assert prefilled.answer("").kind == "next"
    feedback = prefilled.answer("1960-06-01")
    assert feedback.kind == "again"
    assert "conflicts with date_of_birth" in feedback.message
    assert prefilled.answer("1986-06-01").kind == "next"
    assert prefilled.question().name == "age_years"  # asked, as it holds an answer


def test_the_patient_id_cannot_be_skipped() -> None:
    wizard = Wizard(default_ruleset())
    assert wizard.answer("").kind == "again"
    assert wizard.answer("-").kind == "again"


def test_from_prefills_answers_to_review(runner: CliRunner) -> None:
    run = runner.invoke(
        app, ["form", "--from", str(EXAMPLES / "patient-flagged.yaml")], input="\n" * 18
    )
    assert run.exit_code == 0, run.output
    assert "Patient id [EX-002]" in run.output
    assert "Outcome: FLAGGED" in run.output


def test_end_of_input_without_an_id_screens_nothing(runner: CliRunner) -> None:
    run = runner.invoke(app, ["form"], input="")
    assert run.exit_code == 2
    assert "no patient id" in run.output


def test_the_wizard_works_with_piped_input_in_a_real_process() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cart_screen", "form"],
        input=answers(HAPPY),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Outcome: NO FLAGS" in run.stdout


def test_back_through_the_command_line_re_asks_the_previous_question(runner: CliRunner) -> None:
    lines = [*HAPPY[:9], "<", "35", *HAPPY[9:]]  # LVEF 58, back from NYHA, LVEF 35 instead
    run = runner.invoke(app, ["form"], input=answers(lines))
    assert run.exit_code == 0, run.output
    assert "LVEF (5–95 %) [58]: 35" in run.output
    assert "LVEF 35 % is below 40 %" in run.output


def test_the_wizard_in_chinese_takes_chinese_answers(runner: CliRunner) -> None:
    chinese = [
        "Z-7", "2026-10-15", "1960-02-28", "双打击（MYC/BCL2）", "难治", "3",
        "无", "否", "58", "I", "1.0", "1.0", "1.0", "跳过", "否", "否", "否", "是",
    ]  # fmt: skip
    run = runner.invoke(app, ["form", "--lang", "zh"], input=answers(chinese))
    assert run.exit_code == 0, run.output
    assert "身份与日期" in run.output
    assert "识别为 HGBL-MYC/BCL2（伴MYC和BCL2重排的高级别B细胞淋巴瘤）" in run.output
    assert "结果：无提示" in run.output
    assert run.output.rstrip().endswith("该患者是否适合使用 HICARA，由主治医师决定。")


def test_arrow_keys_piped_in_are_refused(runner: CliRunner) -> None:
    lines = ["AB1\x1b[D\x1b[DX", *HAPPY]  # a terminal that does no line editing
    run = runner.invoke(app, ["form"], input=answers(lines))
    assert run.exit_code == 2, run.output
    assert "holds \\x1b[D, which the ← key types in a terminal without line editing" in run.output
    assert "\x1b[D" not in run.output


def test_from_reports_keys_that_are_no_field_as_check_does_and_keeps_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    prefill, saved = tmp_path / "in.yaml", tmp_path / "out.yaml"
    prefill.write_text("patient_id: R-1\nward: 5B\n", "utf-8")
    check = runner.invoke(app, ["check", str(prefill)])
    line = "  ward = '5B': unknown field — see `cart-screen schema`"
    assert line in check.output
    run = runner.invoke(
        app, ["form", "--from", str(prefill), "--save", str(saved)], input="\n" * 40
    )
    assert run.exit_code == 0, run.output
    assert run.output.count(line) == 2  # before the questions, and with the checklist
    assert yaml.safe_load(saved.read_text("utf-8"))["ward"] == "5B"


def test_what_is_saved_on_stopping_holds_only_what_was_given() -> None:
    wizard = Wizard(default_ruleset(), as_of=dt.date(2026, 10, 15))
    assert wizard.partial_form() == {}  # today's date is only offered
    wizard.answer("R-1")
    assert wizard.partial_form() == {"patient_id": "R-1"}
    wizard.answer("")  # the date shown, confirmed
    assert wizard.partial_form() == {"patient_id": "R-1", "screening_date": "2026-10-15"}


def test_the_review_numbers_every_field_and_a_change_comes_back_to_it() -> None:
    wizard = Wizard(default_ruleset(), as_of=dt.date(2026, 10, 15))
    for typed in ("R-1", "", "1960-02-28"):
        wizard.answer(typed)
    wizard.skip_rest()
    rows = wizard.review()
    assert [row.number for row in rows] == list(range(1, 20 + 22))  # + the advisory group
    assert (rows[3].answer, rows[3].note) == ("", "(not asked: age 66 from the date of birth)")
    assert wizard.revise(10)
    assert wizard.question().name == "lvef_percent"
    assert wizard.answer("35").kind == "next"
    assert wizard.done  # back to the review, not on to NYHA
    assert wizard.review()[9].answer == "35 %"
    assert not wizard.revise(20 + 22)
