"""Whether a run may publish to a folder: only over a release of its own, never over the user's.

A publish replaces ``out/`` as a whole (see :func:`confdata.run.io.exchange_in`), so
whatever else lies there would be deleted. Before a run touches anything
(:func:`confdata.run.steps.pipeline_run` calls :func:`check_out_target` before it
takes the lock), the target must be one of:

- a path that does not exist yet (the first release; its parent is created);
- an empty folder;
- a release this pipeline wrote: its ``manifest.json`` has the shape the
  pipeline always writes (``version`` ``rNNNN``, ``pipeline_version``,
  ``content_sha256``, ``files``), and out/ holds nothing but a release's
  entries (``parquet/``, ``csv/`` and ``quality/`` holding only files the
  manifest lists). A release whose ``manifest.json`` is damaged (cut short,
  deleted) is still ours when every entry is a release's and ``releases/``
  holds an archived release with a sound manifest: the run repairs it.

Anything else (a file, a broken link, a folder of the user's, a release with
files added to it, a release archived in another one's ``releases/``) is
refused with a located error naming a few of the entries found, and nothing is
moved. A link to a folder is checked as that folder.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from confdata.errors import RawInputError

# The entries of a release folder (see README "What comes out"); `releases/` is the archive.
RELEASE_ENTRIES = frozenset(
    {
        "manifest.json",
        "parquet",
        "csv",
        "quality",
        "datapackage.json",
        "DATA_DICTIONARY.md",
        "releases",
    }
)
# The manifest's fields the pipeline always writes (confdata.publish.releases.build_manifest).
MANIFEST_FIELDS = ("version", "pipeline_version", "content_sha256", "files")
_VERSION = re.compile(r"^r\d{4,}$")
# A folder or file being restored into the archive (confdata.publish.archive): ``.<name>.restoring-<pid>``.
RESTORING = re.compile(r"^\..+\.restoring-(\d+)$")
_SHOWN = 5  # how many foreign entries an error names
EXPECTED = (
    "a release folder this pipeline wrote, an empty folder, or a path that does not exist "
    "yet (a run replaces the whole folder)"
)


class OutTargetError(RawInputError):
    """The folder given as ``out/`` is not a release of this pipeline; nothing was touched."""

    # What the command line's last line says (confdata.errors.failure_report).
    summary = "the out folder is not a release of this pipeline"


def is_our_manifest(data: Any) -> bool:
    """Tell whether parsed JSON has the shape of a manifest this pipeline writes.

    Every listed file must be a plain path inside the release, with its facts:
    a manifest naming ``../x`` (edited by hand) is not one the pipeline wrote,
    and no repair ever writes where it points.
    """
    return (
        isinstance(data, dict)
        and all(name in data for name in MANIFEST_FIELDS)
        and isinstance(data["version"], str)
        and bool(_VERSION.match(data["version"]))
        and isinstance(data["files"], dict)
        and all(is_inside(rel) and isinstance(meta, dict) for rel, meta in data["files"].items())
    )


def is_inside(rel: str) -> bool:
    """Tell whether a manifest's path names a file inside a release (not above it, not the archive)."""
    parts = PurePosixPath(rel).parts
    return (
        bool(rel)
        and not rel.startswith("/")
        and "\\" not in rel
        and ".." not in parts
        and "." not in rel.split("/")
        and parts[:1] != ("releases",)
        and rel != "manifest.json"
    )


def read_our_manifest(path: Path) -> dict[str, Any] | None:
    """Return the manifest at ``path`` when it is one of ours, else None (missing or damaged)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if is_our_manifest(data) else None


def archived_versions(out_dir: Path) -> list[str]:
    """Return the versions in ``out_dir/releases/`` whose manifest is one of ours, oldest first."""
    folder = out_dir / "releases"
    try:
        names = sorted(p.name for p in folder.iterdir() if _VERSION.match(p.name))
    except OSError:
        return []
    return [name for name in names if read_our_manifest(folder / name / "manifest.json")]


def check_out_target(out_dir: Path) -> None:
    """Refuse an ``out/`` that a publish would destroy; return when it is safe to publish there.

    See the module docstring for what is accepted. Nothing is created, moved
    or locked: call it before anything touches ``out_dir``.

    Raises:
        OutTargetError: Naming the path and what was found there (a file, a
            broken link, the first few entries of a foreign folder, the
            entries added to a release).
    """
    path = Path(out_dir)
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return
    except OSError as err:
        raise OutTargetError(
            str(out_dir), 0, EXPECTED, f"a path that cannot be read ({err.strerror})"
        ) from err
    if is_link:
        try:
            path = path.resolve(strict=True)
        except FileNotFoundError as err:
            raise OutTargetError(
                str(out_dir), 0, EXPECTED, f"a broken link to {os.readlink(out_dir)}"
            ) from err
        except (OSError, RuntimeError) as err:
            raise OutTargetError(
                str(out_dir), 0, EXPECTED, f"a link that does not resolve ({err})"
            ) from err
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as err:
        raise OutTargetError(
            str(out_dir), 0, EXPECTED, f"a path that cannot be read ({err.strerror})"
        ) from err
    if not stat.S_ISDIR(info.st_mode):
        kind = "a file" if stat.S_ISREG(info.st_mode) else "a special file (FIFO, socket or device)"
        raise OutTargetError(str(out_dir), 0, EXPECTED, f"{kind}; it was left as it is")
    entries = _entries(path, str(out_dir))
    if not entries:
        return
    _check_release_folder(path, str(out_dir), entries)


def _entries(folder: Path, shown: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError as err:
        raise OutTargetError(
            shown, 0, EXPECTED, f"a folder that cannot be listed ({err.strerror})"
        ) from err


def _listing(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return f"{', '.join(names[:_SHOWN])}{more}"


def _check_release_folder(path: Path, shown: str, entries: list[str]) -> None:
    manifest = read_our_manifest(path / "manifest.json")
    if manifest is not None and path.parent.name == "releases" and _VERSION.match(path.name):
        raise OutTargetError(
            shown,
            0,
            "a release folder to publish to, not a release archived in one (an archived "
            "release never changes; give the folder that holds releases/)",
            f"the archived release {path.name} of {path.parent.parent}",
        )
    foreign = [name for name in entries if name not in RELEASE_ENTRIES]
    if manifest is None and (foreign or not archived_versions(path)):
        what = (
            "no manifest.json"
            if "manifest.json" not in entries
            else "a manifest.json this pipeline did not write (or a damaged one, with no archived release to repair it from)"
        )
        raise OutTargetError(
            shown,
            0,
            EXPECTED,
            f"a folder with {what}; its entries: {_listing(_marked(path, entries))}; "
            "nothing was touched",
        )
    if foreign:
        raise OutTargetError(
            shown,
            0,
            "only the entries of a release in a release folder (a run replaces the whole folder; "
            "move the others out first)",
            f"entries the pipeline did not write: {_listing(_marked(path, foreign))}",
        )
    if manifest is None:
        return  # a damaged release of ours: the run repairs it
    listed = set(manifest["files"])
    added = [
        f"{sub}/{name}"
        for sub in ("parquet", "csv", "quality")
        if (path / sub).is_dir()
        for name in _entries(path / sub, shown)
        if f"{sub}/{name}" not in listed
    ]
    added += [
        f"releases/{name}"
        for name in (_entries(path / "releases", shown) if (path / "releases").is_dir() else [])
        if not (_VERSION.match(name) or RESTORING.match(name))
    ]
    if added:
        raise OutTargetError(
            shown,
            0,
            "only the files its manifest lists in a release folder (a run replaces the whole "
            "folder; move the others out first)",
            f"files the manifest does not list: {_listing(added)}",
        )


def _marked(folder: Path, names: list[str]) -> list[str]:
    """Return names with a trailing ``/`` on folders, as ``ls -p`` shows them."""
    return [f"{name}/" if (folder / name).is_dir() else name for name in names]
