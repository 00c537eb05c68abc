"""What a raw file costs besides its bytes: the files a parse creates, and the frames it builds.

10,000 tiny files in raw/ took almost 4 minutes, most of it in the files each
one made (six Parquet tables even when empty, a full copy of them in the parse
cache, a timing record each). These tests pin the leaner layout; the release
they lead to is the same, file for file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from confdata.parse.staging import _FEW_ROWS, _str_lists
from confdata.run import stage_times, steps
from confdata.run.steps import discover_sources, parse_batch, pipeline_run, run_pipeline
from tests.conftest import RAW

TINY_CV = "Ada Lovelace | Curriculum Vitae\n\nJournal Publications\n\n[J1] Lovelace, A. and Doe, A. B. Counting Packets at Scale. Journal of Networking, 12(3):45–67, 2020.\n"


@pytest.fixture()
def tiny_raw(tmp_path: Path) -> Path:
    """Three tiny CVs (about 200 bytes each), as a corpus of many small files has."""
    folder = tmp_path / "raw"
    folder.mkdir()
    for i, name in enumerate(("Ada Lovelace", "Grace Hopper", "Alan Turing")):
        text = TINY_CV.replace("Ada Lovelace", name).replace("Lovelace, A.", f"X{i}, A.")
        (folder / f"cv-{i}.txt").write_text(text, encoding="utf-8")
    return folder


def test_a_parse_writes_no_parquet_file_for_an_empty_table(tiny_raw: Path, tmp_path: Path) -> None:
    """A tiny CV has no sessions, chairs or positions: those tables are not written."""
    work = tmp_path / "work"
    work.mkdir()
    sources = discover_sources(tiny_raw, work)
    [first, *_] = parse_batch(sources, RAW / "reference", work)
    assert isinstance(first, steps.ParseSummary)
    written = sorted(p.stem for p in (work / "stg" / first.source_id).iterdir())
    assert written == sorted(name for name, rows in first.rows.items() if rows)
    assert {"stg_sessions", "stg_chairs", "stg_positions"}.isdisjoint(written)


def test_a_batch_leaves_one_timing_record_not_one_per_file(tiny_raw: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    parse_batch(discover_sources(tiny_raw, work), RAW / "reference", work)
    assert stage_times.summarize(work)["parse"]["pieces"] == 1 + 1  # discovery, the batch


def test_the_cache_shares_the_parse_files_instead_of_copying_them(
    tiny_raw: Path, tmp_path: Path
) -> None:
    """Work folder and cache entry are hard links of one file (same file system, never rewritten)."""
    out = tmp_path / "out"
    with pipeline_run(out) as work:
        sources = discover_sources(tiny_raw, work)
        [first, *_] = parse_batch(sources, RAW / "reference", work)
        assert isinstance(first, steps.ParseSummary)
        key = steps.io.read_json(work / "parses" / f"{first.source_id}.json")["key"]
        entry = steps.cache_dir_for(out) / key / "data"
        for staged in (work / "stg" / first.source_id).iterdir():
            assert staged.stat().st_ino == (entry / "stg" / staged.name).stat().st_ino
        issues = work / "issues" / f"{first.source_id}.json"
        assert issues.stat().st_ino == (entry / "issues.json").stat().st_ino


def test_tiny_files_give_the_same_release_from_the_cache(tiny_raw: Path, tmp_path: Path) -> None:
    """A second run takes every parse from the shared cache files and finds no change."""
    first = run_pipeline(tiny_raw, tmp_path / "out")
    (tiny_raw / "cv-3.txt").write_text(TINY_CV.replace("Lovelace, A.", "X3, A."), encoding="utf-8")
    second = run_pipeline(tiny_raw, tmp_path / "out")
    assert first.published and second.published
    assert sorted(second.cached) == ["cv-0.txt", "cv-1.txt", "cv-2.txt"]
    assert second.parsed == ["cv-3.txt"]
    assert second.row_counts["sources"] == 4


@pytest.mark.parametrize("rows", [0, 1, 5, _FEW_ROWS, _FEW_ROWS + 1, 300])
def test_a_list_column_is_the_same_built_either_way(rows: int) -> None:
    """Few rows are built value by value, more in the flat layout: the Series are equal."""
    values: list[list[str] | tuple[str, ...] | None] = [
        [f"a{i}", f"b{i}"] if i % 3 == 0 else (None if i % 3 == 1 else ()) for i in range(rows)
    ]
    expected = pl.Series(
        "c", [None if v is None else list(v) for v in values], dtype=pl.List(pl.Utf8)
    )
    built = _str_lists("c", values)
    assert built.dtype == pl.List(pl.Utf8)
    assert built.to_list() == expected.to_list()
    assert built.null_count() == expected.null_count()


def test_a_list_column_refuses_a_value_that_is_not_a_list_either_way() -> None:
    for rows in (1, _FEW_ROWS + 1):
        with pytest.raises(TypeError):
            _str_lists("c", ["not a list"] * rows)
