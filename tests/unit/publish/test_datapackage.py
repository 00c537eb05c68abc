"""The Data Package descriptor: a real release validates with frictionless, a damaged one fails."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl
import pytest
from frictionless import validate

from confdata.publish.bidi import BIDI_CONTROLS
from confdata.publish.datapackage import (
    build_datapackage,
    neutralized_starts,
    pattern_is_csv_safe,
    rewritten_anywhere,
    table_schema_pattern,
)
from confdata.run import io
from confdata.run.steps import run_pipeline
from schemas.tables import MODELS
from tests.conftest import RAW

_ID = r"^[a-z]{3}_[0-9a-f]{16}$"


def _csv_files(release: Path) -> dict[str, dict[str, Any]]:
    """Bytes and SHA-256 of every CSV of a release, computed here, not taken from the pipeline."""
    return {
        str(p.relative_to(release)): {
            "bytes": len(p.read_bytes()),
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        }
        for p in sorted((release / "csv").glob("*.csv"))
    }


def _write_package(release: Path, models: Any = MODELS) -> Path:
    descriptor = build_datapackage(
        models, _csv_files(release), name="confdata", version="0.1.0", title="confdata test"
    )
    path = release / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


def _errors(path: Path) -> list[tuple[str, str]]:
    """Validate with the Python API; return (error type, note) of every error."""
    report = validate(str(path))
    found = [(e.type, e.note) for e in report.errors]
    found += [(e.type, e.note) for task in report.tasks for e in task.errors]
    assert report.valid == (not found)
    return found


def _cli(path: Path) -> tuple[int, dict[str, Any]]:
    """Run ``frictionless validate --json`` on a descriptor; return exit code and report."""
    exe = Path(sys.executable).parent / "frictionless"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "frictionless"]
    done = subprocess.run(
        [*command, "validate", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real release of raw/ (a program and a CV) with its datapackage.json."""
    out = tmp_path_factory.mktemp("release") / "out"
    run_pipeline(RAW, out)
    _write_package(out)
    return out


@pytest.fixture(scope="module")
def descriptor(release: Path) -> dict[str, Any]:
    return json.loads((release / "datapackage.json").read_text("utf-8"))


def test_real_release_validates_with_the_python_api(release: Path) -> None:
    """Types, constraints, primary and foreign keys, bytes and hashes all hold."""
    assert _errors(release / "datapackage.json") == []


def test_real_release_validates_with_the_cli(release: Path) -> None:
    code, report = _cli(release / "datapackage.json")
    assert report["valid"], report
    assert code == 0
    assert len(report["tasks"]) == len(MODELS)


def test_every_table_is_a_csv_resource_with_its_size_and_hash(
    release: Path, descriptor: dict[str, Any]
) -> None:
    assert [r["name"] for r in descriptor["resources"]] == list(MODELS)
    for resource in descriptor["resources"]:
        csv = release / resource["path"]
        assert resource["path"] == f"csv/{resource['name']}.csv"
        assert (resource["format"], resource["mediatype"], resource["encoding"]) == (
            "csv",
            "text/csv",
            "utf-8",
        )
        assert resource["bytes"] == csv.stat().st_size
        assert resource["hash"] == "sha256:" + hashlib.sha256(csv.read_bytes()).hexdigest()
        assert (
            resource["schema"]["primaryKey"]
            == MODELS[resource["name"]].Config.metadata["primary_key"]
        )


def test_fields_follow_the_models(descriptor: dict[str, Any]) -> None:
    """Types, required, enum, pattern and bounds come from the pandera fields."""
    fields = {
        (r["name"], f["name"]): f for r in descriptor["resources"] for f in r["schema"]["fields"]
    }
    assert len(fields) == sum(len(m.to_schema().columns) for m in MODELS.values())
    session_id = fields["sessions", "session_id"]
    assert session_id["type"] == "string"
    assert session_id["constraints"] == {
        "required": True,
        "unique": True,
        "pattern": "[a-z]{3}_[0-9a-f]{16}",
    }
    assert fields["sessions", "start_time"]["type"] == "time"
    assert fields["sessions", "date"]["type"] == "date"
    assert fields["sessions", "track"]["constraints"] == {"required": False, "minimum": 1}
    assert fields["papers", "year"]["constraints"] == {
        "required": False,
        "minimum": 1950,
        "maximum": 2100,
    }
    assert fields["papers", "has_media"]["type"] == "boolean"
    assert fields["paper_listings", "impact_factor"]["type"] == "number"
    assert fields["sessions", "kind"]["constraints"]["enum"][0] == "paper_session"
    flags = fields["papers", "flags"]
    assert flags["type"] == "array" and "JSON array" in flags["description"]
    assert all(f["description"] for f in fields.values())


def test_foreign_keys_composite_kept_list_valued_skipped(descriptor: dict[str, Any]) -> None:
    schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
    assert {
        "fields": ["paper_id", "position"],
        "reference": {"resource": "paper_authors", "fields": ["paper_id", "position"]},
    } in schemas["paper_author_affiliations"]["foreignKeys"]
    chairs = schemas["session_chairs"]
    assert [fk["fields"] for fk in chairs["foreignKeys"]] == [["session_id"], ["author_id"]]
    ids = next(f for f in chairs["fields"] if f["name"] == "affiliation_ids")
    assert "cannot state a foreign key" in ids["description"]
    resource = next(r for r in descriptor["resources"] if r["name"] == "session_chairs")
    assert "affiliation_ids" in resource["description"]


def test_descriptor_is_deterministic(release: Path, descriptor: dict[str, Any]) -> None:
    again = build_datapackage(
        MODELS, _csv_files(release), name="confdata", version="0.1.0", title="confdata test"
    )
    assert again == descriptor


# --- damaged copies must fail -------------------------------------------------------------


def _duplicate_first_row(release: Path, table: str) -> None:
    csv = release / "csv" / f"{table}.csv"
    header, first, *rest = csv.read_text("utf-8").splitlines(keepends=True)
    csv.write_text("".join([header, first, first, *rest]), "utf-8")


def _dangling_author(release: Path, table: str) -> None:
    csv = release / "csv" / f"{table}.csv"
    df = pl.read_csv(csv, infer_schema=False)
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("aut_0000000000000000"))
        .otherwise(pl.col("author_id"))
        .alias("author_id")
    )
    df.write_csv(csv)


@pytest.mark.parametrize(
    ("table", "damage", "error"),
    [
        ("paper_authors", _duplicate_first_row, "primary-key"),
        ("authors", _duplicate_first_row, "primary-key"),
        ("paper_authors", _dangling_author, "foreign-key"),
    ],
)
def test_damaged_data_fails_even_with_a_fresh_hash(
    release: Path,
    tmp_path: Path,
    table: str,
    damage: Callable[[Path, str], None],
    error: str,
) -> None:
    """A broken key fails validation on its own, not only through the changed hash."""
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    damage(copy, table)
    path = _write_package(copy)  # bytes and hash match the damaged file
    types = {t for t, _ in _errors(path)}
    assert error in types
    assert not types & {"hash-count", "byte-count"}
    code, report = _cli(path)
    assert code != 0 and not report["valid"]


def test_a_changed_hash_fails(release: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    path = copy / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    descriptor["resources"][0]["hash"] = "sha256:" + "0" * 64
    path.write_text(json.dumps(descriptor), "utf-8")
    assert [t for t, _ in _errors(path)] == ["hash-count"]
    code, report = _cli(path)
    assert code != 0 and not report["valid"]


# --- formula-like cells -------------------------------------------------------------------


class _Signs(pa.DataFrameModel):
    """A throwaway table whose allowed values and texts start like formulas."""

    sign_id: str = pa.Field(str_matches=_ID, unique=True, description="ID.")
    sign: str = pa.Field(isin=["+", "-", "=", "zero"], description="A sign.")
    amount: str = pa.Field(str_matches=r"^[-+]?\d+$", description="An amount as printed.")
    tags: pl.List(pl.Utf8) = pa.Field(description="Tags.")

    class Config:
        metadata = {"grain": "one row per sign", "primary_key": ["sign_id"], "foreign_keys": {}}


def _signs_release(folder: Path, signs: list[str]) -> Path:
    df = pl.DataFrame(
        {
            "sign_id": [f"sig_{i:016x}" for i in range(len(signs))],
            "sign": signs,
            "amount": ["-12", "+3", "4", "-0"][: len(signs)],
            "tags": [["=A1", "b"], [], ["@x"], ["-"]][: len(signs)],
        }
    )
    written = io.write_table(df, "signs", folder)
    descriptor = build_datapackage(
        {"signs": _Signs}, written["files"], name="signs", version="1.0.0", title="Signs"
    )
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor), "utf-8")
    return path


def test_formula_like_values_validate_as_written(tmp_path: Path) -> None:
    """Enum values are encoded like the cells; a pattern that could be broken is left out."""
    path = _signs_release(tmp_path, ["+", "-", "=", "zero"])
    assert "'-" in (tmp_path / "csv" / "signs.csv").read_text("utf-8")
    assert _errors(path) == []
    fields = {
        f["name"]: f for f in json.loads(path.read_text())["resources"][0]["schema"]["fields"]
    }
    assert fields["sign"]["constraints"]["enum"] == ["'+", "'-", "'=", "zero"]
    assert "pattern" not in fields["amount"]["constraints"]
    assert "^[-+]?\\d+$" in fields["amount"]["description"]
    assert fields["sign_id"]["constraints"]["pattern"] == "[a-z]{3}_[0-9a-f]{16}"


def test_a_value_outside_the_enum_still_fails(tmp_path: Path) -> None:
    path = _signs_release(tmp_path, ["+", "minus"])
    assert [t for t, _ in _errors(path)] == ["constraint-error"]


def test_neutralized_starts_are_those_of_the_csv_writer() -> None:
    """The formula starts (and the apostrophe), and the bidi controls shown as <U+XXXX> (2026-12)."""
    assert neutralized_starts() == frozenset({"=", "+", "-", "@", "\t", "\r", "'", *BIDI_CONTROLS})


def test_bidi_controls_are_rewritten_anywhere_in_a_cell() -> None:
    assert rewritten_anywhere() == frozenset(BIDI_CONTROLS)


@pytest.mark.parametrize(
    ("pattern", "safe"),
    [
        (_ID, True),
        (r"^[0-9a-f]{64}$", True),
        (r"^\d{4}(-(\d{2}|spring|summer|fall|winter))?$", True),
        (r"^\w+", True),
        (r"x*y", True),
        (r"^[-+]?\d+$", False),
        (r"^a?-", False),
        (r"^(a|=)", False),
        (r"^[^a-z]", False),
        (r"^\S", False),
        (r".*", False),
        (r"(?=a)", False),
        # A pattern matching a bidi control after its start: the CSV cell is rewritten.
        (r"^a[\u202a-\u202e]", False),
        (r"^a(b|\u2067)", False),
        (r"^a[^b]", False),
    ],
)
def test_pattern_is_csv_safe(pattern: str, safe: bool) -> None:
    assert pattern_is_csv_safe(pattern) is safe


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (_ID, "[a-z]{3}_[0-9a-f]{16}"),
        (r"^\d{4}$", r"\d{4}"),
        (r"^\d{4}", r"\d{4}[\s\S]*"),
        (r"^a\$", r"a\$[\s\S]*"),
        (r"^a\\$", r"a\\"),
    ],
)
def test_table_schema_pattern_matches_the_whole_text(pattern: str, expected: str) -> None:
    assert table_schema_pattern(pattern) == expected


def test_missing_file_entry_or_bad_name_is_refused() -> None:
    files = {f"csv/{t}.csv": {"bytes": 1, "sha256": "0" * 64} for t in MODELS}
    build_datapackage(MODELS, files, name="ok", version="1", title="t")
    with pytest.raises(ValueError, match="not a valid Data Package name"):
        build_datapackage(MODELS, files, name="Not OK", version="1", title="t")
    del files["csv/papers.csv"]
    with pytest.raises(ValueError, match="csv/papers.csv"):
        build_datapackage(MODELS, files, name="ok", version="1", title="t")
