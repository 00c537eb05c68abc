"""The command line (``python -m flows.build``) run in a subprocess, as a user or a scheduler runs it.

Each run gets the environment of the tests without ``PREFECT_API_URL`` (so it
starts its own temporary Prefect server), with the ``PREFECT_HOME`` it is
given, and its stdout and stderr in files. Every wait has a timeout.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from confdata.run import state as run_state
from tests.conftest import ROOT

WAIT = (
    180.0  # seconds: the longest any step waits for a run (a loaded machine starts Prefect slowly)
)
TEMPORARY_SERVER = "Starting temporary server"  # what Prefect logs as it starts one


def cli_env(prefect_home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a run: the tests' own, its own Prefect home, no Prefect API set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {run_state.PAUSE_ENV, "PREFECT_API_URL", "CONFDATA_FLOW_TIMEOUT_SECONDS"}
    }
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="150",
        PREFECT_LOGGING_EXTRA_LOGGERS="confdata",
        PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW="ignore",
    )
    env.update(extra or {})
    return env


class CliRun:
    """One ``python -m flows.build`` in a subprocess."""

    def __init__(
        self,
        tmp: Path,
        name: str,
        args: Sequence[str],
        prefect_home: Path,
        env: Mapping[str, str] | None = None,
        prefix: Sequence[str] = (),
    ) -> None:
        self.stdout, self.stderr = tmp / f"{name}.out", tmp / f"{name}.err"
        with self.stdout.open("wb") as so, self.stderr.open("wb") as se:
            self.proc = subprocess.Popen(
                [*prefix, sys.executable, "-m", "flows.build", *args],
                cwd=ROOT,
                env=cli_env(prefect_home, env),
                stdout=so,
                stderr=se,
            )

    def err(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def out(self) -> str:
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    def last_line(self) -> str:
        """The last line the run printed on stderr that is not one of Prefect's log lines."""
        lines = [line for line in self.err().splitlines() if " | " not in line[:30]]
        return lines[-1] if lines else ""

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

    def finish(self, timeout: float = WAIT) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the run did not end within {timeout} s:\n{self.err()}")

    def send(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=WAIT)


def process_tree(pid: int) -> list[int]:
    """The processes below ``pid`` (from ``/proc/<pid>/task/*/children``)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                kids = [int(c) for c in children.read_text().split()]
                found.extend(kids)
                todo.extend(kids)
    return found


def wait_gone(pids: Sequence[int], timeout: float = 30.0) -> list[int]:
    """Wait until none of ``pids`` runs (a zombie counts as gone); return those still running."""
    deadline = time.monotonic() + timeout
    alive = [p for p in pids if run_state.pid_alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if run_state.pid_alive(p)]
    return alive


def assert_gone(pids: Sequence[int], timeout: float = 30.0) -> None:
    """Assert that none of ``pids`` is still running; kill the survivors first (no orphan stays)."""
    alive = wait_gone(pids, timeout)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert alive == [], f"still running after {timeout:g} s (now killed): {alive}"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of a folder with its SHA-256 (empty when the folder does not exist)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
