"""Unit tests for confdata.resolve.people.resolution: each test is a tiny input showing one case of the policy."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from confdata.resolve.people.resolution import (
    MENTION_COLUMNS,
    OverridePair,
    Overrides,
    PersonRef,
    ResolutionSettings,
    mention_sort_key,
    parse_overrides,
    redirects,
    resolve_people,
    stable_person_id,
)

# A tiny registry in the shape the caller passes: org -> its ancestors (nearest first).
ANCESTORS = {
    "microsoft": (),
    "microsoft-research": ("microsoft",),
    "microsoft-azure": ("microsoft",),
    "meta": (),
    "kth": (),
    "umich": (),
    "alibaba-cloud": ("alibaba-group",),
    "alibaba-group": (),
}


def mention(
    mention_id: str,
    name: str,
    *,
    role: str = "author",
    source: str = "prog",
    paper: str | None = None,
    orgs: tuple[str, ...] = (),
    coauthors: tuple[str, ...] = (),
) -> dict[str, object]:
    ancestry = sorted({a for o in orgs for a in (o, *ANCESTORS[o])})
    return {
        "mention_id": mention_id,
        "name_as_printed": name,
        "role": role,
        "source_id": source,
        "paper_id": paper
        if paper is not None
        else (None if role.endswith("chair") else mention_id),
        "org_ids": list(orgs),
        "org_ancestor_ids": ancestry,
        "coauthor_keys": list(coauthors),
    }


def frame(*rows: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=dict(MENTION_COLUMNS))


def same(result, a: str, b: str) -> bool:  # type: ignore[no-untyped-def]
    person = dict(result.assignments.select("mention_id", "person_key").rows())
    return person[a] == person[b]


def rules(result) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    return list(result.links.select("rule", "merged").rows())


# --------------------------------------------------------------------------- evidence


def test_shared_org_merges_same_key() -> None:
    """Two mentions with the same key and the same organization are one person."""
    r = resolve_people(
        frame(
            mention("p:1:1", "Xin Jin", orgs=("meta",)), mention("p:2:1", "Xin Jin", orgs=("meta",))
        )
    )
    assert same(r, "p:1:1", "p:2:1")
    assert rules(r) == [("same-key+shared-org", True)]
    assert r.possible_homonyms.is_empty()


def test_org_parent_merges() -> None:
    """An organization and its registry ancestor ("Microsoft Research" / "Microsoft") merge."""
    r = resolve_people(
        frame(
            mention("p:1:1", "Behnaz Arzani", orgs=("microsoft-research",)),
            mention("p:2:chair1", "Behnaz Arzani", role="session_chair", orgs=("microsoft",)),
        )
    )
    assert same(r, "p:1:1", "p:2:chair1")
    assert rules(r) == [("same-key+org-parent", True)]


def test_sibling_orgs_merge_by_default_and_not_when_scored_low() -> None:
    """Two units of one organization merge by default; a low sibling score turns that off."""
    rows = frame(
        mention("p:1:1", "Rodrigo Fonseca", orgs=("microsoft-azure",)),
        mention(
            "p:2:chair1", "Rodrigo Fonseca", role="session_chair", orgs=("microsoft-research",)
        ),
    )
    assert same(resolve_people(rows), "p:1:1", "p:2:chair1")
    strict = resolve_people(rows, settings=ResolutionSettings(org_sibling_score=0.5))
    assert not same(strict, "p:1:1", "p:2:chair1")
    assert rules(strict) == [("same-key+org-sibling", False)]
    assert strict.possible_homonyms["reason"][0].startswith("thin evidence: best score 0.5")


def test_same_key_without_evidence_is_kept_apart_as_possible_homonym() -> None:
    """Same key, one mention without organization, no co-author: thin evidence, kept apart."""
    r = resolve_people(
        frame(mention("p:1:1", "Rui Ning", orgs=("kth",)), mention("p:2:1", "Rui Ning"))
    )
    assert not same(r, "p:1:1", "p:2:1")
    assert rules(r) == [("same-key+no-evidence", False)]
    homonyms = r.possible_homonyms.to_dicts()
    assert len(homonyms) == 1
    assert homonyms[0]["left_mentions"] == ["p:1:1"]
    assert homonyms[0]["rule"] == "same-key+no-evidence"
    assert homonyms[0]["reason"].startswith("thin evidence")


def test_disjoint_orgs_in_one_source_contradict() -> None:
    """Same key, unrelated organizations in the same program: two people (conflicting-orgs)."""
    r = resolve_people(
        frame(
            mention("p:1:1", "Ke Sun", orgs=("umich",)),
            mention("p:2:1", "Ke Sun", orgs=("alibaba-cloud",)),
        )
    )
    assert not same(r, "p:1:1", "p:2:1")
    assert rules(r) == [("conflicting-orgs", False)]
    assert r.possible_homonyms["reason"][0] == (
        "same source, disjoint organizations ['umich'] vs ['alibaba-cloud']"
    )


def test_disjoint_orgs_across_sources_are_no_contradiction_only_no_evidence() -> None:
    """People move: unrelated organizations in two different sources are merely no evidence."""
    r = resolve_people(
        frame(
            mention("a:1:1", "Ke Sun", source="a", orgs=("umich",)),
            mention("b:1:1", "Ke Sun", source="b", orgs=("alibaba-cloud",), coauthors=("wei li",)),
            mention("c:1:1", "Ke Sun", source="c", orgs=("meta",), coauthors=("wei li",)),
        )
    )
    assert not same(r, "a:1:1", "b:1:1")
    assert same(r, "b:1:1", "c:1:1")  # one shared co-author across sources is enough
    assert ("same-key+no-evidence", False) in rules(r)
    assert ("same-key+shared-coauthor", True) in rules(r)


def test_enough_shared_coauthors_outweigh_a_contradiction() -> None:
    """Disjoint organizations in one source merge only with two or more shared co-authors."""
    one = resolve_people(
        frame(
            mention("p:1:1", "Jialong Li", orgs=("kth",), coauthors=("yiting xia",)),
            mention("p:2:1", "Jialong Li", orgs=("meta",), coauthors=("yiting xia",)),
        )
    )
    assert not same(one, "p:1:1", "p:2:1")
    assert "only 1 shared co-author(s)" in one.possible_homonyms["reason"][0]
    two = resolve_people(
        frame(
            mention("p:1:1", "Jialong Li", orgs=("kth",), coauthors=("yiting xia", "raj joshi")),
            mention("p:2:1", "Jialong Li", orgs=("meta",), coauthors=("yiting xia", "raj joshi")),
        )
    )
    assert same(two, "p:1:1", "p:2:1")
    assert rules(two) == [("same-key+shared-coauthor", True)]


def test_cv_coauthor_joins_program_author_through_a_shared_coauthor() -> None:
    """A CV co-author (no organization) and a program author merge when they share a co-author."""
    r = resolve_people(
        frame(
            mention(
                "cv:45:5",
                "Dejan Kostić",
                role="cv_author",
                source="cv",
                coauthors=("marco chiesa",),
            ),
            mention(
                "cv:49:5",
                "Dejan Kostić",
                role="cv_author",
                source="cv",
                coauthors=("tom barbette",),
            ),
            mention("p:1598:4", "Dejan Kostić", orgs=("kth",), coauthors=("marco chiesa",)),
        )
    )
    assert same(r, "cv:45:5", "p:1598:4") and same(r, "cv:49:5", "p:1598:4")
    links = r.links.to_dicts()
    assert [(x["left"], x["right"], x["rule"]) for x in links] == [
        ("cv:45:5", "cv:49:5", "same-key+same-source-role"),
        ("cv:45:5", "p:1598:4", "same-key+shared-coauthor"),
    ]
    assert json.loads(links[1]["features"])["shared_coauthors"] == ["marco chiesa"]


def test_cv_owner_and_own_coauthor_mentions_are_one_person() -> None:
    """In one CV, the owner and every co-author mention with the owner's key are one person."""
    r = resolve_people(
        frame(
            mention("cv:3:owner", "Alireza Farshin", role="cv_owner", source="cv", paper=""),
            mention("cv:45:2", "Alireza Farshin", role="cv_author", source="cv"),
            mention("cv:92:2", "Alireza Farshin", role="cv_author", source="cv"),
            mention("cv2:10:1", "Alireza Farshin", role="cv_author", source="cv2"),
        )
    )
    assert same(r, "cv:3:owner", "cv:45:2") and same(r, "cv:3:owner", "cv:92:2")
    assert not same(r, "cv:3:owner", "cv2:10:1")  # another CV is another source: evidence needed


def test_contradiction_is_not_bridged_by_transitivity() -> None:
    """A-B and B-C are accepted but A-C contradict: C stays apart rather than joining A."""
    r = resolve_people(
        frame(
            mention("p:1:1", "Xin Liu", orgs=("meta",), coauthors=("bo li",)),
            mention("p:2:1", "Xin Liu", orgs=("meta",)),
            mention(
                "q:1:1",
                "Xin Liu",
                role="cv_author",
                source="q",
                paper="x",
                coauthors=("bo li", "yu wu"),
            ),
            mention("p:3:1", "Xin Liu", orgs=("microsoft",), coauthors=("yu wu",)),
        )
    )
    clusters = sorted(sorted(v) for v in r.clusters().values())
    assert len(clusters) == 2
    assert not same(r, "p:1:1", "p:3:1")
    blocked = [x for x in r.links.to_dicts() if "blocked_by" in json.loads(x["features"])]
    assert len(blocked) == 1 and not blocked[0]["merged"]


def test_two_authors_with_one_name_on_one_paper_are_two_people() -> None:
    """Mentions on the same author list of one source are never merged, nor listed as homonyms."""
    r = resolve_people(
        frame(
            mention("p:1:1", "Wei Wang", paper="x", orgs=("kth",)),
            mention("p:1:2", "Wei Wang", paper="x", orgs=("kth",)),
        )
    )
    assert not same(r, "p:1:1", "p:1:2")
    assert rules(r) == [("same-author-list", False)]
    assert r.possible_homonyms.is_empty()


def test_same_work_in_two_sources_merges() -> None:
    """The same paper listed by a program and a CV joins its same-key authors."""
    r = resolve_people(
        frame(
            mention("cv:48:1", "Hamid Ghasemirahni", role="cv_author", source="cv", paper="pap_1"),
            mention("p:9:1", "Hamid Ghasemirahni", paper="pap_1", orgs=("kth",)),
        )
    )
    assert same(r, "cv:48:1", "p:9:1")
    assert rules(r) == [("same-key+same-paper", True)]


def test_own_key_is_not_a_shared_coauthor() -> None:
    """A co-author with the person's own key is not evidence (it is the person's name)."""
    r = resolve_people(
        frame(
            mention("a:1:1", "Li Chen", source="a", coauthors=("li chen",)),
            mention("b:1:1", "Li Chen", source="b", coauthors=("li chen",)),
        )
    )
    assert not same(r, "a:1:1", "b:1:1")


# --------------------------------------------------------------------------- overrides


def test_cannot_link_override_splits_what_evidence_would_merge() -> None:
    """A cannot-link always splits, and the applied override reports the links it blocked."""
    rows = frame(
        mention("p:1:1", "Ying Zhang", orgs=("meta",)),
        mention("p:2:1", "Ying Zhang", orgs=("meta",)),
    )
    overrides = Overrides(
        cannot_link=(
            OverridePair(PersonRef("Ying Zhang", None), PersonRef("Ying Zhang", None), "test"),
        )
    )
    overlapping = resolve_people(rows, overrides)
    assert overlapping.overrides_unmatched["effect"].to_list() == [
        "the two sides match the same mentions"
    ]
    text = """
version: 1
cannot_link:
  - a: {name: Ying Zhang, org: meta}
    b: Wei Wang
    reason: unmatched on purpose
"""
    assert resolve_people(rows, parse_overrides(text)).overrides_unmatched["effect"].to_list() == [
        "side b matched no mention"
    ]


def test_cannot_link_between_qualified_sides_blocks_the_merge() -> None:
    """A cannot-link between two qualified sides keeps them apart despite shared co-authors."""
    rows = frame(
        mention("a:1:1", "Ying Zhang", source="a", orgs=("meta",), coauthors=("bo li",)),
        mention("b:1:1", "Ying Zhang", source="b", orgs=("kth",), coauthors=("bo li",)),
    )
    assert same(resolve_people(rows), "a:1:1", "b:1:1")
    overrides = parse_overrides(
        """
version: 1
cannot_link:
  - a: {name: Ying Zhang, org: meta}
    b: {name: Ying Zhang, org: kth}
    reason: different people per their pages
"""
    )
    r = resolve_people(rows, overrides)
    assert not same(r, "a:1:1", "b:1:1")
    assert r.overrides_applied["effect"].to_list() == ["blocked 1 link(s)"]
    assert ("override-cannot-link", False) in rules(r)
    assert r.possible_homonyms.is_empty()  # a curated decision is not a possible homonym


def test_must_link_joins_different_keys() -> None:
    """A must-link merges mentions whose keys differ (a nickname)."""
    rows = frame(mention("p:1:1", "Dave Maltz"), mention("q:1:1", "David Maltz", source="q"))
    overrides = parse_overrides(
        "version: 1\nmust_link:\n  - {a: Dave Maltz, b: David Maltz, reason: nickname}\n"
    )
    r = resolve_people(rows, overrides)
    assert same(r, "p:1:1", "q:1:1")
    link = r.links.filter(pl.col("rule") == "override-must-link").to_dicts()[0]
    assert link["name_key"] == "dave maltz|david maltz"
    assert r.overrides_applied["effect"].to_list() == ["merged"]


def test_must_link_against_cannot_link_is_an_error() -> None:
    """Contradictory overrides stop the run instead of picking one silently."""
    rows = frame(
        mention("p:1:1", "Ke Sun", orgs=("umich",)), mention("p:2:1", "Ke Sun", orgs=("meta",))
    )
    text = """
version: 1
must_link:
  - {a: {name: Ke Sun, org: umich}, b: {name: Ke Sun, org: meta}, reason: one}
cannot_link:
  - {a: {name: Ke Sun, org: umich}, b: {name: Ke Sun, org: meta}, reason: two}
"""
    with pytest.raises(ValueError, match="contradicts a cannot-link"):
        resolve_people(rows, parse_overrides(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 2\n", "version must be 1"),
        ("- a\n", "mapping at the top level"),
        ("version: 1\nextra: []\n", "unknown keys"),
        ("version: 1\nmust_link: {}\n", "must be a list"),
        ("version: 1\nmust_link:\n  - {a: X Y, b: X Y}\n", "exactly the keys"),
        ("version: 1\nmust_link:\n  - {a: X Y, b: X Y, reason: ' '}\n", "reason"),
        ("version: 1\nmust_link:\n  - {a: {nom: X}, b: X Y, reason: r}\n", "a side is"),
        ("version: 1\nmust_link:\n  - {a: '()', b: X Y, reason: r}\n", "non-empty person name"),
        ("version: 1\nmust_link:\n  - {a: {name: X, org: 3}, b: X Y, reason: r}\n", "org"),
        ("version: 1\nmust_link: [\n", "not valid YAML"),
    ],
)
def test_parse_overrides_rejects_malformed_files(text: str, message: str) -> None:
    """Every malformed override file is refused with a message naming the problem."""
    with pytest.raises(ValueError, match=message):
        parse_overrides(text)


def test_parse_overrides_reads_both_side_forms() -> None:
    """A side is a printed name or a {name, org} mapping; empty lists are allowed.

    Each entry keeps the line it starts on, for the report to point at it.
    """
    parsed = parse_overrides(
        "version: 1\nmust_link:\n  - {a: A B, b: {name: A C, org: kth}, reason: r}\ncannot_link:\n"
    )
    assert parsed == Overrides(
        must_link=(OverridePair(PersonRef("A B"), PersonRef("A C", "kth"), "r", 3),),
        cannot_link=(),
    )


# --------------------------------------------------------------------------- input, ids, order


def test_bad_input_is_refused() -> None:
    """Missing columns, repeated ids and unknown roles are errors, not silent data loss."""
    with pytest.raises(ValueError, match="lack the columns"):
        resolve_people(frame(mention("p:1:1", "A B")).drop("coauthor_keys"))
    with pytest.raises(ValueError, match="repeats"):
        resolve_people(frame(mention("p:1:1", "A B"), mention("p:1:1", "A C")))
    with pytest.raises(ValueError, match="unknown role"):
        resolve_people(frame(mention("p:1:1", "A B", role="reviewer")))


def test_settings_are_validated() -> None:
    """Out-of-range knobs are refused when the settings are built."""
    with pytest.raises(ValueError, match="coauthor_score"):
        ResolutionSettings(coauthor_score=1.5)
    with pytest.raises(ValueError, match="merge_threshold"):
        ResolutionSettings(merge_threshold=0.0)
    with pytest.raises(ValueError, match="unknown roles"):
        ResolutionSettings(same_source_roles=frozenset({"reviewer"}))


def test_empty_input_gives_empty_typed_frames() -> None:
    """No mentions: every output frame exists, empty, with its columns."""
    r = resolve_people(frame())
    assert r.assignments.is_empty() and r.links.is_empty()
    assert r.possible_homonyms.columns[:3] == ["name_key", "left_person", "right_person"]
    assert r.clusters() == {}


def test_person_key_is_the_earliest_mention_in_natural_order() -> None:
    """The person id comes from the earliest mention, comparing line numbers as numbers."""
    r = resolve_people(
        frame(
            mention("p:10:1", "Xin Jin", orgs=("kth",)), mention("p:9:1", "Xin Jin", orgs=("kth",))
        )
    )
    assert set(r.assignments["person_key"]) == {stable_person_id(["p:9:1"])}
    assert stable_person_id(["p:10:1", "p:9:1"]) == stable_person_id(["p:9:1"])
    assert mention_sort_key("p:9:1") < mention_sort_key("p:10:1")
    with pytest.raises(ValueError):
        stable_person_id([])


def test_row_order_does_not_matter() -> None:
    """Reversing the input rows gives identical frames."""
    rows = [
        mention("p:1:1", "Xin Liu", orgs=("meta",), coauthors=("bo li",)),
        mention("p:2:1", "Xin Liu", orgs=("microsoft",)),
        mention("q:1:1", "Xin Liu", role="cv_author", source="q", coauthors=("bo li",)),
        mention("p:3:1", "Xin Liu", orgs=("meta",)),
    ]
    a, b = resolve_people(frame(*rows)), resolve_people(frame(*reversed(rows)))
    for name in ("assignments", "links", "possible_homonyms"):
        assert getattr(a, name).equals(getattr(b, name))


# --------------------------------------------------------------------------- redirects


def test_redirects_name_merges_splits_renames_and_removals() -> None:
    """Disappeared ids map to the current person holding most of their mentions."""
    previous = {
        "kept": ["m1", "m2"],
        "gone_merged": ["m3"],
        "gone_split": ["m4", "m5", "m6"],
        "gone_renamed": ["m7"],
        "gone_removed": ["m8"],
        "host": ["m9"],
    }
    current = {
        "kept": ["m1"],
        "big": ["m3", "m9"],
        "part_a": ["m4", "m5"],
        "part_b": ["m6", "m2"],
        "new": ["m0", "m7"],
    }
    out = redirects(previous, current)
    assert [(old, new) for old, new, _ in out] == [
        ("gone_merged", "big"),
        ("gone_removed", None),
        ("gone_renamed", "new"),
        ("gone_split", "part_a"),
        ("host", "big"),
    ]
    reasons = {old: reason.split(":")[0] for old, _, reason in out}
    assert reasons == {
        "gone_merged": "merged",
        "gone_removed": "removed",
        "gone_renamed": "renamed",
        "gone_split": "split",
        "host": "merged",
    }


def test_repository_override_file_parses() -> None:
    """raw/reference/people.yaml is a valid override file."""
    text = (Path(__file__).parents[3] / "raw" / "reference" / "people.yaml").read_text("utf-8")
    assert isinstance(parse_overrides(text), Overrides)
