"""The diff between two releases: rows added, removed and changed; people merged and split."""

from __future__ import annotations

import polars as pl

from confdata.releases import diff_tables


def _authors(rows: list[tuple[str, list[str]]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"author_id": [r[0] for r in rows], "name_variants": [r[1] for r in rows]},
        schema={"author_id": pl.Utf8, "name_variants": pl.List(pl.Utf8)},
    )


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


def test_merges_and_splits_are_found_through_printed_names() -> None:
    """Several old IDs now one is a merge; one old ID now several is a split."""
    old = _authors([("A", ["Wei Wang"]), ("B", ["W. Wang"]), ("S", ["Ann Lee", "A. Lee"])])
    new = _authors([("A", ["Wei Wang", "W. Wang"]), ("S", ["Ann Lee"]), ("T", ["A. Lee"])])
    entities = diff_tables({"authors": old}, {"authors": new})["entities"]["authors"]
    assert entities == {
        "merged": [{"new_id": "A", "old_ids": ["A", "B"]}],
        "split": [{"old_id": "S", "new_ids": ["S", "T"]}],
    }


def test_namesakes_kept_apart_in_both_releases_are_neither_merged_nor_split() -> None:
    """Two people printed with the same name, both in both releases, are no merge or split."""
    old = _authors([("A", ["Wei Wang"]), ("H", ["Wei Wang"]), ("B", ["W. Wang"])])
    new = _authors([("A", ["Wei Wang", "W. Wang"]), ("H", ["Wei Wang"])])
    entities = diff_tables({"authors": old}, {"authors": new})["entities"]["authors"]
    assert entities["merged"] == [{"new_id": "A", "old_ids": ["A", "B"]}]
    assert {"new_id": "H", "old_ids": ["A", "H"]} not in entities["merged"]
    # B is gone and shared "W. Wang" with A only; H shares nothing that changed.
    assert entities["split"] == []
