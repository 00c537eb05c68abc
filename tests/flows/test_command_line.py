"""The command line's checks and messages, with real runs of ``python -m flows.build``.

Before Prefect starts (no temporary server in the log): a bad option, a bad
setting, a raw folder that is missing, not a folder or not readable, and an
out folder whose parent is missing or that cannot be written are one located
line, exit 2 (usage) or 1 (the machine), and out/ is left as it was. During a
run (Prefect started): a full disk under out/ and another run holding the lock
are one located line too, never a traceback, and out/ is unchanged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from confdata.run import state as run_state
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW, ROOT
from tests.flows.cli_runs import TEMPORARY_SERVER, CliRun, cli_env, process_tree, snapshot

CV = RAW / "alireza-farshin-cv.txt"
UNCHANGED = "nothing was published; {out}/ is unchanged"


@pytest.fixture(scope="session")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the runs of this module (its database is created once)."""
    return tmp_path_factory.mktemp("prefect-home")


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


class Cli:
    """Runs the command line to its end (for checks that stop it before Prefect starts)."""

    def __init__(self, prefect_home: Path) -> None:
        self.prefect_home = prefect_home

    def __call__(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flows.build", *args],
            cwd=ROOT,
            env=cli_env(self.prefect_home, env),
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture()
def cli(prefect_home: Path) -> Cli:
    return Cli(prefect_home)


def assert_refused(done: subprocess.CompletedProcess[str], code: int, line: str, out: Path) -> None:
    """One located line, then the out/ line; the given status; no Prefect, no traceback."""
    assert done.returncode == code, done.stderr
    assert done.stderr.splitlines() == [f"error: {line}", UNCHANGED.format(out=out)]
    assert TEMPORARY_SERVER not in done.stderr and "Traceback" not in done.stderr


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / NSDI26.name).write_bytes(NSDI26.read_bytes())
    return folder


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding raw/ (the NSDI '26 page) and out/ with its release r0001."""
    folder = tmp_path_factory.mktemp("released")
    (folder / "raw").mkdir()
    (folder / "raw" / NSDI26.name).write_bytes(NSDI26.read_bytes())
    assert run_pipeline(folder / "raw", folder / "out").version == "r0001"
    return folder


def test_help_is_printed_without_importing_prefect(
    cli: Cli,
) -> None:
    """``--help`` and the checks run before Prefect is imported (it takes 7-8 s to import)."""
    code = (
        "import sys\n"
        "from flows.cli import main\n"
        "for argv in (['--help'], ['--raw', '/nonexistent']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'polars')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "--lock-timeout SECONDS" in done.stdout and "Exit status: 0 published" in done.stdout
    assert done.stdout.splitlines()[-1] == "[]"
    assert cli("--help").returncode == 0


def test_a_missing_raw_folder_is_refused_before_prefect_starts(cli: Cli, tmp_path: Path) -> None:
    raw, out = tmp_path / "no-raw", tmp_path / "out"
    done = cli("--raw", str(raw), "--out", str(out))
    assert_refused(done, 2, f"{raw}:0: expected a folder of raw files, found 'no such folder'", out)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_raw_path_that_is_a_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    raw, out = tmp_path / "raw.txt", tmp_path / "out"
    raw.write_text("not a folder\n", encoding="utf-8")
    done = cli("--raw", str(raw), "--out", str(out))
    line = f"{raw}:0: expected a folder of raw files, found 'a file, not a folder'"
    assert_refused(done, 2, line, out)


def test_an_out_folder_whose_parent_is_missing_is_refused_and_not_created(
    cli: Cli, raw: Path, tmp_path: Path
) -> None:
    """The run used to create the missing parents (and its lock file there)."""
    out = tmp_path / "typo" / "deeper" / "out"
    done = cli("--raw", str(raw), "--out", str(out))
    line = f"{out.parent}:0: expected a folder to publish {out} in, found 'no such folder'"
    assert_refused(done, 2, line, out)
    assert not (tmp_path / "typo").exists()


def test_an_out_path_that_is_a_file_is_refused(cli: Cli, raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("a file\n", encoding="utf-8")
    done = cli("--raw", str(raw), "--out", str(out))
    line = f"{out}:0: expected a folder to publish the release to (or no file yet), found 'a file'"
    assert_refused(done, 2, line, out)
    assert out.read_text(encoding="utf-8") == "a file\n"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CONFDATA_FLOW_TIMEOUT_SECONDS", "1h", "a positive whole number of seconds"),
        ("CONFDATA_FLOW_TIMEOUT_SECONDS", "0", "a positive whole number of seconds"),
        ("CONFDATA_LOCK_TIMEOUT", "five", "a number of seconds (0 or more)"),
        ("CONFDATA_LOCK_TIMEOUT", "nan", "a number of seconds (0 or more)"),
    ],
)
def test_a_bad_setting_is_one_located_line(
    cli: Cli, name: str, value: str, expected: str, raw: Path, tmp_path: Path
) -> None:
    """It used to end in a traceback (at import, for the flow's timeout)."""
    out = tmp_path / "out"
    done = cli("--raw", str(raw), "--out", str(out), env={name: value})
    assert_refused(done, 2, f"{name}: expected {expected}, found {value!r}", out)


def test_a_bad_flow_timeout_does_not_break_importing_the_flow(prefect_home: Path) -> None:
    """``import flows.build`` (a served deployment's run does it) works; the run refuses the value."""
    code = "import flows.build as b; print(b.build_dataset.timeout_seconds)"
    env = cli_env(prefect_home, {"CONFDATA_FLOW_TIMEOUT_SECONDS": "soon"})
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3600.0"]


def test_a_negative_lock_timeout_is_a_usage_error(cli: Cli, raw: Path, tmp_path: Path) -> None:
    done = cli("--raw", str(raw), "--out", str(tmp_path / "out"), "--lock-timeout", "-1")
    assert done.returncode == 2
    assert "--lock-timeout -1: expected a number of seconds, 0 or more" in done.stderr


def _can_drop_file_permissions() -> bool:
    return os.geteuid() != 0 or shutil.which("setpriv") is not None


@pytest.mark.skipif(
    not _can_drop_file_permissions(), reason="root reads any folder, and setpriv is missing"
)
def test_a_raw_folder_that_cannot_be_listed_is_refused(
    raw: Path, tmp_path: Path, prefect_home: Path
) -> None:
    """Root bypasses permissions, so the run is started without that privilege (setpriv)."""
    out = tmp_path / "out"
    raw.chmod(0o311)  # may enter, may not list
    prefix = (
        ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
        if os.geteuid() == 0
        else []
    )
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "flows.build", "--raw", str(raw), "--out", str(out)],
            cwd=ROOT,
            env=cli_env(prefect_home),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        raw.chmod(0o755)
    line = f"{raw}:0: expected a folder of raw files this run can list, found 'permission denied'"
    assert_refused(done, 1, line, out)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only for root too: a read-only bind mount of it (skip if impossible)."""
    try:
        subprocess.run(
            ["mount", "--bind", str(folder), str(folder)], check=True, capture_output=True
        )
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.skip(f"cannot bind-mount here (needs root and mount): {err}")
    try:
        subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(folder)], check=True, capture_output=True
        )
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True)


def test_a_read_only_parent_of_out_is_refused_before_prefect_starts(
    cli: Cli, raw: Path, tmp_path: Path
) -> None:
    """It used to end in a traceback (creating the lock file beside out/)."""
    parent = tmp_path / "published"
    parent.mkdir()
    out = parent / "out"
    with read_only(parent):
        done = cli("--raw", str(raw), "--out", str(out))
    line = (
        f"{parent}:0: expected a folder this run can write beside {out}, "
        "found 'Read-only file system'"
    )
    assert_refused(done, 1, line, out)
    assert list(parent.iterdir()) == []


def test_a_read_only_out_folder_is_refused_and_left_as_it_was(
    cli: Cli, first_release: Path, tmp_path: Path
) -> None:
    shutil.copytree(first_release / "out", tmp_path / "out")
    out = tmp_path / "out"
    before = snapshot(out)
    with read_only(out):
        done = cli("--raw", str(first_release / "raw"), "--out", str(out))
    line = f"{out}:0: expected a folder this run can write, found 'Read-only file system'"
    assert_refused(done, 1, line, out)
    assert snapshot(out) == before


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` on ``folder`` (skip where mounting is impossible)."""
    folder.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {err}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True, capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Write a filler file so that only about ``leave`` bytes stay free on folder's file system."""
    facts = os.statvfs(folder)
    free = facts.f_bavail * facts.f_frsize
    with (folder / "filler").open("wb") as handle:
        handle.truncate(0)
        chunk = b"\0" * 65536
        for _ in range(max(0, free - leave) // len(chunk)):
            handle.write(chunk)


@pytest.mark.flow
def test_a_full_disk_under_out_is_one_located_line_and_out_is_unchanged(
    first_release: Path, prefect_home: Path, tmp_path: Path, runs: list[CliRun]
) -> None:
    """It used to end in a traceback saying "No space left on device", with no path.

    A 16 MiB tmpfs holds out/ (release r0001) and, beside it, the run's work and
    staging folders; it is filled to 1 MiB of free space before a run that adds
    a CV (so a new release would be written).
    """
    with small_disk(tmp_path / "disk", "16m") as disk:
        shutil.copytree(first_release / "out", disk / "out")
        raw = tmp_path / "raw"
        shutil.copytree(first_release / "raw", raw)
        (raw / CV.name).write_bytes(CV.read_bytes())
        out = disk / "out"
        before = snapshot(out)
        _fill(disk, leave=1 << 20)
        run = CliRun(tmp_path, "full", ["--raw", str(raw), "--out", str(out)], prefect_home)
        runs.append(run)
        assert run.finish() == 1, run.err()
        err = run.err()
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, err
        assert errors[0].startswith(f"error: {disk}/")
        assert errors[0].endswith(
            ":0: expected free space on its file system, found 'No space left on device'"
        )
        assert run.last_line() == UNCHANGED.format(out=out)
        assert "Traceback" not in err
        assert snapshot(out) == before
        assert sorted(p.name for p in disk.iterdir()) == [".out.cache", "filler", "out"]


@pytest.mark.flow
def test_a_lock_held_by_another_run_is_one_located_line(
    first_release: Path, prefect_home: Path, tmp_path: Path, runs: list[CliRun]
) -> None:
    """``--lock-timeout 1`` while another run holds the lock: it used to end in a traceback."""
    shutil.copytree(first_release / "out", tmp_path / "out")
    out = tmp_path / "out"
    before = snapshot(out)
    lock = run_state.sibling(out, "lock")
    with run_state.hold_lock(lock):
        run = CliRun(
            tmp_path,
            "locked",
            ["--raw", str(first_release / "raw"), "--out", str(out), "--lock-timeout", "1"],
            prefect_home,
        )
        runs.append(run)
        assert run.finish() == 1, run.err()
    err = run.err()
    [error] = [line for line in err.splitlines() if line.startswith("error: ")]
    assert error.startswith(
        f"error: {lock}:0: expected no other run on this out/ within 1 s (--lock-timeout), "
        f"found 'held by pid {os.getpid()} on {socket.gethostname()}, started 20"
    ), err
    assert error.endswith("; try again when that run has finished'")
    assert run.last_line() == UNCHANGED.format(out=out)
    assert "Traceback" not in err
    assert snapshot(out) == before


def test_a_prefect_api_that_does_not_answer_is_one_line(
    cli: Cli, raw: Path, tmp_path: Path
) -> None:
    """``PREFECT_API_URL`` set to a server that is not running: it used to end in a traceback."""
    out = tmp_path / "out"
    done = cli(
        "--raw", str(raw), "--out", str(out), env={"PREFECT_API_URL": "http://127.0.0.1:9/api"}
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-2:] == [
        "error: PREFECT_API_URL: expected a Prefect server answering at http://127.0.0.1:9/api "
        "(start one, or unset PREFECT_API_URL for a temporary one), found 'no answer'",
        UNCHANGED.format(out=out),
    ]
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_the_command_line_offers_the_flows_task_runners() -> None:
    """flows.cli keeps its own copy (importing flows.build imports Prefect): they must agree."""
    from flows import build, cli

    assert cli.TASK_RUNNERS == build.TASK_RUNNERS


def test_the_faults_docstring_examples_hold() -> None:
    """The examples in flows.faults (one located line per fault) and flows.stopping are true."""
    import doctest

    from flows import faults, stopping

    for module, examples in ((faults, 5), (stopping, 1)):
        result = doctest.testmod(module)
        assert (result.failed, result.attempted) == (0, examples), module.__name__
