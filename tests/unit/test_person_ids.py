"""Person IDs are stable across releases; merges and splits are redirected."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from confdata.person_tables import carry_forward_ids
from confdata.steps import run_pipeline
from tests.conftest import RAW

MUST_LINK_XIN_LIU = """version: 1
must_link:
  - a: {name: Xin Liu, org: meta}
    b: {name: Xin Liu, org: microsoft}
    reason: test only
cannot_link: []
"""
META, MICROSOFT = "nsdi26-technical-sessions.txt:1184:8", "nsdi26-technical-sessions.txt:1670:28"


def mentions(out: Path) -> dict[str, str]:
    df = pl.read_parquet(out / "parquet" / "author_mentions.parquet")
    return dict(df.select("mention_id", "author_id").iter_rows())


def reference_with(tmp_path: Path, people_yaml: str) -> Path:
    ref = tmp_path / "reference"
    shutil.copytree(RAW / "reference", ref)
    (ref / "people.yaml").write_text(people_yaml, encoding="utf-8")
    return ref


def test_adding_a_raw_file_keeps_every_published_id(raw: Path, tmp_path: Path) -> None:
    """It keeps the IDs of people already published when a new file (sorting first) joins them."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    first = mentions(out)
    (raw / "aaa-cv.txt").write_text(
        "Ann Example | Curriculum Vitae\n\nPublications\n\nConference Publications\n\n"
        "- [C1] **Ann Example**, Marco Chiesa, Dejan Kostić, Hamid Ghasemirahni. A Study In "
        "*Some Venue (SV)*. 2025.\n",
        encoding="utf-8",
    )
    run_pipeline(raw, out)
    second = mentions(out)
    assert all(second[m] == a for m, a in first.items())
    chiesa = {a for m, a in second.items() if m.startswith("aaa-cv.txt") and m.endswith(":2")}
    assert chiesa == {first["nsdi26-technical-sessions.txt:1598:5"]}


def test_merge_retires_an_id_and_redirects_it(raw: Path, tmp_path: Path) -> None:
    """It records old -> new in author_redirects when two published people become one."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    first = mentions(out)
    a, b = first[META], first[MICROSOFT]
    assert a != b
    run_pipeline(raw, out, reference_dir=reference_with(tmp_path, MUST_LINK_XIN_LIU))
    second = mentions(out)
    kept = second[META]
    assert second[MICROSOFT] == kept and kept in {a, b}
    redirects = pl.read_parquet(out / "parquet" / "author_redirects.parquet")
    retired = ({a, b} - {kept}).pop()
    row = redirects.filter(pl.col("old_author_id") == retired).to_dicts()
    assert row and row[0]["new_author_id"] == kept and row[0]["reason"].startswith("merged")
    assert all(second[m] == x for m, x in first.items() if x not in {a, b})


def test_split_keeps_the_id_on_one_part(raw: Path, tmp_path: Path) -> None:
    """It keeps the published ID on one part of a split and gives the other a new one."""
    out = tmp_path / "out"
    run_pipeline(raw, out, reference_dir=reference_with(tmp_path, MUST_LINK_XIN_LIU))
    merged = mentions(out)[META]
    run_pipeline(raw, out)
    second = mentions(out)
    parts = {second[META], second[MICROSOFT]}
    assert len(parts) == 2 and merged in parts


def test_carry_forward_gives_no_id_twice() -> None:
    """It never gives one published ID to two clusters."""
    ids = carry_forward_ids(
        pl.DataFrame({"mention_id": ["f:1:1", "f:2:1"], "person_key": ["k1", "k2"]}),
        pl.DataFrame({"mention_id": ["f:1:1", "f:2:1"], "author_id": ["aut_a", "aut_a"]}),
    )
    assert "aut_a" in ids.values() and len(set(ids.values())) == 2
