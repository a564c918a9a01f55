"""The log through the command line on both engines: --log on check and batch, the log commands'
text and JSON (SPEC §9), and a log that cannot be used (the result still shown, exit 2)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.i18n import Said
from cart_screen.list_summary import Summary, Tally
from cart_screen.log.lists import ListRecorder
from cart_screen.log.screening_log import Screening, ScreeningLog
from cart_screen.log.store import LogError
from cart_screen.result import NOTICE

FIRST = "patient_id: R-0042\nscreening_date: 2026-10-01\ndiagnosis: DLBCL_NOS\n"
SECOND = FIRST.replace("2026-10-01", "2026-10-15") + "lvef_percent: 35\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def forms(folder: Path) -> tuple[Path, Path]:
    first, second = folder / "first.yaml", folder / "second.yaml"
    first.write_text(FIRST, "utf-8")
    second.write_text(SECOND, "utf-8")
    return first, second


def test_check_records_and_the_log_commands_tell_the_story(log_target: str, tmp_path: Path) -> None:
    first, second = forms(tmp_path)
    code, out, err = run("check", str(first), "--log", log_target)
    assert code == 0
    assert "Pre-screening aid only" in out
    assert "recorded as screening 1" in err
    assert run("check", str(second), "--log", log_target)[0] == 0

    code, out, _ = run("log", "diff", "R-0042", "--log", log_target)
    assert code == 0
    assert "precaution.cardiac: needs info → flagged (lvef_percent: — → 35)" in out
    diff = json.loads(run("log", "diff", "R-0042", "--json", "--log", log_target)[1])
    assert diff["from"] == 1
    assert diff["to"] == 2
    assert {"rule_id": "precaution.cardiac", "from": "needs_info", "to": "flagged"} in diff[
        "changes"
    ]
    assert {"field": "lvef_percent", "from": None, "to": "35"} in diff["fields"]

    args = ("--decision", "more_info", "--physician", "Dr Wang", "--note", "repeat echo")
    code, out, _ = run("log", "decide", "R-0042", *args, "--log", log_target)
    assert code == 0
    assert "on screening 2" in out

    shown = json.loads(run("log", "show", "R-0042", "--json", "--log", log_target)[1])
    assert shown["patient_id"] == "R-0042"
    assert [s["outcome"] for s in shown["screenings"]] == ["needs_info", "flagged"]
    assert set(shown["screenings"][0]) >= {
        "id",
        "screened_at",
        "outcome",
        "ruleset",
        "items",
        "errors",
    }
    assert len(shown["screenings"][0]["ruleset"]["sha256"]) == 64
    assert len(shown["screenings"][0]["items"]) == 12
    decision = shown["decisions"][0]
    assert {k: decision[k] for k in ("screening_id", "decision", "physician", "note")} == {
        "screening_id": 2, "decision": "more_info", "physician": "Dr Wang", "note": "repeat echo"
    }  # fmt: skip

    listed = json.loads(run("log", "list", "--json", "--log", log_target)[1])
    assert [(p["patient_id"], p["outcome"], p["open_items"][0]) for p in listed] == [
        ("R-0042", "flagged", "precaution.cardiac")  # flagged first, then those needing info
    ]
    assert "indication.adult" in listed[0]["open_items"]
    assert listed[0]["decision"]["decision"] == "more_info"
    assert (
        run("log", "list", "--outcome", "no_flags", "--json", "--log", log_target)[1].strip()
        == "[]"
    )

    for suffix in (".csv", ".xlsx"):
        output = tmp_path / f"log{suffix}"
        code, out, _ = run("log", "export", "--output", str(output), "--log", log_target)
        assert code == 0
        assert "wrote 3 rows" in out
    with (tmp_path / "log.csv").open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [(r["kind"], r["outcome"] or r["decision"]) for r in rows] == [
        ("screening", "needs_info"), ("screening", "flagged"), ("decision", "more_info")
    ]  # fmt: skip


def test_an_unknown_patient_or_no_log_is_one_line_and_exit_2(log_target: str) -> None:
    ScreeningLog.open(log_target).close()  # an empty log
    code, _, err = run("log", "show", "NOBODY", "--log", log_target)
    assert code == 2
    assert (
        err.strip() == "cart-screen: error: no screening of patient NOBODY is in the screening log"
    )
    code, _, err = run("log", "list")
    assert code == 2
    assert "--log DB" in err


def test_a_log_that_cannot_be_used_leaves_the_result_shown_and_says_so(tmp_path: Path) -> None:
    first, _ = forms(tmp_path)
    down = str(tmp_path / "missing-folder" / "screening.db")
    code, out, err = run("check", str(first), "--log", down)
    assert code == 2
    assert "Pre-screening aid only" in out  # the checklist is still there
    assert err.count("\n") == 1
    assert "NOT RECORDED" in err
    assert "Traceback" not in err


def a_list_of(count: int, folder: Path) -> Path:
    rows = ["patient_id,screening_date,lvef_percent,diagnosis"]
    rows += [f"B-{n},2026-10-{10 + n % 5:02d},{30 + n % 40},DLBCL_NOS" for n in range(count)]
    source = folder / "list.csv"
    source.write_text("\n".join(rows) + "\n", "utf-8")
    return source


def stored(log_target: str) -> int:
    with ScreeningLog.open(log_target) as log:
        return sum(isinstance(event, Screening) for event in log.everything())


def test_a_log_that_fails_partway_through_a_list_says_exactly_how_many_it_holds(
    log_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are stored from a thread of their own: a failure there still stops the run with
    one line, counting the screenings the log holds — the chunks after it are not stored."""
    source = a_list_of(2400, tmp_path)  # five chunks
    real_store, calls = ListRecorder.store, []

    def third_fails(self: ListRecorder, *chunk: Any) -> None:
        calls.append(chunk)
        if len(calls) == 3:
            raise LogError(Said("the database went away", "数据库已断开"))
        real_store(self, *chunk)

    monkeypatch.setattr(ListRecorder, "store", third_fails)
    out = tmp_path / "out.csv"
    code, _, err = run("batch", str(source), "-o", str(out), "--log", log_target, "--jobs", "1")
    assert code == 2
    assert err.count("\n") == 1
    assert "the database went away" in err
    assert "1000 screenings of this list were recorded in the log before it failed" in err
    assert stored(log_target) == 1000
    assert not out.exists()


def test_a_list_that_changes_partway_keeps_in_the_log_only_what_was_read_before(
    log_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = a_list_of(2400, tmp_path)
    real_add, tallies = Summary.add, []

    def third_grows_the_list(self: Summary, tally: Tally) -> None:
        real_add(self, tally)
        tallies.append(tally)
        if len(tallies) == 3:  # before the third chunk is handed to the log
            with source.open("a", encoding="utf-8") as more:
                more.write("B-9999,2026-10")

    monkeypatch.setattr(Summary, "add", third_grows_the_list)
    out = tmp_path / "out.csv"
    code, _, err = run("batch", str(source), "-o", str(out), "--log", log_target, "--jobs", "1")
    assert code == 2
    assert "the list changed while it was being read" in err
    assert "1000 screenings of this list were recorded in the log before it failed" in err
    assert stored(log_target) == 1000


def test_batch_records_every_record_once_per_chunk_and_says_how_many(
    log_target: str, tmp_path: Path
) -> None:
    rows = ["patient_id,screening_date,lvef_percent,diagnosis"]
    rows += [f"B-{n},2026-10-{10 + n % 5:02d},{30 + n % 40},DLBCL_NOS" for n in range(1200)]
    rows += ["B-broken,2026-10-10", ",2026-10-10,50,DLBCL_NOS"]
    source = tmp_path / "list.csv"
    source.write_text("\n".join(rows) + "\n", "utf-8")
    code, _, err = run("batch", str(source), "-o", str(tmp_path / "out.csv"), "--log", log_target)
    assert code == 0
    assert "1202 screenings recorded in" in err
    with ScreeningLog.open(log_target) as log:
        screenings, _ = log.history("B-7")
        assert screenings[0].source_row == 8
        assert screenings[0].source_file == "list.csv"
        assert screenings[0].screening_date.isoformat() == "2026-10-12"
        assert screenings[0].form["lvef_percent"] == "37"
        assert screenings[0].statuses == {"precaution.cardiac": "flagged"} | {
            r: s for r, s in screenings[0].statuses.items() if r != "precaution.cardiac"
        }
        broken, _ = log.history("B-broken")
        assert broken[0].outcome == "error"
        lines = log.worklist()
    assert len(lines) == 1201  # the record without a patient id is stored, but is no patient


@pytest.mark.parametrize("command", ["list", "export"])
def test_every_log_command_takes_the_log_from_the_environment(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CART_SCREEN_LOG", str(tmp_path / "env.db"))
    ScreeningLog.open(str(tmp_path / "env.db")).close()
    extra = ["--output", str(tmp_path / "e.csv")] if command == "export" else []
    assert run("log", command, *extra)[0] == 0


def test_reading_a_log_never_makes_one_nor_takes_another_database_or_a_file_others_read(
    tmp_path: Path,
) -> None:
    typo = tmp_path / "screenign.db"
    code, _, err = run("log", "list", "--log", str(typo))
    assert code == 2
    assert "there is no screening log at" in err
    assert not typo.exists()
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE patients (id INTEGER)")
    other.chmod(0o600)
    code, _, err = run("log", "list", "--log", str(other))
    assert code == 2
    assert "holds other tables and is not a screening log" in err
    shared = tmp_path / "shared.db"
    shared.touch(mode=0o644)
    shared.chmod(0o644)
    first, _ = forms(tmp_path)
    code, _, err = run("check", str(first), "--log", str(shared))
    assert code == 2
    assert "may be read by other users (mode 0644)" in err


def test_a_decision_on_an_earlier_screening_is_said_to_be_earlier_and_outputs_carry_the_notice(
    tmp_path: Path,
) -> None:
    target = str(tmp_path / "screening.db")
    first, second = forms(tmp_path)
    assert run("check", str(first), "--log", target)[0] == 0
    patient = FIRST.split("patient_id:")[1].split()[0]
    assert run("log", "decide", patient, "--decision", "proceed", "--physician", "Dr Wang",
               "--log", target)[0] == 0  # fmt: skip
    _, listed, _ = run("log", "list", "--log", target)
    assert "made before the latest screening" not in listed
    assert run("check", str(second), "--log", target)[0] == 0
    _, listed, _ = run("log", "list", "--log", target)
    assert "on screening 1) — made before the latest screening: review it" in listed
    assert "Pre-screening aid only" in listed
    export = tmp_path / "log.csv"
    assert run("log", "export", "--output", str(export), "--log", target)[0] == 0
    with export.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["notice"] for row in rows} == {NOTICE}


def test_a_run_that_fails_writing_its_results_says_how_many_screenings_the_log_kept(
    log_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The results cannot be written (a full disk, a file size limit, a link put in OUT's
    place) after the log has taken some of the list: the line counts them, or the coordinator
    screens the list again into the log and every patient is in it twice."""
    import cart_screen.cli as cli

    rows = ["patient_id,lvef_percent"] + [f"W-{n},{30 + n % 40}" for n in range(3000)]
    source = tmp_path / "list.csv"
    source.write_text("\n".join(rows) + "\n", "utf-8")
    results_file = cli._results_file

    def failing(*args: Any) -> Any:
        opened = results_file(*args)

        class Full:
            def __enter__(self) -> Any:
                out = opened.__enter__()
                written = [0]
                write = out.write

                def write_until_full(text: str) -> Any:
                    written[0] += 1
                    if written[0] > 3:  # the header, then two chunks
                        raise OSError(27, "File too large")
                    return write(text)

                setattr(out, "write", write_until_full)  # noqa: B010
                return out

            def __exit__(self, *exc: Any) -> Any:
                return opened.__exit__(*exc)

        return Full()

    monkeypatch.setattr(cli, "_results_file", failing)
    out = tmp_path / "out.csv"
    code, _, err = run("batch", str(source), "-o", str(out), "--log", log_target, "--jobs", "1")
    assert code == 2
    assert "cannot write the results: the file would be larger than this system allows" in err
    kept = stored(log_target)
    assert kept >= 1
    assert f"{kept} screenings of this list were recorded in the log before it failed" in err
    assert not out.exists()


def test_a_log_file_removed_while_the_list_is_screened_is_said_never_counted_as_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite goes on writing to a file removed from under it: without a look, the run said
    '3000 screenings recorded in log.db' of a file that was no longer there."""
    rows = ["patient_id,lvef_percent"] + [f"G-{n},{30 + n % 40}" for n in range(3000)]
    source = tmp_path / "list.csv"
    source.write_text("\n".join(rows) + "\n", "utf-8")
    log = tmp_path / "log.db"
    add = ListRecorder.add

    def add_then_remove(recorder: ListRecorder, *args: Any) -> None:
        add(recorder, *args)
        for path in tmp_path.glob("log.db*"):
            path.unlink()

    monkeypatch.setattr(ListRecorder, "add", add_then_remove)
    code, _, err = run("batch", str(source), "-o", str(tmp_path / "out.csv"), "--log", str(log))
    assert code == 2
    assert f"the screening log {log} was removed or replaced while the list was screened" in err
    assert "screenings recorded in" not in err
    assert not (tmp_path / "out.csv").exists()
