"""A name printed twice on one list is one authorship (or chair) and a located issue."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from confdata.parse.staging import STG_SCHEMAS
from confdata.resolve.people.repeated import drop_repeated_names
from confdata.run.steps import run_pipeline
from tests.conftest import RAW

_PAGE = """NSDI '25 Technical Sessions

Monday, April 28

10:30 am–12:10 pm

Track 1

Data Center Networks

Session Chairs: Ingrid Nakamura, Cornell University; Ingrid Nakamura, Cornell University

Grand Ballroom I–III

Brightline: Fast Failure Localization in Optical Circuit Switches

Ke Sun, Massachusetts Institute of Technology; Ann Lee, Cornell University; Kè Sun, Stanford University

Available Media

Optical circuit switches fail silently.
"""


def _publish(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "repeated.txt").write_text(_PAGE, encoding="utf-8")
    run_pipeline(raw, tmp_path / "out", reference_dir=RAW / "reference")
    return tmp_path / "out"


def _table(out: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(out / "parquet" / f"{name}.parquet")


def _issues(out: Path, code: str) -> list[dict[str, object]]:
    report = json.loads((out / "quality" / "report.json").read_text())
    return [i for i in report["issues"] if i["code"] == code]


def test_an_author_printed_twice_is_one_authorship_at_the_first_position(tmp_path: Path) -> None:
    """The later printing is left out of paper_authors; the positions keep their numbers."""
    out = _publish(tmp_path)
    authors = _table(out, "paper_authors").sort("position")
    assert authors.select("position", "name_as_printed").rows() == [(1, "Ke Sun"), (2, "Ann Lee")]
    orgs = _table(out, "paper_author_affiliations").sort("position")
    assert orgs.select("position", "affiliation_as_printed").rows() == [
        (1, "Massachusetts Institute of Technology"),
        (2, "Cornell University"),
    ]
    assert _table(out, "author_mentions").filter(pl.col("name_key") == "ke sun").height == 1
    # The listing keeps the author list as printed.
    listing = _table(out, "paper_listings").row(0, named=True)
    assert listing["authors_as_printed"] == ["Ke Sun", "Ann Lee", "Kè Sun"]


def test_the_repeated_author_issue_names_the_line_both_positions_and_the_orgs_left_out(
    tmp_path: Path,
) -> None:
    """The organization printed only with the later printing is named, never lost silently."""
    out = _publish(tmp_path)
    [issue] = _issues(out, "repeated-author")
    paper_id = _table(out, "papers")["paper_id"][0]
    assert (issue["source_path"], issue["line"], issue["severity"]) == (
        "repeated.txt",
        17,
        "warning",
    )
    assert (issue["table"], issue["key"], issue["text"]) == (
        "paper_authors",
        f"{paper_id}, 1",
        "Kè Sun",
    )
    message = str(issue["message"])
    assert "position(s) 3 (first at position 1; spelled 'Kè Sun')" in message
    assert "'Stanford University'" in message


def test_a_chair_printed_twice_is_one_chair(tmp_path: Path) -> None:
    out = _publish(tmp_path)
    assert _table(out, "session_chairs")["position"].to_list() == [1]
    [issue] = _issues(out, "repeated-chair")
    assert (issue["source_path"], issue["line"], issue["table"]) == (
        "repeated.txt",
        11,
        "session_chairs",
    )
    assert "organizations printed only" not in str(issue["message"])


def test_names_without_a_key_are_never_set_aside() -> None:
    """A printed "name" with no letters has an empty key: it says nothing about who it is."""
    rows = pl.DataFrame(
        [
            {"listing_id": "l", "position": p, "name_as_printed": name, "source_line": 1}
            for p, name in enumerate(["—", "—", "Ke Sun", "Ke  Sun"], start=1)
        ],
        schema={
            k: STG_SCHEMAS["stg_authorships"][k]
            for k in ("listing_id", "position", "name_as_printed", "source_line")
        },
    ).with_columns(pl.lit([], dtype=pl.List(pl.Utf8)).alias("affiliations_as_printed"))
    kept, later = drop_repeated_names(rows, "listing_id")
    assert kept["position"].to_list() == [1, 2, 3]
    assert later.select("position", "first_position").rows() == [(4, 3)]


def test_namesakes_with_other_initials_are_two_people_not_a_repeat() -> None:
    """Same key, incompatible initials: two people printed on one list, both kept."""
    rows = pl.DataFrame(
        [
            {"listing_id": "l", "position": p, "name_as_printed": name, "source_line": 1}
            for p, name in enumerate(
                ["P. Brighten Godfrey", "Q. Brighten Godfrey", "Brighten Godfrey"], start=1
            )
        ],
        schema={
            k: STG_SCHEMAS["stg_authorships"][k]
            for k in ("listing_id", "position", "name_as_printed", "source_line")
        },
    ).with_columns(pl.lit([], dtype=pl.List(pl.Utf8)).alias("affiliations_as_printed"))
    kept, later = drop_repeated_names(rows, "listing_id")
    assert kept["position"].to_list() == [1, 2]
    assert later.select("position", "first_position").rows() == [(3, 1)]
