"""Bookkeeping of a run: the run lock, the parse cache's keys, and the crash-test hook.

Everything a run keeps beside ``out/`` is named after it, in the same parent folder:

- ``.<out>.lock``: the run lock (:func:`hold_lock`), an ``fcntl.flock`` on this file.
  Only one run at a time works on an ``out/``; the kernel releases the lock when
  its holder dies, however it dies. The file names the holder (pid, host, start
  time) and is removed by the holder when it lets go.
- ``.<out>.cache/``: parse results by :func:`parse_key` (see ``steps.parse_source``).
- ``.<out>.work-<pid>``, ``.<out>.staging-<pid>``, ``.<out>.previous-<pid>``: a run's
  own folders; those of dead processes are removed when the next run starts.

A run can be asked to stop (:func:`request_stop`: a signal, the flow's timeout):
parse batches running on other threads then end at their next file
(:func:`check_stop`) instead of parsing on after the run was given up.

This module touches no release file itself (``confdata.run.io`` does all file I/O).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

# Bumped when the layout of a cache entry changes (not when a parser changes: see
# ``PARSER_VERSION`` in usenix_program.py and academic_cv.py).
CACHE_FORMAT = 1
# How long a run waits for another run on the same out/ before it gives up (seconds).
LOCK_TIMEOUT_ENV = "CONFDATA_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 300.0
_POLL_SECONDS = 0.2
# Test hook: see pause_point.
PAUSE_ENV = "CONFDATA_TEST_PAUSE_AT"

_held: dict[Path, int] = {}  # lock files this process holds -> how many holders
_held_guard = threading.Lock()


class RunLocked(Exception):
    """Another run holds the lock on this out/ and did not let go in time.

    Attributes:
        lock_file: The lock's file (``.<out>.lock``).
        holder: Who holds it, as its holder wrote it (pid, host, start time).
        waited: How long this run waited, in seconds.
    """

    def __init__(self, message: str, lock_file: Path, holder: str, waited: float) -> None:
        super().__init__(message)
        self.lock_file, self.holder, self.waited = lock_file, holder, waited

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (type(self), (self.args[0], self.lock_file, self.holder, self.waited))


class BadSetting(ValueError):
    """An environment variable the run reads holds a value it cannot use.

    Its message is located like a bad input's: ``NAME: expected …, found '…'``.
    """

    def __init__(self, name: str, expected: str, found: str) -> None:
        super().__init__(f"{name}: expected {expected}, found {found!r}")
        self.name, self.expected, self.found = name, expected, found


class StopRequested(Exception):
    """The run was asked to stop (:func:`request_stop`); work in progress ends here."""


_stop = threading.Event()


def request_stop() -> None:
    """Ask the run in this process to stop: parse batches end at their next file."""
    _stop.set()


def clear_stop() -> None:
    """Forget an earlier stop request (a new run starts)."""
    _stop.clear()


def stop_requested() -> bool:
    """Tell whether the run in this process was asked to stop."""
    return _stop.is_set()


def check_stop() -> None:
    """Raise :class:`StopRequested` when the run was asked to stop.

    Raises:
        StopRequested: After :func:`request_stop` (until :func:`clear_stop`).
    """
    if _stop.is_set():
        raise StopRequested("the run was asked to stop")


def sibling(out_dir: Path, suffix: str) -> Path:
    """Return ``<out parent>/.<out name>.<suffix>``, a run's path beside ``out_dir``."""
    out_dir = out_dir.resolve()
    return out_dir.parent / f".{out_dir.name}.{suffix}"


def lock_timeout(value: float | None = None, environ: Mapping[str, str] = os.environ) -> float:
    """Return ``value``, else ``$CONFDATA_LOCK_TIMEOUT``, else the default (300 s).

    Raises:
        BadSetting: When the variable is set but is not a number of seconds (0 or more).
    """
    if value is not None:
        return float(value)
    text = environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):  # also refuses "nan"
        raise BadSetting(LOCK_TIMEOUT_ENV, "a number of seconds (0 or more)", text)
    return seconds


def describe_holder(lock_file: Path) -> str:
    """Say who holds a lock file, from what its holder wrote in it."""
    try:
        info = json.loads(lock_file.read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not yet written its name"


def is_held(lock_file: Path) -> bool:
    """Tell whether this process holds ``lock_file`` (a run in progress here)."""
    with _held_guard:
        return _held.get(lock_file.resolve(), 0) > 0


def _try_lock(lock_file: Path) -> int | None:
    """Take the lock if free: the locked descriptor, or None when another holds it."""
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        os.close(fd)
        if err.errno in (errno.EAGAIN, errno.EACCES):
            return None
        raise
    # The previous holder removes the file when it lets go: a lock on a file no
    # longer at this path protects nothing, so take the new file instead.
    try:
        same = os.fstat(fd).st_ino == os.stat(lock_file).st_ino
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return _try_lock(lock_file)
    return fd


@contextlib.contextmanager
def hold_lock(lock_file: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the run lock ``lock_file``: wait up to ``timeout`` seconds for it, then fail.

    Two runs in one process exclude each other as two processes do (each takes
    its own ``flock``). While waiting, it logs who holds the lock once.

    Raises:
        RunLocked: When another run still holds it after ``timeout`` seconds;
            the message names the holder (pid, host, start time).
    """
    lock_file = lock_file.resolve()
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    limit = lock_timeout(timeout)
    deadline = time.monotonic() + limit
    fd = _try_lock(lock_file)
    if fd is None:
        log.warning(
            "waiting up to %g s for the run holding %s (%s)",
            limit,
            lock_file,
            describe_holder(lock_file),
        )
    while fd is None:
        if time.monotonic() >= deadline:
            holder = describe_holder(lock_file)
            raise RunLocked(
                f"another run is using {lock_file.parent / lock_file.name[1:-5]}: "
                f"{holder} (lock {lock_file}); waited {limit:g} s. "
                "Try again when it has finished, or wait longer (--lock-timeout).",
                lock_file,
                holder,
                limit,
            )
        time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        fd = _try_lock(lock_file)
    try:
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        except OSError as err:  # a full disk: say where
            raise OSError(err.errno, err.strerror, str(lock_file)) from err
        with _held_guard:
            _held[lock_file] = _held.get(lock_file, 0) + 1
        try:
            yield
        finally:
            with _held_guard:
                _held[lock_file] -= 1
            # Remove the file while still holding it, so the next run locks a fresh one.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_file)
    finally:
        os.close(fd)  # releases the flock


def pid_alive(pid: int) -> bool:
    """Tell whether a process with this pid is running here (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def reference_hash(reference: Mapping[str, str]) -> str:
    """Return one hash of the reference files (name -> text), as the parsers see them."""
    digest = hashlib.sha256()
    for name, text in sorted(reference.items()):
        digest.update(f"{name}\0{text}\0".encode())
    return digest.hexdigest()


def parse_key(
    *, relative: str, sha256: str, kind: str, parser_version: int, reference_sha256: str
) -> str:
    """Return the cache key of one parse: what the parse's output depends on, hashed.

    The file's name is part of it because the rows carry the source's ID and path.
    """
    facts = {
        "format": CACHE_FORMAT,
        "relative": relative,
        "sha256": sha256,
        "kind": kind,
        "parser_version": parser_version,
        "reference_sha256": reference_sha256,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode("utf-8")).hexdigest()[:32]


def pause_point(stage: str) -> None:
    """Test hook: pause here when ``$CONFDATA_TEST_PAUSE_AT`` names ``stage``.

    ``CONFDATA_TEST_PAUSE_AT=<stage>[:<seconds>]`` (default 60 s) makes the run say
    ``confdata: paused at <stage> (pid N)`` on stderr and sleep, so a crash test
    can kill it exactly there. Inert when the variable is unset or names another
    stage. Stages: ``parse`` (a file parsed, nothing written), ``cache`` (a cache
    entry written, not yet renamed into place), ``write`` (tables staged, no
    manifest yet), ``swap-before`` and ``swap-after`` (around the rename that
    publishes), ``archive-moved`` (``out/releases`` moved into the staging folder,
    not yet swapped in), ``swap-between`` (between the two renames of the fallback swap).
    A stop request (:func:`request_stop`) ends the pause early.

    Raises:
        StopRequested: When the run was asked to stop during the pause.
    """
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted or wanted.split(":")[0] != stage:
        return
    seconds = float(wanted.split(":")[1]) if ":" in wanted else 60.0
    sys.stderr.write(f"confdata: paused at {stage} (pid {os.getpid()})\n")
    sys.stderr.flush()
    # A stop request (a signal, the flow's timeout) ends the pause, as it ends a parse.
    _stop.wait(seconds)
    check_stop()
