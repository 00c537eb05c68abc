"""No part of the work grows faster than the input: generated adversarial inputs.

Each input is written to show one way the rows (and with them time and memory)
used to grow with the square of the input; each test asserts that the release's
row counts are linear in it (no test times anything).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from confdata.parse.staging import STG_SCHEMAS, empty_stg
from confdata.reference.data import Reference
from confdata.resolve import works
from confdata.resolve.organizations.matching import OrgResolver
from confdata.resolve.people.evidence import GREEDY_CLUSTER_LIMIT
from confdata.resolve.people.mentions import COAUTHOR_LIST_LIMIT, person_mentions
from confdata.resolve.people.resolution import redirects, resolve_people
from confdata.run.steps import run_pipeline
from tests.conftest import RAW
from tests.unit.resolve.test_people import frame, mention

_HEAD = (
    "NSDI '25 Technical Sessions\n\nMonday, April 28\n\n10:30 am–12:10 pm\n\nTrack 1\n\n"
    "Data Center Networks\n\nSession Chair: Ingrid Nakamura, Cornell University\n\n"
    "Grand Ballroom I–III\n\n"
)
_FAMILIES = ["Sun", "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou"]
_FAMILIES += ["Wu", "Xu", "Ma", "Hu", "Guo", "Lin", "He", "Gao", "Luo", "Zheng"]


def _family(i: int) -> str:
    """A distinct made-up family name for every ``i`` (letters only: "Baa", "Bab", …)."""
    letters, i = "", i + 26 * 26
    while i:
        i, r = divmod(i, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[r] + letters
    return letters.capitalize()


def _program(papers: list[str]) -> str:
    """A program page of one session whose papers have the given author lines."""
    return _HEAD + "".join(
        f"Paper Number {p}: A Study\n\n{authors}\n\nAvailable Media\n\nAbstract of paper {p}.\n\n"
        for p, authors in enumerate(papers)
    )


def _release(tmp_path: Path, name: str, text: str) -> dict[str, int]:
    """Publish a raw folder holding one program; return the row count of every table."""
    raw = tmp_path / name / "raw"
    raw.mkdir(parents=True)
    (raw / "program.txt").write_text(text, encoding="utf-8")
    return run_pipeline(raw, tmp_path / name / "out", reference_dir=RAW / "reference").row_counts


def _issues(out: Path) -> list[dict[str, object]]:
    return json.loads((out / "quality" / "report.json").read_text())["issues"]


def _one_name_printed_on_every_paper(times: int) -> str:
    """20 papers, paper p printing its own author (with an organization) ``times`` times."""
    return _program(
        ["; ".join([f"Ke {family}, Tsinghua University"] * times) for family in _FAMILIES]
    )


def test_a_name_printed_580_times_on_each_of_20_papers_gives_20_authorships(
    tmp_path: Path,
) -> None:
    """The 390 KB input of the issue: 3.4 M author_links before, now one row per printed person.

    Doubling the repetitions (290 -> 580) adds no row at all, and no table holds more
    rows than the input has printed authorships.
    """
    half = _release(tmp_path, "half", _one_name_printed_on_every_paper(290))
    full = _release(tmp_path, "full", _one_name_printed_on_every_paper(580))
    assert full == half
    assert full["paper_authors"] == 20 and full["author_mentions"] == 21  # and the chair
    assert full["author_links"] <= full["author_mentions"]
    assert max(full.values()) <= 20 * 580


def test_a_common_name_on_many_papers_with_nothing_in_common_gives_linear_links(
    tmp_path: Path,
) -> None:
    """600 papers by "Ke Sun" and a co-author of their own, no organization: before, every
    paper's "Ke Sun" was compared with, and linked to, every other (179,700 links)."""
    counts = {
        n: _release(tmp_path, str(n), _program([f"Ke Sun and Bo {_family(i)}" for i in range(n)]))
        for n in (300, 600)
    }
    for n, rows in counts.items():
        assert rows["author_links"] <= rows["author_mentions"] <= 2 * n + 1
    assert counts[600]["author_links"] <= 2 * counts[300]["author_links"] + 1


def test_a_block_past_the_cluster_limit_is_reported_at_its_first_lone_unit(tmp_path: Path) -> None:
    """The units that could join none of the limit's clusters are reported, with the limit."""
    out = tmp_path / "600" / "out"
    _release(tmp_path, "600", _program([f"Ke Sun and Bo {_family(i)}" for i in range(600)]))
    limited = [i for i in _issues(out) if i["code"] == "resolution-limit"]
    assert len(limited) == 1 and limited[0]["key"] == "ke sun"
    assert limited[0]["source_path"] == "program.txt" and limited[0]["line"] > 0
    assert f"{600 - GREEDY_CLUSTER_LIMIT} unit(s)" in str(limited[0]["message"])


def test_greedy_resolution_compares_each_unit_with_at_most_the_cluster_limit() -> None:
    """Mentions of one name with no evidence between them: one link per unit, not per pair."""
    n = 3 * GREEDY_CLUSTER_LIMIT
    rows = [
        mention(f"p.txt:{10 + i}:1", "Ke Sun", source="s", coauthors=(f"bo {_family(i)}",))
        for i in range(n)
    ]
    result = resolve_people(frame(*rows))
    assert result.links.height == n - 1
    assert result.assignments["person_key"].n_unique() == n
    assert [(b.name_key, b.units, b.alone) for b in result.limited_blocks] == [
        ("ke sun", n, n - GREEDY_CLUSTER_LIMIT)
    ]
    assert result.possible_homonyms.height == n - 1


def _mentions_of_lists(reference: Reference, lists: list[list[str]]) -> pl.DataFrame:
    """The person mentions of listings in one program, each author at MIT."""
    listings = pl.DataFrame(
        {
            "listing_id": [f"l{i}" for i in range(len(lists))],
            "source_id": ["src"] * len(lists),
            "kind": ["research"] * len(lists),
            "from_program": [True] * len(lists),
            "paper_id": [f"pap{i}" for i in range(len(lists))],
            "session_id": ["ses"] * len(lists),
        }
    )
    authorships = pl.DataFrame(
        [
            {
                "listing_id": f"l{i}",
                "position": p,
                "name_as_printed": name,
                "affiliation_status": "printed",
                "status_as_printed": None,
                "author_group": 1,
                "source_line": 10 + i,
                "affiliations_as_printed": ["MIT"],
            }
            for i, names in enumerate(lists)
            for p, name in enumerate(names, start=1)
        ],
        schema=STG_SCHEMAS["stg_authorships"],
    )
    stg = empty_stg()
    return person_mentions(
        listings=listings,
        authorships=authorships,
        chairs=stg["stg_chairs"],
        people=stg["stg_people"],
        paths={"src": "program.txt"},
        resolver=OrgResolver.build(reference.registry, ["MIT"]),
        registry=reference.registry,
    )


def test_an_author_list_past_the_limit_lends_no_co_authors(reference: Reference) -> None:
    """A list of n authors gave its mentions n x n co-author keys; past the limit, none."""
    names = [f"Bo {_family(i)}" for i in range(3 * COAUTHOR_LIST_LIMIT)]
    mentions = _mentions_of_lists(reference, [names, names[:COAUTHOR_LIST_LIMIT]])
    keys = mentions.group_by("paper_id").agg(pl.col("coauthor_keys").list.len().sum())
    assert dict(keys.iter_rows()) == {
        "pap0": 0,
        "pap1": COAUTHOR_LIST_LIMIT * (COAUTHOR_LIST_LIMIT - 1),
    }


def test_an_author_list_past_the_limit_is_reported_at_its_line(tmp_path: Path) -> None:
    """The long list is named, with its size, so that the missing evidence is known."""
    names = [f"Bo {_family(i)}" for i in range(COAUTHOR_LIST_LIMIT + 1)]
    _release(tmp_path, "long", _program([", ".join(names) + ", MIT", "Ke Sun, MIT"]))
    long = [i for i in _issues(tmp_path / "long" / "out") if i["code"] == "long-author-list"]
    assert [(i["source_path"], i["line"]) for i in long] == [("program.txt", 17)]
    assert f"{COAUTHOR_LIST_LIMIT + 1} authors" in str(long[0]["message"])


def _count_compatibility_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls of works._compatible (the real function still decides)."""
    calls = [0]
    real = works._compatible

    def counted(a: object, b: object) -> bool:
        calls[0] += 1
        return real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(works, "_compatible", counted)
    return calls


def test_one_title_printed_by_unrelated_listings_costs_no_pairwise_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2,000 listings of "A Study" with unrelated authors: 2 million checks before, none now."""
    calls = _count_compatibility_checks(monkeypatch)
    rows = [
        works.Listing(f"l{i:05d}", "A Study", 2025, "research", "NSDI", (f"Bo {_family(i)}",))
        for i in range(2000)
    ]
    limited: list[str] = []
    assert len(set(works.assign_works(rows, limited).values())) == 2000
    assert calls[0] == 0 and limited == []


def test_listings_without_authors_are_checked_against_at_most_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Patents of one title, no author, distinct numbers: each is a work; the checks are capped."""
    calls = _count_compatibility_checks(monkeypatch)
    n = 3 * works.WORK_CANDIDATE_LIMIT
    rows = [
        works.Listing(f"l{i:05d}", "Method", 2025, "patent", None, (), (f"US{i}",))
        for i in range(n)
    ]
    limited: list[str] = []
    assert len(set(works.assign_works(rows, limited).values())) == n
    assert calls[0] <= n * works.WORK_CANDIDATE_LIMIT
    assert limited == ["l00000"]


def test_a_work_listed_past_the_limit_is_reported(tmp_path: Path) -> None:
    """70 listings of one title sharing an author are one work; its later ones were compared
    with its first 64 author lists only, and the report says so at its first listing."""
    papers = [f"Ke Sun and Bo {_family(i)}" for i in range(works.WORK_FACTS_LIMIT + 6)]
    text = _HEAD + "".join(
        f"A Study\n\n{authors}\n\nAvailable Media\n\nAbstract {p}.\n\n"
        for p, authors in enumerate(papers)
    )
    rows = _release(tmp_path, "same", text)
    assert rows["papers"] == 1
    out = tmp_path / "same" / "out"
    [issue] = [i for i in _issues(out) if i["code"] == "same-work-limit"]
    assert (issue["source_path"], issue["line"], issue["text"]) == ("program.txt", 15, "A Study")


def test_a_merge_of_many_published_people_writes_short_reasons() -> None:
    """2,000 published people merged into one: each redirect named the 1,998 others before."""
    previous = {f"aut_{i:016x}": [f"p.txt:{i + 1}:1"] for i in range(2000)}
    current = {"aut_0000000000000000": [m for ms in previous.values() for m in ms]}
    rows = redirects(previous, current)
    assert len(rows) == 1999
    assert all(new == "aut_0000000000000000" for _, new, _ in rows)
    assert max(len(reason) for _, _, reason in rows) < 200
    assert rows[0][2].endswith("and 1,994 more")
