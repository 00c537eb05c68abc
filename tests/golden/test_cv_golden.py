"""Golden test: the full parse of the real CV equals the reviewed expectation.

The expected file was generated from the parser and then reviewed entry by entry
against raw/alireza-farshin-cv.txt. When the parser changes on purpose, regenerate
it with ``python -m tests.golden.test_cv_golden`` and review the diff by reading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from confdata.parse.cv.reader import parse_cv

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "raw/alireza-farshin-cv.txt"
EXPECTED = ROOT / "tests" / "golden" / "cv_alireza-farshin.expected.json"


def current_parse() -> dict[str, Any]:
    text = (ROOT / SOURCE).read_text(encoding="utf-8")
    return parse_cv(text, source_path=SOURCE).to_dict()


def render(parse: dict[str, Any]) -> str:
    return json.dumps(parse, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.golden
def test_cv_parse_matches_reviewed_golden() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    actual = current_parse()
    # Compare piece by piece first so a failure names the entry that changed.
    for want, got in zip(expected["publications"], actual["publications"], strict=False):
        assert got == want, f"publication {want['key']} differs"
    for want, got in zip(expected["positions"], actual["positions"], strict=False):
        assert got == want, f"position on line {want['source_line']} differs"
    assert actual == expected


if __name__ == "__main__":
    EXPECTED.write_text(render(current_parse()), encoding="utf-8")
