"""Invariants of work identity: order does not matter, and it is idempotent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from confdata.resolve.works import Listing, assign_works, work_title_key

listings = st.lists(
    st.builds(
        Listing,
        listing_id=st.uuids().map(str),
        title=st.sampled_from(["A", "a!", "B", "Title TBA"]),
        year=st.sampled_from([None, 2020, 2021]),
        kind=st.sampled_from(["conference", "keynote", "research"]),
        venue=st.sampled_from([None, "NSDI '26", "ATC '19"]),
        authors=st.lists(st.sampled_from(["Ann Lee", "Bo Chen", "Cy Wu"]), max_size=2).map(tuple),
    ),
    max_size=12,
    unique_by=lambda x: x.listing_id,
)


@given(listings, st.randoms(use_true_random=False))
def test_assignment_is_invariant_to_order(rows: list[Listing], rnd: object) -> None:
    """Shuffling the listings changes no paper ID."""
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert assign_works(rows) == assign_works(shuffled)


@given(listings)
def test_every_listing_gets_exactly_one_work(rows: list[Listing]) -> None:
    """Each listing is assigned one paper ID, and listings of one work share a title key."""
    ids = assign_works(rows)
    assert set(ids) == {r.listing_id for r in rows}
    by_work: dict[str, set[str]] = {}
    for r in rows:
        by_work.setdefault(ids[r.listing_id], set()).add(work_title_key(r.title))
    assert all(len(keys) == 1 for keys in by_work.values())


@given(st.text())
def test_title_key_is_idempotent(text: str) -> None:
    """Normalizing a title twice changes nothing."""
    assert work_title_key(work_title_key(text)) == work_title_key(text)
