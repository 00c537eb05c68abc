"""Errors that stop a run, each located in a raw file."""

from __future__ import annotations

# How much of the offending text an error quotes: enough to find the line, never
# the whole of an absurd line (a 50 MB line would make a 50 MB message).
QUOTE_CHARS = 200


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """Return the start of a text, marked with its full length when it was cut.

    Examples:
        >>> quote("short")
        'short'
        >>> quote("x" * 300, limit=5)
        'xxxxx… (300 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


class RawInputError(Exception):
    """A raw file that cannot be read as what it claims to be.

    The message always names the file, the 1-based line (0 when the problem is
    the file as a whole), what the parser expected and what it found, so that a
    user can open the file at that line and fix it. What was found is quoted up
    to :data:`QUOTE_CHARS` characters.
    """

    def __init__(self, path: str, line: int, expected: str, found: str = "") -> None:
        self.path = path
        self.line = line
        self.expected = expected
        self.found = quote(found)
        where = f"{path}:{line}" if line else path
        detail = f"expected {expected}"
        if found:
            detail += f", found {self.found!r}"
        super().__init__(f"{where}: {detail}")

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Rebuilt from its parts when pickled (Prefect keeps a failed task's exception).
        return (_restore, (type(self), self.path, self.line, self.expected, self.found))


def _restore(
    cls: type[RawInputError], path: str, line: int, expected: str, found: str
) -> RawInputError:
    err = cls(path, line, expected)
    err.found = found
    if found:
        err.args = (f"{err.args[0]}, found {found!r}",)
    return err


class ValidationFailed(Exception):
    """One or more tables broke their schema; nothing was published."""
