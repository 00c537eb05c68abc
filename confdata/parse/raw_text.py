"""Turning raw bytes into text, and telling what kind of document a text is.

Raw files are hostile until read: they may be empty, binary, not UTF-8 (Latin-1,
a mix of encodings, UTF-16), carry a byte-order mark, Windows line ends, NUL
bytes, or lines of absurd length. Each of these either reads as plain text (a
UTF-8 byte-order mark is dropped, CRLF and CR become LF) or stops with a
:class:`~confdata.errors.RawInputError` that names the file and the line;
nothing is guessed.

Only a line feed ends a line here and in the parsers, so a line number in a message is
the line an editor shows (``str.splitlines`` would also break at form feeds and
other separators that PDF converters leave inside lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from confdata.errors import RawInputError

KindTest = tuple[str, Callable[[str], bool]]

# The largest raw file read. Program pages are about 0.3 MB (NSDI '26: 257 KB), CVs
# a few tens of KB; a larger file is refused before it is read, so a run's time
# and memory stay bounded whatever is dropped into raw/.
MAX_FILE_BYTES = 8 * 2**20

# The longest line a raw file may have. Real lines are far shorter (the longest
# abstract of the NSDI '26 page has 1,733 characters, the longest CV line 433);
# a longer line is a damaged or hostile file, and refusing it keeps every
# per-line step of the parsers cheap.
MAX_LINE_CHARS = 20_000
_LONG_LINE = re.compile(rf"^.{{{MAX_LINE_CHARS + 1}}}", re.MULTILINE)

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
# Start of common binary formats, to say what a file is instead of "not UTF-8".
_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (a .docx or .xlsx file?)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "a Microsoft Office file"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "an executable"),
)


def decode_raw(data: bytes, *, path: str) -> str:
    """Decode a raw file as UTF-8 text whose lines end with a line feed.

    A UTF-8 byte-order mark is dropped; CRLF and lone CR become LF.

    Raises:
        RawInputError: For a file larger than :data:`MAX_FILE_BYTES`, an empty or
            blank file, a binary file or one in UTF-16/UTF-32 (line 0, saying what
            it looks like); a NUL byte or a byte that is not UTF-8 (with its line);
            a line longer than :data:`MAX_LINE_CHARS` characters (with its line).
    """
    if len(data) > MAX_FILE_BYTES:
        raise RawInputError(
            path, 0, f"a file of at most {MAX_FILE_BYTES // 2**20} MiB", f"{len(data):,} bytes"
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise RawInputError(
                path, 0, "UTF-8 text", f"a {encoding} byte-order mark (save the file as UTF-8)"
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        _refuse_binary(data, path)
        line = data.count(b"\n", 0, nul) + 1
        raise RawInputError(path, line, "text without NUL bytes", "a NUL byte (binary file?)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        _refuse_binary(data, path)
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.start + 4]
        raise RawInputError(
            path, line, "UTF-8 text", f"byte(s) {bad!r} (is the file Latin-1 or Windows-1252?)"
        ) from err
    if not text.strip():
        raise RawInputError(path, 0, "a conference program or a CV", "an empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if long_line := _LONG_LINE.search(text):
        end = text.find("\n", long_line.start())
        length = (len(text) if end < 0 else end) - long_line.start()
        raise RawInputError(
            path,
            text.count("\n", 0, long_line.start()) + 1,
            f"lines of at most {MAX_LINE_CHARS:,} characters",
            f"a line of {length:,} characters starting {text[long_line.start() :][:60]!r}",
        )
    return text


def _refuse_binary(data: bytes, path: str) -> None:
    """Name the format of a file that is not text, when its first bytes tell it."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise RawInputError(path, 0, "a text file (a program page or a CV saved as text)", what)


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
        first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
        raise RawInputError(
            path, 0, f"a file of a known kind ({names})", f"a file starting {first[:60]!r}"
        )
    raise RawInputError(path, 0, "a file of exactly one kind", f"content that reads as {kinds}")
