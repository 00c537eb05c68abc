"""Person mentions: every appearance of a person in a source, ready for resolution.

A mention is one printed name in one role: an author of a paper listing (a
program's or a CV's), a keynote speaker, a Test of Time author, a session
chair, a program co-chair, or a CV's owner. Each carries what
``confdata.people`` needs to decide identity: the source, the paper, the
resolved organizations (with their ancestors) and the co-authors' name keys.
Its ID is ``<raw file>:<line>:<position>`` (``chair<n>`` for chairs, ``owner``
for a CV's owner), so it points at the printed name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from confdata.names import name_key
from confdata.org_registry import OrgRegistry, ancestors
from confdata.org_resolution import OrgResolver

ROLE_OF_KIND = {"keynote": "keynote_speaker", "test_of_time": "test_of_time_author"}
MENTION_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "mention_id": pl.Utf8,
    "name_as_printed": pl.Utf8,
    "role": pl.Utf8,
    "source_id": pl.Utf8,
    "source_line": pl.Int32,
    "position": pl.Int16,
    "paper_id": pl.Utf8,
    "session_id": pl.Utf8,
    "org_ids": pl.List(pl.Utf8),
    "org_ancestor_ids": pl.List(pl.Utf8),
    "coauthor_keys": pl.List(pl.Utf8),
    "affiliation_ids": pl.List(pl.Utf8),
}


def mention_id_expr(position: pl.Expr) -> pl.Expr:
    """A mention's ID, ``<raw file>:<line>:<position>``, of rows with ``_path`` and ``source_line``."""
    return pl.concat_str(
        "_path", pl.lit(":"), pl.col("source_line").cast(pl.Utf8), pl.lit(":"), position
    )


def with_paths(df: pl.DataFrame, paths: Mapping[str, str]) -> pl.DataFrame:
    """Add each row's raw file path (``_path``) from its ``source_id``."""
    return df.with_columns(
        pl.col("source_id").replace_strict(dict(paths), return_dtype=pl.Utf8).alias("_path")
    )


def _org_lookup(
    printed: Sequence[str], resolver: OrgResolver, registry: OrgRegistry
) -> pl.DataFrame:
    """One row per distinct printed organization: its registry id, ancestry and affiliation."""
    rows = []
    for p in sorted(set(printed)):
        org = resolver.matches[p].org_id
        rows.append(
            (
                p,
                org,
                [org, *ancestors(org, registry)] if org is not None else [],
                resolver.affiliation_id(p),
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "_printed": pl.Utf8,
            "_org": pl.Utf8,
            "_ancestry": pl.List(pl.Utf8),
            "_aff": pl.Utf8,
        },
        orient="row",
    )


def _with_orgs(df: pl.DataFrame, lookup: pl.DataFrame) -> pl.DataFrame:
    """Add ``org_ids``, ``org_ancestor_ids`` (sorted sets) and ``affiliation_ids`` (as printed)."""
    df = df.with_row_index("_row")
    exploded = (
        df.select("_row", "affiliations_as_printed")
        .explode("affiliations_as_printed")
        .join(lookup, left_on="affiliations_as_printed", right_on="_printed", how="left")
    )
    orgs = exploded.group_by("_row").agg(
        pl.col("_org").drop_nulls().unique().sort().alias("org_ids"),
        pl.col("_ancestry")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .drop_nulls()
        .unique()
        .sort()
        .alias("org_ancestor_ids"),
        pl.col("_aff").drop_nulls().alias("affiliation_ids"),
    )
    empty = pl.lit([], dtype=pl.List(pl.Utf8))
    return (
        df.join(orgs, on="_row", how="left")
        .sort("_row")
        .drop("_row")
        .with_columns(
            pl.col(c).fill_null(empty) for c in ("org_ids", "org_ancestor_ids", "affiliation_ids")
        )
    )


def person_mentions(
    *,
    listings: pl.DataFrame,
    authorships: pl.DataFrame,
    chairs: pl.DataFrame,
    people: pl.DataFrame,
    paths: Mapping[str, str],
    resolver: OrgResolver,
    registry: OrgRegistry,
) -> pl.DataFrame:
    """Return one row per mention, sorted by mention ID.

    Built column-wise (one Python call per distinct name or organization, not
    per mention), so that a million authorships take seconds.

    Args:
        listings: Every listing with its ``paper_id`` (programs and CVs).
        authorships: Every listing's authorships (``stg_authorships``).
        chairs: Chairs of program items (``stg_chairs``).
        people: Other people printed (a CV's owner, ``stg_people``).
        paths: Source ID -> raw file path.
        resolver: The organization matches of every printed string.
        registry: The organization registry (for ancestors).
    """
    lookup = _org_lookup(
        [
            *authorships["affiliations_as_printed"].explode().drop_nulls().to_list(),
            *chairs["affiliations_as_printed"].explode().drop_nulls().to_list(),
        ],
        resolver,
        registry,
    )
    keys = {n: name_key(n) for n in authorships["name_as_printed"].unique().to_list()}
    listing = listings.select(
        "listing_id", "source_id", "kind", "from_program", "paper_id", "session_id"
    )
    authors = with_paths(authorships.join(listing, on="listing_id", how="left"), paths)
    authors = authors.with_columns(
        pl.col("name_as_printed").replace_strict(keys, return_dtype=pl.Utf8).alias("_key")
    )
    on_list = authors.group_by("listing_id").agg(pl.col("_key").alias("_list_keys"))
    twice = authors.group_by("listing_id", "_key").agg(pl.len().alias("_times"))
    authors = authors.join(on_list, on="listing_id", how="left").join(
        twice, on=["listing_id", "_key"], how="left"
    )
    # Co-authors are the keys at the other positions: one's own key counts only
    # when a namesake is printed elsewhere on the same list.
    coauthors = (
        pl.when(pl.col("_times") > 1)
        .then(pl.col("_list_keys").list.unique())
        .otherwise(pl.col("_list_keys").list.set_difference(pl.concat_list("_key")))
        .list.eval(pl.element().sort())
    )
    role = (
        pl.when(pl.col("from_program"))
        .then(pl.col("kind").replace_strict(ROLE_OF_KIND, default="author", return_dtype=pl.Utf8))
        .otherwise(pl.lit("cv_author"))
    )
    author_rows = _with_orgs(authors, lookup).select(
        mention_id_expr(pl.col("position").cast(pl.Utf8)).alias("mention_id"),
        "name_as_printed",
        role.alias("role"),
        "source_id",
        "source_line",
        "position",
        "paper_id",
        "session_id",
        "org_ids",
        "org_ancestor_ids",
        coauthors.alias("coauthor_keys"),
        "affiliation_ids",
    )
    empty = pl.lit([], dtype=pl.List(pl.Utf8))
    chair_rows = _with_orgs(with_paths(chairs, paths), lookup).select(
        mention_id_expr(pl.concat_str(pl.lit("chair"), pl.col("position").cast(pl.Utf8))).alias(
            "mention_id"
        ),
        "name_as_printed",
        "role",
        "source_id",
        "source_line",
        "position",
        pl.lit(None, dtype=pl.Utf8).alias("paper_id"),
        "session_id",
        "org_ids",
        "org_ancestor_ids",
        empty.alias("coauthor_keys"),
        "affiliation_ids",
    )
    owner_rows = with_paths(people, paths).select(
        mention_id_expr(pl.lit("owner")).alias("mention_id"),
        "name_as_printed",
        "role",
        "source_id",
        "source_line",
        pl.lit(None, dtype=pl.Int16).alias("position"),
        pl.lit(None, dtype=pl.Utf8).alias("paper_id"),
        pl.lit(None, dtype=pl.Utf8).alias("session_id"),
        empty.alias("org_ids"),
        empty.alias("org_ancestor_ids"),
        empty.alias("coauthor_keys"),
        empty.alias("affiliation_ids"),
    )
    return (
        pl.concat([f.cast(MENTION_SCHEMA) for f in (author_rows, chair_rows, owner_rows)])
        .select(list(MENTION_SCHEMA))
        .sort("mention_id")
    )
