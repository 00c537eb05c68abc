"""Validation of a whole release: each table against its model, then keys across tables.

Primary keys are declared in each model (``unique``); foreign keys are declared
in ``Config.metadata["foreign_keys"]`` and checked here with pandera checks built
from the parent table's keys, so that a failure names the failing rows the same
way a column check does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from schemas.tables import MODELS

MAX_FAILURES_LISTED = 50


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing check: the table, the column, the check and the row that broke it."""

    table: str
    column: str
    check: str
    row: int | None
    value: str
    key: str


@dataclass(slots=True)
class ValidationReport:
    """The outcome of validating every table of a release."""

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every table passed every check."""
        return not self.failures


def _key_of(df: pl.DataFrame, table: str, row: int | None) -> str:
    if row is None or row < 0 or row >= df.height:
        return ""
    pk = MODELS[table].Config.metadata["primary_key"]
    return "/".join(str(df[col][row]) for col in pk if col in df.columns)


def _failures(
    err: SchemaErrors,
    df: pl.DataFrame,
    table: str,
    composite: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Failure]:
    """Turn pandera's failure cases into failures, the first ``MAX_FAILURES_LISTED`` of each check.

    The cases are cut per check before any row is turned into Python objects,
    so a check that fails on every row of a million-row table costs no more
    than one that fails on a few. ``composite`` maps the label of a
    composite foreign-key check to its columns: pandera reports such a
    table-level check without a column and with the whole row as the value;
    the failure names the columns and gives their values instead.
    """
    cases = err.failure_cases.with_columns(pl.col("column").fill_null(""))
    listed = cases.filter(pl.int_range(pl.len()).over("column", "check") < MAX_FAILURES_LISTED)
    out: list[Failure] = []
    for row in listed.iter_rows(named=True):
        index = row.get("index")
        idx = int(index) if index is not None else None
        check = str(row.get("check") or "")
        column = str(row.get("column") or "")
        value = str(row.get("failure_case"))
        columns = (composite or {}).get(check)
        if columns and idx is not None and 0 <= idx < df.height:
            column = ", ".join(columns)
            value = "/".join(str(df[c][idx]) for c in columns)
        out.append(
            Failure(
                table=table,
                column=column,
                check=check,
                row=idx,
                value=value,
                key=_key_of(df, table, idx),
            )
        )
    return out


class _ParentKeys:
    """The key values of parent tables, each gathered once however many children point to it."""

    def __init__(self, tables: Mapping[str, pl.DataFrame]) -> None:
        self._tables = tables
        self._cache: dict[tuple[str, str | tuple[str, ...]], pl.Series] = {}

    def values(self, table: str, key: str | tuple[str, ...]) -> pl.Series:
        """Return the parent's distinct keys as one list value (a struct per row when composite)."""
        if (table, key) not in self._cache:
            parent = self._tables[table]
            expr = pl.struct(list(key)) if isinstance(key, tuple) else pl.col(key)
            self._cache[(table, key)] = parent.select(expr.unique().implode()).to_series()
        return self._cache[(table, key)]


def _foreign_key_schema(
    foreign_keys: Mapping[str | tuple[str, ...], tuple[str, str | tuple[str, ...]]],
    parents: _ParentKeys,
    present: Collection[str],
) -> tuple[pa.DataFrameSchema, dict[str, tuple[str, ...]]]:
    """Build one schema holding every foreign key of a table whose parent table is present.

    Each key is a vectorized ``is_in`` against the parent's distinct keys (a
    struct of the columns for a composite key), so checking a million rows
    runs no Python per row. Returns the schema and the composite keys' labels
    with their columns (see :func:`_failures`).
    """
    columns: dict[str, pa.Column] = {}
    frame_checks: list[pa.Check] = []
    composite: dict[str, tuple[str, ...]] = {}
    for column, (parent_table, parent_key) in foreign_keys.items():
        if parent_table not in present:
            continue
        label = f"foreign key -> {parent_table}.{parent_key}"
        values = parents.values(parent_table, parent_key)
        if isinstance(column, tuple):
            names = tuple(column)
            # The parent's struct fields carry the parent's names; compare under the child's.
            renamed = values.list.eval(pl.element().struct.rename_fields(list(names)))

            def composite_check(
                data: pa.PolarsData, names: tuple[str, ...] = names, keys: pl.Series = renamed
            ) -> pl.LazyFrame:
                return data.lazyframe.select(pl.struct(list(names)).is_in(keys).alias("ok"))

            frame_checks.append(pa.Check(composite_check, name=label))
            composite[label] = names
            continue

        def single(
            data: pa.PolarsData, column: str = column, keys: pl.Series = values
        ) -> pl.LazyFrame:
            lf = data.lazyframe
            col = pl.col(column)
            if isinstance(lf.collect_schema()[column], pl.List):
                return lf.select(col.list.eval(pl.element().is_in(keys)).list.all().alias(column))
            return lf.select(col.is_in(keys).alias(column))

        # Nulls are the model's business (nullable or not); a foreign key only checks values.
        columns[column] = pa.Column(checks=pa.Check(single, name=label), nullable=True)
    return pa.DataFrameSchema(columns, checks=frame_checks), composite


def validate_table(name: str, df: pl.DataFrame) -> list[Failure]:
    """Validate one table against its model alone: columns, types, values and its own keys.

    No foreign key is checked (they need the other tables; see
    :func:`validate_tables`). ``make validate`` checks each CSV file this way.
    """
    try:
        MODELS[name].validate(df, lazy=True)
    except SchemaErrors as err:
        return _failures(err, df, name)
    return []


def validate_tables(tables: Mapping[str, pl.DataFrame]) -> ValidationReport:
    """Validate every table against its model, then every declared foreign key.

    Args:
        tables: Table name -> collected DataFrame; every table in ``MODELS`` must be present.

    Returns:
        The per-table results and every failing row (the first
        ``MAX_FAILURES_LISTED`` of each check are listed).
    """
    report = ValidationReport()
    parents = _ParentKeys(tables)
    for name, model in MODELS.items():
        df = tables.get(name)
        if df is None:
            report.failures.append(Failure(name, "", "table present", None, "missing", ""))
            continue
        checks = 0
        try:
            model.validate(df, lazy=True)
        except SchemaErrors as err:
            report.failures.extend(_failures(err, df, name))
        schema = model.to_schema()
        checks += sum(len(c.checks) + 1 for c in schema.columns.values()) + len(schema.checks)
        foreign_keys = model.Config.metadata["foreign_keys"]
        checks += len(foreign_keys)
        fk_schema, composite = _foreign_key_schema(foreign_keys, parents, tables.keys())
        try:
            fk_schema.validate(df, lazy=True)
        except SchemaErrors as err:
            report.failures.extend(_failures(err, df, name, composite))
        failed = sum(1 for f in report.failures if f.table == name)
        report.tables[name] = {"rows": df.height, "checks": checks, "failures": failed}
    return report
