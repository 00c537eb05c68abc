"""Deciding when two listings are the same work, and giving each work a stable ID.

A paper can be listed several times: in a program and in its authors' CVs, or
twice in one CV (a conference paper repeated among the workshop papers).
Sameness is decided on the work, never on a listing's key: the same
normalized title, compatible years and at least one author in common.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from confdata.ids import stable_id

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Talks are identified by their event: two keynotes titled "Title TBA" are not one work.
EVENT_SCOPED_KINDS = frozenset({"keynote"})


@dataclass(frozen=True, slots=True)
class Listing:
    """What identifies a work in one listing.

    Attributes:
        listing_id: The listing's own ID (source and line).
        title: Title as printed.
        year: Year of the venue, if printed.
        kind: Kind of the listing (``keynote`` listings are scoped to their venue).
        venue: Venue of the listing.
        authors: Authors' names as printed.
        identifiers: Numbers that name exactly one work (patent application numbers).
        other_titles: Alternative titles printed for the work.
    """

    listing_id: str
    title: str
    year: int | None
    kind: str
    venue: str | None
    authors: tuple[str, ...]
    identifiers: tuple[str, ...] = ()
    other_titles: tuple[str, ...] = ()


# Cached: a corpus prints the same names and titles over and over, and both keys are pure.
@functools.lru_cache(maxsize=1 << 20)
def work_title_key(title: str) -> str:
    """Return the form of a title used to find the same work.

    Diacritics, case, punctuation, markup and spacing do not distinguish works.

    Examples:
        >>> work_title_key("**PacketMill**: Toward per-core 100-Gbps Networking")
        'packetmill toward per core 100 gbps networking'
    """
    if title.isascii():  # most titles: nothing to decompose, and casefold is lower
        return _NON_WORD.sub(" ", title.lower()).strip()
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NON_WORD.sub(" ", text).strip()


@functools.lru_cache(maxsize=1 << 20)
def person_key(name: str) -> str:
    """Return a loose key of a person's name: folded letters of the first and last words.

    It only serves to tell whether two author lists overlap, not to resolve people.

    Examples:
        >>> person_key("Gerald Q. Maguire Jr.") == person_key("Gerald Q. Maguire Jr")
        True
        >>> person_key("Dejan Kostić")
        'dejan kostic'
    """
    words = [w for w in work_title_key(name).split() if w not in {"jr", "sr", "ii", "iii"}]
    return f"{words[0]} {words[-1]}" if len(words) > 1 else (words[0] if words else "")


@dataclass(frozen=True, slots=True)
class _Facts:
    """What decides whether two listings can be one work (see :func:`_compatible`)."""

    year: int | None
    identifiers: frozenset[str]
    other_titles: frozenset[str]
    people: frozenset[str]

    @classmethod
    def of(cls, listing: Listing) -> _Facts:
        return cls(
            listing.year,
            frozenset(listing.identifiers),
            frozenset(work_title_key(t) for t in listing.other_titles),
            frozenset(person_key(n) for n in listing.authors),
        )


def _compatible(a: _Facts, b: _Facts) -> bool:
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    # Two patents may share a formal title ("Network Entity and Method …") yet be
    # different filings with different numbers and different working titles.
    if a.identifiers and b.identifiers and not a.identifiers & b.identifiers:
        return False
    if a.other_titles and b.other_titles and not a.other_titles & b.other_titles:
        return False
    if not a.people or not b.people:
        return True
    return bool(a.people & b.people)


def work_scope(kind: str, venue: str | None) -> str:
    """The venue that scopes a work's identity: a talk's event, nothing for papers."""
    return (venue or "") if kind in EVENT_SCOPED_KINDS else ""


def work_id(key: str, year: int | None, scope: str, extra: str = "") -> str:
    """The paper ID of a work: its title key, year and scope (and ``extra`` on a clash)."""
    return stable_id("pap", key, year, scope, extra)


# A listing is checked against at most this many candidate works (those of its
# title and year sharing an author with it, or naming none), and against at most
# this many distinct author lists of each: a title printed thousands of times in one
# year ("Keynote", a patent title) would otherwise compare every listing with every
# work. Past either limit the comparisons left out are reported (issue same-work-limit).
WORK_CANDIDATE_LIMIT = 64
WORK_FACTS_LIMIT = 64


def assign_works(listings: Sequence[Listing], limited: list[str] | None = None) -> dict[str, str]:
    """Group listings into works; return listing ID -> paper ID.

    Listings with the same title key are the same work when their years agree
    (or one is unknown) and their author lists overlap (or one is empty). The
    paper ID hashes the title key with the year shared by the work (and the
    venue, for talks), so it does not depend on the order of the listings.

    A listing is compared only with the works that can take it: of its year,
    and sharing an author with it (or with no author named), found through an
    index of each work's authors, so that listings of one title with unrelated
    authors cost one step each. At most :data:`WORK_CANDIDATE_LIMIT` works per
    listing and :data:`WORK_FACTS_LIMIT` distinct author lists per work are
    checked; when a limit cuts comparisons, the group's first listing ID is
    appended to ``limited`` (when given).
    """
    groups: dict[tuple[str, str], list[Listing]] = {}
    for listing in sorted(listings, key=lambda x: x.listing_id):
        scope = work_scope(listing.kind, listing.venue)
        groups.setdefault((work_title_key(listing.title), scope), []).append(listing)
    result: dict[str, str] = {}
    for (key, scope), members in groups.items():
        clusters, cut = _cluster(members)
        if cut and limited is not None:
            limited.append(members[0].listing_id)
        per_year = Counter(_year_of(c) for c in clusters)
        for cluster in clusters:
            year = _year_of(cluster)
            extra = ""
            # Same title and year yet different works: their numbers, or else
            # their first author, tell them apart.
            if per_year[year] > 1:
                numbers = sorted({n for m in cluster for n in m.identifiers})
                authors = sorted({person_key(n) for m in cluster for n in m.authors})
                extra = (numbers or authors or [""])[0]
            paper_id = work_id(key, year, scope, extra)
            for m in cluster:
                result[m.listing_id] = paper_id
    return result


def _cluster(members: list[Listing]) -> tuple[list[list[Listing]], bool]:
    """Cluster the listings of one title key; True when a limit cut comparisons.

    A listing joins the first cluster all of whose members it is compatible
    with. Members with the same facts need one check, not one each (a Test of
    Time paper printed in every program of a series), so each cluster keeps its
    distinct facts. Listings come with a year first (ordered by year), those
    without last; a listing with a year is only compatible with clusters of that
    year (in :func:`_content_order`). A cluster can take a listing naming people only if one of its members
    names one of them or none of its members names anyone: the index ``named``
    (person -> clusters) and the set ``anonymous`` give those candidates.
    """
    clusters: list[list[Listing]] = []
    distinct: list[list[_Facts]] = []
    seen: list[set[_Facts]] = []
    years: list[int | None] = []
    named: dict[str, set[int]] = {}
    anonymous: set[int] = set()
    cut = False
    for listing in sorted(members, key=_content_order):
        facts = _Facts.of(listing)
        if facts.people:
            pool = set(anonymous).union(*(named.get(p, ()) for p in facts.people))
        else:
            pool = set(range(len(clusters)))
        candidates = sorted(i for i in pool if listing.year is None or years[i] == listing.year)
        if len(candidates) > WORK_CANDIDATE_LIMIT:
            candidates, cut = candidates[:WORK_CANDIDATE_LIMIT], True

        home = None
        for i in candidates:
            if len(distinct[i]) > WORK_FACTS_LIMIT and facts not in seen[i]:
                cut = True
            if _fits(facts, seen[i], distinct[i]):
                home = i
                break
        if home is None:
            home = len(clusters)
            clusters.append([])
            distinct.append([])
            seen.append(set())
            years.append(listing.year)
            anonymous.add(home)
        clusters[home].append(listing)
        if facts not in seen[home]:
            seen[home].add(facts)
            distinct[home].append(facts)
        if facts.people:
            anonymous.discard(home)
            for p in facts.people:
                named.setdefault(p, set()).add(home)
    return clusters, cut


def _content_order(x: Listing) -> tuple[object, ...]:
    """Order listings by what they print (ties stay in listing ID order).

    So that which work a listing joins never depends on its file's name (the
    listing ID hashes the source's): two listings that tie print the same facts
    and join the same work.
    """
    return (x.year is None, x.year or 0, x.authors, x.identifiers, x.other_titles, x.title)


def _fits(facts: _Facts, seen: set[_Facts], distinct: list[_Facts]) -> bool:
    """True when a listing is compatible with a cluster's (first WORK_FACTS_LIMIT) distinct facts."""
    return facts in seen or all(_compatible(facts, f) for f in distinct[:WORK_FACTS_LIMIT])


def _year_of(cluster: list[Listing]) -> int | None:
    return min((m.year for m in cluster if m.year is not None), default=None)
