"""Fuzzing the reference files: a damaged one is a located error, never a traceback.

Each example takes one of ``raw/reference/*.yaml`` and damages it (lines deleted,
duplicated, swapped or re-indented, the file cut short, hostile characters or
YAML punctuation injected). Building the reference data from it either works
or raises a :class:`RawInputError` that names the file and a line of it (0 for
the file as a whole); no other exception escapes (issue 11: an empty or
wrongly shaped file ended in a traceback).

``CONFDATA_FUZZ_EXAMPLES`` raises the number of examples (default 12 per test).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confdata.errors import RawInputError, problems_of
from confdata.reference.data import build_reference
from confdata.run import io
from tests.conftest import RAW

TEXTS = io.read_reference(RAW / "reference")
NAMES = sorted(TEXTS)

fuzz = settings(
    max_examples=int(os.environ.get("CONFDATA_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces that break YAML or change what a value is.
PIECES = [":", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object ", "---\n", "? ",
          "|", ">", "'", '"', "#", "\t", "\x00", "\x07", "\ufeff", "null", "~", "yes", "12",
          "  ", "\n  - x", "\n"]  # fmt: skip


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, str]:
    """Return a reference file's name and a damaged copy of its text."""
    name = draw(st.sampled_from(NAMES))
    lines = TEXTS[name].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "cut", "inject"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "    "])) + lines[i].lstrip()
        elif op == "cut":
            lines = lines[: max(i, 1)]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        else:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(PIECES)) + lines[i][at:]
        if not lines:
            lines = [""]
    return name, "\n".join(lines)


@fuzz
@given(case=damaged())
def test_a_damaged_reference_file_builds_or_fails_located(case: tuple[str, str]) -> None:
    name, text = case
    try:
        build_reference({**TEXTS, name: text})
    except RawInputError as err:
        for problem in problems_of(err):
            assert problem.path == name, problem
            assert 0 <= problem.line <= text.count("\n") + 1, problem
            assert len(str(problem)) < 1_000, "a problem quotes at most a short part of the file"
