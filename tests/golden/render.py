"""Render a published release as one readable text, for golden comparison and review.

The golden file is meant to be read side by side with the raw page: every
program item in order with its time, track, room and chairs, then every paper
with its line, flags, the start and end of its abstract, and each authorship
as "name — organization; organization" exactly as published.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl


def _clip(text: str | None, head: int = 60, tail: int = 40) -> str:
    if not text:
        return "-"
    flat = " ".join(text.split())
    return flat if len(flat) <= head + tail + 5 else f"{flat[:head]} … {flat[-tail:]}"


def render_release(out_dir: Path) -> str:
    """Return the readable rendering of the release in ``out_dir``."""
    t = {p.stem: pl.read_parquet(p) for p in (out_dir / "parquet").glob("*.parquet")}
    lines: list[str] = []
    sources = t["sources"].sort("path")
    orgs = t["paper_author_affiliations"].sort("paper_id", "position", "affiliation_position")
    orgs_by = orgs.group_by("paper_id", "position", maintain_order=True).agg(
        pl.col("affiliation_as_printed")
    )
    authors = (
        t["paper_authors"]
        .join(orgs_by, on=["paper_id", "position"], how="left")
        .sort("paper_id", "position")
    )
    by_paper: dict[str, list[str]] = {}
    for a in authors.iter_rows(named=True):
        orgs_text = "; ".join(a["affiliation_as_printed"] or []) or f"({a['affiliation_status']})"
        by_paper.setdefault(a["paper_id"], []).append(
            f"      {a['position']:>2}. {a['name_as_printed']} — {orgs_text}"
        )
    chairs = t["session_chairs"].sort("session_id", "position")
    for src in sources.iter_rows(named=True):
        if src["kind"] == "cv":
            lines.extend(_render_cv(t, src))
            continue
        lines.append(f"# {src['path']} ({src['kind']}, {src['event']})")
        sessions = t["sessions"].filter(pl.col("source_id") == src["source_id"]).sort("source_line")
        for s in sessions.iter_rows(named=True):
            track = f"T{s['track']}" if s["track"] else "--"
            lines.append(
                f"L{s['source_line']} {s['date']} {s['start_time']:%H:%M}-{s['end_time']:%H:%M} "
                f"{track} [{s['kind']}] {s['title']} @ {s['room'] or '-'}"
            )
            for c in chairs.filter(pl.col("session_id") == s["session_id"]).iter_rows(named=True):
                lines.append(
                    f"    {c['role']} ({c['label_as_printed']}): {c['name_as_printed']} — "
                    f"{c['affiliation_as_printed'] or '-'}"
                )
            if s["sponsor"] or s["description"]:
                lines.append(f"    sponsor: {s['sponsor'] or '-'}; text: {_clip(s['description'])}")
            papers = t["papers"].filter(pl.col("session_id") == s["session_id"])
            for p in papers.sort("position_in_session").iter_rows(named=True):
                lines.append(
                    f"  {p['position_in_session']}. L{p['source_line']} [{p['kind']}] {p['title']}"
                )
                lines.append(
                    f"      venue: {p['venue']} {p['year']} (series {p['series']}); "
                    f"flags: {p['flags']}"
                )
                paragraphs = len(p["abstract"].split("\n\n")) if p["abstract"] else 0
                lines.append(f"      abstract ({paragraphs} ¶): {_clip(p['abstract'])}")
                if p["bio"]:
                    lines.append(f"      bio: {_clip(p['bio'])}")
                lines.extend(by_paper.get(p["paper_id"], []))
        lines.append("")
    papers = t["papers"].select("paper_id", "source_id", "source_line")
    shared = (
        t["paper_listings"].group_by("paper_id").agg(pl.len().alias("n")).filter(pl.col("n") > 1)
    )
    if shared.height:
        lines.append("# works listed more than once (paper_id: listings)")
        listings = t["paper_listings"].join(sources.select("source_id", "path"), on="source_id")
        for row in shared.join(papers, on="paper_id").sort("paper_id").iter_rows(named=True):
            where = listings.filter(pl.col("paper_id") == row["paper_id"]).sort(
                "path", "source_line"
            )
            lines.append(
                f"{row['paper_id']}: "
                + ", ".join(f"{r['path']}:L{r['source_line']}" for r in where.iter_rows(named=True))
            )
        lines.append("")
    lines.extend(_render_resolution(t))
    counts = ", ".join(f"{name} {df.height}" for name, df in sorted(t.items()))
    lines.append(f"# rows: {counts}")
    return "\n".join(lines) + "\n"


def _render_cv(t: dict[str, pl.DataFrame], src: dict[str, object]) -> list[str]:
    """Render a CV: every listing with its details, then the owner's positions."""
    lines = [f"# {src['path']} ({src['kind']})"]
    listings = t["paper_listings"].filter(pl.col("source_id") == src["source_id"])
    for row in listings.sort("source_line").iter_rows(named=True):
        lines.append(
            f"L{row['source_line']} [{row['listing_key']} {row['listed_as']}] {row['title']}"
        )
        lines.append(f"      authors: {'; '.join(row['authors_as_printed'])}")
        lines.append(
            f"      venue: {row['venue'] or '-'} | {row['venue_as_printed'] or '-'} | "
            f"year {row['year']} | series {row['series'] or '-'}"
        )
        details = {
            "flags": row["flags"],
            "accepted/submitted": (row["accepted"], row["submitted"]) if row["submitted"] else None,
            "rate": row["acceptance_rate_as_printed"],
            "note": row["acceptance_note"],
            "impact factor": row["impact_factor"],
            "applications": row["patent_application_numbers"],
            "grants": row["patent_grant_numbers"],
            "filed": row["filed"],
            "other titles": row["other_titles"],
        }
        shown = {k: v for k, v in details.items() if v}
        if shown:
            lines.append("      " + "; ".join(f"{k}: {v}" for k, v in shown.items()))
    positions = t["author_positions"].filter(pl.col("source_id") == src["source_id"])
    owner = t["authors"].filter(pl.col("author_id").is_in(positions["author_id"].implode()))
    lines.append(f"  positions of {', '.join(owner['name'].to_list())}:")
    for p in positions.sort("position").iter_rows(named=True):
        end = "now" if p["is_current"] else (p["end"] or "-")
        lines.append(
            f"  {p['position']:>2}. L{p['source_line']} {p['kind']}: {p['organization_as_printed']}"
            f" | {p['unit'] or '-'} | {p['role'] or '-'} | {p['place'] or '-'} | "
            f"{p['start'] or '-'} – {end}"
        )
    lines.append("")
    return lines


def _render_resolution(t: dict[str, pl.DataFrame]) -> list[str]:
    """Render how printed organizations and names were resolved, for review."""
    lines = ["# organizations: printed -> registry entry (method, score)"]
    orgs = t["affiliations"].select(
        "affiliation_id", "name", "registry_id", "parent_affiliation_id"
    )
    parent_name = dict(zip(orgs["affiliation_id"], orgs["name"], strict=True))
    printed = (
        t["paper_author_affiliations"]
        .select("affiliation_as_printed", "affiliation_id", "match_method", "match_score")
        .unique()
        .join(orgs, on="affiliation_id")
        .sort("affiliation_as_printed")
    )
    for r in printed.iter_rows(named=True):
        parent = parent_name.get(r["parent_affiliation_id"]) if r["parent_affiliation_id"] else None
        lines.append(
            f"{r['affiliation_as_printed']} -> {r['name']} [{r['registry_id'] or 'UNRESOLVED'}]"
            f" ({r['match_method']} {r['match_score']:.0f})" + (f" < {parent}" if parent else "")
        )
    lines.append("")
    mentions = t["author_mentions"]
    people = mentions.group_by("author_id").agg(
        pl.col("name_as_printed").unique().sort().alias("names"),
        pl.col("mention_id").sort().alias("mentions"),
        pl.col("source_id").n_unique().alias("sources"),
    )
    # Ordered by what is shown (first mention), never by ID: the rendering shows no IDs.
    shown = (
        people.filter((pl.col("names").list.len() > 1) | (pl.col("sources") > 1))
        .join(
            t["authors"].select("author_id", "research_paper_count", "other_work_count"),
            on="author_id",
        )
        .sort(pl.col("mentions").list.first(), "author_id")
    )
    lines.append(
        "# persons printed in several forms or in several sources [research papers, other works]"
    )
    for r in shown.iter_rows(named=True):
        lines.append(
            f"{' / '.join(r['names'])}: {', '.join(r['mentions'])} "
            f"[{r['research_paper_count']}, {r['other_work_count']}]"
        )
    lines.append("")
    lines.append("# same name, different persons (kept apart)")
    names = (
        mentions.with_columns(pl.col("name_key"))
        .group_by("name_key")
        .agg(
            pl.col("author_id").unique().sort().alias("ids"),
            pl.col("mention_id").sort().alias("mentions"),
        )
    )
    for r in names.filter(pl.col("ids").list.len() > 1).sort("name_key").iter_rows(named=True):
        by_person = (
            mentions.filter(pl.col("name_key") == r["name_key"])
            .group_by("author_id")
            .agg(pl.col("mention_id").sort())
        )
        groups = sorted(" + ".join(m) for m in by_person["mention_id"].to_list())
        lines.append(f"{r['name_key']}: " + " | ".join(groups))
    lines.append("")
    return lines
