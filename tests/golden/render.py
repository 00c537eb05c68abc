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
                lines.append(f"      venue: {p['venue']} {p['year']}; flags: {p['flags']}")
                paragraphs = len(p["abstract"].split("\n\n")) if p["abstract"] else 0
                lines.append(f"      abstract ({paragraphs} ¶): {_clip(p['abstract'])}")
                if p["bio"]:
                    lines.append(f"      bio: {_clip(p['bio'])}")
                lines.extend(by_paper.get(p["paper_id"], []))
        lines.append("")
    counts = ", ".join(f"{name} {df.height}" for name, df in sorted(t.items()))
    lines.append(f"# rows: {counts}")
    return "\n".join(lines) + "\n"
