"""Reference files read as hostile input: located errors, all at once, never a hang.

Defects shown (issue 11): an empty, non-UTF-8 or wrongly shaped YAML file in
raw/reference/ ended in a traceback (the Latin-1 and wrong-shape cases did not
even name the file), and a FIFO named ``*.yaml`` there blocked the run forever.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from confdata.errors import RawInputError, RawInputErrors
from confdata.reference.data import build_reference, check_reference
from confdata.reference.files import MAX_PROBLEMS_PER_FILE, MAX_REFERENCE_BYTES
from confdata.run import io
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW, ROOT

REFERENCE = RAW / "reference"


def damaged(tmp_path: Path, name: str, data: bytes | None) -> Path:
    """A copy of raw/ (the NSDI page and the reference files) with one reference file replaced."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(NSDI26, raw / NSDI26.name)
    shutil.copytree(REFERENCE, raw / "reference")
    target = raw / "reference" / name
    target.unlink()
    if data is not None:
        target.write_bytes(data)
    return raw


def problems(folder: Path) -> list[tuple[str, int, str]]:
    """The problems of a reference folder: (file name, line, message after the location)."""
    found = check_reference(folder)
    return [(Path(p.path).name, p.line, str(p).split(": ", 1)[1]) for p in found]


def edited(name: str, old: str, new: str) -> bytes:
    text = (REFERENCE / name).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode()


def line_of(name: str, text: str) -> int:
    lines = (REFERENCE / name).read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_the_real_reference_files_have_no_problem() -> None:
    assert check_reference(REFERENCE) == []


def test_an_empty_reference_file_is_a_located_error(tmp_path: Path) -> None:
    raw = damaged(tmp_path, "organizations.yaml", b"")
    assert problems(raw / "reference") == [
        ("organizations.yaml", 0, "expected YAML reference data, found 'an empty file'")
    ]


def test_a_latin1_reference_file_is_refused_at_its_line_naming_the_file(tmp_path: Path) -> None:
    """The file saved again in Latin-1: its first non-UTF-8 byte is at a named line."""
    data = edited("organization_words.yaml", "Université", "Universit\xe9")
    at = line_of("organization_words.yaml", "Université")
    data = data.replace("Universit\xe9".encode(), b"Universit\xe9")  # a Latin-1 byte
    raw = damaged(tmp_path, "organization_words.yaml", data)
    [(name, line, message)] = problems(raw / "reference")
    assert (name, line) == ("organization_words.yaml", at)
    assert message.startswith("expected UTF-8 text, found") and "Latin-1" in message


def test_a_yaml_syntax_error_is_at_its_line(tmp_path: Path) -> None:
    data = edited("usenix_program.yaml", "label_max_edits: 2", "label_max_edits: [2")
    raw = damaged(tmp_path, "usenix_program.yaml", data)
    [(name, line, message)] = problems(raw / "reference")
    assert name == "usenix_program.yaml" and message.startswith("expected valid YAML, found")
    # libyaml notices the unclosed list where the next key starts.
    assert (
        line_of("usenix_program.yaml", "label_max_edits")
        < line
        <= line_of("usenix_program.yaml", "media_lines:")
    )


def test_a_list_where_a_mapping_belongs_is_a_located_error(tmp_path: Path) -> None:
    raw = damaged(tmp_path, "usenix_program.yaml", b"- Session Chair\n- Available Media\n")
    [(name, line, message)] = problems(raw / "reference")
    assert (name, line) == ("usenix_program.yaml", 1)
    assert (
        message.startswith("expected a mapping (with chair_labels, media_lines")
        and "a list" in message
    )


def test_an_entry_of_the_wrong_shape_is_at_its_line(tmp_path: Path) -> None:
    """A registry entry written as a bare name is refused at its line, saying what it must hold."""
    data = edited(
        "organizations.yaml",
        "  - id: boston-university",
        "  - Boston University\n  - id: boston-university",
    )
    raw = damaged(tmp_path, "organizations.yaml", data)
    [(name, line, message)] = problems(raw / "reference")
    assert (name, line) == (
        "organizations.yaml",
        line_of("organizations.yaml", "id: boston-university"),
    )
    assert message == (
        "expected a mapping (with id, name, aliases, kind, country, parent, source) at "
        "organizations[1], found \"'Boston University'\""
    )


def test_a_misspelt_key_is_named_not_ignored(tmp_path: Path) -> None:
    data = edited("usenix_program.yaml", "room_max_words: 8", "room_max_word: 8")
    raw = damaged(tmp_path, "usenix_program.yaml", data)
    [(_, line, message)] = problems(raw / "reference")
    assert line == line_of("usenix_program.yaml", "room_max_words")
    assert "only the keys" in message and "found \"the key 'room_max_word'\"" in message


def test_a_missing_required_key_is_named(tmp_path: Path) -> None:
    data = edited("organization_words.yaml", "statuses:", "status_words:")
    raw = damaged(tmp_path, "organization_words.yaml", data)
    messages = [m for _, _, m in problems(raw / "reference")]
    assert any(m.startswith("expected the key 'statuses' in the top level") for m in messages)


def test_a_key_given_twice_is_named(tmp_path: Path) -> None:
    """YAML keeps the second of two equal keys silently; a reference file may not."""
    data = (REFERENCE / "organization_words.yaml").read_bytes() + b"\nhead_words: [University]\n"
    raw = damaged(tmp_path, "organization_words.yaml", data)
    [(_, line, message)] = problems(raw / "reference")
    assert line == data.decode().split("\n").index("head_words: [University]") + 1
    assert "each key once" in message


def test_a_value_a_reader_refuses_is_at_its_entry(tmp_path: Path) -> None:
    """What types cannot say (a kind not in the list) is refused by the registry, at the entry."""
    data = edited("organizations.yaml", "kind: academic", "kind: acadmic")
    raw = damaged(tmp_path, "organizations.yaml", data)
    [(_, line, message)] = problems(raw / "reference")
    assert line == line_of("organizations.yaml", "- id: auburn-university")
    assert "kind must be one of" in message and "'acadmic'" in message


def test_a_people_override_with_no_reason_is_at_its_line(tmp_path: Path) -> None:
    data = b"version: 1\nmust_link:\n  - a: Ann Lee\n    b: Ann Lee\n    reason: ''\n"
    raw = damaged(tmp_path, "people.yaml", data)
    assert problems(raw / "reference") == [
        ("people.yaml", 5, "expected text at must_link[0].reason, found 'blank text'")
    ]


def test_a_file_of_comments_only_is_a_located_error(tmp_path: Path) -> None:
    raw = damaged(tmp_path, "people.yaml", b"# no overrides yet\n")
    assert problems(raw / "reference") == [
        ("people.yaml", 0, "expected YAML reference data, found 'only comments or blank lines'")
    ]


def test_a_missing_required_file_is_named(tmp_path: Path) -> None:
    raw = damaged(tmp_path, "usenix_program.yaml", None)
    assert problems(raw / "reference") == [
        ("usenix_program.yaml", 0, "expected this reference file, found 'no such file'")
    ]


def test_a_reference_file_over_the_limit_is_refused_from_its_size(tmp_path: Path) -> None:
    raw = damaged(tmp_path, "people.yaml", b"")
    with (raw / "reference" / "people.yaml").open("wb") as handle:
        handle.truncate(MAX_REFERENCE_BYTES + 1)  # sparse: nothing written
    [(_, line, message)] = problems(raw / "reference")
    assert line == 0 and f"{MAX_REFERENCE_BYTES + 1:,} bytes" in message


def test_a_damaged_file_names_its_first_problems_only(tmp_path: Path) -> None:
    """Every registry entry lacking its source: the first few are listed, then a count."""
    text = (REFERENCE / "organizations.yaml").read_text(encoding="utf-8")
    stripped = "\n".join(ln for ln in text.split("\n") if not ln.startswith("    source:"))
    raw = damaged(tmp_path, "organizations.yaml", stripped.encode())
    found = problems(raw / "reference")
    assert len(found) == MAX_PROBLEMS_PER_FILE + 1
    # Sorted by line: the count, about the file as a whole (line 0), comes first.
    assert found[0][1] == 0 and "more such problems" in found[0][2]
    assert all("the key 'source'" in message for _, _, message in found[1:])


def test_every_bad_reference_file_is_listed_at_once(tmp_path: Path) -> None:
    raw = damaged(tmp_path, "organizations.yaml", b"")
    (raw / "reference" / "people.yaml").write_bytes(b"version: [\n")
    assert [(name, line) for name, line, _ in problems(raw / "reference")] == [
        ("organizations.yaml", 0),
        ("people.yaml", 1),  # the unclosed list: libyaml notices it at the end of the text
    ]


def test_build_reference_raises_the_located_error_not_a_traceback() -> None:
    texts = io.read_reference(REFERENCE)
    with pytest.raises(RawInputErrors) as caught:
        build_reference({**texts, "organizations.yaml": "[]"}, "raw/reference")
    assert str(caught.value).startswith("raw/reference/organizations.yaml:1: expected a mapping")


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


def test_a_fifo_named_like_a_reference_file_is_refused_without_blocking(tmp_path: Path) -> None:
    """The run stops at once naming the FIFO (it used to wait forever, deaf to SIGTERM)."""
    raw = damaged(tmp_path, "people.yaml", None)
    fifo = raw / "reference" / "people.yaml"
    os.mkfifo(fifo)
    try:
        outcome = _finishes(lambda: run_pipeline(raw, tmp_path / "out"))
    finally:
        with contextlib.suppress(OSError):  # frees a reader stuck on the FIFO (the bug)
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert isinstance(outcome, RawInputError), outcome
    assert (
        str(outcome)
        == f"{fifo}:0: expected a regular file, found 'a FIFO (named pipe); it was not opened'"
    )
    assert not (tmp_path / "out").exists()


def test_reference_problems_are_listed_with_the_bad_raw_files(tmp_path: Path) -> None:
    """A bad reference file stops the run, even with skip_bad_files, listed with the bad raw files."""
    raw = damaged(tmp_path, "organizations.yaml", b"")
    (raw / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(RawInputErrors) as caught:
        run_pipeline(raw, tmp_path / "out", skip_bad_files=True)
    # Sorted by path: the reference file's path is absolute here.
    assert [(Path(p.path).name, p.line) for p in caught.value.problems] == [
        ("organizations.yaml", 0),
        ("photo.txt", 0),
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.flow
def test_the_command_line_lists_reference_and_raw_problems_without_blocking(
    tmp_path: Path,
) -> None:
    """``python -m flows.build`` with a FIFO and a Latin-1 file in reference/ and a binary raw
    file: it exits 1 at once, one located line each, no traceback (it used to hang)."""
    raw = damaged(tmp_path, "people.yaml", None)
    fifo = raw / "reference" / "people.yaml"
    os.mkfifo(fifo)
    words = (REFERENCE / "organization_words.yaml").read_text(encoding="utf-8")
    (raw / "reference" / "organization_words.yaml").write_bytes(words.encode("latin-1", "replace"))
    (raw / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "flows.build",
                "--raw",
                str(raw),
                "--out",
                str(tmp_path / "out"),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    listed = [line for line in done.stderr.splitlines() if ": expected " in line]
    assert [line.split(": expected")[0] for line in listed[-3:]] == [
        f"{raw / 'reference' / 'organization_words.yaml'}:{line_of('organization_words.yaml', 'Université')}",
        f"{fifo}:0",
        "photo.txt:0",
    ]
    summary = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert summary == [
        f"error: 3 bad files; nothing was published; {tmp_path / 'out'}/ is unchanged"
    ]
    assert not (tmp_path / "out").exists()


def test_nested_yaml_aliases_are_checked_in_linear_time(tmp_path: Path) -> None:
    """A "billion laughs" file (aliases of aliases) is refused at once, not walked 10^9 times."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    data = ("version: 1\n" + "\n".join(levels) + "\n").encode()
    raw = damaged(tmp_path, "people.yaml", data)
    outcome = _finishes(lambda: problems(raw / "reference"))
    assert isinstance(outcome, list), outcome
    # Each of a0 … a9 is a key people.yaml has no use for, at its line.
    assert [(name, line) for name, line, _ in outcome] == [("people.yaml", n) for n in range(2, 12)]
