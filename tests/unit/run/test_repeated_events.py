"""The same event in two raw files: a located error naming both, or the later file set aside."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from confdata.errors import RawInputError
from confdata.parse.staging import repeated_events
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW

PATHS = {"s1": "a.txt", "s2": "b.txt", "s3": "c.txt"}


def _sessions(*rows: tuple[str, str, str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "session_id": pl.Utf8,
            "source_id": pl.Utf8,
            "event": pl.Utf8,
            "source_line": pl.Int32,
        },
        orient="row",
    )


def test_files_of_different_events_do_not_repeat() -> None:
    sessions = _sessions(("x", "s1", "NSDI '26", 10), ("y", "s2", "OSDI '26", 10))
    assert repeated_events(sessions, PATHS) == []


def test_the_later_file_by_path_repeats_at_its_first_shared_item() -> None:
    """The file first by path keeps its items; the later one is named once, at its first repeat."""
    sessions = _sessions(
        ("x", "s2", "NSDI '26", 40),
        ("y", "s2", "NSDI '26", 20),
        ("x", "s1", "NSDI '26", 41),
        ("y", "s1", "NSDI '26", 21),
        ("z", "s3", "NSDI '26", 5),
    )
    assert repeated_events(sessions, PATHS) == [("s2", "s1", "NSDI '26", 20)]


def _two_copies(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(NSDI26, raw / "nsdi26-technical-sessions.txt")
    shutil.copyfile(NSDI26, raw / "nsdi26-saved-again.txt")
    shutil.copytree(RAW / "reference", raw / "reference")
    return raw


def test_the_same_page_twice_is_a_located_error_and_nothing_is_published(tmp_path: Path) -> None:
    raw = _two_copies(tmp_path)
    with pytest.raises(RawInputError) as err:
        run_pipeline(raw, tmp_path / "out")
    # "nsdi26-saved-again.txt" sorts first, so the other copy is the repeat.
    assert err.value.path == "nsdi26-technical-sessions.txt"
    assert err.value.line > 0
    assert "nsdi26-saved-again.txt" in str(err.value)
    assert "one file per event" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_with_skip_bad_files_the_repeat_is_set_aside_and_reported(tmp_path: Path) -> None:
    raw = _two_copies(tmp_path)
    release = run_pipeline(raw, tmp_path / "out", skip_bad_files=True)
    assert len(release.skipped) == 1
    assert release.skipped[0].startswith("nsdi26-technical-sessions.txt:")
    sources = pl.read_parquet(tmp_path / "out" / "parquet" / "sources.parquet")
    assert sources["path"].to_list() == ["nsdi26-saved-again.txt"]
    report = json.loads((tmp_path / "out" / "quality" / "report.json").read_text(encoding="utf-8"))
    first = report["issues"][0]
    assert (first["code"], first["source_path"]) == (
        "skipped-bad-file",
        "nsdi26-technical-sessions.txt",
    )
