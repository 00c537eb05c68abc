"""Golden test: the whole pipeline on raw/ against the reviewed expectation."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from confdata.run.steps import run_pipeline
from tests.conftest import RAW
from tests.golden.render import render_release
from tests.golden.update import GOLDEN

pytestmark = pytest.mark.golden


def test_release_matches_the_reviewed_golden_file(tmp_path: Path) -> None:
    """It publishes exactly what was reviewed (update with `make update-golden`, then read the diff)."""
    out = tmp_path / "out"
    run_pipeline(RAW, out)
    got = render_release(out)
    want = GOLDEN.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(
            list(
                difflib.unified_diff(
                    want.splitlines(keepends=True), got.splitlines(keepends=True), "golden", "now"
                )
            )[:80]
        )
        pytest.fail(f"release differs from {GOLDEN.name}:\n{diff}")


def test_golden_covers_every_paper_and_authorship_of_the_nsdi26_page() -> None:
    """It holds the 150 program papers plus the keynote and Test of Time paper, and their authors."""
    text = GOLDEN.read_text(encoding="utf-8")
    section = text.split("# nsdi26-technical-sessions.txt", 1)[1].split("\n# ", 1)[0]
    kinds = [
        line.split("]")[0].split("[")[1]
        for line in section.splitlines()
        if line.startswith("  ") and "] " in line and line.strip()[0].isdigit()
    ]
    assert len([k for k in kinds if k in {"research", "operational_systems"}]) == 150
    assert kinds.count("keynote") == 1 and kinds.count("test_of_time") == 1
    authorships = [
        ln
        for ln in section.splitlines()
        if ln.startswith("      ") and " — " in ln and ln.strip()[0].isdigit()
    ]
    assert (
        len(authorships) == 1254
    )  # 1228 for the 150 papers, 1 keynote speaker, 25 Test of Time authors
