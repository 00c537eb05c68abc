"""Reading a release's CSV files back with the types of its Parquet files.

The CSV files of a release are text: dates, times, integers and booleans are
written as text, list columns as JSON arrays (``["a", "b"]``), and a text
cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or an
apostrophe has one more apostrophe in front (``confdata.run.io.csv_safe``: the
first four would run as formulas in a spreadsheet). A plain CSV reader gives
all of that back as strings. :func:`read_release_csv` undoes the encoding
with the data contract's types (``schemas.tables``), so the frame it returns
equals the table's Parquet file, column types included.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from confdata.publish.dictionary import column_specs
from confdata.run.io import csv_list_back, csv_text_back
from schemas.tables import MODELS


def read_release_csv(path: str | Path, table: str | None = None) -> pl.DataFrame:
    """Read one table of a release from its CSV file, with the Parquet's types.

    Args:
        path: A release folder (``out``, or ``out/releases/r0003``), whose
            ``csv/<table>.csv`` is read; or a CSV file itself.
        table: The table's name (``papers``, ``sessions`` …). Needed with a
            folder; with a file it defaults to the file's name (``papers.csv``).

    Returns:
        The table, equal to ``parquet/<table>.parquet``: dates as ``Date``,
        times as ``Time``, integers at their width, booleans, list columns as
        lists of strings, and text exactly as published (the CSV's protective
        apostrophe removed).

    Raises:
        ValueError: If the table is unknown, the file is missing, its header
            does not hold the table's columns, or a cell cannot be read as its
            column's type; the message names the file (and the row and column).

    Example:
        >>> import confdata
        >>> sessions = confdata.read_release_csv("out", "sessions")  # doctest: +SKIP
        >>> sessions.schema["date"]  # doctest: +SKIP
        Date
    """
    path = Path(path)
    if table is None:
        if path.is_dir():
            raise ValueError(f"{path}:0: expected a table name with a release folder, found none")
        table = path.stem
    model = MODELS.get(table)
    if model is None:
        raise ValueError(
            f"{path}:0: expected a table of the release ({', '.join(MODELS)}), found {table!r}"
        )
    file = path / "csv" / f"{table}.csv" if path.is_dir() else path
    if not file.is_file():
        raise ValueError(f"{file}:0: expected the CSV file of table {table}, found no such file")
    specs = column_specs(model)
    text = pl.read_csv(file, infer_schema=False, raise_if_empty=False)
    expected = [s.name for s in specs]
    if text.columns != expected:
        raise ValueError(
            f"{file}:1: expected the columns of {table} ({', '.join(expected)}), "
            f"found ({', '.join(text.columns)})"
        )
    return text.with_columns(_typed(file, text, s.name, s.dtype) for s in specs)


def _typed(file: Path, text: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Series:
    """Return one column read as its contract type, or raise naming the first bad cell."""
    raw = text[name]
    col = pl.col(name)
    if dtype.base_type() is pl.List:
        expr = csv_list_back(col, dtype)
    elif dtype == pl.Utf8:
        expr = csv_text_back(col)  # the apostrophe and <U+XXXX> forms io.csv_safe wrote
    elif dtype == pl.Boolean:
        expr = pl.when(col == "true").then(True).when(col == "false").then(False)
    elif dtype == pl.Date:
        expr = col.str.to_date("%Y-%m-%d", strict=False)
    elif dtype == pl.Time:
        expr = col.str.to_time("%H:%M:%S%.f", strict=False)
    else:
        expr = col.cast(dtype, strict=False)
    try:
        typed = text.select(expr.cast(dtype).alias(name)).to_series()
    except pl.exceptions.PolarsError as err:  # a cell that is not a JSON array of strings
        raise ValueError(
            f"{file}: column {name}: expected JSON arrays of text, found a cell that is not one "
            f"({err.__class__.__name__})"
        ) from err
    bad = raw.is_not_null() & typed.is_null()
    if bad.any():
        row = int(bad.arg_true()[0])
        raise ValueError(
            f"{file}: row {row + 1}, column {name}: expected {dtype}, found {raw[row]!r}"
        )
    return typed
