"""Small aggregates of a release's tables, for the charts of the HTML quality report.

:func:`chart_data` turns the published tables into plain data (lists of labelled
counts) that :mod:`confdata.quality.html` draws as SVG bar charts. Every chart
says what it counts, in its title and its description: research papers (the
kinds of ``schemas.tables.RESEARCH_PAPER_KINDS``; per day and per session only
a program's own papers, ``PROGRAM_PAPER_KINDS``, so that a keynote or the Test
of Time paper is not counted as a paper presented that day) or authorships (an
author of a paper). No chart counts rows of ``affiliations``: an organization
is weighed by the papers and authorships that name it. Every chart is a dict::

    {
        "title": "Research papers per day",
        "description": "…",          # what is counted, and how
        "orientation": "vertical",    # or "horizontal"
        "label_name": "day",          # heading of the label column
        "value_name": "research papers",  # heading of the value column
        "available": True,            # False when the tables lack what it needs
        "note": "…",                  # why not available, or what is left out
        "bars": [{"label": "Mon 2026-05-04", "value": 42}, …],
    }

Ordering is deterministic: by day, by slot, by bin, or by count (descending)
with the label (then the ID) breaking ties. The same tables give the same dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from schemas.tables import PROGRAM_PAPER_KINDS, RESEARCH_PAPER_KINDS

TOP_ORGANIZATIONS = 15
# Countries past this many are summed into one "other countries" bar.
TOP_COUNTRIES = 25
UNKNOWN = "(unknown)"
# Session kinds that are expected to hold papers (a paper session with none is worth seeing).
_PAPER_SESSION_KINDS = ("paper_session",)
_PROGRAM_KINDS = ", ".join(PROGRAM_PAPER_KINDS)
_RESEARCH_KINDS = ", ".join(RESEARCH_PAPER_KINDS)
_KIND_WORDS = {"keynote": "keynote", "test_of_time": "Test of Time paper", "award": "award paper"}


def chart_data(tables: Mapping[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    """Return the charts' data for a release, keyed by chart name, in display order.

    Args:
        tables: The published tables by name (as read from ``out/parquet``).
            Missing tables or columns make the charts that need them
            ``available: False`` with a note, instead of failing.
    """
    return {
        "research_papers_per_day": papers_per_day(tables),
        "research_papers_per_session": papers_per_session(tables),
        "authors_per_research_paper": authors_per_paper(tables),
        "authorships_per_organization": top_organizations(tables),
        "research_papers_per_organization": papers_per_organization(tables),
        "authorships_by_organization_kind": authorships_by_kind(tables),
        "research_papers_by_country": papers_by_country(tables),
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


def _program_papers(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """A program's own papers (PROGRAM_PAPER_KINDS) that are in a session of the release."""
    return (
        tables["papers"]
        .filter(pl.col("kind").is_in(PROGRAM_PAPER_KINDS) & pl.col("session_id").is_not_null())
        .select("paper_id", "session_id")
        .join(tables["sessions"], on="session_id", how="inner")
    )


def _left_out_note(tables: Mapping[str, pl.DataFrame], counted: int) -> str:
    """Say which works a per-day or per-session chart does not count, by kind."""
    papers = tables["papers"]
    known = tables["sessions"]["session_id"].implode()
    scheduled = pl.col("session_id").is_not_null() & pl.col("session_id").is_in(known)
    others = (
        papers.filter(scheduled & ~pl.col("kind").is_in(PROGRAM_PAPER_KINDS))
        .group_by("kind")
        .len()
        .sort("kind")
    )
    outside = papers.filter(~scheduled).height
    parts = [_count(n, _KIND_WORDS.get(kind, kind)) for kind, n in others.iter_rows()]
    note = f"{_count(counted, 'research paper')} counted."
    away = f"{_count(outside, 'work')} in no program session (listed only in a CV)"
    if parts:
        note += f" Not counted: program items that are not research papers ({', '.join(parts)})"
        note += f", and {away}." if outside else "."
    elif outside:
        note += f" Not counted: {away}."
    return note


def _count(n: int, word: str) -> str:
    """``1 keynote``, ``2 keynotes``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def papers_per_day(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Count a program's own research papers presented on each day, by date."""
    title = "Research papers per day"
    desc = (
        f"Research papers (kind {_PROGRAM_KINDS}) presented in a program's paper sessions, "
        "counted by the day of their session; keynotes, Test of Time and award papers are "
        "not counted."
    )
    kw: dict[str, Any] = {
        "orientation": "vertical",
        "label_name": "day",
        "value_name": "research papers",
    }
    missing = _missing(
        tables,
        {"papers": ("paper_id", "session_id", "kind"), "sessions": ("session_id", "date")},
    )
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    scheduled = _program_papers(tables).filter(pl.col("date").is_not_null())
    counts = (
        scheduled.group_by("date").agg(pl.col("paper_id").n_unique().alias("value")).sort("date")
    )
    bars = [
        {"label": d.strftime("%a %Y-%m-%d"), "value": int(v)}
        for d, v in counts.select("date", "value").iter_rows()
    ]
    note = _left_out_note(tables, scheduled["paper_id"].n_unique())
    return _chart(title, desc, bars=bars, note=note, **kw)


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
    """Count the research papers of each program item that holds some (and of empty paper sessions)."""
    title = "Research papers per session"
    desc = (
        f"Research papers (kind {_PROGRAM_KINDS}) presented in each program item, in program "
        "order (day, start time, track); paper sessions with none are shown with 0."
    )
    kw: dict[str, Any] = {
        "orientation": "horizontal",
        "label_name": "session",
        "value_name": "research papers",
    }
    missing = _missing(
        tables,
        {
            "papers": ("paper_id", "session_id", "kind"),
            "sessions": ("session_id", "title", "kind"),
        },
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
        .filter(pl.col("kind").is_in(PROGRAM_PAPER_KINDS) & pl.col("session_id").is_not_null())
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
    note = _left_out_note(tables, int(rows["value"].sum()))
    return _chart(title, desc, bars=bars, note=note, **kw)


def _research(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The research papers' IDs (RESEARCH_PAPER_KINDS), from any source."""
    return tables["papers"].filter(pl.col("kind").is_in(RESEARCH_PAPER_KINDS)).select("paper_id")


def authors_per_paper(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Histogram of research papers by their number of authors (every bin, least to most)."""
    title = "Research papers by number of authors"
    desc = (
        f"Research papers (kind {_RESEARCH_KINDS}; from programs and CVs) counted by their "
        "number of authors (authorships in paper_authors)."
    )
    kw: dict[str, Any] = {
        "orientation": "vertical",
        "label_name": "authors",
        "value_name": "research papers",
    }
    missing = _missing(tables, {"papers": ("paper_id", "kind"), "paper_authors": ("paper_id",)})
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    per_paper = (
        _research(tables)
        .unique()
        .join(
            tables["paper_authors"].group_by("paper_id").agg(pl.len().alias("n")),
            on="paper_id",
            how="left",
        )
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int64))
    )
    others = tables["papers"].height - per_paper.height
    left_out = (
        f"Not counted: {_count(others, 'other work')} (keynotes, patents …)." if others else ""
    )
    if per_paper.is_empty():
        return _chart(title, desc, note=left_out, **kw)
    hist = dict(per_paper.group_by("n").agg(pl.len().alias("papers")).iter_rows())
    low, high = min(hist), max(hist)
    bars = [{"label": str(n), "value": int(hist.get(n, 0))} for n in range(low, high + 1)]
    none = int(hist.get(0, 0))
    notes = [f"{_count(per_paper.height, 'research paper')} counted.", left_out]
    if none:
        notes.append(f"{_count(none, 'research paper')} with no author printed.")
    return _chart(title, desc, bars=bars, note=" ".join(n for n in notes if n), **kw)


_ORG_NEEDS = {
    "papers": ("paper_id", "kind"),
    "paper_author_affiliations": ("paper_id", "position", "affiliation_id"),
}


def _research_authorship_orgs(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """(paper_id, position, affiliation_id) of every authorship of a research paper, once each."""
    return (
        tables["paper_author_affiliations"]
        .select("paper_id", "position", "affiliation_id")
        .join(_research(tables), on="paper_id", how="semi")
        .unique()
    )


def _ranked(counts: pl.DataFrame, names: pl.DataFrame, limit: int) -> list[dict[str, Any]]:
    """The top ``limit`` organizations by value, ties by name then ID, as bars."""
    ranked = counts.join(names, on="affiliation_id").sort(
        ["value", "name", "affiliation_id"], descending=[True, False, False]
    )
    return [
        {"label": str(name), "value": int(v)}
        for name, v in ranked.head(limit).select("name", "value").iter_rows()
    ]


def top_organizations(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """The organizations named by most authorships of research papers (author and paper)."""
    title = f"Authorships of research papers per organization (top {TOP_ORGANIZATIONS})"
    desc = (
        "Authorships (one author of one research paper) that name each organization, from "
        "paper_author_affiliations; an author naming two organizations counts for both. "
        "Ties ordered by name."
    )
    kw: dict[str, Any] = {
        "orientation": "horizontal",
        "label_name": "organization",
        "value_name": "authorships",
    }
    missing = _missing(tables, {**_ORG_NEEDS, "affiliations": ("affiliation_id", "name")})
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    counts = (
        _research_authorship_orgs(tables).group_by("affiliation_id").agg(pl.len().alias("value"))
    )
    names = tables["affiliations"].select("affiliation_id", "name")
    bars = _ranked(counts, names, TOP_ORGANIZATIONS)
    note = f"{counts.height} organizations have at least one authorship." if counts.height else ""
    return _chart(title, desc, bars=bars, note=note, **kw)


def papers_per_organization(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """The organizations with most research papers having at least one author of theirs."""
    title = f"Research papers per organization (top {TOP_ORGANIZATIONS})"
    desc = (
        "Research papers with at least one author of the organization (a paper counts once "
        "per organization, however many of its authors name it). Ties ordered by name."
    )
    kw: dict[str, Any] = {
        "orientation": "horizontal",
        "label_name": "organization",
        "value_name": "research papers",
    }
    missing = _missing(tables, {**_ORG_NEEDS, "affiliations": ("affiliation_id", "name")})
    if missing:
        return _chart(title, desc, note=missing, available=False, **kw)
    counts = (
        _research_authorship_orgs(tables)
        .group_by("affiliation_id")
        .agg(pl.col("paper_id").n_unique().alias("value"))
    )
    names = tables["affiliations"].select("affiliation_id", "name")
    bars = _ranked(counts, names, TOP_ORGANIZATIONS)
    note = (
        f"{counts.height} organizations have at least one research paper." if counts.height else ""
    )
    return _chart(title, desc, bars=bars, note=note, **kw)


def _with_attribute(tables: Mapping[str, pl.DataFrame], column: str) -> pl.DataFrame:
    """Every research authorship's organizations with their ``kind`` or ``country``."""
    attribute = tables["affiliations"].select(
        "affiliation_id", pl.col(column).cast(pl.Utf8).fill_null(UNKNOWN).alias("label")
    )
    return _research_authorship_orgs(tables).join(attribute, on="affiliation_id", how="left")


def _by_value(counts: pl.DataFrame, limit: int | None, what: str) -> tuple[list[dict], str]:
    """Bars by value (most first, ties by label); past ``limit``, one bar of the rest."""
    rows = list(counts.sort(["value", "label"], descending=[True, False]).iter_rows())
    limit = len(rows) if limit is None else limit
    bars: list[dict[str, Any]] = [{"label": str(lb), "value": int(v)} for lb, v in rows[:limit]]
    rest = rows[limit:]
    if not rest:
        return bars, ""
    bars.append({"label": f"other {what} ({len(rest)})", "value": sum(v for _, v in rest)})
    return bars, f"The {len(rest)} least frequent {what} are summed into one bar."


def authorships_by_kind(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Count the authorships of research papers by the kind of organization they name."""
    title = "Authorships of research papers by organization kind"
    desc = (
        "Authorships (one author of one research paper) naming an organization of each kind "
        "(academic, industry, government, nonprofit); an authorship naming organizations of "
        f"two kinds counts for both; {UNKNOWN}: an organization the registry does not know."
    )
    kw: dict[str, Any] = {
        "orientation": "horizontal",
        "label_name": "kind",
        "value_name": "authorships",
    }
    missing = _missing(tables, {**_ORG_NEEDS, "affiliations": ("affiliation_id", "kind")})
    if missing:
        return _chart(title, desc, note=f"Not available: {missing}.", available=False, **kw)
    counts = (
        _with_attribute(tables, "kind")
        .select("paper_id", "position", "label")
        .unique()
        .group_by("label")
        .agg(pl.len().alias("value"))
    )
    bars, note = _by_value(counts, None, "kinds")
    return _chart(title, desc, bars=bars, note=note, **kw)


def papers_by_country(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Count the research papers with at least one author of an organization in each country."""
    title = "Research papers by country"
    desc = (
        "Research papers with at least one author naming an organization in the country (ISO "
        "3166-1 code); a paper with authors in two countries counts for both; "
        f"{UNKNOWN}: an organization whose country is not known."
    )
    kw: dict[str, Any] = {
        "orientation": "horizontal",
        "label_name": "country",
        "value_name": "research papers",
    }
    missing = _missing(tables, {**_ORG_NEEDS, "affiliations": ("affiliation_id", "country")})
    if missing:
        return _chart(title, desc, note=f"Not available: {missing}.", available=False, **kw)
    counts = (
        _with_attribute(tables, "country")
        .select("paper_id", "label")
        .unique()
        .group_by("label")
        .agg(pl.len().alias("value"))
    )
    bars, note = _by_value(counts, TOP_COUNTRIES, "countries")
    return _chart(title, desc, bars=bars, note=note, **kw)
