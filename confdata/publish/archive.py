"""The archive of releases, ``out/releases/<version>/``: copies, read-only, moved at each publish.

Every release is kept in ``out/releases/<version>/``, and an archived release
never changes after it is published:

- its files are copies of the files at the top of ``out/`` (a reflink or an
  in-kernel copy where the file system does it, :func:`copy_file`), never hard
  links, so editing ``out/csv/papers.csv`` in place leaves the archive as it was;
- its files and folders are read-only (``chmod a-w``, :func:`seal`);
  :func:`confdata.run.io.remove_tree` still removes them (the pipeline's own
  clean-up), making a folder writable again only when a removal in it is refused.

A publish moves the archive, it never copies it: ``out/releases`` is renamed
into the staging folder, the new release's archived copy is renamed into it,
and the staging folder is swapped in (:func:`move_archive_in`), so a run costs
one release however long the history. Between the first rename and the swap
(a few system calls, no data written) ``out/`` has its whole top-level release
but no ``releases/``; a run killed there leaves the archive in its staging
folder, and the next run puts it back (:func:`restore_archive`).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path

from confdata.publish.out_target import RESTORING, read_our_manifest
from confdata.run.io import exchange_in, remove_tree, restore_previous
from confdata.run.state import pause_point, pid_alive

ARCHIVE = "releases"
MOVING = "releases.moving"  # the archive inside a staging folder while it is being moved in
_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
# copy_file_range is refused across file systems (EXDEV, on older kernels) or by some
# file systems (EINVAL, EOPNOTSUPP, ENOSYS): the bytes are then copied the ordinary way.
_NO_COPY_RANGE = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM}


def copy_file(src: Path, dst: Path) -> None:
    """Copy a file's bytes into a new file ``dst`` (never a hard link).

    ``os.copy_file_range`` lets the kernel copy (and share the blocks, on file
    systems with reflinks: Btrfs, XFS); where it is refused, the bytes are
    copied through user space.
    """
    with src.open("rb") as source, dst.open("wb") as target:
        size = os.fstat(source.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                done = os.copy_file_range(source.fileno(), target.fileno(), size - copied)
                if done == 0:
                    break
                copied += done
        except OSError as err:
            if err.errno not in _NO_COPY_RANGE:
                raise
            source.seek(0)
            target.seek(0)
            target.truncate()
            copied = 0
        if copied < size:
            source.seek(copied)
            target.seek(copied)
            shutil.copyfileobj(source, target, 1 << 20)


def copy_release(src: Path, dst: Path) -> None:
    """Copy every file of a release folder into ``dst`` (created), but its archive ``releases/``."""
    for folder, subfolders, files in os.walk(src):
        here = Path(folder)
        if here == src and ARCHIVE in subfolders:
            subfolders.remove(ARCHIVE)
        target = dst / here.relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            copy_file(here / name, target / name)


def _drop_write(path: str | Path) -> None:
    mode = os.lstat(path).st_mode
    if mode & _WRITE:
        os.chmod(path, stat.S_IMODE(mode) & ~_WRITE)


def seal(folder: Path, *, keep_folder_writable: bool = False) -> None:
    """Make a release folder read-only: ``chmod a-w`` on every file and folder in it.

    With ``keep_folder_writable`` the folder itself stays writable (it is about
    to be renamed into another folder, which needs it writable).
    """
    for here, _, files in os.walk(folder, topdown=False):
        for name in files:
            _drop_write(os.path.join(here, name))
        if not (keep_folder_writable and Path(here) == folder):
            _drop_write(here)


def is_sealed(folder: Path) -> bool:
    """Tell whether no file or folder in ``folder`` (itself included) is writable by anyone."""
    for here, _, files in os.walk(folder):
        if os.lstat(here).st_mode & _WRITE:
            return False
        if any(os.lstat(os.path.join(here, name)).st_mode & _WRITE for name in files):
            return False
    return True


def make_writable(folder: Path) -> None:
    """Give the owner write access to a folder again (to repair or remove what is in it)."""
    os.chmod(folder, stat.S_IMODE(os.stat(folder).st_mode) | stat.S_IRWXU)


def move_archive_in(out_dir: Path, staging: Path, new_version: str | None) -> None:
    """Move ``out_dir/releases`` into the staging folder, with the new release's copy added to it.

    ``staging/releases/<new_version>`` (when given) is the new release's
    archived copy; it is sealed read-only and ends up in the archive beside
    the earlier releases. The caller swaps the staging folder in right after
    (:func:`confdata.run.io.exchange_in`); if anything fails before that, it calls
    :func:`restore_archive` before removing the staging folder.
    """
    new = staging / ARCHIVE / new_version if new_version else None
    if new is not None:
        seal(new, keep_folder_writable=True)  # renamed into the archive below
    archive = out_dir / ARCHIVE
    if archive.is_dir() and not archive.is_symlink():
        moving = staging / MOVING
        archive.rename(moving)  # from here until the swap, out/ has no releases/
        pause_point("archive-moved")
        if new is not None:
            new.rename(moving / new.name)
            (staging / ARCHIVE).rmdir()
        moving.rename(staging / ARCHIVE)
    if new is not None:
        _drop_write(staging / ARCHIVE / new.name)


def swap_in(staging: Path, out_dir: Path, new_version: str | None) -> Path | None:
    """Publish the staging folder as ``out_dir``: the archive moved into it, then the two swapped.

    Returns the retired folder (the previous top-level release, without the
    archive) for the caller to remove; None on a first release. When anything
    fails, what was moved is put back before the error is raised.
    """
    try:
        move_archive_in(out_dir, staging, new_version)
        return exchange_in(staging, out_dir)
    except BaseException:
        abandon(out_dir, staging, new_version)
        raise


def abandon(out_dir: Path, staging: Path, new_version: str | None) -> None:
    """Remove the staging folder of a publish that failed, after putting back what it holds of out/.

    A staging folder that still holds the archive (``out_dir`` could not be
    put back) is left for the next run's clean-up (:func:`restore_archive`)
    rather than removed with it.
    """
    if not staging.exists():
        return
    restore_previous(out_dir)
    restore_archive(out_dir, staging)
    archive = out_dir / ARCHIVE
    if (staging / MOVING).is_dir() and not archive.exists():
        return
    kept = staging / ARCHIVE
    if (
        kept.is_dir()
        and not archive.exists()
        and any(p.name != new_version for p in kept.iterdir())
    ):
        return
    remove_tree(staging)


def _number(version: str) -> int:
    return int(version[1:])


def restore_archive(out_dir: Path, leftover: Path) -> str | None:
    """Put back the archive a run stopped mid-publish left in its staging folder; say what was done.

    Only when ``out_dir`` has no ``releases/`` and ``leftover`` (a staging
    folder) holds it (see :func:`move_archive_in`). The release that run was
    publishing is dropped from it when ``out_dir`` still holds an older
    release at the top: it was never published. Returns None when there was
    nothing to put back.
    """
    archive = out_dir / ARCHIVE
    if not out_dir.is_dir() or archive.exists() or archive.is_symlink():
        return None
    found = next(
        (leftover / n for n in (MOVING, ARCHIVE) if (leftover / n).is_dir()),
        None,
    )
    if found is None:
        return None
    note = ""
    staged = read_our_manifest(leftover / "manifest.json")
    top = read_our_manifest(out_dir / "manifest.json")
    if staged and top and _number(staged["version"]) > _number(top["version"]):
        unpublished = found / staged["version"]
        if unpublished.is_dir():
            remove_tree(unpublished)
            note = f" (without {staged['version']}, which was never published)"
    if not any(child.is_dir() for child in found.iterdir()):
        return None
    found.rename(archive)
    return f"put {out_dir.name}/{ARCHIVE}/ back from {leftover.name}{note}"


def restore_files(
    archived: Path, sources: Mapping[str, Path], manifest_bytes: bytes | None
) -> None:
    """Put byte-identical copies of an archived release's damaged or missing files back.

    ``sources`` maps each file (relative path) to a file whose size and SHA-256
    are those the release's manifest lists; ``manifest_bytes``, when given, is
    written as its ``manifest.json``. A missing archived release is built
    beside (``releases/.<version>.restoring-<pid>``) and renamed into place;
    an existing one is repaired file by file, each file written beside itself
    and renamed over the damaged one, so a file is always either the damaged
    one or the right one. The release is sealed read-only again.
    """
    if not archived.is_dir():
        archived.parent.mkdir(parents=True, exist_ok=True)
        building = archived.parent / f".{archived.name}.restoring-{os.getpid()}"
        remove_tree(building)
        building.mkdir()
        for rel, src in sorted(sources.items()):
            (building / rel).parent.mkdir(parents=True, exist_ok=True)
            copy_file(src, building / rel)
        if manifest_bytes is not None:
            (building / "manifest.json").write_bytes(manifest_bytes)
        seal(building, keep_folder_writable=True)
        building.rename(archived)
        _drop_write(archived)
        return
    for here, _, _ in os.walk(archived):
        make_writable(Path(here))
    for rel, src in sorted(sources.items()):
        target = archived / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{target.name}.restoring-{os.getpid()}"
        copy_file(src, tmp)
        if target.is_dir() and not target.is_symlink():
            remove_tree(target)  # a folder where the file should be
        os.replace(tmp, target)
    if manifest_bytes is not None:
        tmp = archived / f".manifest.json.restoring-{os.getpid()}"
        tmp.write_bytes(manifest_bytes)
        os.replace(tmp, archived / "manifest.json")
    seal(archived)


def stale_restorings(folder: Path) -> list[Path]:
    """List what :func:`restore_files` of a stopped run left directly in ``folder``.

    Those are the ``.<name>.restoring-<pid>`` files and folders whose process is
    gone, or is this one (which restores nothing while the run lock is held).
    """
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        match = RESTORING.match(entry.name)
        if match and (int(match.group(1)) == os.getpid() or not pid_alive(int(match.group(1)))):
            found.append(entry)
    return found
