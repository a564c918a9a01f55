"""Stopped mid-run by a signal, `batch` leaves no file and no process behind, and never hangs.

Issue 14, failure 3: SIGTERM, SIGHUP or SIGKILL left a `.part` file of patient data and the scratch
folder, and the worker process and multiprocessing's resource tracker lived on for minutes holding
the caller's stderr. Real processes here: a list of a few thousand referrals screened with
`--jobs 2`, stopped (SIGSTOP) once the `.part` file and a worker exist, sent the signal, resumed.
Processes are found in /proc (Linux).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cart_screen.files import atomic_write, owned
from cart_screen.list_summary import Summary
from cart_screen.stopping import StopSignals, uncut

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from make_referrals import write

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

BATCH = [sys.executable, "-m", "cart_screen", "batch"]
STOPPED = "cart-screen: error: stopped before the end; nothing written\n"


@pytest.fixture(scope="module")
def referrals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("list") / "in.csv", 30_000)


def parent_of(pid: int) -> int | None:
    """The parent of a live process (None when it is gone or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, parent = stat.rsplit(")", 1)[1].split()[:2]
    return None if state in "ZX" else int(parent)


def children(pid: int) -> dict[int, str]:
    """The live children of a process, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and parent_of(int(entry.name)) == pid:
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
    return {child: command.decode(errors="replace") for child, command in found.items()}


def wait_for(condition: Callable[[], object], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def running(referrals: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], set[int]]]:
    """`batch --jobs 2` writing into tmp_path, frozen (SIGSTOP) mid-run with a worker started;
    and the processes it has started."""
    args = [*BATCH, str(referrals), "-o", str(tmp_path / "out.csv"), "--jobs", "2"]
    run = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:

        def started() -> bool:
            assert run.poll() is None, run.communicate()
            parts = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
            return bool(parts) and any("spawn_main" in c for c in children(run.pid).values())

        wait_for(started)
        os.kill(run.pid, signal.SIGSTOP)
        yield run, set(children(run.pid))
    finally:
        if run.poll() is None:
            run.kill()
        run.communicate()


def all_gone(pids: set[int]) -> None:
    wait_for(lambda: all(parent_of(pid) is None for pid in pids), seconds=10)


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_stop_signal_mid_run_writes_nothing_and_ends_every_process(
    running: tuple[subprocess.Popen[str], set[int]], tmp_path: Path, signum: int, status: int
) -> None:
    run, started = running
    assert len(started) >= 2  # a worker, and multiprocessing's resource tracker
    os.kill(run.pid, signum)
    os.kill(run.pid, signal.SIGCONT)
    begun = time.monotonic()
    out, err = run.communicate(timeout=30)  # the caller's pipes are let go of at once
    assert time.monotonic() - begun < 20  # seconds: a hang was minutes
    assert run.returncode == status
    assert (out, err) == ("", STOPPED)
    assert leftovers(tmp_path) == []  # no OUT.csv, no .part, no scratch folder
    all_gone(started)


def test_sigkill_mid_run_ends_the_workers_and_the_next_run_clears_what_it_left(
    running: tuple[subprocess.Popen[str], set[int]], tmp_path: Path
) -> None:
    run, started = running
    os.kill(run.pid, signal.SIGKILL)
    begun = time.monotonic()
    run.communicate(timeout=30)  # no worker or tracker keeps the caller's stderr open
    assert time.monotonic() - begun < 20  # seconds: a hang was minutes
    assert run.returncode == -signal.SIGKILL
    all_gone(started)
    left = leftovers(tmp_path)
    assert [name for name in left if name.endswith(".part")]  # a killed run cannot clean up
    assert [name for name in left if name.startswith(".cart-screen-ids-")]
    small = tmp_path.parent / f"{tmp_path.name}-small.csv"
    small.write_text("patient_id,lvef_percent\r\nP1,50\r\n", encoding="utf-8")
    args = [*BATCH, str(small), "-o", str(tmp_path / "out.csv")]
    again = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert again.returncode == 0, again.stderr
    assert leftovers(tmp_path) == ["out.csv"]


@pytest.mark.parametrize("prctl", [True, False])
def test_a_worker_ends_when_its_parent_is_killed(prctl: bool) -> None:
    """Parent-death watch: the kernel's (prctl) or, where there is none, a thread polling."""
    child = (
        "import sys, time\n"
        "from cart_screen.parallel import die_with_parent\n"
        f"die_with_parent(int(sys.argv[1]), prctl={prctl})\n"
        "time.sleep(60)\n"
    )
    parent = (
        "import os, subprocess, sys\n"
        f"worker = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid())])\n"
        "print(worker.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", parent], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == -signal.SIGKILL
    all_gone({int(run.stdout)})


def test_the_next_run_removes_only_what_ended_runs_of_this_host_left(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    live, host = owned("").rstrip(".").split("-")
    other_host = "0" * 8 if host != "0" * 8 else "1" * 8
    removed = [
        f".out.csv.{ended}-{host}.k3x9_q.part",
        f".other.csv.{ended}-{host}.k3x9_q.part",  # another output's, but its run has ended
        f".cart-screen-ids-{ended}-{host}.a1_b2",
    ]
    kept = [
        f".out.csv.{live}-{host}.k3x9_q.part",  # a run still going (this one)
        f".out.csv.{ended}-{other_host}.k3x9_q.part",  # another host's, in a shared folder
        ".out.csv.k3x9_q.part",  # not named by its owner
        f".cart-screen-ids-{live}-{host}.c3_d4",
    ]
    for name in removed + kept:
        if name.startswith(".cart-screen-ids-"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "000").write_text("P-1\n")
        else:
            (tmp_path / name).write_text("row,patient_id\n")
    with atomic_write(tmp_path / "out.csv") as out:
        out.write("new\n")
    with Summary(("rule",), scratch=tmp_path):
        pass
    assert leftovers(tmp_path) == sorted([*kept, "out.csv"])


def test_a_stop_signal_waits_for_a_step_and_after_hold_for_the_end_nohup_is_kept() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), StopSignals() as stopping:
        signal.raise_signal(signal.SIGTERM)
    assert stopping.signal == signal.SIGTERM
    with StopSignals() as stopping:
        stopping.hold()
        signal.raise_signal(signal.SIGHUP)  # taken note of, not acted on
    assert stopping.signal == signal.SIGHUP
    with StopSignals() as stopping:
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGTERM)  # a second one while stopping: not acted on
    steps: list[str] = []

    def step() -> None:
        with uncut():
            signal.raise_signal(signal.SIGINT)
            steps.append("the step ran to its end")
        steps.append("not reached")

    with StopSignals(), pytest.raises(KeyboardInterrupt):
        step()
    assert steps == ["the step ran to its end"]
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts a command
    try:
        with StopSignals():
            signal.raise_signal(signal.SIGHUP)
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_killed_runs_temporary_output_is_removed_by_a_run_writing_another_name(
    tmp_path: Path,
) -> None:
    """After a SIGKILL, `-o OUT2.csv` in the same folder clears the `.OUT.csv.….part` left."""
    import subprocess
    import sys

    from cart_screen import files

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True, capture_output=True, text=True)  # fmt: skip
    pid = int(ended.stdout)
    left = tmp_path / f".OUT.csv.{pid}-{files._host()}.k3x9_q.part"
    left.write_text("patient data", "utf-8")
    mine = tmp_path / "notes.part"  # not named as ours: never touched
    mine.write_text("keep", "utf-8")
    with files.atomic_write(tmp_path / "OUT2.csv") as out:
        out.write("x")
    assert not left.exists()
    assert mine.exists()


def test_a_stop_with_a_log_says_how_many_screenings_the_log_kept(
    referrals: Path, tmp_path: Path
) -> None:
    """The log cannot take back what it holds: the line says how many of the list's
    screenings are in it, exactly as many as it holds."""
    import re
    import sqlite3

    log = tmp_path / "log.db"
    args = [*BATCH, str(referrals), "-o", str(tmp_path / "out.csv"), "--log", str(log)]
    run = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:

        def recorded() -> int:
            assert run.poll() is None, run.communicate()
            if not log.exists():
                return 0
            with contextlib.closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as db:
                try:
                    return int(db.execute("SELECT count(*) FROM screenings").fetchone()[0])
                except sqlite3.OperationalError:  # its tables not made yet
                    return 0

        wait_for(recorded)
        os.kill(run.pid, signal.SIGINT)
        _, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130
    said = re.fullmatch(
        r"cart-screen: error: stopped before the end; nothing written; (\d+) screenings of this "
        r"list were recorded in the log before the stop\n",
        err,
    )
    assert said is not None, err
    with contextlib.closing(sqlite3.connect(log)) as db:
        kept = int(db.execute("SELECT count(*) FROM screenings").fetchone()[0])
    assert 0 < kept == int(said[1]) < 30_000
    assert [name for name in leftovers(tmp_path) if not name.startswith("log.db")] == []


def stopped_at(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> None:
    """SIGTERM to this process as `module.name` is called (then it goes on as it was)."""
    original = getattr(module, name)

    def stop_then_go_on(*args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signal.SIGTERM)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, stop_then_go_on)


def test_a_stop_before_the_list_is_read_is_one_line_and_143(
    referrals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the rules load (or a worker starts, or the log opens): nothing begun, one line."""
    from typer.testing import CliRunner

    from cart_screen import cli

    stopped_at(monkeypatch, cli, "_setting")
    run = CliRunner().invoke(cli.app, ["batch", str(referrals), "-o", str(tmp_path / "o.csv")])
    assert run.exit_code == 143
    assert run.stderr == STOPPED
    assert leftovers(tmp_path) == []


def test_a_stop_once_every_result_is_in_changes_nothing(
    referrals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the summary is written (the results in place): exit 0, every line said — a wrapper
    that took a stopped run for one to redo would screen the list into the log twice."""
    from typer.testing import CliRunner

    from cart_screen import cli, render

    stopped_at(monkeypatch, render, "summary_text")
    out = tmp_path / "o.csv"
    run = CliRunner().invoke(cli.app, ["batch", str(referrals), "-o", str(out)])
    assert run.exit_code == 0, run.stderr
    assert "Pre-screening aid only" in run.stderr
    assert len(out.read_text("utf-8").splitlines()) > 30_000


def test_a_ctrl_c_while_the_command_line_loads_is_130_without_a_traceback(tmp_path: Path) -> None:
    """The console script and `python -m cart_screen` start in __main__.run: a KeyboardInterrupt
    in one of the command line's imports (here raised by an import hook, as a Ctrl-C there
    would be) ends the command with 130 and says nothing, as Python's traceback would."""
    hook = tmp_path / "sitecustomize.py"
    hook.write_text(
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'cart_screen.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n",
        encoding="utf-8",
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    run = subprocess.run(
        [*BATCH[:3], "--help"], capture_output=True, text=True, env=environment, timeout=60
    )
    assert (run.returncode, run.stdout, run.stderr) == (130, "", "")
