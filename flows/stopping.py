"""Stopping a run on SIGINT or SIGTERM: within seconds, with no process left behind.

While a run of the command line is in progress, :class:`SignalStop` handles
both signals. The first one:

- asks the run to stop (``confdata.run.state.request_stop``): parse batches on
  other threads end at their next file instead of parsing on (measured: the
  flow used to wait for the running batch, 60 s at a pause point);
- raises :class:`Stopped` in the main thread, so the flow unwinds (Prefect
  marks its run Crashed, the run's work and staging folders are removed);
- starts a deadline (:data:`GRACE_SECONDS`): if the process has not ended by
  then, whatever it is doing (a long call in C, Prefect's shutdown), it kills
  its child processes and exits at once with the same status.

The signal is seen even while Prefect has its own SIGTERM handler installed
(during a flow run) or the main thread is busy in C: the C-level handler
writes the signal's number to a socket (``signal.set_wakeup_fd``) that a
watcher thread reads. Later signals change nothing: the deadline holds.
Imports no Prefect.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType, TracebackType

from confdata.run import state as run_state

# How long a stopped run may take to unwind before it exits anyway (seconds). Measured
# 2026-12 on the 2-core VM: stopping at a parse pause took 1-2 s end to end, most of
# it Prefect reporting the Crashed state and stopping its server.
GRACE_SECONDS = 5.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# The shell's convention: 128 + the signal's number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal (a ``KeyboardInterrupt``, as Prefect expects one).

    Attributes:
        signum: The signal (``signal.SIGINT`` or ``signal.SIGTERM``).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def signal_name(signum: int) -> str:
    """Return a signal's name: ``SIGINT``, ``SIGTERM``."""
    return signal.Signals(signum).name


def exit_code(signum: int) -> int:
    """Return the exit status of a run stopped by ``signum``: 130 for SIGINT, 143 for SIGTERM.

    Examples:
        >>> exit_code(signal.SIGINT), exit_code(signal.SIGTERM)
        (130, 143)
    """
    return EXIT_CODES.get(signal.Signals(signum), 128 + int(signum))


# Run as `python -c _LAUNCHER <parent pid> <program> <args...>`: die with the parent
# (PR_SET_PDEATHSIG = 1, kept across exec), unless it is already gone, then exec.
_LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(1)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def dying_with_this_process(command: Sequence[str]) -> list[str]:
    """Return ``command`` (a program's absolute path first) run so that it dies with this process.

    The kernel kills it (SIGKILL) when this process ends, however it ends, even
    by SIGKILL, which leaves no time to stop it (Linux ``PR_SET_PDEATHSIG``; the
    signal comes when the *thread* that started it ends: start it from the main
    thread). A small launcher sets that, then becomes the program (``exec``).
    """
    return [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *command]


def descendants(pid: int | None = None) -> list[int]:
    """Return the processes below ``pid`` (default: this one), children first.

    Read from ``/proc/<pid>/task/*/children``; a process that ends meanwhile is skipped.
    """
    found: list[int] = []
    todo = [os.getpid() if pid is None else pid]
    while todo:
        current = todo.pop(0)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                kids = [int(c) for c in children.read_text().split()]
                found.extend(kids)
                todo.extend(kids)
    return found


def kill_descendants(keep: frozenset[int] = frozenset()) -> list[int]:
    """Kill (SIGKILL) every process below this one but those in ``keep``; return their pids."""
    killed = []
    for pid in descendants():
        if pid in keep:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return killed


class SignalStop:
    """Handle SIGINT and SIGTERM for the duration of a run (see the module's docstring).

    Args:
        give_up: Called from the watcher thread when the deadline passes, with
            the signal; it must end the process (``os._exit``).
        grace: The deadline, in seconds after the first signal.

    Attributes:
        signum: The first signal received, or None.
    """

    def __init__(self, give_up: Callable[[int], None], grace: float = GRACE_SECONDS) -> None:
        self.signum: int | None = None
        self._give_up = give_up
        self._grace = grace
        self._raised = False
        self._installed = False
        self._previous: dict[int, object] = {}
        self._previous_fd = -1
        self._read, self._write = socket.socketpair()
        self._write.setblocking(False)

    def __enter__(self) -> SignalStop:
        if threading.current_thread() is not threading.main_thread():
            return self  # signals can only be handled in the main thread: left as they are
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        self._previous = {s: signal.signal(s, self._handle) for s in SIGNALS}
        self._installed = True
        threading.Thread(target=self._watch, name="confdata-signal-watch", daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._installed or self.signum is not None:
            # Stopped: the handlers and the watcher stay, so that the deadline also
            # bounds the interpreter's shutdown (Prefect's log flush, its server's stop).
            return
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        signal.set_wakeup_fd(self._previous_fd)
        self._installed = False
        with contextlib.suppress(OSError):
            self._write.send(b"\0")  # wakes the watcher, which then ends
        self._write.close()

    def _note(self, signum: int) -> None:
        if self.signum is None:
            self.signum = signum
        run_state.request_stop()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        """The Python-level handler (main thread): stop, by raising :class:`Stopped` once."""
        self._note(signum)
        if not self._raised:
            self._raised = True
            raise Stopped(signum)

    def _watch(self) -> None:
        """Read the signals' numbers from the wakeup socket; give up at the deadline."""
        deadline: float | None = None
        while True:
            self._read.settimeout(
                None if deadline is None else max(0.0, deadline - time.monotonic())
            )
            try:
                data = self._read.recv(64)
            except TimeoutError:
                assert self.signum is not None
                self._give_up(self.signum)
                return
            except OSError:
                return
            if not data or (deadline is None and data == b"\0"):
                return
            for signum in data:
                if signum in SIGNALS:  # not SIGALRM, which Prefect's flow timeout uses
                    self._note(signum)
                    if deadline is None:
                        deadline = time.monotonic() + self._grace
