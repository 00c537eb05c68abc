"""Synthetic program pages (tools.bench.synthetic): what `make bench` feeds the pipeline."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from confdata.parse.authors.usenix import parse_author_line
from confdata.parse.usenix.program import ProgramParse, parse_program
from confdata.reference.data import Reference
from tests.conftest import NSDI26
from tools.bench.synthetic import (
    Person,
    ProgramTemplate,
    corpus_events,
    program_template,
    render_author_line,
    strip_accents,
    synthetic_corpus,
    toggle_middle_initial,
)

FILES = 4


@pytest.fixture(scope="module")
def page() -> str:
    return NSDI26.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(page: str, reference: Reference) -> dict[str, str]:
    return synthetic_corpus(page, reference, seed=7, files=FILES)


@pytest.fixture(scope="module")
def template(page: str, reference: Reference) -> ProgramTemplate:
    return program_template(page, reference)


def _parse(text: str, name: str, reference: Reference) -> ProgramParse:
    return parse_program(
        text, source_path=name, rules=reference.program_rules, knowledge=reference.org_knowledge
    )


@pytest.fixture(scope="module")
def real(page: str, reference: Reference) -> ProgramParse:
    return _parse(page, NSDI26.name, reference)


@pytest.fixture(scope="module")
def parsed(corpus: dict[str, str], reference: Reference) -> dict[str, ProgramParse]:
    return {name: _parse(text, name, reference) for name, text in corpus.items()}


def _authors(parse: ProgramParse) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (a.name, a.affiliations)
        for s in parse.sessions
        for p in s.papers
        if p.kind not in {"keynote", "test_of_time"}
        for a in p.authors
    ]


def test_same_seed_same_corpus(page: str, reference: Reference, corpus: dict[str, str]) -> None:
    """It is deterministic: the same page, seed and size give the same files, byte for byte."""
    assert synthetic_corpus(page, reference, seed=7, files=FILES) == corpus
    assert synthetic_corpus(page, reference, seed=8, files=FILES) != corpus


def test_every_file_is_a_distinct_event(parsed: dict[str, ProgramParse]) -> None:
    """Each file is another event (series and year), so session IDs never collide."""
    events = [(p.event, p.year) for p in parsed.values()]
    assert len(set(events)) == FILES
    assert len(set(parsed)) == FILES


def test_the_event_is_renamed_everywhere(corpus: dict[str, str], real: ProgramParse) -> None:
    """No line but the award's "Published in" names another event than the file's own."""
    for name, text in corpus.items():
        header = text.split("\n", 1)[0].removesuffix(" Technical Sessions")
        others = [
            line
            for line in text.split("\n")
            if real.event in line and header != real.event and not line.startswith("Published")
        ]
        assert others == [], name


def test_events_are_distinct_at_a_thousand_files() -> None:
    """A 1000-file corpus spreads over series and years, each event once, years printable."""
    events = corpus_events("NSDI", 2026, 1000)
    assert len(set(events)) == 1000
    assert all(1970 <= year <= 2069 for _, year in events)
    assert Counter(series for series, _ in events).most_common(1)[0][1] <= 50


def test_every_file_parses_like_the_real_page(
    parsed: dict[str, ProgramParse], real: ProgramParse
) -> None:
    """Every file parses with the real parser: as many papers, about as many authorships,
    no issue of a kind the real page does not have and no more warnings than it."""
    real_papers = sum(len(s.papers) for s in real.sessions)
    real_authorships = sum(len(p.authors) for s in real.sessions for p in s.papers)
    real_codes = Counter(i.code for i in real.issues)
    real_warnings = sum(i.severity != "info" for i in real.issues)
    for name, parse in parsed.items():
        papers = [p for s in parse.sessions for p in s.papers]
        assert len(papers) == real_papers, name
        authorships = sum(len(p.authors) for p in papers)
        assert 0.9 * real_authorships <= authorships <= 1.1 * real_authorships, name
        assert set(Counter(i.code for i in parse.issues)) <= set(real_codes), name
        assert sum(i.severity != "info" for i in parse.issues) <= real_warnings, name
        assert [s.kind for s in parse.sessions] == [s.kind for s in real.sessions], name


def test_days_are_real_dates_of_the_event_year(parsed: dict[str, ProgramParse]) -> None:
    """Sessions fall in the event's own year, on the weekdays the page prints (no mismatch)."""
    for parse in parsed.values():
        assert {s.date.year for s in parse.sessions} == {parse.year}
        assert not [i for i in parse.issues if i.code == "weekday-mismatch"]


def test_titles_are_distinct_within_and_across_files(parsed: dict[str, ProgramParse]) -> None:
    """No two papers of the corpus share a title, so no listings merge by accident."""
    titles = [
        p.title.casefold()
        for parse in parsed.values()
        for s in parse.sessions
        for p in s.papers
        if p.kind != "keynote"
    ]
    assert len(titles) == len(set(titles))


def test_people_and_collaborations_recur_across_files(
    parsed: dict[str, ProgramParse], real: ProgramParse
) -> None:
    """The real page's people recur in every file, and so do pairs of co-authors."""
    real_names = {name for name, _ in _authors(real)}
    pairs_per_file = []
    for parse in parsed.values():
        names = {name for name, _ in _authors(parse)}
        assert len(names & real_names) >= 0.7 * len(real_names)
        pairs = set()
        for s in parse.sessions:
            for p in s.papers:
                pairs.update(itertools.combinations(sorted(a.name for a in p.authors), 2))
        pairs_per_file.append(pairs)
    first, second = pairs_per_file[:2]
    assert len(first & second) >= 0.5 * len(first)


def test_some_mentions_are_spelling_variants(
    parsed: dict[str, ProgramParse], real: ProgramParse, template: ProgramTemplate
) -> None:
    """A few mentions (about 5-10%) print a name or organization the way other pages do:
    without accents, with a middle initial added or dropped, or with another registry name
    of the organization."""
    real_names = {name for name, _ in _authors(real)}
    variant_names = {
        form: name
        for name in real_names
        for form in (strip_accents(name), toggle_middle_initial(name))
        if form and form != name
    }
    real_orgs = {org for _, orgs in _authors(real) for org in orgs}
    alias_orgs = {alt for alts in template.org_alternatives.values() for alt in alts}
    mentions = [m for parse in parsed.values() for m in _authors(parse)]
    new_names = [name for name, _ in mentions if name not in real_names]
    new_orgs = [org for _, orgs in mentions for org in orgs if org not in real_orgs]
    # Every name not on the real page is a variant of one that is.
    assert new_names and all(name in variant_names for name in new_names)
    assert new_orgs and all(org in alias_orgs for org in new_orgs)
    rate = (len(new_names) + len(new_orgs)) / len(mentions)
    assert 0.02 <= rate <= 0.12


def test_variant_helpers_print_what_real_pages_print() -> None:
    """Accents dropped, a middle initial added (the same one every time) or dropped."""
    assert strip_accents("Dejan Kostić") == "Dejan Kostic"
    assert strip_accents("Martín Casado") == "Martín Casado".replace("í", "i")
    assert toggle_middle_initial("Jane Q. Doe") == "Jane Doe"
    added = toggle_middle_initial("Jane Doe")
    assert added is not None and added == toggle_middle_initial("Jane Doe")
    assert toggle_middle_initial(added) == "Jane Doe"
    assert toggle_middle_initial("Yogesh") is None


def test_author_lines_read_back_as_written(reference: Reference) -> None:
    """A rendered author line parses back into the same people and organizations."""
    people = [
        Person("Ada Lovelace", "UC Berkeley"),
        Person("Alan Turing", "UC Berkeley"),
        Person("Grace Hopper", "Stanford University and NVIDIA"),
        Person("Edsger Dijkstra", "UT Austin"),
        Person("Barbara Liskov", "UT Austin"),
        Person("John McCarthy", "UT Austin"),
    ]
    line = render_author_line(people)
    assert line == (
        "Ada Lovelace and Alan Turing, UC Berkeley; Grace Hopper, Stanford University and "
        "NVIDIA; Edsger Dijkstra, Barbara Liskov, and John McCarthy, UT Austin"
    )
    parsed = parse_author_line(line, reference.org_knowledge)
    assert [a.name for a in parsed.authors] == [p.name for p in people]
    assert parsed.authors[2].affiliations == ("Stanford University", "NVIDIA")
    assert not parsed.notes
