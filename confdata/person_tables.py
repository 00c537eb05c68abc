"""From resolved person mentions to the published people tables.

``confdata.people`` decides which mentions are one person; this module turns
its decision into tables: ``authors`` (one row per person),
``author_mentions`` (every printed appearance, with its person),
``author_links`` (the evidence for every decision) and ``author_redirects``
(IDs of earlier releases that a merge or split retired), plus the issues
(possible homonyms) and the summary the quality report shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from confdata.issues import Issue
from confdata.people import resolve_people
from confdata.people_ids import mention_sort_key, redirects, stable_person_id
from confdata.people_overrides import Overrides, unmatched_message
from schemas.tables import RESEARCH_PAPER_KINDS

REDIRECT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "old_author_id": pl.Utf8,
    "new_author_id": pl.Utf8,
    "reason": pl.Utf8,
}


@dataclass(frozen=True, slots=True)
class PeopleTables:
    """The people tables, the mention -> person map, issues and a summary."""

    assignments: pl.DataFrame  # mention_id -> author_id
    authors: pl.DataFrame
    mentions: pl.DataFrame
    links: pl.DataFrame
    redirects: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def carry_forward_ids(
    clusters: Mapping[str, list[str]], before: Mapping[str, str]
) -> dict[str, str]:
    """Give each cluster its published person ID when it has one, else a new stable ID.

    A published ID stays with the cluster that holds most of its mentions (ties:
    the cluster with the earliest such mention), so adding a raw file never
    renames people already published. A cluster holding mentions of several
    published people (a merge) keeps the ID with most mentions; the others are
    retired and redirected. A cluster with no published mention (a new person,
    or the smaller part of a split) gets :func:`stable_person_id`.

    Args:
        clusters: Cluster key -> mention IDs.
        before: Mention ID -> person ID in the previous release.

    Returns:
        Cluster key -> person ID; no ID is given to two clusters.
    """
    claims: list[tuple[int, tuple[tuple[int, int, str], ...], str, str]] = []
    for key, mentions in clusters.items():
        counts = Counter(before[m] for m in mentions if m in before)
        for old, n in counts.items():
            earliest = min((m for m in mentions if before.get(m) == old), key=mention_sort_key)
            claims.append((-n, mention_sort_key(earliest), old, key))
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for _, _, old, key in sorted(claims):
        if key not in ids and old not in taken:
            ids[key] = old
            taken.add(old)
    for key, mentions in clusters.items():
        if key not in ids:
            fresh = stable_person_id(mentions)
            # A fresh ID may equal a retired one (its earliest mention moved); keep IDs unique.
            ids[key] = fresh if fresh not in taken else stable_person_id([*mentions, key])
            taken.add(ids[key])
    return ids


def _display_names(table: pl.DataFrame) -> pl.DataFrame:
    """Each person's most printed form; ties go to the longest, then the first alphabetically."""
    return (
        table.group_by("author_id", "name_as_printed")
        .len()
        .sort(
            "author_id",
            "len",
            pl.col("name_as_printed").str.len_chars(),
            "name_as_printed",
            descending=[False, True, True, False],
        )
        .group_by("author_id", maintain_order=True)
        .agg(pl.col("name_as_printed").first().alias("name"))
    )


def resolve_authors(
    mentions: pl.DataFrame,
    overrides: Overrides,
    previous_mentions: pl.DataFrame | None,
    previous_redirects: pl.DataFrame | None,
    paths: Mapping[str, str],
    work_kinds: pl.DataFrame,
) -> PeopleTables:
    """Resolve the mentions into people and build the people tables.

    Args:
        mentions: One row per mention (``confdata.mentions.person_mentions``),
            with ``affiliation_ids`` added.
        overrides: Must-link and cannot-link pairs kept in the repository.
        previous_mentions: The previous release's ``author_mentions`` (for redirects).
        previous_redirects: The previous release's ``author_redirects`` (kept).
        paths: Source ID -> raw file path.
        work_kinds: Every work's ``paper_id`` and ``kind`` (as in ``papers``), for
            the counts of research papers and other works.
    """
    result = resolve_people(mentions, overrides)
    before: dict[str, str] = {}
    if previous_mentions is not None and "author_id" in previous_mentions.columns:
        before = dict(previous_mentions.select("mention_id", "author_id").iter_rows())
    clusters: dict[str, list[str]] = result.clusters() if before else {}
    # Without a previous release every cluster keeps its stable id, which is its key
    # (both are stable_person_id of the cluster's mentions).
    ids = (
        carry_forward_ids(clusters, before)
        if before
        else {k: k for k in result.assignments["person_key"].unique().to_list()}
    )
    assignments = result.assignments.select(
        "mention_id",
        pl.col("person_key").replace_strict(ids, return_dtype=pl.Utf8).alias("author_id"),
        "name_key",
    )
    table = mentions.join(assignments, on="mention_id", how="left")
    authors = (
        table.group_by("author_id")
        .agg(
            pl.col("name_as_printed").unique().sort().alias("name_variants"),
            pl.col("affiliation_ids")
            .explode()
            .drop_nulls()
            .unique()
            .sort()
            .alias("affiliation_ids"),
        )
        .join(_display_names(table), on="author_id")
        .join(_work_counts(table, work_kinds), on="author_id", how="left")
        .with_columns(pl.col("research_paper_count", "other_work_count").fill_null(0))
    )
    redirect_rows = list(previous_redirects.iter_rows()) if previous_redirects is not None else []
    if before:
        current: dict[str, list[str]] = {ids[k]: ms for k, ms in clusters.items()}
        by_person: dict[str, list[str]] = {}
        for m, a in before.items():
            by_person.setdefault(a, []).append(m)
        known = {r[0] for r in redirect_rows}
        redirect_rows += [r for r in redirects(by_person, current) if r[0] not in known]
    return PeopleTables(
        assignments=assignments.select("mention_id", "author_id"),
        authors=authors,
        mentions=table,
        links=result.links,
        redirects=pl.DataFrame(redirect_rows, schema=REDIRECT_SCHEMA, orient="row"),
        issues=_homonym_issues(result.possible_homonyms, mentions),
        summary=_summary(result, authors, mentions),
    )


def _work_counts(table: pl.DataFrame, work_kinds: pl.DataFrame) -> pl.DataFrame:
    """Each person's distinct research papers and other works (``schemas.tables`` kinds).

    A work counts once per person however many of their mentions list it (a CV
    listing the same paper twice, an author printed twice on one paper).
    """
    works = (
        table.select("author_id", "paper_id")
        .drop_nulls()
        .unique()
        .join(work_kinds.select("paper_id", "kind"), on="paper_id", how="left")
    )
    research = pl.col("kind").is_in(RESEARCH_PAPER_KINDS)
    return works.group_by("author_id").agg(
        research.sum().cast(pl.Int32).alias("research_paper_count"),
        (~research).fill_null(True).sum().cast(pl.Int32).alias("other_work_count"),
    )


def _where(mention: str) -> tuple[str, int]:
    path, line, _ = mention.rsplit(":", 2)
    return path, int(line)


def _homonym_issues(homonyms: pl.DataFrame, mentions: pl.DataFrame) -> list[Issue]:
    wanted = {
        m
        for row in homonyms.iter_rows(named=True)
        for m in (row["left_mentions"][0], row["right_mentions"][0])
    }
    names = dict(
        mentions.filter(pl.col("mention_id").is_in(sorted(wanted)))
        .select("mention_id", "name_as_printed")
        .iter_rows()
    )
    issues = []
    for row in homonyms.iter_rows(named=True):
        left, right = row["left_mentions"][0], row["right_mentions"][0]
        path, line = _where(left)
        issues.append(
            Issue(
                code="possible-homonym",
                severity="warning",
                message=(
                    f"{names[left]!r} at {left} and {names[right]!r} at {right} share a name "
                    f"but were kept apart ({row['rule']}): {row['reason']}"
                ),
                source_path=path,
                line=line,
                text=names[left],
                table="authors",
                key=f"{row['left_person']} / {row['right_person']}",
            )
        )
    return issues


def _summary(result: Any, authors: pl.DataFrame, mentions: pl.DataFrame) -> dict[str, Any]:
    links = result.links
    merged_people = authors.filter(pl.col("name_variants").list.len() > 1)
    return {
        "mentions": mentions.height,
        "people": authors.height,
        "printed_names": mentions["name_as_printed"].n_unique(),
        "merged_spellings": [
            {"author_id": r["author_id"], "variants": r["name_variants"]}
            for r in merged_people.sort("author_id").iter_rows(named=True)
        ],
        "links_by_rule": {
            f"{rule} ({'merged' if merged else 'kept apart'})": n
            for rule, merged, n in links.group_by("rule", "merged")
            .len()
            .sort("rule", "merged")
            .iter_rows()
        },
        "possible_homonyms": result.possible_homonyms.height,
        "overrides_applied": result.overrides_applied.to_dicts(),
        "overrides_unmatched": [
            {**row, "message": unmatched_message(row)}
            for row in result.overrides_unmatched.to_dicts()
        ],
    }
