"""The flow's task runners: the same release whether parsed in-process, in worker processes or on Dask.

The Dask tests start a ``distributed.LocalCluster`` of two worker processes
and pass its scheduler's address, as a user with a running cluster would. The
workers are separate processes: their task runs must reach the session's
Prefect test server (the flow hands them its API URL), so the test reads the
parse task runs back from that server.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import flows.build
from confdata.errors import RawInputError, problems_of
from flows.build import build_dataset
from tests.conftest import FIXTURES, NSDI26, RAW

pytestmark = pytest.mark.flow

CV = RAW / "alireza-farshin-cv.txt"
TRUNCATED = FIXTURES / "programs" / "truncated_mid_paper.txt"


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    """A local Dask cluster (two worker processes, one thread each): its scheduler's address."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture()
def corpus(raw: Path) -> Path:
    """The NSDI '26 page, the CV, and a second program (the page renamed to NSDI '25)."""
    (raw / CV.name).write_bytes(CV.read_bytes())
    text = NSDI26.read_text(encoding="utf-8").replace("NSDI '26", "NSDI '25")
    (raw / "nsdi25-copy.txt").write_text(text, encoding="utf-8")
    return raw


def published_files(out: Path) -> dict[str, str]:
    """Every file of the release and its SHA-256, from its manifest (run times left out)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {path: facts["sha256"] for path, facts in manifest["files"].items()}


def run(raw: Path, out: Path, **options: Any) -> tuple[Any, uuid.UUID]:
    state = build_dataset(raw_dir=str(raw), out_dir=str(out), return_state=True, **options)
    return state.result(), state.state_details.flow_run_id


def task_runs(flow_run_id: uuid.UUID) -> list[tuple[str, str]]:
    """The (task name, state) of every task run of a flow run, read from the Prefect server."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    # Plain HTTP with the filters spelled out (this server rejects null ones).
    response = httpx.post(
        f"{PREFECT_API_URL.value().rstrip('/')}/task_runs/filter",
        json={
            "flow_runs": {"id": {"any_": [str(flow_run_id)]}},
            "sort": "EXPECTED_START_TIME_ASC",
            "limit": 200,
            "offset": 0,
        },
        timeout=30,
    )
    response.raise_for_status()
    return sorted((r["name"].rsplit("-", 1)[0], r["state_name"]) for r in response.json())


def test_dask_publishes_the_same_files_as_the_local_runner(
    prefect_harness: None, dask_address: str, corpus: Path, tmp_path: Path
) -> None:
    """Parsed on two Dask worker processes, the release is byte for byte the local one."""
    local, _ = run(corpus, tmp_path / "local" / "out")
    on_dask, flow_run_id = run(
        corpus, tmp_path / "dask" / "out", task_runner="dask", dask_address=dask_address
    )
    assert local.published and on_dask.published
    files = published_files(tmp_path / "local" / "out")
    assert any(p.endswith(".parquet") for p in files) and any(p.endswith(".csv") for p in files)
    assert published_files(tmp_path / "dask" / "out") == files
    assert on_dask.row_counts == local.row_counts
    # The workers' task runs reached this session's Prefect server: three files, three
    # batches (two workers, up to four batches each), all completed.
    parses = [r for r in task_runs(flow_run_id) if r[0] == "parse_batch"]
    assert parses == [("parse_batch", "Completed")] * 3
    # The summary has every stage's figures; parsing is discovery and one piece per batch.
    assert set(on_dask.stages) == {"parse", "normalize", "resolve", "validate", "write", "report"}
    assert on_dask.stages["parse"]["pieces"] == 1 + 3


def test_worker_processes_publish_the_same_files_as_the_flows_process(
    prefect_harness: None, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local runner's process pool (used for big corpora) gives the same release too."""
    in_process, _ = run(corpus, tmp_path / "inline" / "out")
    monkeypatch.setattr(flows.build, "use_processes", lambda weight, cores: True)
    pooled, flow_run_id = run(corpus, tmp_path / "pool" / "out")
    assert published_files(tmp_path / "pool" / "out") == published_files(
        tmp_path / "inline" / "out"
    )
    assert pooled.row_counts == in_process.row_counts
    parses = [r for r in task_runs(flow_run_id) if r[0] == "parse_batch"]
    assert parses == [("parse_batch", "Completed")] * 3


def test_a_bad_file_in_a_batch_on_dask_is_skipped_and_reported(
    prefect_harness: None, dask_address: str, corpus: Path, tmp_path: Path
) -> None:
    """With skip_bad_files, a file failing to parse on a worker is left out and listed."""
    (corpus / TRUNCATED.name).write_bytes(TRUNCATED.read_bytes())
    release, _ = run(
        corpus,
        tmp_path / "out",
        skip_bad_files=True,
        task_runner="dask",
        dask_address=dask_address,
    )
    assert release.published
    assert [s.split(":")[:2] for s in release.skipped] == [[TRUNCATED.name, "31"]]
    assert sorted(release.parsed) == sorted(["nsdi25-copy.txt", CV.name, NSDI26.name])
    report = json.loads((tmp_path / "out" / "quality" / "report.json").read_text("utf-8"))
    assert report["issues"][0]["code"] == "skipped-bad-file"


def test_without_skip_bad_files_a_batched_run_stops_at_the_first_bad_file(
    prefect_harness: None, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every bad file is logged, then all stop the run together; nothing is published."""
    (corpus / "a-truncated.txt").write_bytes(TRUNCATED.read_bytes())
    (corpus / "z-truncated.txt").write_bytes(TRUNCATED.read_bytes())
    with pytest.raises(RawInputError) as err:
        build_dataset(raw_dir=str(corpus), out_dir=str(tmp_path / "out"))
    assert (err.value.path, err.value.line) == ("a-truncated.txt", 31)
    assert [p.path for p in problems_of(err.value)] == ["a-truncated.txt", "z-truncated.txt"]
    logged = [r.getMessage() for r in caplog.records if r.name == "confdata.run.steps"]
    assert any("a-truncated.txt:31" in m for m in logged)
    assert any("z-truncated.txt:31" in m for m in logged)
    assert not (tmp_path / "out").exists()


def test_the_runner_is_checked(prefect_harness: None, raw: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dask_address"):
        build_dataset(
            raw_dir=str(raw), out_dir=str(tmp_path / "out"), dask_address="tcp://127.0.0.1:1"
        )
