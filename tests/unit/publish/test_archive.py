"""The archive out/releases/: copies, read-only, moved at each publish; and repairs of out/."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from confdata.publish import archive
from confdata.publish.check import check_release, main
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW, ROOT

CV = RAW / "alireza-farshin-cv.txt"


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def writable(path: Path) -> None:
    """Make an archived file (and its folder) writable again, as a user with chmod would."""
    path.parent.chmod(0o755)
    if path.exists():
        path.chmod(0o644)


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Release r0001 of the NSDI '26 page (with its parse cache), built once."""
    folder = tmp_path_factory.mktemp("first")
    (folder / "raw").mkdir()
    (folder / "raw" / NSDI26.name).write_bytes(NSDI26.read_bytes())
    run_pipeline(folder / "raw", folder / "out")
    return folder


@pytest.fixture()
def out(raw: Path, tmp_path: Path, first_release: Path) -> Path:
    """``tmp_path/out`` holding r0001 of ``raw``, as a run just published it."""
    for name in ("out", ".out.cache"):
        shutil.copytree(first_release / name, tmp_path / name, symlinks=True)
    return tmp_path / "out"


def test_editing_out_leaves_the_archived_release_as_it_was(raw: Path, tmp_path: Path) -> None:
    """The issue's case: out/csv/papers.csv edited in place does not edit releases/r0001/."""
    out = tmp_path / "out"  # published here, not copied: a copy would break hard links
    run_pipeline(raw, out)
    archived = out / "releases" / "r0001" / "csv" / "papers.csv"
    before = archived.read_bytes()
    assert not os.path.samefile(out / "csv" / "papers.csv", archived)
    with (out / "csv" / "papers.csv").open("ab") as handle:
        handle.write(b"edited\n")
    assert archived.read_bytes() == before


def test_an_archived_release_is_read_only(out: Path) -> None:
    """Every file and folder of releases/r0001/ has no write permission for anyone."""
    paths = [out / "releases" / "r0001", *(out / "releases" / "r0001").rglob("*")]
    assert len(paths) > 30
    assert all(not (p.stat().st_mode & 0o222) for p in paths), [
        (str(p), oct(p.stat().st_mode)) for p in paths if p.stat().st_mode & 0o222
    ]
    # The top of out/ stays an ordinary, writable folder.
    assert (out / "csv" / "papers.csv").stat().st_mode & stat.S_IWUSR


def test_a_publish_moves_the_archive_it_does_not_copy_it(raw: Path, out: Path) -> None:
    """r0002 is added beside r0001: r0001's folder and files are the very same, not copies."""
    folder = out / "releases" / "r0001"
    inodes = {p: p.stat().st_ino for p in [folder, *folder.rglob("*")]}
    before = snapshot(folder)
    (raw / CV.name).write_bytes(CV.read_bytes())
    assert run_pipeline(raw, out).version == "r0002"
    assert {p: p.stat().st_ino for p in inodes} == inodes
    assert snapshot(folder) == before
    assert sorted(p.name for p in (out / "releases").iterdir()) == ["r0001", "r0002"]
    assert archive.is_sealed(out / "releases" / "r0002")
    assert check_release(out) == [] and check_release(out / "releases" / "r0002") == []


def test_a_deleted_table_is_published_again_on_a_no_change_run(
    raw: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: out/parquet/papers.parquet deleted; the next run puts it back."""
    before = snapshot(out)
    (out / "parquet" / "papers.parquet").unlink()
    summary = run_pipeline(raw, out)
    assert (summary.published, summary.version) == (False, "r0001")
    assert summary.repaired == [
        "out/parquet/papers.parquet: missing; restored from out/releases/r0001/, "
        "byte-identical to the manifest"
    ]
    assert summary.checked == [
        "out/releases/r0001/: 31 files and manifest.json match the manifest of release r0001 "
        "(sizes and SHA-256)"
    ]
    assert snapshot(out) == before
    assert main(["--out", str(out)]) == 0
    assert "is valid" in capsys.readouterr().out


def test_a_sound_release_says_what_was_checked(raw: Path, out: Path) -> None:
    """A no-change run checks both copies against the manifest and says so."""
    summary = run_pipeline(raw, out)
    assert not summary.published and summary.repaired == [] and summary.left_damaged == []
    assert summary.checked == [
        f"out/{where}: 31 files and manifest.json match the manifest of release r0001 "
        "(sizes and SHA-256)"
        for where in ("", "releases/r0001/")
    ]


def test_an_edited_archived_file_is_restored_byte_identically(raw: Path, out: Path) -> None:
    """An archived file made writable and edited is put back from the top, and sealed again."""
    before = snapshot(out)
    report = out / "releases" / "r0001" / "quality" / "report.md"
    writable(report)
    report.write_text("# nothing to see\n", encoding="utf-8")
    summary = run_pipeline(raw, out)
    assert not summary.published
    size = (out / "quality" / "report.md").stat().st_size
    assert summary.repaired == [
        "out/releases/r0001/quality/report.md: 17 bytes with SHA-256 "
        f"{hashlib.sha256(b'# nothing to see' + bytes([10])).hexdigest()[:12]}…, the manifest "
        f"says {size} bytes with SHA-256 {before['quality/report.md'][:12]}…; restored from "
        "out/, byte-identical to the manifest"
    ]
    assert snapshot(out) == before
    assert archive.is_sealed(out / "releases" / "r0001")


def test_a_deleted_archive_is_rebuilt_from_the_top(raw: Path, out: Path) -> None:
    """releases/ removed by hand: the current release's archived copy is rebuilt, byte-identical."""
    before = snapshot(out)
    for path in [out / "releases", *(out / "releases").rglob("*")]:
        path.chmod(0o755)
    shutil.rmtree(out / "releases")
    summary = run_pipeline(raw, out)
    assert summary.repaired == [
        "out/releases/r0001/: missing; rebuilt from out/ (31 files and manifest.json, "
        "byte-identical to the manifest)"
    ]
    assert snapshot(out) == before
    assert archive.is_sealed(out / "releases" / "r0001")


def test_a_file_damaged_in_both_copies_is_rebuilt_when_it_can_be(raw: Path, out: Path) -> None:
    """The data dictionary and the Data Package descriptor, damaged at the top and in the
    archive, are rebuilt byte-identically."""
    before = snapshot(out)
    damaged = ("DATA_DICTIONARY.md", "datapackage.json")
    for folder in (out, out / "releases" / "r0001"):
        for name in damaged:
            writable(folder / name)
            (folder / name).write_text("damaged\n", encoding="utf-8")
    summary = run_pipeline(raw, out)
    assert (summary.published, summary.version) == (False, "r0001")
    # The archived copy from the rebuild, then the top from the archived copy.
    assert [(line.split(":")[0], line.split("; ")[-1]) for line in summary.repaired] == [
        *[
            (
                f"out/releases/r0001/{name}",
                "restored from this run's rebuild, byte-identical to the manifest",
            )
            for name in damaged
        ],
        *[
            (f"out/{name}", "restored from out/releases/r0001/, byte-identical to the manifest")
            for name in damaged
        ],
    ]
    assert snapshot(out) == before


def test_a_report_damaged_in_both_copies_publishes_a_new_release(raw: Path, out: Path) -> None:
    """A quality report no copy holds any more cannot be restored: the tables are published anew,
    and the damaged archived copy is left as it is, and reported."""
    for folder in (out, out / "releases" / "r0001"):
        writable(folder / "quality" / "report.json")
        (folder / "quality" / "report.json").write_text("{}\n", encoding="utf-8")
    summary = run_pipeline(raw, out)
    assert (summary.published, summary.version) == (True, "r0002")
    assert summary.repaired[-1].startswith(
        "out/: quality/report.json damaged in every copy (3 bytes with SHA-256"
    )
    assert summary.repaired[-1].endswith(
        "and cannot be restored byte-identically; its tables are published as a new release"
    )
    assert len(summary.left_damaged) == 1
    assert summary.left_damaged[0].startswith("out/releases/r0001/quality/report.json: 3 bytes")
    assert summary.left_damaged[0].endswith("no byte-identical copy exists, so it is left as it is")
    assert check_release(out) == []
    assert (out / "releases" / "r0001" / "quality" / "report.json").read_text() == "{}\n"


def test_a_release_of_hard_links_gets_copies(raw: Path, out: Path) -> None:
    """A release published by an earlier version (top and archive hard-linked, writable) is
    republished with copies, and its archived copy sealed."""
    folder = out / "releases" / "r0001"
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            top = out / path.relative_to(folder)
            top.unlink()
            os.link(path, top)
    before = snapshot(out)
    summary = run_pipeline(raw, out)
    assert summary.repaired == [
        "out/releases/r0001/: made read-only (chmod a-w)",
        "out/: 31 files shared their data with out/releases/r0001/ (hard links, so editing one "
        "edited the other); replaced by copies",
    ]
    assert snapshot(out) == before
    assert not os.path.samefile(out / "csv" / "papers.csv", folder / "csv" / "papers.csv")
    assert archive.is_sealed(folder)


def test_an_archived_copy_without_its_manifest_is_reported_not_rewritten(
    raw: Path, out: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With no manifest to check it by, an archived copy is left as it is, and said to be."""
    manifest = out / "releases" / "r0001" / "manifest.json"
    writable(manifest)
    manifest.unlink()
    with caplog.at_level(logging.WARNING, logger="confdata"):
        summary = run_pipeline(raw, out)
    assert summary.left_damaged == [
        "out/releases/r0001/manifest.json: missing or damaged; the archived copy is left as it "
        "is (an archived release is never rewritten without its manifest to check it by)"
    ]
    assert not manifest.exists()
    assert any(
        "damaged, not repaired: out/releases/r0001/manifest.json" in r.getMessage()
        for r in caplog.records
    )


def test_the_run_log_and_make_validate_count_the_same_files(
    raw: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both say "31 files + manifest.json"."""
    out = tmp_path / "out"
    with caplog.at_level(logging.INFO, logger="confdata"):
        run_pipeline(raw, out)
    assert any(
        r.getMessage() == f"published release r0001 (31 files + manifest.json) to {out}"
        for r in caplog.records
    )
    assert main(["--out", str(out)]) == 0
    assert f"release r0001 in {out}/ is valid: 31 files + manifest.json" in capsys.readouterr().out


def test_a_stopped_move_of_the_archive_is_put_back(tmp_path: Path, first_release: Path) -> None:
    """Each state a kill can leave between moving releases/ out and the swap is put back."""
    for state in ("moving, new not in it", "moving with the new", "moved with the new"):
        case = tmp_path / state.replace(" ", "-")
        out, staging = case / "out", case / ".out.staging-1"
        shutil.copytree(first_release / "out", out, symlinks=True)
        shutil.copytree(first_release / "out", staging, ignore=shutil.ignore_patterns("releases"))
        manifest = (staging / "manifest.json").read_text(encoding="utf-8")
        (staging / "manifest.json").write_text(
            manifest.replace('"r0001"', '"r0002"'), encoding="utf-8"
        )
        new = staging / "releases" / "r0002"
        new.mkdir(parents=True)
        (new / "manifest.json").write_text("{}", encoding="utf-8")
        target = staging / ("releases" if state.startswith("moved") else "releases.moving")
        if state.startswith("moved"):
            shutil.rmtree(new.parent)
        (out / "releases").rename(target)
        if "with the new" in state:
            (target / "r0002").mkdir()
        assert archive.restore_archive(out, staging) == (
            "put out/releases/ back from .out.staging-1"
            + (" (without r0002, which was never published)" if "with the new" in state else "")
        ), state
        assert sorted(p.name for p in (out / "releases").iterdir()) == ["r0001"], state


def _as_nobody() -> list[str] | None:
    """A command that runs this interpreter's code as user nobody, when root can do that here."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return None
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, shutil.which(version)):
        if not python:
            continue
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python]
        env = {
            "PYTHONPATH": f"{ROOT}:{sysconfig.get_paths()['purelib']}",
            "PATH": os.environ["PATH"],
        }
        done = subprocess.run(
            [*command, "-c", "import polars, confdata"], env=env, capture_output=True
        )
        if done.returncode == 0:
            return command
    return None


def test_read_only_archives_are_published_over_and_removed_without_root() -> None:
    """A user without root (whom chmod a-w binds) publishes, repairs and cleans up read-only archives.

    Moving a read-only folder into another one, or removing its files, is
    refused to anyone but root; the pipeline must still do it. Root ignores
    file permissions, so under root this runs as user ``nobody``.
    """
    script = f"""
import shutil, sys
from pathlib import Path
from confdata.run import io
from confdata.run.steps import run_pipeline
from confdata.publish.check import check_release
raw, out = Path(sys.argv[1]), Path(sys.argv[2])
assert run_pipeline(raw, out).version == "r0001"
shutil.copy({str(CV)!r}, raw)
assert run_pipeline(raw, out).version == "r0002"
(out / "parquet" / "papers.parquet").unlink()
assert run_pipeline(raw, out).repaired
assert check_release(out) == []
io.remove_tree(out)
print("done")
"""
    command = [sys.executable] if os.geteuid() != 0 else _as_nobody()
    if command is None:
        pytest.skip("running as root, and no way to run as another user here")
    # pytest's tmp_path is private to root: this folder is one the other user can write in.
    with tempfile.TemporaryDirectory(prefix="confdata-nobody-") as name:
        folder = Path(name)
        folder.chmod(0o777)
        raw = folder / "raw"
        raw.mkdir(mode=0o777)
        raw.chmod(0o777)
        (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
        env = {
            "PYTHONPATH": f"{ROOT}:{sysconfig.get_paths()['purelib']}",
            "PATH": os.environ["PATH"],
            "HOME": str(folder),
        }
        done = subprocess.run(
            [*command, "-c", script, str(raw), str(folder / "out")],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.strip() == "done"
        assert not (folder / "out").exists()


def test_a_manifest_pointing_outside_the_release_is_never_followed(
    raw: Path, out: Path, tmp_path: Path
) -> None:
    """A top manifest edited to list ../escape.txt is not the pipeline's: the archived one is,
    and the repair writes nothing outside out/."""
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["../escape.txt"] = manifest["files"]["csv/papers.csv"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    summary = run_pipeline(raw, out)
    assert summary.repaired == [
        "out/manifest.json: damaged; restored from out/releases/r0001/manifest.json"
    ]
    assert not (tmp_path / "escape.txt").exists()
    assert check_release(out) == []
