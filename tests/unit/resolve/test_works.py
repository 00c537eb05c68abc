"""Deciding when two listings are the same work, one case per test."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from confdata.resolve.works import Listing, assign_works, person_key, work_title_key
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26


def listing(
    lid: str, title: str, year: int | None, authors: tuple[str, ...], **kw: object
) -> Listing:
    return Listing(lid, title, year, str(kw.pop("kind", "conference")), None, authors, **kw)  # type: ignore[arg-type]


def test_same_title_year_and_a_shared_author_is_one_work() -> None:
    """It merges a conference entry and its repeat among the workshop papers."""
    ids = assign_works(
        [
            listing(
                "a",
                "PacketMill: Toward per-core 100-Gbps Networking",
                2021,
                ("Alireza Farshin", "Tom Barbette"),
            ),
            listing(
                "b",
                "**PacketMill**: Toward per-core 100-Gbps Networking",
                2021,
                ("Alireza Farshin",),
            ),
        ]
    )
    assert ids["a"] == ids["b"]


def test_different_years_are_different_works() -> None:
    """It keeps apart a title reused in another year."""
    ids = assign_works(
        [listing("a", "Title", 2020, ("Ann Lee",)), listing("b", "Title", 2021, ("Ann Lee",))]
    )
    assert ids["a"] != ids["b"]


def test_no_author_in_common_means_different_works() -> None:
    """It keeps apart two works that share a title and year but no author."""
    ids = assign_works(
        [listing("a", "Title", 2020, ("Ann Lee",)), listing("b", "Title", 2020, ("Bo Chen",))]
    )
    assert ids["a"] != ids["b"]


def test_patents_with_different_numbers_are_different_works() -> None:
    """It keeps apart two filings that share a formal title but not their numbers."""
    ids = assign_works(
        [
            listing(
                "a", "Network Entity", None, ("Amir Roozbeh",), identifiers=("PCT/SE2023/050880",)
            ),
            listing("b", "Network Entity", None, ("Amir Roozbeh",), identifiers=("US 63/511,198",)),
        ]
    )
    assert ids["a"] != ids["b"]


def test_keynotes_with_a_placeholder_title_stay_apart_across_events() -> None:
    """It does not merge two "Title TBA" keynotes of different events."""
    a = Listing("a", "Title TBA", 2019, "keynote", "ATC '19", ("Ann Lee",))
    b = Listing("b", "Title TBA", 2019, "keynote", "OSDI '19", ("Ann Lee",))
    ids = assign_works([a, b])
    assert ids["a"] != ids["b"]


def test_assignment_does_not_depend_on_input_order() -> None:
    """It gives the same IDs whatever the order of the listings."""
    rows = [
        listing("a", "X", 2020, ("Ann Lee",)),
        listing("b", "X", 2020, ("Ann Lee",)),
        listing("c", "X", 2020, ("Bo Chen",)),
        listing("d", "Y", None, ()),
    ]
    assert assign_works(rows) == assign_works(list(reversed(rows)))


def test_title_and_person_keys() -> None:
    """It folds markup, punctuation, diacritics and name suffixes."""
    assert work_title_key("Packet Order Matters!") == "packet order matters"
    assert (
        person_key("Gerald Q. Maguire Jr.")
        == person_key("Gerald Q. Maguire Jr")
        == "gerald maguire"
    )


def test_cv_entry_of_a_program_paper_joins_the_program_paper(tmp_path: Path) -> None:
    """It makes a CV entry of an NSDI '26 paper the same row in papers, with both listings."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    (raw / "cv.txt").write_text(
        "Marco Chiesa | Curriculum Vitae\n\nPublications\n\nConference Publications\n\n"
        "- [C1] Mariano Scazzariello, Tommaso Caiazzi, Hamid Ghasemirahni, Dejan Kostić, "
        "**Marco Chiesa**. Queue-Mem: Energy-Efficient Hardware Storage for Advanced Network "
        "Function Acceleration In *23rd USENIX Symposium on Networked Systems Design and "
        "Implementation (NSDI)*. 2026.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run_pipeline(raw, out)
    papers = pl.read_parquet(out / "parquet" / "papers.parquet")
    listings = pl.read_parquet(out / "parquet" / "paper_listings.parquet")
    queue_mem = papers.filter(pl.col("title").str.starts_with("Queue-Mem"))
    assert queue_mem.height == 1
    assert queue_mem["session_id"][0] is not None  # the program's row is the primary one
    both = listings.filter(pl.col("paper_id") == queue_mem["paper_id"][0])
    assert sorted(both["listing_key"].fill_null("program").to_list()) == ["C1", "program"]
    authors = pl.read_parquet(out / "parquet" / "paper_authors.parquet").filter(
        pl.col("paper_id") == queue_mem["paper_id"][0]
    )
    assert authors["name_as_printed"].to_list()[:2] == ["Mariano Scazzariello", "Tommaso Caiazzi"]
