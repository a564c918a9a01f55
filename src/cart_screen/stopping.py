"""Stopping a run: SIGINT (Ctrl-C), SIGTERM and SIGHUP alike, never halfway through a step.

While `StopSignals` is in force (the command line's `batch`), each of the three signals raises
KeyboardInterrupt where the run is, so that the run undoes what it began on its way out (temporary
files, the scratch folder, worker processes) and says so on one line. A step that must not be cut
in half (starting a worker process, lending stdout and stderr to it) runs `uncut`: a stop that
arrives meanwhile is raised as soon as it ends. After `hold` no stop is raised any more: the run
has finished its work and puts its files in place. A signal ignored when the command started (as
`nohup` ignores SIGHUP) stays ignored; a second one while stopping is not acted on. In the command
line's own process (cli.main) a scope whose run is done leaves the signals ignored, and so does
the end of any command (`ignored_from_now_on`): a stop while the process exits would turn a
finished run into exit 130/143, which a wrapper would run again.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, ClassVar

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class StopSignals:
    """The stop signals in force for a `with` block (in the main thread; elsewhere, none)."""

    current: ClassVar[StopSignals | None] = None
    ignored_once_done: ClassVar[bool] = False
    """Whether a scope whose run is done leaves the stop signals ignored (the command line's own
    process: `ignored_from_now_on` then) rather than as they were (a caller that goes on)."""

    def __init__(self) -> None:
        self.signal = int(signal.SIGINT)
        """The signal that stopped the run (SIGINT for a KeyboardInterrupt raised otherwise)."""
        self.received = False
        self._held = False
        self._steps = 0
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():  # only it can set handlers
            for name in STOP_SIGNALS:
                number = getattr(signal, name, None)
                if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
                    self._previous[number] = signal.signal(number, self._stop)
            StopSignals.current = self
        return self

    def __exit__(self, *_: object) -> None:
        # Done (held) in a process that ends with its command: the signals stay ignored to its
        # end, rather than a default that would end a finished run as stopped.
        done = self._held and StopSignals.ignored_once_done
        for number, handler in self._previous.items():
            signal.signal(number, signal.SIG_IGN if done else handler)
        if StopSignals.current is self:
            StopSignals.current = None

    def hold(self) -> None:
        """From now on, a stop signal no longer stops the run."""
        self._held = True

    def _stop(self, number: int, _: FrameType | None) -> None:
        if not self.received:
            self.received, self.signal = True, number
            if not (self._held or self._steps):
                raise KeyboardInterrupt

    @contextlib.contextmanager
    def _uncut(self) -> Iterator[None]:
        self._steps += 1
        try:
            yield
        finally:
            self._steps -= 1
        if self.received and not (self._held or self._steps):
            raise KeyboardInterrupt


def ignored_from_now_on() -> None:
    """No stop signal acts any more (for a process whose command has done its work: a signal
    while the interpreter exits would turn a finished run into exit 130/143). See also
    StopSignals.ignored_once_done."""
    if threading.current_thread() is threading.main_thread():
        for name in STOP_SIGNALS:
            number = getattr(signal, name, None)
            if number is not None:
                signal.signal(number, signal.SIG_IGN)


@contextlib.contextmanager
def uncut() -> Iterator[None]:
    """A step that a stop signal must not cut in half: one arriving meanwhile is raised after."""
    stops = StopSignals.current
    with stops._uncut() if stops is not None else contextlib.nullcontext():
        yield
