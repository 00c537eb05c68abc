"""The diff between two releases: rows added, removed and changed; people merged and split."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl

from confdata.publish.releases import diff_tables
from confdata.run.steps import run_pipeline
from tests.conftest import FIXTURES
from tests.unit.resolve.test_person_ids import MUST_LINK_XIN_LIU, reference_with


def _mentions(rows: list[tuple[str, str]]) -> pl.DataFrame:
    """author_mentions with (mention_id, author_id) rows."""
    return pl.DataFrame(
        {"mention_id": [r[0] for r in rows], "author_id": [r[1] for r in rows]},
        schema={"mention_id": pl.Utf8, "author_id": pl.Utf8},
    )


def _people(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> dict[str, Any]:
    previous, current = {"author_mentions": _mentions(old)}, {"author_mentions": _mentions(new)}
    return diff_tables(previous, current)["entities"]["authors"]


def test_rows_are_counted_by_primary_key() -> None:
    """It counts added, removed and changed rows by the table's (composite) key."""
    old = pl.DataFrame(
        {
            "paper_id": ["p1", "p1", "p2", "p3"],
            "position": [1, 2, 1, 1],
            "name_as_printed": ["Ann", "Bo", "Cy", "Di"],
        }
    )
    new = pl.DataFrame(
        {
            "paper_id": ["p1", "p1", "p2", "p4", "p4"],
            "position": [1, 2, 1, 1, 2],
            "name_as_printed": ["Ann", "Bob", "Cy", "Ed", "Flo"],
        }
    )
    diff = diff_tables({"paper_authors": old}, {"paper_authors": new})
    assert diff["tables"]["paper_authors"] == {"added": 2, "removed": 1, "changed": 1}


def test_a_key_column_whose_type_changed_still_matches_its_rows() -> None:
    """A key stored with another integer type in the previous release matches by value."""
    old = pl.DataFrame({"paper_id": ["p1", "p2"], "position": [1, 1], "x": ["a", "b"]})
    new = old.with_columns(pl.col("position").cast(pl.Int16))
    diff = diff_tables({"paper_authors": old}, {"paper_authors": new})
    assert diff["tables"]["paper_authors"] == {"added": 0, "removed": 0, "changed": 0}


def test_merges_and_splits_are_found_through_the_mentions_people_hold() -> None:
    """Several old IDs' mentions now one person is a merge; one's mentions divided, a split."""
    old = [("f:1:1", "A"), ("f:2:1", "B"), ("f:3:1", "S"), ("f:4:1", "S")]
    new = [("f:1:1", "A"), ("f:2:1", "A"), ("f:3:1", "S"), ("f:4:1", "T")]
    assert _people(old, new) == {
        "merged": [{"new_id": "A", "old_ids": ["A", "B"]}],
        "split": [{"old_id": "S", "new_ids": ["S", "T"]}],
    }


def test_a_new_namesake_is_new_not_a_split() -> None:
    """A new person whose mentions were never published under the old ID splits nothing."""
    old = [("a.txt:10:1", "W")]
    new = [("a.txt:10:1", "W"), ("b.txt:5:1", "W2")]  # b.txt is new: a second "Wei Zhang"
    assert _people(old, new) == {"merged": [], "split": []}


def test_namesakes_kept_apart_in_both_releases_are_neither_merged_nor_split() -> None:
    """Two people printed with the same name, both in both releases, are no merge or split."""
    old = [("f:1:1", "A"), ("f:9:1", "H"), ("f:2:1", "B")]
    new = [("f:1:1", "A"), ("f:9:1", "H"), ("f:2:1", "A")]
    assert _people(old, new) == {"merged": [{"new_id": "A", "old_ids": ["A", "B"]}], "split": []}


def test_organizations_are_tied_by_the_strings_that_resolve_to_them() -> None:
    """A printed string now resolving to another organization ties the two."""
    old = pl.DataFrame({"affiliation_id": ["x", "y"], "aliases": [["MSR", "Microsoft"], ["KTH"]]})
    new = pl.DataFrame(
        {"affiliation_id": ["x", "z", "y"], "aliases": [["Microsoft"], ["MSR"], ["KTH"]]}
    )
    moves = diff_tables({"affiliations": old}, {"affiliations": new})["entities"]["affiliations"]
    assert moves == {"merged": [], "split": [{"old_id": "x", "new_ids": ["x", "z"]}]}


# --------------------------------------------------------------------------- two real releases


def _entities(out: Path) -> tuple[dict[str, Any], str]:
    report = json.loads((out / "quality" / "report.json").read_text(encoding="utf-8"))
    markdown = (out / "quality" / "report.md").read_text(encoding="utf-8")
    return report["diff"]["entities"]["authors"], markdown


def test_a_second_wei_zhang_in_a_new_file_is_a_new_person_not_a_split(
    raw: Path, tmp_path: Path
) -> None:
    """r0002 adds a page with another Wei Zhang (Tsinghua): a new author, no split of r0001's."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    first = pl.read_parquet(out / "parquet" / "authors.parquet")
    published = first.filter(pl.col("name") == "Wei Zhang")["author_id"].to_list()
    assert len(published) == 1
    shutil.copy(FIXTURES / "releases" / "second_wei_zhang_at_another_org.txt", raw / "atc23.txt")
    assert run_pipeline(raw, out).version == "r0002"
    now = pl.read_parquet(out / "parquet" / "authors.parquet")
    assert now.filter(pl.col("name") == "Wei Zhang").height == 2  # kept apart: other org
    moves, markdown = _entities(out)
    assert moves == {"merged": [], "split": []}
    assert "split" not in markdown.split("## Resolution")[0]
    report = json.loads((out / "quality" / "report.json").read_text(encoding="utf-8"))
    assert report["diff"]["tables"]["authors"]["added"] == 2  # Wei Zhang and Amina Yusuf


def test_a_real_merge_and_a_real_split_are_reported(raw: Path, tmp_path: Path) -> None:
    """Linking the two Xin Liu by an override merges them; removing it splits them again."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    run_pipeline(raw, out, reference_dir=reference_with(tmp_path, MUST_LINK_XIN_LIU))
    moves, markdown = _entities(out)
    assert len(moves["merged"]) == 1 and moves["split"] == []
    merged = moves["merged"][0]
    assert f"- authors: merged {', '.join(merged['old_ids'])} into {merged['new_id']}" in markdown
    run_pipeline(raw, out)
    moves, markdown = _entities(out)
    assert moves["merged"] == [] and len(moves["split"]) == 1
    assert moves["split"][0]["old_id"] == merged["new_id"]
    assert sorted(moves["split"][0]["new_ids"]) == sorted(merged["old_ids"])
