"""Errors that stop a run, each located in a raw file (or a reference file)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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

    The message always has the form ``file:line: expected …, found …``: the
    file, the 1-based line (0 when the problem is the file as a whole), what the
    parser expected and what it found, so that a user (or an editor reading a
    compiler-style list) can open the file at that line and fix it. What was
    found is quoted up to :data:`QUOTE_CHARS` characters.
    """

    def __init__(self, path: str, line: int, expected: str, found: str = "") -> None:
        self.path = path
        self.line = line
        self.expected = expected
        self.found = quote(found)
        super().__init__(_message(path, line, expected, self.found))

    def to_dict(self) -> dict[str, Any]:
        """Return the error's parts, to keep it in a JSON file between steps of a run."""
        return {
            "path": self.path,
            "line": self.line,
            "expected": self.expected,
            "found": self.found,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RawInputError:
        """Rebuild an error kept with :meth:`to_dict`."""
        return _restore(cls, data["path"], data["line"], data["expected"], data["found"])

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Rebuilt from its parts when pickled (Prefect keeps a failed task's exception).
        return (_restore, (type(self), self.path, self.line, self.expected, self.found))


def _message(path: str, line: int, expected: str, found: str) -> str:
    detail = f"expected {expected}"
    if found:
        detail += f", found {found!r}"
    return f"{path}:{line}: {detail}"


def _restore(
    cls: type[RawInputError], path: str, line: int, expected: str, found: str
) -> RawInputError:
    err = cls(path, line, expected)
    err.found = found  # already quoted: not cut a second time
    err.args = (_message(path, line, expected, found),)
    return err


class RawInputErrors(RawInputError):
    """Every bad-input problem a run found, raised at once: one ``file:line: …`` line each.

    A run looks at every raw file (and every reference file) before it stops, so
    that one run names every file to fix, as a compiler lists every error. The
    problems are sorted by file, then line; the error's own ``path``, ``line``,
    ``expected`` and ``found`` are those of the first, so code that handles one
    :class:`RawInputError` handles this one too. ``note`` says why nothing is
    left to publish when that is not obvious (every file set aside with
    ``--skip-bad-files``).
    """

    def __init__(self, problems: Iterable[RawInputError], note: str = "") -> None:
        flat: dict[tuple[str, int, str, str], RawInputError] = {}
        for problem in problems:
            for one in problem.problems if isinstance(problem, RawInputErrors) else (problem,):
                flat.setdefault((one.path, one.line, one.expected, one.found), one)
        if not flat:
            raise ValueError("RawInputErrors needs at least one problem")
        self.problems = tuple(flat[key] for key in sorted(flat))
        self.note = note
        first = self.problems[0]
        self.path, self.line, self.expected, self.found = (
            first.path,
            first.line,
            first.expected,
            first.found,
        )
        Exception.__init__(self, "\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (type(self), (self.problems, self.note))


def problems_of(err: RawInputError) -> tuple[RawInputError, ...]:
    """Return the single problems an error stands for (itself, or each of a :class:`RawInputErrors`)."""
    return err.problems if isinstance(err, RawInputErrors) else (err,)


def failure_report(err: BaseException, out_dir: str, outcome: str | None = None) -> str:
    """Return what the command line prints when a run stops on an error it expected.

    Bad input is a compiler-style list, one ``file:line: expected …, found …``
    line per problem, then one line saying how many files are bad and that
    ``out_dir`` is unchanged. Any other stop (tables that fail validation, a run
    lock held by another run) is one ``error: …`` message and the same last line.

    Examples:
        >>> print(failure_report(RawInputError("a.txt", 0, "text", "a PNG image"), "out"))
        a.txt:0: expected text, found 'a PNG image'
        error: 1 bad file; nothing was published; out/ is unchanged
    """
    # What became of out/: the caller says when it checked; else it is unchanged.
    unchanged = outcome or f"nothing was published; {out_dir.rstrip('/')}/ is unchanged"
    if not isinstance(err, RawInputError):
        return f"error: {err}\n{unchanged}"
    summary = getattr(err, "summary", "")
    if summary:  # not a raw file: a problem of the run's folders (an out/ not ours)
        return f"{err}\nerror: {summary}; {unchanged}"
    problems = problems_of(err)
    files = len({p.path for p in problems})
    count = f"{files} bad file{'s' if files != 1 else ''}"
    if len(problems) != files:
        count += f" ({len(problems)} problems)"
    note = getattr(err, "note", "")
    lines = [str(p) for p in problems]
    lines.append(f"error: {count}{f' ({note})' if note else ''}; {unchanged}")
    return "\n".join(lines)


class ValidationFailed(Exception):
    """One or more tables broke their schema; nothing was published."""
