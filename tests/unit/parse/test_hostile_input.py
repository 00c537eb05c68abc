"""Hostile raw input: every case parses with located warnings or stops with a located error.

One case per test. A bad file is never a traceback, a hang, or memory out of
proportion to the file: it is a :class:`RawInputError` naming the file and, where
one line is to blame, that line. Policy: by default a bad file stops the run and
nothing is published; with ``skip_bad_files`` the rest is published and the bad
files come first in the quality report (code ``skipped-bad-file``, severity
``error``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pickle
import random
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import polars as pl
import pytest

from confdata.errors import QUOTE_CHARS, RawInputError, failure_report, problems_of
from confdata.parse.cv.reader import parse_cv
from confdata.parse.raw_text import MAX_FILE_BYTES, MAX_LINE_CHARS, decode_raw, detect_kind
from confdata.parse.usenix.program import ProgramParse, parse_program
from confdata.reference.data import Reference
from confdata.run import io
from confdata.run.steps import KIND_TESTS, discover_sources, run_pipeline
from tests.conftest import FIXTURES, NSDI26, RAW, ROOT

CV = RAW / "alireza-farshin-cv.txt"
LATIN1 = FIXTURES / "programs" / "latin1_encoded.txt"
TRUNCATED = FIXTURES / "programs" / "truncated_mid_paper.txt"


def program(text: str, reference: Reference, path: str = "p.txt") -> ProgramParse:
    return parse_program(
        text, source_path=path, rules=reference.program_rules, knowledge=reference.org_knowledge
    )


def raw_folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def error_of(call: object) -> RawInputError:
    with pytest.raises(RawInputError) as err:
        call()  # type: ignore[operator]
    return err.value


# --------------------------------------------------------------------------- bytes


def test_empty_file_is_refused_as_a_whole() -> None:
    """An empty file stops with an error on the file as a whole (line 0)."""
    err = error_of(lambda: decode_raw(b"", path="empty.txt"))
    assert (err.path, err.line) == ("empty.txt", 0) and "empty" in str(err)


def test_blank_file_is_refused_as_a_whole() -> None:
    """A file of spaces, tabs and line ends is refused as empty."""
    err = error_of(lambda: decode_raw(b" \r\n\t\n\n", path="blank.txt"))
    assert (err.path, err.line) == ("blank.txt", 0) and "empty" in str(err)


def test_binary_file_is_refused_naming_its_format() -> None:
    """A PNG saved into raw/ is named as a PNG image, not reported as bad UTF-8."""
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    err = error_of(lambda: decode_raw(data, path="photo.txt"))
    assert (err.path, err.line) == ("photo.txt", 0) and "PNG image" in str(err)


def test_binary_file_of_unknown_format_is_refused_at_its_first_nul() -> None:
    """Bytes with a NUL and no known signature stop at the line of the NUL."""
    err = error_of(lambda: decode_raw(b"abc\ndef\n\x13\x00\xff\xfe", path="blob.txt"))
    assert (err.path, err.line) == ("blob.txt", 3) and "NUL" in str(err)


def test_latin1_file_is_refused_at_its_first_non_utf8_line() -> None:
    """A Latin-1 program stops at the first line whose bytes are not UTF-8."""
    err = error_of(lambda: decode_raw(LATIN1.read_bytes(), path=LATIN1.name))
    assert (err.path, err.line) == (LATIN1.name, 5) and "Latin-1" in str(err)


def test_mixed_encodings_are_refused_at_the_first_latin1_line() -> None:
    """UTF-8 lines (with accents) followed by a Latin-1 line stop at the Latin-1 line."""
    data = "Dejan Kostić\nMartín\n".encode() + "Martín again\n".encode("latin-1")
    err = error_of(lambda: decode_raw(data, path="mixed.txt"))
    assert (err.path, err.line) == ("mixed.txt", 3)


def test_utf16_file_is_refused_naming_its_byte_order_mark() -> None:
    """A UTF-16 file (Windows "Unicode") is named as such, with a hint to save it as UTF-8."""
    err = error_of(lambda: decode_raw(NSDI26.read_text().encode("utf-16"), path="u16.txt"))
    assert err.line == 0 and "UTF-16" in str(err) and "UTF-8" in str(err)


def test_byte_order_mark_does_not_change_the_parse(reference: Reference) -> None:
    """A UTF-8 byte-order mark is dropped: the page parses exactly as without it."""
    data = NSDI26.read_bytes()
    with_bom = decode_raw(b"\xef\xbb\xbf" + data, path="p.txt")
    assert program(with_bom, reference) == program(decode_raw(data, path="p.txt"), reference)


def test_crlf_line_ends_do_not_change_the_parse(reference: Reference) -> None:
    """Windows line ends give the same sessions, papers and line numbers as Unix ones."""
    data = NSDI26.read_bytes()
    crlf = decode_raw(data.replace(b"\n", b"\r\n"), path="p.txt")
    assert program(crlf, reference) == program(decode_raw(data, path="p.txt"), reference)


def test_nul_byte_inside_a_program_is_refused_on_its_line() -> None:
    """A NUL byte in the middle of the page stops at its line."""
    lines = NSDI26.read_bytes().split(b"\n")
    lines[99] = lines[99][:5] + b"\x00" + lines[99][5:]
    err = error_of(lambda: decode_raw(b"\n".join(lines), path="p.txt"))
    assert (err.path, err.line) == ("p.txt", 100)


def test_form_feed_inside_a_line_does_not_shift_line_numbers(reference: Reference) -> None:
    """Only a line feed ends a line: a form feed (PDF page break) keeps later lines numbered."""
    lines = TRUNCATED.read_text(encoding="utf-8").split("\n")
    lines[8] = lines[8] + "\x0c"  # the first session title
    text = decode_raw("\n".join(lines).encode(), path="t.txt")
    err = error_of(lambda: program(text, reference, "t.txt"))
    assert err.line == 31  # the cut-off paper title, as without the form feed


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded() -> None:
    """A 50 MB file is refused as a whole, at once."""
    data = b"Monday, May 4\n" * (50_000_000 // 14)
    started = time.perf_counter()
    err = error_of(lambda: decode_raw(data, path="huge.txt"))
    assert time.perf_counter() - started < 1
    assert err.line == 0 and "MiB" in str(err)


def test_a_50mb_single_line_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A 50 MB one-line file is refused from its size alone (it is never read into memory)."""
    path = tmp_path / "one-line.txt"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: no 50 MB written to disk
    tracemalloc.start()
    try:
        err = error_of(lambda: io.read_raw_file(io.RawFile(path, path.name)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.path == "one-line.txt" and "50,000,000 bytes" in str(err)
    assert peak < 1_000_000


def test_an_absurdly_long_line_is_refused_on_its_line_quickly() -> None:
    """A 5 MB line (under the file limit) stops at its line, in linear time and memory."""
    page = NSDI26.read_bytes().split(b"\n")
    page[40] = b"Ann Lee, " * (5_000_000 // 9)
    data = b"\n".join(page)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        err = error_of(lambda: decode_raw(data, path="long.txt"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 4 * len(data)
    assert (err.path, err.line) == ("long.txt", 41)
    assert f"at most {MAX_LINE_CHARS:,} characters" in str(err)


def test_an_error_quotes_only_the_start_of_a_long_line() -> None:
    """What an error quotes is cut to a few hundred characters, with the full length."""
    err = RawInputError("f.txt", 3, "a title", "x" * 1_000_000)
    assert len(str(err)) < QUOTE_CHARS + 100 and "1,000,000 characters" in str(err)


def test_an_error_survives_pickling() -> None:
    """The error travels between processes (Prefect keeps failed tasks' exceptions) intact."""
    err = RawInputError("a b.txt", 7, "a title", "y" * 500)
    again = pickle.loads(pickle.dumps(err))
    assert (str(again), again.path, again.line, again.found) == (
        str(err),
        err.path,
        err.line,
        err.found,
    )


# --------------------------------------------------------------------------- parsers


def test_a_line_of_many_spaces_is_classified_in_linear_time(reference: Reference) -> None:
    """A page line of 19,000 spaces between two words (once quadratic) parses at once."""
    lines = NSDI26.read_text(encoding="utf-8").split("\n")
    lines[70] = "a" + " " * 19_000 + "b"
    started = time.perf_counter()
    parse = program(decode_raw("\n".join(lines).encode(), path="p.txt"), reference)
    assert time.perf_counter() - started < 5
    assert parse.sessions


def test_a_cv_line_of_many_unclosed_links_is_read_in_linear_time() -> None:
    """A CV entry of 4,000 "[a](" pieces (once quadratic in the link pattern) parses at once."""
    lines = CV.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("- [C1]"))
    lines[at] = "- [C1] " + "[a](" * 4_000
    started = time.perf_counter()
    cv = parse_cv(decode_raw("\n".join(lines).encode(), path="cv.txt"), source_path="cv.txt")
    assert time.perf_counter() - started < 5
    assert cv.publications


def test_an_author_list_running_on_for_thousands_of_lines_is_refused(
    reference: Reference,
) -> None:
    """Lines ending in "," join into one author line; one beyond the line limit is refused."""
    lines = NSDI26.read_text(encoding="utf-8").split("\n")
    media = lines.index("Available Media", 60)
    author = media - 2
    lines[author:author] = ["Ann Lee, Bo Chen, Cy Wu, Dana Li, Eli Ma,"] * 600
    err = error_of(lambda: program("\n".join(lines), reference))
    assert (err.path, err.line) == ("p.txt", author + 1)
    assert "author line of at most" in str(err)


def test_a_cv_entry_running_on_for_thousands_of_lines_is_refused() -> None:
    """An entry whose following keys are missing runs on; beyond the limit it is refused."""
    lines = CV.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("- [C1]"))
    lines[at + 1 : at + 1] = ["Hamid Ghasemirahni, Alireza Farshin, Marco Chiesa, and"] * 500
    err = error_of(lambda: parse_cv("\n".join(lines), source_path="cv.txt"))
    assert (err.path, err.line) == ("cv.txt", at + 1)
    assert "(is the key of a following entry" in str(err)


def test_the_page_twice_over_parses_or_fails_located(reference: Reference) -> None:
    """The whole page duplicated in one file parses (with warnings) or fails located."""
    text = NSDI26.read_text(encoding="utf-8")
    try:
        parse = program(text + "\n" + text, reference)
    except RawInputError as err:
        assert err.path == "p.txt" and err.line >= 0
    else:
        assert len(parse.sessions) == 2 * len(program(text, reference).sessions)


@pytest.mark.parametrize("seed", range(5))
def test_shuffled_lines_parse_or_fail_located(reference: Reference, seed: int) -> None:
    """A page with its lines shuffled never raises anything but a located error."""
    lines = NSDI26.read_text(encoding="utf-8").split("\n")
    random.Random(seed).shuffle(lines)
    try:
        program("\n".join(lines), reference)
    except RawInputError as err:
        assert err.path == "p.txt" and 0 <= err.line <= len(lines)


@pytest.mark.parametrize("seed", range(5))
def test_shuffled_cv_lines_parse_or_fail_located(seed: int) -> None:
    """A CV with its lines shuffled never raises anything but a located error."""
    lines = CV.read_text(encoding="utf-8").split("\n")
    random.Random(seed).shuffle(lines)
    try:
        parse_cv("\n".join(lines), source_path="cv.txt")
    except RawInputError as err:
        assert err.path == "cv.txt" and 0 <= err.line <= len(lines)


# --------------------------------------------------------------------------- the raw folder


def test_a_link_pointing_outside_raw_is_refused_naming_it(tmp_path: Path) -> None:
    """A symbolic link to a file outside raw/ stops the run, naming the link and its target."""
    outside = tmp_path / "secret.txt"
    outside.write_bytes(NSDI26.read_bytes())
    folder = raw_folder(tmp_path, {})
    (folder / "program.txt").symlink_to(outside)
    err = error_of(lambda: io.list_raw_files(folder))
    assert err.path == "program.txt" and str(outside) in str(err) and "outside" in str(err)


def test_a_link_inside_raw_is_read_like_its_target(tmp_path: Path) -> None:
    """A symbolic link to a file in a sub-folder of raw/ is a source, under the link's name."""
    folder = raw_folder(tmp_path, {})
    (folder / "archive").mkdir()
    (folder / "archive" / "nsdi.txt").write_bytes(NSDI26.read_bytes())
    (folder / "current.txt").symlink_to(Path("archive") / "nsdi.txt")
    files, notes = io.list_raw_files(folder)
    assert [f.relative for f in files] == ["current.txt"]
    assert io.read_raw_file(files[0]) == NSDI26.read_bytes()
    assert notes == ["archive/ is a folder; only files directly in the raw folder are read"]


def test_a_broken_link_is_refused_naming_it(tmp_path: Path) -> None:
    """A link to a file that does not exist is refused, naming the link and where it points."""
    folder = raw_folder(tmp_path, {"ok.txt": NSDI26.read_bytes()})
    (folder / "gone.txt").symlink_to(folder / "missing.txt")
    err = error_of(lambda: io.list_raw_files(folder))
    assert err.path == "gone.txt" and "broken link" in str(err)


def test_a_link_loop_is_refused_naming_it(tmp_path: Path) -> None:
    """Two links pointing at each other are refused instead of looping."""
    folder = raw_folder(tmp_path, {"ok.txt": NSDI26.read_bytes()})
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    err = error_of(lambda: io.list_raw_files(folder))
    assert err.path == "a.txt"


def test_names_with_spaces_and_non_ascii_letters_work_end_to_end(tmp_path: Path) -> None:
    """Files named with spaces and accents are read, published and named as they are."""
    names = ["NSDI 26 — programme détaillé.txt", "CV de Ålireza Farshin.txt"]
    folder = raw_folder(tmp_path, {names[0]: NSDI26.read_bytes(), names[1]: CV.read_bytes()})
    release = run_pipeline(folder, tmp_path / "out")
    assert release.published and release.skipped == []
    sources = pl.read_parquet(tmp_path / "out" / "parquet" / "sources.parquet")
    assert sorted(sources["path"]) == sorted(names)
    report = json.loads((tmp_path / "out" / "quality" / "report.json").read_text("utf-8"))
    assert {i["source_path"] for i in report["issues"] if i["source_path"]} <= set(names)


def test_a_file_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """A name in another encoding (Latin-1 bytes) is refused, printed with its bytes escaped."""
    folder = raw_folder(tmp_path, {"ok.txt": NSDI26.read_bytes()})
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as handle:
        handle.write(NSDI26.read_bytes())
    err = error_of(lambda: io.list_raw_files(folder))
    assert err.path == "caf\\xe9.txt" and "UTF-8" in str(err)


def test_a_file_name_with_a_line_break_is_refused(tmp_path: Path) -> None:
    """A name holding a control character (a line break) is refused rather than printed raw."""
    folder = raw_folder(tmp_path, {"ok.txt": NSDI26.read_bytes(), "two\nlines.txt": b"x"})
    err = error_of(lambda: io.list_raw_files(folder))
    assert "two\\nlines.txt" in str(err) and "control characters" in str(err)


def test_a_folder_named_like_a_file_is_noted_not_read(tmp_path: Path) -> None:
    """A folder called "program.txt" is not a source: it is reported as a folder not read."""
    folder = raw_folder(tmp_path, {"ok.txt": NSDI26.read_bytes()})
    (folder / "program.txt").mkdir()
    files, notes = io.list_raw_files(folder)
    assert [f.relative for f in files] == ["ok.txt"]
    assert notes == ["program.txt/ is a folder; only files directly in the raw folder are read"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its permissions")
def test_an_unreadable_file_is_a_located_error(tmp_path: Path) -> None:
    """A file the run may not read stops the run naming it ("permission denied")."""
    folder = raw_folder(tmp_path, {"locked.txt": NSDI26.read_bytes()})
    (folder / "locked.txt").chmod(0)
    err = error_of(lambda: discover_sources(folder, tmp_path / "work"))
    assert err.path == "locked.txt" and "permission denied" in str(err)


def test_permission_denied_on_open_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied when opening a raw file (simulated: tests run as root) names the file."""
    folder = raw_folder(tmp_path, {"locked.txt": NSDI26.read_bytes()})
    real_open = os.open

    def deny(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if os.fspath(path).endswith("locked.txt"):  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(io.os, "open", deny)
    err = error_of(lambda: discover_sources(folder, tmp_path / "work"))
    assert (err.path, err.line) == ("locked.txt", 0) and "permission denied" in str(err)


def _finishes(call: object, seconds: float = 20) -> object:
    """Run a call in a thread; fail (instead of hanging the suite) if it blocks."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = call()  # type: ignore[operator]
        except BaseException as err:  # noqa: BLE001 - handed back to the test
            result["value"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked (a FIFO opened for reading?)"
    return result["value"]


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    """A named pipe in raw/ is refused from its type; the run never blocks on it.

    Discovery keeps it aside and the good file is parsed (to find its problems
    too); then the run stops naming the FIFO.
    """
    folder = raw_folder(tmp_path, {"ok.txt": NSDI26.read_bytes()})
    os.mkfifo(folder / "pipe.txt")
    try:
        outcome = _finishes(lambda: run_pipeline(folder, tmp_path / "out"))
    finally:
        _unblock(folder / "pipe.txt")
    assert isinstance(outcome, RawInputError)
    assert outcome.path == "pipe.txt" and "FIFO" in str(outcome)
    assert str(outcome).count("\n") == 0  # the only problem


def test_a_fifo_swapped_in_after_listing_is_refused_without_blocking(tmp_path: Path) -> None:
    """Reading a raw file that became a FIFO after listing neither blocks nor reads it."""
    os.mkfifo(tmp_path / "late.txt")
    try:
        outcome = _finishes(lambda: io.read_raw_file(io.RawFile(tmp_path / "late.txt", "late.txt")))
    finally:
        _unblock(tmp_path / "late.txt")
    assert isinstance(outcome, RawInputError) and "FIFO" in str(outcome)


def _unblock(fifo: Path) -> None:
    # If a reader is stuck on the FIFO (the bug these tests catch), a writer frees it.
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_a_device_file_is_refused_without_being_opened(tmp_path: Path) -> None:
    """A character device (here a copy of /dev/null's node) in raw/ is refused from its type."""
    folder = raw_folder(tmp_path, {"ok.txt": NSDI26.read_bytes()})
    try:
        os.mknod(folder / "null.txt", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, OSError) as err:
        pytest.skip(f"cannot make a device node here: {err}")
    err = error_of(lambda: io.list_raw_files(folder))
    assert err.path == "null.txt" and "character device" in str(err)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A raw file larger than the limit is refused from its size, naming it."""
    folder = raw_folder(tmp_path, {})
    with (folder / "big.txt").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    err = error_of(lambda: discover_sources(folder, tmp_path / "work"))
    assert err.path == "big.txt" and f"{MAX_FILE_BYTES + 1:,} bytes" in str(err)


def test_kind_detection_names_a_file_of_no_known_kind() -> None:
    """A text that is neither a program nor a CV is refused, quoting its first line."""
    text = decode_raw(b"Shopping list\n\neggs\n", path="notes.txt")
    err = error_of(lambda: detect_kind(text, path="notes.txt", tests=KIND_TESTS))
    assert err.path == "notes.txt" and "Shopping list" in str(err)


# --------------------------------------------------------------------------- policy


def test_by_default_a_bad_file_stops_the_run_and_nothing_is_published(tmp_path: Path) -> None:
    """One bad file among good ones: the run stops naming it, and out/ is never created."""
    folder = raw_folder(
        tmp_path, {NSDI26.name: NSDI26.read_bytes(), LATIN1.name: LATIN1.read_bytes()}
    )
    err = error_of(lambda: run_pipeline(folder, tmp_path / "out"))
    assert (err.path, err.line) == (LATIN1.name, 5)
    assert not (tmp_path / "out").exists()


def test_by_default_a_file_failing_to_parse_stops_the_run(tmp_path: Path) -> None:
    """A program cut off mid-paper stops the run at its last line; nothing is published."""
    folder = raw_folder(
        tmp_path, {NSDI26.name: NSDI26.read_bytes(), TRUNCATED.name: TRUNCATED.read_bytes()}
    )
    err = error_of(lambda: run_pipeline(folder, tmp_path / "out"))
    assert (err.path, err.line) == (TRUNCATED.name, 31)
    assert not (tmp_path / "out").exists()


def test_skip_bad_files_publishes_the_rest_and_lists_the_bad_ones_first(tmp_path: Path) -> None:
    """With skip_bad_files the good files are published; the bad ones lead the report."""
    folder = raw_folder(
        tmp_path,
        {
            NSDI26.name: NSDI26.read_bytes(),
            LATIN1.name: LATIN1.read_bytes(),  # bad bytes: found while discovering
            TRUNCATED.name: TRUNCATED.read_bytes(),  # cut off: found while parsing
        },
    )
    out = tmp_path / "out"
    release = run_pipeline(folder, out, skip_bad_files=True)
    assert release.published
    assert [s.split(":")[0] for s in release.skipped] == [LATIN1.name, TRUNCATED.name]
    sources = pl.read_parquet(out / "parquet" / "sources.parquet")
    assert sources["path"].to_list() == [NSDI26.name]
    report = json.loads((out / "quality" / "report.json").read_text("utf-8"))
    first = report["issues"][:2]
    assert [(i["code"], i["severity"], i["source_path"], i["line"]) for i in first] == [
        ("skipped-bad-file", "error", LATIN1.name, 5),
        ("skipped-bad-file", "error", TRUNCATED.name, 31),
    ]
    markdown = (out / "quality" / "report.md").read_text("utf-8")
    assert markdown.index("\n## ") + 1 == markdown.index("## Skipped files (2)")  # first section
    assert f"`{TRUNCATED.name}:31`" in markdown
    html = (out / "quality" / "report.html").read_text("utf-8")
    main = html[html.index("<main>") :]
    assert main.index("<section") == main.index('<section id="skipped">')  # the first section
    assert LATIN1.name in main[: main.index("</section>")]


def test_skip_bad_files_with_every_file_bad_publishes_nothing(tmp_path: Path) -> None:
    """When every file is bad there is nothing to publish: the run stops naming them."""
    folder = raw_folder(
        tmp_path, {LATIN1.name: LATIN1.read_bytes(), TRUNCATED.name: TRUNCATED.read_bytes()}
    )
    err = error_of(lambda: run_pipeline(folder, tmp_path / "out", skip_bad_files=True))
    assert [(p.path, p.line) for p in problems_of(err)] == [(LATIN1.name, 5), (TRUNCATED.name, 31)]
    report = failure_report(err, "out")
    assert "every raw file was bad" in report.splitlines()[-1]
    assert report.splitlines()[:2] == str(err).splitlines()
    assert not (tmp_path / "out").exists()


def test_skip_bad_files_also_skips_a_fifo_and_an_outside_link(tmp_path: Path) -> None:
    """Entries that cannot be sources at all are skipped and reported like bad files."""
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(CV.read_bytes())
    folder = raw_folder(tmp_path, {NSDI26.name: NSDI26.read_bytes()})
    os.mkfifo(folder / "pipe.txt")
    (folder / "link.txt").symlink_to(outside)
    try:
        release = _finishes(lambda: run_pipeline(folder, tmp_path / "out", skip_bad_files=True))
    finally:
        _unblock(folder / "pipe.txt")
    assert not isinstance(release, BaseException), release
    assert sorted(s.split(":")[0] for s in release.skipped) == ["link.txt", "pipe.txt"]  # type: ignore[attr-defined]


@pytest.mark.flow
def test_command_line_prints_the_located_error_without_a_traceback(tmp_path: Path) -> None:
    """``python -m flows.build`` on a bad file prints file:line, exits 1 and shows no traceback."""
    folder = raw_folder(
        tmp_path, {NSDI26.name: NSDI26.read_bytes(), TRUNCATED.name: TRUNCATED.read_bytes()}
    )
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-m", "flows.build", "--raw", str(folder), "--out", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"\n{TRUNCATED.name}:31: expected an author line" in f"\n{done.stderr}"
    assert "error: 1 bad file; nothing was published" in done.stderr
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()
