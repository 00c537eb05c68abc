"""The temporary Prefect server of one command-line run, which never outlives the run.

With no ``PREFECT_API_URL``, Prefect starts a temporary ("ephemeral") server for
the run: ``uvicorn`` in a child process (``SubprocessASGIServer`` in
``prefect/server/api/server.py``, Prefect 3.8.8), stopped by an ``atexit``
handler. A run killed with SIGKILL (or stopped before that handler ran) left
it running: 34 orphans of ~230 MB each after one campaign of killed runs. And
three first runs at once on a fresh ``PREFECT_HOME`` raced each other through
the database migration (``duplicate column name``, a traceback in the log).

:func:`start_run_server` starts that same server (same command, settings and
start-up checks: the class below only changes how its process is launched)
before the flow runs, and registers it where Prefect looks for its temporary
server, so the flow uses it. Two differences:

- The server's process is started through a tiny launcher that asks the kernel
  to kill it (``PR_SET_PDEATHSIG``, SIGKILL) when the run's process dies,
  however it dies, then becomes ``uvicorn``; it has its own session, so a
  Ctrl-C at the terminal reaches the run, which stops it in order.
- The first start on a ``PREFECT_HOME`` (the one that creates and migrates the
  database) holds an ``flock`` on ``<PREFECT_HOME>/.confdata-server-start.lock``
  until the server answers; a marker then records that the database is ready,
  so later starts, even concurrent ones, take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import prefect
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import get_current_settings

from flows.faults import ServerFailed
from flows.stopping import dying_with_this_process

START_LOCK = ".confdata-server-start.lock"
READY_MARKER = ".confdata-server-ready"


class RunServer(SubprocessASGIServer):
    """Prefect's temporary server, launched to die with this process (see the module)."""

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        # The command and environment of SubprocessASGIServer._run_uvicorn_command in
        # Prefect 3.8.8, behind the launcher, in a session of its own.
        server_env = {
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        uvicorn = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(prefect.__module_path__.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        return subprocess.Popen(
            dying_with_this_process(uvicorn),
            env={
                **os.environ,
                **server_env,
                **get_current_settings().to_environment_variables(exclude_unset=True),
            },
            start_new_session=True,
        )

    def start(self, timeout: int | None = None) -> None:
        """Start the server (once), holding the first-start lock when the database is new."""
        if self.running:
            return
        with first_start_lock():
            super().start(timeout)

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self.server_process.pid if self.server_process is not None else None


def _database() -> tuple[str, Path | None]:
    """Return the server's database URL and, for SQLite, the database file."""
    url = get_current_settings().server.database.connection_url
    text = url.get_secret_value() if url is not None else ""
    for prefix in ("sqlite+aiosqlite:///", "sqlite:///"):
        if text.startswith(prefix):
            return text, Path(text[len(prefix) :])
    return text, None


@contextlib.contextmanager
def first_start_lock() -> Iterator[None]:
    """Hold ``<PREFECT_HOME>/.confdata-server-start.lock`` unless the database is known ready.

    The server creates and migrates its database as it starts; two servers
    doing that at once on one new database collide. The first start on a
    ``PREFECT_HOME`` therefore holds the lock until its server answers (a
    second run waits for it), then writes the ready marker (Prefect's version
    and the database; for SQLite, only while that file exists).
    """
    home = Path(get_current_settings().home).expanduser()
    url, db_file = _database()
    stamp = json.dumps({"prefect": prefect.__version__, "database": url}, sort_keys=True)
    marker = home / READY_MARKER

    def ready() -> bool:
        with contextlib.suppress(OSError):
            return marker.read_text(encoding="utf-8") == stamp and (
                db_file is None or db_file.is_file()
            )
        return False

    if ready():
        yield
        return
    home.mkdir(parents=True, exist_ok=True)
    with open(home / START_LOCK, "a", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"waiting for another run's first start of the Prefect server on {home} "
                f"(it creates the database; lock {home / START_LOCK})",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        already = ready()  # another run's first start finished while this one waited
        yield
        if not already:
            tmp = marker.with_name(f"{READY_MARKER}.{os.getpid()}")
            tmp.write_text(stamp, encoding="utf-8")
            tmp.replace(marker)


def _answers(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=5) as resp:
            return resp.status == 200
    except (OSError, ValueError):  # URLError is an OSError
        return False


def start_run_server() -> RunServer | None:
    """Start this run's temporary server when Prefect would start one, and return it.

    Returns None when a Prefect API is configured (``PREFECT_API_URL``: it must
    answer) or the temporary server is disabled: Prefect then does as configured.

    Raises:
        ServerFailed: When the configured API does not answer, or the temporary
            server does not answer within its start-up timeout.
    """
    settings = get_current_settings()
    if settings.api.url:
        if not _answers(settings.api.url):
            raise ServerFailed(
                f"PREFECT_API_URL: expected a Prefect server answering at {settings.api.url} "
                "(start one, or unset PREFECT_API_URL for a temporary one), found 'no answer'"
            )
        return None
    if not settings.server.ephemeral.enabled:
        return None
    server = RunServer()
    # Where Prefect's client looks for its temporary server (as prefect_test_harness does).
    SubprocessASGIServer._instances[None] = server
    try:
        server.start()
    except RuntimeError as err:  # Prefect's "Timed out while attempting to connect ..."
        seconds = settings.server.ephemeral.startup_timeout_seconds
        raise ServerFailed(
            f"{server.api_url}: expected Prefect's temporary server to answer within "
            f"{seconds:g} s (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS; a loaded "
            "machine starts it slowly), found 'no answer'"
        ) from err
    return server
