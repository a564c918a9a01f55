"""What reaches a terminal or a page names no patient and carries no control characters
(issue 14, failure 4; issue 13).

The batch summary counts duplicate patient ids and lists them only when asked
(`--show-duplicates`); every echo of the input (ids, headers, values in messages, the wizard's
answers) shows a control character as its escape (`\\x1b`), so `\\x1b]0;pwn\\x07` in an id cannot
retitle the terminal. A value holding a control character is refused where it is read (issue 13):
an id so written is an error row saying what was found, never an id. OUT.csv keeps the other data
as it is: it is the user's own output.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.render import printable
from cart_screen.ruleset import default_ruleset
from cart_screen.web import create_app

RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
"""What must never reach a terminal or page as it is (tab and line break may)."""

RETITLE = "\x1b]0;pwn\x07"
ID = f"A{RETITLE}"
SPOOF = "R-\u202eKCOL"
HEADER = f"patient_id,lvef_percent,diagnosis,Ward{RETITLE}notes\r\n"
LIST = (
    HEADER
    + f"{ID},50,DLBCL_NOS,x\r\n{ID},35,DLBCL_NOS,y\r\n"
    + f"{SPOOF},50,DLBCL_NOS,\r\n{SPOOF},50,DLBCL_NOS,\r\n{SPOOF},50,DLBCL_NOS,\r\n"
    + "B-1,50,DLBCL_NOS,\r\n"
    + "C\x9b2J,abc\x1b[31m,DLBCL_NOS,\r\n"
    + "B-1,50,DLBCL_NOS,\r\n"
)


def run_batch(tmp_path: Path, *extra: str) -> tuple[str, dict[str, object], Path]:
    source, out, summary = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "summary.json"
    source.write_text(LIST, "utf-8")
    args = ["batch", str(source), "-o", str(out), "--summary", str(summary), *extra]
    run = CliRunner().invoke(app, [*args, "--as-of", "2026-10-15"])
    assert run.exit_code == 0, run.output
    return run.stderr, json.loads(summary.read_text("utf-8")), out


def test_the_summary_counts_duplicate_ids_and_names_none(tmp_path: Path) -> None:
    stderr, figures, _ = run_batch(tmp_path)
    assert "2 patient ids occur more than once (5 records, each screened)" in stderr
    assert "--show-duplicates lists them" in stderr
    for patient in ("A\\x1b", "R-", "B-1", "KCOL", "C\\x9b"):
        assert patient not in stderr
    assert stderr.count("pwn") == 1  # in the ignored column's header
    assert figures["duplicates"] == {"patient_ids": 2, "records": 5}  # R-…KCOL ×3, B-1 ×2
    assert "duplicate_patient_ids" not in figures


def test_duplicate_ids_are_listed_when_asked_with_their_control_characters_escaped(
    tmp_path: Path,
) -> None:
    stderr, figures, _ = run_batch(tmp_path, "--show-duplicates")
    assert "Duplicate patient ids (each screened): B-1 ×2, R-\\u202eKCOL ×3" in stderr
    assert not RAW_CONTROL.search(stderr)
    assert figures["duplicate_patient_ids"] == {SPOOF: 3, "B-1": 2}


def test_headers_and_ids_reach_the_terminal_escaped_and_out_csv_as_they_are(
    tmp_path: Path,
) -> None:
    stderr, figures, out = run_batch(tmp_path)
    assert not RAW_CONTROL.search(stderr)
    assert "Ignored columns: Ward\\x1b]0;pwn\\x07notes" in stderr
    assert figures["ignored_columns"] == [f"Ward{RETITLE}notes"]
    with out.open(encoding="utf-8", newline="") as results:
        rows = list(csv.DictReader(results))
    assert [row["patient_id"] for row in rows] == ["", "", SPOOF, SPOOF, SPOOF, "B-1", "", "B-1"]
    refused = [rows[0], rows[1], rows[6]]
    assert [row["outcome"] for row in refused] == ["error"] * 3
    assert "patient_id: holds the control character \\x1b]" in rows[0]["errors"]
    assert "patient_id: holds the control character \\x9b2J" in rows[6]["errors"]
    assert "lvef_percent: holds the control character \\x1b[31m" in rows[6]["errors"]
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", out.read_text("utf-8"))


def test_check_shows_ids_keys_and_values_escaped(runner: CliRunner, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text(
        json.dumps(
            {
                "patient_id": ID,
                "lvef_percent": f"5{RETITLE}",
                f"colour{RETITLE}": "x",
                "nyha_class": SPOOF,
            }
        ),
        "utf-8",
    )
    text = runner.invoke(app, ["check", str(form)])
    assert text.exit_code == 0, text.output
    assert not RAW_CONTROL.search(text.output)
    assert "A\\x1b]0;pwn\\x07" in text.output
    assert "colour\\x1b]0;pwn\\x07" in text.output
    # the JSON result is data: JSON itself escapes every control character
    as_json = json.loads(runner.invoke(app, ["check", "--json", str(form)]).output)
    assert as_json["outcome"] == "error"  # an id holding a control character is no id
    assert {e["field"]: e["value"] for e in as_json["errors"]}["patient_id"] == ID


def test_the_wizard_echoes_answers_and_prefilled_values_escaped(
    runner: CliRunner, tmp_path: Path
) -> None:
    prefill = tmp_path / "form.json"
    prefill.write_text(json.dumps({"patient_id": ID, "diagnosis": SPOOF}), "utf-8")
    answers = "R-1\n" + f"DLBCL{RETITLE}\n" + "-\n" * 30
    run = runner.invoke(app, ["form", "--from", str(prefill)], input=answers)
    assert run.exit_code == 2, run.output  # piped: an answer that cannot be read stops the run
    assert not RAW_CONTROL.search(run.output)
    assert "[A\\x1b]0;pwn\\x07]" in run.output  # the default offered
    assert "DLBCL\\x1b]0;pwn\\x07" in run.output  # the answer typed, echoed when piped


def test_an_error_message_quoting_the_input_is_escaped(runner: CliRunner, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text('"MRN\\e]0;pwn\\a": "id\\u202e"\n', "utf-8")
    source = tmp_path / "in.csv"
    source.write_text("patient_id\r\nA\r\n", "utf-8")
    run = runner.invoke(
        app, ["batch", str(source), "-o", str(tmp_path / "o.csv"), "--columns", str(mapping)]
    )
    assert run.exit_code == 2
    assert not RAW_CONTROL.search(run.stderr)
    assert "MRN\\x1b]0;pwn\\x07" in run.stderr


def test_rules_show_holds_no_control_characters(runner: CliRunner) -> None:
    run = runner.invoke(app, ["rules", "show"])
    assert run.exit_code == 0
    assert not RAW_CONTROL.search(run.output)


def test_the_web_page_shows_what_was_posted_escaped() -> None:
    client = TestClient(
        create_app(default_ruleset(), dt.date(2026, 10, 15)), base_url="http://127.0.0.1"
    )
    page = client.post("/check", data={"patient_id": ID, "lvef_percent": f"5{RETITLE}"})
    assert page.status_code == 422
    assert not RAW_CONTROL.search(page.text)
    assert "A\\x1b]0;pwn\\x07" in page.text
    checklist = client.post("/check", data={"patient_id": SPOOF, "lvef_percent": "50"})
    assert checklist.status_code == 200
    assert not RAW_CONTROL.search(checklist.text)
    assert "R-\\u202eKCOL" in checklist.text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x07b", "a\\x07b"),
        ("\x9b31m", "\\x9b31m"),
        ("\x7f", "\\x7f"),
        ("\u202e\u2066\u2069", "\\u202e\\u2066\\u2069"),
        ("line\nnext\ttab", "line\\x0anext\\x09tab"),
        ("Jos\udce9", "Jos\ufffd"),
        ("张三 – ok", "张三 – ok"),
    ],
)
def test_printable_escapes_every_control_character(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert not RAW_CONTROL.search(printable(text))
    assert printable("a\nb\tc", lines=True) == "a\nb\tc"
