"""From resolved person mentions to the published people tables.

``confdata.resolve.people.resolution`` decides which mentions are one person; this module turns
its decision into tables: ``authors`` (one row per person),
``author_mentions`` (every printed appearance, with its person),
``author_links`` (the evidence for every decision) and ``author_redirects``
(IDs of earlier releases that a merge or split retired), plus the issues
(possible homonyms) and the summary the quality report shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from confdata.quality.issues import Issue
from confdata.reference.overrides import Overrides, unmatched_message
from confdata.resolve.people.evidence import CONTENT_KEY, GREEDY_CLUSTER_LIMIT, BlockLimit
from confdata.resolve.people.ids import carry_forward_ids, previous_assignments, redirects
from confdata.resolve.people.resolution import resolve_people
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
    previous_sources: pl.DataFrame | None = None,
    sources: pl.DataFrame | None = None,
) -> PeopleTables:
    """Resolve the mentions into people and build the people tables.

    Args:
        mentions: One row per mention (``confdata.resolve.people.mentions.person_mentions``),
            with ``affiliation_ids`` added.
        overrides: Must-link and cannot-link pairs kept in the repository.
        previous_mentions: The previous release's ``author_mentions`` (for redirects).
        previous_redirects: The previous release's ``author_redirects`` (kept).
        paths: Source ID -> raw file path.
        work_kinds: Every work's ``paper_id`` and ``kind`` (as in ``papers``), for
            the counts of research papers and other works.
        previous_sources: The previous release's ``sources``, to match its
            mentions to this run's by file content (a renamed file keeps its people).
        sources: This run's ``sources`` table (needed with ``previous_sources``).
    """
    result = resolve_people(mentions, overrides)
    before = pl.DataFrame(schema={"mention_id": pl.Utf8, "author_id": pl.Utf8})
    if previous_mentions is not None and "author_id" in previous_mentions.columns:
        before = (
            previous_assignments(previous_mentions, previous_sources, sources)
            if sources is not None
            else previous_mentions.select("mention_id", "author_id")
        )
    # Without a previous release every cluster keeps its stable id, which is its key.
    ids = (
        carry_forward_ids(result.assignments, before)
        if before.height
        else {k: k for k in result.assignments["person_key"].unique().to_list()}
    )
    assignments = result.assignments.select(
        "mention_id",
        pl.col("person_key").replace_strict(ids, return_dtype=pl.Utf8).alias("author_id"),
        "name_key",
    )
    # The content key served resolution; the published mentions point at the file by path.
    table = mentions.drop(CONTENT_KEY, strict=False).join(assignments, on="mention_id", how="left")
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
    if before.height:
        current: dict[str, list[str]] = {ids[k]: ms for k, ms in result.clusters().items()}
        by_person: dict[str, list[str]] = {}
        for m, a in before.iter_rows():
            by_person.setdefault(a, []).append(m)
        known = {r[0] for r in redirect_rows}
        redirect_rows += [r for r in redirects(by_person, current) if r[0] not in known]
    return PeopleTables(
        assignments=assignments.select("mention_id", "author_id"),
        authors=authors,
        mentions=table,
        links=result.links,
        redirects=pl.DataFrame(redirect_rows, schema=REDIRECT_SCHEMA, orient="row"),
        issues=[
            *_limit_issues(result.limited_blocks),
            *_homonym_issues(result.possible_homonyms, mentions),
        ],
        summary=_summary(result, authors, mentions),
    )


def _where(mention: str) -> tuple[str, int]:
    path, line, _ = mention.rsplit(":", 2)
    return path, int(line)


def _limit_issues(blocks: Iterable[BlockLimit]) -> list[Issue]:
    """One issue per name block that reached the greedy resolution's cluster limit."""
    issues = []
    for block in blocks:
        path, line = _where(block.first_alone)
        issues.append(
            Issue(
                code="resolution-limit",
                severity="warning",
                message=(
                    f"the name key {block.name_key!r} has {block.units} units, more distinct "
                    f"profiles than the {GREEDY_CLUSTER_LIMIT} people one name is resolved into: "
                    f"{block.alone} unit(s) joining none of them (the first at "
                    f"{block.first_alone}) are persons of their own, compared with no later "
                    "unit, so that the work stays linear in the input; some may be one person"
                ),
                source_path=path,
                line=line,
                table="authors",
                key=block.name_key,
            )
        )
    return issues


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
