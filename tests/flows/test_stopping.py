"""Stopping a run: signals, the flow's timeout and SIGKILL, on real runs of the command line.

A run pauses in the middle of parsing (``CONFDATA_TEST_PAUSE_AT=parse:600``: the
pause sits on the parse batch's thread, as a long parse would) and is stopped
there. It must end long before the pause would (the tests wait at most
``cli_runs.WAIT``), exit 130 / 143 / 124 with one line saying so and that out/
is unchanged, print no traceback, leave out/ exactly as it was and leave no
process behind: not its Prefect server, even when it is killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from confdata.run import state as run_state
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW
from tests.flows.cli_runs import CliRun, assert_gone, process_tree, snapshot

pytestmark = pytest.mark.flow

CV = RAW / "alireza-farshin-cv.txt"
PAUSED = "paused at parse"


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("released")
    (folder / "raw").mkdir()
    (folder / "raw" / NSDI26.name).write_bytes(NSDI26.read_bytes())
    assert run_pipeline(folder / "raw", folder / "out").version == "r0001"
    return folder


@pytest.fixture()
def released(first_release: Path, tmp_path: Path) -> tuple[Path, Path]:
    """``tmp_path/raw`` (the page and a CV: a new release is due) and ``tmp_path/out`` at r0001."""
    raw = tmp_path / "raw"
    shutil.copytree(first_release / "raw", raw)
    (raw / CV.name).write_bytes(CV.read_bytes())
    for name in ("out", ".out.cache"):
        shutil.copytree(first_release / name, tmp_path / name)
    return raw, tmp_path / "out"


@pytest.fixture()
def runs() -> Iterator[list[CliRun]]:
    """Every run a test starts, killed at the end with whatever it started."""
    started: list[CliRun] = []
    yield started
    for run in started:
        below = process_tree(run.proc.pid)
        run.kill()
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def leftovers(tmp_path: Path) -> list[str]:
    """What lies beside out/ but the release, the raw folder, the cache and the runs' logs."""
    return sorted(
        p.name
        for p in tmp_path.iterdir()
        if p.name not in {"out", "raw", ".out.cache"} and p.suffix not in {".out", ".err"}
    )


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_parse_stops_the_run_at_once_and_says_so(
    sig: int,
    code: int,
    released: tuple[Path, Path],
    prefect_home: Path,
    tmp_path: Path,
    runs: list[CliRun],
) -> None:
    """It used to exit 0 or -2 after the 60 s pause, with a traceback, leaving its server."""
    raw, out = released
    before = snapshot(out)
    run = CliRun(
        tmp_path,
        "stopped",
        ["--raw", str(raw), "--out", str(out)],
        prefect_home,
        env={run_state.PAUSE_ENV: "parse:600"},
    )
    runs.append(run)
    run.wait_for(PAUSED)
    below = process_tree(run.proc.pid)
    assert below, "the run has its temporary Prefect server"
    run.send(sig)
    assert run.finish() == code, run.err()
    name = signal.Signals(sig).name
    assert run.last_line() == f"stopped by {name}; nothing was published; {out}/ is unchanged"
    assert "Traceback" not in run.err()
    assert snapshot(out) == before
    assert_gone(below)
    assert leftovers(tmp_path) == []


def test_the_flow_timeout_is_one_line_and_a_non_zero_exit(
    released: tuple[Path, Path], prefect_home: Path, tmp_path: Path, runs: list[CliRun]
) -> None:
    """``CONFDATA_FLOW_TIMEOUT_SECONDS`` passed mid-parse: exit 124, one line; it used to be a traceback."""
    raw, out = released
    before = snapshot(out)
    run = CliRun(
        tmp_path,
        "timed-out",
        ["--raw", str(raw), "--out", str(out)],
        prefect_home,
        env={run_state.PAUSE_ENV: "parse:600", "CONFDATA_FLOW_TIMEOUT_SECONDS": "4"},
    )
    runs.append(run)
    assert run.finish() == 124, run.err()
    assert PAUSED in run.err()
    assert run.last_line() == (
        "stopped: the run exceeded CONFDATA_FLOW_TIMEOUT_SECONDS=4 s; "
        f"nothing was published; {out}/ is unchanged"
    )
    assert "Traceback" not in run.err()
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_killed_run_takes_its_prefect_server_with_it(
    released: tuple[Path, Path], prefect_home: Path, tmp_path: Path, runs: list[CliRun]
) -> None:
    """SIGKILL leaves the run no time to stop its server: the kernel must (it used to survive)."""
    raw, out = released
    before = snapshot(out)
    run = CliRun(
        tmp_path,
        "killed",
        ["--raw", str(raw), "--out", str(out)],
        prefect_home,
        env={run_state.PAUSE_ENV: "parse:600"},
    )
    runs.append(run)
    run.wait_for(PAUSED)
    below = process_tree(run.proc.pid)
    assert below, "the run has its temporary Prefect server"
    run.kill()
    assert_gone(below)
    assert snapshot(out) == before
    # The killed run's work folder is left for the next run's clean-up, as after any crash.
    assert leftovers(tmp_path) == [".out.lock", f".out.work-{run.proc.pid}"]
