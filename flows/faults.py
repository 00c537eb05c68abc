"""The faults a run expects, and the one located line the command line prints for each.

A run can fail on its input (a bad raw file), on the machine around it (a full
disk, a read-only folder, a run lock held by another run), on a bad setting,
or be asked to stop (a signal, the flow's timeout). None of these is a bug, so
none deserves a traceback: each is one line ``where: expected …, found …``.
Anything else is a bug and keeps its traceback. Imports no Prefect: the
command line uses this before Prefect starts.
"""

from __future__ import annotations

import errno

from confdata.errors import RawInputError
from confdata.run.state import BadSetting, RunLocked, StopRequested

# OS errors that are the machine's state, not a bug: what the run needed of the path.
ENVIRONMENT_ERRNOS: dict[int, str] = {
    errno.ENOSPC: "free space on its file system",
    errno.EDQUOT: "disk quota left on its file system",
    errno.EFBIG: "a file size this process may write",
    errno.EROFS: "a file system this run can write to",
    errno.EACCES: "permission to read or write it",
    errno.EPERM: "permission to read or write it",
}


class ServerFailed(Exception):
    """The Prefect server a run needs did not answer: its message is the located line."""


def is_environment_fault(err: BaseException | None) -> bool:
    """Tell whether ``err`` is an OS error caused by the machine (full disk, read-only, denied).

    Examples:
        >>> is_environment_fault(OSError(errno.ENOSPC, "No space left on device", "/x"))
        True
        >>> is_environment_fault(OSError(errno.ENOENT, "No such file or directory", "/x"))
        False
    """
    return isinstance(err, OSError) and err.errno in ENVIRONMENT_ERRNOS


def is_expected(err: BaseException | None) -> bool:
    """Tell whether ``err`` is a fault a run expects (see the module's docstring), not a bug."""
    return isinstance(
        err, (RawInputError, RunLocked, BadSetting, StopRequested, ServerFailed, KeyboardInterrupt)
    ) or is_environment_fault(err)


def located(path: object, expected: str, found: str) -> str:
    """Return the line ``path:0: expected …, found '…'`` (line 0: the path as a whole).

    Examples:
        >>> located("raw", "a folder of raw files", "no such folder")
        "raw:0: expected a folder of raw files, found 'no such folder'"
    """
    return f"{path}:0: expected {expected}, found {found!r}"


def describe(err: BaseException) -> str | None:
    """Return the one located line for an expected fault, or None for anything else (a bug).

    Examples:
        >>> describe(OSError(errno.EROFS, "Read-only file system", "/srv/.out.lock"))
        "/srv/.out.lock:0: expected a file system this run can write to, found 'Read-only file system'"
        >>> describe(ValueError("a bug")) is None
        True
    """
    if isinstance(err, (RawInputError, BadSetting, ServerFailed)):
        return str(err)
    if isinstance(err, RunLocked):
        return located(
            err.lock_file,
            f"no other run on this out/ within {err.waited:g} s (--lock-timeout)",
            f"held by {err.holder}; try again when that run has finished",
        )
    if is_environment_fault(err):
        assert isinstance(err, OSError)
        where = err.filename if err.filename is not None else "(a path the error does not name)"
        return located(where, ENVIRONMENT_ERRNOS[err.errno], err.strerror or str(err))
    return None
