"""Person IDs are stable across releases; merges and splits are redirected."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from confdata.resolve.people.ids import previous_assignments, source_content_ids
from confdata.resolve.people.tables import carry_forward_ids
from confdata.run.steps import run_pipeline
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


def _with_cv(raw: Path) -> Path:
    (raw / "alireza-farshin-cv.txt").write_bytes((RAW / "alireza-farshin-cv.txt").read_bytes())
    return raw


def _people(out: Path) -> dict[tuple[str, int, str], str]:
    """(file content, line, position) -> person ID: what a mention is, whatever its file's name."""
    sources = pl.read_parquet(out / "parquet" / "sources.parquet").select("source_id", "sha256")
    df = pl.read_parquet(out / "parquet" / "author_mentions.parquet").join(sources, on="source_id")
    return {
        (sha, line, mention_id.rsplit(":", 1)[1]): author
        for mention_id, sha, line, author in df.select(
            "mention_id", "sha256", "source_line", "author_id"
        ).iter_rows()
    }


def _content_ids(out: Path) -> dict[str, list[str]]:
    return {
        key: sorted(pl.read_parquet(out / "parquet" / f"{table}.parquet")[key].to_list())
        for table, key in (
            ("sessions", "session_id"),
            ("papers", "paper_id"),
            ("affiliations", "affiliation_id"),
        )
    }


def test_renaming_a_raw_file_keeps_every_person_id(raw: Path, tmp_path: Path) -> None:
    """The NSDI page renamed (same bytes) keeps all 1,109 IDs; it retired 1,083 before."""
    out = tmp_path / "out"
    run_pipeline(_with_cv(raw), out)
    first = _people(out)
    content_ids = _content_ids(out)
    (raw / "nsdi26-technical-sessions.txt").rename(raw / "zz-renamed-nsdi26.txt")
    run_pipeline(raw, out)
    assert _people(out) == first
    # Sessions, papers and organizations were already identified by content.
    assert _content_ids(out) == content_ids
    assert pl.read_parquet(out / "parquet" / "author_redirects.parquet").height == 0
    mentions = pl.read_parquet(out / "parquet" / "author_mentions.parquet")
    # The mention IDs point at the printed name, so they follow the file's new path.
    assert mentions["mention_id"].str.starts_with("zz-renamed-nsdi26.txt:").sum() > 1000


def test_a_renamed_file_gets_the_same_person_ids_on_a_first_run(raw: Path, tmp_path: Path) -> None:
    """New IDs come from the file's content, not its name: no previous release needed."""
    run_pipeline(_with_cv(raw), tmp_path / "a")
    (raw / "nsdi26-technical-sessions.txt").rename(raw / "aa-first-by-name.txt")
    run_pipeline(raw, tmp_path / "b")
    assert _people(tmp_path / "b") == _people(tmp_path / "a")


def test_identical_and_different_files_never_share_a_person_id(tmp_path: Path) -> None:
    """Two different CVs have different content ids; two identical copies are told apart by path."""
    raw = tmp_path / "raw"
    raw.mkdir()
    cv = (RAW / "alireza-farshin-cv.txt").read_bytes()
    (raw / "a-cv.txt").write_bytes(cv)
    (raw / "b-cv-copy.txt").write_bytes(cv)
    (raw / "c-cv.txt").write_bytes(cv.replace(b"Alireza Farshin", b"Arianna Farshid"))
    run_pipeline(raw, tmp_path / "out")
    positions = pl.read_parquet(tmp_path / "out" / "parquet" / "author_positions.parquet")
    owners = positions.group_by("source_id").agg(pl.col("author_id").unique())
    assert owners.height == 3
    owner_ids = {ids[0] for ids in owners["author_id"].to_list()}
    # The two copies' owners are one person (the same CV twice); the other CV's owner differs.
    assert len(owner_ids) == 2
    ids = source_content_ids(pl.read_parquet(tmp_path / "out" / "parquet" / "sources.parquet"))
    assert len(set(ids.values())) == 3


def test_editing_a_file_in_place_keeps_the_ids_of_its_unchanged_lines(
    raw: Path, tmp_path: Path
) -> None:
    """A file edited under its name is matched by path (its content changed): lines kept, IDs kept."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    first = mentions(out)
    page = raw / "nsdi26-technical-sessions.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\nAn appended note.\n", encoding="utf-8")
    run_pipeline(raw, out)
    assert mentions(out) == first


def test_previous_mentions_are_matched_by_content_before_path() -> None:
    """a.txt renamed to b.txt while a new a.txt arrives: a.txt's people follow its content."""
    previous_sources = pl.DataFrame({"source_id": ["s_a"], "path": ["a.txt"], "sha256": ["1" * 64]})
    current = pl.DataFrame(
        {"source_id": ["s_b", "s_a2"], "path": ["b.txt", "a.txt"], "sha256": ["1" * 64, "2" * 64]}
    )
    previous = pl.DataFrame(
        {
            "mention_id": ["a.txt:10:2", "a.txt:12:chair1"],
            "author_id": ["aut_x", "aut_y"],
            "source_id": ["s_a", "s_a"],
            "source_line": [10, 12],
        }
    )
    now = previous_assignments(previous, previous_sources, current)
    assert now.rows() == [("b.txt:10:2", "aut_x"), ("b.txt:12:chair1", "aut_y")]
    gone = previous_assignments(previous, previous_sources, current.filter(pl.col("path") == "x"))
    assert all(m.startswith("\x00") for m in gone["mention_id"])
