"""How a release check words a problem: one line each, with the file, the line or key, and what was expected.

Every problem is ``<file>:<line>: expected …, found …`` (line 0 when the file as
a whole is to blame, and for Parquet files, which have no lines: there the row
is named by its key, ``<file>: <key>: expected …, found …``). Pandera's
failures are turned into such lines here (:func:`failure_lines`): one line per
failing value, one per duplicated key however many rows repeat it, the first
few of each check and then a count, never a model's class name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from schemas import MODELS, Failure

LISTED_PER_CHECK = 5  # lines per file, column and check; the others are counted
_COMPARISONS = {
    "greater_than_or_equal_to": ">=",
    "less_than_or_equal_to": "<=",
    "greater_than": ">",
    "less_than": "<",
    "equal_to": "==",
    "not_equal_to": "!=",
}
_CALL = re.compile(r"^(\w+)\((.*)\)$", re.DOTALL)


def problem(rel: str, expected: str, found: str, *, line: int = 0, key: str = "") -> str:
    """Return one problem line: ``rel:line: expected …, found …`` (or ``rel: key: …``)."""
    where = f"{rel}: {key}" if key and not line else f"{rel}:{line}"
    tail = f" ({key})" if key and line else ""
    return f"{where}: expected {expected}, found {found}{tail}"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a table's rows are: its file, and for a CSV file the line of each row."""

    rel: str
    lines: pl.Series | None = None  # 1-based line each row starts on (CSV); None for Parquet
    raw: pl.DataFrame | None = None  # the CSV's cells as text, to find a cell's own line

    def line(self, row: int | None, column: str = "") -> int:
        """Return the line of a row, or of one of its cells (0 for a Parquet file or no row).

        A record whose text cells hold line breaks spans several lines; a cell
        is on the record's first line plus the breaks in the cells before it.
        """
        if self.lines is None or row is None or not 0 <= row < self.lines.len():
            return 0
        line = int(self.lines[row])
        if self.raw is not None and column in self.raw.columns:
            before = self.raw.columns[: self.raw.columns.index(column)]
            line += sum(str(self.raw[c][row] or "").count("\n") for c in before)
        return line


def key_text(df: pl.DataFrame, table: str, row: int | None) -> str:
    """Name a row by its primary key: ``paper_id pap_…`` or ``key (paper_id, position) = (pap_…, 1)``."""
    if row is None or not 0 <= row < df.height:
        return ""
    pk = [c for c in MODELS[table].Config.metadata["primary_key"] if c in df.columns]
    if not pk:
        return f"row {row + 1}"
    values = [_show(df[c][row]) for c in pk]
    if len(pk) == 1:
        return f"{pk[0]} {values[0]}"
    return f"key ({', '.join(pk)}) = ({', '.join(values)})"


def _show(value: object) -> str:
    return "null" if value is None else str(value)


def _quoted(value: str) -> str:
    return "null" if value in ("None", "null") else repr(value)


def describe(failure: Failure) -> tuple[str, str]:
    """Return what a failing check expected and what it found, in words."""
    check, column, value = failure.check, failure.column, failure.value
    if check == "column_in_dataframe":
        return f"a column {value}", "none"
    if check == "column_in_schema":
        return "only the columns of the table's schema", f"a column {value}"
    if check == "not_nullable":
        return f"a value in {column}", "null"
    if check == "table present":
        return "the table", "none"
    if check.startswith("foreign key -> "):
        parent, _, parent_key = check.removeprefix("foreign key -> ").partition(".")
        if parent_key.startswith("("):
            parent_key = "(" + ", ".join(ast.literal_eval(parent_key)) + ")"
            shown = "(" + value.replace("/", ", ") + ")"
            return f"({column}) to be a {parent_key} of {parent}", shown
        return f"{column} to be a {parent_key} of {parent}", _quoted(value)
    match = _CALL.match(check)
    name, argument = (match.group(1), match.group(2)) if match else (check, "")
    if name == "dtype":
        return f"column {column} of type {ast.literal_eval(argument)}", value
    if name == "isin":
        allowed = ast.literal_eval(argument)
        return f"{column} one of {', '.join(map(str, allowed))}", _quoted(value)
    if name == "str_matches":
        return f"{column} matching {ast.literal_eval(argument)}", _quoted(value)
    if name in _COMPARISONS:
        return f"{column} {_COMPARISONS[name]} {argument}", _quoted(value)
    return f"{column} to pass {check}", _quoted(value)


_UNIQUE = ("field_uniqueness", "multiple_fields_uniqueness")


def failure_lines(
    failures: Sequence[Failure],
    frames: Mapping[str, pl.DataFrame],
    places: Mapping[str, Place],
    skip: set[tuple[str, int, str]] | None = None,
) -> list[str]:
    """Turn pandera's failures into problem lines, one per problem.

    Args:
        failures: The failures (``schemas.validate_table`` / ``validate_tables``).
        frames: The tables they were found in (to name rows by their keys).
        places: Each table's file and lines.
        skip: ``(table, row, column)`` already reported otherwise (a CSV cell
            that could not be read as its type is null, and would fail again
            as such); those are left out.
    """
    groups: dict[tuple[str, str, str], list[Failure]] = {}
    for failure in failures:
        if (
            skip
            and (failure.table, failure.row if failure.row is not None else -1, failure.column)
            in skip
        ):
            continue
        groups.setdefault((failure.table, failure.column, failure.check), []).append(failure)
    lines: list[str] = []
    for (table, _, check), found in groups.items():
        place, df = places[table], frames[table]
        if check in _UNIQUE:
            entries = _duplicates(found, df, table, place)
        else:
            entries = [_line(f, df, table, place) for f in found]
        lines += entries[:LISTED_PER_CHECK]
        if len(entries) > LISTED_PER_CHECK:
            more = len(entries) - LISTED_PER_CHECK
            expected, _ = describe(found[0])
            lines.append(
                problem(place.rel, expected, f"{more} more rows failing the same way (not listed)")
            )
    return lines


def _line(failure: Failure, df: pl.DataFrame, table: str, place: Place) -> str:
    expected, found = describe(failure)
    return problem(
        place.rel,
        expected,
        found,
        line=place.line(failure.row, failure.column),
        key=key_text(df, table, failure.row),
    )


def _duplicates(found: Sequence[Failure], df: pl.DataFrame, table: str, place: Place) -> list[str]:  # noqa: ARG001
    """One line per repeated value (or combination of values), naming every row or line it is in."""
    check = found[0].check
    columns = (
        list(getattr(MODELS[table].Config, "unique", None) or [])
        if check == "multiple_fields_uniqueness"
        else [found[0].column]
    )
    columns = [c for c in columns if c in df.columns]
    by_value: dict[tuple[object, ...], list[int]] = {}
    for failure in found:
        if failure.row is not None and 0 <= failure.row < df.height:
            value = tuple(df[c][failure.row] for c in columns)
            by_value.setdefault(value, []).append(failure.row)
    what = columns[0] if len(columns) == 1 else f"({', '.join(columns)})"
    lines = []
    for value, rows in by_value.items():
        rows = sorted(set(rows))
        if place.lines is not None:
            where = "at lines " + ", ".join(str(place.line(r)) for r in rows)
        else:
            where = "in rows " + ", ".join(str(r + 1) for r in rows)
        shown = _show(value[0]) if len(value) == 1 else f"({', '.join(map(_show, value))})"
        lines.append(
            problem(
                place.rel,
                f"each {what} once",
                f"{shown} {len(rows)} times, {where}",
                line=place.line(rows[0]),
            )
        )
    return lines
