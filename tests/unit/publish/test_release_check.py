"""`make validate`: a sound release passes; each kind of damage is named, once, with its place."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from confdata.publish.check import check_release, main
from confdata.run import io
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    (raw / NSDI26.name).write_bytes(NSDI26.read_bytes())
    out = tmp_path_factory.mktemp("rel") / "out"
    run_pipeline(raw, out)
    return out


@pytest.fixture()
def copy(release: Path, tmp_path: Path) -> Path:
    target = tmp_path / "out"
    shutil.copytree(release, target)
    return target


def test_sound_release_passes(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It finds no problem in a fresh release and exits 0, counting the files as the run log does."""
    assert check_release(release) == []
    assert main(["--out", str(release)]) == 0
    assert "is valid: 31 files + manifest.json" in capsys.readouterr().out


def _duplicate_key(out: Path) -> None:
    path = out / "parquet" / "sessions.parquet"
    df = pl.read_parquet(path)
    pl.concat([df, df.head(1)]).write_parquet(path)


def _edit_csv(out: Path) -> None:
    path = out / "csv" / "papers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("NSDI", "NSDX", 1), encoding="utf-8")


def _missing_file(out: Path) -> None:
    (out / "parquet" / "authors.parquet").unlink()


def _wrong_type(out: Path) -> None:
    path = out / "parquet" / "papers.parquet"
    pl.read_parquet(path).with_columns(pl.col("year").cast(pl.Utf8)).write_parquet(path)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(
            _duplicate_key,
            [
                "{bytes} parquet/sessions.parquet",
                "parquet/sessions.parquet:0: expected each session_id once, found ses_",
            ],
            id="duplicated key",
        ),
        pytest.param(_edit_csv, ["{bytes} csv/papers.csv"], id="edited file"),
        pytest.param(
            _missing_file,
            ["parquet/authors.parquet:0: expected the file the manifest lists, found no such file"],
            id="missing file",
        ),
        pytest.param(
            _wrong_type,
            ["parquet/papers.parquet:0: expected column year of type Int16, found String"],
            id="wrong column type",
        ),
    ],
)
def test_damaged_release_is_rejected_with_the_problem_named(
    copy: Path,
    damage: Callable[[Path], None],
    expected: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It exits 1 and names the file and what was expected of it."""
    expected = [
        _listed_bytes(copy, p.split()[1]) if p.startswith("{bytes}") else p for p in expected
    ]
    damage(copy)
    problems = check_release(copy)
    for phrase in expected:
        assert any(p.startswith(phrase) for p in problems), problems
    assert main(["--out", str(copy)]) == 1
    assert "NOT valid" in capsys.readouterr().err


def test_folder_without_manifest_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It refuses a folder that is not a release, printing the manifest's path once."""
    assert check_release(tmp_path) == [
        "manifest.json:0: expected the release's manifest (is this a release folder?), "
        "found no such file"
    ]
    assert main(["--out", f"{tmp_path}/"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{tmp_path}/manifest.json:0: expected the release's manifest (is this a " + (
        "release folder?), found no such file"
    )


def _tables(out: Path) -> dict[str, pl.DataFrame]:
    return {p.stem: pl.read_parquet(p) for p in (out / "parquet").glob("*.parquet")}


def _update_manifest(out: Path, rel: str, *, archived: bool = True) -> None:
    """Put the file's new size and hash in the manifest, so that no checksum catches the edit.

    The archived copy's manifest (read-only) is overwritten the same way unless
    ``archived`` is False, so that only the check under test can catch the edit.
    """
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][rel].update(io.file_facts(out / rel))
    text = json.dumps(manifest)
    (out / "manifest.json").write_text(text, encoding="utf-8")
    copy = out / "releases" / manifest["version"] / "manifest.json"
    if archived and copy.exists():
        copy.chmod(0o644)
        copy.write_text(text, encoding="utf-8")


def _record_line(out: Path, table: str, key: str) -> int:
    """The line of the CSV file on which the record starting with ``key`` starts."""
    text = (out / "csv" / f"{table}.csv").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(text, start=1) if line.startswith(f"{key},"))


def _cell_line(out: Path, table: str, key: str, cell: str) -> int:
    """The line holding ``,cell,`` in the record starting with ``key`` (records span lines)."""
    text = (out / "csv" / f"{table}.csv").read_text(encoding="utf-8").split("\n")
    start = _record_line(out, table, key)
    return next(i for i, line in enumerate(text, start=1) if i >= start and f",{cell}," in line)


def _listed_bytes(out: Path, rel: str) -> str:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return f"{rel}:0: expected {manifest['files'][rel]['bytes']} bytes with SHA-256"


def _rewrite_behind_the_manifest(out: Path, name: str, df: pl.DataFrame) -> None:
    """Replace a table's Parquet and update the manifest to match, so no checksum catches it."""
    df.write_parquet(out / "parquet" / f"{name}.parquet")
    _update_manifest(out, f"parquet/{name}.parquet")


def test_staged_audit_passes_tables_that_read_back_as_validated(release: Path) -> None:
    """It finds nothing wrong when every table reads back as the validated frames."""
    assert check_release(release, _tables(release)) == []


def test_staged_audit_still_validates_a_table_that_differs(copy: Path) -> None:
    """A Parquet file that no longer holds the validated rows is named and validated in full.

    The manifest is updated too, so only the comparison with the validated
    frames and the model's own checks can catch it.
    """
    validated = _tables(copy)
    sessions = validated["sessions"]
    _rewrite_behind_the_manifest(copy, "sessions", pl.concat([sessions, sessions.head(1)]))
    problems = check_release(copy, validated)
    assert (
        "parquet/sessions.parquet:0: expected the table that passed validation, "
        "found other rows or types"
    ) in problems
    assert any(
        p.startswith("parquet/sessions.parquet:0: expected each session_id once") for p in problems
    )


def test_staged_audit_still_checks_every_file(copy: Path) -> None:
    """Passing the validated frames skips no checksum, row count or missing file."""
    validated = _tables(copy)
    csv_listed = _listed_bytes(copy, "csv/papers.csv")
    _edit_csv(copy)
    _missing_file(copy)
    problems = check_release(copy, validated)
    assert any(p.startswith(csv_listed) for p in problems), problems
    assert any(p.startswith("parquet/authors.parquet:0: expected the file") for p in problems)


# ---------------------------------------------------------------- CSV content
def _edit_csv_cells(out: Path, table: str, edit: Callable[[pl.DataFrame], pl.DataFrame]) -> None:
    """Rewrite a table's CSV (read as text, edited, written back) and update the manifest."""
    path = out / "csv" / f"{table}.csv"
    edit(pl.read_csv(path, infer_schema=False)).write_csv(path)
    _update_manifest(out, f"csv/{table}.csv")


def _set(column: str, row: int, value: str) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def edit(df: pl.DataFrame) -> pl.DataFrame:
        at = pl.int_range(pl.len()) == row
        return df.with_columns(
            pl.when(at).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
        )

    return edit


def test_csv_with_an_unknown_kind_and_its_hash_updated_is_rejected(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: a CSV cell changed to an unknown kind, the manifest's hash updated."""
    _edit_csv_cells(copy, "papers", _set("kind", 3, "poster"))
    paper_id = pl.read_parquet(copy / "parquet" / "papers.parquet")["paper_id"][3]
    line = _cell_line(copy, "papers", paper_id, "poster")
    assert main(["--out", str(copy)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{copy}/csv/papers.csv:{line}: expected kind one of research, operational_systems, keynote, "
        f"test_of_time, award, conference, journal, patent, workshop, other, found 'poster' "
        f"(paper_id {paper_id})"
    ) in err.splitlines()
    # One message for the cell: not a second one saying it differs from the Parquet.
    assert sum("poster" in line for line in err.splitlines()) == 1


def test_csv_that_no_longer_matches_its_parquet_is_rejected(copy: Path) -> None:
    """A valid value that is not the Parquet's, a row dropped and a row added are each named."""
    papers = pl.read_parquet(copy / "parquet" / "papers.parquet")

    def edit(df: pl.DataFrame) -> pl.DataFrame:
        changed = _set("kind", 2, "award")(df)
        added = changed.head(1).with_columns(pl.lit("pap_0000000000000000").alias("paper_id"))
        return pl.concat([changed.slice(0, 5), changed.slice(6), added])

    _edit_csv_cells(copy, "papers", edit)
    problems = check_release(copy)
    line = _cell_line(copy, "papers", papers["paper_id"][2], "award")
    assert (
        f"csv/papers.csv:{line}: expected kind {papers['kind'][2]!r} as in parquet/papers.parquet, "
        f"found 'award' (paper_id {papers['paper_id'][2]})"
    ) in problems
    assert (
        "csv/papers.csv:0: expected every row of parquet/papers.parquet, found no row "
        f"paper_id {papers['paper_id'][5]}"
    ) in problems
    assert any(
        p.startswith("csv/papers.csv:")
        and "found a row it does not have (paper_id pap_0000000000000000)" in p
        for p in problems
    ), problems


def test_csv_rows_in_another_order_are_named(copy: Path) -> None:
    """The same rows in another order are not the Parquet's table."""
    _edit_csv_cells(
        copy, "sessions", lambda df: pl.concat([df.slice(1, 1), df.head(1), df.slice(2)])
    )
    sessions = pl.read_parquet(copy / "parquet" / "sessions.parquet")
    assert check_release(copy) == [
        "csv/sessions.csv:2: expected the rows in the order of parquet/sessions.parquet, "
        f"found another order (session_id {sessions['session_id'][1]})"
    ]


def test_csv_cell_of_the_wrong_type_is_named_at_its_line(copy: Path) -> None:
    """A year that is not a number, and a list that is not a JSON array, are named at their lines."""
    _edit_csv_cells(copy, "papers", _set("year", 7, "19x"))
    _edit_csv_cells(copy, "authors", _set("name_variants", 0, "[not json"))
    problems = check_release(copy)
    papers = pl.read_parquet(copy / "parquet" / "papers.parquet")
    line = _cell_line(copy, "papers", papers["paper_id"][7], "19x")
    assert (
        f"csv/papers.csv:{line}: expected year a value of type Int16, found '19x' "
        f"(paper_id {papers['paper_id'][7]})"
    ) in problems
    assert any(
        p.startswith(
            "csv/authors.csv:2: expected name_variants a JSON array of texts, found '[not json'"
        )
        for p in problems
    ), problems
    assert len(problems) == 2, problems


def test_lines_count_records_that_span_several_lines(copy: Path) -> None:
    """A cell after an abstract printed over several lines is named at its editor's line."""
    papers = pl.read_parquet(copy / "parquet" / "papers.parquet")
    row = papers.height - 1
    _edit_csv_cells(copy, "papers", _set("year", row, "19x"))
    text = (copy / "csv" / "papers.csv").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, start=1) if ",19x," in t)
    assert line > papers.height + 1  # abstracts hold line breaks
    assert any(p.startswith(f"csv/papers.csv:{line}: expected year") for p in check_release(copy))


def test_csv_that_is_not_utf8_is_named_at_its_line(copy: Path) -> None:
    """A Latin-1 byte in a CSV is named with its line, not a traceback."""
    path = copy / "csv" / "sessions.csv"
    lines = path.read_bytes().split(b"\n")
    lines[6] = lines[6].replace(b"e", b"\xe9", 1)
    path.write_bytes(b"\n".join(lines))
    _update_manifest(copy, "csv/sessions.csv")
    assert check_release(copy) == ["csv/sessions.csv:7: expected UTF-8 text, found the byte 0xe9"]


# ---------------------------------------------------------------- manifest and files
def test_a_truncated_manifest_is_one_located_line(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A manifest cut short gives one line with its place, not a Python traceback."""
    manifest = copy / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:500])
    assert main(["--out", str(copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2, err
    assert err[0].startswith(f"{copy}/manifest.json:")
    assert ": expected JSON, found " in err[0] and "(the file is cut short?)" in err[0]


def test_a_file_not_in_the_manifest_is_reported(copy: Path) -> None:
    """A file present in the release but not listed is a problem; the archive releases/ is not."""
    (copy / "csv" / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    assert (copy / "releases" / "r0001" / "manifest.json").is_file()
    assert check_release(copy) == [
        "csv/notes.csv:0: expected only the files the manifest lists, found a file it does not list"
    ]


def test_a_manifest_that_is_not_its_archived_copy_is_reported(copy: Path) -> None:
    """An edited manifest no longer equals releases/<version>/manifest.json, which is read-only."""
    (copy / "quality" / "report.md").write_text("# edited\n", encoding="utf-8")
    _update_manifest(copy, "quality/report.md", archived=False)
    assert check_release(copy) == [
        "manifest.json:0: expected the same bytes as releases/r0001/manifest.json (the archived "
        "copy, read-only), found a manifest that differs from it"
    ]


def _folder_for_a_file(out: Path) -> None:
    (out / "quality" / "report.md").unlink()
    (out / "quality" / "report.md").mkdir()


def _path_outside(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["../outside.txt"] = {"bytes": 1, "sha256": "0" * 64}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _not_json_object(out: Path) -> None:
    (out / "manifest.json").write_text("[1, 2]\n", encoding="utf-8")


def _manifest_latin1(out: Path) -> None:
    (out / "manifest.json").write_bytes(b'{\n  "version": "r\xe9"\n}\n')


def _unreadable_parquet(out: Path) -> None:
    (out / "parquet" / "papers.parquet").write_bytes(b"PAR1 not really")


def _empty_csv(out: Path) -> None:
    (out / "csv" / "papers.csv").write_bytes(b"")
    _update_manifest(out, "csv/papers.csv")


def _wrong_header(out: Path) -> None:
    path = out / "csv" / "sources.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("source_id,", "id,", 1), encoding="utf-8"
    )
    _update_manifest(out, "csv/sources.csv")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(
            _folder_for_a_file,
            "quality/report.md:0: expected the file the manifest lists, found a folder",
            id="folder for a file",
        ),
        pytest.param(
            _path_outside,
            "manifest.json:",
            id="path outside the release",
        ),
        pytest.param(
            _not_json_object, "manifest.json:0: expected a JSON object, found list", id="JSON list"
        ),
        pytest.param(
            _manifest_latin1,
            "manifest.json:2: expected UTF-8 JSON, found the byte 0xe9",
            id="manifest not UTF-8",
        ),
        pytest.param(
            _unreadable_parquet,
            "parquet/papers.parquet:0: expected a Parquet file, found one that cannot be read",
            id="unreadable Parquet",
        ),
        pytest.param(
            _empty_csv,
            "csv/papers.csv:1: expected the header paper_id,source_id,",
            id="empty CSV",
        ),
        pytest.param(
            _wrong_header,
            "csv/sources.csv:1: expected the header source_id,path,kind,sha256,bytes,lines,event, "
            "found id,path,kind,sha256,bytes,lines,event",
            id="wrong CSV header",
        ),
    ],
)
def test_every_damage_is_a_located_line_never_a_traceback(
    copy: Path,
    damage: Callable[[Path], None],
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Whatever is damaged, `make validate` prints located lines and exits 1."""
    damage(copy)
    assert main(["--out", str(copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith(f"{copy}/{expected}") for line in err), err
    assert all(line.startswith(f"{copy}/") or "NOT valid" in line for line in err), err


def test_a_path_outside_the_release_is_refused_by_name(copy: Path) -> None:
    """A manifest entry leaving the release is named with its line in the manifest."""
    _path_outside(copy)
    text = (copy / "manifest.json").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, start=1) if "../outside.txt" in t)
    assert (
        f"manifest.json:{line}: expected paths inside the release, found '../outside.txt'"
    ) in check_release(copy)


def test_a_duplicated_key_is_one_line_naming_the_file_and_the_key(copy: Path) -> None:
    """A repeated authorship is one line with its key, not pandera's text twice or a model's name."""
    path = copy / "parquet" / "paper_authors.parquet"
    df = pl.read_parquet(path)
    _rewrite_behind_the_manifest(copy, "paper_authors", pl.concat([df, df.head(1)]))
    lines = [p for p in check_release(copy) if "paper_authors.parquet" in p]
    first = f"({df['paper_id'][0]}, {df['position'][0]})"
    assert (
        f"parquet/paper_authors.parquet:0: expected {df.height} rows (the manifest's count), found {df.height + 1}"
        in lines
    )
    assert (
        f"parquet/paper_authors.parquet:0: expected each (paper_id, position) once, found {first} "
        f"2 times, in rows 1, {df.height + 1}"
    ) in lines
    assert not any("PaperAuthors" in p for p in lines), lines
