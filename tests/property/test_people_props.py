"""Property tests for confdata.normalize.names and confdata.resolve.people.resolution.

Inputs are drawn from small pools (names with printing variants, a few
organizations with ancestors, sources, papers and co-authors) so that blocks
are large and collisions frequent: that is where order and transitivity bugs
live.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from confdata.normalize.names import name_key
from confdata.resolve.people.resolution import (
    MENTION_COLUMNS,
    ROLES,
    OverridePair,
    Overrides,
    PersonRef,
    resolve_people,
    stable_person_id,
)

ANCESTORS = {
    "meta": (),
    "microsoft": (),
    "microsoft-research": ("microsoft",),
    "microsoft-azure": ("microsoft",),
    "kth": (),
    "umich": (),
}
NAMES = [
    "Xin Liu",
    "XIN  LIU",
    "Xin Liu Jr.",
    "Işıl Dillig",
    "Isil Dillig",
    "P. Brighten Godfrey",
    "Brighten Godfrey",
    "Ke Sun",
    "Dejan Kostić",
    "Kostic, Dejan",
]
COAUTHORS = ["bo li", "xin liu", "marco chiesa", "yu wu", "ke sun"]

_NAME_PIECES = st.sampled_from(
    [
        *NAMES,
        "Jr.",
        "III",
        "(Zain)",
        '"Zed"',
        ",",
        ".",
        "-",
        "'",
        "van",
        "de",
        "Ø",
        "ı",
        "İ",
        "ß",
        "ǰ",
        "ﬁ",
        "\u0301",
        "\u00a0",
        "清华",
        "A.",
        "Q",
    ]
)
NAME_LIKE = st.one_of(st.text(max_size=30), st.lists(_NAME_PIECES, max_size=6).map(" ".join))


@st.composite
def mention_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    count = draw(st.integers(min_value=0, max_value=14))
    rows = []
    for index in range(count):
        source = draw(st.sampled_from(["a", "b", "cv"]))
        orgs = draw(st.lists(st.sampled_from(sorted(ANCESTORS)), max_size=2, unique=True))
        rows.append(
            {
                "mention_id": f"{source}:{index}:{draw(st.integers(1, 3))}",
                "name_as_printed": draw(st.sampled_from(NAMES)),
                "role": draw(st.sampled_from(sorted(ROLES))),
                "source_id": source,
                "paper_id": draw(st.sampled_from([None, "p1", "p2", "p3"])),
                "org_ids": orgs,
                "org_ancestor_ids": sorted({a for o in orgs for a in (o, *ANCESTORS[o])}),
                "coauthor_keys": draw(
                    st.lists(st.sampled_from(COAUTHORS), max_size=3, unique=True)
                ),
            }
        )
    return rows


def frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict(MENTION_COLUMNS))


@given(NAME_LIKE)
@settings(max_examples=500)
def test_name_key_is_idempotent(name: str) -> None:
    """Normalizing a key again never changes it."""
    key = name_key(name)
    assert name_key(key) == key
    assert key == " ".join(key.split())


@given(mention_rows(), st.data())
@settings(max_examples=150, deadline=None)
def test_resolution_does_not_depend_on_row_order(
    rows: list[dict[str, object]], data: st.DataObject
) -> None:
    """Any permutation of the input rows gives identical output frames."""
    order = data.draw(st.permutations(range(len(rows))))
    a = resolve_people(frame(rows))
    b = resolve_people(frame([rows[i] for i in order]))
    for name in ("assignments", "links", "possible_homonyms"):
        assert getattr(a, name).equals(getattr(b, name)), name


@given(mention_rows())
@settings(max_examples=150, deadline=None)
def test_every_mention_is_in_exactly_one_cluster(rows: list[dict[str, object]]) -> None:
    """Assignments cover each input mention once; each person key names its own cluster."""
    result = resolve_people(frame(rows))
    ids = [r["mention_id"] for r in rows]
    assert sorted(result.assignments["mention_id"]) == sorted(ids)
    clusters = result.clusters()
    assert sum(len(v) for v in clusters.values()) == len(ids)
    for person_key, members in clusters.items():
        assert person_key == stable_person_id(members)
    merged = result.links.filter(pl.col("merged"))
    person = dict(result.assignments.select("mention_id", "person_key").rows())
    for left, right in merged.select("left", "right").rows():
        assert person[left] == person[right]


@given(mention_rows())
@settings(max_examples=100, deadline=None)
def test_running_twice_gives_the_same_ids(rows: list[dict[str, object]]) -> None:
    """The resolver is deterministic: same input, same person ids and evidence."""
    a, b = resolve_people(frame(rows)), resolve_people(frame(rows))
    assert a.assignments.equals(b.assignments)
    assert a.links.equals(b.links)


@given(
    mention_rows(),
    st.sampled_from(NAMES),
    st.sampled_from(sorted(ANCESTORS)),
    st.sampled_from(sorted(ANCESTORS)),
)
@settings(max_examples=150, deadline=None)
def test_cannot_link_always_splits(
    rows: list[dict[str, object]], name: str, org_a: str, org_b: str
) -> None:
    """No cluster holds mentions of both sides of an applied cannot-link override."""
    pair = OverridePair(PersonRef(name, org_a), PersonRef(name, org_b), "property")
    result = resolve_people(frame(rows), Overrides(cannot_link=(pair,)))
    person = dict(result.assignments.select("mention_id", "person_key").rows())
    for row in result.overrides_applied.iter_rows(named=True):
        a_people = {person[m] for m in row["a_mentions"]}
        b_people = {person[m] for m in row["b_mentions"]}
        assert not a_people & b_people
