"""The Prefect flow end to end, under one session-wide Prefect test server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.build import build_dataset, main
from tests.conftest import FIXTURES, NSDI26

pytestmark = pytest.mark.flow


def test_flow_builds_and_publishes_a_release(prefect_harness: None, tmp_path: Path) -> None:
    """It runs every task and publishes Parquet, CSV and the quality report."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    out = tmp_path / "out"
    release = build_dataset(raw_dir=str(raw), out_dir=str(out))
    assert release.row_counts["papers"] == 152
    assert (out / "parquet" / "paper_authors.parquet").is_file()
    assert (out / "csv" / "sessions.csv").is_file()
    report = json.loads((out / "quality" / "report.json").read_text(encoding="utf-8"))
    assert report["validation"]["ok"] is True
    assert release.published and release.version == "r0001"


def test_flow_publishes_its_summary_as_artifacts(prefect_harness: None, tmp_path: Path) -> None:
    """It leaves the quality report and the row counts on the run's page in the Prefect UI."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        TaskRunFilter,
    )
    from prefect.client.schemas.sorting import ArtifactSort

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))

    async def keys() -> set[str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=["quality-report", "row-counts", "issue-counts"])
                ),
                # Empty filters spelled out: this server rejects them as null.
                flow_run_filter=FlowRunFilter(),
                task_run_filter=TaskRunFilter(),
                sort=ArtifactSort.KEY_ASC,
                limit=50,
            )
        return {a.key for a in found if a.key}

    import asyncio

    assert asyncio.run(keys()) == {"quality-report", "row-counts", "issue-counts"}


def test_command_line_reports_a_bad_file_and_publishes_nothing(
    prefect_harness: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It exits 1 naming every bad file at its line, and creates no out/ folder.

    A binary file (found by discovery) and a program cut off in its first time
    slot (found by its parse) are both named, one line each, then the count.
    """
    raw = tmp_path / "raw"
    raw.mkdir()
    bad = FIXTURES / "programs" / "latin1_encoded.txt"
    (raw / bad.name).write_bytes(bad.read_bytes())
    (raw / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    cut = FIXTURES / "programs" / "truncated_mid_paper.txt"
    (raw / cut.name).write_bytes(cut.read_bytes())
    out = tmp_path / "out"
    assert main(["--raw", str(raw), "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(": expected")[0] for line in err[:3]] == [
        "latin1_encoded.txt:5",
        "photo.txt:0",
        "truncated_mid_paper.txt:31",
    ]
    assert err[3] == f"error: 3 bad files; nothing was published; {out}/ is unchanged"
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


def test_command_line_logs_progress_and_writes_the_summary(
    prefect_harness: None, raw: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """It logs each stage and the parse's progress, and writes the summary with stage times."""
    summary = tmp_path / "run" / "summary.json"
    args = ["--raw", str(raw), "--out", str(tmp_path / "out"), "--summary-json", str(summary)]
    with caplog.at_level("INFO"):
        assert main(args) == 0
    logged = [r.getMessage() for r in caplog.records]
    assert "parsed 1/1 files (1,254 authorships)" in logged
    for stage in ("discover", "parse", "build tables", "validate", "publish"):
        assert any(m.startswith(f"stage {stage}: started") for m in logged), stage
        assert any(m.startswith(f"stage {stage}: done in ") for m in logged), stage
    written = json.loads(summary.read_text(encoding="utf-8"))
    assert written["published"] is True and written["parsed"] == [NSDI26.name]
    assert list(written["stages"]) == [
        "parse",
        "normalize",
        "resolve",
        "validate",
        "write",
        "report",
    ]
    assert written["stages"]["parse"]["items"] == 1254


def test_a_no_change_run_shows_what_it_checked_and_repairs_out(
    prefect_harness: None, raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A no-change run leaves a "no-change" artifact saying what it checked; a damaged out/ is
    repaired and the command line says what was."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        TaskRunFilter,
    )
    from prefect.client.schemas.sorting import ArtifactSort

    out = tmp_path / "out"
    assert main(["--raw", str(raw), "--out", str(out)]) == 0
    (out / "parquet" / "papers.parquet").unlink()
    capsys.readouterr()
    assert main(["--raw", str(raw), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert (
        "repaired: out/parquet/papers.parquet: missing; restored from out/releases/r0001/, "
        "byte-identical to the manifest"
    ) in printed.splitlines()
    assert (out / "parquet" / "papers.parquet").is_file()
    release = build_dataset(raw_dir=str(raw), out_dir=str(out))
    assert not release.published and release.repaired == []

    async def notes() -> list[str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["no-change"])),
                # Empty filters spelled out: this server rejects them as null.
                flow_run_filter=FlowRunFilter(),
                task_run_filter=TaskRunFilter(),
                sort=ArtifactSort.KEY_ASC,
                limit=50,
            )
        return [str(a.data) for a in found]

    texts = asyncio.run(notes())
    assert any(
        "# No change: release r0001" in text
        and "- out/: 31 files and manifest.json match the manifest of release r0001" in text
        and "Repaired" not in text
        for text in texts
    ), texts
    assert any("- out/parquet/papers.parquet: missing; restored from" in text for text in texts)


def test_command_line_refuses_an_out_that_is_not_a_release(
    prefect_harness: None, raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """OUT=a folder of the user's: exit 2 (usage) before Prefect starts; the folder is as it was."""
    out = tmp_path / "dir"
    out.mkdir()
    (out / "thesis.txt").write_text("mine\n", encoding="utf-8")
    assert main(["--raw", str(raw), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}:0: expected a release folder this pipeline wrote" in err
    assert "error: the out folder is not a release of this pipeline; nothing was published" in err
    assert "thesis.txt" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["thesis.txt"]
