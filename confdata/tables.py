"""From parsed records to the published tables.

Two layers, as in the rest of the pipeline: ``program_frames`` turns one
program's parse into staging frames that still carry every printed string
(``stg_*``), and ``core_tables`` combines the staging frames of all sources
into the published tables with stable IDs. Both are pure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import polars as pl

from confdata.ids import stable_id, title_key
from confdata.issues import Issue
from confdata.usenix_program import ProgramParse
from schemas.tables import MODELS

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
    "stg_papers": {
        "paper_id": pl.Utf8,
        "source_id": pl.Utf8,
        "session_id": pl.Utf8,
        "position_in_session": pl.Int16,
        "title": pl.Utf8,
        "abstract": pl.Utf8,
        "bio": pl.Utf8,
        "kind": pl.Utf8,
        "venue": pl.Utf8,
        "venue_as_printed": pl.Utf8,
        "year": pl.Int16,
        "flags": pl.List(pl.Utf8),
        "awards": pl.List(pl.Utf8),
        "has_media": pl.Boolean,
        "source_line": pl.Int32,
    },
    "stg_authorships": {
        "paper_id": pl.Utf8,
        "position": pl.Int16,
        "name_as_printed": pl.Utf8,
        "affiliation_status": pl.Utf8,
        "status_as_printed": pl.Utf8,
        "author_group": pl.Int16,
        "source_line": pl.Int32,
        "affiliations_as_printed": pl.List(pl.Utf8),
    },
    "stg_chairs": {
        "session_id": pl.Utf8,
        "position": pl.Int16,
        "role": pl.Utf8,
        "label_as_printed": pl.Utf8,
        "name_as_printed": pl.Utf8,
        "affiliation_as_printed": pl.Utf8,
        "affiliations_as_printed": pl.List(pl.Utf8),
        "source_line": pl.Int32,
    },
}


def _frame(name: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=STG_SCHEMAS[name], orient="row")


def session_id(event: str, parse_date: object, start: object, track: object, title: str) -> str:
    """Return the stable ID of a program item."""
    return stable_id("ses", event, parse_date, start, track, title_key(title))


def paper_id(venue: str, year: int | None, title: str) -> str:
    """Return the stable ID of a paper: its venue, year and normalized title."""
    return stable_id("pap", venue, year, title_key(title))


def program_frames(parse: ProgramParse, source_id: str) -> dict[str, pl.DataFrame]:
    """Turn one program's parse into staging frames (``stg_*``), printed strings kept."""
    sessions: list[dict[str, object]] = []
    papers: list[dict[str, object]] = []
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
            pid = paper_id(p.venue, p.year, p.title)
            papers.append(
                {
                    "paper_id": pid,
                    "source_id": source_id,
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
                    "source_line": p.title_line,
                }
            )
            for apos, a in enumerate(p.authors, start=1):
                authorships.append(
                    {
                        "paper_id": pid,
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
        "stg_sessions": _frame("stg_sessions", sessions),
        "stg_papers": _frame("stg_papers", papers),
        "stg_authorships": _frame("stg_authorships", authorships),
        "stg_chairs": _frame("stg_chairs", chairs),
    }


def empty_stg() -> dict[str, pl.DataFrame]:
    """Return empty staging frames with their schemas (for sources with no rows)."""
    return {name: pl.DataFrame(schema=schema) for name, schema in STG_SCHEMAS.items()}


def _nfc(expr: pl.Expr) -> pl.Expr:
    return expr.map_elements(lambda s: unicodedata.normalize("NFC", s), return_dtype=pl.Utf8)


def _conform(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """Order columns as the model declares them and sort rows by the primary key."""
    model = MODELS[name]
    columns = list(model.to_schema().columns)
    pk = model.Config.metadata["primary_key"]
    return df.select(columns).sort(pk)


def core_tables(
    stg: Mapping[str, pl.DataFrame], sources: pl.DataFrame
) -> tuple[dict[str, pl.DataFrame], list[Issue]]:
    """Combine the staging frames of all sources into the published tables.

    People and organizations are one row per distinct printed string (NFC):
    resolving them into real entities is a later stage. A paper listed by two
    sources (same venue, year and title) is kept once, from the first source
    by path, and the duplicate listing is reported.

    Args:
        stg: The concatenated ``stg_*`` frames of every source.
        sources: The ``sources`` table.

    Returns:
        The published tables by name, and the issues found while combining.
    """
    issues: list[Issue] = []
    paths = dict(zip(sources["source_id"], sources["path"], strict=True))
    papers_all = stg["stg_papers"].with_columns(
        pl.col("source_id").replace_strict(paths, default="").alias("_path")
    )
    papers = papers_all.sort("_path", "source_line").unique(
        "paper_id", keep="first", maintain_order=True
    )
    dropped = papers_all.join(
        papers.select("paper_id", "_path", "source_line"),
        on=["paper_id", "_path", "source_line"],
        how="anti",
    )
    for row in dropped.iter_rows(named=True):
        issues.append(
            Issue(
                code="duplicate-paper-listing",
                severity="info",
                message=f"paper {row['title']!r} is listed again; kept the first listing",
                source_path=row["_path"],
                line=row["source_line"],
                text=row["title"],
                table="papers",
                key=row["paper_id"],
            )
        )
    kept = papers.select("paper_id", pl.col("source_id").alias("_kept_source"))
    authorships = (
        stg["stg_authorships"]
        .join(
            papers_all.select("paper_id", "source_id", "source_line").rename(
                {"source_line": "_title_line"}
            ),
            on="paper_id",
        )
        .join(kept, on="paper_id")
        .filter(pl.col("source_id") == pl.col("_kept_source"))
        .unique(["paper_id", "position"], keep="first", maintain_order=True)
        .with_columns(_nfc(pl.col("name_as_printed")).alias("_name"))
        .with_columns(
            pl.col("_name")
            .map_elements(lambda n: stable_id("aut", n), return_dtype=pl.Utf8)
            .alias("author_id")
        )
    )
    chairs = (
        stg["stg_chairs"]
        .with_columns(_nfc(pl.col("name_as_printed")).alias("_name"))
        .with_columns(
            pl.col("_name")
            .map_elements(lambda n: stable_id("aut", n), return_dtype=pl.Utf8)
            .alias("author_id")
        )
    )
    names = pl.concat(
        [authorships.select("author_id", "_name"), chairs.select("author_id", "_name")]
    )
    authors = names.group_by("author_id").agg(
        pl.col("_name").first().alias("name"),
        pl.col("_name").unique().sort().alias("name_variants"),
    )
    aff_rows = (
        authorships.select("paper_id", "position", "affiliations_as_printed")
        .explode("affiliations_as_printed")
        .drop_nulls("affiliations_as_printed")
    )
    aff_rows = aff_rows.with_columns(
        (pl.int_range(pl.len()).over("paper_id", "position") + 1)
        .cast(pl.Int16)
        .alias("affiliation_position"),
        pl.col("affiliations_as_printed").alias("affiliation_as_printed"),
    ).with_columns(
        _nfc(pl.col("affiliation_as_printed"))
        .map_elements(lambda n: stable_id("aff", n), return_dtype=pl.Utf8)
        .alias("affiliation_id")
    )
    chair_orgs = chairs.select(
        pl.col("affiliations_as_printed").explode().drop_nulls().alias("affiliation_as_printed")
    )
    all_orgs = pl.concat([aff_rows.select("affiliation_as_printed"), chair_orgs]).with_columns(
        _nfc(pl.col("affiliation_as_printed")).alias("name")
    )
    affiliations = (
        all_orgs.with_columns(
            pl.col("name")
            .map_elements(lambda n: stable_id("aff", n), return_dtype=pl.Utf8)
            .alias("affiliation_id")
        )
        .group_by("affiliation_id")
        .agg(
            pl.col("name").first(),
            pl.col("affiliation_as_printed").unique().sort().alias("aliases"),
        )
    )
    chairs = chairs.with_columns(
        pl.col("affiliations_as_printed")
        .list.eval(
            pl.element().map_elements(
                lambda n: stable_id("aff", unicodedata.normalize("NFC", n)), return_dtype=pl.Utf8
            )
        )
        .alias("affiliation_ids")
    )
    tables = {
        "sources": sources,
        "sessions": stg["stg_sessions"],
        "papers": papers.drop("_path"),
        "authors": authors,
        "affiliations": affiliations,
        "paper_authors": authorships,
        "paper_author_affiliations": aff_rows,
        "session_chairs": chairs,
    }
    return {name: _conform(name, df) for name, df in tables.items()}, issues


def concat_stg(frames: Sequence[Mapping[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """Concatenate the staging frames of several sources, table by table."""
    out = empty_stg()
    for name in out:
        parts = [f[name] for f in frames if name in f]
        if parts:
            out[name] = pl.concat([out[name], *parts], how="vertical")
    return out
