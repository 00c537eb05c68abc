"""`make validate`: a sound release passes; each kind of damage is named."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from confdata import io
from confdata.release_check import check_release, main
from confdata.steps import run_pipeline
from tests.conftest import NSDI26


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    out = tmp_path_factory.mktemp("rel") / "out"
    run_pipeline(raw, out)
    return out


@pytest.fixture()
def copy(release: Path, tmp_path: Path) -> Path:
    target = tmp_path / "out"
    shutil.copytree(release, target)
    return target


def test_sound_release_passes(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It finds no problem in a fresh release and exits 0."""
    assert check_release(release) == []
    assert main(["--out", str(release)]) == 0
    assert "is valid" in capsys.readouterr().out


def _duplicate_key(out: Path) -> None:
    path = out / "parquet" / "sessions.parquet"
    df = pl.read_parquet(path)
    pl.concat([df, df.head(1)]).write_parquet(path)


def _edit_csv(out: Path) -> None:
    path = out / "csv" / "papers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("NSDI", "NSDX", 1), encoding="utf-8")


def _missing_file(out: Path) -> None:
    (out / "parquet" / "authors.parquet").unlink()


def _wrong_type(out: Path) -> None:
    path = out / "parquet" / "papers.parquet"
    pl.read_parquet(path).with_columns(pl.col("year").cast(pl.Utf8)).write_parquet(path)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(
            _duplicate_key,
            ["sessions.parquet: checksum mismatch", "sessions.session_id"],
            id="duplicated key",
        ),
        pytest.param(_edit_csv, ["csv/papers.csv: checksum mismatch"], id="edited file"),
        pytest.param(_missing_file, ["parquet/authors.parquet: missing"], id="missing file"),
        pytest.param(_wrong_type, ["papers.year"], id="wrong column type"),
    ],
)
def test_damaged_release_is_rejected_with_the_problem_named(
    copy: Path,
    damage: Callable[[Path], None],
    expected: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It exits 1 and names the file or table and column of each problem."""
    damage(copy)
    problems = check_release(copy)
    for phrase in expected:
        assert any(phrase in p for p in problems), problems
    assert main(["--out", str(copy)]) == 1
    assert "NOT valid" in capsys.readouterr().err


def test_folder_without_manifest_is_rejected(tmp_path: Path) -> None:
    """It refuses a folder that is not a release."""
    assert check_release(tmp_path)[0].endswith("no manifest; is this a release folder?")


def _tables(out: Path) -> dict[str, pl.DataFrame]:
    return {p.stem: pl.read_parquet(p) for p in (out / "parquet").glob("*.parquet")}


def _rewrite_behind_the_manifest(out: Path, name: str, df: pl.DataFrame) -> None:
    """Replace a table's Parquet and update the manifest to match, so no checksum catches it."""
    path = out / "parquet" / f"{name}.parquet"
    df.write_parquet(path)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][f"parquet/{name}.parquet"].update(io.file_facts(path))
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_staged_audit_passes_tables_that_read_back_as_validated(release: Path) -> None:
    """It finds nothing wrong when every table reads back as the validated frames."""
    assert check_release(release, _tables(release)) == []


def test_staged_audit_still_validates_a_table_that_differs(copy: Path) -> None:
    """A Parquet file that no longer holds the validated rows is named and validated in full.

    The manifest is updated too, so only the comparison with the validated
    frames and the model's own checks can catch it.
    """
    validated = _tables(copy)
    sessions = validated["sessions"]
    _rewrite_behind_the_manifest(copy, "sessions", pl.concat([sessions, sessions.head(1)]))
    problems = check_release(copy, validated)
    assert any("parquet/sessions.parquet: does not read back" in p for p in problems), problems
    assert any(p.startswith("sessions.session_id: field_uniqueness failed") for p in problems)


def test_staged_audit_still_checks_every_file(copy: Path) -> None:
    """Passing the validated frames skips no checksum, row count or missing file."""
    validated = _tables(copy)
    _edit_csv(copy)
    _missing_file(copy)
    problems = check_release(copy, validated)
    assert any("csv/papers.csv: checksum mismatch" in p for p in problems), problems
    assert any("parquet/authors.parquet: missing" in p for p in problems), problems
