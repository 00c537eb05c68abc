"""The Prefect flow that builds the dataset: raw/ -> validated tables in out/.

Run it with ``make run`` or ``python -m flows.build --raw raw --out out``. Each
task calls one ``confdata.steps`` function and passes paths or small
summaries; the work itself lives in the library.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from confdata import io, steps
from confdata.errors import RawInputError, ValidationFailed


@task(retries=2, retry_delay_seconds=1)
def discover_sources(raw_dir: Path, work_dir: Path) -> list[steps.SourceSummary]:
    """Find the raw files and detect each one's kind (reads files: retried)."""
    return steps.discover_sources(raw_dir, work_dir)


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
def validate(work_dir: Path) -> dict[str, object]:
    """Validate every table against its pandera model and its foreign keys."""
    return steps.validate(work_dir)


# Written by `make eval`; its figures go into the quality report when present.
EVAL_RESULTS = Path(__file__).resolve().parents[1] / ".eval" / "results.json"


@task(retries=2, retry_delay_seconds=1)
def publish(work_dir: Path, out_dir: Path) -> steps.ReleaseSummary:
    """Write the release beside out/ and swap it in atomically (writes files: retried)."""
    return steps.publish(work_dir, out_dir, EVAL_RESULTS)


@task
def publish_artifacts(release: steps.ReleaseSummary) -> None:
    """Show the release in the Prefect UI: the quality report and its counts as artifacts."""
    report = Path(release.out_dir) / "quality" / "report.md"
    create_markdown_artifact(
        key="quality-report",
        markdown=report.read_text(encoding="utf-8"),
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


@flow(name="build-confdata", log_prints=False)
def build_dataset(raw_dir: str = "raw", out_dir: str = "out") -> steps.ReleaseSummary:
    """Build the dataset from every raw file in ``raw_dir`` and publish it to ``out_dir``."""
    logger = get_run_logger()
    raw, out = Path(raw_dir), Path(out_dir)
    work = steps.work_dir_for(out)
    try:
        sources = discover_sources(raw, work)
        reference = io.reference_dir_for(raw)
        logger.info("%d raw files; reference data from %s", len(sources), reference)
        parsed = parse_source.map(sources, reference, work).result()
        for summary in parsed:
            logger.info("parsed %s: %s (%d issues)", summary.relative, summary.rows, summary.issues)
        counts = build_tables(work, reference, out)
        logger.info("tables: %s", counts)
        validate(work)
        release = publish(work, out)
        if release.published:
            logger.info("published release %s to %s", release.version, release.out_dir)
            publish_artifacts(release)
        else:
            logger.info(
                "no change: the tables equal release %s; nothing published", release.version
            )
        return release
    finally:
        io.remove_tree(work)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m flows.build --raw DIR --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", default="raw", help="folder of raw programs and CVs")
    parser.add_argument("--out", default="out", help="folder the release is published to")
    args = parser.parse_args(argv)
    try:
        release = build_dataset(raw_dir=args.raw, out_dir=args.out)
    except (RawInputError, ValidationFailed) as err:
        print(f"error: {err}", file=sys.stderr)
        print(f"nothing was published; {args.out}/ is unchanged", file=sys.stderr)
        return 1
    counts = ", ".join(f"{k} {v}" for k, v in release.row_counts.items())
    if release.published:
        print(f"published release {release.version} to {release.out_dir}: {counts}")
    else:
        print(
            f"no change: {release.out_dir} already holds these tables (release {release.version})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
