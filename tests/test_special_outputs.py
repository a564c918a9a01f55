"""Outputs go only to regular files or new paths (issue 14, failure 2).

The results are written to a temporary file and renamed into place; renamed onto a device, a
FIFO or a symbolic link, that would replace the special file itself (`-o /dev/null` as root left
a regular 0600 file where /dev/null was). Such a path is refused before anything is screened.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cart_screen.cli import app
from cart_screen.files import SpecialFileError, atomic_write

REPO = Path(__file__).resolve().parents[1]
REFERRALS = REPO / "examples" / "referrals.csv"
FORM = REPO / "examples" / "patient-no-flags.yaml"


def symlink(tmp_path: Path) -> Path:
    target = tmp_path / "elsewhere.csv"
    target.write_text("kept\n", "utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    return link


def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


def null_device(tmp_path: Path) -> Path:
    """A character device like /dev/null (1, 3), made here: a test that failed on /dev/null
    itself would break the machine it runs on."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    path = tmp_path / "null"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("this container may not make device nodes")
    return path


SPECIAL: dict[str, Callable[[Path], Path]] = {
    "symbolic link": symlink,
    "named pipe (FIFO)": fifo,
    "device": null_device,
}


def snapshot(path: Path) -> tuple[int, int]:
    info = path.lstat()
    return info.st_mode, info.st_ino


@pytest.mark.parametrize("kind", SPECIAL)
def test_atomic_write_refuses_a_special_file_and_leaves_it_as_it_was(
    tmp_path: Path, kind: str
) -> None:
    path = SPECIAL[kind](tmp_path)
    before = snapshot(path)
    with pytest.raises(SpecialFileError) as refused, atomic_write(path) as out:
        out.write("results")
    assert refused.value.kind == kind
    assert snapshot(path) == before
    assert list(tmp_path.glob(".*.part")) == []


def test_a_special_file_put_in_place_while_writing_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"

    def write_while_a_fifo_appears() -> None:
        with atomic_write(path) as out:
            out.write("results")
            os.mkfifo(path)  # appeared between the start and the rename

    with pytest.raises(SpecialFileError):
        write_while_a_fifo_appears()
    assert stat.S_ISFIFO(path.lstat().st_mode)
    assert list(tmp_path.glob(".*.part")) == []


def test_a_regular_file_or_a_new_path_is_written_whole(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("old\n", "utf-8")
    for path in (old, tmp_path / "new.csv"):
        with atomic_write(path) as out:
            out.write("new\n")
        assert path.read_text("utf-8") == "new\n"


def command_writing(name: str, path: Path) -> list[str]:
    """The arguments of each command that writes a file, writing it to `path`."""
    return {
        "batch --output": ["batch", str(REFERRALS), "--output", str(path)],
        "batch --jsonl": ["batch", str(REFERRALS), "-o", str(path.parent / "o.csv"), "--jsonl", str(path)],
        "batch --summary": ["batch", str(REFERRALS), "-o", str(path.parent / "o.csv"), "--summary", str(path)],
        "form --save": ["form", "--from", str(FORM), "--save", str(path)],
        "form --result": ["form", "--from", str(FORM), "--result", str(path)],
        "template": ["template", str(path)],
        "template --columns": ["template", str(path.parent / "t.csv"), "--columns", str(path)],
        "rules basis -o": ["rules", "basis", "-o", str(path)],
    }[name]  # fmt: skip


COMMANDS = (
    "batch --output",
    "batch --jsonl",
    "batch --summary",
    "form --save",
    "form --result",
    "template",
    "template --columns",
    "rules basis -o",
)


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_to_write_over_a_special_file(
    runner: CliRunner, tmp_path: Path, command: str, kind: str
) -> None:
    path = SPECIAL[kind](tmp_path)
    before = snapshot(path)
    run = runner.invoke(app, command_writing(command, path), input="")
    assert run.exit_code == 2, run.output
    assert run.stderr == (
        f"cart-screen: error: {path} is a {kind}; outputs are written only to regular files "
        "or new paths (whole, then renamed into place)\n"
    )
    assert snapshot(path) == before
    # refused before anything was screened or written
    assert [
        p.name for p in tmp_path.iterdir() if p.name.endswith((".part", "o.csv", "t.csv"))
    ] == []


@pytest.mark.parametrize(
    "command", ["batch --output", "batch --summary", "template", "form --save"]
)
def test_a_full_disk_is_one_line_and_leaves_the_old_file_and_nothing_else(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    path = tmp_path / "results"
    if command != "template":  # template never overwrites: it writes a new file
        path.write_text("yesterday's\n", "utf-8")

    def full(_: int) -> None:  # where a full disk shows up at the latest
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    run = runner.invoke(app, command_writing(command, path), input="")
    assert run.exit_code == 2, run.output
    assert run.stderr.count("\n") == 1
    assert "cannot write the results: the disk is full; nothing written" in run.stderr
    if command == "template":
        assert not path.exists()
    else:
        assert path.read_text("utf-8") == "yesterday's\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_summary_that_cannot_be_written_leaves_no_results_either(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fsync

    def full_at_the_summary(descriptor: int) -> None:
        if ".summary.json." in str(Path(f"/proc/self/fd/{descriptor}").readlink()):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(descriptor)

    monkeypatch.setattr(os, "fsync", full_at_the_summary)
    args = command_writing("batch --summary", tmp_path / "summary.json")
    run = runner.invoke(app, [*args, "--jsonl", str(tmp_path / "d.jsonl")])
    assert run.exit_code == 2
    assert "nothing written" in run.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("error", "en", "zh"),
    [
        (
            PermissionError(errno.EACCES, "Permission denied", "/data/out.csv"),
            "cannot write the results to /data/out.csv: permission denied (this user may not "
            "write there); nothing written",
            "无法将结果写入 /data/out.csv：没有权限（当前用户不能在此写入）；未写入任何文件",
        ),
        (  # the temporary file beside OUT.csv is OUT.csv to the user
            FileNotFoundError(
                errno.ENOENT, "No such file", "/no/where/.out.csv.42-0a1b2c3d.x.part"
            ),
            "cannot write the results to /no/where/out.csv: no such folder; nothing written",
            "无法将结果写入 /no/where/out.csv：文件夹不存在；未写入任何文件",
        ),
        (  # a scratch file of this program: the folder it was to be in
            FileNotFoundError(
                errno.ENOENT, "No such file", "/no/where/.cart-screen-ids-42-0a1b2c3d.q"
            ),
            "cannot write the results to /no/where: no such folder; nothing written",
            "无法将结果写入 /no/where：文件夹不存在；未写入任何文件",
        ),
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "cannot write the results: the disk is full; nothing written",
            "无法写入结果：磁盘已满；未写入任何文件",
        ),
        (
            OSError(errno.ETXTBSY, "Text file busy", "/data/out.csv"),
            "cannot write the results to /data/out.csv: the system says: Text file busy; "
            "nothing written",
            "无法将结果写入 /data/out.csv：系统提示：Text file busy；未写入任何文件",
        ),
    ],
)
def test_a_failed_write_says_where_and_why_in_words(error: OSError, en: str, zh: str) -> None:
    from cart_screen.files import cannot_write

    assert cannot_write(error) == (en, zh)


def test_a_folder_that_does_not_exist_is_named_as_such(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "no-such-folder"
    for output in ("out.csv", "out.xlsx"):
        run = runner.invoke(
            app,
            [
                "batch",
                str(Path(__file__).parents[1] / "examples" / "referrals.csv"),
                "-o",
                str(folder / output),
            ],
        )
        assert run.exit_code == 2
        assert run.stderr == (
            f"cart-screen: error: cannot write the results to {folder}: no such folder; "
            "nothing written\n"
        ), run.stderr
