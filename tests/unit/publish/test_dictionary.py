"""The data dictionary: generated from the models, complete, and the same every time."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
import pytest

from confdata.publish.dictionary import (
    column_specs,
    missing_descriptions,
    readable_type,
    render_data_dictionary,
    table_keys,
)
from schemas.tables import MODELS


class _Undescribed(pa.DataFrameModel):
    """A throwaway model: one column described, two not."""

    thing_id: str = pa.Field(description="Described.")
    note: str
    blank: pl.Int32 = pa.Field(description="   ")

    class Config:
        metadata = {"grain": "one row per thing", "primary_key": ["thing_id"], "foreign_keys": {}}


class _Bare(pa.DataFrameModel):
    value: str = pa.Field(description="A value.")


def _section(text: str, table: str) -> str:
    """The part of the dictionary about one table."""
    start = text.index(f"## `{table}`\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _row(text: str, table: str, column: str) -> str:
    """The dictionary row of one column."""
    prefix = f"| `{column}` |"
    return next(line for line in _section(text, table).splitlines() if line.startswith(prefix))


@pytest.fixture(scope="module")
def dictionary() -> str:
    return render_data_dictionary(MODELS)


def test_every_published_column_has_a_description() -> None:
    """It fails as soon as a column of a published table has no description."""
    assert missing_descriptions(MODELS) == []


def test_missing_descriptions_names_each_undescribed_column() -> None:
    """It names a column with no description and one with a blank description."""
    models = {"sources": MODELS["sources"], "things": _Undescribed}
    assert missing_descriptions(models) == ["things.note", "things.blank"]


@pytest.mark.parametrize("table", list(MODELS))
def test_every_grain_starts_with_one_row_per(table: str) -> None:
    """Every table declares its grain as "one row per …"."""
    assert table_keys(MODELS[table]).grain.startswith("one row per ")


@pytest.mark.parametrize("table", list(MODELS))
def test_dictionary_describes_every_column_of_every_table(dictionary: str, table: str) -> None:
    """Each table's section gives its grain, key and a row for every column with its meaning."""
    section = _section(dictionary, table)
    keys = table_keys(MODELS[table])
    assert f"- **Grain:** {keys.grain}\n" in section
    assert "- **Primary key:** " + ", ".join(f"`{c}`" for c in keys.primary_key) in section
    for spec in column_specs(MODELS[table]):
        assert spec.description.replace("|", "\\|") in _row(dictionary, table, spec.name)


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("sessions", "date", "| `date` | date | no |"),
        ("sessions", "start_time", "| `start_time` | time | no |"),
        ("sessions", "track", "| `track` | integer | yes |"),
        ("sessions", "kind", "| one of `paper_session`, `keynote`, `break`, `meal`,"),
        ("papers", "flags", "| `flags` | list of strings | no |"),
        ("papers", "has_media", "| `has_media` | boolean | no |"),
        ("papers", "year", "| ≥ 1950; ≤ 2100 |"),
        ("paper_listings", "impact_factor", "| `impact_factor` | float | yes |"),
        ("sessions", "session_id", "| matches `^[a-z]{3}_[0-9a-f]{16}$`; unique |"),
        ("sources", "event", "| any |"),
        # A regex with "|" keeps the Markdown table intact.
        ("author_positions", "start", r"matches `^\d{4}(-(\d{2}\|spring\|summer\|fall"),
    ],
)
def test_dictionary_shows_types_nullability_and_allowed_values(
    dictionary: str, table: str, column: str, expected: str
) -> None:
    """Types are readable; isin, regexes and bounds are spelled out on the column's row."""
    assert expected in _row(dictionary, table, column)


def test_dictionary_lists_foreign_keys_including_composite_and_list_valued(
    dictionary: str,
) -> None:
    """Composite keys are shown as tuples and keys on list elements say so."""
    assert "  - `(paper_id, position)` → `paper_authors.(paper_id, position)`" in dictionary
    chairs = _section(dictionary, "session_chairs")
    assert "  - `affiliation_ids` (each element) → `affiliations.affiliation_id`" in chairs
    assert "- **Foreign keys:** none" in _section(dictionary, "sources")


def test_dictionary_is_deterministic(dictionary: str) -> None:
    """The same models give the same text, which ends with one newline."""
    assert render_data_dictionary(MODELS) == dictionary
    assert dictionary.endswith("|\n") and not dictionary.endswith("\n\n")


def test_model_without_metadata_says_not_declared() -> None:
    """A model with no grain or keys is rendered, saying what is missing."""
    text = render_data_dictionary({"bare": _Bare})
    assert "- **Grain:** (not declared)" in text
    assert "- **Primary key:** (not declared)" in text


@pytest.mark.parametrize(
    ("dtype", "name"),
    [
        (pl.String, "string"),
        (pl.Int16, "integer"),
        (pl.UInt64, "integer"),
        (pl.Float64, "float"),
        (pl.Boolean, "boolean"),
        (pl.Date, "date"),
        (pl.Time, "time"),
        (pl.List(pl.Utf8), "list of strings"),
        (pl.List(pl.Int32), "list of integers"),
    ],
)
def test_readable_type(dtype: pl.DataType, name: str) -> None:
    assert readable_type(dtype) == name


def test_readable_type_refuses_unknown_types() -> None:
    with pytest.raises(ValueError, match="no readable name"):
        readable_type(pl.Struct({"a": pl.Int8}))


def test_repository_data_dictionary_is_up_to_date() -> None:
    """It fails when docs/DATA_DICTIONARY.md no longer matches the models (run `make docs`)."""
    from schemas import MODELS
    from tests.conftest import ROOT

    committed = (ROOT / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert committed == render_data_dictionary(MODELS)
