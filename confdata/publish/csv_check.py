"""Check a release's CSV files by their content: the schema's types and values, and the Parquet's rows.

A checksum only proves that a file is the one the manifest lists; a manifest
can be edited too. So ``make validate`` reads each ``csv/<table>.csv`` for
what it says:

1. When the CSV is exactly what the pipeline writes for the Parquet table
   (``io.csv_safe`` and Polars' CSV writer, byte for byte), it holds the
   Parquet's rows, and the Parquet is validated: nothing more to check. This
   is the common case and costs one CSV encoding of the table in memory.
2. Otherwise it is read as what it should be: UTF-8, the table's header, each
   column as its type (numbers, ``true``/``false``, ISO dates and times, lists
   as JSON arrays; the ``'`` the writer puts before a cell starting with
   ``=``, ``+``, ``-``, ``@``, tab or CR removed), validated with the table's
   pandera model, and compared with the Parquet by primary key: rows missing,
   rows added, values that differ, rows in another order.

Problems name the CSV's line (a record holding line breaks spans several),
column and key. All of it is column-wise (Polars); Python runs per row only to
locate a JSON array that cannot be read.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import polars as pl

from confdata.errors import quote
from confdata.publish.problems import LISTED_PER_CHECK, Place, failure_lines, key_text, problem
from confdata.run.io import csv_list_back, csv_safe, csv_text_back
from schemas import MODELS, validate_table

_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


def encoded(df: pl.DataFrame) -> bytes:
    """Return the bytes the pipeline writes as a table's CSV file (see ``io.write_table``)."""
    buffer = BytesIO()
    csv_safe(df).write_csv(buffer)
    return buffer.getvalue()


def check_csv(
    rel: str, table: str, data: bytes, parquet: pl.DataFrame | None, rows: int | None
) -> list[str]:
    """Return the problems of one table's CSV file (empty when it holds the Parquet's rows).

    Args:
        rel: The file's path in the release (``csv/papers.csv``).
        table: The table's name.
        data: The file's bytes.
        parquet: The table as read from its Parquet file (None when that could
            not be read: the CSV is then validated but not compared).
        rows: The manifest's row count for the file, when it gives one.
    """
    if parquet is not None and data == encoded(parquet):
        return []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return [problem(rel, "UTF-8 text", f"the byte 0x{data[err.start]:02x}", line=line)]
    try:
        raw = pl.read_csv(BytesIO(data), infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError as err:
        return [problem(rel, "a CSV file Polars can read", quote(str(err).splitlines()[0], 160))]
    columns = parquet.columns if parquet is not None else list(MODELS[table].to_schema().columns)
    if raw.columns != columns:
        return [problem(rel, f"the header {','.join(columns)}", ",".join(raw.columns), line=1)]
    place = Place(rel, _record_lines(raw), raw)
    problems: list[str] = []
    if rows is not None and rows != raw.height:
        problems.append(problem(rel, f"{rows} rows (the manifest's count)", f"{raw.height}"))
    typed, bad = _typed(raw, table)
    problems += [_type_problem(raw, typed, table, place, column, rows_) for column, rows_ in bad]
    skip = {(table, row, column) for column, rows_ in bad for row in rows_}
    failures = validate_table(table, typed)
    problems += failure_lines(failures, {table: typed}, {table: place}, skip)
    # A cell the schema already refused is not reported again as differing from the Parquet.
    skip |= {(table, f.row, f.column) for f in failures if f.row is not None}
    if parquet is not None:
        problems += _compare(typed, _as_read_back(parquet), table, place, skip)
    return problems


def _record_lines(raw: pl.DataFrame) -> pl.Series:
    """Return the line each record starts on: 2 for the first, more when cells hold line breaks."""
    if raw.height == 0 or not raw.columns:
        return pl.Series("line", [], dtype=pl.Int64)
    breaks = raw.select(
        pl.sum_horizontal(pl.col(c).str.count_matches("\n").fill_null(0) for c in raw.columns)
        .cast(pl.Int64)
        .alias("n")
    )["n"]
    index = pl.int_range(raw.height, eager=True, dtype=pl.Int64)
    return (2 + index + breaks.cum_sum() - breaks).alias("line")


def _strip(column: pl.Expr) -> pl.Expr:
    """Undo the CSV writer's encodings of a text cell (see ``io.csv_text_back``)."""
    return csv_text_back(column)


def _decode(column: pl.Expr, dtype: Any) -> pl.Expr:
    """Read a CSV column (text) as the model's type; a cell that cannot be read becomes null."""
    if dtype == pl.Utf8:
        return _strip(column)
    if dtype in _INTEGERS or dtype in (pl.Float32, pl.Float64):
        return column.cast(dtype, strict=False)
    if dtype == pl.Boolean:
        return column.replace_strict(
            {"true": True, "false": False}, default=None, return_dtype=pl.Boolean
        )
    if dtype == pl.Date:
        return column.str.to_date("%Y-%m-%d", strict=False)
    if dtype == pl.Time:
        return column.str.to_time("%H:%M:%S%.f", strict=False)
    if isinstance(dtype, pl.List):
        return csv_list_back(column, dtype)
    return column.cast(dtype, strict=False)


def _typed(raw: pl.DataFrame, table: str) -> tuple[pl.DataFrame, list[tuple[str, list[int]]]]:
    """Read every column as its type; return the typed frame and the cells that could not be read."""
    schema = MODELS[table].to_schema().columns
    columns: list[pl.Series] = []
    bad: list[tuple[str, list[int]]] = []
    for name in raw.columns:
        dtype = schema[name].dtype.type
        try:
            typed = raw.select(_decode(pl.col(name), dtype).alias(name))[name]
        except pl.exceptions.PolarsError:
            if not isinstance(dtype, pl.List):
                raise
            typed = _json_lists(raw[name], dtype)  # a cell is not a JSON array of texts
        failed = raw[name].is_not_null() & typed.is_null()
        rows = pl.arg_where(failed, eager=True).to_list() if failed.any() else []
        if rows:
            bad.append((name, rows))
        columns.append(typed)
    return pl.DataFrame(columns), bad


def _json_lists(raw: pl.Series, dtype: Any) -> pl.Series:
    """Read a column of JSON arrays cell by cell: only when reading it whole failed."""

    def one(text: str | None) -> list[str | None] | None:
        if text is None:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if not isinstance(value, list) or not all(v is None or isinstance(v, str) for v in value):
            return None
        return value

    return pl.Series(raw.name, [one(v) for v in raw.to_list()], dtype=dtype)


def _type_problem(
    raw: pl.DataFrame,
    typed: pl.DataFrame,
    table: str,
    place: Place,
    column: str,
    rows: list[int],
) -> str:
    """One line for a column's cells that are not of its type: the first, and how many."""
    dtype = typed.schema[column]
    kind = (
        "a JSON array of texts"
        if isinstance(dtype, pl.List)
        else {
            pl.Boolean: "true or false",
            pl.Date: "a date YYYY-MM-DD",
            pl.Time: "a time HH:MM:SS",
        }.get(dtype, f"a value of type {dtype}")
    )
    first = rows[0]
    more = f" and {len(rows) - 1} more cells of {column} like it" if len(rows) > 1 else ""
    found = f"{raw[column][first]!r}{more}"
    return problem(
        place.rel,
        f"{column} {kind}",
        found,
        line=place.line(first, column),
        key=key_text(typed, table, first),
    )


def _as_read_back(parquet: pl.DataFrame) -> pl.DataFrame:
    """Return the Parquet table as its CSV reads back: written by ``io.csv_safe``, then undone."""
    written = csv_safe(parquet)
    return written.with_columns(
        (csv_list_back(pl.col(c), t) if isinstance(t, pl.List) else csv_text_back(pl.col(c))).alias(
            c
        )
        for c, t in parquet.schema.items()
        if t == pl.Utf8 or (isinstance(t, pl.List) and t.inner == pl.Utf8)
    )


def _compare(
    csv: pl.DataFrame,
    parquet: pl.DataFrame,
    table: str,
    place: Place,
    skip: set[tuple[str, int, str]],
) -> list[str]:
    """Compare the CSV's rows with the Parquet's by primary key: missing, added, differing, order."""
    pk = [c for c in MODELS[table].Config.metadata["primary_key"] if c in csv.columns]
    if csv.schema != parquet.schema:
        return []  # a column of another type: already named by the schema's checks
    parquet_rel = f"parquet/{table}.parquet"
    left = csv.with_row_index("_csv").unique(pk, keep="first", maintain_order=True)
    right = parquet.with_row_index("_pq").unique(pk, keep="first", maintain_order=True)
    problems: list[str] = []
    missing = right.join(left.select(pk), on=pk, how="anti", nulls_equal=True)
    problems += _listed(
        [
            problem(
                place.rel,
                f"every row of {parquet_rel}",
                f"no row {key_text(parquet, table, int(r))}",
            )
            for r in missing["_pq"].head(LISTED_PER_CHECK + 1)
        ],
        missing.height,
        place.rel,
        f"every row of {parquet_rel}",
    )
    added = left.join(right.select(pk), on=pk, how="anti", nulls_equal=True)
    problems += _listed(
        [
            problem(
                place.rel,
                f"only the rows of {parquet_rel}",
                "a row it does not have",
                line=place.line(int(r)),
                key=key_text(csv, table, int(r)),
            )
            for r in added["_csv"].head(LISTED_PER_CHECK + 1)
        ],
        added.height,
        place.rel,
        f"only the rows of {parquet_rel}",
    )
    both = left.join(right, on=pk, how="inner", suffix="_parquet", nulls_equal=True)
    for column in (c for c in csv.columns if c not in pk):
        differs = both.filter(~pl.col(column).eq_missing(pl.col(f"{column}_parquet")))
        differs = differs.filter(
            ~pl.col("_csv").is_in([r for t, r, c in skip if c == column and t == table])
        )
        lines = [
            problem(
                place.rel,
                f"{column} {_value(row[f'{column}_parquet'])} as in {parquet_rel}",
                _value(row[column]),
                line=place.line(row["_csv"], column),
                key=key_text(csv, table, row["_csv"]),
            )
            for row in differs.head(LISTED_PER_CHECK + 1).iter_rows(named=True)
        ]
        problems += _listed(lines, differs.height, place.rel, f"{column} as in {parquet_rel}")
    if not problems and missing.height == 0 and added.height == 0:
        moved = both.filter(pl.col("_csv") != pl.col("_pq"))
        if moved.height:
            first = int(moved["_csv"].min())  # type: ignore[arg-type]
            problems.append(
                problem(
                    place.rel,
                    f"the rows in the order of {parquet_rel}",
                    "another order",
                    line=place.line(first),
                    key=key_text(csv, table, first),
                )
            )
    return problems


def _value(value: Any) -> str:
    return "null" if value is None else repr(value)


def _listed(lines: list[str], total: int, rel: str, expected: str) -> list[str]:
    """The first lines of a kind, and one more line counting the others."""
    if total <= LISTED_PER_CHECK:
        return lines[:total]
    return [
        *lines[:LISTED_PER_CHECK],
        problem(rel, expected, f"{total - LISTED_PER_CHECK} more rows like these (not listed)"),
    ]
