"""Stopping ``make serve`` (``python -m flows.serve --start-server``), a real one, by signal.

SIGINT and SIGTERM stop it the same way: the schedule paused, the Prefect
server it started stopped, one line saying so, exit 130 / 143, no traceback.
SIGINT works even when the process was started with it ignored (a job that a
shell script puts in the background is). SIGKILL takes its server with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NSDI26, ROOT
from tests.flows.cli_runs import WAIT, assert_gone, cli_env, process_tree

pytestmark = pytest.mark.flow

SERVING = "serving build-confdata/daily"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    """``python -m flows.serve --start-server`` on a free port, its output in a file."""

    def __init__(self, tmp: Path, ignore_sigint: bool = False) -> None:
        raw = tmp / "raw"
        raw.mkdir()
        (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
        env = cli_env(
            tmp / "prefect-home", {"PREFECT_API_URL": f"http://127.0.0.1:{_free_port()}/api"}
        )
        self.log = tmp / "serve.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flows.serve", "--raw", str(raw), "--out", str(tmp / "out")]
                + ["--start-server"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # As `make serve &` in a script starts it: SIGINT ignored from the start.
                preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
                if ignore_sigint
                else None,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_serving(self) -> None:
        deadline = time.monotonic() + WAIT
        while SERVING not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"not serving ({self.proc.poll()}):\n{self.text()}")
            time.sleep(0.1)


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[list[Serve]]:
    started: list[Serve] = []
    yield started
    for serve in started:
        below = process_tree(serve.proc.pid)
        if serve.proc.poll() is None:
            serve.proc.kill()
            serve.proc.wait(timeout=WAIT)
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    ("sig", "code", "ignore_sigint"),
    [(signal.SIGINT, 130, True), (signal.SIGTERM, 143, False)],
    ids=["sigint-while-started-ignoring-it", "sigterm"],
)
def test_serve_stops_cleanly_on_a_signal(
    sig: int, code: int, ignore_sigint: bool, tmp_path: Path, served: list[Serve]
) -> None:
    """It used to ignore SIGINT, and to print "coroutine 'Runner.astop' was never awaited" on SIGTERM."""
    serve = Serve(tmp_path, ignore_sigint)
    served.append(serve)
    serve.wait_serving()
    below = process_tree(serve.proc.pid)
    assert below, "serve started a Prefect server"
    serve.proc.send_signal(sig)
    try:
        assert serve.proc.wait(timeout=60) == code, serve.text()
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"serve did not stop within 60 s of {signal.Signals(sig).name}:\n{serve.text()}"
        )
    text = serve.text()
    assert (
        f"stopped by {signal.Signals(sig).name}: the schedule of build-confdata/daily is paused"
        in text
    )
    assert "All deployments have been paused!" in text
    assert "Traceback" not in text and "never awaited" not in text
    assert_gone(below)


def test_a_killed_serve_takes_its_prefect_server_with_it(
    tmp_path: Path, served: list[Serve]
) -> None:
    serve = Serve(tmp_path)
    served.append(serve)
    serve.wait_serving()
    below = process_tree(serve.proc.pid)
    assert below, "serve started a Prefect server"
    serve.proc.kill()
    serve.proc.wait(timeout=WAIT)
    assert_gone(below)
