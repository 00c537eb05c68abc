"""Property tests: the CV parser on damaged copies of the real CV.

Deleting or duplicating arbitrary lines is what page-by-page copying and PDF
conversion do to CVs. The parser must then either parse or raise RawInputError
(never any other exception), and give the same result every time.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confdata.errors import RawInputError
from confdata.parse.cv.reader import CvParse, looks_like_cv, parse_cv

ROOT = Path(__file__).resolve().parents[2]
LINES = (ROOT / "raw" / "alireza-farshin-cv.txt").read_text(encoding="utf-8").split("\n")

edits = st.lists(
    st.tuples(st.sampled_from(["delete", "duplicate"]), st.integers(min_value=0, max_value=10_000)),
    max_size=40,
)


def damaged(operations: list[tuple[str, int]]) -> str:
    lines = list(LINES)
    for operation, position in operations:
        if not lines:
            break
        index = position % len(lines)
        if operation == "delete":
            del lines[index]
        else:
            lines.insert(index, lines[index])
    return "\n".join(lines)


def parse_or_error(text: str) -> CvParse | RawInputError:
    try:
        return parse_cv(text, source_path="raw/alireza-farshin-cv.txt")
    except RawInputError as error:
        return error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_parse_raises_only_raw_input_error_and_is_deterministic(
    operations: list[tuple[str, int]],
) -> None:
    text = damaged(operations)
    first = parse_or_error(text)
    second = parse_or_error(text)
    if isinstance(first, RawInputError):
        assert isinstance(second, RawInputError)
        assert str(first) == str(second)
    else:
        assert first == second
        assert first.to_dict() == second.to_dict()


@settings(max_examples=100, deadline=None)
@given(edits)
def test_kind_detection_never_raises(operations: list[tuple[str, int]]) -> None:
    assert looks_like_cv(damaged(operations)) in (True, False)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_parse_of_arbitrary_text_raises_only_raw_input_error(text: str) -> None:
    parse_or_error(text)
