"""The program parser on small pages in the other layouts USENIX uses.

Each fixture in tests/fixtures/programs/ shows one variant or one defect and
has a ``.expected.yaml`` written by reading the fixture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from confdata.errors import RawInputError
from confdata.parse.usenix.program import ProgramParse, parse_program
from confdata.reference.data import Reference
from confdata.run.steps import discover_sources, parse_source
from tests.conftest import FIXTURES, RAW

PROGRAMS = FIXTURES / "programs"


def expectations() -> list[Path]:
    return sorted(PROGRAMS.glob("*.expected.yaml"))


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def parse(name: str, reference: Reference) -> ProgramParse:
    path = PROGRAMS / name
    return parse_program(
        path.read_text(encoding="utf-8"),
        source_path=name,
        rules=reference.program_rules,
        knowledge=reference.org_knowledge,
    )


VARIANTS = [p for p in expectations() if "error" not in load(p)]
BAD = [p for p in expectations() if "error" in load(p)]


@pytest.mark.parametrize("expected_path", VARIANTS, ids=lambda p: p.name.split(".")[0])
def test_variant_layout_parses_as_expected(expected_path: Path, reference: Reference) -> None:
    """It reads every session, chair, paper, flag and authorship of the fixture."""
    expected = load(expected_path)
    got = parse(expected["fixture"], reference)
    assert got.event == expected["event"]
    sessions = [
        {
            "date": s.date,
            "start_time": s.start_time.strftime("%H:%M"),
            "end_time": s.end_time.strftime("%H:%M"),
            "track": s.track,
            "kind": s.kind,
            "title": s.title,
            "room": s.room,
            "chairs": [{"name": c.name, "affiliation": c.affiliation_as_printed} for c in s.chairs],
        }
        for s in got.sessions
    ]
    want_sessions = [{**s, "chairs": s.get("chairs", [])} for s in expected["sessions"]]
    assert sessions == want_sessions
    papers = [
        {
            "title": p.title,
            "session_title": s.title,
            "kind": p.kind,
            "flags": list(p.flags),
            "abstract_paragraphs": len(p.abstract.split("\n\n")) if p.abstract else 0,
            "authors": [
                {"name": a.name, "affiliations": list(a.affiliations), "status": a.status}
                for a in p.authors
            ],
        }
        for s in got.sessions
        for p in s.papers
    ]
    want_papers = [
        {k: v for k, v in p.items() if k != "bio_paragraphs"} for p in expected["papers"]
    ]
    assert papers == want_papers


@pytest.mark.parametrize("expected_path", BAD, ids=lambda p: p.name.split(".")[0])
def test_bad_input_stops_with_a_located_error(
    expected_path: Path, tmp_path: Path, reference: Reference
) -> None:
    """It stops on the bad file with an error naming the file and the line."""
    expected = load(expected_path)["error"]
    raw = tmp_path / "raw"
    raw.mkdir()
    name = expected_path.name.replace(".expected.yaml", ".txt")
    (raw / name).write_bytes((PROGRAMS / name).read_bytes())
    work = tmp_path / "work"
    with pytest.raises(RawInputError) as err:
        for source in discover_sources(raw, work):
            parse_source(source, RAW / "reference", work)
    assert err.value.path == name
    assert err.value.line == expected["line"]
    assert str(err.value).startswith(f"{name}:{expected['line']}" if expected["line"] else name)


def test_keynote_title_tba_keeps_the_bio(reference: Reference) -> None:
    """It keeps a "Title TBA" keynote with its speaker and the bio paragraph."""
    got = parse("keynote_title_tba.txt", reference)
    keynote = next(p for s in got.sessions for p in s.papers if p.kind == "keynote")
    assert keynote.title == "Title TBA"
    assert keynote.abstract is None and keynote.bio
