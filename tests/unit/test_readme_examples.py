"""The README's examples for analysts run against a real release."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, ROOT

EXAMPLE = re.compile(r"<!-- analyst-example: (\w+) -->\n```python\n(.*?)```", re.DOTALL)
EXAMPLES = dict(EXAMPLE.findall((ROOT / "README.md").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("analyst")
    raw = folder / "raw"
    raw.mkdir()
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    run_pipeline(raw, folder / "out")
    return folder


def test_readme_has_the_examples() -> None:
    """It shows reading the release with Polars, DuckDB and pandas, and the CSV with its types."""
    assert sorted(EXAMPLES) == ["csv", "duckdb", "frictionless", "pandas", "polars", "series"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("polars", "Microsoft"),
        # The page's 42 papers on Monday (its keynote and Test of Time paper are not papers).
        ("duckdb", "│ 2026-05-04 │     42 │"),
        ("pandas", "Bifrost"),
        # NSDI's research papers by year: the 150 of 2026 (not the keynote or Test of Time).
        ("series", "│ 2026 ┆ 150             │"),
        ("csv", "Date 2026-05-04 Time"),
        ("frictionless", "date time "),
    ],
)
def test_readme_example_runs(workdir: Path, name: str, expected: str) -> None:
    """It runs the example as a reader would and prints what the example is about."""
    done = subprocess.run(
        [sys.executable, "-c", EXAMPLES[name]],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
