"""The data dictionary, rendered as Markdown from the pandera models.

The models in ``schemas/tables.py`` are the single source of truth: each
table's grain, primary and foreign keys come from ``Config.metadata``, and each
column's type, nullability, meaning (its description) and allowed values
(``isin``, ``str_matches``, bounds) from its field. Nothing here is written by
hand, so the dictionary cannot drift from what is validated. The same reading
of the models (``column_specs``, ``table_keys``) feeds the Data Package
descriptor in ``confdata.publish.datapackage``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandera.polars as pa
import polars as pl

Models = Mapping[str, type[pa.DataFrameModel]]

_NAMED_TYPES: tuple[tuple[Any, str], ...] = (
    (pl.String, "string"),
    (pl.Boolean, "boolean"),
    (pl.Date, "date"),
    (pl.Time, "time"),
    (pl.Datetime, "datetime"),
)


@dataclass(frozen=True, slots=True)
class Check:
    """One pandera check of a column: its name and its parameters."""

    name: str
    statistics: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """What the contract says about one column."""

    name: str
    dtype: Any
    nullable: bool
    unique: bool
    description: str
    checks: tuple[Check, ...] = field(default=())

    @property
    def is_list(self) -> bool:
        """True for a list column (a JSON array in the CSV)."""
        return bool(self.dtype.base_type() is pl.List)

    def statistic(self, check: str, key: str) -> Any:
        """Return a parameter of the column's first check of that name, or None."""
        for c in self.checks:
            if c.name == check:
                return c.statistics.get(key)
        return None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A foreign key: columns of the child table referring to a parent table's columns."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableKeys:
    """A table's grain, primary key and foreign keys, from ``Config.metadata``."""

    grain: str
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]


def readable_type(dtype: Any) -> str:
    """Name a Polars type for people: string, integer, float, date, list of strings, ….

    Args:
        dtype: A Polars data type (class or instance).

    Returns:
        The readable name.

    Raises:
        ValueError: For a type the published tables do not use.
    """
    base = dtype.base_type()
    if base is pl.List:
        return f"list of {readable_type(dtype.inner)}s"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    for polars_type, name in _NAMED_TYPES:
        if base is polars_type:
            return name
    raise ValueError(f"no readable name for the type {dtype!r}")


def column_specs(model: type[pa.DataFrameModel]) -> list[ColumnSpec]:
    """Read every column of a model, in declaration order.

    Args:
        model: A pandera DataFrameModel.

    Returns:
        One ``ColumnSpec`` per column.
    """
    specs = []
    for name, column in model.to_schema().columns.items():
        specs.append(
            ColumnSpec(
                name=str(name),
                dtype=column.dtype.type,
                nullable=bool(column.nullable),
                unique=bool(column.unique),
                description=(column.description or "").strip(),
                checks=tuple(Check(c.name, dict(c.statistics or {})) for c in column.checks),
            )
        )
    return specs


def _as_tuple(columns: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (columns,) if isinstance(columns, str) else tuple(columns)


def table_keys(model: type[pa.DataFrameModel]) -> TableKeys:
    """Read a model's grain and keys from ``Config.metadata`` (empty when not declared).

    Args:
        model: A pandera DataFrameModel.

    Returns:
        The grain, the primary key and the foreign keys in declaration order.
    """
    meta = getattr(model.Config, "metadata", None) or {}
    fks = tuple(
        ForeignKey(_as_tuple(cols), parent, _as_tuple(parent_cols))
        for cols, (parent, parent_cols) in (meta.get("foreign_keys") or {}).items()
    )
    return TableKeys(
        grain=str(meta.get("grain") or ""),
        primary_key=tuple(meta.get("primary_key") or ()),
        foreign_keys=fks,
    )


def missing_descriptions(models: Models) -> list[str]:
    """List the columns that have no description (empty or blank).

    Args:
        models: Table name -> pandera model.

    Returns:
        ``"table.column"`` for each undescribed column, in table then column order.
    """
    return [
        f"{table}.{spec.name}"
        for table, model in models.items()
        for spec in column_specs(model)
        if not spec.description
    ]


def _code(text: object) -> str:
    value = str(text)
    return f"`` {value} ``" if "`" in value else f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _columns(columns: tuple[str, ...]) -> str:
    return columns[0] if len(columns) == 1 else "(" + ", ".join(columns) + ")"


def _check_text(check: Check) -> str:
    s = check.statistics
    match check.name:
        case "isin":
            return "one of " + ", ".join(_code(v) for v in s["allowed_values"])
        case "notin":
            return "none of " + ", ".join(_code(v) for v in s["forbidden_values"])
        case "str_matches":
            return "matches " + _code(s["pattern"])
        case "greater_than_or_equal_to":
            return f"≥ {s['min_value']}"
        case "less_than_or_equal_to":
            return f"≤ {s['max_value']}"
        case "greater_than":
            return f"> {s['min_value']}"
        case "less_than":
            return f"< {s['max_value']}"
        case "equal_to":
            return f"= {s['value']}"
        case _:
            args = ", ".join(f"{k}={s[k]!r}" for k in sorted(s))
            return f"{check.name}({args})"


def allowed_values(spec: ColumnSpec) -> str:
    """Describe a column's allowed values: its checks in order, then uniqueness.

    Args:
        spec: The column.

    Returns:
        For example ``one of `program`, `cv``` or ``≥ 1950; ≤ 2100``; "any" when unchecked.
    """
    parts = [_check_text(c) for c in spec.checks]
    if spec.unique:
        parts.append("unique")
    return "; ".join(parts) or "any"


def _render_table(table: str, model: type[pa.DataFrameModel]) -> list[str]:
    keys = table_keys(model)
    specs = column_specs(model)
    out = [f"## {_code(table)}", ""]
    if model.__doc__:
        out += [" ".join(model.__doc__.split()), ""]
    out.append(f"- **Grain:** {keys.grain or '(not declared)'}")
    pk = ", ".join(_code(c) for c in keys.primary_key) or "(not declared)"
    out.append(f"- **Primary key:** {pk}")
    if not keys.foreign_keys:
        out.append("- **Foreign keys:** none")
    else:
        out.append("- **Foreign keys:**")
        list_columns = {s.name for s in specs if s.is_list}
        for fk in keys.foreign_keys:
            each = " (each element)" if set(fk.columns) & list_columns else ""
            target = _code(f"{fk.parent}.{_columns(fk.parent_columns)}")
            out.append(f"  - {_code(_columns(fk.columns))}{each} → {target}")
    out += [
        "",
        "| column | type | nullable | meaning | allowed values |",
        "|---|---|---|---|---|",
    ]
    for s in specs:
        row = (
            _code(s.name),
            readable_type(s.dtype),
            "yes" if s.nullable else "no",
            s.description or "(no description)",
            allowed_values(s),
        )
        out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return out + [""]


def render_data_dictionary(models: Models) -> str:
    """Render the data dictionary of every table as Markdown.

    Tables come in the mapping's order and columns in declaration order, so the
    same models always give the same text.

    Args:
        models: Table name -> pandera model (``schemas.tables.MODELS``).

    Returns:
        The Markdown document, ending with a newline.
    """
    out = [
        "# Data dictionary",
        "",
        "Generated from the pandera models in `schemas/tables.py` (the data contract); "
        "do not edit by hand. Types are those of the Parquet files. In the CSV files a "
        "list column is a JSON array, and a text cell starting with `=`, `+`, `-` or `@` "
        "has a leading `'` so that spreadsheets do not run it as a formula.",
        "",
        "| table | one row per | primary key |",
        "|---|---|---|",
    ]
    for table, model in models.items():
        keys = table_keys(model)
        grain = keys.grain.removeprefix("one row per ")
        pk = ", ".join(_code(c) for c in keys.primary_key)
        out.append(f"| {_code(table)} | {_cell(grain)} | {pk} |")
    out.append("")
    for table, model in models.items():
        out += _render_table(table, model)
    return "\n".join(out).rstrip("\n") + "\n"
