"""The Prefect flow that builds the dataset: raw/ -> validated tables in out/.

Run it with ``make run`` or ``python -m flows.build --raw raw --out out``. Each
task calls one ``confdata.run.steps`` function and passes paths or small
summaries; the work itself lives in the library. The raw files are parsed in
batches, on this machine or on a Dask cluster (``--task-runner dask``; README,
"Scale-out"); the log shows each stage's start and end and the parse's progress.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    # `python -m flows.build`: the command line checks its arguments and paths before
    # Prefect is imported (7-8 s), then imports this module under its own name.
    from flows.cli import main as _cli_main

    sys.exit(_cli_main())

# The imports below follow that guard on purpose (E402 is ignored for this file).
import contextlib
import dataclasses
import ipaddress
import logging
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.states import State
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from confdata.errors import RawInputError, ValidationFailed
from confdata.publish.licences import DEFAULT_LICENCE, licence_entry
from confdata.run import io, stage_times, steps
from confdata.run import state as run_state
from flows import faults
from flows.settings import DEFAULT_TIMEOUT_SECONDS as DEFAULT_TIMEOUT_SECONDS
from flows.settings import TIMEOUT_ENV as TIMEOUT_ENV
from flows.settings import flow_timeout_at_import
from flows.settings import flow_timeout_seconds as flow_timeout_seconds

# The flow's timeout ($CONFDATA_FLOW_TIMEOUT_SECONDS) is read in flows.settings,
# without Prefect, so that the command line can check it before Prefect starts.


def retry_unless_bad_input(task: object, task_run: object, state: State) -> bool:
    """Retry a failed file task only for errors a second try can fix (I/O, not content).

    A raw file that cannot be parsed or a release that fails its checks fails
    the same way every time, so those end the task at once. (Prefect hands this
    check a Failed state whose data is the task's exception.)
    """
    return not isinstance(state.data, (RawInputError, ValidationFailed))


# Up to this many raw files, the log has a line per file read and parsed.
PER_FILE_LINES = 20


# Retries only on the tasks that touch the user's folders (reading raw/, writing
# out/), where a transient I/O error is plausible; the tasks in between work on a
# local scratch folder and are deterministic, so a retry would fail the same way.
@task(retries=2, retry_delay_seconds=1, retry_condition_fn=retry_unless_bad_input)
def discover_sources(
    raw_dir: Path, work_dir: Path, skip_bad_files: bool = False
) -> list[steps.SourceSummary]:
    """Find the raw files and detect each one's kind (reads files: retried)."""
    sources = steps.discover_sources(raw_dir, work_dir, skip_bad_files)
    logger = get_run_logger()
    # One line per file for a small run; a long one has the progress lines instead.
    per_file = logger.info if len(sources) <= PER_FILE_LINES else logger.debug
    for source in sources:
        per_file(
            "read %s: %s, %d lines, %d bytes, sha256 %s…",
            source.relative,
            source.kind,
            source.lines,
            source.bytes,
            source.sha256[:12],
        )
    return sources


@task
def parse_batch(
    sources: list[steps.SourceSummary], reference_dir: Path, work_dir: Path
) -> list[steps.ParseSummary | steps.ParseFailure]:
    """Parse a batch of raw files into staging tables; a bad file is returned, not raised."""
    return steps.parse_batch(sources, reference_dir, work_dir)


@task
def build_tables(
    work_dir: Path, reference_dir: Path, out_dir: Path, skip_bad_files: bool = False
) -> dict[str, int]:
    """Combine the staging tables of all sources; resolve people and organizations."""
    return steps.build_tables(work_dir, reference_dir, out_dir, skip_bad_files)


@task
def validate(work_dir: Path) -> dict[str, Any]:
    """Validate every table against its pandera model and its foreign keys."""
    result = steps.validate(work_dir)
    tables: dict[str, Any] = result.get("tables", {})
    checks = sum(int(t.get("checks", 0)) for t in tables.values())
    get_run_logger().info("validated %d tables: %d checks, all passed", len(tables), checks)
    return result


# Written by `make eval`; its figures go into the quality report when present.
EVAL_RESULTS = Path(__file__).resolve().parents[1] / ".eval" / "results.json"


@task(retries=2, retry_delay_seconds=1, retry_condition_fn=retry_unless_bad_input)
def publish(work_dir: Path, out_dir: Path, licence: str = DEFAULT_LICENCE) -> steps.ReleaseSummary:
    """Write the release beside out/ and swap it in atomically (writes files: retried)."""
    release = steps.publish(work_dir, out_dir, EVAL_RESULTS, licence)
    if release.published:
        get_run_logger().info(
            "wrote release %s: %d files + manifest.json, %d rows in %d tables",
            release.version,
            len([f for f in release.files if f != "manifest.json"]),
            sum(release.row_counts.values()),
            len(release.row_counts),
        )
    return release


def log_quality_summary(report: Mapping[str, Any], quality_dir: Path) -> None:
    """Log the issue counts by severity, one line per warning or error code, and the report's path."""
    logger = get_run_logger()
    severities: dict[str, int] = report.get("severity_counts", {})
    logger.info(
        "data-quality issues by severity: %s; report: %s (and report.md, report.json)",
        ", ".join(f"{n} {severity}" for severity, n in severities.items()) or "none",
        quality_dir / "report.html",
    )
    serious: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for issue in report.get("issues", []):
        if issue.get("severity") in ("error", "warning"):
            serious.setdefault((issue["severity"], issue["code"]), []).append(issue)
    for (severity, code), found in sorted(serious.items()):
        first = found[0]
        where = (
            f"{first['source_path']}:{first.get('line', 0)}"
            if first.get("source_path")
            else f"{first.get('table', '')} {first.get('key', '')}".strip()
        )
        logger.warning(
            "%s %s: %d (first: %s: %s)", severity, code, len(found), where, first.get("message", "")
        )


def unchanged_markdown(release: steps.ReleaseSummary) -> str:
    """The run page's note for a run that published nothing new: what it checked, and repaired."""
    lines = [
        f"# No change: release {release.version}",
        "",
        f"The tables built from the raw files are byte-identical to release {release.version} "
        f"in `{release.out_dir}`: nothing new was published.",
        "",
        "Checked against the release's manifest (every file's size and SHA-256):",
        "",
        *[f"- {line}" for line in release.checked or ["(no copy matched it as it was)"]],
    ]
    if release.repaired:
        lines += ["", "Repaired (put back byte-identical to the manifest):", ""]
        lines += [f"- {line}" for line in release.repaired]
    if release.left_damaged:
        lines += ["", "Damaged and **not** repaired (no byte-identical copy exists):", ""]
        lines += [f"- {line}" for line in release.left_damaged]
    return "\n".join(lines) + "\n"


@task
def no_change_artifact(release: steps.ReleaseSummary) -> None:
    """Show on the run's page that nothing changed, what was checked and what was repaired."""
    create_markdown_artifact(
        key="no-change",
        markdown=unchanged_markdown(release),
        description=f"No change: release {release.version} checked against its manifest",
    )


@task
def publish_artifacts(release: steps.ReleaseSummary) -> None:
    """Show the release in the Prefect UI: the report and its counts as artifacts, a summary in the logs."""
    quality = Path(release.out_dir) / "quality"
    log_quality_summary(io.read_json(quality / "report.json"), quality)
    create_markdown_artifact(
        key="quality-report",
        markdown=(quality / "report.md").read_text(encoding="utf-8"),
        description="Data-quality report",
    )
    create_table_artifact(
        key="row-counts",
        table=[{"table": name, "rows": rows} for name, rows in sorted(release.row_counts.items())],
        description=f"Rows per table in release {release.version}",
    )
    create_table_artifact(
        key="issue-counts",
        table=[{"code": code, "count": n} for code, n in sorted(release.issue_counts.items())],
        description=f"Data-quality issues by code in release {release.version}",
    )


TaskRunnerName = Literal["local", "dask"]
TASK_RUNNERS: tuple[str, ...] = ("local", "dask")

# When the local runner parses in worker processes rather than in the flow's process.
# Measured on the 2-core dev VM (2026-11, Prefect 3.8.8):
# - Prefect's ProcessPoolTaskRunner works with the ephemeral server once the run's API
#   URL is pinned for its workers (_pinned_api_url), but its first result comes 7-10 s
#   after the first submit (spawned interpreters importing prefect and confdata, then
#   registering with the server); a local Dask cluster takes 6-10 s to start.
# - Parsing runs at ~8 MB/s of parse_weight per core: the NSDI '26 page alone 0.2 s in
#   a run, 50 such pages 2.7 s, 1,000 pages 45 s, one after another in the flow's process.
# - 50 pages: 2.7 s in the flow's process, 12.1 s with two worker processes, 12.7 s on
#   a local Dask cluster (start-up included). Batches on the flow's thread pool side by
#   side took 5.4 s (GIL contention), hence one after another.
# - 1,000 pages with other work on the VM's 2 cores: 45 s in-process, 65 s with two
#   worker processes; two parsing processes there ran no faster than one.
# - Re-measured on an idle VM after the parser got faster: 1,000 synthetic pages
#   (249 MB) take 50 s one after another in run_pipeline (parse, staging files, parse
#   cache), ~5 MB/s.
# So processes are used only when the time they can save, serial × (1 - 1/cores), is at
# least twice their start-up: with 2 cores a weight of ~160 MB still to parse (files in
# the parse cache do not count): ~650 program pages; less with more cores. A small run
# (one program page and a CV) never starts a process.
PROCESS_START_SECONDS = 8.0
PARSE_WEIGHT_PER_SECOND = 5_000_000


def use_processes(weight: int, cores: int) -> bool:
    """Return whether parsing ``weight`` (see ``steps.parse_weight``) is worth worker processes.

    Examples:
        >>> use_processes(300_000, 2), use_processes(300_000_000, 2), use_processes(10**9, 1)
        (False, True, False)
    """
    if cores < 2:
        return False
    serial = weight / PARSE_WEIGHT_PER_SECOND
    return serial * (1 - 1 / cores) >= 2 * PROCESS_START_SECONDS


def _cores() -> int:
    return os.cpu_count() or 1


@contextlib.contextmanager
def _stage(name: str, detail: str = "", work: Path | None = None) -> Iterator[None]:
    """Log a stage's start and end (and, from the work folder, its library stages' spans)."""
    logger = get_run_logger()
    logger.info("stage %s: started%s", name, f" ({detail})" if detail else "")
    start = time.monotonic()
    yield
    figures = ""
    if work is not None:
        parts = stage_times.summarize(work)
        figures = ", ".join(
            f"{stage} {parts[stage]['seconds']:.2f} s"
            for stage in STAGE_PARTS.get(name, ())
            if stage in parts
        )
    logger.info(
        "stage %s: done in %.1f s%s",
        name,
        time.monotonic() - start,
        f" ({figures})" if figures else "",
    )


# The library's timed stages (confdata.run.stage_times) inside each of the flow's stages.
STAGE_PARTS = {
    "parse": ("parse",),
    "build tables": ("normalize", "resolve"),
    "validate": ("validate",),
    "publish": ("write", "report"),
}


@flow(name="build-confdata", log_prints=False, timeout_seconds=flow_timeout_at_import())
def build_dataset(
    raw_dir: str = "raw",
    out_dir: str = "out",
    skip_bad_files: bool = False,
    task_runner: TaskRunnerName = "local",
    dask_address: str | None = None,
    licence: str = DEFAULT_LICENCE,
) -> steps.ReleaseSummary:
    """Build the dataset from every raw file in ``raw_dir`` and publish it to ``out_dir``.

    ``licence`` is the SPDX id ``datapackage.json`` declares (``confdata.publish.licences``).

    A bad raw file stops the run and nothing is published, unless
    ``skip_bad_files``: then the other files are published and the bad ones are
    listed first in the quality report (if every file is bad, nothing is).

    The raw files are parsed in batches, one task each. ``task_runner="local"``
    runs them in this process, or in one worker process per core when there is
    much to parse (see :func:`use_processes`); ``"dask"`` runs them on
    a Dask cluster: a local one (one worker process per core) or, with
    ``dask_address`` (``tcp://host:port``), the one whose scheduler is there.
    The published files do not depend on the runner.
    """
    flow_timeout_seconds()  # a bad $CONFDATA_FLOW_TIMEOUT_SECONDS fails the run, located
    if task_runner not in TASK_RUNNERS:
        raise ValueError(f"task_runner={task_runner!r}: expected one of {TASK_RUNNERS}")
    if dask_address and task_runner != "dask":
        raise ValueError("dask_address is only used with task_runner='dask'")
    licence_entry(licence)  # a licence the package cannot name stops the run before any work
    logger = get_run_logger()
    raw, out = Path(raw_dir), Path(out_dir)
    # The same run lock, crash clean-up and parse cache as steps.run_pipeline; the
    # lock waits up to $CONFDATA_LOCK_TIMEOUT seconds (set by --lock-timeout).
    with steps.pipeline_run(out) as work:
        with _stage("discover"):
            sources = discover_sources(raw, work, skip_bad_files)
            reference = io.reference_dir_for(raw)
            logger.info("%d raw files; reference data from %s", len(sources), reference)
        parsed = _parse_all(
            sources, reference, work, raw, skip_bad_files, task_runner, dask_address
        )
        for skipped in steps.skipped_files(work):
            logger.warning("skipped a bad raw file: %s", skipped)
        # One line per file for a small run; a long one has the progress lines instead.
        per_file = logger.info if len(parsed) <= PER_FILE_LINES else logger.debug
        for summary in parsed:
            per_file(
                "%s %s: %s (%d issues)",
                "cached" if summary.cached else "parsed",
                summary.relative,
                summary.rows,
                summary.issues,
            )
        with _stage("build tables", "normalize, resolve people and organizations", work):
            counts = build_tables(work, reference, out, skip_bad_files)
            logger.info("tables: %s", counts)
        with _stage("validate", work=work):
            validate(work)
        with _stage("publish", "write the release and its report", work):
            release = steps.parse_counts(publish(work, out, licence), parsed)
        release = dataclasses.replace(
            release, skipped=steps.skipped_files(work), stages=stage_times.summarize(work)
        )
        if release.published:
            logger.info("published release %s to %s", release.version, release.out_dir)
            publish_artifacts(release)
        else:
            logger.info(
                "no change: the tables equal release %s; nothing new published%s",
                release.version,
                f" ({len(release.repaired)} repairs)" if release.repaired else "",
            )
            no_change_artifact(release)
        return release


def _parse_all(
    sources: list[steps.SourceSummary],
    reference: Path,
    work: Path,
    raw: Path,
    skip_bad_files: bool,
    task_runner: str,
    dask_address: str | None,
) -> list[steps.ParseSummary]:
    """Parse every source in batches, one task each; a file that fails is raised, or skipped.

    Every batch runs to its end first, so each bad file is in the log; then the
    first one stops the run, or with ``skip_bad_files`` all are set aside.
    """
    to_parse = steps.weight_to_parse(sources, reference, work)
    with _parse_runner(task_runner, dask_address, to_parse) as (runner, workers, where):
        batches = steps.split_batches(sources, steps.parse_batch_count(len(sources), workers))
        detail = (
            f"{len(sources)} files, {to_parse / 1e6:,.1f} MB to parse (not in the cache), "
            f"{len(batches)} batches on {where}"
        )
        with _stage("parse", detail, work):
            futures: list[PrefectFuture[list[steps.ParseSummary | steps.ParseFailure]]] = [
                runner.submit(
                    parse_batch,
                    {"sources": batch, "reference_dir": reference, "work_dir": work},
                )
                for batch in batches
            ]
            try:
                outcomes = _collect(futures, len(sources))
            except BaseException:
                # Given up (a signal, the flow's timeout, a failed batch): batches still
                # running on this process's threads end at their next file, so leaving
                # the runner does not wait for them to parse on.
                run_state.request_stop()
                raise
    return steps.settle_parses(sources, outcomes, work, raw, skip_bad_files)


def _collect(
    futures: list[PrefectFuture[list[steps.ParseSummary | steps.ParseFailure]]], total: int
) -> list[steps.ParseSummary | steps.ParseFailure]:
    """Wait for the parse batches, logging the progress as each one ends."""
    logger = get_run_logger()
    outcomes: list[steps.ParseSummary | steps.ParseFailure] = []
    authorships = bad = 0
    for future in as_completed(futures):
        # A batch returns bad files; an exception here is a bug, raised with its traceback.
        batch = future.result()
        outcomes.extend(batch)
        for outcome in batch:
            if isinstance(outcome, steps.ParseFailure):
                bad += 1
            else:
                authorships += outcome.rows.get("stg_authorships", 0)
        logger.info(
            "parsed %d/%d files (%s authorships%s)",
            len(outcomes),
            total,
            f"{authorships:,}",
            f"; {bad} bad" if bad else "",
        )
    return outcomes


@contextlib.contextmanager
def _parse_runner(
    task_runner: str, dask_address: str | None, weight_to_parse: int
) -> Iterator[tuple[TaskRunner[Any], int, str]]:
    """Yield the task runner for the parse batches, its number of workers, and a label.

    The runner is chosen here, at run time, and used only for the parse: the
    other tasks run in the flow's process whatever the runner.
    """
    cores = _cores()
    logger = get_run_logger()
    start = time.monotonic()
    if task_runner == "dask":
        logger.info("starting the Dask task runner for the parse")
        with _pinned_api_url(dask_address), _dask_runner(dask_address, cores) as found:
            logger.info("%s ready in %.1f s", found[2], time.monotonic() - start)
            yield found
    elif use_processes(weight_to_parse, cores):
        # Its processes start with the first batch: their start-up is inside the stage.
        with _pinned_api_url(None), ProcessPoolTaskRunner(max_workers=cores) as runner:
            yield runner, cores, f"{cores} worker processes"
    else:
        # One batch after the other: parsing holds the GIL, and batches parsed side by
        # side on threads took twice as long as in turn (50 pages: 5.4 s against 2.7 s).
        with ThreadPoolTaskRunner(max_workers=1) as runner:
            yield runner, cores, "this process"


@contextlib.contextmanager
def _dask_runner(address: str | None, cores: int) -> Iterator[tuple[TaskRunner[Any], int, str]]:
    from prefect_dask import DaskTaskRunner  # imports distributed: only when asked for

    if address:
        with DaskTaskRunner(address=address) as runner:
            workers = sum(runner.client.nthreads().values()) or 1
            yield runner, workers, f"the Dask cluster at {address} ({workers} threads)"
        return
    # A local cluster: processes, not threads (parsing holds the GIL), one per core. Its
    # workers import distributed afresh; this keeps their start-up chatter off the terminal.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    quiet = {"distributed.nanny.pre-spawn-environ.DASK_LOGGING__DISTRIBUTED": "warning"}
    import dask

    with dask.config.set(quiet):
        runner = DaskTaskRunner(
            cluster_kwargs={"n_workers": cores, "processes": True, "threads_per_worker": 1}
        )
        with runner:
            runner.client  # noqa: B018 (starts the cluster now, while the config holds)
            yield runner, cores, f"a local Dask cluster ({cores} worker processes)"


@contextlib.contextmanager
def _pinned_api_url(dask_address: str | None) -> Iterator[None]:
    """Make task runs in other processes report to this run's Prefect API.

    A worker process rebuilds the run's context from the settings this process
    hands it. Without ``PREFECT_API_URL`` in them (no server configured, so
    this run uses Prefect's ephemeral server), every worker would start an
    ephemeral server of its own (measured: +7 s each) and its task runs would
    not show in this run. So the URL this run's client uses is pinned in the
    settings while batches are submitted. A remote Dask worker can reach it
    only if it is not a loopback address: a warning says so.
    """
    context = FlowRunContext.get()
    url = str(context.client.api_url) if context is not None else PREFECT_API_URL.value()
    if (
        dask_address
        and _is_loopback(urlsplit(url).hostname)
        and not _is_loopback(urlsplit(dask_address).hostname)
    ):
        get_run_logger().warning(
            "the Prefect API of this run is %s, which Dask workers on other machines cannot "
            "reach; set PREFECT_API_URL to a Prefect server they can reach",
            url,
        )
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def _is_loopback(host: str | None) -> bool:
    if not host or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoTracebackForBadInput(logging.Filter):
    """Drop the traceback Prefect logs with a task or flow that failed on an expected fault.

    A :class:`RawInputError` already says which file and line is wrong and what
    was expected; so does a full disk, a read-only folder, a held run lock, a
    bad setting or a stop request (``flows.faults.is_expected``): the
    traceback would only bury that. Every other exception (a bug) keeps its
    traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and faults.is_expected(record.exc_info[1]):
            record.exc_info = None
            record.exc_text = None
        return True


_BAD_INPUT_FILTER = _NoTracebackForBadInput()
for _name in ("prefect.flow_runs", "prefect.task_runs"):
    if _BAD_INPUT_FILTER not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_BAD_INPUT_FILTER)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m flows.build --raw DIR --out DIR`` (see :func:`flows.cli.main`)."""
    from flows.cli import main as cli_main

    return cli_main(argv)
