"""The wizard in a real pseudo-terminal, as a coordinator types (issue 13).

`python -m cart_screen form` runs in a pty of a fixed size (pexpect); keys are sent as a terminal
sends them: ← is `\\x1b[D`, ↑ `\\x1b[A`, Ctrl-C `\\x03`, Ctrl-D `\\x04`, Backspace `\\x7f`. What is
checked is what the coordinator keeps: the saved form, the checklist printed, the exit status.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
import yaml

from cart_screen.form import ADVISORY_GROUP, FIELDS
from cart_screen.i18n import Language, M
from cart_screen.render import width

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[=>]")
LEFT, UP, CTRL_C, CTRL_D, BACKSPACE = "\x1b[D", "\x1b[A", "\x03", "\x04", "\x7f"
AS_OF = "2026-10-15"


def plain(text: str) -> str:
    """Terminal output without its escape sequences, lines as the screen shows them."""
    return ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "")


class Terminal:
    """`cart-screen form` in a pseudo-terminal."""

    def __init__(self, *args: str, columns: int = 80) -> None:
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "PROMPT_TOOLKIT_NO_CPR": "1",  # no answer to "where is the cursor?" is waited for
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "cart_screen", "form", "--as-of", AS_OF, *args],
            env=env,
            dimensions=(40, columns),
            encoding="utf-8",
            timeout=60,
        )
        self.seen = ""

    def until(self, text: str) -> str:
        """Wait for `text` on the screen; what came before it."""
        self.child.expect_exact(text)
        before = str(self.child.before)
        self.seen += before + text
        return before

    def answer(self, label: str, keys: str) -> None:
        """Wait for the question, then type `keys` and Enter."""
        self.until(label)
        self.child.send(keys + "\r")

    def press(self, label: str, keys: str) -> None:
        """Wait for the question, then send `keys` alone (Ctrl-C, Ctrl-D)."""
        self.until(label)
        self.child.send(keys)

    def skip_advisory(self, language: Language = "en") -> None:
        """Leave every advisory question (asked after the label's) blank, as a coordinator may."""
        for spec in FIELDS.values():
            if spec.group == ADVISORY_GROUP:
                self.answer(spec.label(language)[:6], "")

    def end(self) -> tuple[int, str]:
        """Wait for the end: exit status and the rest of the screen, plain."""
        self.child.expect(pexpect.EOF)
        self.seen += str(self.child.before)
        self.child.close()
        return self.child.exitstatus, plain(self.seen)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for terminal in started:
        terminal.child.close(force=True)


def open_terminal(started: list[Terminal], *args: str, columns: int = 80) -> Terminal:
    terminal = Terminal(*args, columns=columns)
    started.append(terminal)
    return terminal


def test_arrow_keys_edit_the_answer_and_up_recalls_the_one_before(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    saved = tmp_path / "form.yaml"
    term = open_terminal(terminals, "--save", str(saved))
    term.answer("Patient id:", f"AB1{LEFT}{LEFT}X")  # the screen shows AXB1, and so is it kept
    term.answer("Screening date", "")
    term.answer("Date of birth", "1960-02-28")
    term.answer("Diagnosis:", "DLBCL")  # an umbrella term: refused, asked again
    term.until("names several subtypes")
    term.answer("Diagnosis:", f"{UP} NOS")  # ↑ brings back "DLBCL" to edit
    term.until("read as DLBCL-NOS")
    term.press("Disease status", CTRL_C)
    term.answer("Save them to", "y")
    status, screen = term.end()
    assert status == 130
    assert f"are saved in {saved}" in screen
    form = yaml.safe_load(saved.read_text("utf-8"))
    assert form == {
        "patient_id": "AXB1",
        "screening_date": AS_OF,
        "date_of_birth": "1960-02-28",
        "diagnosis": "DLBCL NOS",  # as typed
    }
    assert "\x1b" not in saved.read_text("utf-8")


def test_ctrl_d_skips_a_question_and_the_review_changes_an_answer(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    saved = tmp_path / "form.yaml"
    term = open_terminal(terminals, "--save", str(saved))
    term.answer("Patient id:", "R-7")
    term.answer("Screening date", "")
    term.answer("Date of birth", "1960-02-28")
    term.answer("Diagnosis:", "DLBCL NOS")
    term.press("Disease status", CTRL_D)
    term.until("skipped: it shows as needs info")
    for label, typed in [
        ("Prior systemic lines (0–20):", "3"),
        ("Active infection (none/controlled/uncontrolled):", "none"),
        ("Hypersensitivity to product components (yes/no):", "no"),
        ("LVEF (5–95 %):", "58"),
        ("NYHA class (I/II/III/IV):", "I"),
        ("Total bilirubin (×ULN):", "1"),
        ("AST (×ULN):", "1"),
        ("ALT (×ULN):", "1"),
        ("Child-Pugh class (A/B/C):", "A"),
        ("On immunosuppressants (yes/no):", "no"),
        ("Recent or planned live vaccine (yes/no):", "no"),
        ("Other anticancer therapy (yes/no):", "no"),
        ("Intensive care available (yes/no):", "yes"),
    ]:
        term.answer(label, typed)
    term.skip_advisory()
    review = term.until("Enter a number to change an answer")
    assert "(not asked: age 66 from the date of birth)" in " ".join(plain(review).split())
    assert re.search(r" 6  Disease status +—", plain(review))
    term.child.send("10\r")  # LVEF, its answer in the line to edit
    term.answer("LVEF (5–95 %):", f"{BACKSPACE}{BACKSPACE}35")
    term.answer("Enter a number to change an answer", "")
    status, screen = term.end()
    assert status == 0
    assert "LVEF 35 % is below 40 %" in screen
    assert "(disease_status)" in screen  # needs info, and says which field resolves it
    form = yaml.safe_load(saved.read_text("utf-8"))
    assert form["lvef_percent"] == "35"
    assert "disease_status" not in form
    assert "age_years" not in form


def test_ctrl_c_without_save_offers_a_file_and_check_reads_what_was_saved(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    partial = tmp_path / "partial.yaml"
    term = open_terminal(terminals)
    term.answer("Patient id:", "R-8")
    term.answer("Screening date", "")
    term.press("Date of birth", CTRL_C)
    term.answer("type a file name", str(partial))
    status, screen = term.end()
    assert status == 130
    assert f"are saved in {partial}" in screen
    assert yaml.safe_load(partial.read_text("utf-8")) == {
        "patient_id": "R-8",
        "screening_date": AS_OF,
    }
    check = pexpect.run(
        f"{sys.executable} -m cart_screen check {partial}", encoding="utf-8", withexitstatus=True
    )
    assert check[1] == 0
    assert "patient R-8" in check[0]


@pytest.mark.parametrize(("reply", "kept"), [("n", True), ("y", False)])
def test_ctrl_c_asks_before_it_replaces_a_file_that_is_there(
    terminals: list[Terminal], tmp_path: Path, reply: str, kept: bool
) -> None:
    other = tmp_path / "form.yaml"
    other.write_text("patient_id: OTHER-PATIENT\n", "utf-8")  # another patient's saved form
    term = open_terminal(terminals)
    term.answer("Patient id:", "R-10")
    term.press("Screening date", CTRL_C)
    term.answer("type a file name", str(other))
    term.answer("Replace it with these answers?", reply)
    status, _ = term.end()
    assert status == 130
    saved = yaml.safe_load(other.read_text("utf-8"))
    assert saved["patient_id"] == ("OTHER-PATIENT" if kept else "R-10")


@pytest.mark.parametrize(
    ("args", "keys"),
    [((), ""), ((), CTRL_C), (("--save", "{saved}"), ""), (("--save", "{saved}"), CTRL_C)],
)
def test_ctrl_c_saves_nothing_unless_asked_and_a_second_ctrl_c_leaves(
    terminals: list[Terminal], tmp_path: Path, args: tuple[str, ...], keys: str
) -> None:
    saved = tmp_path / "form.yaml"
    term = open_terminal(terminals, *(a.format(saved=saved) for a in args))
    term.answer("Patient id:", "R-9")
    term.press("Screening date", CTRL_C)
    term.until("Answers given so far: 1.")
    term.child.send(keys or "\r")
    status, screen = term.end()
    assert status == 130
    assert screen.rstrip().endswith("stopped; nothing was saved")
    assert not saved.exists()


def test_text_is_wrapped_between_words_in_a_narrow_terminal(terminals: list[Terminal]) -> None:
    term = open_terminal(terminals, columns=40)
    before = plain(term.until("Patient id:"))
    lines = [line for line in before.split("\n") if line.strip()]
    assert max(width(line) for line in lines) <= 40
    title = f"{M.FORM_TITLE('en')} — {M.KEYS_HELP('en')}"
    heading = lines.index("Identity and dates")
    assert " ".join(lines[:heading]).split() == title.split()  # no word cut in two
    assert lines[heading + 1 :] == ["  The referral's own id; echoed in every", "  output."]


def test_the_wizard_in_chinese_on_a_narrow_terminal(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    saved = tmp_path / "form.yaml"
    term = open_terminal(terminals, "--lang", "zh", "--save", str(saved), columns=40)
    for label, typed in [
        ("患者编号:", "Z-7"),
        ("筛查日期", ""),
        ("出生日期", "1960年2月28日"),
        ("诊断:", "双打击（MYC/BCL2）"),
        ("疾病状态", "难治"),
        ("既往系统治疗线数", "三线"),
        ("活动性感染", "无"),
        ("对本品成分过敏", "否"),
        ("LVEF", "58"),
        ("NYHA", "心功能I级"),
        ("总胆红素", "1.0"),
        ("AST", "1.0"),
        ("ALT", "1.0"),
        ("Child-Pugh", ""),
        ("正在使用免疫抑制剂", "否"),
        ("近期接种或计划接种活疫苗", "否"),
        ("其他抗肿瘤治疗", "否"),
        ("具备重症监护条件", "是"),
    ]:
        term.answer(label, typed)
    term.skip_advisory("zh")
    term.answer("输入编号修改答案", "")
    status, screen = term.end()
    assert status == 0
    squeezed = "".join(screen.split())  # lines wrapped at 40 columns
    assert "识别为HGBL-MYC/BCL2" in squeezed
    assert "结果：无提示" in squeezed
    checklist = screen[screen.index("HICARA 预筛查清单") : screen.index("已保存")]
    assert max(width(line) for line in checklist.split("\n")) <= 40
    assert "该患者是否适合使用HICARA，由主治医师决定。已保存" in squeezed
    form = yaml.safe_load(saved.read_text("utf-8"))
    assert form["diagnosis"] == "双打击（MYC/BCL2）"  # as typed: it reads as HGBL_MYC_BCL2
    assert form["prior_systemic_lines"] == "三线"  # as typed
