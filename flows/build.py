"""The Prefect flow that builds the dataset: raw/ -> validated tables in out/.

Run it with ``make run`` or ``python -m flows.build --raw raw --out out``. Each
task calls one ``confdata.steps`` function and passes paths or small
summaries; the work itself lives in the library.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import State

from confdata import io, steps
from confdata.errors import RawInputError, ValidationFailed

# The whole run's time budget. A scheduled run that hangs (a stuck network mount, say)
# ends TimedOut instead of blocking the next day's run. Read when this module is
# imported, so it also applies to runs a served deployment starts in a subprocess.
TIMEOUT_ENV = "CONFDATA_FLOW_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 3600


def flow_timeout_seconds(environ: Mapping[str, str] = os.environ) -> int:
    """Return the flow's timeout: ``$CONFDATA_FLOW_TIMEOUT_SECONDS``, else one hour.

    Raises:
        ValueError: When the variable is set but is not a positive whole number.
    """
    text = environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = int(text)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise ValueError(f"{TIMEOUT_ENV}={text!r}: expected a positive whole number of seconds")
    return seconds


def retry_unless_bad_input(task: object, task_run: object, state: State) -> bool:
    """Retry a failed file task only for errors a second try can fix (I/O, not content).

    A raw file that cannot be parsed or a release that fails its checks fails
    the same way every time, so those end the task at once. (Prefect hands this
    check a Failed state whose data is the task's exception.)
    """
    return not isinstance(state.data, (RawInputError, ValidationFailed))


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
    for source in sources:
        logger.info(
            "read %s: %s, %d lines, %d bytes, sha256 %s…",
            source.relative,
            source.kind,
            source.lines,
            source.bytes,
            source.sha256[:12],
        )
    return sources


@task
def parse_source(
    source: steps.SourceSummary, reference_dir: Path, work_dir: Path
) -> steps.ParseSummary:
    """Parse one raw file into staging tables."""
    return steps.parse_source(source, reference_dir, work_dir)


@task
def build_tables(work_dir: Path, reference_dir: Path, out_dir: Path) -> dict[str, int]:
    """Combine the staging tables of all sources; resolve people and organizations."""
    return steps.build_tables(work_dir, reference_dir, out_dir)


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
def publish(work_dir: Path, out_dir: Path) -> steps.ReleaseSummary:
    """Write the release beside out/ and swap it in atomically (writes files: retried)."""
    release = steps.publish(work_dir, out_dir, EVAL_RESULTS)
    if release.published:
        get_run_logger().info(
            "wrote release %s: %d files, %d rows in %d tables",
            release.version,
            len(release.files),
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


@flow(name="build-confdata", log_prints=False, timeout_seconds=flow_timeout_seconds())
def build_dataset(
    raw_dir: str = "raw", out_dir: str = "out", skip_bad_files: bool = False
) -> steps.ReleaseSummary:
    """Build the dataset from every raw file in ``raw_dir`` and publish it to ``out_dir``.

    A bad raw file stops the run and nothing is published, unless
    ``skip_bad_files``: then the other files are published and the bad ones are
    listed first in the quality report (if every file is bad, nothing is).
    """
    logger = get_run_logger()
    raw, out = Path(raw_dir), Path(out_dir)
    # The same run lock, crash clean-up and parse cache as steps.run_pipeline; the
    # lock waits up to $CONFDATA_LOCK_TIMEOUT seconds (set by --lock-timeout).
    with steps.pipeline_run(out) as work:
        sources = discover_sources(raw, work, skip_bad_files)
        reference = io.reference_dir_for(raw)
        logger.info("%d raw files; reference data from %s", len(sources), reference)
        parsed = _parse_all(sources, reference, work, raw, skip_bad_files)
        for skipped in steps.skipped_files(work):
            logger.warning("skipped a bad raw file: %s", skipped)
        for summary in parsed:
            logger.info(
                "%s %s: %s (%d issues)",
                "cached" if summary.cached else "parsed",
                summary.relative,
                summary.rows,
                summary.issues,
            )
        counts = build_tables(work, reference, out)
        logger.info("tables: %s", counts)
        validate(work)
        release = steps.parse_counts(publish(work, out), parsed)
        release = dataclasses.replace(release, skipped=steps.skipped_files(work))
        if release.published:
            logger.info("published release %s to %s", release.version, release.out_dir)
            publish_artifacts(release)
        else:
            logger.info(
                "no change: the tables equal release %s; nothing published", release.version
            )
        return release


def _parse_all(
    sources: list[steps.SourceSummary],
    reference: Path,
    work: Path,
    raw: Path,
    skip_bad_files: bool,
) -> list[steps.ParseSummary]:
    """Parse every source (concurrently); a file that fails is raised, or skipped.

    Every parse runs to its end first, so each bad file is in the log; then the
    first one stops the run, or with ``skip_bad_files`` all are set aside.
    """
    futures = parse_source.map(sources, reference, work)
    futures.wait()
    parsed: list[steps.ParseSummary] = []
    failed: list[tuple[steps.SourceSummary, RawInputError]] = []
    for source, future in zip(sources, futures, strict=True):
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, RawInputError):
            failed.append((source, outcome))
        elif isinstance(outcome, BaseException):
            raise outcome  # not bad input: a bug, raised with its traceback
        else:
            parsed.append(outcome)
    if failed and not skip_bad_files:
        raise failed[0][1]
    if failed:
        steps.skip_bad_sources(work, failed, "parse", raw)
    return parsed


class _NoTracebackForBadInput(logging.Filter):
    """Drop the traceback Prefect logs with a task or flow that failed on bad input.

    A :class:`RawInputError` already says which file and line is wrong and what
    was expected; the traceback would only bury that. Every other exception (a
    bug) keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], RawInputError):
            record.exc_info = None
            record.exc_text = None
        return True


_BAD_INPUT_FILTER = _NoTracebackForBadInput()
for _name in ("prefect.flow_runs", "prefect.task_runs"):
    if _BAD_INPUT_FILTER not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_BAD_INPUT_FILTER)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m flows.build --raw DIR --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    args = parser.parse_args(argv)
    if args.lock_timeout is not None:
        os.environ["CONFDATA_LOCK_TIMEOUT"] = str(args.lock_timeout)
    try:
        release = build_dataset(
            raw_dir=args.raw, out_dir=args.out, skip_bad_files=args.skip_bad_files
        )
    except (RawInputError, ValidationFailed, steps.RunLocked) as err:
        print(f"error: {err}", file=sys.stderr)
        print(f"nothing was published; {args.out}/ is unchanged", file=sys.stderr)
        return 1
    for skipped in release.skipped:
        print(f"skipped: {skipped}", file=sys.stderr)
    counts = ", ".join(f"{k} {v}" for k, v in release.row_counts.items())
    parses = f"{len(release.parsed)} files parsed, {len(release.cached)} from the cache"
    if release.published:
        print(f"published release {release.version} to {release.out_dir}: {counts} ({parses})")
    else:
        print(
            f"no change: {release.out_dir} already holds these tables (release {release.version}; "
            f"{parses})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
