"""Staging frames (``stg_*``): one source's parse as tables, every printed string kept.

``program_frames`` and ``cv_frames`` turn one source's parse into staging frames
that keep every printed string and identify each listing of a paper by its
source and line (:func:`listing_id`) and each program item by its content
(:func:`session_id`); ``concat_stg`` stacks the frames of all sources for
:func:`confdata.resolve.tables.core_tables`. All functions are pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import polars as pl

from confdata.ids import stable_id, title_key
from confdata.parse.cv.reader import CvParse
from confdata.parse.usenix.program import ProgramParse

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


def _frame(name: str, rows: Sequence[Mapping[str, object]]) -> pl.DataFrame:
    """Build a staging frame from row dicts, column by column (a missing key is null).

    Polars builds a frame from Python rows, and a list column from Python lists,
    one small Series per value; one typed Series per column is many times faster
    and gives the same frame. A value whose type is not its column's makes the
    typed Series refuse it (or take another type); then the rows are converted as
    polars converts rows.
    """
    schema = STG_SCHEMAS[name]
    try:
        columns = [
            _str_lists(column, [row.get(column) for row in rows])
            if dtype == _STR_LIST
            else pl.Series(column, [row.get(column) for row in rows], dtype=dtype)
            for column, dtype in schema.items()
        ]
    except TypeError:
        return pl.DataFrame(rows, schema=schema, orient="row")
    if any(c.dtype != dtype for c, dtype in zip(columns, schema.values(), strict=True)):
        return pl.DataFrame(rows, schema=schema, orient="row")
    return pl.DataFrame(columns, schema=schema)


# Up to this many rows a list column is built value by value: the flat layout below
# costs a fixed ~0.3 ms (a frame and a group-by), which dominated the parse of a tiny
# file (2026-12: a 300-byte CV has seven list columns; 0.03 ms each this way, and the
# flat layout wins from about a hundred rows).
_FEW_ROWS = 64


def _str_lists(name: str, values: Sequence[object]) -> pl.Series:
    """Build a list-of-strings Series from Python sequences of strings (None gives null).

    A few rows (:data:`_FEW_ROWS`) are built value by value. Otherwise the
    strings are laid out flat, tagged with their row, and gathered back into
    one list per row. Every row starts with a placeholder, so that a row without
    strings still has its group (and gets an empty list); the groups keep the
    rows' order and the order of the strings within a row.
    """
    if len(values) <= _FEW_ROWS and all(
        value is None
        or (isinstance(value, list | tuple) and all(isinstance(s, str) for s in value))
        for value in values
    ):
        return pl.Series(name, [None if v is None else list(v) for v in values], dtype=_STR_LIST)
    rows: list[int] = []
    flat: list[object] = []
    for i, value in enumerate(values):
        if not isinstance(value, list | tuple | None):
            raise TypeError(f"a list of strings or None, not {type(value).__name__}")
        strings = value or ()
        rows.extend([i] * (len(strings) + 1))
        flat.append(None)  # the placeholder, dropped below
        flat.extend(strings)
    lists = (
        pl.DataFrame({"row": rows, name: flat}, schema={"row": pl.UInt32, name: pl.Utf8})
        .group_by("row", maintain_order=True)
        .agg(pl.col(name).slice(1))
        .get_column(name)
    )
    if any(value is None for value in values):
        missing = pl.Series("missing", [value is None for value in values], dtype=pl.Boolean)
        lists = (
            pl.DataFrame([lists, missing])
            .select(pl.when(pl.col("missing")).then(None).otherwise(pl.col(name)).alias(name))
            .get_column(name)
        )
    return lists


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
    return _with_empty(
        {
            "stg_sessions": _frame("stg_sessions", sessions),
            "stg_listings": _frame("stg_listings", listings),
            "stg_authorships": _frame("stg_authorships", authorships),
            "stg_chairs": _frame("stg_chairs", chairs),
        }
    )


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
    return _with_empty(
        {
            "stg_listings": _frame("stg_listings", listings),
            "stg_authorships": _frame("stg_authorships", authorships),
            "stg_positions": _frame("stg_positions", positions),
            "stg_people": _frame("stg_people", owner),
        }
    )


def _with_empty(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Return every staging table, in :data:`STG_SCHEMAS` order: the given frame, else empty."""
    return {
        name: frames[name] if name in frames else pl.DataFrame(schema=schema)
        for name, schema in STG_SCHEMAS.items()
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
            # One chunk per column: a thousand sources' chunks would make every later
            # operation slower and about twice as hungry for memory.
            out[name] = pl.concat([out[name], *parts], how="vertical", rechunk=True)
    return out


def repeated_events(
    sessions: pl.DataFrame, paths: Mapping[str, str]
) -> list[tuple[str, str, str, int]]:
    """Find raw files whose program items are already in another file (the same event twice).

    A program item's ID is its event, date, time, track and title
    (:func:`session_id`), so two files that share one print the same event, for
    example the same page saved twice. The file that comes first by path keeps
    it; each later one is returned once, at its first repeated item.

    Args:
        sessions: ``stg_sessions`` of every source.
        paths: Source ID -> raw file path.

    Returns:
        ``(later source_id, earlier source_id, event, line)`` for every file
        that repeats another's items, sorted by the later file's path.
    """
    located = sessions.select(
        "session_id",
        "source_id",
        "event",
        "source_line",
        pl.col("source_id").replace_strict(dict(paths), return_dtype=pl.Utf8).alias("_path"),
    )
    shared = located.filter(pl.col("session_id").is_duplicated())
    if shared.is_empty():
        return []
    first = (
        shared.sort("_path", "source_line")
        .group_by("session_id", maintain_order=True)
        .agg(pl.col("source_id").first().alias("_first"))
    )
    repeats = (
        shared.join(first, on="session_id")
        .filter(pl.col("source_id") != pl.col("_first"))
        .sort("_path", "source_line")
        .group_by("source_id", maintain_order=True)
        .agg(pl.col("_first").first(), pl.col("event").first(), pl.col("source_line").first())
    )
    return [
        (later, earlier, event, int(line))
        for later, earlier, event, line in repeats.select(
            "source_id", "_first", "event", "source_line"
        ).iter_rows()
    ]
