"""`make validate`: a sound release passes; each kind of damage is named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

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
