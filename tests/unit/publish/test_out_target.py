"""OUT must be a release of the pipeline's own: anything else is refused and left as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from confdata.publish.check import check_release
from confdata.publish.out_target import OutTargetError, check_out_target
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26


def everything(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` (the folder's parent included) with its content's hash."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the NSDI '26 page, built once."""
    folder = tmp_path_factory.mktemp("first")
    (folder / "raw").mkdir()
    (folder / "raw" / NSDI26.name).write_bytes(NSDI26.read_bytes())
    run_pipeline(folder / "raw", folder / "out")
    return folder / "out"


def test_a_folder_of_the_users_is_refused_and_kept(raw: Path, tmp_path: Path) -> None:
    """The issue's case: OUT=dir holding the user's files is a located error; nothing is moved."""
    out = tmp_path / "dir"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.txt").write_text("four years of work\n", encoding="utf-8")
    (out / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = everything(tmp_path)
    with pytest.raises(OutTargetError) as err:
        run_pipeline(raw, out)
    assert str(err.value).startswith(
        f"{out}:0: expected a release folder this pipeline wrote, an empty folder, or a path that "
        "does not exist yet (a run replaces the whole folder), found 'a folder with no "
        "manifest.json; its entries: sub/, thesis.txt; nothing was touched'"
    )
    assert everything(tmp_path) == before  # no lock, cache, work or staging folder either


def test_a_file_is_refused_every_time_and_kept(raw: Path, tmp_path: Path) -> None:
    """OUT=file is refused before anything moves, and again on the next run (no leftovers)."""
    out = tmp_path / "notes.md"
    out.write_text("my notes\n", encoding="utf-8")
    before = everything(tmp_path)
    for _ in range(2):
        with pytest.raises(OutTargetError, match=r"found 'a file; it was left as it is'"):
            run_pipeline(raw, out)
        assert everything(tmp_path) == before


def test_a_release_with_a_file_added_is_refused(
    raw: Path, tmp_path: Path, first_release: Path
) -> None:
    """A file of the user's put inside a release would be deleted by the swap: it is refused."""
    out = tmp_path / "out"
    shutil.copytree(first_release, out)
    (out / "csv" / "my_analysis.csv").write_text("x\n", encoding="utf-8")
    (out / "todo.txt").write_text("x\n", encoding="utf-8")
    with pytest.raises(OutTargetError, match=r"entries the pipeline did not write: todo.txt"):
        check_out_target(out)
    (out / "todo.txt").unlink()
    with pytest.raises(
        OutTargetError, match=r"files the manifest does not list: csv/my_analysis.csv"
    ):
        run_pipeline(raw, out)
    assert (out / "csv" / "my_analysis.csv").is_file()


def test_a_stranger_manifest_is_refused(tmp_path: Path) -> None:
    """A manifest.json of another tool (a web app's, say) does not make a folder a release."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "manifest.json").write_text(
        json.dumps({"name": "my app", "version": "1.0"}), encoding="utf-8"
    )
    with pytest.raises(OutTargetError, match=r"a manifest.json this pipeline did not write"):
        check_out_target(tmp_path / "site")


def test_missing_and_empty_folders_are_fine(raw: Path, tmp_path: Path) -> None:
    """A path that does not exist yet, or an empty folder, gets the first release."""
    check_out_target(tmp_path / "not" / "yet")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_pipeline(raw, empty).version == "r0001"
    assert check_release(empty) == []


def test_links_are_followed_and_broken_ones_refused(tmp_path: Path, first_release: Path) -> None:
    """A link to a release is that release; a broken link is refused, naming its target."""
    (tmp_path / "current").symlink_to(first_release)
    check_out_target(tmp_path / "current")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    with pytest.raises(OutTargetError, match=rf"found 'a broken link to {tmp_path}/gone'"):
        check_out_target(tmp_path / "dangling")


def test_a_release_with_a_damaged_manifest_is_ours_when_its_archive_says_so(
    raw: Path, tmp_path: Path, first_release: Path
) -> None:
    """A manifest cut short, in a folder holding only a release's entries and its archive, is
    a release of ours to repair; without an archived release it cannot be told from a stranger."""
    out = tmp_path / "out"
    shutil.copytree(first_release, out)
    manifest = out / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:300])
    check_out_target(out)
    summary = run_pipeline(raw, out)
    assert (summary.published, summary.version) == (False, "r0001")
    assert summary.repaired == [
        "out/manifest.json: damaged; restored from out/releases/r0001/manifest.json"
    ]
    assert check_release(out) == []

    manifest.write_bytes(manifest.read_bytes()[:300])
    for path in sorted((out / "releases").rglob("*"), reverse=True):
        os.chmod(path, 0o755)
    shutil.rmtree(out / "releases")
    with pytest.raises(OutTargetError, match=r"with no archived release to repair it from"):
        run_pipeline(raw, out)


def test_a_file_named_like_a_run_folder_is_kept(raw: Path, tmp_path: Path) -> None:
    """A user's file moved aside as .out.staging-<pid> by an earlier version is not deleted."""
    aside = tmp_path / ".out.staging-999999"
    aside.write_text("the user's notes, moved aside\n", encoding="utf-8")
    assert run_pipeline(raw, tmp_path / "out").version == "r0001"
    assert aside.read_text(encoding="utf-8") == "the user's notes, moved aside\n"


def test_an_archived_release_is_not_a_place_to_publish(first_release: Path) -> None:
    """OUT=out/releases/r0001 would replace an archived release: it is refused."""
    with pytest.raises(OutTargetError, match=r"found 'the archived release r0001 of "):
        check_out_target(first_release / "releases" / "r0001")
