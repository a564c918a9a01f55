"""Writing output files whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def atomic_write(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Write to a temporary file beside `path`, then rename it into place.

    If anything fails (or the run is interrupted) before the block ends, the temporary file is
    removed and `path` is left as it was: a reader never sees half a file. The file is created
    readable by its owner only, as patient lists should be.
    """
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temporary = Path(name)
    try:
        # The descriptor mkstemp opened, so no one else can swap the file in between.
        with open(descriptor, "w", encoding=encoding, newline=newline) as handle:  # noqa: PTH123
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
