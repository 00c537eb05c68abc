"""The command line of the flow: ``python -m flows.build --raw DIR --out DIR``.

It checks everything it can before Prefect is imported (7-8 s): the arguments,
the settings in the environment, and the raw and out paths (:func:`preflight`),
so a mistyped path is one line in well under two seconds. Then it runs the flow
under its own temporary Prefect server (``flows.run_server``: it dies with the
run) and with SIGINT and SIGTERM handled (``flows.stopping``).

Every way a run can end prints one line to say so and exits with a status a
scheduler can act on:

====  ==========================================================================
0     published a release, or "no change" (out/ already holds these tables)
1     the run failed: a bad raw file (every one is listed), a release that fails validation, a raw or
      out folder it may not read or write, a full disk, another run holding
      the lock (``--lock-timeout``)
2     usage: a bad option, a bad setting (``CONFDATA_FLOW_TIMEOUT_SECONDS``,
      ``CONFDATA_LOCK_TIMEOUT``), a raw folder that does not exist or is not a
      folder, an out folder whose parent does not exist, an out that is a file
      or a folder that is not a release of this pipeline (nothing of it is touched)
124   stopped by the flow's timeout (``CONFDATA_FLOW_TIMEOUT_SECONDS``)
130   stopped by SIGINT (Ctrl-C); 143: stopped by SIGTERM
====  ==========================================================================

An error is ``error: <where>:<line>: expected …, found …`` and the last line
always says what became of out/: "nothing was published; out/ is unchanged"
(checked, not assumed), or the release that was published before the stop.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import threading
from pathlib import Path
from typing import Any

from confdata.errors import RawInputError, ValidationFailed, failure_report
from confdata.publish.licences import DEFAULT_LICENCE, LICENCES, licence_entry
from confdata.publish.out_target import OutTargetError, check_out_target
from confdata.run import state as run_state
from flows import faults, stopping
from flows.settings import TIMEOUT_ENV, flow_timeout_seconds

EXIT_PUBLISHED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 124  # as timeout(1)
TASK_RUNNERS = ("local", "dask")  # as flows.build.TASK_RUNNERS (not imported: that imports Prefect)


@dataclasses.dataclass(frozen=True)
class Problem:
    """A reason not to start the run: its located line and the exit status."""

    line: str
    code: int
    # The closing line's reason, when it is not "error: <line>" (an out/ not ours).
    summary: str = ""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (``--help`` lists every option)."""
    parser = argparse.ArgumentParser(
        prog="python -m flows.build",
        description="The Prefect flow that builds the dataset: raw/ -> validated tables in out/.",
        epilog="Exit status: 0 published or no change; 1 the run failed (bad input, a "
        "folder it may not write, a full disk, the lock held by another run); 2 usage "
        "(bad option, setting or path); 124 the flow's timeout; 130 / 143 stopped by "
        "SIGINT / SIGTERM. A failed or stopped run leaves out/ as it was.",
    )
    parser.add_argument("--raw", default="raw", help="folder of raw programs and CVs")
    parser.add_argument("--out", default="out", help="folder the release is published to")
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long to wait for another run on the same out/ (default "
        "$CONFDATA_LOCK_TIMEOUT, else 300); then stop, naming that run",
    )
    parser.add_argument(
        "--skip-bad-files",
        action="store_true",
        help="publish the raw files that can be read and list the others first in the "
        "quality report (default: a bad file stops the run and nothing is published)",
    )
    parser.add_argument(
        "--task-runner",
        choices=TASK_RUNNERS,
        default=None,
        help="where the raw files are parsed: 'local' (this machine; worker processes when "
        "there is much to parse) or 'dask' (a Dask cluster; default: local, or dask with "
        "--dask-address)",
    )
    parser.add_argument(
        "--dask-address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="the scheduler of a running Dask cluster (default with --task-runner dask: "
        "start a local cluster, one worker process per core)",
    )
    parser.add_argument(
        "--licence",
        default=DEFAULT_LICENCE,
        metavar="SPDX-ID",
        help=f"licence datapackage.json declares for the release: one of {', '.join(LICENCES)} "
        f"(default {DEFAULT_LICENCE})",
    )
    parser.add_argument(
        "--summary-json",
        default=None,
        metavar="PATH",
        help="also write the run's summary (release, row counts, files, seconds per stage) "
        "to this JSON file",
    )
    return parser


# --------------------------------------------------------------------------- preflight


def _unwritable(path: Path) -> str | None:
    """Say why this process may not create files in folder ``path``, or None if it may."""
    if os.access(path, os.W_OK | os.X_OK):
        return None
    try:
        read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    return "Read-only file system" if read_only else "permission denied"


def preflight(raw: Path, out: Path) -> Problem | None:
    """Check the settings and the raw and out paths before Prefect starts; None when all is well.

    Usage errors (status 2): a bad ``$CONFDATA_FLOW_TIMEOUT_SECONDS`` or
    ``$CONFDATA_LOCK_TIMEOUT``, a raw path that does not exist or is not a
    folder, an out path that is a file, an out whose parent folder does not
    exist, an out folder that is not a release of this pipeline
    (:func:`confdata.publish.out_target.check_out_target`: the user's files are never
    touched). Faults of the machine (status 1): a raw folder that cannot be
    listed, an out folder or parent this process may not write (permissions,
    a read-only file system). What is in the folders is the run's to check.
    """
    for check in (flow_timeout_seconds, run_state.lock_timeout):
        try:
            check()
        except run_state.BadSetting as err:
            return Problem(str(err), EXIT_USAGE)
    if not raw.is_dir():
        found = "a file, not a folder" if raw.exists() else "no such folder"
        return Problem(faults.located(raw, "a folder of raw files", found), EXIT_USAGE)
    try:
        with os.scandir(raw) as entries:
            next(entries, None)
    except OSError as err:
        return Problem(
            faults.located(raw, "a folder of raw files this run can list", _reason(err)),
            EXIT_FAILED,
        )
    target = out.resolve()
    parent = target.parent
    if not parent.is_dir():
        found = "a file, not a folder" if parent.exists() else "no such folder"
        return Problem(faults.located(parent, f"a folder to publish {out} in", found), EXIT_USAGE)
    if target.exists() and not target.is_dir():
        return Problem(
            faults.located(out, "a folder to publish the release to (or no file yet)", "a file"),
            EXIT_USAGE,
        )
    # The run writes its lock, work and staging folders beside out/, then swaps out/.
    for folder, what in ((parent, f"a folder this run can write beside {out}"), (target, "")):
        if folder.is_dir() and (why := _unwritable(folder)):
            return Problem(
                faults.located(folder, what or "a folder this run can write", why), EXIT_FAILED
            )
    # Only a release of ours (or an empty folder, or nothing yet) may be replaced.
    try:
        check_out_target(out)
    except OutTargetError as err:
        return Problem(str(err), EXIT_USAGE, err.summary)
    return None


def _reason(err: OSError) -> str:
    return "permission denied" if isinstance(err, PermissionError) else (err.strerror or str(err))


# --------------------------------------------------------------------------- outcome


def _identity(out: Path) -> tuple[int, int] | None:
    """Return what tells whether out/ changed: a publish swaps in another folder."""
    try:
        facts = out.stat()
    except OSError:
        return None
    return facts.st_dev, facts.st_ino


class Report:
    """What the run says at its end, printed once (from the main thread or the watcher)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.before = _identity(out)
        self.server_pid: int | None = None
        self._said = False
        self._guard = threading.Lock()

    def outcome(self) -> str:
        """Say what became of out/, from what it is now."""
        now = _identity(self.out)
        if now == self.before:
            return f"nothing was published; {self.out}/ is unchanged"
        if now is None:
            return (
                f"{self.out}/ is missing (a publish was cut short): "
                "the next run puts the previous release back"
            )
        try:
            version = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))[
                "version"
            ]
        except (OSError, ValueError, KeyError, TypeError):
            version = "(unknown version)"
        return f"release {version} was published to {self.out}/ before the run ended"

    def say(self, *lines: str) -> None:
        """Print the closing lines on stderr, once."""
        with self._guard:
            if self._said:
                return
            self._said = True
            for line in lines:
                print(line, file=sys.stderr, flush=True)

    def stopped(self, signum: int) -> int:
        """Report a run stopped by a signal; kill its helper processes but the server."""
        keep = frozenset({self.server_pid}) if self.server_pid else frozenset()
        stopping.kill_descendants(keep)  # worker processes; Prefect stops its server at exit
        self.say(f"stopped by {stopping.signal_name(signum)}; {self.outcome()}")
        return stopping.exit_code(signum)

    def give_up(self, signum: int) -> None:
        """The deadline after a signal passed: kill every child, say so, exit now."""
        stopping.kill_descendants()
        self.say(f"stopped by {stopping.signal_name(signum)}; {self.outcome()}")
        os._exit(stopping.exit_code(signum))

    def failed(self, err: BaseException) -> int:
        """Report a run that ended in an expected fault; re-raise anything else (a bug)."""
        from prefect.flow_engine import FlowRunTimeoutError

        if isinstance(err, FlowRunTimeoutError):
            seconds = flow_timeout_seconds()
            self.say(f"stopped: the run exceeded {TIMEOUT_ENV}={seconds} s; {self.outcome()}")
            return EXIT_TIMEOUT
        if isinstance(err, RawInputError) and not isinstance(err, OutTargetError):
            # Every bad file, one located line each, then what became of out/.
            self.say(*failure_report(err, str(self.out), self.outcome()).split("\n"))
            return EXIT_FAILED
        line = faults.describe(err)
        if line is None and isinstance(err, ValidationFailed):
            line = str(err)
        if line is None:
            raise err
        self.say(f"error: {line}", self.outcome())
        return EXIT_USAGE if isinstance(err, run_state.BadSetting) else EXIT_FAILED


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see the module's docstring for what it prints and returns)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    task_runner = args.task_runner or ("dask" if args.dask_address else "local")
    if args.dask_address and task_runner != "dask":
        parser.error("--dask-address needs --task-runner dask")
    if args.lock_timeout is not None and not 0 <= args.lock_timeout < math.inf:
        parser.error(
            f"--lock-timeout {args.lock_timeout:g}: expected a number of seconds, 0 or more"
        )
    try:
        licence_entry(args.licence)
    except ValueError as err:
        parser.error(str(err))
    raw, out = Path(args.raw), Path(args.out)
    problem = preflight(raw, out)
    report = Report(out)
    if problem is not None:
        if problem.summary:
            report.say(problem.line, f"error: {problem.summary}; {report.outcome()}")
        else:
            report.say(f"error: {problem.line}", report.outcome())
        return problem.code
    if args.lock_timeout is not None:
        os.environ[run_state.LOCK_TIMEOUT_ENV] = str(args.lock_timeout)
    # As `make run` sets it: Prefect's default (20 s) is too short on a loaded 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    with stopping.SignalStop(report.give_up) as stop:
        try:
            release = _run(args, task_runner, report)
        except BaseException as err:
            if stop.signum is not None:
                return report.stopped(stop.signum)
            return report.failed(err)
        if stop.signum is not None:  # a signal Prefect swallowed once the flow had returned
            return report.stopped(stop.signum)
    _print_release(release, args.summary_json)
    return EXIT_PUBLISHED


def _run(args: argparse.Namespace, task_runner: str, report: Report) -> Any:
    """Import the flow (and Prefect), start the run's server, and run the flow."""
    from flows import build
    from flows.run_server import start_run_server

    server = start_run_server()
    report.server_pid = server.pid if server is not None else None
    return build.build_dataset(
        raw_dir=args.raw,
        out_dir=args.out,
        skip_bad_files=args.skip_bad_files,
        task_runner=task_runner,
        dask_address=args.dask_address,
        licence=args.licence,
    )


def _print_release(release: Any, summary_json: str | None) -> None:
    if summary_json:
        summary = Path(summary_json)
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(
            json.dumps(dataclasses.asdict(release), indent=2) + "\n", encoding="utf-8"
        )
    for skipped in release.skipped:
        print(f"skipped: {skipped}", file=sys.stderr)
    for line in release.repaired:
        print(f"repaired: {line}")
    for line in release.left_damaged:
        print(f"damaged, not repaired: {line}", file=sys.stderr)
    counts = ", ".join(f"{k} {v}" for k, v in release.row_counts.items())
    parses = f"{len(release.parsed)} files parsed, {len(release.cached)} from the cache"
    if release.published:
        print(f"published release {release.version} to {release.out_dir}: {counts} ({parses})")
    else:
        print(
            f"no change: {release.out_dir} already holds these tables (release {release.version}; "
            f"{parses})"
        )


if __name__ == "__main__":
    sys.exit(main())
