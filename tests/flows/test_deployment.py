"""The scheduled deployment of the flow: its definition, and a run triggered through it.

The run test registers the deployment on the session-wide Prefect test server,
starts a Prefect ``Runner`` that serves it in a background thread (what
``make serve`` does, minus the server), triggers a run by hand as a user
would (``prefect deployment run``), and waits for it. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from confdata.errors import RawInputError
from flows.build import (
    DEFAULT_TIMEOUT_SECONDS,
    TIMEOUT_ENV,
    build_dataset,
    discover_sources,
    flow_timeout_seconds,
    parse_batch,
    publish,
    retry_unless_bad_input,
    validate,
)
from flows.serve import DEFAULT_CRON, DEPLOYMENT_NAME, build_deployment, server_answers
from tests.conftest import FIXTURES, NSDI26, RAW

RUN_TIMEOUT_SECONDS = 90  # the run itself takes ~10 s here
RUNNER_STOP_TIMEOUT_SECONDS = 20


def test_deployment_is_daily_with_the_raw_and_out_folders(tmp_path: Path) -> None:
    """It runs build-confdata every day at a fixed time, on the folders it was given."""
    from cronsim import CronSim

    deployment = build_deployment(raw_dir=RAW, out_dir=tmp_path / "out")
    assert deployment.flow_name == "build-confdata"
    assert deployment.name == DEPLOYMENT_NAME == "daily"
    assert deployment.parameters == {"raw_dir": str(RAW), "out_dir": str(tmp_path / "out")}
    [schedule] = deployment.schedules
    assert schedule.active
    assert schedule.schedule.cron == DEFAULT_CRON
    assert schedule.schedule.timezone == "UTC"
    fires = CronSim(DEFAULT_CRON, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    first, second, third = next(fires), next(fires), next(fires)
    assert second - first == third - second == dt.timedelta(days=1)
    # The runner imports the flow by module, whatever its working directory.
    assert deployment.entrypoint == "flows.build.build_dataset"
    assert deployment.concurrency_limit == 1
    assert set(deployment._parameter_openapi_schema.properties) == {
        "raw_dir",
        "out_dir",
        "skip_bad_files",
        "task_runner",
        "dask_address",
        "licence",
    }


def test_default_parameters_are_the_repository_folders_made_absolute() -> None:
    deployment = build_deployment()
    assert deployment.parameters == {
        "raw_dir": str(Path("raw").resolve()),
        "out_dir": str(Path("out").resolve()),
    }


def test_flow_has_a_timeout_configurable_by_environment() -> None:
    assert flow_timeout_seconds({}) == DEFAULT_TIMEOUT_SECONDS == 3600
    assert flow_timeout_seconds({TIMEOUT_ENV: " 600 "}) == 600
    for bad in ("0", "-5", "1h", "1.5"):
        with pytest.raises(ValueError, match=TIMEOUT_ENV):
            flow_timeout_seconds({TIMEOUT_ENV: bad})
    assert build_dataset.timeout_seconds == flow_timeout_seconds()


def test_only_the_tasks_that_touch_the_users_folders_retry() -> None:
    assert discover_sources.retries == publish.retries == 2
    assert parse_batch.retries == validate.retries == 0


@pytest.mark.flow
def test_a_bad_raw_file_is_not_retried_but_an_io_error_is(
    prefect_harness: None, tmp_path: Path
) -> None:
    """A file that cannot be read as text fails once; a flaky read is tried again."""
    from prefect import flow
    from prefect.states import Failed

    assert not retry_unless_bad_input(None, None, Failed(data=RawInputError("x.txt", 1, "text")))
    assert retry_unless_bad_input(None, None, Failed(data=OSError("stale file handle")))

    raw = tmp_path / "raw"
    raw.mkdir()
    bad = FIXTURES / "programs" / "latin1_encoded.txt"
    (raw / bad.name).write_bytes(bad.read_bytes())
    work = tmp_path / "work"
    work.mkdir()

    @flow
    def discover_only() -> object:
        state = discover_sources(raw, work, return_state=True)
        assert state.is_failed()
        return state.state_details.task_run_id

    task_run_id = discover_only()
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        assert client.read_task_run(task_run_id).run_count == 1


def test_no_server_answers_on_a_closed_port() -> None:
    assert not server_answers("http://127.0.0.1:9/api", timeout=0.5)


@pytest.mark.flow
def test_the_server_schedules_a_run_every_day_at_three(
    prefect_harness: None, tmp_path: Path
) -> None:
    """The server turns the deployment's schedule into runs: one a day at 03:00 UTC."""
    from prefect.settings import PREFECT_API_URL

    api = PREFECT_API_URL.value()
    deployment = build_deployment(
        raw_dir=RAW, out_dir=tmp_path / "out", name=f"sched-{uuid.uuid4().hex[:8]}"
    )
    deployment_id = str(deployment.apply())
    # What the server's scheduler service does every minute, asked for right now.
    httpx.post(
        f"{api}/deployments/{deployment_id}/schedule",
        json={"min_runs": 3, "max_runs": 3},
        timeout=30,
    ).raise_for_status()
    # Plain HTTP: filters left out entirely (this server rejects null or empty ones).
    response = httpx.post(
        f"{api}/flow_runs/filter",
        json={
            "deployments": {"id": {"any_": [deployment_id]}},
            "sort": "EXPECTED_START_TIME_ASC",
            "limit": 10,
            "offset": 0,
        },
        timeout=30,
    )
    response.raise_for_status()
    runs = response.json()
    starts = [dt.datetime.fromisoformat(r["expected_start_time"]) for r in runs]
    assert len(starts) == 3 and all(r["state_name"] == "Scheduled" for r in runs)
    assert all((t.hour, t.minute) == (3, 0) and t.utcoffset() == dt.timedelta(0) for t in starts)
    assert starts[2] - starts[1] == starts[1] - starts[0] == dt.timedelta(days=1)
    assert runs[0]["parameters"] == deployment.parameters


@contextmanager
def served(deployment: object) -> Iterator[None]:
    """Serve ``deployment`` with a Prefect Runner in a background thread while the block runs.

    The runner polls every second and runs one flow run at a time in a
    subprocess, as ``flows.serve`` does. On exit it is stopped and joined
    (bounded); a runner that fails to start fails the test.
    """
    from prefect.runner import Runner

    runner = Runner(name=f"test-{uuid.uuid4().hex[:8]}", query_seconds=1, limit=1)
    runner.pause_on_shutdown = False
    started, stop = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    async def serve_until_stopped() -> None:
        await runner.aadd_deployment(deployment)  # type: ignore[arg-type]
        task = asyncio.create_task(runner.start())
        while not runner.started and not task.done():
            await asyncio.sleep(0.1)
        started.set()
        while not stop.is_set() and not task.done():
            await asyncio.sleep(0.2)
        if runner.started:
            await runner.astop()
        await asyncio.wait_for(task, RUNNER_STOP_TIMEOUT_SECONDS)

    def target() -> None:
        try:
            asyncio.run(serve_until_stopped())
        except BaseException as err:  # reported by the test thread
            errors.append(err)
        finally:
            started.set()

    thread = threading.Thread(target=target, name="deployment-runner", daemon=True)
    thread.start()
    try:
        assert started.wait(60), "the runner did not start within 60 s"
        assert not errors, f"the runner failed: {errors!r}"
        yield
    finally:
        stop.set()
        thread.join(RUNNER_STOP_TIMEOUT_SECONDS + 10)
    assert not thread.is_alive(), "the runner did not stop"
    assert not errors, f"the runner failed: {errors!r}"


def wait_for_final_state(flow_run_id: uuid.UUID, timeout: float) -> object:
    """Poll the flow run until it reaches a final state; fail after ``timeout`` seconds."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(flow_run_id).state
            if state is not None and state.is_final():
                return state
            if time.monotonic() > deadline:
                pytest.fail(f"the flow run is still {state and state.name} after {timeout} s")
            time.sleep(1)


@pytest.mark.flow
def test_a_run_triggered_through_the_deployment_publishes_a_release(
    prefect_harness: None, tmp_path: Path
) -> None:
    """A run started by hand on the served deployment completes and publishes to its out folder."""
    from prefect.deployments import run_deployment

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    out = tmp_path / "out"
    name = f"test-{uuid.uuid4().hex[:8]}"
    deployment = build_deployment(raw_dir=raw, out_dir=out, name=name)

    with served(deployment):
        # `prefect deployment run 'build-confdata/<name>'`: create the run, do not wait here.
        flow_run = run_deployment(f"build-confdata/{name}", timeout=0, as_subflow=False)
        state = wait_for_final_state(flow_run.id, RUN_TIMEOUT_SECONDS)

    assert state.is_completed(), f"the flow run ended {state.name}: {state.message}"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "r0001"
    assert (out / "releases" / "r0001" / "parquet" / "papers.parquet").is_file()
    assert (out / "quality" / "report.html").is_file()
