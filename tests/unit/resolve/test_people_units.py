"""Pooling mentions into units (confdata.resolve.people.units): linear work, the same decisions."""

from __future__ import annotations

import json
import random

import polars as pl

from confdata.resolve.people.evidence import PAIRWISE_BLOCK_LIMIT, _compare, _Unit
from confdata.resolve.people.ids import canonical_ranks
from confdata.resolve.people.resolution import ResolutionSettings, mention_sort_key, resolve_people
from confdata.resolve.people.units import pool_mentions
from tests.unit.resolve.test_people import frame, mention


def _single(row: dict[str, object], key: str) -> _Unit:
    """The unit a mention would be if nothing were pooled (what the old pairwise code compared)."""
    return _Unit(
        rep=str(row["mention_id"]),
        sources=frozenset({str(row["source_id"])}),
        listings=frozenset({f"{row['source_id']}\x1f{row['paper_id']}"})
        if row["paper_id"] is not None
        else frozenset(),
        papers=frozenset({str(row["paper_id"])}) if row["paper_id"] is not None else frozenset(),
        orgs=frozenset(row["org_ids"]),  # type: ignore[arg-type]
        ancestry=frozenset([*row["org_ids"], *row["org_ancestor_ids"]]),  # type: ignore[misc]
        coauthors=frozenset(row["coauthor_keys"]) - {key},  # type: ignore[arg-type]
        key=key,
    )


def _recurring_person(copies: int) -> pl.DataFrame:
    """One person printed with the same organization in many programs, with co-authors."""
    rows = [
        mention(
            f"p{i:04d}.txt:{10 + i}:1",
            "Dejan Kostić" if i % 3 else "Dejan Kostic",
            source=f"s{i}",
            orgs=("kth",),
            coauthors=("marco chiesa",) if i % 2 else ("alireza farshin", "marco chiesa"),
        )
        for i in range(copies)
    ]
    return frame(*rows)


def test_a_recurring_person_is_one_unit_and_one_star_per_other_mention() -> None:
    """A thousand mentions with the same organization cost one unit, not half a million pairs."""
    mentions = _recurring_person(1000)
    pooled = pool_mentions(mentions, ResolutionSettings())
    assert len(pooled.units) == 1
    assert pooled.stars.height == 999
    result = resolve_people(mentions)
    assert result.assignments["person_key"].n_unique() == 1
    assert result.links.height == 999
    assert result.links["merged"].all()


def _assert_stars_compare_as_pairs(settings: ResolutionSettings, *, without_shared: bool) -> None:
    """Check every star link of a recurring person against a pairwise comparison."""
    mentions = _recurring_person(12)
    rows = {r["mention_id"]: r for r in mentions.iter_rows(named=True)}
    stars = pool_mentions(mentions, settings).stars
    assert stars.height == 11
    for star in stars.iter_rows(named=True):
        left, right = rows[star["left"]], rows[star["right"]]
        key = "dejan kostic"
        expected = _compare(key, _single(left, key), _single(right, key), settings)
        assert (star["rule"], star["score"]) == (expected.rule, expected.score)
        if without_shared:
            expected.features.pop("shared_coauthors", None)
        assert star["features"] == json.dumps(expected.features, sort_keys=True, ensure_ascii=False)


def test_star_links_record_what_a_pairwise_comparison_records() -> None:
    """Each star link's rule, score and features are those of comparing the two mentions.

    Except the shared co-authors, which a link of an organization profile leaves
    out while they cannot matter (shared_org_score 1); see the next test.
    """
    _assert_stars_compare_as_pairs(ResolutionSettings(), without_shared=True)


def test_with_a_weaker_organization_score_star_links_count_the_shared_co_authors() -> None:
    """Below 1, the co-authors raise a star's score, so they are counted and listed."""
    _assert_stars_compare_as_pairs(ResolutionSettings(shared_org_score=0.8), without_shared=False)


def test_json_of_stars_escapes_like_json_dumps() -> None:
    """Quotes and backslashes in co-author keys are escaped as json.dumps escapes them."""
    odd = 'o"brien \\ x'
    rows = [
        mention(
            f"p.txt:{i}:1", "Ann Lee", source="s", paper=f"pap{i}", orgs=("kth",), coauthors=(odd,)
        )
        for i in (1, 2)
    ]
    star = pool_mentions(frame(*rows), ResolutionSettings(shared_org_score=0.9)).stars.row(
        0, named=True
    )
    assert json.loads(star["features"])["shared_coauthors"] == [odd]


def test_two_namesakes_on_one_author_list_are_never_pooled() -> None:
    """Same name and organization twice on one paper: two people, even among recurring mentions."""
    rows = [
        mention("p.txt:5:1", "Wei Wang", paper="pap1", orgs=("kth",)),
        mention("p.txt:5:2", "Wei Wang", paper="pap1", orgs=("kth",)),
        mention("q.txt:7:1", "Wei Wang", source="q", paper="pap2", orgs=("kth",)),
    ]
    result = resolve_people(frame(*rows))
    person = dict(result.assignments.select("mention_id", "person_key").iter_rows())
    assert person["p.txt:5:1"] != person["p.txt:5:2"]
    assert person["q.txt:7:1"] == person["p.txt:5:1"]  # it joins the first of the two


def test_no_pooling_when_a_shared_organization_alone_would_not_merge() -> None:
    """With shared_org_score below the threshold, mentions are compared one by one."""
    settings = ResolutionSettings(shared_org_score=0.5, merge_threshold=0.6, coauthor_score=0.0)
    mentions = _recurring_person(5)
    assert len(pool_mentions(mentions, settings).units) == 5
    assert resolve_people(mentions, settings=settings).assignments["person_key"].n_unique() == 5


def test_canonical_ranks_follow_mention_sort_key() -> None:
    """The column-wise ranks order mention ids exactly as mention_sort_key does."""
    rng = random.Random(7)
    paths = ["a", "a1", "a10", "a2", "ab", "p01.txt", "p1.txt", "x y.txt", "a:b", "b-2"]
    ids = sorted(
        {
            f"{rng.choice(paths)}:{rng.randint(1, 300)}:"
            + rng.choice([str(rng.randint(1, 30)), f"chair{rng.randint(1, 5)}", "owner"])
            for _ in range(2000)
        }
    )
    rng.shuffle(ids)
    ranks = canonical_ranks(pl.Series(ids)).to_list()
    assert [i for _, i in sorted(zip(ranks, ids, strict=True))] == sorted(ids, key=mention_sort_key)
    other = ["m10", "m9", "x"]  # not <path>:<line>:<position>: the slow path
    assert canonical_ranks(pl.Series(other)).to_list() == [1, 0, 2]


def test_test_of_time_authors_without_organizations_pool_by_their_co_authors() -> None:
    """The same paper's authors printed without organizations in every program: one unit each."""
    rows = [
        mention(
            f"p{i:03d}.txt:232:{pos}",
            name,
            source=f"s{i}",
            paper="pap_tot",
            coauthors=tuple(n.lower() for n in ("Ben Pfaff", "Justin Pettit") if n != name),
        )
        for i in range(50)
        for pos, name in ((1, "Ben Pfaff"), (2, "Justin Pettit"))
    ]
    mentions = frame(*rows)
    settings = ResolutionSettings()
    pooled = pool_mentions(mentions, settings)
    assert len(pooled.units) == 2
    by_id = {r["mention_id"]: r for r in mentions.iter_rows(named=True)}
    for star in pooled.stars.iter_rows(named=True):
        key = "ben pfaff" if "Ben" in by_id[star["left"]]["name_as_printed"] else "justin pettit"
        left, right = _single(by_id[star["left"]], key), _single(by_id[star["right"]], key)
        expected = _compare(key, left, right, settings)
        assert (star["rule"], star["score"]) == (expected.rule, expected.score)
        assert star["features"] == json.dumps(expected.features, sort_keys=True, ensure_ascii=False)
    assert resolve_people(mentions).assignments["person_key"].n_unique() == 2


def _unaffiliated(copies: int) -> list[dict[str, object]]:
    """A name printed without organization in many programs, each time with other co-authors."""
    return [
        mention(
            f"p{i:04d}.txt:{10 + i}:1",
            "Shangguang Wang",
            source=f"s{i}",
            coauthors=("shuai wang", f"co-author {i}"),
        )
        for i in range(copies)
    ]


def test_a_large_block_is_compared_with_clusters_not_every_pair() -> None:
    """Hundreds of units of one name cost one link each, not one per pair, and still merge."""
    mentions = frame(*_unaffiliated(400))
    assert len(pool_mentions(mentions, ResolutionSettings()).units) == 400
    result = resolve_people(mentions)
    assert result.assignments["person_key"].n_unique() == 1
    assert result.links.height == 399
    assert result.links["rule"].unique().to_list() == ["same-key+shared-coauthor"]


def test_a_large_block_keeps_contradicting_namesakes_apart_and_reports_them() -> None:
    """Two people of one name in one program with unrelated organizations stay two people."""
    rows = _unaffiliated(40)
    rows.append(mention("p0000.txt:900:1", "Shangguang Wang", source="s0", orgs=("meta",)))
    rows.append(mention("p0000.txt:901:1", "Shangguang Wang", source="s0", orgs=("kth",)))
    result = resolve_people(frame(*rows))
    person = dict(result.assignments.select("mention_id", "person_key").iter_rows())
    assert person["p0000.txt:900:1"] != person["p0000.txt:901:1"]
    assert result.possible_homonyms.height >= 1


def test_a_large_block_joins_clusters_connected_by_a_later_unit() -> None:
    """A and B are connected only through C, met after both: as pairwise comparison does,
    the greedy resolution of a large block ends with one person (it kept two before)."""
    rows = [
        mention("a.txt:1:1", "Ke Sun", source="sa", orgs=("kth",)),
        mention("b.txt:1:1", "Ke Sun", source="sb", orgs=("meta",)),
        # Printed with both organizations (on another paper): the link between A and B.
        mention("c.txt:1:1", "Ke Sun", source="sc", orgs=("kth", "meta")),
    ]
    small = resolve_people(frame(*rows))
    assert small.assignments["person_key"].n_unique() == 1
    padding = [
        mention(f"p.txt:{i + 1}:1", "Ke Sun", source=f"s{i}", coauthors=(f"pad {i}",))
        for i in range(PAIRWISE_BLOCK_LIMIT)
    ]
    large = resolve_people(frame(*rows, *padding))
    person = dict(large.assignments.select("mention_id", "person_key").iter_rows())
    assert person["a.txt:1:1"] == person["b.txt:1:1"] == person["c.txt:1:1"]
    assert len(set(person.values())) == PAIRWISE_BLOCK_LIMIT + 1
