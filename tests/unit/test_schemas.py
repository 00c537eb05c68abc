"""The data contract: every column described, every key declared, every failure caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from confdata.run.steps import run_pipeline
from schemas import MODELS, validate_tables
from schemas.relations import MAX_FAILURES_LISTED
from tests.conftest import NSDI26


@pytest.fixture(scope="module")
def good_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    raw = tmp_path_factory.mktemp("raw")
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    out = tmp_path_factory.mktemp("x") / "out"
    run_pipeline(raw, out)
    return {p.stem: pl.read_parquet(p) for p in (out / "parquet").glob("*.parquet")}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_column_has_a_description(name: str) -> None:
    """It fails when a column of a published table has no description."""
    schema = MODELS[name].to_schema()
    missing = [col for col, c in schema.columns.items() if not (c.description or "").strip()]
    assert missing == []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_declares_grain_and_primary_key(name: str) -> None:
    """It declares "one row per …" and a primary key made of its own columns."""
    meta = MODELS[name].Config.metadata
    assert meta["grain"].startswith("one row per ")
    assert set(meta["primary_key"]) <= set(MODELS[name].to_schema().columns)


def test_the_real_release_is_valid(good_tables: dict[str, pl.DataFrame]) -> None:
    """It finds nothing wrong with the tables built from the NSDI '26 page."""
    report = validate_tables(good_tables)
    assert report.ok, report.failures[:5]
    assert set(report.tables) == set(MODELS)


def _dup_session(t: dict[str, pl.DataFrame]) -> None:
    t["sessions"] = pl.concat([t["sessions"], t["sessions"].head(1)])


def _dangling_author(t: dict[str, pl.DataFrame]) -> None:
    t["paper_authors"] = t["paper_authors"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("aut_0000000000000000"))
        .otherwise(pl.col("author_id"))
        .alias("author_id")
    )


def _bad_kind(t: dict[str, pl.DataFrame]) -> None:
    t["sessions"] = t["sessions"].with_columns(pl.lit("party").alias("kind"))


def _null_title(t: dict[str, pl.DataFrame]) -> None:
    t["papers"] = t["papers"].with_columns(pl.lit(None, pl.Utf8).alias("title"))


def _dup_authorship(t: dict[str, pl.DataFrame]) -> None:
    t["paper_authors"] = pl.concat([t["paper_authors"], t["paper_authors"].tail(1)])


def _dangling_chair_org(t: dict[str, pl.DataFrame]) -> None:
    t["session_chairs"] = t["session_chairs"].with_columns(
        pl.col("affiliation_ids").list.concat(pl.lit(["aff_ffffffffffffffff"]))
    )


def _orphan_org_row(t: dict[str, pl.DataFrame]) -> None:
    t["paper_author_affiliations"] = t["paper_author_affiliations"].with_columns(
        (pl.col("position") + 1000).cast(pl.Int16).alias("position")
    )


def _wrong_type(t: dict[str, pl.DataFrame]) -> None:
    t["papers"] = t["papers"].with_columns(pl.col("year").cast(pl.Utf8))


@pytest.mark.parametrize(
    ("damage", "table", "check"),
    [
        pytest.param(_dup_session, "sessions", "unique", id="duplicate primary key"),
        pytest.param(_dup_authorship, "paper_authors", "unique", id="duplicate composite key"),
        pytest.param(_dangling_author, "paper_authors", "foreign key", id="dangling author_id"),
        pytest.param(_dangling_chair_org, "session_chairs", "foreign key", id="dangling list FK"),
        pytest.param(
            _orphan_org_row, "paper_author_affiliations", "foreign key", id="orphan composite FK"
        ),
        pytest.param(_bad_kind, "sessions", "isin", id="value outside vocabulary"),
        pytest.param(_null_title, "papers", "not_nullable", id="null in required column"),
        pytest.param(_wrong_type, "papers", "dtype", id="wrong column type"),
    ],
)
def test_damaged_tables_are_rejected_with_the_failing_rows(
    good_tables: dict[str, pl.DataFrame],
    damage: Callable[[dict[str, pl.DataFrame]], None],
    table: str,
    check: str,
) -> None:
    """It rejects each kind of damage and names the table and check that failed."""
    tables = dict(good_tables)
    damage(tables)
    report = validate_tables(tables)
    assert not report.ok
    assert any(f.table == table and check in f.check for f in report.failures), report.failures[:3]


def test_missing_table_is_a_failure(good_tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    """It fails a release that lacks a table."""
    tables = {k: v for k, v in good_tables.items() if k != "authors"}
    assert not validate_tables(tables).ok


def test_composite_key_failure_names_its_columns_and_values(
    good_tables: dict[str, pl.DataFrame],
) -> None:
    """A dangling composite foreign key names its columns and the values that dangle."""
    tables = dict(good_tables)
    _orphan_org_row(tables)
    report = validate_tables(tables)
    fk = [
        f
        for f in report.failures
        if f.table == "paper_author_affiliations" and "foreign key" in f.check
    ]
    assert fk and {f.column for f in fk} == {"paper_id, position"}
    assert fk[0].row is not None
    row = tables["paper_author_affiliations"].row(fk[0].row, named=True)
    assert fk[0].value == f"{row['paper_id']}/{row['position']}"
    assert fk[0].key == f"{row['paper_id']}/{row['position']}/{row['affiliation_position']}"


def test_a_check_failing_on_every_row_lists_its_first_rows(
    good_tables: dict[str, pl.DataFrame],
) -> None:
    """Every row failing a check lists the first MAX_FAILURES_LISTED of them, not all."""
    tables = dict(good_tables)
    tables["paper_authors"] = tables["paper_authors"].with_columns(
        pl.lit("aut_0000000000000000").alias("author_id")
    )
    report = validate_tables(tables)
    fk = [f for f in report.failures if f.table == "paper_authors"]
    assert len(fk) == MAX_FAILURES_LISTED
    assert {(f.column, f.check) for f in fk} == {("author_id", "foreign key -> authors.author_id")}
    assert [f.row for f in fk] == list(range(MAX_FAILURES_LISTED))
