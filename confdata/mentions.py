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


def mention_id(path: str, line: int, position: int | str) -> str:
    """Return the ID of a mention: where its name is printed."""
    return f"{path}:{line}:{position}"


def _orgs(
    printed: Sequence[str], resolver: OrgResolver, registry: OrgRegistry
) -> tuple[list[str], list[str]]:
    ids = sorted({m.org_id for p in printed if (m := resolver.matches[p]).org_id is not None})
    with_ancestors = sorted({a for i in ids for a in (i, *ancestors(i, registry))})
    return ids, with_ancestors


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

    Args:
        listings: Every listing with its ``paper_id`` (programs and CVs).
        authorships: Every listing's authorships (``stg_authorships``).
        chairs: Chairs of program items (``stg_chairs``).
        people: Other people printed (a CV's owner, ``stg_people``).
        paths: Source ID -> raw file path.
        resolver: The organization matches of every printed string.
        registry: The organization registry (for ancestors).
    """
    rows: list[dict[str, object]] = []
    listing = {r["listing_id"]: r for r in listings.iter_rows(named=True)}
    keys: dict[str, list[tuple[int, str]]] = {}
    for a in authorships.iter_rows(named=True):
        keys.setdefault(a["listing_id"], []).append((a["position"], name_key(a["name_as_printed"])))
    for a in authorships.iter_rows(named=True):
        lst = listing[a["listing_id"]]
        ids, ancestry = _orgs(a["affiliations_as_printed"], resolver, registry)
        rows.append(
            {
                "mention_id": mention_id(paths[lst["source_id"]], a["source_line"], a["position"]),
                "name_as_printed": a["name_as_printed"],
                "role": ROLE_OF_KIND.get(lst["kind"], "author")
                if lst["from_program"]
                else "cv_author",
                "source_id": lst["source_id"],
                "source_line": a["source_line"],
                "position": a["position"],
                "paper_id": lst["paper_id"],
                "session_id": lst["session_id"],
                "org_ids": ids,
                "org_ancestor_ids": ancestry,
                "coauthor_keys": sorted(
                    {k for p, k in keys[a["listing_id"]] if p != a["position"]}
                ),
                "affiliation_ids": [
                    resolver.affiliation_id(o) for o in a["affiliations_as_printed"]
                ],
            }
        )
    for c in chairs.iter_rows(named=True):
        source_id = c["source_id"]
        ids, ancestry = _orgs(c["affiliations_as_printed"], resolver, registry)
        rows.append(
            {
                "mention_id": mention_id(
                    paths[source_id], c["source_line"], f"chair{c['position']}"
                ),
                "name_as_printed": c["name_as_printed"],
                "role": c["role"],
                "source_id": source_id,
                "source_line": c["source_line"],
                "position": c["position"],
                "paper_id": None,
                "session_id": c["session_id"],
                "org_ids": ids,
                "org_ancestor_ids": ancestry,
                "coauthor_keys": [],
                "affiliation_ids": [
                    resolver.affiliation_id(o) for o in c["affiliations_as_printed"]
                ],
            }
        )
    for p in people.iter_rows(named=True):
        rows.append(
            {
                "mention_id": mention_id(paths[p["source_id"]], p["source_line"], "owner"),
                "name_as_printed": p["name_as_printed"],
                "role": p["role"],
                "source_id": p["source_id"],
                "source_line": p["source_line"],
                "position": None,
                "paper_id": None,
                "session_id": None,
                "org_ids": [],
                "org_ancestor_ids": [],
                "coauthor_keys": [],
                "affiliation_ids": [],
            }
        )
    return pl.DataFrame(rows, schema=MENTION_SCHEMA, orient="row").sort("mention_id")
