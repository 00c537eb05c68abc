"""Invariants of the program grammar, checked on generated and mutated inputs."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confdata.errors import RawInputError
from confdata.parse.authors.org_words import match_key
from confdata.parse.authors.usenix import parse_author_line
from confdata.parse.staging import program_frames
from confdata.parse.usenix.program import parse_program
from confdata.reference.data import Reference
from confdata.resolve.tables import core_tables
from schemas import validate_tables
from tests.conftest import NSDI26

LINES = NSDI26.read_text(encoding="utf-8").splitlines()
ORGS = [
    "University of California, Berkeley",
    "Hong Kong University of Science and Technology",
    "The Chinese University of Hong Kong, Shenzhen",
    "Stanford University",
    "Computer Network Information Center, Chinese Academy of Sciences",
    "Beijing University of Posts and Telecommunications",
    "Peking University",
    "UT Austin",
]
word = st.sampled_from(
    ["Ann", "Bo", "Cy", "Dana", "Eli", "Fay", "Gu", "Hao", "Işıl", "Dejan", "Kostić"]
)
surname = st.sampled_from(
    ["Lee", "Chen", "Wu", "Dillig", "Kostić", "Maguire", "Van Dyke", "O'Neil"]
)
name = st.builds(lambda a, b: f"{a} {b}", word, surname)
group = st.tuples(
    st.lists(name, min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from(ORGS), min_size=1, max_size=2, unique=True),
)
slow = settings(
    max_examples=int(__import__("os").environ.get("CONFDATA_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def render_names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f", and {names[-1]}"


@given(st.text())
def test_match_key_is_idempotent(text: str) -> None:
    """Normalizing an organization key twice changes nothing."""
    assert match_key(match_key(text)) == match_key(text)


@given(st.lists(group, min_size=1, max_size=4))
def test_author_line_round_trip(groups: list[tuple[list[str], list[str]]]) -> None:
    """It recovers every name and organization of a line written by the grammar."""
    from confdata.reference.data import build_reference
    from confdata.run import io
    from tests.conftest import RAW

    knowledge = build_reference(io.read_reference(RAW / "reference")).org_knowledge
    line = "; ".join(f"{render_names(n)}, {' and '.join(o)}" for n, o in groups)
    parsed = parse_author_line(line, knowledge)
    want = [(person, tuple(orgs)) for names, orgs in groups for person in names]
    assert [(a.name, a.affiliations) for a in parsed.authors] == want


def _mutate(data: st.DataObject) -> list[str]:
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["delete", "duplicate", "swap", "cut", "inject"]))
        i = data.draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "cut":
            lines = lines[: max(i, 1)]
        else:
            lines[i] = lines[i] + data.draw(st.sampled_from([";", ",", " and", "\u00a0", "–", ":"]))
        if not lines:
            lines = [""]
    return lines


@slow
@given(st.data())
def test_mutated_page_parses_or_fails_with_a_located_error(
    reference: Reference, data: st.DataObject
) -> None:
    """A damaged page either parses into valid tables or raises a located RawInputError."""
    text = "\n".join(_mutate(data))
    try:
        parse = parse_program(
            text,
            source_path="m.txt",
            rules=reference.program_rules,
            knowledge=reference.org_knowledge,
        )
    except RawInputError as err:
        assert err.path == "m.txt"
        return
    sources = pl.DataFrame(
        {
            "source_id": ["src_0000000000000000"],
            "path": ["m.txt"],
            "kind": ["program"],
            "sha256": ["0" * 64],
            "bytes": [len(text)],
            "lines": [len(text.splitlines())],
            "event": [parse.event],
        }
    )
    tables, _, _ = core_tables(
        program_frames(parse, "src_0000000000000000"),
        sources,
        reference.registry,
        reference.people_overrides,
    )
    report = validate_tables(tables)
    # Duplicated lines can repeat a whole program item; that is the one failure allowed.
    assert all(
        f.check.startswith(("field_uniqueness", "multiple_fields_uniqueness", "unique"))
        or "unique" in f.check
        for f in report.failures
    ), report.failures[:3]


@slow
@given(st.just(None))
def test_parsing_is_deterministic(reference: Reference, _: None) -> None:
    """It gives the same parse for the same text."""
    text = "\n".join(LINES)
    a = parse_program(
        text, source_path="x", rules=reference.program_rules, knowledge=reference.org_knowledge
    )
    b = parse_program(
        text, source_path="x", rules=reference.program_rules, knowledge=reference.org_knowledge
    )
    assert a == b
