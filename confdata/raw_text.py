"""Turning raw bytes into text, and telling what kind of document a text is.

Raw files are hostile until read: they may be empty, not UTF-8, carry a
byte-order mark or NUL bytes. Each of these stops the run with an error that
names the file and line; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from confdata.errors import RawInputError

KindTest = tuple[str, Callable[[str], bool]]


def decode_raw(data: bytes, *, path: str) -> str:
    """Decode a raw file as UTF-8 (a byte-order mark is allowed and dropped).

    Raises:
        RawInputError: For an empty or blank file, bytes that are not UTF-8 (with
            the line of the first bad byte), or NUL bytes.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.start + 4]
        raise RawInputError(
            path, line, "UTF-8 text", f"byte(s) {bad!r} (is the file Latin-1 or Windows-1252?)"
        ) from err
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RawInputError(path, line, "text without NUL bytes", "a NUL byte (binary file?)")
    if not text.strip():
        raise RawInputError(path, 0, "a conference program or a CV", "an empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_kind(text: str, *, path: str, tests: Sequence[KindTest]) -> str:
    """Return the kind of document a text is, from its content alone.

    Args:
        text: The decoded file.
        path: The file's path, for the error message.
        tests: ``(kind, predicate)`` pairs, one per kind the pipeline can read.

    Raises:
        RawInputError: When no kind, or more than one, recognizes the text.
    """
    kinds = [kind for kind, test in tests if test(text)]
    if len(kinds) == 1:
        return kinds[0]
    names = " or ".join(kind for kind, _ in tests)
    if not kinds:
        first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        raise RawInputError(
            path, 0, f"a file of a known kind ({names})", f"a file starting {first[:60]!r}"
        )
    raise RawInputError(path, 0, "a file of exactly one kind", f"content that reads as {kinds}")
