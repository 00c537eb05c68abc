"""Person mentions: every appearance of a person in a source, ready for resolution.

A mention is one printed name in one role: an author of a paper listing (a
program's or a CV's), a keynote speaker, a Test of Time author, a session
chair, a program co-chair, or a CV's owner. Each carries what
``confdata.resolve.people.resolution`` needs to decide identity: the source, the paper, the
resolved organizations (with their ancestors) and the co-authors' name keys.
Its ID is ``<raw file>:<line>:<position>`` (``chair<n>`` for chairs, ``owner``
for a CV's owner), so it points at the printed name. Its *content key* is the
same with the source's content id in place of its path
(:func:`confdata.resolve.people.ids.source_content_ids`): resolution orders mentions and
derives person IDs from it, so that renaming a raw file renames no person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from confdata.normalize.names import name_key
from confdata.quality.issues import Issue
from confdata.reference.registry import OrgRegistry, ancestors
from confdata.resolve.organizations.matching import OrgResolver
from confdata.resolve.people.evidence import CONTENT_KEY

ROLE_OF_KIND = {"keynote": "keynote_speaker", "test_of_time": "test_of_time_author"}
# Each mention carries the keys of its list's other authors, so a list of n authors
# holds n x n keys: past this many authors (real lists have at most a few dozen;
# the NSDI '26 page, 37), the list's co-authors are not used as evidence and the
# list is reported (issue long-author-list), so that the work stays linear in the
# input. An author list of 20,000 characters could otherwise print 4,000 names and
# give its mentions 16 million co-author keys.
COAUTHOR_LIST_LIMIT = 100
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
    CONTENT_KEY: pl.Utf8,
}


def mention_id_expr(position: pl.Expr, source: str = "_path") -> pl.Expr:
    """A mention's ID, ``<raw file>:<line>:<position>``, of rows with ``_path`` and ``source_line``.

    With ``source="_content"`` (rows from :func:`with_paths` given the contents),
    the mention's content key instead.
    """
    return pl.concat_str(
        source, pl.lit(":"), pl.col("source_line").cast(pl.Utf8), pl.lit(":"), position
    )


def with_paths(
    df: pl.DataFrame, paths: Mapping[str, str], contents: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """Add each row's raw file path (``_path``), and content id (``_content``), from its ``source_id``."""
    df = df.with_columns(
        pl.col("source_id").replace_strict(dict(paths), return_dtype=pl.Utf8).alias("_path")
    )
    if contents is None:
        return df
    return df.with_columns(
        pl.col("source_id").replace_strict(dict(contents), return_dtype=pl.Utf8).alias("_content")
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
    contents: Mapping[str, str] | None = None,
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
        contents: Source ID -> content id (``source_content_ids``) for the
            ``content_key`` column; the paths when not given.
    """
    contents = contents if contents is not None else paths
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
    authors = with_paths(authorships.join(listing, on="listing_id", how="left"), paths, contents)
    authors = authors.with_columns(
        pl.col("name_as_printed").replace_strict(keys, return_dtype=pl.Utf8).alias("_key")
    )
    # Lists only up to the limit are joined to their authors (see COAUTHOR_LIST_LIMIT).
    on_list = (
        authors.group_by("listing_id")
        .agg(pl.col("_key").alias("_list_keys"))
        .filter(pl.col("_list_keys").list.len() <= COAUTHOR_LIST_LIMIT)
    )
    twice = authors.group_by("listing_id", "_key").agg(pl.len().alias("_times"))
    authors = authors.join(on_list, on="listing_id", how="left").join(
        twice, on=["listing_id", "_key"], how="left"
    )
    # Co-authors are the keys at the other positions: one's own key counts only
    # when a namesake is printed elsewhere on the same list.
    coauthors = (
        pl.when(pl.col("_list_keys").is_null())
        .then(pl.lit([], dtype=pl.List(pl.Utf8)))
        .when(pl.col("_times") > 1)
        .then(pl.col("_list_keys").list.unique())
        .otherwise(pl.col("_list_keys").list.set_difference(pl.concat_list("_key")))
        .list.eval(pl.element().sort())
    )
    role = (
        pl.when(pl.col("from_program"))
        .then(pl.col("kind").replace_strict(ROLE_OF_KIND, default="author", return_dtype=pl.Utf8))
        .otherwise(pl.lit("cv_author"))
    )
    position = pl.col("position").cast(pl.Utf8)
    author_rows = _with_orgs(authors, lookup).select(
        mention_id_expr(position).alias("mention_id"),
        mention_id_expr(position, "_content").alias(CONTENT_KEY),
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
    chair = pl.concat_str(pl.lit("chair"), pl.col("position").cast(pl.Utf8))
    chair_rows = _with_orgs(with_paths(chairs, paths, contents), lookup).select(
        mention_id_expr(chair).alias("mention_id"),
        mention_id_expr(chair, "_content").alias(CONTENT_KEY),
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
    owner_rows = with_paths(people, paths, contents).select(
        mention_id_expr(pl.lit("owner")).alias("mention_id"),
        mention_id_expr(pl.lit("owner"), "_content").alias(CONTENT_KEY),
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


def long_author_list_issues(
    authorships: pl.DataFrame, listings: pl.DataFrame, paths: Mapping[str, str]
) -> list[Issue]:
    """Report every author list longer than :data:`COAUTHOR_LIST_LIMIT` (its co-authors are no evidence).

    Args:
        authorships: Every listing's authorships (repeated names left out).
        listings: Every listing with ``listing_id``, ``source_id``, ``source_line``
            and ``paper_id``.
        paths: Source ID -> raw file path.
    """
    long = (
        authorships.group_by("listing_id")
        .agg(pl.len().alias("n"), pl.col("source_line").first().alias("line"))
        .filter(pl.col("n") > COAUTHOR_LIST_LIMIT)
    )
    if long.height == 0:
        return []
    rows = long.join(listings.select("listing_id", "source_id", "paper_id"), on="listing_id")
    return [
        Issue(
            code="long-author-list",
            severity="info",
            message=(
                f"{row['n']} authors in one list (over {COAUTHOR_LIST_LIMIT}): their co-authors "
                "are not used as evidence in people resolution, which keeps its work linear "
                "in the input; organizations still are"
            ),
            source_path=paths.get(row["source_id"], ""),
            line=row["line"],
            table="paper_authors",
            key=row["paper_id"],
        )
        for row in rows.sort("source_id", "line").iter_rows(named=True)
    ]
