"""The pipeline's steps: each reads its inputs, calls the pure library, writes its outputs.

This is the thin imperative shell between the Prefect flow and the pure
functions. Every step takes and returns paths and small summaries, never large
frames, so a Prefect task can wrap each one with nothing but a decorator, and
tests can run the whole pipeline without Prefect (:func:`run_pipeline`).

Intermediate results live in a work folder beside ``out/``; the release is
built in a staging folder beside ``out/`` and swapped in only once it is
complete and valid. A run holds the lock on ``out/`` from start to end and
cleans up after crashed runs first (:func:`pipeline_run`); parse results are
cached beside ``out/`` by file content, parser version and reference data
(:func:`parse_source`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from confdata import __version__
from confdata.errors import RawInputError, RawInputErrors, ValidationFailed, problems_of
from confdata.ids import stable_id
from confdata.parse.cv import reader as academic_cv
from confdata.parse.cv.reader import looks_like_cv, parse_cv
from confdata.parse.raw_text import decode_raw, detect_kind
from confdata.parse.staging import repeated_events
from confdata.parse.usenix import program as usenix_program
from confdata.parse.usenix.program import looks_like_program, parse_program
from confdata.publish import archive
from confdata.publish import repair as release_repair
from confdata.publish.check import check_release
from confdata.publish.datapackage import build_datapackage
from confdata.publish.dictionary import render_data_dictionary
from confdata.publish.licences import (
    DEFAULT_LICENCE,
    licence_entry,
    package_terms,
    reference_data_sources,
    terms_digest,
)
from confdata.publish.out_target import check_out_target
from confdata.publish.releases import build_manifest, content_hash, diff_tables, next_version
from confdata.quality.charts import chart_data
from confdata.quality.html import render_html
from confdata.quality.issues import SKIPPED_FILE_CODE, Issue
from confdata.quality.report import build_report, render_markdown
from confdata.reference.data import build_reference, check_reference
from confdata.resolve.tables import concat_stg, core_tables, cv_frames, program_frames
from confdata.run import io, stage_times
from confdata.run import state as run_state
from confdata.run.state import RunLocked as RunLocked  # re-exported for the flow's CLI
from schemas import MODELS, validate_tables

log = logging.getLogger(__name__)

KIND_TESTS = (("program", looks_like_program), ("cv", looks_like_cv))
# The parser of each kind, whose PARSER_VERSION is part of the parse cache's key.
PARSERS = {"program": usenix_program, "cv": academic_cv}


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
    cached: bool = False  # True when the parse was taken from the cache


@dataclass(frozen=True, slots=True)
class ReleaseSummary:
    """What a run published: the release's version, row and issue counts and files.

    ``published`` is False when the tables equal the current release ("no change").
    ``parsed`` and ``cached`` list the raw files (relative paths) parsed by this
    run and those whose parse came from the cache.
    """

    out_dir: str
    row_counts: dict[str, int]
    issue_counts: dict[str, int]
    files: list[str] = field(default_factory=list)
    version: str = ""
    published: bool = True
    parsed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    # Bad raw files left out with --skip-bad-files, one "file:line: what was wrong" each.
    skipped: list[str] = field(default_factory=list)
    # Seconds per stage (parse, normalize, resolve, validate, write, report): see
    # confdata.run.stage_times.summarize.
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    # On "no change": what was checked against the manifest, what was repaired (put back
    # byte-identical), and what is damaged with no intact copy (confdata.publish.repair).
    checked: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    left_damaged: list[str] = field(default_factory=list)


def work_dir_for(out_dir: Path) -> Path:
    """Return a fresh work folder for one run, beside ``out_dir``."""
    out_dir = out_dir.resolve()
    path = out_dir.parent / f".{out_dir.name}.work-{os.getpid()}"
    io.remove_tree(path)
    path.mkdir(parents=True)
    return path


def cache_dir_for(out_dir: Path) -> Path:
    """Return the parse cache of ``out_dir``: ``.<out>.cache/`` beside it, never inside."""
    return run_state.sibling(out_dir, "cache")


def lock_file_for(out_dir: Path) -> Path:
    """Return the run lock's file of ``out_dir``: ``.<out>.lock`` beside it."""
    return run_state.sibling(out_dir, "lock")


def _recover(out_dir: Path) -> list[str]:
    """Undo what crashed runs left behind; the caller holds the run lock.

    Puts the previous release back if a crash mid-swap left ``out_dir`` missing,
    and the archive ``releases/`` if a crash mid-publish left it in a staging
    folder (:func:`confdata.publish.archive.restore_archive`), then removes the work,
    staging and previous folders of dead processes (and this process's own,
    which no run here is using while the lock is held), half-restored archive
    files and half-written cache entries. Returns what it did, one line each.
    """
    done = []
    restored = io.restore_previous(out_dir)
    if restored is not None:
        done.append(f"restored {out_dir.name}/ from {restored.name}")
    for path, pid in io.run_leftovers(out_dir):
        if pid != os.getpid() and run_state.pid_alive(pid):
            log.warning("kept %s: its process %d is still running", path, pid)
            continue
        if path.is_symlink() or not path.is_dir():
            # Earlier versions moved a file given as OUT aside under such a name (issue 11).
            log.warning("kept %s: a file, not a run's folder; it may be yours", path)
            continue
        put_back = archive.restore_archive(out_dir, path)
        done += [put_back] if put_back else []
        io.remove_tree(path)
        done.append(f"removed {path.name}")
    for path in archive.stale_restorings(out_dir / archive.ARCHIVE):
        io.remove_tree(path)
        done.append(f"removed {out_dir.name}/{archive.ARCHIVE}/{path.name}")
    cache = cache_dir_for(out_dir)
    for path in sorted(cache.glob(".tmp-*")) if cache.is_dir() else []:
        io.remove_tree(path)
        done.append(f"removed {cache.name}/{path.name}")
    for line in done:
        log.warning("cleaning up after a crashed run: %s", line)
    return done


def recover(out_dir: Path, lock_timeout: float | None = None) -> list[str]:
    """Take the run lock and undo what crashed runs left beside ``out_dir`` (see ``_recover``).

    Raises:
        OutTargetError: When ``out_dir`` is not a release of this pipeline (see
            :func:`confdata.publish.out_target.check_out_target`); nothing is touched.
    """
    check_out_target(out_dir)
    with run_state.hold_lock(lock_file_for(out_dir), lock_timeout):
        return _recover(out_dir.resolve())


@contextlib.contextmanager
def pipeline_run(out_dir: Path, lock_timeout: float | None = None) -> Iterator[Path]:
    """Hold the run lock on ``out_dir`` for a whole run and yield its fresh work folder.

    Waits up to ``lock_timeout`` seconds (default ``$CONFDATA_LOCK_TIMEOUT`` or
    300) for another run on the same ``out_dir``; cleans up after crashed runs;
    points :func:`parse_source` at the parse cache (through ``run.json`` in the
    work folder). When the run succeeds, cache entries it did not use are
    dropped. The work folder is removed in every case.

    First of all, ``out_dir`` must be a release of this pipeline, an empty
    folder or a path that does not exist yet (:func:`check_out_target`): a run
    replaces it as a whole.

    Raises:
        OutTargetError: When ``out_dir`` is anything else (a file, a folder of
            the user's); nothing is locked, moved or created.
        RunLocked: When another run still holds the lock after the timeout.
    """
    check_out_target(out_dir)
    out_dir = out_dir.resolve()
    # A stop asked of an earlier run in this process (run_state.request_stop) is not
    # this run's; nor does this run's outlive it.
    run_state.clear_stop()
    with run_state.hold_lock(lock_file_for(out_dir), lock_timeout):
        _recover(out_dir)
        work = work_dir_for(out_dir)
        try:
            io.write_json({"cache_dir": str(cache_dir_for(out_dir))}, work / "run.json")
            yield work
            _prune_cache(work)
        finally:
            io.remove_tree(work)
            run_state.clear_stop()


def _cache_of(work_dir: Path) -> Path | None:
    run = work_dir / "run.json"
    return Path(io.read_json(run)["cache_dir"]) if run.is_file() else None


def _prune_cache(work_dir: Path) -> None:
    """Drop the cache entries this (successful) run did not use."""
    cache = _cache_of(work_dir)
    if cache is None or not cache.is_dir():
        return
    used = {io.read_json(p)["key"] for p in (work_dir / "parses").glob("*.json")}
    for entry in sorted(cache.iterdir()):
        if entry.name not in used and not entry.name.startswith("."):
            io.remove_tree(entry)


def parse_counts(release: ReleaseSummary, parses: Sequence[ParseSummary]) -> ReleaseSummary:
    """Return the release summary with the files parsed and those taken from the cache."""
    return dataclasses.replace(
        release,
        parsed=[p.relative for p in parses if not p.cached],
        cached=[p.relative for p in parses if p.cached],
    )


def discover_sources(
    raw_dir: Path,
    work_dir: Path,
    skip_bad_files: bool = False,
    reference_dir: Path | None = None,
) -> list[SourceSummary]:
    """Find the raw files, check each can be read, and detect its kind from its content.

    Every entry of the folder is looked at, and the reference files are checked
    (:func:`confdata.reference.data.check_reference`). A file that cannot be read
    (see :func:`confdata.run.io.list_raw_files`, :func:`confdata.parse.raw_text.decode_raw`)
    or is of no known kind is kept aside: :func:`settle_parses` raises it with
    the problems the other files have when parsed, so one run names every bad
    file. With ``skip_bad_files`` it is left out and reported
    (:func:`skip_bad_sources`) instead.

    Raises:
        RawInputError: For a missing folder; for a bad reference file (with the
            bad raw files, whatever ``skip_bad_files``); when no file can be
            parsed (every problem listed, see
            :class:`~confdata.errors.RawInputErrors`).
    """
    # Reading and decoding the raw files is the first part of the parse stage.
    with stage_times.timed(work_dir, "parse"):
        return _discover_sources(raw_dir, work_dir, skip_bad_files, reference_dir)


# Bad raw files found while discovering, kept until settle_parses raises them with the
# parse failures (without --skip-bad-files).
_DISCOVERY_PROBLEMS = "bad_sources.json"


def _discover_sources(
    raw_dir: Path, work_dir: Path, skip_bad_files: bool, reference_dir: Path | None = None
) -> list[SourceSummary]:
    bad: list[RawInputError] = []
    files, notes = io.list_raw_files(raw_dir, bad)
    summaries = []
    for raw in files:
        try:
            summaries.append(_discover(raw))
        except RawInputError as err:
            bad.append(err)
    reference = check_reference(reference_dir or io.reference_dir_for(raw_dir))
    if reference:  # no file can be parsed without the reference data: stop now
        raise RawInputErrors([*reference, *bad])
    issues = [Issue("folder-not-read", "info", note, str(raw_dir)) for note in notes]
    io.write_json([i.to_dict() for i in issues], work_dir / "issues" / "_discovery.json")
    io.write_json([asdict(s) for s in summaries], work_dir / "sources.json")
    if bad and skip_bad_files:
        skip_bad_sources(work_dir, [(None, err) for err in bad], "discovery", raw_dir)
    elif bad:
        if not summaries:  # nothing left to parse, so nothing more to find
            raise RawInputErrors(bad)
        kept = [p.to_dict() for err in bad for p in problems_of(err)]
        io.write_json(kept, work_dir / _DISCOVERY_PROBLEMS)
    return summaries


# Per-file lines are DEBUG: a run of a thousand files would print two thousand of
# them; the flow logs each file of a small run and progress lines for a long one.
def _discover(raw: io.RawFile) -> SourceSummary:
    data = io.read_raw_file(raw)
    text = decode_raw(data, path=raw.relative)
    kind = detect_kind(text, path=raw.relative, tests=KIND_TESTS)
    log.debug("found %s (%s, %d bytes)", raw.relative, kind, len(data))
    return SourceSummary(
        path=str(raw.path.resolve()),
        relative=raw.relative,
        source_id=stable_id("src", raw.relative),
        kind=kind,
        sha256=io.sha256_bytes(data),
        bytes=len(data),
        lines=text.count("\n") + (0 if text.endswith("\n") else 1),
    )


# --------------------------------------------------------------------------- bad files
# With --skip-bad-files a bad raw file is left out of the release instead of stopping
# the run. Each one is an issue of severity "error" (data is missing from the release),
# listed first in the quality report; a run with no good file left publishes nothing.
SKIPPED_CODE = SKIPPED_FILE_CODE


_SKIPPED_MESSAGE = "skipped, nothing of this file is in the release: expected "


def skipped_issue(err: RawInputError) -> Issue:
    """Return the quality-report issue for a raw file left out of the run."""
    return Issue(
        code=SKIPPED_CODE,
        severity="error",
        message=_SKIPPED_MESSAGE + err.expected,
        source_path=err.path,
        line=err.line,
        text=err.found,
    )


def skip_bad_sources(
    work_dir: Path,
    failures: Sequence[tuple[SourceSummary | None, RawInputError]],
    stage: str,
    raw_dir: Path | str = "",
) -> None:
    """Leave bad raw files out of the run: report each, drop them from the sources.

    Writes ``issues/_skipped-<stage>.json`` and removes the failed sources from
    ``sources.json`` (and any staging output) in the work folder.

    Raises:
        RawInputError: When no raw file is left, naming the bad ones; nothing is
            then published.
    """
    for _, err in failures:
        log.info("set aside a bad raw file: %s", err)
    io.write_json(
        [skipped_issue(err).to_dict() for _, err in failures],
        work_dir / "issues" / f"_skipped-{stage}.json",
    )
    dropped = {source.source_id for source, _ in failures if source is not None}
    kept = [s for s in io.read_json(work_dir / "sources.json") if s["source_id"] not in dropped]
    for source_id in sorted(dropped):
        io.remove_tree(work_dir / "stg" / source_id)
    io.write_json(kept, work_dir / "sources.json")
    if not kept:
        raise RawInputErrors(
            [_skipped_error(i) for i in _skipped_issues(work_dir)],
            note="every raw file was bad, so --skip-bad-files left nothing to publish",
        )


def _skipped_issues(work_dir: Path) -> list[dict[str, Any]]:
    return [
        issue
        for p in sorted((work_dir / "issues").glob("_skipped-*.json"))
        for issue in io.read_json(p)
    ]


def _where(issue: dict[str, Any]) -> str:
    return f"{issue['source_path']}:{issue['line']}"


def _skipped_error(issue: dict[str, Any]) -> RawInputError:
    """Rebuild the error of a skipped file from its issue (see :func:`skipped_issue`)."""
    expected = str(issue["message"]).removeprefix(_SKIPPED_MESSAGE)
    return RawInputError.from_dict(
        {
            "path": issue["source_path"],
            "line": issue["line"],
            "expected": expected,
            "found": issue["text"],
        }
    )


def skipped_files(work_dir: Path) -> list[str]:
    """Return the raw files skipped so far in this run, one ``file:line: what was wrong`` each."""
    return [
        f"{_where(i)}: {i['message']}" + (f", found {i['text']!r}" if i["text"] else "")
        for i in _skipped_issues(work_dir)
    ]


def parse_source(source: SourceSummary, reference_dir: Path, work_dir: Path) -> ParseSummary:
    """Parse one raw file into staging tables and its issues, written under the work folder.

    See :func:`_parse_source` (:func:`parse_batch` records the time it took).
    """
    return _parse_source(source, reference_dir, work_dir)


def _parse_source(source: SourceSummary, reference_dir: Path, work_dir: Path) -> ParseSummary:
    """Parse one raw file into staging tables and its issues, written under the work folder.

    In a :func:`pipeline_run`, the parse is taken from the cache when the file's
    content, name and kind, its parser's ``PARSER_VERSION`` and the reference
    data are those of a cached parse; otherwise it is parsed and cached.

    Raises:
        RawInputError: When the file changed since discovery or cannot be parsed.
    """
    # Read as discovery did: a file swapped for a FIFO meanwhile is refused, not waited on.
    data = io.read_raw_file(io.RawFile(Path(source.path), source.relative))
    if io.sha256_bytes(data) != source.sha256:
        raise RawInputError(source.relative, 0, "the file unchanged during the run", "new content")
    reference_texts = io.read_reference(reference_dir)
    key = _parse_key(source, run_state.reference_hash(reference_texts))
    cache = _cache_of(work_dir)
    outputs = {
        "stg": work_dir / "stg" / source.source_id,
        "issues.json": work_dir / "issues" / f"{source.source_id}.json",
        "event.json": work_dir / "events" / f"{source.source_id}.json",
    }
    if cache is not None and (record := _cached_parse(cache / key)) is not None:
        for name, target in outputs.items():
            _copy(cache / key / "data" / name, target)
        io.write_json(
            {"key": key, "cached": True}, work_dir / "parses" / f"{source.source_id}.json"
        )
        log.debug("cached %s: %s, %d issues", source.relative, record["rows"], record["issues"])
        return ParseSummary(
            source.source_id,
            source.relative,
            record["rows"],
            record["issues"],
            record["event"],
            cached=True,
        )
    text = decode_raw(data, path=source.relative)
    reference = build_reference(reference_texts, str(reference_dir))
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
    run_state.pause_point("parse")
    # Empty tables are not written (concat_stg starts from empty ones): a tiny CV has
    # three of six, and each Parquet file costs about a millisecond whatever its size.
    io.write_frames({name: df for name, df in frames.items() if df.height}, outputs["stg"])
    io.write_json([i.to_dict() for i in issues], outputs["issues.json"])
    io.write_json({"event": event}, outputs["event.json"])
    rows = {name: df.height for name, df in frames.items()}
    summary = ParseSummary(source.source_id, source.relative, rows, len(issues), event)
    if cache is not None:
        _store_parse(cache, key, outputs, summary)
    io.write_json({"key": key, "cached": False}, work_dir / "parses" / f"{source.source_id}.json")
    log.debug("parsed %s: %s, %d issues", source.relative, rows, len(issues))
    return summary


def _parse_key(source: SourceSummary, reference_sha256: str) -> str:
    return run_state.parse_key(
        relative=source.relative,
        sha256=source.sha256,
        kind=source.kind,
        parser_version=PARSERS[source.kind].PARSER_VERSION,
        reference_sha256=reference_sha256,
    )


def _copy(src: Path, dst: Path) -> None:
    # Hard links (a copy where the file system has none): the cache and the work folder
    # are beside out/, on one file system, and neither changes a file once written.
    if src.is_dir():
        dst.mkdir(parents=True, exist_ok=True)
        io.link_tree(src, dst)
    else:
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)


def _cached_parse(entry: Path) -> dict[str, Any] | None:
    """Return a cache entry's record when it is complete and intact; drop a damaged one."""
    if not (entry / "entry.json").is_file():
        return None
    try:
        record: dict[str, Any] = io.read_json(entry / "entry.json")
        if io.tree_matches(entry / "data", record["files"]):
            return record
    except (OSError, ValueError, KeyError, TypeError):
        pass
    log.warning("dropped the damaged cache entry %s", entry)
    io.remove_tree(entry)
    return None


def _store_parse(cache: Path, key: str, outputs: dict[str, Path], summary: ParseSummary) -> None:
    """Write one parse to the cache: completely in a temporary folder, then one rename."""
    tmp = cache / f".tmp-{os.getpid()}-{key}"
    io.remove_tree(tmp)
    for name, path in outputs.items():
        _copy(path, tmp / "data" / name)
    record = {
        "relative": summary.relative,
        "rows": summary.rows,
        "issues": summary.issues,
        "event": summary.event,
        "files": io.tree_facts(tmp / "data"),
    }
    io.write_json(record, tmp / "entry.json")
    run_state.pause_point("cache")
    io.commit_dir(tmp, cache / key)


# --------------------------------------------------------------------------- parse batches
# One orchestrator task per raw file costs more in bookkeeping than a parse (tens of
# milliseconds each), so files are parsed in batches: a few per worker, balanced by size
# so that the last batch to finish is not much later than the others.
BATCHES_PER_WORKER = 4
# A parse has a fixed cost besides its bytes (reading the reference data, writing six
# staging tables). 2026-11: a 17 KB CV took 17 ms, the 257 KB NSDI '26 page 42 ms, so
# a file costs ~15 ms plus ~0.1 ms per KB: its weight is its bytes plus ~128 KiB.
PER_FILE_WEIGHT_BYTES = 128 * 1024


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """A raw file that could not be parsed: reported with the rest of its batch, not raised."""

    source: SourceSummary
    error: RawInputError


def parse_batch_count(files: int, workers: int, per_worker: int = BATCHES_PER_WORKER) -> int:
    """Return how many parse batches to make of ``files`` files for ``workers`` workers.

    A few batches per worker, so that a slow batch is evened out by the others;
    never more batches than files.

    Examples:
        >>> parse_batch_count(1000, 2), parse_batch_count(3, 2), parse_batch_count(0, 2)
        (8, 3, 0)
    """
    return max(0, min(files, max(1, workers) * max(1, per_worker)))


def parse_weight(source: SourceSummary) -> int:
    """Return what parsing a file costs, in bytes: its size plus :data:`PER_FILE_WEIGHT_BYTES`."""
    return source.bytes + PER_FILE_WEIGHT_BYTES


def split_batches(sources: Sequence[SourceSummary], batches: int) -> list[list[SourceSummary]]:
    """Split the sources into at most ``batches`` batches of about equal weight.

    The weight of a file is :func:`parse_weight`. The heaviest file goes first, each to the lightest batch so far (ties: the one
    with fewer files, then the first), so the split depends only on the files'
    names and sizes, never on the order they are given in. Each batch lists its
    files in the order of ``sources``; no batch is empty.
    """
    count = max(1, min(batches, len(sources)))
    heaviest_first = sorted(
        range(len(sources)), key=lambda i: (-sources[i].bytes, sources[i].relative)
    )
    loads = [(0, 0, b) for b in range(count)]  # (weight, files, batch index)
    members: list[list[int]] = [[] for _ in range(count)]
    for i in heaviest_first:
        weight, files, b = min(loads)
        members[b].append(i)
        loads[b] = (weight + parse_weight(sources[i]), files + 1, b)
    return [[sources[i] for i in sorted(m)] for m in members if m]


def weight_to_parse(sources: Sequence[SourceSummary], reference_dir: Path, work_dir: Path) -> int:
    """Return the :func:`parse_weight` of the sources whose parse is not in the cache.

    What a run will really parse, known before parsing (outside a
    :func:`pipeline_run`, every source): the flow starts worker processes only
    when this is large. An entry that turns out damaged counts as cached; the
    parse then just takes a little longer.
    """
    cache = _cache_of(work_dir)
    if cache is None or not cache.is_dir():
        return sum(map(parse_weight, sources))
    reference_sha256 = run_state.reference_hash(io.read_reference(reference_dir))
    return sum(
        parse_weight(s)
        for s in sources
        if not (cache / _parse_key(s, reference_sha256) / "entry.json").is_file()
    )


def parse_batch(
    sources: Sequence[SourceSummary], reference_dir: Path, work_dir: Path
) -> list[ParseSummary | ParseFailure]:
    """Parse a batch of raw files one after another (:func:`parse_source` each).

    A file that fails on bad input is returned as a :class:`ParseFailure` and
    the batch goes on, so every bad file is found in one run; any other error
    (a bug) is raised. Each file's output, cache entry and timing record are
    those of :func:`parse_source`, so the result does not depend on batching.

    Raises:
        StopRequested: When the run was asked to stop (``run_state.request_stop``:
            a signal, the flow's timeout); checked before each file, so a batch
            on another thread ends within one file's parse.
    """
    outcomes: list[ParseSummary | ParseFailure] = []
    # One timing record per batch, not per file: a file of a thousand tiny ones paid
    # for its own record file, and every stage's summary read them all again.
    with stage_times.timed(work_dir, "parse") as counter:
        for source in sources:
            run_state.check_stop()
            try:
                outcomes.append(parse_source(source, reference_dir, work_dir))
            except RawInputError as err:
                outcomes.append(ParseFailure(source, err))
        counter["items"] = sum(
            o.rows.get("stg_authorships", 0) for o in outcomes if isinstance(o, ParseSummary)
        )
    return outcomes


def settle_parses(
    sources: Sequence[SourceSummary],
    outcomes: Sequence[ParseSummary | ParseFailure],
    work_dir: Path,
    raw_dir: Path | str = "",
    skip_bad_files: bool = False,
) -> list[ParseSummary]:
    """Return the parses in the order of ``sources``; stop on bad files, or set them aside.

    Without ``skip_bad_files``, the bad files kept aside by discovery, those
    that failed to parse and, among the files parsed, those that repeat another
    file's event are logged (error) and raised together; with it they are
    reported by :func:`skip_bad_sources`.

    Raises:
        RawInputErrors: Without ``skip_bad_files``, every problem found, sorted by
            file and line; with it, when no file is left (see :func:`skip_bad_sources`).
    """
    order = {s.source_id: i for i, s in enumerate(sources)}

    def position(outcome: ParseSummary | ParseFailure) -> int:
        return order[
            outcome.source.source_id if isinstance(outcome, ParseFailure) else outcome.source_id
        ]

    ordered = sorted(outcomes, key=position)
    failed = [(o.source, o.error) for o in ordered if isinstance(o, ParseFailure)]
    parsed = [o for o in ordered if isinstance(o, ParseSummary)]
    if skip_bad_files:
        if failed:
            skip_bad_sources(work_dir, failed, "parse", raw_dir)
        return parsed
    kept = work_dir / _DISCOVERY_PROBLEMS
    problems = [RawInputError.from_dict(d) for d in io.read_json(kept)] if kept.is_file() else []
    problems += [err for _, err in failed]
    if problems:
        # The files that did parse are checked for a repeated event too, so that this
        # one stop names every problem (build_tables would find it only after a fix).
        problems += [err for _, err in _repeated_event_failures(work_dir)]
        every = RawInputErrors(problems)
        for problem in every.problems:
            log.error("bad raw file: %s", problem)
        raise every
    return parsed


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
    work_dir: Path,
    reference_dir: Path,
    out_dir: Path | None = None,
    skip_bad_files: bool = False,
) -> dict[str, int]:
    """Combine every source's staging tables into the published tables (in the work folder).

    People and organizations are resolved here; the release now in ``out_dir``
    (if any) is read to redirect person IDs that a merge or split retires.

    Raises:
        RawInputError: When a raw file prints program items another file already
            has (the same event twice; see :func:`confdata.parse.staging.repeated_events`),
            naming both files and the first repeated line. With
            ``skip_bad_files`` the later file is set aside instead.
    """
    with stage_times.timed(work_dir, "normalize") as counter:
        stg = concat_stg([io.read_stacked(sorted((work_dir / "stg").iterdir()))])
        if _set_aside_repeated_events(work_dir, stg["stg_sessions"], skip_bad_files):
            stg = concat_stg([io.read_stacked(sorted((work_dir / "stg").iterdir()))])
        counter["items"] = stg["stg_authorships"].height
        reference_texts = io.read_reference(reference_dir)
        reference = build_reference(reference_texts, str(reference_dir))
        # The outside data the reference files include, with its licences, for datapackage.json.
        io.write_json(reference_data_sources(reference_texts), work_dir / "data_sources.json")
        # The current release's tables, from its read-only archived copy when it can be read.
        previous = (
            release_repair.previous_tables(release_repair.current_release(out_dir))
            if out_dir
            else {}
        )
    with stage_times.timed(work_dir, "resolve", counter["items"]):
        tables, issues, summary = core_tables(
            stg, _sources_table(work_dir), reference.registry, reference.people_overrides, previous
        )
        io.write_json(summary, work_dir / "resolution.json")
        io.write_frames(tables, work_dir / "core")
    io.write_json([i.to_dict() for i in issues], work_dir / "issues" / "_combine.json")
    counts = {name: df.height for name, df in tables.items()}
    log.info("built tables: %s", counts)
    return counts


def _set_aside_repeated_events(
    work_dir: Path, sessions: pl.DataFrame, skip_bad_files: bool
) -> bool:
    """Raise for the files that repeat another's event, or set them aside; True if any was."""
    failures = _repeated_event_failures(work_dir, sessions)
    if not failures:
        return False
    if not skip_bad_files:
        raise RawInputErrors([err for _, err in failures])
    skip_bad_sources(work_dir, failures, "combine")
    return True


def _repeated_event_failures(
    work_dir: Path, sessions: pl.DataFrame | None = None
) -> list[tuple[SourceSummary, RawInputError]]:
    """Return each parsed file that prints the program items of another's event, with its error.

    ``sessions`` is the staging sessions of every parsed file (read from the
    work folder when not given).
    """
    if sessions is None:
        folders = sorted((work_dir / "stg").iterdir()) if (work_dir / "stg").is_dir() else []
        if not folders:
            return []
        sessions = concat_stg([io.read_stacked(folders)])["stg_sessions"]
    sources = {s["source_id"]: s for s in io.read_json(work_dir / "sources.json")}
    paths = {source_id: s["relative"] for source_id, s in sources.items()}
    return [
        (
            SourceSummary(**sources[later]),
            RawInputError(
                paths[later],
                line,
                f"one file per event: the program items of {event!r} are already in "
                f"{paths[earlier]} (remove one of the two files)",
                f"the same event's items again, first at line {line}",
            ),
        )
        for later, earlier, event, line in repeated_events(sessions, paths)
    ]


def validate(work_dir: Path) -> dict[str, Any]:
    """Validate every table; write the result to the work folder.

    When every table passes, the SHA-256 of each core file validated is
    written too (``validated_files.json``): :func:`publish` then knows which tables
    it reads are exactly the validated ones, and its audit of the staged
    release does not validate those a second time.

    Raises:
        ValidationFailed: When any check fails; the message names the failing
            rows (table, column, check, key, value). Nothing is published.
    """
    digests: dict[str, str] = {}
    with stage_times.timed(work_dir, "validate") as counter:
        tables = io.read_frames(work_dir / "core", digests)
        counter["items"] = tables["paper_authors"].height if "paper_authors" in tables else 0
        report = validate_tables(tables)
    # Which files passed, by hash; a stale record of an earlier run must not survive a failure.
    validated = work_dir / "validated_files.json"
    if report.ok:
        io.write_json(digests, validated)
    else:
        validated.unlink(missing_ok=True)
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


def publish(
    work_dir: Path,
    out_dir: Path,
    eval_results: Path | None = None,
    licence: str = DEFAULT_LICENCE,
) -> ReleaseSummary:
    """Publish the validated tables as a new release of ``out_dir``, atomically.

    The release is written to ``releases/<version>/`` inside a staging folder,
    copied to its top (copies, never hard links), and the staging folder is
    swapped in with the archive of earlier releases moved into it
    (:func:`confdata.publish.archive.swap_in`). When its tables are byte-identical to
    the current release, nothing new is published ("no change"), once both
    copies of the current release (top and archived) are checked against its
    manifest and repaired where damaged (:func:`confdata.publish.repair.settle`;
    the summary's ``checked``, ``repaired`` and ``left_damaged`` say how it
    went). The figures of the last ``make eval`` (``eval_results``), when
    present, go into the report. ``datapackage.json`` carries ``licence`` (an
    SPDX id of :data:`confdata.publish.licences.LICENCES`) and the data sources the
    reference files declare; a change of those terms alone is a new release
    too. Outside a :func:`pipeline_run` of this process, it takes the run lock
    itself.

    Raises:
        OutTargetError: When ``out_dir`` is not a release of this pipeline.
        ValidationFailed: When the tables did not pass, or the staged release
            fails its own check; nothing is published.
    """
    lock = lock_file_for(out_dir)
    if run_state.is_held(lock):
        return _publish(work_dir, out_dir, eval_results, licence)
    with run_state.hold_lock(lock):
        return _publish(work_dir, out_dir, eval_results, licence)


def _publish(
    work_dir: Path, out_dir: Path, eval_results: Path | None, licence: str
) -> ReleaseSummary:
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    write_start = time.time()
    digests: dict[str, str] = {}
    tables = io.read_frames(work_dir / "core", digests)
    authorships = tables["paper_authors"].height
    validation = io.read_json(work_dir / "validation.json")
    if not validation["ok"]:
        raise ValidationFailed("the tables did not pass validation; nothing was published")
    check_out_target(out_dir)
    out_dir = out_dir.resolve()
    current = release_repair.current_release(out_dir)
    previous_manifest = current.manifest
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
        data_sources = work_dir / "data_sources.json"
        terms = package_terms(licence, io.read_json(data_sources) if data_sources.is_file() else [])
        content = content_hash(
            {path: meta["sha256"] for path, meta in files.items()}
            | {"datapackage.json#terms": terms_digest(terms)}
        )
        report_start = time.time()
        stage_times.record(work_dir, "write", write_start, report_start, authorships)
        settled = release_repair.Outcome()
        if previous_manifest and previous_manifest.get("content_sha256") == content:
            settled = release_repair.unchanged(current, staging, release, files, terms)
            if not settled.publish_new:
                return ReleaseSummary(
                    out_dir=str(out_dir),
                    row_counts={name: df.height for name, df in tables.items()},
                    issue_counts={},
                    version=previous_manifest["version"],
                    published=False,
                    checked=settled.checked,
                    repaired=settled.repaired,
                    left_damaged=settled.left_damaged,
                )
        previous_tables = tables if settled.publish_new else release_repair.previous_tables(current)
        diff = diff_tables(previous_tables, tables)
        del previous_tables  # not needed any more: free its memory before the audit
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
            terms=terms,
        )
        io.write_json(package, release / "datapackage.json")
        stage_times.record(work_dir, "report", report_start, time.time(), authorships)
        write_start = time.time()
        run_state.pause_point("write")
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
        # Audit the staged release as a consumer would before anyone can see it. The
        # tables are the ones validate() passed when their files hash as it recorded;
        # then those that read back equal to them are not validated a second time.
        passed = work_dir / "validated_files.json"
        validated = tables if passed.is_file() and io.read_json(passed) == digests else None
        problems = check_release(release, validated)
        if problems:
            raise ValidationFailed(
                "the staged release failed its own check:\n  " + "\n  ".join(problems)
            )
        archive.copy_release(release, staging)
        run_state.pause_point("swap-before")
        retired = archive.swap_in(staging, out_dir, version)
    except BaseException:
        archive.abandon(out_dir, staging, version)
        raise
    run_state.pause_point("swap-after")
    if retired is not None:
        io.remove_tree(retired)
    stage_times.record(work_dir, "write", write_start, time.time(), 0)
    log.info("published release %s (%d files + manifest.json) to %s", version, len(files), out_dir)
    return ReleaseSummary(
        out_dir=str(out_dir),
        row_counts=report["row_counts"],
        issue_counts=report["issue_counts"],
        files=sorted([*files, "manifest.json"]),
        version=version,
        published=True,
        repaired=settled.repaired,
        left_damaged=settled.left_damaged,
    )


def run_pipeline(
    raw_dir: Path,
    out_dir: Path,
    reference_dir: Path | None = None,
    eval_results: Path | None = None,
    lock_timeout: float | None = None,
    skip_bad_files: bool = False,
    licence: str = DEFAULT_LICENCE,
) -> ReleaseSummary:
    """Run every step in order without Prefect (what the flow does, task by task).

    The run holds the lock on ``out_dir`` throughout (see :func:`pipeline_run`);
    the summary lists the files parsed and those taken from the cache. Bad raw
    files stop the run, all named in one :class:`~confdata.errors.RawInputErrors`,
    and nothing is published, unless ``skip_bad_files``: then
    the other files are published and the bad ones listed first in the quality
    report (and in the summary's ``skipped``); if every file is bad, nothing is.
    ``licence`` is the SPDX id ``datapackage.json`` declares (checked first).
    """
    licence_entry(licence)
    with pipeline_run(out_dir, lock_timeout) as work:
        ref = reference_dir or io.reference_dir_for(raw_dir)
        sources = discover_sources(raw_dir, work, skip_bad_files, ref)
        # One batch of every file, parsed in order (the flow splits them for its workers);
        # every bad file is found, then all stop the run together or are set aside.
        outcomes = parse_batch(sources, ref, work)
        parses = settle_parses(sources, outcomes, work, raw_dir, skip_bad_files)
        build_tables(work, ref, out_dir, skip_bad_files)
        validate(work)
        release = parse_counts(publish(work, out_dir, eval_results, licence), parses)
        return dataclasses.replace(
            release, skipped=skipped_files(work), stages=stage_times.summarize(work)
        )
