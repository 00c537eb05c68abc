"""Small aggregates of a release's tables, for the charts of the HTML quality report.

:func:`chart_data` turns the published tables into plain data (lists of labelled
counts) that :mod:`confdata.report_html` draws as SVG bar charts. Every chart
is a dict::

    {
        "title": "Papers per day",
        "description": "…",          # one sentence: what is counted, and how
        "orientation": "vertical",    # or "horizontal"
        "label_name": "day",          # heading of the label column
        "value_name": "papers",       # heading of the value column
        "available": True,            # False when the tables lack what it needs
        "note": "…",                  # why not available, or what is left out
        "bars": [{"label": "Mon 2026-05-04", "value": 51}, …],
    }

Ordering is deterministic: by day, by slot, by bin, or by count (descending)
with the label (then the ID) breaking ties. The same tables give the same dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

TOP_ORGANIZATIONS = 15
# Countries past this many are summed into one "other countries" bar.
TOP_COUNTRIES = 25
UNKNOWN = "(unknown)"
# Session kinds that are expected to hold papers (a paper session with none is worth seeing).
_PAPER_SESSION_KINDS = ("paper_session",)


def chart_data(tables: Mapping[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    """Return the charts' data for a release, keyed by chart name, in display order.

    Args:
        tables: The published tables by name (as read from ``out/parquet``).
            Missing tables or columns make the charts that need them
            ``available: False`` with a note, instead of failing.
    """
    return {
        "papers_per_day": papers_per_day(tables),
        "papers_per_session": papers_per_session(tables),
        "authors_per_paper": authors_per_paper(tables),
        "top_organizations": top_organizations(tables),
        "organizations_by_kind": organizations_by(tables, "kind"),
        "organizations_by_country": organizations_by(tables, "country"),
    }


def _chart(
    title: str,
    description: str,
    *,
    orientation: str,
    label_name: str,
    value_name: str,
    bars: list[dict[str, Any]] | None = None,
    note: str = "",
    available: bool = True,
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "orientation": orientation,
        "label_name": label_name,
        "value_name": value_name,
        "available": available,
        "note": note,
        "bars": bars or [],
    }


def _missing(tables: Mapping[str, pl.DataFrame], needs: dict[str, tuple[str, ...]]) -> str:
    """Return a note naming the first missing table or column, or "" when all are there."""
    for table, columns in needs.items():
        df = tables.get(table)
        if df is None:
            return f"the release has no {table} table"
        absent = [c for c in columns if c not in df.columns]
        if absent:
            return f"the {table} table has no {', '.join(absent)} column"
    return ""


def _session_papers(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Papers joined to their program item (inner join: papers in no session drop out)."""
    return (
        tables["papers"]
        .select("paper_id", "session_id")
        .filter(pl.col("session_id").is_not_null())
        .join(tables["sessions"], on="session_id", how="inner")
    )


def _unscheduled_note(tables: Mapping[str, pl.DataFrame]) -> str:
    papers = tables["papers"]
    known = tables["sessions"]["session_id"].implode()
    outside = papers.filter(
        pl.col("session_id").is_null() | ~pl.col("session_id").is_in(known)
    ).height
    if not outside:
        return ""
    return (
        f"{outside} of {papers.height} papers are in no program session "
        "(listed only in a CV) and are not counted."
    )


def papers_per_day(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Count the papers presented on each day of the programs, by date."""
    title, desc = "Papers per day", "Works presented in a program session, counted by the day."
    kw: dict[str, Any] = {"orientation": "vertical", "label_name": "day", "value_name": "papers"}
    missing = _missing(
        tables, {"papers": ("paper_id", "session_id"), "sessions": ("session_id", "date")}
    )
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    counts = (
        _session_papers(tables)
        .filter(pl.col("date").is_not_null())
        .group_by("date")
        .agg(pl.col("paper_id").n_unique().alias("value"))
        .sort("date")
    )
    bars = [
        {"label": d.strftime("%a %Y-%m-%d"), "value": int(v)}
        for d, v in counts.select("date", "value").iter_rows()
    ]
    return _chart(title, desc, bars=bars, note=_unscheduled_note(tables), **kw)


def _session_label(with_event: bool) -> pl.Expr:
    """The label of a program item: event (when several), weekday and start, track, title.

    For example ``"NSDI '26 · Mon 10:30 · T2 · Networking"``; parts that are
    not printed are left out (the title always ends the label).
    """
    when = pl.concat_str(
        pl.col("date").dt.strftime("%a"),
        pl.col("start_time").dt.strftime("%H:%M"),
        separator=" ",
        ignore_nulls=True,
    )
    parts = [
        pl.when(pl.col("event") != "").then(pl.col("event")) if with_event else None,
        pl.when(when != "").then(when),
        pl.format("T{}", pl.col("track")),
        pl.col("title").fill_null(""),
    ]
    return pl.concat_str([p for p in parts if p is not None], separator=" · ", ignore_nulls=True)


def papers_per_session(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Count the papers of each program item that holds papers (and of empty paper sessions)."""
    title = "Papers per session"
    desc = (
        "Works presented in each program item, in program order (day, start time, track); "
        "paper sessions with no paper are shown with 0."
    )
    kw: dict[str, Any] = {
        "orientation": "horizontal",
        "label_name": "session",
        "value_name": "papers",
    }
    missing = _missing(
        tables,
        {"papers": ("paper_id", "session_id"), "sessions": ("session_id", "title", "kind")},
    )
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    sessions = tables["sessions"]
    for col, dtype in (("event", pl.Utf8), ("date", pl.Date), ("start_time", pl.Time)):
        if col not in sessions.columns:
            sessions = sessions.with_columns(pl.lit(None, dtype=dtype).alias(col))
    if "track" not in sessions.columns:
        sessions = sessions.with_columns(pl.lit(None, dtype=pl.Int16).alias("track"))
    per_session = (
        tables["papers"]
        .filter(pl.col("session_id").is_not_null())
        .group_by("session_id")
        .agg(pl.col("paper_id").n_unique().alias("value"))
    )
    rows = (
        sessions.join(per_session, on="session_id", how="left")
        .with_columns(pl.col("value").fill_null(0))
        .filter((pl.col("value") > 0) | pl.col("kind").is_in(_PAPER_SESSION_KINDS))
        .sort(["event", "date", "start_time", "track", "title", "session_id"])
    )
    with_event = rows["event"].drop_nulls().n_unique() > 1
    labelled = rows.select(_session_label(with_event).alias("label"), "value")
    bars = [{"label": label, "value": int(v)} for label, v in labelled.iter_rows()]
    return _chart(title, desc, bars=bars, note=_unscheduled_note(tables), **kw)


def authors_per_paper(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Histogram of the number of authors per paper (every bin from the least to the most)."""
    title = "Authors per paper"
    desc = "Number of papers by their number of authors (authorships in paper_authors)."
    kw: dict[str, Any] = {
        "orientation": "vertical",
        "label_name": "authors",
        "value_name": "papers",
    }
    missing = _missing(tables, {"papers": ("paper_id",), "paper_authors": ("paper_id",)})
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    per_paper = (
        tables["papers"]
        .select("paper_id")
        .unique()
        .join(
            tables["paper_authors"].group_by("paper_id").agg(pl.len().alias("n")),
            on="paper_id",
            how="left",
        )
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int64))
    )
    if per_paper.is_empty():
        return _chart(title, desc, **kw)
    hist = dict(per_paper.group_by("n").agg(pl.len().alias("papers")).iter_rows())
    low, high = min(hist), max(hist)
    bars = [{"label": str(n), "value": int(hist.get(n, 0))} for n in range(low, high + 1)]
    none = int(hist.get(0, 0))
    note = f"{none} papers have no author printed." if none else ""
    return _chart(title, desc, bars=bars, note=note, **kw)


def top_organizations(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """The organizations with the most authorships (authorship = paper and author position)."""
    title = f"Top {TOP_ORGANIZATIONS} organizations by authorships"
    desc = (
        "Authorships (an author of a paper) naming each organization, from "
        "paper_author_affiliations joined to affiliations; ties ordered by name."
    )
    kw: dict[str, Any] = {
        "orientation": "horizontal",
        "label_name": "organization",
        "value_name": "authorships",
    }
    missing = _missing(
        tables,
        {
            "paper_author_affiliations": ("paper_id", "position", "affiliation_id"),
            "affiliations": ("affiliation_id", "name"),
        },
    )
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    counts = (
        tables["paper_author_affiliations"]
        .select("paper_id", "position", "affiliation_id")
        .unique()
        .group_by("affiliation_id")
        .agg(pl.len().alias("value"))
        .join(tables["affiliations"].select("affiliation_id", "name"), on="affiliation_id")
        .sort(["value", "name", "affiliation_id"], descending=[True, False, False])
    )
    total = counts.height
    bars = [
        {"label": str(name), "value": int(v)}
        for name, v in counts.head(TOP_ORGANIZATIONS).select("name", "value").iter_rows()
    ]
    note = f"{total} organizations have at least one authorship." if total else ""
    return _chart(title, desc, bars=bars, note=note, **kw)


def organizations_by(tables: Mapping[str, pl.DataFrame], column: str) -> dict[str, Any]:
    """Count the organizations (affiliations rows) by ``kind`` or ``country``."""
    title = f"Organizations by {column}"
    desc = f"Organizations (rows of affiliations) counted by their {column}; most first."
    kw: dict[str, Any] = {"orientation": "horizontal", "label_name": column}
    kw["value_name"] = "organizations"
    missing = _missing(tables, {"affiliations": ("affiliation_id", column)})
    if missing:
        return _chart(
            title,
            desc,
            note=f"Not available yet: {missing} (entity resolution will add it).",
            available=False,
            **kw,
        )
    counts = (
        tables["affiliations"]
        .select(pl.col(column).cast(pl.Utf8).fill_null(UNKNOWN).alias("label"))
        .group_by("label")
        .agg(pl.len().alias("value"))
        .sort(["value", "label"], descending=[True, False])
    )
    rows = list(counts.iter_rows())
    limit = TOP_COUNTRIES if column == "country" else len(rows)
    bars = [{"label": str(label), "value": int(v)} for label, v in rows[:limit]]
    note = ""
    rest = rows[limit:]
    if rest:
        bars.append(
            {"label": f"other {column} values ({len(rest)})", "value": sum(v for _, v in rest)}
        )
        note = f"The {len(rest)} least frequent values are summed into one bar."
    return _chart(title, desc, bars=bars, note=note, **kw)
