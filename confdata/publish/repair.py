"""The release now in ``out/``: which it is, whether its two copies match its manifest, repairs.

A release is published twice in ``out/``: at the top, and as its archived copy
in ``out/releases/<version>/`` (read-only). When a run's tables equal the
current release's, the run checks both copies against the manifest (every
listed file's size and SHA-256, and ``manifest.json`` itself) before it says
"no change" (:func:`settle`). A damaged file is put back byte-identical to
the manifest from an intact copy: the other copy, this run's own tables (the
same bytes, since their hashes are the manifest's), or a rebuilt data
dictionary and Data Package descriptor. Then:

- a damaged archived copy is repaired in place, file by file (each file
  renamed over the damaged one), and sealed read-only again; a file for which
  no byte-identical copy exists is left as it is and reported: an archived
  release is never rewritten with other content;
- a damaged top is published again from those copies, swapped in like a new
  release (same version, same bytes);
- when some file of the top cannot be restored byte-identically (a quality
  report damaged in both copies), the run publishes its tables as a new release.

The archived copy's manifest is the reference when it is sound (it is
read-only); the top's otherwise. A top whose ``manifest.json`` is damaged is
identified by the newest archived release.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from confdata.publish import archive
from confdata.publish.datapackage import build_datapackage
from confdata.publish.dictionary import render_data_dictionary
from confdata.publish.out_target import archived_versions, read_our_manifest
from confdata.run import io
from confdata.run import state as run_state
from schemas import MODELS

log = logging.getLogger(__name__)

_LISTED_PER_COPY = 5  # damaged files named one by one per copy; more are counted


@dataclass(slots=True)
class Copy:
    """One copy of the current release: the top of ``out/``, or its archived copy."""

    folder: Path
    label: str  # how messages name it: "out/" or "out/releases/r0001/"
    exists: bool
    manifest_ok: bool  # its manifest.json holds the reference manifest's bytes
    damaged: dict[str, str] = field(default_factory=dict)  # file -> what is wrong with it
    shared: list[str] = field(default_factory=list)  # files hard-linked with the other copy

    @property
    def sound(self) -> bool:
        """True when every listed file and the manifest match, and nothing is shared."""
        return self.exists and self.manifest_ok and not self.damaged and not self.shared


@dataclass(slots=True)
class Current:
    """The release now in ``out/`` (``version`` None when there is none to speak of)."""

    out_dir: Path
    version: str | None
    manifest: dict[str, Any] | None
    manifest_bytes: bytes | None
    top: Copy
    archived: Copy | None
    # The archived copy exists but its own manifest.json is damaged: it is never rewritten.
    archived_manifest_damaged: bool = False


@dataclass(slots=True)
class Outcome:
    """What :func:`settle` found and did."""

    checked: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    left_damaged: list[str] = field(default_factory=list)
    republish: bool = False  # the staging folder now holds the top, restored: swap it in
    publish_new: bool = False  # the top cannot be restored byte-identically: publish anew


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def current_release(out_dir: Path) -> Current:
    """Identify the release now in ``out_dir`` from its manifests (nothing is hashed yet)."""
    out_dir = out_dir.resolve()
    top_bytes = _read(out_dir / "manifest.json")
    top = read_our_manifest(out_dir / "manifest.json")
    versions = archived_versions(out_dir)
    version = top["version"] if top else (versions[-1] if versions else None)
    label = f"{out_dir.name}/"
    if version is None:
        return Current(
            out_dir, None, None, None, Copy(out_dir, label, out_dir.is_dir(), False), None
        )
    folder = out_dir / archive.ARCHIVE / version
    archived_bytes = _read(folder / "manifest.json")
    archived = read_our_manifest(folder / "manifest.json")
    manifest, manifest_bytes = (archived, archived_bytes) if archived else (top, top_bytes)
    return Current(
        out_dir=out_dir,
        version=version,
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        top=Copy(out_dir, label, True, top_bytes is not None and top_bytes == manifest_bytes),
        archived=Copy(
            folder,
            f"{label}{archive.ARCHIVE}/{version}/",
            folder.is_dir(),
            archived is not None and archived_bytes == manifest_bytes,
        ),
        archived_manifest_damaged=folder.is_dir() and archived is None,
    )


def file_problem(path: Path, meta: Mapping[str, Any]) -> str | None:
    """Say what is wrong with a release's file against its manifest entry (None when it matches)."""
    if not path.exists():
        return "missing"
    if path.is_dir():
        return "a folder where the file should be"
    try:
        facts = io.file_facts(path)
    except OSError as err:
        return f"cannot be read ({err.strerror})"
    if facts["bytes"] == meta.get("bytes") and facts["sha256"] == meta.get("sha256"):
        return None
    return (
        f"{facts['bytes']} bytes with SHA-256 {facts['sha256'][:12]}…, the manifest says "
        f"{meta.get('bytes')} bytes with SHA-256 {str(meta.get('sha256'))[:12]}…"
    )


def inspect(current: Current) -> None:
    """Hash both copies of the current release against its manifest (on every core)."""
    if current.manifest is None:
        return
    files = current.manifest["files"]
    copies = [c for c in (current.top, current.archived) if c is not None and c.exists]
    if current.archived is not None and current.archived.exists:
        for stale in _stale_restorings(current.archived.folder):
            if stale.is_dir():
                io.remove_tree(stale)
            else:
                _unlink(stale)
    jobs = [(copy, rel) for copy in copies for rel in sorted(files)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        found = pool.map(lambda job: file_problem(job[0].folder / job[1], files[job[1]]), jobs)
        for (copy, rel), problem in zip(jobs, found, strict=True):
            if problem:
                copy.damaged[rel] = problem
    for copy in (current.top, current.archived):
        if copy is not None and not copy.exists:
            copy.damaged = dict.fromkeys(files, "missing")
    if current.archived is not None and current.archived.exists:
        current.top.shared = [
            rel
            for rel in sorted(files)
            if rel not in current.top.damaged
            and rel not in current.archived.damaged
            and os.path.samefile(current.top.folder / rel, current.archived.folder / rel)
        ]


def _unlink(path: Path) -> None:
    folder = path.parent
    archive.make_writable(folder)
    path.unlink()


def _stale_restorings(folder: Path) -> list[Path]:
    found = []
    for here, _, _ in os.walk(folder):
        found += archive.stale_restorings(Path(here))
    return found


def _sources(
    current: Current, staged: list[Path], rels: list[str], exclude: Copy | None
) -> dict[str, tuple[Path, str]]:
    """For each file, an intact copy to restore it from: (path, where it comes from)."""
    assert current.manifest is not None
    files = current.manifest["files"]
    out: dict[str, tuple[Path, str]] = {}
    for rel in rels:
        for copy in (current.archived, current.top):
            if copy is None or copy is exclude or not copy.exists or rel in copy.damaged:
                continue
            out[rel] = (copy.folder / rel, copy.label)
            break
        else:
            for folder in staged:
                if (folder / rel).is_file() and file_problem(folder / rel, files[rel]) is None:
                    out[rel] = (folder / rel, "this run's rebuild")
                    break
    return out


def _lines(copy: Copy, rels: list[str], restored: Mapping[str, tuple[Path, str]]) -> list[str]:
    """One line per damaged file (the first few, then a count), saying what it was restored from."""
    lines = [
        f"{copy.label}{rel}: {copy.damaged.get(rel, 'damaged')}; restored from "
        f"{restored[rel][1]}, byte-identical to the manifest"
        for rel in rels[:_LISTED_PER_COPY]
    ]
    if len(rels) > _LISTED_PER_COPY:
        lines.append(
            f"{copy.label}: and {len(rels) - _LISTED_PER_COPY} more files restored the same way"
        )
    return lines


def settle(
    current: Current,
    staging: Path,
    staged: Path,
    rebuild: Callable[[Path], None],
) -> Outcome:
    """Check the current release's two copies; repair what can be repaired byte-identically.

    Called when this run's tables equal the current release's. ``staged`` holds
    this run's tables (byte-identical to the release's); ``rebuild(folder)``
    writes the release's data dictionary and Data Package descriptor into
    ``folder``, and is called only when a damaged file has no intact copy.
    When the top is to be published again, ``staging`` (the run's staging
    folder) is left holding it, ``Outcome.republish`` set: the caller swaps it
    in (``archive.swap_in``); else the caller removes ``staging``.
    """
    assert current.manifest is not None and current.archived is not None
    inspect(current)
    top, kept = current.top, current.archived
    version, files = current.version, current.manifest["files"]
    outcome = Outcome()
    count = f"{len(files)} files and manifest.json"
    outcome.checked = [
        f"{copy.label}: {count} match the manifest of release {version} (sizes and SHA-256)"
        for copy in (top, kept)
        if copy.sound
    ]
    sources_from = [staged]
    damaged = sorted(set(top.damaged) | set(kept.damaged))
    if damaged and len(_sources(current, sources_from, damaged, None)) < len(damaged):
        rebuild(staging / ".rebuild")
        sources_from.append(staging / ".rebuild")
    _settle_archived(current, sources_from, outcome)
    if not top.sound:
        rels = sorted(files)
        sources = _sources(current, sources_from, rels, None)
        missing = [rel for rel in rels if rel not in sources]
        if missing:
            io.remove_tree(staging / ".rebuild")  # the staging folder becomes the new release
            outcome.publish_new = True
            outcome.repaired.append(
                f"{top.label}: {', '.join(missing[:_LISTED_PER_COPY])} damaged in every copy "
                f"({top.damaged.get(missing[0], 'damaged')}) and cannot be restored "
                f"byte-identically; its tables are published as a new release"
            )
            return outcome
        for rel, (src, _) in sorted(sources.items()):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            archive.copy_file(src, staging / rel)
        assert current.manifest_bytes is not None
        (staging / "manifest.json").write_bytes(current.manifest_bytes)
        for leftover in (staging / archive.ARCHIVE, staging / ".rebuild"):
            io.remove_tree(leftover)
        restored = sorted(top.damaged)
        outcome.repaired += _lines(top, restored, {r: sources[r] for r in restored})
        if not top.manifest_ok:
            state = "missing" if not (top.folder / "manifest.json").exists() else "damaged"
            outcome.repaired.append(
                f"{top.label}manifest.json: {state}; restored from {kept.label}manifest.json"
            )
        if top.shared:
            outcome.repaired.append(
                f"{top.label}: {len(top.shared)} files shared their data with {kept.label} "
                "(hard links, so editing one edited the other); replaced by copies"
            )
        outcome.republish = True
    return outcome


def unchanged(
    current: Current,
    staging: Path,
    staged: Path,
    files: Mapping[str, Any],
    terms: Mapping[str, Any] | None = None,
) -> Outcome:
    """The run's tables equal the current release: check its copies, repair them, or say to publish.

    ``staged`` holds the run's tables (in ``staging``), ``files`` their
    manifest entries, ``terms`` the licence and data sources of its
    ``datapackage.json`` (:func:`confdata.publish.licences.package_terms`). A top restored byte-identically is swapped in again, same
    version (:func:`settle`); otherwise ``staging`` is removed, unless the
    outcome is ``publish_new`` (the caller then publishes it as a new release).
    """
    version = str(current.version)

    def rebuild(folder: Path) -> None:
        # The two files a release derives from its models and table files alone.
        io.write_text(render_data_dictionary(MODELS), folder / "DATA_DICTIONARY.md")
        title = "confdata: conference programs and CVs"
        package = build_datapackage(
            MODELS, files, name="confdata", version=version, title=title, terms=terms
        )
        io.write_json(package, folder / "datapackage.json")

    settled = settle(current, staging, staged, rebuild)
    for line in settled.checked:
        log.info("checked %s", line)
    for line in settled.repaired:
        log.warning("repaired: %s", line)
    for line in settled.left_damaged:
        log.warning("damaged, not repaired: %s", line)
    if settled.publish_new:
        return settled
    if settled.republish:
        run_state.pause_point("swap-before")
        retired = archive.swap_in(staging, current.out_dir, None)
        if retired is not None:
            io.remove_tree(retired)
        log.info("published release %s again (repaired) to %s", version, current.out_dir)
    else:
        io.remove_tree(staging)
        log.info("no change: the tables equal release %s", version)
    return settled


def _settle_archived(current: Current, sources_from: list[Path], outcome: Outcome) -> None:
    """Repair the archived copy in place where byte-identical copies exist; report the rest."""
    kept = current.archived
    assert kept is not None and current.manifest is not None
    if current.archived_manifest_damaged:
        outcome.left_damaged.append(
            f"{kept.label}manifest.json: missing or damaged; the archived copy is left as it "
            "is (an archived release is never rewritten without its manifest to check it by)"
        )
        return
    rels = sorted(kept.damaged)
    sources = _sources(current, sources_from, rels, kept)
    if not kept.exists and len(sources) < len(rels):
        outcome.left_damaged.append(
            f"{kept.label}: missing, and {len(rels) - len(sources)} of its files have no intact "
            "copy to rebuild it from byte-identically"
        )
        return
    if rels or not kept.manifest_ok:
        archive.restore_files(
            kept.folder,
            {rel: path for rel, (path, _) in sources.items()},
            None if kept.manifest_ok else current.manifest_bytes,
        )
        if not kept.exists:
            outcome.repaired.append(
                f"{kept.label}: missing; rebuilt from {sorted({w for _, w in sources.values()})[0]}"
                f" ({len(rels)} files and manifest.json, byte-identical to the manifest)"
            )
        else:
            outcome.repaired += _lines(kept, sorted(sources), sources)
        kept.exists, kept.manifest_ok = True, True
        kept.damaged = {rel: why for rel, why in kept.damaged.items() if rel not in sources}
    outcome.left_damaged += [
        f"{kept.label}{rel}: {why}; no byte-identical copy exists, so it is left as it is"
        for rel, why in sorted(kept.damaged.items())
    ]
    if kept.exists and not archive.is_sealed(kept.folder):
        archive.seal(kept.folder)
        outcome.repaired.append(f"{kept.label}: made read-only (chmod a-w)")


def previous_tables(current: Current) -> dict[str, pl.DataFrame]:
    """Read the current release's tables: from its archived copy, else from the top, file by file.

    A table neither copy can read is left out (the run then treats it as new).
    """
    folders = [c.folder for c in (current.archived, current.top) if c is not None and c.exists]
    names = sorted({p.stem for folder in folders for p in (folder / "parquet").glob("*.parquet")})
    tables: dict[str, pl.DataFrame] = {}
    for name in names:
        for folder in folders:
            try:
                tables[name] = pl.read_parquet(folder / "parquet" / f"{name}.parquet")
                break
            except (OSError, pl.exceptions.PolarsError):
                continue
    return tables
