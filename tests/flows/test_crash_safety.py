"""Crash safety and the run lock, with real runs killed (SIGKILL) at chosen points.

A run in a subprocess pauses at a named point (``CONFDATA_TEST_PAUSE_AT``, see
``confdata.run.state.pause_point``) and is killed there; ``out/`` must then be
exactly the previous release or exactly the new one, pass ``check_release``,
and the next run must succeed and leave nothing stale behind. Every wait here
has a timeout.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from confdata.publish.check import check_release
from confdata.run import state as run_state
from confdata.run.steps import RunLocked, recover, run_pipeline
from tests.conftest import NSDI26, RAW, ROOT

CV = RAW / "alireza-farshin-cv.txt"
WAIT = 90.0  # seconds: the longest any step of these tests waits for a subprocess

RUN = """
import sys
from pathlib import Path
from confdata.run import io
from confdata.run.steps import run_pipeline
if sys.argv[4] == "fallback":
    io._exchange = lambda a, b: False  # as on a kernel without renameat2(RENAME_EXCHANGE)
r = run_pipeline(Path(sys.argv[1]), Path(sys.argv[2]), lock_timeout=float(sys.argv[3]))
print("done", r.version, r.published, ",".join(r.parsed), ",".join(r.cached), flush=True)
"""


class Run:
    """A pipeline run in a subprocess, its stdout and stderr in files."""

    def __init__(
        self,
        tmp: Path,
        name: str,
        raw: Path,
        out: Path,
        *,
        pause: str | None = None,
        lock_timeout: float = 60,
        swap: str = "exchange",
    ) -> None:
        env = {k: v for k, v in os.environ.items() if k != run_state.PAUSE_ENV}
        if pause:
            env[run_state.PAUSE_ENV] = pause
        self.stdout, self.stderr = tmp / f"{name}.out", tmp / f"{name}.err"
        with self.stdout.open("wb") as so, self.stderr.open("wb") as se:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", RUN, str(raw), str(out), str(lock_timeout), swap],
                cwd=ROOT,
                env=env,
                stdout=so,
                stderr=se,
            )

    def err(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def out(self) -> str:
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout: float = WAIT) -> None:
        """Wait until the run says ``text`` on stderr; fail if it ends or takes too long."""
        deadline = time.monotonic() + timeout
        while text not in self.err():
            if self.proc.poll() is not None:
                pytest.fail(
                    f"the run ended ({self.proc.returncode}) before {text!r}:\n{self.err()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"no {text!r} after {timeout} s:\n{self.err()}")
            time.sleep(0.05)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=WAIT)

    def finish(self) -> int:
        return self.proc.wait(timeout=WAIT)


@pytest.fixture()
def runs() -> Iterator[list[Run]]:
    """Every subprocess a test starts, killed at the end whatever happened."""
    started: list[Run] = []
    yield started
    for run in started:
        if run.proc.poll() is None:
            run.kill()


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(tmp_path: Path) -> list[str]:
    """What lies beside out/ but the release, the raw folder, the cache and the test's logs."""
    found = [
        p.name
        for p in tmp_path.iterdir()
        if p.name not in {"out", "raw", ".out.cache"} and p.suffix not in {".out", ".err"}
    ]
    cache = tmp_path / ".out.cache"
    found += [f".out.cache/{p.name}" for p in cache.glob(".tmp-*")] if cache.is_dir() else []
    return sorted(found)


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / NSDI26.name).write_bytes(NSDI26.read_bytes())
    return folder


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Release r0001 of NSDI26 alone, with its parse cache, built once for the module."""
    folder = tmp_path_factory.mktemp("first")
    (folder / "raw").mkdir()
    (folder / "raw" / NSDI26.name).write_bytes(NSDI26.read_bytes())
    assert run_pipeline(folder / "raw", folder / "out").version == "r0001"
    return folder


@pytest.fixture()
def released(raw: Path, tmp_path: Path, first_release: Path) -> Path:
    """``tmp_path/out`` holding r0001 (and ``.out.cache``), as if a run had just published it."""
    for name in ("out", ".out.cache"):
        shutil.copytree(first_release / name, tmp_path / name)
    return tmp_path / "out"


# stage -> (what out/ holds right after the kill, what the killed run left behind)
STAGES = {
    "parse": ("previous", ".out.work-"),
    "cache": ("previous", ".out.cache/.tmp-"),
    "write": ("previous", ".out.staging-"),
    "swap-before": ("previous", ".out.staging-"),
    "swap-after": ("new", ".out.staging-"),
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_run_killed_at_any_stage_leaves_a_whole_release(
    stage: str, raw: Path, released: Path, tmp_path: Path, runs: list[Run]
) -> None:
    """It leaves out/ at the previous or the new release, and the next run cleans up."""
    out = released
    previous = snapshot(out)
    (raw / CV.name).write_bytes(CV.read_bytes())  # the new release adds a CV

    run = Run(tmp_path, "killed", raw, out, pause=stage)
    runs.append(run)
    run.wait_for(f"paused at {stage}")
    run.kill()

    holds, left = STAGES[stage]
    assert check_release(out) == []
    if holds == "previous":
        assert snapshot(out) == previous
    else:
        assert run_state.sibling(out, "lock").exists()  # the killed holder never let go
        assert (out / "releases" / "r0002").is_dir()
        assert {k: v for k, v in snapshot(out).items() if k.startswith("releases/r0001/")} == {
            k: v for k, v in previous.items() if k.startswith("releases/r0001/")
        }
    assert any(name.startswith(left) for name in leftovers(tmp_path)), leftovers(tmp_path)

    after = run_pipeline(raw, out, lock_timeout=5)  # the kernel released the killed run's lock
    assert after.version == "r0002"
    assert after.published is (holds == "previous")
    assert check_release(out) == []
    assert sorted(p.name for p in (out / "releases").iterdir()) == ["r0001", "r0002"]
    assert leftovers(tmp_path) == []


def test_a_run_killed_between_the_two_renames_of_the_fallback_swap(
    raw: Path, released: Path, tmp_path: Path, runs: list[Run]
) -> None:
    """Without an atomic exchange, a kill between the renames is undone: out/ is put back."""
    out = released
    previous = snapshot(out)
    (raw / CV.name).write_bytes(CV.read_bytes())

    run = Run(tmp_path, "killed", raw, out, pause="swap-between", swap="fallback")
    runs.append(run)
    run.wait_for("paused at swap-between")
    run.kill()
    assert not out.exists()
    pid = run.proc.pid
    assert leftovers(tmp_path) == sorted(
        [".out.lock", f".out.previous-{pid}", f".out.staging-{pid}", f".out.work-{pid}"]
    )

    # The archive had been moved into the staging folder before the swap: it goes back too.
    assert recover(out, lock_timeout=5) == [
        f"restored out/ from .out.previous-{pid}",
        f"removed .out.work-{pid}",
        f"put out/releases/ back from .out.staging-{pid} (without r0002, which was never published)",
        f"removed .out.staging-{pid}",
    ]
    assert snapshot(out) == previous
    assert run_pipeline(raw, out, lock_timeout=5).version == "r0002"
    assert check_release(out) == [] and leftovers(tmp_path) == []


def test_a_run_killed_while_the_archive_is_moved_loses_no_archived_release(
    raw: Path, released: Path, tmp_path: Path, runs: list[Run]
) -> None:
    """A kill between moving releases/ into the staging folder and the swap is undone.

    The archive is moved, not copied, at each publish; in that instant out/
    holds its whole top-level release but no releases/, and the killed run's
    staging folder holds the archive. The next run puts it back (without the
    release that was never published) and publishes.
    """
    out = released
    previous = snapshot(out)
    (raw / CV.name).write_bytes(CV.read_bytes())
    run = Run(tmp_path, "killed", raw, out, pause="archive-moved")
    runs.append(run)
    run.wait_for("paused at archive-moved")
    run.kill()
    assert not (out / "releases").exists()
    assert check_release(out) == []  # the top-level release is whole
    pid = run.proc.pid
    assert (tmp_path / f".out.staging-{pid}" / "releases.moving" / "r0001").is_dir()

    assert recover(out, lock_timeout=5) == [
        f"removed .out.work-{pid}",
        f"put out/releases/ back from .out.staging-{pid}",
        f"removed .out.staging-{pid}",
    ]
    assert snapshot(out) == previous
    assert run_pipeline(raw, out, lock_timeout=5).version == "r0002"
    assert sorted(p.name for p in (out / "releases").iterdir()) == ["r0001", "r0002"]
    assert check_release(out) == [] and leftovers(tmp_path) == []


def test_the_fallback_swap_publishes_when_not_killed(
    raw: Path, released: Path, tmp_path: Path, runs: list[Run]
) -> None:
    """It publishes by two renames where the atomic exchange is missing, leaving nothing behind."""
    out = released
    (raw / CV.name).write_bytes(CV.read_bytes())
    run = Run(tmp_path, "fallback", raw, out, swap="fallback")
    runs.append(run)
    assert run.finish() == 0, run.err()
    assert run.out().startswith("done r0002 True")
    assert check_release(out) == [] and leftovers(tmp_path) == []


def test_a_second_run_waits_for_the_first(raw: Path, tmp_path: Path, runs: list[Run]) -> None:
    """Two real runs on one out/: the second waits, then finds the first's work done."""
    out = tmp_path / "out"
    first = Run(tmp_path, "first", raw, out, pause="parse:10")
    runs.append(first)
    first.wait_for("paused at parse")
    second = Run(tmp_path, "second", raw, out, lock_timeout=WAIT)
    runs.append(second)
    second.wait_for("waiting up to")
    assert f"pid {first.proc.pid} on {socket.gethostname()}" in second.err()
    assert first.proc.poll() is None  # the first still holds the lock while the second waits

    assert first.finish() == 0, first.err()
    assert second.finish() == 0, second.err()
    assert first.out().startswith(f"done r0001 True {NSDI26.name} \n")
    # The second ran after the first had finished: it parsed nothing and published nothing.
    assert second.out().startswith(f"done r0001 False  {NSDI26.name}\n")
    assert check_release(out) == []
    assert sorted(p.name for p in (out / "releases").iterdir()) == ["r0001"]
    assert leftovers(tmp_path) == []


def test_a_second_run_stops_naming_the_holder_and_a_killed_holder_lets_go(
    raw: Path, released: Path, tmp_path: Path, runs: list[Run]
) -> None:
    """It stops after its timeout naming the holder's pid, host and start; killing the holder frees out/."""
    out = released
    previous = snapshot(out)
    (raw / CV.name).write_bytes(CV.read_bytes())
    holder = Run(tmp_path, "holder", raw, out, pause="write")
    runs.append(holder)
    holder.wait_for("paused at write")

    started = time.monotonic()
    second = Run(tmp_path, "second", raw, out, lock_timeout=1)
    runs.append(second)
    assert second.finish() == 1
    assert time.monotonic() - started < WAIT
    err = second.err()
    assert "RunLocked: another run is using " in err
    assert f"pid {holder.proc.pid} on {socket.gethostname()}, started 20" in err
    assert snapshot(out) == previous  # neither run changed out/

    holder.kill()
    assert run_pipeline(raw, out, lock_timeout=5).version == "r0002"
    assert check_release(out) == [] and leftovers(tmp_path) == []


def test_two_runs_in_one_process_exclude_each_other(raw: Path, tmp_path: Path) -> None:
    """It refuses a run while another run of this same process holds the lock."""
    out = tmp_path / "out"
    with (
        run_state.hold_lock(run_state.sibling(out, "lock")),
        pytest.raises(RunLocked, match=f"pid {os.getpid()} on "),
    ):
        run_pipeline(raw, out, lock_timeout=0.3)
    assert not out.exists()
    assert run_pipeline(raw, out, lock_timeout=0).version == "r0001"
    assert leftovers(tmp_path) == []
