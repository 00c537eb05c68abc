"""Fuzzing both parsers with damaged copies of the real raw files.

Each example takes ``raw/nsdi26-technical-sessions.txt`` or
``raw/alireza-farshin-cv.txt`` and damages it: lines deleted, duplicated,
swapped or shuffled, the file cut short, hostile characters injected (control
characters, NUL, bidirectional marks, zero-width and line-separator characters,
stray ``;`` ``,`` ``:`` ``and``, markup, very long tokens). The damaged bytes go
through the pipeline's front (``decode_raw``, ``detect_kind``) and the parser,
and the decoded text also straight into the parser. The invariants:

* nothing but a :class:`RawInputError` escapes, and it names the file and a line
  of it (0 for the file as a whole);
* what parses still builds tables that pass their schemas (a duplicated line may
  repeat a whole item: duplicate keys are the one failure allowed then).

``CONFDATA_FUZZ_EXAMPLES`` raises the number of examples (default 12 per test).
"""

from __future__ import annotations

import functools
import os

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confdata.errors import RawInputError
from confdata.parse.cv.reader import parse_cv
from confdata.parse.raw_text import decode_raw, detect_kind
from confdata.parse.staging import cv_frames, program_frames
from confdata.parse.usenix.program import parse_program
from confdata.reference.data import Reference, build_reference
from confdata.resolve.tables import core_tables
from confdata.run import io
from confdata.run.steps import KIND_TESTS
from schemas import validate_tables
from tests.conftest import NSDI26, RAW

CV = RAW / "alireza-farshin-cv.txt"
PAGES = {
    "program": NSDI26.read_text(encoding="utf-8").split("\n"),
    "cv": CV.read_text(encoding="utf-8").split("\n"),
}
SOURCE_ID = "src_0000000000000000"

fuzz = settings(
    max_examples=int(os.environ.get("CONFDATA_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters and fragments that hostile or damaged files carry.
HOSTILE = [
    "\x00",  # NUL
    "\x01",
    "\x07",
    "\x08",
    "\x0b",  # vertical tab
    "\x0c",  # form feed (PDF page break)
    "\x1b[31m",  # terminal escape
    "\x7f",
    "\x85",  # NEL
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\u200b",  # zero-width space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\ufeff",  # byte-order mark inside the text
    "\u00a0",  # no-break space
    "\u0301",  # a combining accent with nothing before it
    "\t",
    "\r",
    ";",
    ",",
    ":",
    " and",
    "and ",
    " & ",
    "|",
    "*",
    "**",
    "[",
    "]",
    "(",
    ")",
    '"',
    "“",
    "<b>",
    "</i>",
    "[C1] ",
    "- ",
    "12. ",
    "Session Chair: ",
    "Available Media",
    "Monday, May 4",
    "10:30 am–12:10 pm",
    "Track 9",
    "Published in ",
]
long_token = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["x", " ", ",", "a ", "A. ", "*", "[a](", "Ann, ", "(", "-"]),
    st.sampled_from([200, 5_000, 12_000, 25_000]),
)


class Damaged:
    """A damaged copy of a raw file and what was done to it."""

    def __init__(self, data: bytes, ops: tuple[str, ...]) -> None:
        self.data = data
        self.ops = ops

    @property
    def repeats_lines(self) -> bool:
        """True when a line may now appear twice (so a whole item may repeat)."""
        return any(op.split("@")[0] in {"duplicate", "swap", "shuffle"} for op in self.ops)

    def __repr__(self) -> str:
        # The file itself is too long to print; the operations say how to rebuild it.
        return f"Damaged(ops={self.ops!r}, {len(self.data):,} bytes)"


@st.composite
def damaged(draw: st.DrawFn, kind: str, inject: bool) -> Damaged:
    """Draw a damaged copy of the real program page or CV.

    Args:
        draw: Hypothesis' draw function.
        kind: ``program`` or ``cv``.
        inject: Whether the damage is injected characters (else line edits).
    """
    lines = list(PAGES[kind])
    ops: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        if inject:
            op = draw(st.sampled_from(["inject", "inject", "inject", "long-token"]))
            piece = draw(st.sampled_from(HOSTILE)) if op == "inject" else draw(long_token)
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + piece + line[at:]
        else:
            op = draw(st.sampled_from(["delete", "duplicate", "swap", "cut", "shuffle"]))
            if op == "delete":
                del lines[i]
            elif op == "duplicate":
                lines.insert(i, lines[i])
            elif op == "swap":
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "cut":
                lines = lines[: max(i, 1)]
            else:
                window = lines[i : i + draw(st.integers(2, 12))]
                lines[i : i + len(window)] = draw(st.permutations(window))
        ops.append(f"{op}@{i + 1}" + (f":{piece[:20]!r}" if inject else ""))
        if not lines:
            lines = [""]
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    return Damaged(line_end.join(lines).encode("utf-8"), tuple(ops))


@functools.cache
def _reference() -> Reference:
    # Not the session fixture: Hypothesis would print it with every failing example.
    return build_reference(io.read_reference(RAW / "reference"))


def _assert_located(err: RawInputError, text: str) -> None:
    assert err.path == "fuzzed.txt", err
    assert 0 <= err.line <= text.count("\n") + 1, err
    assert len(str(err)) < 1_000, "an error quotes at most a short part of the file"


def _parse(kind: str, text: str, reference: Reference) -> dict[str, pl.DataFrame] | None:
    """Parse a text as the given kind; return its staging frames, None on RawInputError."""
    try:
        if kind == "program":
            program = parse_program(
                text,
                source_path="fuzzed.txt",
                rules=reference.program_rules,
                knowledge=reference.org_knowledge,
            )
            return program_frames(program, SOURCE_ID)
        cv = parse_cv(text, source_path="fuzzed.txt")
        return cv_frames(cv, SOURCE_ID, reference.program_rules.award_value)
    except RawInputError as err:
        _assert_located(err, text)
        return None


def _assert_valid(
    kind: str, frames: dict[str, pl.DataFrame], case: Damaged, ref: Reference
) -> None:
    sources = pl.DataFrame(
        {
            "source_id": [SOURCE_ID],
            "path": ["fuzzed.txt"],
            "kind": [kind],
            "sha256": ["0" * 64],
            "bytes": [len(case.data)],
            "lines": [case.data.count(b"\n") + 1],
            "event": ["NSDI '26" if kind == "program" else None],
        },
        schema_overrides={"event": pl.Utf8},
    )
    tables, _, _ = core_tables(frames, sources, ref.registry, ref.people_overrides)
    report = validate_tables(tables)
    # A repeated item, or a damaged day header that folds two days into one, repeats
    # program items; validation then refuses to publish, naming the rows. That refusal is
    # the expected outcome, so uniqueness failures on sessions are allowed here.
    failures = [
        f
        for f in report.failures
        if not ("unique" in f.check and (case.repeats_lines or f.table == "sessions"))
    ]
    assert not failures, (case.ops, failures[:3])


def _check(kind: str, case: Damaged, reference: Reference) -> None:
    """Run a damaged file through the pipeline's front and the parser; check the invariants."""
    try:
        text = decode_raw(case.data, path="fuzzed.txt")
        detected = detect_kind(text, path="fuzzed.txt", tests=KIND_TESTS)
    except RawInputError as err:
        _assert_located(err, case.data.decode("utf-8", "replace"))
        detected = None
    if detected is not None:
        frames = _parse(detected, text, reference)
        if frames is not None:
            _assert_valid(detected, frames, case, reference)
    # The parser on its own, without the checks of decode_raw, must hold up too.
    raw_text = case.data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    _parse(kind, raw_text, reference)


@fuzz
@given(case=damaged("program", inject=False))
def test_program_with_moved_lines_parses_or_fails_located(case: Damaged) -> None:
    """A program page with lines deleted, duplicated, swapped, shuffled or cut holds up."""
    _check("program", case, _reference())


@fuzz
@given(case=damaged("program", inject=True))
def test_program_with_hostile_characters_parses_or_fails_located(case: Damaged) -> None:
    """A program page with control characters, marks, stray punctuation or long tokens holds up."""
    _check("program", case, _reference())


@fuzz
@given(case=damaged("cv", inject=False))
def test_cv_with_moved_lines_parses_or_fails_located(case: Damaged) -> None:
    """A CV with lines deleted, duplicated, swapped, shuffled or cut holds up."""
    _check("cv", case, _reference())


@fuzz
@given(case=damaged("cv", inject=True))
def test_cv_with_hostile_characters_parses_or_fails_located(case: Damaged) -> None:
    """A CV with control characters, marks, stray punctuation or long tokens holds up."""
    _check("cv", case, _reference())


def test_program_cut_at_every_line_parses_or_fails_located() -> None:
    """The NSDI '26 page cut after each of its lines parses into valid tables or fails located.

    Every cut is checked; a cut that ends in blank lines reads exactly like the
    cut before those lines (the parser skips blank lines), so each distinct cut
    is parsed once (about 900 parses). The tables of one parsed cut in 60, and
    of the whole page, are built and validated.
    """
    lines, ref = PAGES["program"], _reference()
    parsed: list[tuple[int, dict[str, pl.DataFrame]]] = []
    failed = 0
    for cut in range(1, len(lines) + 1):
        if cut > 1 and not lines[cut - 1].strip():
            continue  # the same content as cut - 1
        text = "\n".join(lines[:cut])
        try:
            program = parse_program(
                text, source_path="cut.txt", rules=ref.program_rules, knowledge=ref.org_knowledge
            )
        except RawInputError as err:
            assert err.path == "cut.txt" and 0 <= err.line <= cut, (cut, err)
            failed += 1
            continue
        if len(parsed) % 60 == 0 or cut == len(lines):
            parsed.append((cut, program_frames(program, SOURCE_ID)))
        else:
            parsed.append((cut, {}))
    assert failed and parsed[-1][0] == len(lines)  # the whole page parses; some cuts do not
    for cut, frames in parsed:
        if frames:
            _assert_valid("program", frames, Damaged(b"\n" * cut, (f"cut@{cut}",)), ref)
