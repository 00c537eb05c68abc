"""The quality report reads as plain English and locates everything it names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from confdata.quality.charts import chart_data
from confdata.quality.html import render_html
from confdata.quality.issues import Issue
from confdata.quality.report import build_report, render_markdown
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW


def _issue(severity: str, line: int) -> Issue:
    return Issue(
        code=f"made-up-{severity}",
        severity=severity,
        message="made up",
        source_path="x.txt",
        line=line,
        text="",
        table="",
        key="",
    )


def _report(issues: list[Issue]) -> dict[str, Any]:
    return build_report(
        pipeline_version="0.1.0",
        sources=[],
        row_counts={},
        validation={"ok": True, "tables": {}, "failures": []},
        issues=issues,
    )


def _read(out: Path) -> tuple[dict[str, Any], str]:
    report = json.loads((out / "quality" / "report.json").read_text(encoding="utf-8"))
    return report, (out / "quality" / "report.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- severity counts


def test_severity_counts_are_plural_where_english_is() -> None:
    """One warning, fifteen warnings; errors first; an empty report says so."""
    issues = [_issue("warning", n) for n in range(1, 16)] + [_issue("error", 1), _issue("info", 2)]
    report = _report(issues)
    first = render_markdown(report).splitlines()[2]
    assert first == "Pipeline version 0.1.0. Validation passed. 1 error, 15 warnings, 1 info."
    html = render_html(report, {})
    assert "1&nbsp;error<" in html and "15&nbsp;warnings<" in html and "1&nbsp;info<" in html
    single = render_markdown(_report([_issue("warning", 1)])).splitlines()[2]
    assert single.endswith("Validation passed. 1 warning.")
    assert render_markdown(_report([])).splitlines()[2].endswith("Validation passed. No issues.")


# --------------------------------------------------------------------------- locations


def test_an_organization_printed_only_on_a_chair_line_is_located_there(tmp_path: Path) -> None:
    """An unknown organization named by a session chair alone is reported at the chair's line."""
    raw = tmp_path / "raw"
    raw.mkdir()
    chair = "Session Chair: Dave Maltz, Microsoft"
    text = NSDI26.read_text(encoding="utf-8")
    line = text.splitlines().index(chair) + 1
    assert line == 68
    (raw / NSDI26.name).write_text(
        text.replace(chair, "Session Chair: Dave Maltz, Frobozz Widget Works"), "utf-8"
    )
    run_pipeline(raw, tmp_path / "out")
    report, markdown = _read(tmp_path / "out")
    found = [i for i in report["issues"] if i["code"] == "unresolved-affiliation"]
    assert [(i["source_path"], i["line"], i["text"]) for i in found] == [
        (NSDI26.name, 68, "Frobozz Widget Works")
    ]
    assert "unresolved organization (1 chair line; closest:" in found[0]["message"]
    assert f"- `{NSDI26.name}:68` 'Frobozz Widget Works' is not in the organization" in markdown
    # The organization is still kept, as an unresolved row the chair points at.
    html = render_html(report, chart_data({}))
    assert f"{NSDI26.name}:68" in html


# --------------------------------------------------------------------------- overrides


@pytest.fixture()
def unmatched_override(tmp_path: Path) -> tuple[Path, int]:
    """A reference folder whose people.yaml has a must-link that selects no mention."""
    reference = tmp_path / "reference"
    shutil.copytree(RAW / "reference", reference)
    people = reference / "people.yaml"
    text = people.read_text(encoding="utf-8").replace(
        "cannot_link: []",
        "cannot_link:\n"
        "  - a: Nobody Printed\n"
        "    b: {name: Ke Sun, org: alibaba-cloud}\n"
        "    reason: made up to test the report",
    )
    people.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  - a: Nobody Printed") + 1
    return reference, line


def test_an_override_matching_nothing_is_a_sentence_naming_it(
    raw: Path, tmp_path: Path, unmatched_override: tuple[Path, int]
) -> None:
    """It names the override, its line in people.yaml and why; no Python dict is printed."""
    reference, line = unmatched_override
    run_pipeline(raw, tmp_path / "out", reference_dir=reference)
    report, markdown = _read(tmp_path / "out")
    expected = (
        f"- The cannot-link override at people.yaml:{line} (Nobody Printed ≠ Ke Sun @ "
        "alibaba-cloud) was not applied: side a matched no mention. Its reason: made up to "
        "test the report"
    )
    assert expected in markdown.splitlines()
    assert "{'kind'" not in markdown
    unmatched = report["resolution"]["people"]["overrides_unmatched"]
    assert [(o["kind"], o["line"]) for o in unmatched] == [("cannot_link", line)]
    # The curated must-link of raw/reference/people.yaml applies, and says where it is written.
    applied = report["resolution"]["people"]["overrides_applied"]
    assert [(o["kind"], o["a"], o["line"]) for o in applied] == [("must_link", "Marios Kogias", 39)]
