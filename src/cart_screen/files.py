"""Writing output files whole or not at all, and only to regular files or new paths."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

SPECIAL_KINDS = {
    stat.S_IFLNK: "symbolic link",
    stat.S_IFCHR: "device",
    stat.S_IFBLK: "device",
    stat.S_IFIFO: "named pipe (FIFO)",
    stat.S_IFSOCK: "socket",
    stat.S_IFDIR: "folder",
}
"""What a path may be instead of a regular file, in the words the refusal uses."""


class SpecialFileError(OSError):
    """An output path that is a symbolic link, a device, a FIFO, a socket or a folder."""

    def __init__(self, path: Path, kind: str):
        super().__init__(errno.EINVAL, f"{path} is a {kind}", str(path))
        self.path, self.kind = path, kind


def refuse_special(path: Path) -> None:
    """Raise SpecialFileError unless `path` is a regular file or does not exist.

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
    if kind is not None:
        raise SpecialFileError(path, kind)


@contextlib.contextmanager
def atomic_write(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Write to a temporary file beside `path`, then rename it into place.

    If anything fails (or the run is interrupted) before the block ends, the temporary file is
    removed and `path` is left as it was: a reader never sees half a file. The file is created
    readable by its owner only, as patient lists should be. `path` must be a regular file or
    new (see refuse_special): it is checked before writing and again just before the rename.
    """
    refuse_special(path)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temporary = Path(name)
    try:
        # The descriptor mkstemp opened, so no one else can swap the file in between.
        with open(descriptor, "w", encoding=encoding, newline=newline) as handle:  # noqa: PTH123
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        refuse_special(path)  # something may have been put there while the list was screened
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
