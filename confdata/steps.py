"""The pipeline's steps: each reads its inputs, calls the pure library, writes its outputs.

This is the thin imperative shell between the Prefect flow and the pure
functions. Every step takes and returns paths and small summaries, never large
frames, so a Prefect task can wrap each one with nothing but a decorator, and
tests can run the whole pipeline without Prefect (:func:`run_pipeline`).

Intermediate results live in a work folder beside ``out/``; the release is
built in a staging folder beside ``out/`` and swapped in only once it is
complete and valid.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from confdata import __version__, io
from confdata.academic_cv import looks_like_cv, parse_cv
from confdata.datapackage import build_datapackage
from confdata.dictionary import render_data_dictionary
from confdata.errors import RawInputError, ValidationFailed
from confdata.ids import stable_id
from confdata.issues import Issue
from confdata.quality import build_report, render_markdown
from confdata.raw_text import decode_raw, detect_kind
from confdata.reference import build_reference
from confdata.release_check import check_release
from confdata.releases import build_manifest, content_hash, diff_tables, next_version
from confdata.report_charts import chart_data
from confdata.report_html import render_html
from confdata.tables import concat_stg, core_tables, cv_frames, program_frames
from confdata.usenix_program import looks_like_program, parse_program
from schemas import MODELS, validate_tables

log = logging.getLogger(__name__)

KIND_TESTS = (("program", looks_like_program), ("cv", looks_like_cv))


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """A raw file to parse: where it is, what it is, and its hash."""

    path: str
    relative: str
    source_id: str
    kind: str
    sha256: str
    bytes: int
    lines: int


@dataclass(frozen=True, slots=True)
class ParseSummary:
    """What parsing one raw file produced."""

    source_id: str
    relative: str
    rows: dict[str, int]
    issues: int
    event: str | None


@dataclass(frozen=True, slots=True)
class ReleaseSummary:
    """What a run published: the release's version, row and issue counts and files.

    ``published`` is False when the tables equal the current release ("no change").
    """

    out_dir: str
    row_counts: dict[str, int]
    issue_counts: dict[str, int]
    files: list[str] = field(default_factory=list)
    version: str = ""
    published: bool = True


def work_dir_for(out_dir: Path) -> Path:
    """Return a fresh work folder for one run, beside ``out_dir``."""
    out_dir = out_dir.resolve()
    path = out_dir.parent / f".{out_dir.name}.work-{os.getpid()}"
    io.remove_tree(path)
    path.mkdir(parents=True)
    return path


def discover_sources(raw_dir: Path, work_dir: Path) -> list[SourceSummary]:
    """Find the raw files, check each can be read, and detect its kind from its content.

    Raises:
        RawInputError: For a missing folder, an unreadable file or a file of no
            known kind; the message names the file.
    """
    files, notes = io.list_raw_files(raw_dir)
    summaries = []
    for raw in files:
        data = io.read_bytes(raw.path)
        text = decode_raw(data, path=raw.relative)
        kind = detect_kind(text, path=raw.relative, tests=KIND_TESTS)
        summaries.append(
            SourceSummary(
                path=str(raw.path.resolve()),
                relative=raw.relative,
                source_id=stable_id("src", raw.relative),
                kind=kind,
                sha256=io.sha256_bytes(data),
                bytes=len(data),
                lines=text.count("\n") + (0 if text.endswith("\n") else 1),
            )
        )
        log.info("found %s (%s, %d bytes)", raw.relative, kind, len(data))
    issues = [Issue("folder-not-read", "info", note, str(raw_dir)) for note in notes]
    io.write_json([i.to_dict() for i in issues], work_dir / "issues" / "_discovery.json")
    io.write_json([asdict(s) for s in summaries], work_dir / "sources.json")
    return summaries


def parse_source(source: SourceSummary, reference_dir: Path, work_dir: Path) -> ParseSummary:
    """Parse one raw file into staging tables and its issues, written under the work folder.

    Raises:
        RawInputError: When the file changed since discovery or cannot be parsed.
    """
    data = io.read_bytes(Path(source.path))
    if io.sha256_bytes(data) != source.sha256:
        raise RawInputError(source.relative, 0, "the file unchanged during the run", "new content")
    text = decode_raw(data, path=source.relative)
    reference = build_reference(io.read_reference(reference_dir))
    event: str | None = None
    issues: tuple[Issue, ...]
    if source.kind == "program":
        program = parse_program(
            text,
            source_path=source.relative,
            rules=reference.program_rules,
            knowledge=reference.org_knowledge,
        )
        frames = program_frames(program, source.source_id)
        event, issues = program.event, program.issues
    else:
        cv = parse_cv(text, source_path=source.relative)
        frames = cv_frames(cv, source.source_id, reference.program_rules.award_value)
        issues = cv.issues
    io.write_frames(frames, work_dir / "stg" / source.source_id)
    io.write_json([i.to_dict() for i in issues], work_dir / "issues" / f"{source.source_id}.json")
    io.write_json({"event": event}, work_dir / "events" / f"{source.source_id}.json")
    rows = {name: df.height for name, df in frames.items()}
    log.info("parsed %s: %s, %d issues", source.relative, rows, len(issues))
    return ParseSummary(source.source_id, source.relative, rows, len(issues), event)


def _sources_table(work_dir: Path) -> pl.DataFrame:
    sources = io.read_json(work_dir / "sources.json")
    events = {
        p.stem: io.read_json(p)["event"] for p in sorted((work_dir / "events").glob("*.json"))
    }
    return pl.DataFrame(
        [
            {
                "source_id": s["source_id"],
                "path": s["relative"],
                "kind": s["kind"],
                "sha256": s["sha256"],
                "bytes": s["bytes"],
                "lines": s["lines"],
                "event": events.get(s["source_id"]),
            }
            for s in sources
        ],
        schema={
            "source_id": pl.Utf8,
            "path": pl.Utf8,
            "kind": pl.Utf8,
            "sha256": pl.Utf8,
            "bytes": pl.Int64,
            "lines": pl.Int64,
            "event": pl.Utf8,
        },
        orient="row",
    )


def _read_issues(work_dir: Path) -> list[Issue]:
    return [
        Issue(**item)
        for p in sorted((work_dir / "issues").glob("*.json"))
        for item in io.read_json(p)
    ]


def build_tables(
    work_dir: Path, reference_dir: Path, out_dir: Path | None = None
) -> dict[str, int]:
    """Combine every source's staging tables into the published tables (in the work folder).

    People and organizations are resolved here; the release now in ``out_dir``
    (if any) is read to redirect person IDs that a merge or split retires.
    """
    stg = concat_stg([io.read_frames(p) for p in sorted((work_dir / "stg").iterdir())])
    reference = build_reference(io.read_reference(reference_dir))
    previous = (
        io.read_frames(out_dir / "parquet") if out_dir and (out_dir / "parquet").is_dir() else {}
    )
    tables, issues, summary = core_tables(
        stg, _sources_table(work_dir), reference.registry, reference.people_overrides, previous
    )
    io.write_json(summary, work_dir / "resolution.json")
    io.write_frames(tables, work_dir / "core")
    io.write_json([i.to_dict() for i in issues], work_dir / "issues" / "_combine.json")
    counts = {name: df.height for name, df in tables.items()}
    log.info("built tables: %s", counts)
    return counts


def validate(work_dir: Path) -> dict[str, Any]:
    """Validate every table; write the result to the work folder.

    Raises:
        ValidationFailed: When any check fails; the message names the failing
            rows (table, column, check, key, value). Nothing is published.
    """
    report = validate_tables(io.read_frames(work_dir / "core"))
    result = {
        "ok": report.ok,
        "tables": report.tables,
        "failures": [asdict(f) for f in report.failures],
    }
    io.write_json(result, work_dir / "validation.json")
    if not report.ok:
        listed = "\n".join(
            f"  {f.table}.{f.column} [{f.check}] key={f.key!r} value={f.value!r}"
            for f in report.failures[:20]
        )
        more = len(report.failures) - 20
        raise ValidationFailed(
            f"{len(report.failures)} failing rows; nothing was published:\n{listed}"
            + (f"\n  … and {more} more" if more > 0 else "")
        )
    log.info("validated %d tables", len(report.tables))
    return result


def _current_release(out_dir: Path) -> tuple[dict[str, Any] | None, dict[str, pl.DataFrame]]:
    """Return the manifest and tables of the release now in ``out_dir`` (none on a first run)."""
    manifest_path = out_dir / "manifest.json"
    if not manifest_path.is_file():
        return None, {}
    return io.read_json(manifest_path), io.read_frames(out_dir / "parquet")


def publish(work_dir: Path, out_dir: Path, eval_results: Path | None = None) -> ReleaseSummary:
    """Publish the validated tables as a new release of ``out_dir``, atomically.

    The release is written to ``releases/<version>/`` inside a staging copy of
    ``out_dir`` (earlier releases hard-linked, not copied), copied to the top,
    and the staging folder is swapped in. When its tables are byte-identical to
    the current release, nothing is published ("no change"). The figures of
    the last ``make eval`` (``eval_results``), when present, go into the report.
    """
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    tables = io.read_frames(work_dir / "core")
    validation = io.read_json(work_dir / "validation.json")
    if not validation["ok"]:
        raise ValidationFailed("the tables did not pass validation; nothing was published")
    out_dir = out_dir.resolve()
    previous_manifest, previous_tables = _current_release(out_dir)
    releases = out_dir / "releases"
    version = next_version(sorted(p.name for p in releases.iterdir()) if releases.is_dir() else [])
    staging = io.staging_dir(out_dir)
    try:
        release = staging / "releases" / version
        files: dict[str, dict[str, Any]] = {}
        for name, df in sorted(tables.items()):
            facts = io.write_table(df, name, release)
            for path, meta in facts["files"].items():
                files[path] = {**meta, "rows": facts["rows"]}
        content = content_hash({path: meta["sha256"] for path, meta in files.items()})
        if previous_manifest and previous_manifest.get("content_sha256") == content:
            log.info("no change: the tables equal release %s", previous_manifest["version"])
            io.remove_tree(staging)
            return ReleaseSummary(
                out_dir=str(out_dir),
                row_counts={name: df.height for name, df in tables.items()},
                issue_counts={},
                version=previous_manifest["version"],
                published=False,
            )
        diff = diff_tables(previous_tables, tables)
        report = build_report(
            pipeline_version=__version__,
            sources=tables["sources"].select("path", "kind", "sha256").to_dicts(),
            row_counts={name: df.height for name, df in tables.items()},
            validation=validation,
            issues=_read_issues(work_dir),
            resolution={
                **io.read_json(work_dir / "resolution.json"),
                **(
                    {"evaluation": io.read_json(eval_results)}
                    if eval_results and eval_results.is_file()
                    else {}
                ),
            },
            release={
                "version": version,
                "previous_version": previous_manifest["version"] if previous_manifest else None,
            },
            diff=diff,
        )
        io.write_json(report, release / "quality" / "report.json")
        io.write_text(render_markdown(report), release / "quality" / "report.md")
        io.write_text(render_html(report, chart_data(tables)), release / "quality" / "report.html")
        io.write_text(render_data_dictionary(MODELS), release / "DATA_DICTIONARY.md")
        package = build_datapackage(
            MODELS,
            files,
            name="confdata",
            version=version,
            title="confdata: conference programs and CVs",
        )
        io.write_json(package, release / "datapackage.json")
        for extra in (
            "quality/report.json",
            "quality/report.md",
            "quality/report.html",
            "DATA_DICTIONARY.md",
            "datapackage.json",
        ):
            files[extra] = io.file_facts(release / extra)
        manifest = build_manifest(
            version=version,
            previous_version=previous_manifest["version"] if previous_manifest else None,
            pipeline_version=__version__,
            files=files,
            sources=[
                {"path": r["path"], "sha256": r["sha256"], "kind": r["kind"]}
                for r in tables["sources"].iter_rows(named=True)
            ],
            content=content,
            run={
                "started": started,
                "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )
        io.write_json(manifest, release / "manifest.json")
        # Audit the staged release as a consumer would before anyone can see it.
        problems = check_release(release)
        if problems:
            raise ValidationFailed(
                "the staged release failed its own check:\n  " + "\n  ".join(problems)
            )
        if releases.is_dir():
            io.link_tree(releases, staging / "releases")
        io.link_tree(release, staging)
        io.swap_in(staging, out_dir)
    except BaseException:
        io.remove_tree(staging)
        raise
    log.info("published release %s (%d files) to %s", version, len(files) + 1, out_dir)
    return ReleaseSummary(
        out_dir=str(out_dir),
        row_counts=report["row_counts"],
        issue_counts=report["issue_counts"],
        files=sorted([*files, "manifest.json"]),
        version=version,
        published=True,
    )


def run_pipeline(
    raw_dir: Path,
    out_dir: Path,
    reference_dir: Path | None = None,
    eval_results: Path | None = None,
) -> ReleaseSummary:
    """Run every step in order without Prefect (what the flow does, task by task)."""
    work = work_dir_for(out_dir)
    try:
        sources = discover_sources(raw_dir, work)
        ref = reference_dir or io.reference_dir_for(raw_dir)
        for source in sources:
            parse_source(source, ref, work)
        build_tables(work, ref, out_dir)
        validate(work)
        return publish(work, out_dir, eval_results)
    finally:
        io.remove_tree(work)
