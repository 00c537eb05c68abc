"""Validation of a whole release: each table against its model, then keys across tables.

Primary keys are declared in each model (``unique``); foreign keys are declared
in ``Config.metadata["foreign_keys"]`` and checked here with pandera checks built
from the parent table's keys, so that a failure names the failing rows the same
way a column check does.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def _failures(err: SchemaErrors, df: pl.DataFrame, table: str) -> list[Failure]:
    cases = err.failure_cases
    out: list[Failure] = []
    for row in cases.iter_rows(named=True):
        index = row.get("index")
        idx = int(index) if index is not None else None
        out.append(
            Failure(
                table=table,
                column=str(row.get("column") or ""),
                check=str(row.get("check") or ""),
                row=idx,
                value=str(row.get("failure_case")),
                key=_key_of(df, table, idx),
            )
        )
    return out


def _foreign_key_schema(
    column: str | tuple[str, ...],
    parent: pl.DataFrame,
    parent_key: str | tuple[str, ...],
    label: str,
) -> pa.DataFrameSchema:
    if isinstance(column, tuple):
        parent_cols = list(parent_key) if isinstance(parent_key, tuple) else [parent_key]
        keys = set(parent.select(parent_cols).iter_rows())

        def composite(data: pa.PolarsData) -> pl.LazyFrame:
            return data.lazyframe.select(
                pl.struct(list(column))
                .map_elements(lambda s: tuple(s.values()) in keys, return_dtype=pl.Boolean)
                .alias("ok")
            )

        return pa.DataFrameSchema(checks=[pa.Check(composite, name=label)])
    values = parent[str(parent_key)].unique()
    col = pl.col(column)

    def single(data: pa.PolarsData) -> pl.LazyFrame:
        lf = data.lazyframe
        if isinstance(lf.collect_schema()[column], pl.List):
            return lf.select(
                col.list.eval(pl.element().is_in(values.implode())).list.all().alias(column)
            )
        return lf.select(col.is_in(values.implode()).alias(column))

    # Nulls are the model's business (nullable or not); a foreign key only checks values.
    return pa.DataFrameSchema(
        {column: pa.Column(checks=pa.Check(single, name=label), nullable=True)}
    )


def validate_tables(tables: Mapping[str, pl.DataFrame]) -> ValidationReport:
    """Validate every table against its model, then every declared foreign key.

    Args:
        tables: Table name -> collected DataFrame; every table in ``MODELS`` must be present.

    Returns:
        The per-table results and every failing row (the first
        ``MAX_FAILURES_LISTED`` of each check are listed).
    """
    report = ValidationReport()
    for name, model in MODELS.items():
        df = tables.get(name)
        if df is None:
            report.failures.append(Failure(name, "", "table present", None, "missing", ""))
            continue
        checks = 0
        try:
            model.validate(df, lazy=True)
        except SchemaErrors as err:
            report.failures.extend(_failures(err, df, name)[:MAX_FAILURES_LISTED])
        schema = model.to_schema()
        checks += sum(len(c.checks) + 1 for c in schema.columns.values()) + len(schema.checks)
        for column, (parent_table, parent_key) in model.Config.metadata["foreign_keys"].items():
            parent = tables.get(parent_table)
            label = f"foreign key -> {parent_table}.{parent_key}"
            checks += 1
            if parent is None:
                continue
            try:
                _foreign_key_schema(column, parent, parent_key, label).validate(df, lazy=True)
            except SchemaErrors as err:
                report.failures.extend(_failures(err, df, name)[:MAX_FAILURES_LISTED])
        failed = sum(1 for f in report.failures if f.table == name)
        report.tables[name] = {"rows": df.height, "checks": checks, "failures": failed}
    return report
