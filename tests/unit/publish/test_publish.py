"""Publishing: all or nothing, byte-identical, and CSV that is safe to open."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from confdata.errors import RawInputError, ValidationFailed
from confdata.run import steps
from confdata.run.io import csv_safe
from confdata.run.steps import run_pipeline
from tests.conftest import FIXTURES, NSDI26, RAW


def snapshot(folder: Path, *, with_manifest: bool = True) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (with_manifest or p.name != "manifest.json")
    }


def test_same_input_gives_byte_identical_release(raw: Path, tmp_path: Path) -> None:
    """It writes the same bytes for the same input; only the manifest's run times differ."""
    first, second = tmp_path / "a", tmp_path / "b"
    run_pipeline(raw, first)
    run_pipeline(raw, second)
    assert snapshot(first, with_manifest=False) == snapshot(second, with_manifest=False)
    assert "parquet/papers.parquet" in snapshot(first)
    a, b = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (first, second))
    assert {k: v for k, v in a.items() if k != "run"} == {k: v for k, v in b.items() if k != "run"}


def test_rerun_with_nothing_changed_publishes_nothing(raw: Path, tmp_path: Path) -> None:
    """It says "no change" and keeps the one release when the tables are identical."""
    out = tmp_path / "out"
    assert run_pipeline(raw, out).version == "r0001"
    before = snapshot(out)
    again = run_pipeline(raw, out)
    assert (again.published, again.version) == (False, "r0001")
    assert snapshot(out) == before


def test_new_release_keeps_the_previous_one_and_reports_the_diff(raw: Path, tmp_path: Path) -> None:
    """It publishes r0002 on top, keeps r0001 untouched under releases/, and diffs them."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    first = snapshot(out / "releases" / "r0001")
    (raw / "cv.txt").write_text(
        "Ann Lee | Curriculum Vitae\n\nPublications\n\nConference Publications\n\n"
        "- [C1] **Ann Lee**, Bo Chen. A Paper In *Some Venue (SV)*. 2024.\n",
        encoding="utf-8",
    )
    second = run_pipeline(raw, out)
    assert second.version == "r0002"
    assert snapshot(out / "releases" / "r0001") == first
    top = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (top["version"], top["previous_version"]) == ("r0002", "r0001")
    report = json.loads((out / "quality" / "report.json").read_text(encoding="utf-8"))
    assert report["release"] == {"version": "r0002", "previous_version": "r0001"}
    assert report["diff"]["tables"]["papers"] == {"added": 1, "removed": 0, "changed": 0}
    assert report["diff"]["tables"]["sources"]["added"] == 1
    assert "Changes since r0001" in (out / "quality" / "report.md").read_text(encoding="utf-8")


def test_bad_file_leaves_the_last_release_untouched(raw: Path, tmp_path: Path) -> None:
    """It stops on a bad raw file and leaves out/ exactly as it was, with no leftovers."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    before = snapshot(out)
    (raw / "cut.txt").write_bytes((FIXTURES / "programs" / "truncated_mid_paper.txt").read_bytes())
    with pytest.raises(RawInputError):
        run_pipeline(raw, out)
    assert snapshot(out) == before
    # No staging or work folder left; the parse cache stays beside out/.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.cache", "out", "raw"]


def test_invalid_tables_publish_nothing(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It refuses to publish when validation fails (a session row twice) and names the rows."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    before = snapshot(out)
    core_tables = steps.core_tables

    def with_a_session_twice(*args: Any, **kwargs: Any) -> Any:
        tables, issues, summary = core_tables(*args, **kwargs)
        tables["sessions"] = pl.concat([tables["sessions"], tables["sessions"].head(1)])
        return tables, issues, summary

    monkeypatch.setattr(steps, "core_tables", with_a_session_twice)
    with pytest.raises(ValidationFailed) as err:
        run_pipeline(raw, out)
    assert "sessions.session_id" in str(err.value)
    assert snapshot(out) == before


def test_csv_neutralizes_formulas_but_parquet_keeps_them() -> None:
    """It prefixes cells a spreadsheet would run with an apostrophe, in CSV only."""
    df = pl.DataFrame(
        {
            "t": ["=SUM(A1)", "+1", "-x", "@cmd", "ok", None],
            "l": [["a"], [], ["="], ["b", "c"], [], []],
        }
    )
    safe = csv_safe(df)
    assert safe["t"].to_list() == ["'=SUM(A1)", "'+1", "'-x", "'@cmd", "ok", None]
    assert [json.loads(v) for v in safe["l"]] == df["l"].to_list()


def test_csv_shows_bidi_controls_as_code_points_but_parquet_keeps_them() -> None:
    """A right-to-left override or isolate is written <U+202E> in a cell or list item (2026-12)."""
    df = pl.DataFrame(
        {
            "t": ["Ke \u202eSun\u202c", "\u2067=x\u2069", "=\u200fy", "ok"],
            "l": [["a\u202eb"], [], ["\u200e"], ["b"]],
        }
    )
    safe = csv_safe(df)
    assert safe["t"].to_list() == [
        "Ke <U+202E>Sun<U+202C>",
        "<U+2067>=x<U+2069>",
        "'=<U+200F>y",
        "ok",
    ]
    assert [json.loads(v) for v in safe["l"]] == [["a<U+202E>b"], [], ["<U+200E>"], ["b"]]


def test_a_name_with_invisible_and_bidi_characters_reads_back_as_documented(
    tmp_path: Path,
) -> None:
    """Parquet keeps the printed name exactly; the CSV shows its bidi controls as code points;
    the zero-width space inside it does not split the person from the plain spelling."""
    raw = tmp_path / "raw"
    raw.mkdir()
    page = (FIXTURES / "programs" / "multi_org_authors.txt").read_text(encoding="utf-8")
    page = page.replace("Eleanor Whitcombe", "Eleanor Whit\u200bcombe \u202eX\u202c", 1)
    page = page.replace(
        "Chloe Park, Stanford University and NVIDIA",
        "Chloe Park, Stanford University and NVIDIA; "
        "Eleanor Whitcombe X, University of California, Berkeley",
        1,
    )
    (raw / "p.txt").write_text(page, encoding="utf-8")
    out = tmp_path / "out"
    run_pipeline(raw, out, reference_dir=RAW / "reference")
    exact = pl.read_parquet(out / "parquet" / "author_mentions.parquet")
    back = pl.read_csv(out / "csv" / "author_mentions.csv", schema=csv_safe(exact).schema)
    printed = "Eleanor Whit\u200bcombe \u202eX\u202c"
    assert printed in exact["name_as_printed"].to_list()
    shown = "Eleanor Whit\u200bcombe <U+202E>X<U+202C>"
    assert shown in back["name_as_printed"].to_list()
    assert not back["name_as_printed"].str.contains("[\u202a-\u202e]").any()
    whitcombe = exact.filter(pl.col("name_key") == "eleanor whitcombe x")
    assert whitcombe.height == 2 and whitcombe["author_id"].n_unique() == 1


def test_csv_reads_back_as_the_parquet(raw: Path, tmp_path: Path) -> None:
    """It writes CSV that Polars reads back to the Parquet rows (lists as JSON arrays)."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    for parquet in sorted((out / "parquet").glob("*.parquet")):
        exact = pl.read_parquet(parquet)
        back = pl.read_csv(out / "csv" / f"{parquet.stem}.csv", schema=csv_safe(exact).schema)
        assert back.equals(csv_safe(exact)), parquet.stem


def test_report_lists_every_parse_warning_with_its_line(raw: Path, tmp_path: Path) -> None:
    """It writes report.json and report.md with the misspelled label at its line."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    report = json.loads((out / "quality" / "report.json").read_text(encoding="utf-8"))
    label = [i for i in report["issues"] if i["code"] == "misspelled-label"]
    assert [(i["source_path"], i["line"]) for i in label] == [(NSDI26.name, 1007)]
    assert report["row_counts"]["papers"] == 152
    assert report["validation"]["ok"] is True
    md = (out / "quality" / "report.md").read_text(encoding="utf-8")
    assert f"{NSDI26.name}:1007" in md and "> Session Char: Seojin Park" in md


def test_published_datapackage_passes_frictionless(raw: Path, tmp_path: Path) -> None:
    """It publishes a datapackage.json that `frictionless validate` accepts, with a data dictionary."""
    import subprocess
    import sys

    out = tmp_path / "out"
    run_pipeline(raw, out)
    frictionless = Path(sys.executable).parent / "frictionless"
    done = subprocess.run(
        [str(frictionless), "validate", str(out / "datapackage.json")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"datapackage.json", "DATA_DICTIONARY.md"} <= set(manifest["files"])
    assert "## `paper_authors`" in (out / "DATA_DICTIONARY.md").read_text(encoding="utf-8")


def test_tables_changed_after_validation_are_validated_again(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit of the staged release re-validates tables that are not the ones validated.

    A core table rewritten between the validate step and the publish step (a
    session printed twice) no longer matches the hashes validate recorded, so
    its rows are checked again and nothing is published.
    """
    validate = steps.validate

    def validate_then_damage(work_dir: Path) -> dict[str, object]:
        result = validate(work_dir)
        path = work_dir / "core" / "sessions.parquet"
        sessions = pl.read_parquet(path)
        pl.concat([sessions, sessions.head(1)]).write_parquet(path)
        return result

    monkeypatch.setattr(steps, "validate", validate_then_damage)
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed) as err:
        steps.run_pipeline(raw, out)
    assert "parquet/sessions.parquet:0: expected each session_id once, found ses_" in str(err.value)
    assert not (out / "manifest.json").exists()


def test_csv_lists_are_json_arrays_as_python_writes_them() -> None:
    """It encodes every list cell exactly as ``json.dumps(list, ensure_ascii=False)`` does."""
    tricky = ['a"b', "back\\slash", "tab\tnew\nline", "\x00\x1f\x7f", "é 😀 \u2028", "", None, ", "]
    df = pl.DataFrame({"l": [tricky, [], None, ["="], [None]]}, schema={"l": pl.List(pl.Utf8)})
    expected = [None if v is None else json.dumps(v, ensure_ascii=False) for v in df["l"].to_list()]
    assert csv_safe(df)["l"].to_list() == expected


def test_the_csv_encodings_are_undone_exactly() -> None:
    """Reading back what csv_safe wrote gives the exact text: apostrophes and bidi controls."""
    import polars as pl

    from confdata.run.io import csv_list_back, csv_safe, csv_text_back

    df = pl.DataFrame(
        {
            "t": ["=1+2", "'quoted", "Ke \u202eSun", None, "plain", "''x"],
            "l": [["\u2066x", "=y"], [], None, ["a"], ["'b"], ["\u200f"]],
        },
        schema={"t": pl.Utf8, "l": pl.List(pl.Utf8)},
    )
    written = csv_safe(df)
    assert written["t"].to_list()[:3] == ["'=1+2", "''quoted", "Ke <U+202E>Sun"]
    back = written.select(
        csv_text_back(pl.col("t")).alias("t"), csv_list_back(pl.col("l"), pl.List(pl.Utf8))
    )
    assert back.equals(df)
