"""Serve the flow ``build-confdata`` as a scheduled Prefect deployment (daily by default).

``make serve`` runs ``python -m flows.serve --start-server``: it starts a Prefect
server on ``$PREFECT_API_URL`` when none answers there (and stops it on exit),
registers the deployment ``build-confdata/daily`` with its schedule and its
parameters (the raw and out folders), and executes its runs, scheduled or
triggered by hand (``prefect deployment run 'build-confdata/daily'``), until
stopped with Ctrl-C or SIGTERM (both the same way: the schedule is paused, the
server it started is stopped, one line says so, exit 130 / 143). Runs, their
logs and artifacts show in the Prefect UI.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prefect.deployments.runner import EntrypointType
from prefect.exceptions import TerminationSignal
from prefect.runner import Runner
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL

from confdata.run.state import BadSetting
from flows.build import TIMEOUT_ENV, build_dataset
from flows.settings import flow_timeout_seconds
from flows.stopping import Stopped, dying_with_this_process, exit_code

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

DEPLOYMENT_NAME = "daily"
# Every day at 03:00 (in DEFAULT_TIMEZONE): the raw folder is rebuilt once a day.
DEFAULT_CRON = "0 3 * * *"
DEFAULT_TIMEZONE = "UTC"
SERVER_STARTUP_TIMEOUT_SECONDS = 120


def build_deployment(
    raw_dir: str | Path = "raw",
    out_dir: str | Path = "out",
    *,
    name: str = DEPLOYMENT_NAME,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
) -> RunnerDeployment:
    """Return the deployment of ``build-confdata``: its schedule and default parameters.

    The folders are made absolute here, so a run reads and writes the same
    folders whatever directory the process that executes it starts in. At most
    one run of the deployment executes at a time (later ones wait), so a run
    started by hand never overlaps the scheduled one on the same ``out_dir``.
    """
    return build_dataset.to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters={
            "raw_dir": str(Path(raw_dir).resolve()),
            "out_dir": str(Path(out_dir).resolve()),
        },
        concurrency_limit=1,
        description=(
            "Build the confdata release from the raw folder and publish it to the out folder "
            f"(schedule: cron {cron!r}, {timezone})."
        ),
        tags=["confdata"],
        # Runs import flows.build as a module, so they do not depend on the working directory.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def server_answers(api_url: str, timeout: float = 2.0) -> bool:
    """Return whether a Prefect API answers its health check at ``api_url``."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (OSError, ValueError):  # URLError is an OSError
        return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _stop(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """Stop the server we started: its whole process group (it was given its own), then wait."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def local_server(
    api_url: str, timeout: float = SERVER_STARTUP_TIMEOUT_SECONDS, log_path: Path | None = None
) -> Iterator[None]:
    """Make sure a Prefect server answers at ``api_url`` while the block runs.

    A server already answering is used as it is and left running. Otherwise a
    ``prefect server start`` is launched on the URL's host and port (loopback
    only), waited for (at most ``timeout`` seconds) and stopped when the block
    exits, however it exits.

    Raises:
        SystemExit: When the URL is not local, or the server exits or does not
            answer in time (the message quotes the end of its log).
    """
    if server_answers(api_url):
        print(f"using the Prefect server that answers at {api_url}")
        yield
        return
    url = urlsplit(api_url)
    host, port = url.hostname or "", url.port or 4200
    if not _is_loopback(host):
        raise SystemExit(f"error: no Prefect server answers at {api_url}, and it is not local")
    log_path = log_path or Path(tempfile.gettempdir()) / f"confdata-prefect-server-{port}.log"
    print(f"starting a Prefect server on {host}:{port} (log: {log_path})")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            # Killed by the kernel if we are (SIGKILL), so it never outlives `make serve`.
            dying_with_this_process(
                [
                    sys.executable,
                    "-m",
                    "prefect",
                    "server",
                    "start",
                    "--host",
                    host,
                    "--port",
                    str(port),
                ]
            ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # This machine may have no internet: no analytics calls from the server.
            env={"PREFECT_SERVER_ANALYTICS_ENABLED": "false", **os.environ},
            # Its own process group: Ctrl-C reaches us, and we stop the server after the runner.
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while not server_answers(api_url):
            if process.poll() is not None or time.monotonic() > deadline:
                what = (
                    "exited" if process.poll() is not None else f"did not answer in {timeout:g} s"
                )
                tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
                raise SystemExit(
                    f"error: the Prefect server {what}; end of {log_path}:\n  " + "\n  ".join(tail)
                )
            time.sleep(1)
        print(f"Prefect server ready: UI on {url.scheme}://{url.netloc}")
        yield
    finally:
        print("stopping the Prefect server")
        _stop(process)


class _Runner(Runner):
    """Prefect's runner, stopped by SIGTERM exactly as by Ctrl-C.

    Prefect 3.8.8's own SIGTERM handler calls the coroutine ``Runner.stop``
    without awaiting it and exits 0 from inside the event loop ("coroutine
    'Runner.astop' was never awaited", then exception groups). Here SIGTERM
    raises SIGINT instead, so the runner shuts down as on Ctrl-C: asyncio
    cancels it and it pauses its schedule, as it does on Ctrl-C.
    """

    stopped_by: int = signal.SIGINT
    serving = False  # set once the runner is up: polling, its schedule active
    announce = ""  # printed then

    def handle_sigterm(self, *args: object, **kwargs: object) -> None:
        self.stopped_by = signal.SIGTERM
        signal.raise_signal(signal.SIGINT)

    async def __aenter__(self) -> _Runner:
        entered = await super().__aenter__()
        self.serving = True
        if self.announce:
            print(self.announce, flush=True)
        return entered


def serve(deployment: RunnerDeployment, announce: str = "", limit: int = 1) -> tuple[int, bool]:
    """Serve ``deployment`` until SIGINT or SIGTERM: the signal, and whether it was serving then.

    What ``prefect.serve`` does (a runner that pauses the schedule on shutdown),
    with :class:`_Runner`; ``announce`` is printed once the runner is up.
    """
    runner = _Runner(pause_on_shutdown=True, limit=limit)
    runner.announce = announce
    try:
        runner.add_deployment(deployment)
        with suppress(TerminationSignal):
            asyncio.run(runner.start())
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (as Ctrl-C)
        if isinstance(stop, Stopped):  # SIGTERM before the runner took it over
            runner.stopped_by = stop.signum
    return runner.stopped_by, runner.serving


def _sigterm_as_interrupt(signum: int, frame: object) -> None:
    raise Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m flows.serve [--raw DIR] [--out DIR] [--cron CRON] [--start-server]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", default="raw", help="folder of raw programs and CVs")
    parser.add_argument("--out", default="out", help="folder the release is published to")
    parser.add_argument("--name", default=DEPLOYMENT_NAME, help="deployment name")
    parser.add_argument("--cron", default=DEFAULT_CRON, help="schedule (cron; default daily 03:00)")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="time zone of --cron")
    parser.add_argument(
        "--start-server",
        action="store_true",
        help="start a Prefect server on $PREFECT_API_URL if none answers (stopped on exit)",
    )
    args = parser.parse_args(argv)
    # Until the runner takes over SIGTERM, it stops us as Ctrl-C does (and the server we
    # start is stopped on the way out); SIGINT works even if we were started ignoring it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        return _serve(args)
    except KeyboardInterrupt as stop:  # a signal before serving began
        signum = stop.signum if isinstance(stop, Stopped) else signal.SIGINT
        print(f"stopped by {signal.Signals(signum).name} before serving began", flush=True)
        return exit_code(signum)


def _serve(args: argparse.Namespace) -> int:
    api_url = PREFECT_API_URL.value()
    if not api_url:
        print(
            "error: PREFECT_API_URL is not set; a schedule needs a Prefect server "
            "(make serve starts one: PREFECT_API_URL=http://127.0.0.1:4200/api)",
            file=sys.stderr,
        )
        return 2
    if not Path(args.raw).is_dir():
        print(f"error: the raw folder {args.raw} does not exist", file=sys.stderr)
        return 2
    try:
        flow_timeout_seconds()  # the runs would refuse a bad value: say so now
    except BadSetting as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        deployment = build_deployment(
            args.raw, args.out, name=args.name, cron=args.cron, timezone=args.timezone
        )
    except ValueError as err:  # a bad cron string, time zone or name
        print(f"error: {err}", file=sys.stderr)
        return 2
    with local_server(api_url) if args.start_server else nullcontext():
        if not server_answers(api_url):
            print(f"error: no Prefect server answers at {api_url}", file=sys.stderr)
            return 2
        name = f"{build_dataset.name}/{args.name}"
        announce = (
            f"serving {name}: {args.raw} -> {args.out}, cron {args.cron!r} ({args.timezone}), "
            f"flow timeout {build_dataset.timeout_seconds:g} s (${TIMEOUT_ENV}); Ctrl-C or "
            f"SIGTERM stops; trigger a run now with: prefect deployment run '{name}'"
        )
        # One run at a time in this process, on top of the deployment's own limit.
        signum, serving = serve(deployment, announce, limit=1)
        how = f"stopped by {signal.Signals(signum).name}"
        print(
            f"{how}: the schedule of {name} is paused until the next make serve"
            if serving
            else f"{how} before serving began",
            flush=True,
        )
    return exit_code(signum)


if __name__ == "__main__":
    sys.exit(main())
