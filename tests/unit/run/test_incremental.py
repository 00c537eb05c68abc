"""Incremental runs: a parse is cached by file content, parser version and reference data.

Each test counts what a run parsed and what it took from the cache
(``ReleaseSummary.parsed`` / ``.cached``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from confdata.parse.cv import reader as academic_cv
from confdata.parse.usenix import program as usenix_program
from confdata.publish.check import check_release
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW

CV = RAW / "alireza-farshin-cv.txt"


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for source in (NSDI26, CV):
        (folder / source.name).write_bytes(source.read_bytes())
    return folder


def test_rerun_with_nothing_changed_parses_nothing(raw: Path, tmp_path: Path) -> None:
    """It parses every file once; a second run parses none and publishes nothing."""
    out = tmp_path / "out"
    first = run_pipeline(raw, out)
    assert (first.parsed, first.cached) == ([CV.name, NSDI26.name], [])
    before = snapshot(out)
    again = run_pipeline(raw, out)
    assert (again.parsed, again.cached) == ([], [CV.name, NSDI26.name])
    assert (again.published, again.version) == (False, "r0001")
    assert snapshot(out) == before


def test_adding_a_raw_file_parses_only_that_file(tmp_path: Path) -> None:
    """It parses the new file alone and publishes the next release."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    assert run_pipeline(raw, out).parsed == [NSDI26.name]
    (raw / CV.name).write_bytes(CV.read_bytes())
    second = run_pipeline(raw, out)
    assert (second.parsed, second.cached) == ([CV.name], [NSDI26.name])
    assert (second.published, second.version) == (True, "r0002")
    assert check_release(out) == []


def test_changing_a_raw_file_parses_only_that_file(raw: Path, tmp_path: Path) -> None:
    """It re-parses a file whose content changed, and no other."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    with (raw / CV.name).open("a", encoding="utf-8") as cv:
        cv.write("\n")
    again = run_pipeline(raw, out)
    assert (again.parsed, again.cached) == ([CV.name], [NSDI26.name])


def test_changing_a_reference_file_parses_everything_again(raw: Path, tmp_path: Path) -> None:
    """It invalidates every cached parse when a file of raw/reference/ changes."""
    shutil.copytree(RAW / "reference", raw / "reference")
    out = tmp_path / "out"
    run_pipeline(raw, out)
    with (raw / "reference" / "organizations.yaml").open("a", encoding="utf-8") as ref:
        ref.write("# a comment changes the file's hash, not what it says\n")
    again = run_pipeline(raw, out)
    assert (again.parsed, again.cached) == ([CV.name, NSDI26.name], [])
    assert (again.published, again.version) == (False, "r0001")  # same tables: no change


@pytest.mark.parametrize(
    ("parser", "reparsed", "kept"),
    [(usenix_program, NSDI26.name, CV.name), (academic_cv, CV.name, NSDI26.name)],
)
def test_bumping_a_parser_version_parses_that_kind_again(
    raw: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    parser: object,
    reparsed: str,
    kept: str,
) -> None:
    """It re-parses the files of the parser whose PARSER_VERSION changed, and only those."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    monkeypatch.setattr(parser, "PARSER_VERSION", parser.PARSER_VERSION + 1)  # type: ignore[attr-defined]
    again = run_pipeline(raw, out)
    assert (again.parsed, again.cached) == ([reparsed], [kept])


def test_cache_lives_beside_out_and_keeps_only_what_the_last_run_used(
    raw: Path, tmp_path: Path
) -> None:
    """It keeps the cache in .out.cache/ beside out/, never in the release, one entry per file."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    cache = tmp_path / ".out.cache"
    assert len([p for p in cache.iterdir() if (p / "entry.json").is_file()]) == 2
    assert not any("cache" in rel for rel in snapshot(out))
    with (raw / CV.name).open("a", encoding="utf-8") as cv:
        cv.write("\n")
    run_pipeline(raw, out)
    assert len(list(cache.iterdir())) == 2  # the CV's old entry was dropped
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.cache", "out", "raw"]


def test_damaged_cache_entry_is_parsed_again(raw: Path, tmp_path: Path) -> None:
    """It trusts no cache entry whose files do not match its record: that file is re-parsed."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    cache = tmp_path / ".out.cache"
    entry = next(
        p
        for p in sorted(cache.iterdir())
        if '"relative": "' + CV.name in p.joinpath("entry.json").read_text(encoding="utf-8")
    )
    next((entry / "data" / "stg").glob("*.parquet")).write_bytes(b"not parquet")
    again = run_pipeline(raw, out)
    assert (again.parsed, again.cached) == ([CV.name], [NSDI26.name])
    assert again.published is False


def test_a_failed_run_keeps_the_cache(raw: Path, tmp_path: Path) -> None:
    """It keeps the cached parses when a later run fails, so the fixed run parses only the fix."""
    from confdata.errors import RawInputError

    out = tmp_path / "out"
    run_pipeline(raw, out)
    copy = raw / "copy-of-nsdi26.txt"
    # The same event twice: every file parses, then combining them fails.
    copy.write_bytes(NSDI26.read_bytes())
    with pytest.raises(RawInputError, match="one file per event"):
        run_pipeline(raw, out)
    copy.unlink()
    again = run_pipeline(raw, out)
    assert (again.parsed, again.cached) == ([], [CV.name, NSDI26.name])
