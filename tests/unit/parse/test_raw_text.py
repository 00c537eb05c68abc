"""Reading raw bytes as text and telling a file's kind, one defect per test."""

from __future__ import annotations

import pytest

from confdata.errors import RawInputError
from confdata.parse.raw_text import decode_raw, detect_kind
from confdata.parse.usenix.program import looks_like_program
from tests.conftest import NSDI26

TESTS = (("program", looks_like_program),)


def test_byte_order_mark_is_dropped() -> None:
    """It drops a UTF-8 byte-order mark."""
    assert decode_raw(b"\xef\xbb\xbfNSDI", path="f.txt") == "NSDI"


def test_crlf_line_ends_become_newlines() -> None:
    """It reads Windows line ends as plain newlines."""
    assert decode_raw(b"a\r\nb\rc", path="f.txt") == "a\nb\nc"


def test_latin1_bytes_are_an_error_on_their_line() -> None:
    """It names the line of the first byte that is not UTF-8."""
    with pytest.raises(RawInputError) as err:
        decode_raw(b"ok\nstill ok\nMart\xedn\n", path="f.txt")
    assert (err.value.path, err.value.line) == ("f.txt", 3)
    assert "UTF-8" in str(err.value)


def test_nul_byte_is_an_error_on_its_line() -> None:
    """It refuses NUL bytes (a binary file) and names their line."""
    with pytest.raises(RawInputError) as err:
        decode_raw(b"a\nb\x00c", path="f.txt")
    assert err.value.line == 2


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_empty_file_is_an_error(data: bytes) -> None:
    """It refuses an empty or blank file as a whole (line 0)."""
    with pytest.raises(RawInputError) as err:
        decode_raw(data, path="f.txt")
    assert err.value.line == 0 and "empty" in str(err.value)


def test_program_is_detected_from_content() -> None:
    """It recognizes the NSDI '26 page as a program from its content."""
    assert detect_kind(NSDI26.read_text(encoding="utf-8"), path="x", tests=TESTS) == "program"


def test_unknown_kind_names_the_file() -> None:
    """It refuses a file no kind recognizes, naming it and quoting its start."""
    with pytest.raises(RawInputError) as err:
        detect_kind("Shopping list\neggs\n", path="notes.txt", tests=TESTS)
    assert err.value.path == "notes.txt" and "Shopping list" in str(err.value)
