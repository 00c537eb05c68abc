"""Errors that stop a run, each located in a raw file."""

from __future__ import annotations


class RawInputError(Exception):
    """A raw file that cannot be read as what it claims to be.

    The message always names the file, the 1-based line (0 when the problem is
    the file as a whole), what the parser expected and what it found, so that a
    user can open the file at that line and fix it.
    """

    def __init__(self, path: str, line: int, expected: str, found: str = "") -> None:
        self.path = path
        self.line = line
        self.expected = expected
        self.found = found
        where = f"{path}:{line}" if line else path
        detail = f"expected {expected}"
        if found:
            detail += f", found {found!r}"
        super().__init__(f"{where}: {detail}")


class ValidationFailed(Exception):
    """One or more tables broke their schema; nothing was published."""
