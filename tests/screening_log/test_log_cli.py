"""The log through the command line on both engines: --log on check and batch, the log commands'
text and JSON (SPEC §9), and a log that cannot be used (the result still shown, exit 2)."""

from __future__ import annotations

import csv
import json
import re
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
    assert code == 0, err
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


def test_a_commit_whose_answer_is_lost_is_said_to_be_in_doubt_not_counted_out(
    log_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL stopped mid-list (a tryout, 1 run in 6): the server committed a chunk and the
    connection went before the answer came, and the run said 3000 recorded where the log held
    3500 — a rerun would have put 500 in twice. A COMMIT that fails is now said to be in doubt.
    Here the run's third COMMIT (the log's opening made the first) is carried out, then fails
    as a lost connection would."""
    import sqlalchemy as sa

    source = a_list_of(2400, tmp_path)  # five chunks
    real_commit, commits = sa.engine.Transaction.commit, []

    def third_lost(self: sa.engine.Transaction) -> None:
        real_commit(self)
        commits.append(self)
        if len(commits) == 3:
            lost = Exception("server closed the connection unexpectedly")
            raise sa.exc.OperationalError("COMMIT", {}, lost)

    monkeypatch.setattr(sa.engine.Transaction, "commit", third_lost)
    out = tmp_path / "out.csv"
    code, _, err = run("batch", str(source), "-o", str(out), "--log", log_target, "--jobs", "1")
    assert code == 2
    assert err.count("\n") == 1
    said = re.search(
        r"(\d+) screenings of this list were recorded in the log before it failed", err
    )
    assert said is not None
    assert "the log lost the connection as it committed 500 more: it may hold them or not" in err
    assert stored(log_target) == int(said[1]) + 500  # the chunk in doubt is there after all
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


def _log_with_one_screening(tmp_path: Path, name: str = "screening.db") -> Path:
    log = tmp_path / name
    first, _ = forms(tmp_path)
    assert run("check", str(first), "--log", str(log))[0] == 0
    return log


def _still_holds_its_screening(log: Path) -> bool:
    code, out, _ = run("log", "list", "--log", str(log))
    return code == 0 and "R-0042" in out


@pytest.mark.parametrize("as_what", ["--output", "--jsonl", "--summary", "the list"])
def test_batch_refuses_to_write_over_its_own_log_or_read_it_as_the_list(
    tmp_path: Path, as_what: str
) -> None:
    """A hostile tryout destroyed a log with `batch -o LOG --log LOG` ("3 screenings recorded",
    then "database disk image is malformed"): refused before anything is read or written."""
    log = _log_with_one_screening(tmp_path)
    listed = tmp_path / "in.csv"
    listed.write_text("patient_id,lvef_percent\nR-1,35\n", "utf-8")
    args = {
        "--output": [str(listed), "-o", str(log)],
        "--jsonl": [str(listed), "-o", str(tmp_path / "o.csv"), "--jsonl", str(log)],
        "--summary": [str(listed), "-o", str(tmp_path / "o.csv"), "--summary", f"{log}-wal"],
        "the list": [str(log), "-o", str(tmp_path / "o.csv")],
    }[as_what]
    before = log.read_bytes()
    code, _, err = run("batch", *args, "--log", str(log))
    assert code == 2
    assert "is the screening log (--log) or one of its files; choose another file" in err
    assert log.read_bytes() == before
    assert not (tmp_path / "o.csv").exists()
    assert _still_holds_its_screening(log)


def test_a_new_log_named_as_the_output_is_refused_before_it_is_made(tmp_path: Path) -> None:
    listed = tmp_path / "in.csv"
    listed.write_text("patient_id,lvef_percent\nR-1,35\n", "utf-8")
    log = tmp_path / "new.db"
    code, _, err = run("batch", str(listed), "-o", str(log), "--log", str(log))
    assert code == 2
    assert "is the screening log" in err
    assert not log.exists()


def test_log_export_and_form_never_write_over_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log_with_one_screening(tmp_path, "log.csv")  # as the tryout named it
    before = log.read_bytes()
    code, _, err = run("log", "export", "--output", str(log), "--log", str(log))
    assert (code, "is the screening log" in err) == (2, True)
    monkeypatch.setenv("CART_SCREEN_LOG", str(log))  # the log from the environment, as often
    code, _, err = run("form", "--save", str(log))
    assert (code, "is the screening log" in err) == (2, True)
    assert log.read_bytes() == before
    assert _still_holds_its_screening(log)


def test_no_output_replaces_a_database_even_one_not_named_by_log(tmp_path: Path) -> None:
    """`template` (or any command) pointed at a log by mistake: a SQLite database, or its
    write-ahead log, is never replaced by an output."""
    log = _log_with_one_screening(tmp_path)
    before = log.read_bytes()
    code, _, err = run("template", str(log))
    assert code == 2
    assert "is a database (a screening log?); no output replaces one" in err
    assert log.read_bytes() == before
    wal = tmp_path / "other.db-wal"
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    assert run("rules", "basis", "--output", str(wal))[0] == 2


@pytest.mark.parametrize(
    ("args", "environment"),
    [(["--log", ""], {}), (["--log", "  "], {}), ([], {"CART_SCREEN_LOG": ""})],
    ids=["--log ''", "--log spaces", "CART_SCREEN_LOG=''"],
)
def test_an_empty_log_is_refused_never_silently_off(
    tmp_path: Path, args: list[str], environment: dict[str, str]
) -> None:
    """`--log "$LOGDB"` with the variable unset recorded nothing without a word (a tryout)."""
    first, _ = forms(tmp_path)
    listed = tmp_path / "in.csv"
    listed.write_text("patient_id,lvef_percent\nR-1,35\n", "utf-8")
    for command in (["check", str(first)], ["batch", str(listed), "-o", str(tmp_path / "o.csv")]):
        result = CliRunner().invoke(app, [*command, *args], env=environment)
        assert result.exit_code == 2
        assert result.stderr.startswith("cart-screen: error: --log (or CART_SCREEN_LOG) is empty")
        assert result.stdout == ""
    assert not (tmp_path / "o.csv").exists()


def test_an_id_name_or_note_with_a_line_break_cannot_forge_a_line_of_the_log(
    tmp_path: Path,
) -> None:
    """A tryout's id `R-9\\nZ-1 · screening 1, … · decision: proceed (Dr Wang)` printed a
    worklist line of its own: what came from the input is shown escaped in every log text."""
    log = str(tmp_path / "screening.db")
    forged = "R-9\nZ-1 · screening 1, 2026-11-29 20:00:00 UTC · no flags · decision: proceed"
    form = tmp_path / "forged.json"
    form.write_text(json.dumps({"patient_id": forged, "lvef_percent": "35"}), "utf-8")
    assert run("check", str(form), "--log", log)[0] == 0
    form.write_text(json.dumps({"patient_id": forged, "lvef_percent": "55"}), "utf-8")
    assert run("check", str(form), "--log", log)[0] == 0
    decided = ("--decision", "not_now", "--physician", "Dr A\nB", "--note", "one\ntwo")
    assert run("log", "decide", forged, *decided, "--log", log)[0] == 0
    for command in (["list"], ["show", forged], ["diff", forged]):
        code, out, _ = run("log", *command, "--log", log)
        assert code == 0
        assert ("R-9\\x0aZ-1" in out) is (command[0] != "show")  # show names no id
        assert not any(line.startswith("Z-1") for line in out.splitlines())
    shown = run("log", "show", forged, "--log", log)[1]
    assert "Dr A\\x0aB" in shown
    assert "one\\x0atwo" in shown


def test_a_log_whose_append_only_triggers_are_dropped_is_not_used(
    log_target: str, tmp_path: Path
) -> None:
    """A tryout dropped `screenings_no_update` through sqlite3; the log went on taking
    screenings, and an UPDATE of an outcome then went through. A log no longer guarded is
    refused when it is opened (the result still shown, NOT RECORDED, exit 2)."""
    import sqlalchemy as sa

    from cart_screen.log.store import engine_for

    first, second = forms(tmp_path)
    assert run("check", str(first), "--log", log_target)[0] == 0
    engine, _ = engine_for(log_target)
    dropped = (
        "screenings_no_update" if engine.dialect.name == "sqlite" else "screenings_append_only"
    )
    with engine.begin() as connection:
        on = "" if engine.dialect.name == "sqlite" else " ON screenings"
        connection.execute(sa.text(f"DROP TRIGGER {dropped}{on}"))
    engine.dispose()
    code, out, err = run("check", str(second), "--log", log_target)
    assert code == 2
    assert "Pre-screening aid only" in out  # the result is shown all the same
    assert f"is no longer append-only — its triggers {dropped} are gone or changed" in err
    assert run("log", "list", "--log", log_target)[0] == 2


def test_a_diff_across_a_change_of_rules_says_the_rules_changed(tmp_path: Path) -> None:
    """A tryout's `log diff` said "precaution.cardiac: clear → flagged" with no value changed
    and no word that the rules had: a status may move with the rules, not with the patient."""
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[2] / "rules" / "hicara", rules)
    with (rules / "ruleset.yaml").open("a", encoding="utf-8") as ruleset:
        ruleset.write("\n# a site's edit\n")
    log = str(tmp_path / "screening.db")
    first, _ = forms(tmp_path)
    assert run("check", str(first), "--log", log)[0] == 0
    assert run("check", str(first), "--log", log, "--rules", str(rules))[0] == 0
    code, out, _ = run("log", "diff", "R-0042", "--log", log)
    assert code == 0
    assert "the rules changed between the two screenings (sha256 " in out
    assert "a status may have changed with the rules, not with the patient" in out
    first_only = run("log", "diff", "R-0042", "--log", log, "--rules", str(rules))[1]
    assert "no status and no value changed" in first_only
