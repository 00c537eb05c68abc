"""What analysts read: series and year of every paper, people's counts, typed CSV reading."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import confdata
from confdata.normalize.venues import venue_series
from confdata.run import io
from confdata.run.steps import run_pipeline
from schemas.tables import MODELS
from tests.conftest import RAW


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real release of raw/ (the NSDI '26 page and a CV)."""
    out = tmp_path_factory.mktemp("analyst") / "out"
    run_pipeline(RAW, out)
    return out


def _table(release: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(release / "parquet" / f"{name}.parquet")


# --------------------------------------------------------------------------- series and year


def test_program_papers_have_series_and_the_events_year(release: Path) -> None:
    """Every NSDI '26 paper is series NSDI, year 2026; the Test of Time paper NSDI, 2014."""
    papers = _table(release, "papers").filter(pl.col("session_id").is_not_null())
    own = papers.filter(pl.col("kind") != "test_of_time")
    assert own.height == 151  # 150 papers and the keynote
    assert set(own["venue"]) == {"NSDI '26"}
    assert set(own["series"]) == {"NSDI"} and set(own["year"]) == {2026}
    honoured = papers.filter(pl.col("kind") == "test_of_time")
    assert honoured.select("venue", "series", "year").rows() == [("NSDI '14", "NSDI", 2014)]


def test_cv_papers_have_the_printed_short_form_as_series_and_no_guess(release: Path) -> None:
    """A CV entry's series is the abbreviation it prints; none printed (arXiv, patents) is null."""
    listings = _table(release, "paper_listings")
    cv = listings.filter(pl.col("listing_key").is_not_null())
    series = dict(cv.select("listing_key", "series").iter_rows())
    assert series["C1"] == "CoNEXT" and series["C3"] == "NSDI" and series["C4"] == "ASPLOS"
    assert series["J1"] == "PeerJ CS" and series["W1"] == "NAIC"
    # "ArXiv Preprint", "Technical Report" and patent offices print no series.
    assert series["W3"] is None and series["W6"] is None
    assert all(series[f"P{n}"] is None for n in range(1, 24))
    # papers.series is its primary listing's.
    papers = _table(release, "papers").join(
        listings.select("paper_id", "source_line", pl.col("series").alias("listed")),
        on=["paper_id", "source_line"],
    )
    assert papers.height == _table(release, "papers").height
    assert papers.filter(pl.col("series").ne_missing(pl.col("listed"))).is_empty()


@pytest.mark.parametrize(
    ("venue", "printed", "from_program", "series"),
    [
        ("NSDI '26", None, True, "NSDI"),
        ("USENIX ATC '25", None, True, "USENIX ATC"),
        ("OSDI 2024", None, True, "OSDI"),
        # A program venue without a year: which part is the series is not known.
        ("Symposium Luncheon", None, True, None),
        # A "Published in" line with no "(NSDI '14)": the venue is the whole line.
        ("Published in the Proceedings", "Published in the Proceedings", True, None),
        ("EuroSys", "The European Conference on Computer Systems (EuroSys)", False, "EuroSys"),
        ("NSDI '22", "Symposium on Networked Systems (NSDI '22)", False, "NSDI"),
        ("ArXiv Preprint", "ArXiv Preprint", False, None),
        (None, None, False, None),
    ],
)
def test_venue_series(venue: str, printed: str, from_program: bool, series: str | None) -> None:
    """It reads the series from a printed short form, without the year, and never guesses."""
    assert venue_series(venue, printed, from_program) == series


# --------------------------------------------------------------------------- people's counts


def test_research_papers_are_counted_apart_from_patents_and_talks(release: Path) -> None:
    """The CV's owner: 17 research papers (6 C + 4 J + 9 W, two W listed again as C), 23 patents."""
    authors = _table(release, "authors")
    assert "paper_count" not in authors.columns

    def counts(name: str) -> tuple[int, int]:
        row = authors.filter(pl.col("name") == name)
        assert row.height == 1, name
        return row["research_paper_count"][0], row["other_work_count"][0]

    assert counts("Alireza Farshin") == (17, 23)
    # A keynote speaker's talk is another work; a Test of Time author's paper is a research paper.
    assert counts("Amin Vahdat") == (0, 1)
    assert counts("Teemu Koponen") == (1, 0)


# --------------------------------------------------------------------------- typed CSV reading


@pytest.mark.parametrize("table", list(MODELS))
def test_every_csv_reads_back_equal_to_its_parquet(release: Path, table: str) -> None:
    """read_release_csv gives the Parquet's frame: types, lists, nulls and exact text."""
    back = confdata.read_release_csv(release, table)
    assert_frame_equal(back, _table(release, table), check_exact=True)
    # The same from the CSV file itself, and from the release's own folder.
    version = io.read_json(release / "manifest.json")["version"]
    assert back.equals(confdata.read_release_csv(release / "csv" / f"{table}.csv"))
    assert back.equals(confdata.read_release_csv(release / "releases" / version, table))


def test_a_plain_csv_reader_gets_strings_where_the_helper_gets_types(release: Path) -> None:
    """Plain Polars reads dates, times and lists as text; the helper reads them as values."""
    plain = pl.read_csv(release / "csv" / "sessions.csv", infer_schema=False)
    assert plain.schema["date"] == pl.Utf8 and plain.schema["start_time"] == pl.Utf8
    typed = confdata.read_release_csv(release, "sessions")
    assert typed.schema["date"] == pl.Date and typed.schema["start_time"] == pl.Time
    assert typed["date"].min() == dt.date(2026, 5, 4)
    authors = confdata.read_release_csv(release, "authors")
    assert authors.schema["name_variants"] == pl.List(pl.Utf8)


def test_text_the_csv_marks_reads_back_exactly(tmp_path: Path) -> None:
    """Formula starts, a leading apostrophe, empty text and JSON-hostile lists survive the trip."""
    model_columns = list(MODELS["sources"].to_schema().columns)
    sources = pl.DataFrame(
        {
            "source_id": ["src_0000000000000001", "src_0000000000000002", "src_0000000000000003"],
            "path": ["=HYPERLINK(1)", "'quoted' file.txt", "''=both"],
            "kind": ["program", "cv", "program"],
            "sha256": ["a" * 64, "b" * 64, "c" * 64],
            "bytes": [1, 2, 3],
            "lines": [1, 1, 1],
            "event": ["-x", "", None],
        }
    ).select(model_columns)
    io.write_table(sources, "sources", tmp_path)
    assert_frame_equal(confdata.read_release_csv(tmp_path, "sources"), sources, check_exact=True)
    authors = pl.DataFrame(
        {
            "author_id": ["aut_0000000000000001"],
            "name": ["@Ann"],
            "name_variants": [['"quoted", a,b', "=1", "'", "x\\y"]],
            "affiliation_ids": [[]],
            "research_paper_count": [1],
            "other_work_count": [0],
        },
        schema_overrides={
            "research_paper_count": pl.Int32,
            "other_work_count": pl.Int32,
            "affiliation_ids": pl.List(pl.Utf8),
        },
    ).select(list(MODELS["authors"].to_schema().columns))
    io.write_table(authors, "authors", tmp_path)
    assert_frame_equal(confdata.read_release_csv(tmp_path, "authors"), authors, check_exact=True)


def test_a_bad_csv_is_named_with_what_was_expected(release: Path, tmp_path: Path) -> None:
    """A wrong header, a cell of the wrong type, an unknown table: located errors."""
    with pytest.raises(ValueError, match=r"expected a table of the release .* found 'nope'"):
        confdata.read_release_csv(release, "nope")
    with pytest.raises(ValueError, match=r"csv/papers\.csv:0: expected the CSV file"):
        confdata.read_release_csv(tmp_path, "papers")
    text = (release / "csv" / "sessions.csv").read_text(encoding="utf-8")
    (tmp_path / "sessions.csv").write_text(text.replace("session_id,", "id,", 1), "utf-8")
    with pytest.raises(ValueError, match=r"sessions\.csv:1: expected the columns of sessions"):
        confdata.read_release_csv(tmp_path / "sessions.csv")
    header, first, rest = text.split("\n", 2)
    bad = re.sub(r",2026-05-0\d,", ",May 4,", first, count=1)
    (tmp_path / "sessions.csv").write_text("\n".join([header, bad, rest]), "utf-8")
    with pytest.raises(ValueError, match=r"row 1, column date: expected Date, found 'May 4'"):
        confdata.read_release_csv(tmp_path / "sessions.csv")
