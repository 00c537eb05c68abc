"""From parsed records to the published tables.

Two layers, as in the rest of the pipeline. ``program_frames`` and
``cv_frames`` (:mod:`confdata.parse.staging`) turn one source's parse into staging
frames (``stg_*``) that keep every printed string and identify each listing of a
paper by its source and line; ``core_tables`` (this module) combines the staging
frames of all sources into the published tables, deciding which listings are the
same work (``confdata.resolve.works``) and giving every row a stable ID. All functions
are pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import polars as pl

from confdata.normalize.venues import with_series

# Re-exported for confdata.run.steps, which imports the staging functions from here;
# new code imports them from confdata.parse.staging.
from confdata.parse.staging import concat_stg, cv_frames, program_frames
from confdata.quality.issues import Issue
from confdata.reference.overrides import Overrides
from confdata.reference.registry import OrgRegistry
from confdata.resolve.organizations.matching import OrgResolver
from confdata.resolve.people.ids import source_content_ids
from confdata.resolve.people.mentions import (
    long_author_list_issues,
    mention_id_expr,
    person_mentions,
    with_paths,
)
from confdata.resolve.people.repeated import without_repeated_names
from confdata.resolve.people.tables import resolve_authors
from confdata.resolve.works import (
    EVENT_SCOPED_KINDS,
    WORK_CANDIDATE_LIMIT,
    WORK_FACTS_LIMIT,
    Listing,
    assign_works,
    work_id,
    work_title_key,
)
from schemas.tables import MODELS

__all__ = ["concat_stg", "core_tables", "cv_frames", "program_frames"]


def _conform(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """Order columns as the model declares them and sort rows by the primary key."""
    model = MODELS[name]
    pk = model.Config.metadata["primary_key"]
    return df.select(list(model.to_schema().columns)).sort(pk)


def _paper_ids(
    listings: pl.DataFrame, authorships: pl.DataFrame, limited: list[str]
) -> dict[str, str]:
    """Listing ID -> paper ID (``confdata.resolve.works``); ``limited`` gets the listings where a limit applied.

    A listing whose title key (and scope) no other listing shares is a work of
    its own, and its ID is computed directly; only listings that share a title
    key go through :func:`~confdata.resolve.works.assign_works`, which decides which of
    them are one work. In a corpus of many programs that is a few listings, not
    a hundred and fifty thousand.
    """
    rows = listings.select("listing_id", "title", "year", "kind", "venue")
    keys = {t: work_title_key(t) for t in rows["title"].unique().to_list()}
    rows = rows.with_columns(
        pl.col("title").replace_strict(keys, return_dtype=pl.Utf8).alias("_key"),
        # work_scope, column-wise.
        pl.when(pl.col("kind").is_in(sorted(EVENT_SCOPED_KINDS)))
        .then(pl.col("venue").fill_null(""))
        .otherwise(pl.lit(""))
        .alias("_scope"),
    ).with_columns(pl.len().over("_key", "_scope").alias("_n"))
    ids = {
        listing_id: work_id(key, year, scope)
        for listing_id, key, year, scope in rows.filter(pl.col("_n") == 1)
        .select("listing_id", "_key", "year", "_scope")
        .iter_rows()
    }
    shared = rows.filter(pl.col("_n") > 1)["listing_id"]
    if shared.len() == 0:
        return ids
    authors = (
        authorships.filter(pl.col("listing_id").is_in(shared.implode()))
        .sort("listing_id", "position")
        .group_by("listing_id", maintain_order=True)
        .agg(pl.col("name_as_printed"))
    )
    names = dict(
        zip(authors["listing_id"].to_list(), authors["name_as_printed"].to_list(), strict=True)
    )
    ids.update(
        assign_works(
            limited=limited,
            listings=[
                Listing(
                    listing_id=row["listing_id"],
                    title=row["title"],
                    year=row["year"],
                    kind=row["kind"],
                    venue=row["venue"],
                    authors=tuple(names.get(row["listing_id"], ())),
                    identifiers=tuple(row["patent_application_numbers"]),
                    other_titles=tuple(row["other_titles"]),
                )
                for row in listings.filter(pl.col("listing_id").is_in(shared.implode()))
                .select(
                    "listing_id",
                    "title",
                    "year",
                    "kind",
                    "venue",
                    "patent_application_numbers",
                    "other_titles",
                )
                .iter_rows(named=True)
            ],
        )
    )
    return ids


def core_tables(
    stg: Mapping[str, pl.DataFrame],
    sources: pl.DataFrame,
    registry: OrgRegistry,
    overrides: Overrides | None = None,
    previous: Mapping[str, pl.DataFrame] | None = None,
) -> tuple[dict[str, pl.DataFrame], list[Issue], dict[str, Any]]:
    """Combine the staging frames of all sources into the published tables.

    Listings of the same work become one paper (``confdata.resolve.works``); its row
    comes from its primary listing: a program listing first, then the first
    listing by source path and line. People and organizations are one row per
    distinct printed string (NFC) here; resolving them into real entities is a
    later stage. Organizations are resolved against the registry
    (``confdata.resolve.organizations.matching``).

    Args:
        stg: The concatenated ``stg_*`` frames of every source.
        sources: The ``sources`` table.
        registry: The organization registry.
        overrides: People overrides (must-link, cannot-link) from the repository.
        previous: The previous release's tables, for ID redirects.

    Returns:
        The published tables by name, the issues found while combining, and the
        resolution summary for the quality report.
    """
    previous = previous or {}
    paths = dict(zip(sources["source_id"], sources["path"], strict=True))
    limited: list[str] = []
    ids = _paper_ids(stg["stg_listings"], stg["stg_authorships"], limited)
    listings = with_series(stg["stg_listings"]).with_columns(
        pl.col("listing_id").replace_strict(ids, return_dtype=pl.Utf8).alias("paper_id"),
        pl.col("source_id").replace_strict(paths, default="").alias("_path"),
    )
    # Without the names printed again on one list; a copy of the authorships when
    # there are any, dropped before the resolution (the peak of memory).
    printed, chairs_printed, repeated = without_repeated_names(stg, listings, paths)
    ranked = listings.sort(
        "paper_id", pl.col("from_program").not_(), "_path", "source_line"
    ).with_columns((pl.int_range(pl.len()).over("paper_id") == 0).alias("_primary"))
    issues = (
        _listing_issues(ranked)
        + repeated
        + long_author_list_issues(printed, ranked, paths)
        + _work_limit_issues(ranked, limited)
    )
    awards = ranked.group_by("paper_id").agg(
        pl.col("awards").explode().drop_nulls().unique().sort().alias("_all_awards")
    )
    papers = (
        ranked.filter("_primary")
        .join(awards, on="paper_id")
        .with_columns(pl.col("_all_awards").fill_null([]).alias("awards"))
    )
    primary = papers.select("listing_id", "paper_id", "source_id")
    authorships = printed.join(primary, on="listing_id")
    positions = stg["stg_positions"].with_columns(
        pl.when(pl.col("unit").is_not_null())
        .then(pl.concat_str(["unit", pl.lit(" at "), "organization_as_printed"]))
        .alias("_unit_at_org")
    )
    printed_orgs = [
        *authorships["affiliations_as_printed"].explode().drop_nulls().to_list(),
        *chairs_printed["affiliations_as_printed"].explode().drop_nulls().to_list(),
        *positions["organization_as_printed"].to_list(),
    ]
    # A CV's "unit at organization" counts only when the registry knows the unit;
    # otherwise the position points at the organization itself.
    units = OrgResolver.build(registry, positions["_unit_at_org"].drop_nulls().to_list())
    known_units = [p for p, m in units.matches.items() if m.org_id is not None]
    resolver = OrgResolver.build(registry, [*printed_orgs, *known_units])
    matches = resolver.match_frame()
    ids = dict(zip(matches["printed"], matches["affiliation_id"], strict=True))
    mentions = person_mentions(
        listings=ranked,
        authorships=printed,
        chairs=chairs_printed,
        people=stg["stg_people"],
        paths=paths,
        resolver=resolver,
        registry=registry,
        contents=source_content_ids(sources),
    )
    del printed
    people = resolve_authors(
        mentions,
        overrides or Overrides(),
        previous.get("author_mentions"),
        previous.get("author_redirects"),
        paths,
        papers.select("paper_id", "kind"),
        previous.get("sources"),
        sources,
    )
    del mentions
    issues += people.issues
    author_of = people.assignments
    authorships = _with_author(authorships, paths, pl.col("position").cast(pl.Utf8), author_of)
    chairs = _with_author(
        chairs_printed,
        paths,
        pl.concat_str(pl.lit("chair"), pl.col("position").cast(pl.Utf8)),
        author_of,
    ).with_columns(
        pl.col("affiliations_as_printed")
        .list.eval(pl.element().replace_strict(ids, return_dtype=pl.Utf8))
        .alias("affiliation_ids"),
    )
    owners = _with_author(stg["stg_people"], paths, pl.lit("owner"), author_of)
    owner_of = dict(owners.select("source_id", "author_id").iter_rows())
    positions = positions.with_columns(
        pl.col("source_id").replace_strict(owner_of, return_dtype=pl.Utf8).alias("author_id"),
        # The unit "at" its organization when the registry knows that unit, else the organization.
        pl.when(pl.col("_unit_at_org").is_not_null() & pl.col("_unit_at_org").is_in(known_units))
        .then(pl.col("_unit_at_org"))
        .otherwise(pl.col("organization_as_printed"))
        .replace_strict(ids, return_dtype=pl.Utf8)
        .alias("affiliation_id"),
    )
    org_rows = (
        authorships.select("paper_id", "position", "affiliations_as_printed", "source_line")
        .explode("affiliations_as_printed")
        .drop_nulls("affiliations_as_printed")
        .rename({"affiliations_as_printed": "affiliation_as_printed"})
        .with_columns(
            (pl.int_range(pl.len()).over("paper_id", "position") + 1)
            .cast(pl.Int16)
            .alias("affiliation_position"),
        )
        .join(matches, left_on="affiliation_as_printed", right_on="printed")
    )
    issues += _resolution_issues(
        resolver, org_rows, authorships, stg["stg_chairs"], positions, paths
    )
    affiliations = resolver.affiliations()
    tables = {
        "sources": sources,
        "sessions": stg["stg_sessions"],
        "papers": papers,
        "paper_listings": ranked,
        "authors": people.authors,
        "author_mentions": people.mentions,
        "author_links": people.links,
        "author_redirects": people.redirects,
        "affiliations": affiliations,
        "paper_authors": authorships,
        "paper_author_affiliations": org_rows,
        "session_chairs": chairs,
        "author_positions": positions,
    }
    summary = {"people": people.summary, "organizations": _org_summary(resolver)}
    return {name: _conform(name, df) for name, df in tables.items()}, issues, summary


def _with_author(
    df: pl.DataFrame, paths: Mapping[str, str], position: pl.Expr, author_of: pl.DataFrame
) -> pl.DataFrame:
    """Add the ``author_id`` of each row's person mention (``<path>:<line>:<position>``)."""
    return (
        with_paths(df, paths)
        .with_columns(mention_id_expr(position).alias("mention_id"))
        .join(author_of, on="mention_id", how="left", maintain_order="left")
        .drop("_path", "mention_id")
    )


def _printed_org_places(
    org_rows: pl.DataFrame,
    authorships: pl.DataFrame,
    chairs: pl.DataFrame,
    positions: pl.DataFrame,
    paths: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """Where each organization string is printed first, and how often on each kind of line.

    Authorships, chair lines and CV positions all name organizations; an
    organization printed only on a chair line is located at that line.
    """
    path = pl.col("source_id").replace_strict(paths, default="").alias("_path")
    kinds = ("authorships", "chair lines", "CV positions")
    places = pl.concat(
        [
            org_rows.join(authorships.select("paper_id", "source_id").unique(), on="paper_id")
            .select("affiliation_as_printed", path, "source_line")
            .with_columns(pl.lit(kinds[0]).alias("_on")),
            chairs.select("affiliations_as_printed", path, "source_line")
            .explode("affiliations_as_printed")
            .drop_nulls("affiliations_as_printed")
            .rename({"affiliations_as_printed": "affiliation_as_printed"})
            .with_columns(pl.lit(kinds[1]).alias("_on")),
            positions.select(
                pl.col("organization_as_printed").alias("affiliation_as_printed"),
                path,
                "source_line",
            ).with_columns(pl.lit(kinds[2]).alias("_on")),
        ],
        how="vertical_relaxed",
    )
    first = (
        places.sort("_path", "source_line")
        .group_by("affiliation_as_printed", maintain_order=True)
        .agg(
            pl.col("_path").first(),
            pl.col("source_line").first(),
            *((pl.col("_on") == k).sum().alias(k) for k in kinds),
        )
    )
    return {r["affiliation_as_printed"]: r for r in first.iter_rows(named=True)}


def _times_printed(place: Mapping[str, Any]) -> str:
    """``3 authorships``, ``1 authorship, 1 chair line``: how often a string is printed, by line kind."""
    parts = []
    for kind in ("authorships", "chair lines", "CV positions"):
        n = int(place.get(kind) or 0)
        if n:
            parts.append(f"{n} {kind if n > 1 else kind[:-1]}")
    return ", ".join(parts) or "0 authorships"


def _resolution_issues(
    resolver: OrgResolver,
    org_rows: pl.DataFrame,
    authorships: pl.DataFrame,
    chairs: pl.DataFrame,
    positions: pl.DataFrame,
    paths: Mapping[str, str],
) -> list[Issue]:
    """Report every unresolved organization string and every fuzzy match, at its first line."""
    first = _printed_org_places(org_rows, authorships, chairs, positions, paths)
    issues: list[Issue] = []
    for printed, match in sorted(resolver.matches.items()):
        loc = first.get(printed, {"_path": "", "source_line": 0})
        if match.org_id is None:
            issues.append(
                Issue(
                    code="unresolved-affiliation",
                    severity="warning",
                    message=(
                        f"{printed!r} is not in the organization registry; kept as an "
                        f"unresolved organization ({_times_printed(loc)}"
                        + (
                            f"; closest: {match.candidate!r} at {match.score:.0f})"
                            if match.candidate
                            else ")"
                        )
                    ),
                    source_path=loc["_path"],
                    line=loc["source_line"],
                    text=printed,
                    table="affiliations",
                    key=resolver.affiliation_id(printed),
                )
            )
        elif match.method == "fuzzy":
            issues.append(
                Issue(
                    code="fuzzy-affiliation-match",
                    severity="info",
                    message=f"{printed!r} matched {match.candidate!r} with score {match.score:.1f}",
                    source_path=loc["_path"],
                    line=loc["source_line"],
                    text=printed,
                    table="affiliations",
                    key=resolver.affiliation_id(printed),
                )
            )
    return issues


def _org_summary(resolver: OrgResolver) -> dict[str, Any]:
    """Counts of organization matches by method, and the unresolved strings."""
    methods = Counter(m.method for m in resolver.matches.values())
    return {
        "printed_strings": len(resolver.matches),
        "by_method": dict(sorted(methods.items())),
        "unresolved": sorted(p for p, m in resolver.matches.items() if m.org_id is None),
        "fuzzy": [
            {"printed": p, "matched": m.candidate, "score": round(m.score, 1)}
            for p, m in sorted(resolver.matches.items())
            if m.method == "fuzzy"
        ],
    }


def _work_limit_issues(ranked: pl.DataFrame, limited: list[str]) -> list[Issue]:
    """One issue per title whose same-work detection a limit cut (``confdata.resolve.works``)."""
    papers = ranked.filter(pl.col("listing_id").is_in(limited))["paper_id"].implode()
    # Located at the work's primary listing (the first program listing by path and line).
    rows = ranked.filter(pl.col("_primary") & pl.col("paper_id").is_in(papers)).sort(
        "_path", "source_line"
    )
    return [
        Issue(
            code="same-work-limit",
            severity="warning",
            message=(
                f"{row['title']!r} is printed by so many listings of one year that each was "
                f"compared with at most {WORK_CANDIDATE_LIMIT} works and {WORK_FACTS_LIMIT} "
                "author lists of each (so that the work stays linear in the input); some "
                "listings of one work may have been given separate papers"
            ),
            source_path=row["_path"],
            line=row["source_line"],
            text=row["title"],
            table="papers",
            key=row["paper_id"],
        )
        for row in rows.iter_rows(named=True)
    ]


def _listing_issues(ranked: pl.DataFrame) -> list[Issue]:
    """Report every listing that is not its work's primary one (the same work listed again)."""
    issues: list[Issue] = []
    primary = ranked.filter("_primary").select(
        "paper_id", pl.col("_path").alias("_p_path"), pl.col("source_line").alias("_p_line")
    )
    for row in (
        ranked.filter(~pl.col("_primary")).join(primary, on="paper_id").iter_rows(named=True)
    ):
        key = f" [{row['listing_key']}]" if row["listing_key"] else ""
        issues.append(
            Issue(
                code="same-work-listed-again",
                severity="info",
                message=(
                    f"{row['title']!r}{key} is the same work as the listing at "
                    f"{row['_p_path']}:{row['_p_line']} (same title, year and an author in "
                    "common); both listings are kept in paper_listings"
                ),
                source_path=row["_path"],
                line=row["source_line"],
                text=row["title"],
                table="paper_listings",
                key=row["paper_id"],
            )
        )
    return issues
