"""From parsed records to the published tables.

Two layers, as in the rest of the pipeline. ``program_frames`` and
``cv_frames`` turn one source's parse into staging frames (``stg_*``) that
keep every printed string and identify each listing of a paper by its source
and line; ``core_tables`` combines the staging frames of all sources into the
published tables, deciding which listings are the same work
(``confdata.works``) and giving every row a stable ID. All functions are pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from confdata.academic_cv import CvParse
from confdata.affiliations import OrgRegistry
from confdata.ids import stable_id, title_key
from confdata.issues import Issue
from confdata.mentions import mention_id, person_mentions
from confdata.org_resolution import OrgResolver
from confdata.people import Overrides
from confdata.person_tables import resolve_authors
from confdata.usenix_program import ProgramParse
from confdata.works import Listing, assign_works
from schemas.tables import MODELS

_STR_LIST = pl.List(pl.Utf8)
STG_SCHEMAS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "stg_sessions": {
        "session_id": pl.Utf8,
        "source_id": pl.Utf8,
        "event": pl.Utf8,
        "date": pl.Date,
        "start_time": pl.Time,
        "end_time": pl.Time,
        "time_as_printed": pl.Utf8,
        "track": pl.Int16,
        "title": pl.Utf8,
        "kind": pl.Utf8,
        "room": pl.Utf8,
        "sponsor": pl.Utf8,
        "description": pl.Utf8,
        "source_line": pl.Int32,
    },
    "stg_listings": {
        "listing_id": pl.Utf8,
        "source_id": pl.Utf8,
        "source_line": pl.Int32,
        "from_program": pl.Boolean,
        "listing_key": pl.Utf8,
        "listed_as": pl.Utf8,
        "session_id": pl.Utf8,
        "position_in_session": pl.Int16,
        "title": pl.Utf8,
        "abstract": pl.Utf8,
        "bio": pl.Utf8,
        "kind": pl.Utf8,
        "venue": pl.Utf8,
        "venue_as_printed": pl.Utf8,
        "year": pl.Int16,
        "flags": _STR_LIST,
        "awards": _STR_LIST,
        "has_media": pl.Boolean,
        "authors_as_printed": _STR_LIST,
        "accepted": pl.Int32,
        "submitted": pl.Int32,
        "acceptance_rate_as_printed": pl.Utf8,
        "acceptance_note": pl.Utf8,
        "impact_factor": pl.Float64,
        "patent_application_numbers": _STR_LIST,
        "patent_grant_numbers": _STR_LIST,
        "filed": pl.Utf8,
        "other_titles": _STR_LIST,
    },
    "stg_authorships": {
        "listing_id": pl.Utf8,
        "position": pl.Int16,
        "name_as_printed": pl.Utf8,
        "affiliation_status": pl.Utf8,
        "status_as_printed": pl.Utf8,
        "author_group": pl.Int16,
        "source_line": pl.Int32,
        "affiliations_as_printed": _STR_LIST,
    },
    "stg_chairs": {
        "session_id": pl.Utf8,
        "source_id": pl.Utf8,
        "position": pl.Int16,
        "role": pl.Utf8,
        "label_as_printed": pl.Utf8,
        "name_as_printed": pl.Utf8,
        "affiliation_as_printed": pl.Utf8,
        "affiliations_as_printed": _STR_LIST,
        "source_line": pl.Int32,
    },
    "stg_positions": {
        "source_id": pl.Utf8,
        "position": pl.Int16,
        "owner_name": pl.Utf8,
        "kind": pl.Utf8,
        "organization_as_printed": pl.Utf8,
        "unit": pl.Utf8,
        "role": pl.Utf8,
        "place": pl.Utf8,
        "start": pl.Utf8,
        "end": pl.Utf8,
        "start_as_printed": pl.Utf8,
        "end_as_printed": pl.Utf8,
        "is_current": pl.Boolean,
        "source_line": pl.Int32,
    },
    "stg_people": {
        "source_id": pl.Utf8,
        "name_as_printed": pl.Utf8,
        "role": pl.Utf8,
        "source_line": pl.Int32,
    },
}
_LISTING_DEFAULTS: dict[str, object] = {
    name: ([] if dtype == _STR_LIST else None)
    for name, dtype in STG_SCHEMAS["stg_listings"].items()
}


def _frame(name: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=STG_SCHEMAS[name], orient="row")


def session_id(event: str, parse_date: object, start: object, track: object, title: str) -> str:
    """Return the stable ID of a program item."""
    return stable_id("ses", event, parse_date, start, track, title_key(title))


def listing_id(source_id: str, line: int) -> str:
    """Return the ID of one listing of a paper: its source and line."""
    return stable_id("lst", source_id, line)


def program_frames(parse: ProgramParse, source_id: str) -> dict[str, pl.DataFrame]:
    """Turn one program's parse into staging frames (``stg_*``), printed strings kept."""
    sessions: list[dict[str, object]] = []
    listings: list[dict[str, object]] = []
    authorships: list[dict[str, object]] = []
    chairs: list[dict[str, object]] = []
    for s in parse.sessions:
        sid = session_id(parse.event, s.date, s.start_time, s.track, s.title)
        sessions.append(
            {
                "session_id": sid,
                "source_id": source_id,
                "event": parse.event,
                "date": s.date,
                "start_time": s.start_time,
                "end_time": s.end_time,
                "time_as_printed": s.time_as_printed,
                "track": s.track,
                "title": s.title,
                "kind": s.kind,
                "room": s.room,
                "sponsor": s.sponsor,
                "description": s.description,
                "source_line": s.title_line,
            }
        )
        for pos, c in enumerate(s.chairs, start=1):
            chairs.append(
                {
                    "session_id": sid,
                    "source_id": source_id,
                    "position": pos,
                    "role": c.role,
                    "label_as_printed": c.label_as_printed,
                    "name_as_printed": c.name,
                    "affiliation_as_printed": c.affiliation_as_printed or None,
                    "affiliations_as_printed": list(c.affiliations),
                    "source_line": c.line,
                }
            )
        for pos, p in enumerate(s.papers, start=1):
            lid = listing_id(source_id, p.title_line)
            listings.append(
                {
                    **_LISTING_DEFAULTS,
                    "listing_id": lid,
                    "source_id": source_id,
                    "source_line": p.title_line,
                    "from_program": True,
                    "listed_as": p.kind,
                    "session_id": sid,
                    "position_in_session": pos,
                    "title": p.title,
                    "abstract": p.abstract,
                    "bio": p.bio,
                    "kind": p.kind,
                    "venue": p.venue,
                    "venue_as_printed": p.venue_as_printed,
                    "year": p.year,
                    "flags": list(p.flags),
                    "awards": list(p.awards),
                    "has_media": p.has_media,
                    "authors_as_printed": [a.name for a in p.authors],
                }
            )
            for apos, a in enumerate(p.authors, start=1):
                authorships.append(
                    {
                        "listing_id": lid,
                        "position": apos,
                        "name_as_printed": a.name,
                        "affiliation_status": a.status,
                        "status_as_printed": a.status_as_printed,
                        "author_group": a.group,
                        "source_line": p.author_line_no,
                        "affiliations_as_printed": list(a.affiliations),
                    }
                )
    return {
        **empty_stg(),
        "stg_sessions": _frame("stg_sessions", sessions),
        "stg_listings": _frame("stg_listings", listings),
        "stg_authorships": _frame("stg_authorships", authorships),
        "stg_chairs": _frame("stg_chairs", chairs),
    }


def cv_frames(
    parse: CvParse, source_id: str, award_value: Callable[[str], str]
) -> dict[str, pl.DataFrame]:
    """Turn one CV's parse into staging frames: its publications, positions and owner.

    Args:
        parse: The parsed CV.
        source_id: The CV's source ID.
        award_value: Maps an award as printed to its normalized value (the same
            rules as a program's flag lines).
    """
    listings: list[dict[str, object]] = []
    authorships: list[dict[str, object]] = []
    for pub in parse.publications:
        lid = listing_id(source_id, pub.source_line)
        listings.append(
            {
                **_LISTING_DEFAULTS,
                "listing_id": lid,
                "source_id": source_id,
                "source_line": pub.source_line,
                "from_program": False,
                "listing_key": pub.key,
                "listed_as": pub.section,
                "title": pub.title,
                "kind": pub.section,
                "venue": pub.venue_short or pub.venue_as_printed,
                "venue_as_printed": pub.venue_as_printed,
                "year": pub.year,
                "flags": list(pub.awards),
                "awards": [award_value(a) for a in pub.awards],
                "has_media": False,
                "authors_as_printed": list(pub.authors),
                "accepted": pub.accepted,
                "submitted": pub.submitted,
                "acceptance_rate_as_printed": pub.acceptance_rate_as_printed,
                "acceptance_note": pub.acceptance_note,
                "impact_factor": pub.impact_factor,
                "patent_application_numbers": list(pub.patent_application_numbers),
                "patent_grant_numbers": list(pub.patent_grant_numbers),
                "filed": pub.filed,
                "other_titles": list(pub.other_titles),
            }
        )
        for apos, name in enumerate(pub.authors, start=1):
            authorships.append(
                {
                    "listing_id": lid,
                    "position": apos,
                    "name_as_printed": name,
                    "affiliation_status": "not_printed",
                    "status_as_printed": None,
                    "author_group": 1,
                    "source_line": pub.source_line,
                    "affiliations_as_printed": [],
                }
            )
    positions = [
        {
            "source_id": source_id,
            "position": n,
            "owner_name": parse.owner_name,
            "kind": p.kind,
            "organization_as_printed": p.organization_as_printed,
            "unit": p.unit,
            "role": p.role,
            "place": p.place,
            "start": p.start,
            "end": p.end,
            "start_as_printed": p.start_as_printed,
            "end_as_printed": p.end_as_printed,
            "is_current": p.is_current,
            "source_line": p.source_line,
        }
        for n, p in enumerate(parse.positions, start=1)
    ]
    owner = [
        {
            "source_id": source_id,
            "name_as_printed": parse.owner_name,
            "role": "cv_owner",
            "source_line": parse.owner_line,
        }
    ]
    return {
        **empty_stg(),
        "stg_listings": _frame("stg_listings", listings),
        "stg_authorships": _frame("stg_authorships", authorships),
        "stg_positions": _frame("stg_positions", positions),
        "stg_people": _frame("stg_people", owner),
    }


def empty_stg() -> dict[str, pl.DataFrame]:
    """Return empty staging frames with their schemas."""
    return {name: pl.DataFrame(schema=schema) for name, schema in STG_SCHEMAS.items()}


def concat_stg(frames: Sequence[Mapping[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """Concatenate the staging frames of several sources, table by table."""
    out = empty_stg()
    for name in out:
        parts = [f[name] for f in frames if name in f]
        if parts:
            out[name] = pl.concat([out[name], *parts], how="vertical")
    return out


def _conform(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """Order columns as the model declares them and sort rows by the primary key."""
    model = MODELS[name]
    pk = model.Config.metadata["primary_key"]
    return df.select(list(model.to_schema().columns)).sort(pk)


def _paper_ids(listings: pl.DataFrame, authorships: pl.DataFrame) -> dict[str, str]:
    authors = (
        authorships.sort("listing_id", "position")
        .group_by("listing_id", maintain_order=True)
        .agg(pl.col("name_as_printed"))
    )
    names = dict(zip(authors["listing_id"], authors["name_as_printed"], strict=True))
    return assign_works(
        [
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
            for row in listings.iter_rows(named=True)
        ]
    )


def core_tables(
    stg: Mapping[str, pl.DataFrame],
    sources: pl.DataFrame,
    registry: OrgRegistry,
    overrides: Overrides | None = None,
    previous: Mapping[str, pl.DataFrame] | None = None,
) -> tuple[dict[str, pl.DataFrame], list[Issue], dict[str, Any]]:
    """Combine the staging frames of all sources into the published tables.

    Listings of the same work become one paper (``confdata.works``); its row
    comes from its primary listing: a program listing first, then the first
    listing by source path and line. People and organizations are one row per
    distinct printed string (NFC) here; resolving them into real entities is a
    later stage. Organizations are resolved against the registry
    (``confdata.org_resolution``).

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
    ids = _paper_ids(stg["stg_listings"], stg["stg_authorships"])
    listings = stg["stg_listings"].with_columns(
        pl.col("listing_id").replace_strict(ids, return_dtype=pl.Utf8).alias("paper_id"),
        pl.col("source_id").replace_strict(paths, default="").alias("_path"),
    )
    ranked = listings.sort(
        "paper_id", pl.col("from_program").not_(), "_path", "source_line"
    ).with_columns((pl.int_range(pl.len()).over("paper_id") == 0).alias("_primary"))
    issues = _listing_issues(ranked)
    awards = ranked.group_by("paper_id").agg(
        pl.col("awards").explode().drop_nulls().unique().sort().alias("_all_awards")
    )
    papers = (
        ranked.filter("_primary")
        .join(awards, on="paper_id")
        .with_columns(pl.col("_all_awards").fill_null([]).alias("awards"))
    )
    primary = papers.select("listing_id", "paper_id", "source_id")
    authorships = stg["stg_authorships"].join(primary, on="listing_id")
    positions = stg["stg_positions"].with_columns(
        pl.when(pl.col("unit").is_not_null())
        .then(pl.concat_str(["unit", pl.lit(" at "), "organization_as_printed"]))
        .alias("_unit_at_org")
    )
    printed_orgs = [
        *authorships["affiliations_as_printed"].explode().drop_nulls().to_list(),
        *stg["stg_chairs"]["affiliations_as_printed"].explode().drop_nulls().to_list(),
        *positions["organization_as_printed"].to_list(),
    ]
    # A CV's "unit at organization" counts only when the registry knows the unit;
    # otherwise the position points at the organization itself.
    units = OrgResolver.build(registry, positions["_unit_at_org"].drop_nulls().to_list())
    known_units = [p for p, m in units.matches.items() if m.org_id is not None]
    resolver = OrgResolver.build(registry, [*printed_orgs, *known_units])
    matches = resolver.match_frame()
    ids = dict(zip(matches["printed"], matches["affiliation_id"], strict=True))
    people = resolve_authors(
        person_mentions(
            listings=ranked,
            authorships=stg["stg_authorships"],
            chairs=stg["stg_chairs"],
            people=stg["stg_people"],
            paths=paths,
            resolver=resolver,
            registry=registry,
        ),
        overrides or Overrides(),
        previous.get("author_mentions"),
        previous.get("author_redirects"),
        paths,
    )
    issues += people.issues
    authorships = authorships.with_columns(
        pl.struct("source_id", "source_line", "position")
        .map_elements(
            lambda r: people.author_of[
                mention_id(paths[r["source_id"]], r["source_line"], r["position"])
            ],
            return_dtype=pl.Utf8,
        )
        .alias("author_id")
    )
    chairs = stg["stg_chairs"].with_columns(
        pl.struct("source_id", "source_line", "position")
        .map_elements(
            lambda r: people.author_of[
                mention_id(paths[r["source_id"]], r["source_line"], f"chair{r['position']}")
            ],
            return_dtype=pl.Utf8,
        )
        .alias("author_id"),
        pl.col("affiliations_as_printed")
        .list.eval(pl.element().replace_strict(ids, return_dtype=pl.Utf8))
        .alias("affiliation_ids"),
    )
    owner_of = {
        r["source_id"]: people.author_of[
            mention_id(paths[r["source_id"]], r["source_line"], "owner")
        ]
        for r in stg["stg_people"].iter_rows(named=True)
    }
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
    issues += _resolution_issues(resolver, org_rows, authorships, paths)
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


def _resolution_issues(
    resolver: OrgResolver,
    org_rows: pl.DataFrame,
    authorships: pl.DataFrame,
    paths: Mapping[str, str],
) -> list[Issue]:
    """Report every unresolved organization string and every fuzzy match, at its first line."""
    where = (
        org_rows.join(authorships.select("paper_id", "source_id").unique(), on="paper_id")
        .with_columns(pl.col("source_id").replace_strict(paths, default="").alias("_path"))
        .sort("_path", "source_line")
        .group_by("affiliation_as_printed", maintain_order=True)
        .agg(pl.col("_path").first(), pl.col("source_line").first(), pl.len().alias("n"))
    )
    first = {r["affiliation_as_printed"]: r for r in where.iter_rows(named=True)}
    issues: list[Issue] = []
    for printed, match in sorted(resolver.matches.items()):
        loc = first.get(printed, {"_path": "", "source_line": 0, "n": 0})
        if match.org_id is None:
            issues.append(
                Issue(
                    code="unresolved-affiliation",
                    severity="warning",
                    message=(
                        f"{printed!r} is not in the organization registry; kept as an "
                        f"unresolved organization ({loc['n']} authorships"
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
