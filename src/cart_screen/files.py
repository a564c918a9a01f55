"""Writing output files whole or not at all, only to regular files or new paths; temporary files
that say whose they are.

A temporary file or folder is named with the process that made it: its pid and a tag of its host
(`.OUT.csv.4242-1a2b3c4d.k3x9_q.part`). A process killed outright (SIGKILL, power cut) cannot
remove what it made; the next one that writes beside it removes what processes of this host that
have ended left there (`remove_abandoned`), and nothing else: not a live run's files, not another
host's (a shared folder), not files named otherwise.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

from cart_screen.i18n import M, Msg, Said

SPECIAL_KINDS = {
    stat.S_IFLNK: "symbolic link",
    stat.S_IFCHR: "device",
    stat.S_IFBLK: "device",
    stat.S_IFIFO: "named pipe (FIFO)",
    stat.S_IFSOCK: "socket",
    stat.S_IFDIR: "folder",
}
"""What a path may be instead of a regular file, in the words the refusal uses."""

DATABASE = "database"
"""The kind of a regular file that an output never replaces: a SQLite database or its
write-ahead log (a screening log: append-only, and the only record of what was screened)."""
_DATABASE_MAGIC = (b"SQLite format 3\x00", b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


class SpecialFileError(OSError):
    """An output path that is a symbolic link, a device, a FIFO, a socket, a folder or a
    database."""

    def __init__(self, path: Path, kind: str):
        super().__init__(errno.EINVAL, f"{path} is a {kind}", str(path))
        self.path, self.kind = path, kind


def refuse_special(path: Path) -> None:
    """Raise SpecialFileError unless `path` is a regular file or does not exist — and not a
    database (DATABASE), which no output replaces.

    Why refuse rather than write through: renaming the finished file onto a device, a FIFO or a
    link replaces the special file itself (`-o /dev/null` as root left a regular file where
    /dev/null was), and writing into one instead cannot be whole-or-nothing: a reader of a FIFO
    or a device sees half a list if the run stops. A link is not followed either: a link planted
    beside the results would send patient data wherever it points.
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    kind = SPECIAL_KINDS.get(stat.S_IFMT(mode))
    if kind is None and _is_database(path):
        kind = DATABASE
    if kind is not None:
        raise SpecialFileError(path, kind)


def _is_database(path: Path) -> bool:
    """Whether a regular file starts as a SQLite database or its write-ahead log does."""
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError:  # unreadable: writing it will say why
        return False
    return head.startswith(_DATABASE_MAGIC)


FileState = tuple[int, ...] | None


def file_state(path: Path) -> FileState:
    """What tells whether a file was replaced, cut or written to: its device, inode, size and
    modification time (None: it is not there)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


@contextlib.contextmanager
def atomic_write(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Write to a temporary file beside `path`, then rename it into place.

    If anything fails (or the run is interrupted) before the block ends, the temporary file is
    removed and `path` is left as it was: a reader never sees half a file. The file is created
    readable by its owner only, as patient lists should be. `path` must be a regular file or
    new (see refuse_special): it is checked before writing and again just before the rename.
    Temporary files of killed runs writing `path` are removed first (see remove_abandoned).
    """
    # The descriptor mkstemp opened, so no one else can swap the file in between.
    with _atomic(path, lambda fd: open(fd, "w", encoding=encoding, newline=newline)) as handle:  # noqa: PTH123
        yield handle


@contextlib.contextmanager
def atomic_write_binary(path: Path) -> Iterator[BinaryIO]:
    """As atomic_write, for a binary file (OUT.xlsx)."""
    with _atomic(path, lambda fd: open(fd, "wb")) as handle:  # noqa: PTH123
        yield handle


_Handle = TypeVar("_Handle", TextIO, BinaryIO)


@contextlib.contextmanager
def _atomic(path: Path, opener: Callable[[int], _Handle]) -> Iterator[_Handle]:
    refuse_special(path)
    remove_abandoned_parts(path.parent)
    descriptor, name = tempfile.mkstemp(
        dir=path.parent, prefix=owned(f".{path.name}."), suffix=".part"
    )
    temporary = Path(name)
    try:
        with opener(descriptor) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        refuse_special(path)  # something may have been put there while the list was screened
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@functools.cache
def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def owned(prefix: str) -> str:
    """The start of a temporary name that names this process: `prefix`, pid, host tag."""
    return f"{prefix}{os.getpid()}-{_host()}."


_OWNER = re.compile(r"(\d+)-([0-9a-f]{8})\.")


def remove_abandoned(folder: Path, prefix: str, suffix: str = "") -> None:
    """Remove the files and folders in `folder` named `owned(prefix)`…`suffix` by processes of
    this host that have ended. Best effort: what cannot be listed or removed is left."""
    try:
        paths = [path for path in folder.iterdir() if path.name.startswith(prefix)]
    except OSError:
        return
    for path in paths:
        owner = _OWNER.match(path.name, len(prefix))
        if owner is None or not path.name.endswith(suffix) or not _ended(owner):
            continue
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


_PART = re.compile(r"\.(\d+)-([0-9a-f]{8})\.[A-Za-z0-9_]+\.part$")
"""The end of a temporary output's name (`atomic_write`): `.<pid>-<host>.<random>.part`."""


def remove_abandoned_parts(folder: Path) -> None:
    """Remove the temporary outputs in `folder` of any name (`.OUT.csv.<pid>-<host>.….part`)
    left by processes of this host that have ended: a killed run's, whatever it was writing."""
    try:
        paths = [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".part")]
    except OSError:
        return
    for path in paths:
        owner = _PART.search(path.name)
        if owner is not None and _ended(owner) and not path.is_dir():
            with contextlib.suppress(OSError):
                path.unlink()


WRITE_REASONS: dict[int, Msg] = {
    errno.EACCES: M.WRITE_PERMISSION_DENIED,
    errno.EPERM: M.WRITE_PERMISSION_DENIED,
    errno.ENOENT: M.WRITE_NO_SUCH_FOLDER,
    errno.ENOTDIR: M.WRITE_NOT_A_FOLDER,
    errno.ENOSPC: M.WRITE_DISK_FULL,
    errno.EDQUOT: M.WRITE_QUOTA,
    errno.EROFS: M.WRITE_READ_ONLY,
    errno.EFBIG: M.WRITE_TOO_LARGE,
    errno.ENAMETOOLONG: M.WRITE_NAME_TOO_LONG,
    errno.EISDIR: M.WRITE_IS_A_FOLDER,
    errno.EIO: M.WRITE_DISK_FAILED,
}
"""Why a write failed, in words, by the system's error number."""


def _reason(exc: OSError, reasons: dict[int, Msg]) -> Said:
    """Why a file could not be read or written, in words — never Python's name for it."""
    known = reasons.get(exc.errno or 0)
    detail = exc.strerror or type(exc).__name__
    return known.both() if known is not None else M.WRITE_OTHER.both(detail=detail)


READ_REASONS = {
    **WRITE_REASONS,
    errno.EACCES: M.READ_PERMISSION_DENIED,
    errno.EPERM: M.READ_PERMISSION_DENIED,
}
"""Why a read failed, in words (a file that is not there is told by its readers)."""


def cannot_read(path: Path, exc: OSError) -> Said:
    """A file the user named that cannot be read, and why, in words."""
    reason = _reason(exc, READ_REASONS)
    said = M.FORM_UNREADABLE
    return Said(
        said.en.format(path=path, reason=reason.en), said.zh.format(path=path, reason=reason.zh)
    )


def cannot_write(exc: OSError) -> Said:
    """A failed write of the results as said: where (the output the user named, not its
    temporary file) and why, in words — never Python's name for the error."""
    reason = _reason(exc, WRITE_REASONS)
    name = exc.filename if exc.filename is not None else exc.filename2
    said, path = M.CANNOT_WRITE_SOMEWHERE, None
    if name is not None:
        said, path = M.CANNOT_WRITE, Path(os.fsdecode(name))
        path = _named(path)
    return Said(
        said.en.format(path=path, reason=reason.en), said.zh.format(path=path, reason=reason.zh)
    )


def _named(path: Path) -> Path:
    """A path as the user named it: atomic_write's temporary `.OUT.csv.<pid>-<host>.….part` is
    OUT.csv, another temporary of this program (`owned`: a scratch file) the folder it is in."""
    if not path.name.startswith("."):
        return path
    part = _PART.search(path.name)
    if part is not None:
        return path.parent / path.name[1 : part.start()]
    if re.search(r"[.-]\d+-[0-9a-f]{8}\.", path.name):
        return path.parent
    return path


def _ended(owner: re.Match[str]) -> bool:
    """Whether the process a name's owner part names is known to have ended."""
    pid = int(owner[1])
    if owner[2] != _host() or pid == os.getpid() or os.name != "posix":
        return False  # another host's, or ours; on Windows os.kill would end the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False
