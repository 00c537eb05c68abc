"""Evidence that two person mentions of one name key are the same person.

Mentions are pooled into units by :mod:`confdata.resolve.people.units` (rules 1 and 2
of the policy in :mod:`confdata.resolve.people.resolution`, and profiles of the same organizations)
and cut into blocks of one :func:`~confdata.normalize.names.name_key`. Within a block,
every pair of units is scored from shared organizations and co-authors, or
found contradictory (rules 3 to 5), by :func:`_block_links`. The knobs are :class:`ResolutionSettings`. Clustering the
accepted links is :mod:`confdata.resolve.people.clustering`'s job. The module is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

ROLES: frozenset[str] = frozenset(
    {
        "author",
        "session_chair",
        "program_co_chair",
        "keynote_speaker",
        "test_of_time_author",
        "cv_author",
        "cv_owner",
    }
)

MENTION_COLUMNS: Mapping[str, pl.DataType] = {
    "mention_id": pl.Utf8(),
    "name_as_printed": pl.Utf8(),
    "role": pl.Utf8(),
    "source_id": pl.Utf8(),
    "paper_id": pl.Utf8(),
    "org_ids": pl.List(pl.Utf8()),
    "org_ancestor_ids": pl.List(pl.Utf8()),
    "coauthor_keys": pl.List(pl.Utf8()),
}

# An optional column of the mentions: what identifies a mention by content
# (``<source content id>:<line>:<position>``); it orders the mentions and gives a
# person its id, so that a renamed raw file changes neither (see confdata.resolve.people.ids).
CONTENT_KEY = "content_key"

# Rules of the evidence table, strongest evidence first.
RULE_MUST_LINK = "override-must-link"
RULE_CANNOT_LINK = "override-cannot-link"
RULE_SAME_SOURCE_ROLE = "same-key+same-source-role"
RULE_SAME_PAPER = "same-key+same-paper"
RULE_SHARED_ORG = "same-key+shared-org"
RULE_ORG_PARENT = "same-key+org-parent"
RULE_ORG_SIBLING = "same-key+org-sibling"
RULE_SHARED_COAUTHOR = "same-key+shared-coauthor"
RULE_NO_EVIDENCE = "same-key+no-evidence"
RULE_CONFLICTING_ORGS = "conflicting-orgs"
RULE_SAME_AUTHOR_LIST = "same-author-list"


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True, slots=True)
class ResolutionSettings:
    """Every knob of :func:`resolve_people`, in one immutable object.

    Scores are in [0, 1] and read as "how much this evidence alone supports the
    same person". A pair's score combines its organization score and its
    co-author score by noisy-or (``1 - (1 - a)(1 - b)``); it is merged when the
    score reaches ``merge_threshold`` and nothing contradicts it.

    Attributes:
        shared_org_score: Both mentions name the same resolved organization.
        org_parent_score: One mention's organization is an ancestor of the
            other's in the registry ("Microsoft" / "Microsoft Research"). A bit
            below a shared organization because the parent is broader.
        org_sibling_score: The organizations only share an ancestor ("Microsoft
            Azure" / "Microsoft Research"). Above the threshold by default: in
            the inputs this only joins the same person printed with two units.
            Lower it below ``merge_threshold`` to require more evidence.
        coauthor_score: Worth of each shared co-author name key; ``n`` shared
            co-authors score ``1 - (1 - coauthor_score) ** n``. One shared
            co-author is enough by default (it is how CV co-authors, which have
            no organization, join program mentions).
        merge_threshold: Minimum combined score of an accepted link.
        min_coauthors_against_conflict: Shared co-authors needed to merge two
            mentions of the same source whose organizations are disjoint. Two,
            so that a single common collaborator does not outweigh two unrelated
            affiliations printed in one program.
        same_source_roles: Roles whose mentions of one key in one source are
            one person without further evidence (a CV's owner and co-authors).
    """

    shared_org_score: float = 1.0
    org_parent_score: float = 0.9
    org_sibling_score: float = 0.7
    coauthor_score: float = 0.6
    merge_threshold: float = 0.6
    min_coauthors_against_conflict: int = 2
    same_source_roles: frozenset[str] = field(
        default_factory=lambda: frozenset({"cv_owner", "cv_author"})
    )

    def __post_init__(self) -> None:
        for name in ("shared_org_score", "org_parent_score", "org_sibling_score", "coauthor_score"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        if not 0.0 < self.merge_threshold <= 1.0:
            raise ValueError(f"merge_threshold must be in (0, 1], got {self.merge_threshold!r}")
        if self.min_coauthors_against_conflict < 1:
            raise ValueError("min_coauthors_against_conflict must be at least 1")
        unknown = set(self.same_source_roles) - ROLES
        if unknown:
            raise ValueError(f"same_source_roles has unknown roles {sorted(unknown)}")


# --------------------------------------------------------------------------- units


@dataclass(frozen=True, slots=True)
class _Unit:
    """Mentions of one block compared as one (see :mod:`confdata.resolve.people.units`).

    A single mention, a CV's same-source group, or a profile of mentions with
    the same organizations. ``rep`` is its first mention in canonical order,
    ``rank`` that mention's canonical rank, ``key`` the block's name key. A unit
    alone in its block and named by no override is never compared: its evidence
    is left empty. Its mentions are in :class:`confdata.resolve.people.units.PooledMentions`.
    """

    rep: str
    sources: frozenset[str]
    listings: frozenset[str]
    papers: frozenset[str]
    orgs: frozenset[str]
    ancestry: frozenset[str]
    coauthors: frozenset[str]
    key: str = ""
    rank: int = 0


@dataclass(slots=True)
class _Link:
    """A decision about two mentions (or units) of the evidence table."""

    left: str
    right: str
    name_key: str
    rule: str
    features: dict[str, Any]
    score: float
    accept: bool
    constraint: bool = False
    merged: bool = False


def _features(**values: Any) -> dict[str, Any]:
    """Drop empty values so that the JSON stays short."""
    return {k: v for k, v in values.items() if v not in (None, [], (), "", False)}


# --------------------------------------------------------------------------- blocks


# Above this many units in one name block, units are compared with the clusters
# formed so far instead of with every other unit (see _greedy_links). The real
# inputs have at most a handful of units per name; a name printed without an
# organization in a thousand programs ("unaffiliated") has a thousand.
PAIRWISE_BLOCK_LIMIT = 32
# A block resolved greedily keeps at most this many clusters to compare units with,
# so that its work is at most units x GREEDY_CLUSTER_LIMIT comparisons, never units
# squared (a name printed in many papers with nothing in common would otherwise make
# every unit a cluster compared with every later one). Past the limit, a unit that
# joins none of them is a person of its own and is compared with no later unit; the
# block is reported (issue resolution-limit). The real inputs have a handful of
# clusters per name; the benchmark's largest blocks, a few.
GREEDY_CLUSTER_LIMIT = 128


@dataclass(frozen=True, slots=True)
class BlockLimit:
    """A name block that reached :data:`GREEDY_CLUSTER_LIMIT` clusters.

    Attributes:
        name_key: The block's key.
        units: The block's units.
        alone: Units that joined none of the clusters once the limit was reached:
            each is a person of its own, compared with no later unit.
        first_alone: The first of them (its first mention), to locate the report.
    """

    name_key: str
    units: int
    alone: int
    first_alone: str


def _block_links(
    key: str, units: list[_Unit], settings: ResolutionSettings
) -> tuple[list[_Link], BlockLimit | None]:
    """Compare the units of a block (in canonical order) and return the links.

    Units, not mentions, are compared, so the work grows with the distinct
    (organizations, author list) profiles of a name, not with how often it is
    printed. Up to :data:`PAIRWISE_BLOCK_LIMIT` units every pair is compared
    (one link per pair); a larger block is resolved by :func:`_greedy_links`,
    which may reach :data:`GREEDY_CLUSTER_LIMIT` (then returned as a
    :class:`BlockLimit`).
    """
    if len(units) > PAIRWISE_BLOCK_LIMIT:
        return _greedy_links(key, units, settings)
    links = []
    for i, u in enumerate(units):
        for v in units[i + 1 :]:
            links.append(_compare(key, u, v, settings))
    return links, None


def _greedy_links(
    key: str, units: list[_Unit], settings: ResolutionSettings
) -> tuple[list[_Link], BlockLimit | None]:
    """Resolve a large block by comparing each unit with the clusters formed so far.

    Units are taken in canonical order. Each is compared with every cluster's
    pooled evidence (its organizations, co-authors, sources and author lists);
    it joins the cluster with the best accepted link that nothing contradicts
    (ties: the earliest cluster), else it starts a cluster of its own, as long
    as the block has fewer than :data:`GREEDY_CLUSTER_LIMIT` (past that it is a
    person of its own, compared with no later unit). The links recorded are the
    one it joined by and its contradictions (constraints), or, when it joins
    none, its contradictions and its nearest comparison (the best score; ties:
    the earliest cluster), so that a possible homonym is still reported and the
    links grow with the units, not with units x clusters. The work is units x
    clusters, at most units x :data:`GREEDY_CLUSTER_LIMIT`. Then the clusters are
    compared with each other once (:func:`_rejoin`).
    """
    clusters: list[_Unit] = []
    links: list[_Link] = []
    alone: list[str] = []
    for u in units:
        found = [(_compare(key, c, u, settings), i) for i, c in enumerate(clusters)]
        accepted = [(link, i) for link, i in found if link.accept]
        links.extend(link for link, _ in found if link.constraint)
        if accepted:
            best, home = max(accepted, key=lambda pair: (pair[0].score, -pair[1]))
            links.append(best)
            clusters[home] = _pooled(clusters[home], u)
            continue
        apart = [(link, i) for link, i in found if not link.constraint]
        if apart:
            links.append(max(apart, key=lambda pair: (pair[0].score, -pair[1]))[0])
        if len(clusters) < GREEDY_CLUSTER_LIMIT:
            clusters.append(u)
        else:
            alone.append(u.rep)
    links.extend(_rejoin(key, clusters, settings))
    limit = BlockLimit(key, len(units), len(alone), alone[0]) if alone else None
    return links, limit


def _rejoin(key: str, clusters: list[_Unit], settings: ResolutionSettings) -> list[_Link]:
    """Compare the clusters of a greedy block with each other once, with their pooled evidence.

    A unit met before the units that connect it to a cluster starts a cluster of
    its own; this one pass (in canonical order, each cluster taking in the later
    ones it accepts) joins them, so that the outcome depends less on the order of
    the units. At most :data:`GREEDY_CLUSTER_LIMIT` squared over two comparisons.
    """
    links = []
    alive = [True] * len(clusters)
    for a in range(len(clusters)):
        if not alive[a]:
            continue
        for b in range(a + 1, len(clusters)):
            if not alive[b]:
                continue
            link = _compare(key, clusters[a], clusters[b], settings)
            if link.accept:
                links.append(link)
                clusters[a] = _pooled(clusters[a], clusters[b])
                alive[b] = False
    return links


def _pooled(c: _Unit, u: _Unit) -> _Unit:
    """A cluster's evidence with one more unit's (named by the cluster's first unit)."""
    return _Unit(
        rep=c.rep,
        sources=c.sources | u.sources,
        listings=c.listings | u.listings,
        papers=c.papers | u.papers,
        orgs=c.orgs | u.orgs,
        ancestry=c.ancestry | u.ancestry,
        coauthors=c.coauthors | u.coauthors,
        key=c.key,
        rank=c.rank,
    )


def _compare(key: str, u: _Unit, v: _Unit, settings: ResolutionSettings) -> _Link:
    """Score the evidence that two units of a block are one person, and decide."""
    s = settings
    relation, org_score = _org_relation(u, v, s)
    shared = sorted(u.coauthors & v.coauthors)
    coauthor_score = 1.0 - (1.0 - s.coauthor_score) ** len(shared)
    score = round(1.0 - (1.0 - org_score) * (1.0 - coauthor_score), 6)
    same_source = bool(u.sources & v.sources)
    features = _features(
        left_orgs=sorted(u.orgs),
        right_orgs=sorted(v.orgs),
        common_orgs=sorted(u.ancestry & v.ancestry),
        org_relation=relation,
        shared_coauthors=shared,
        same_source=same_source,
    )

    def link(rule: str, link_score: float, accept: bool, constraint: bool = False) -> _Link:
        return _Link(u.rep, v.rep, key, rule, features, link_score, accept, constraint)

    if u.listings & v.listings:
        return link(RULE_SAME_AUTHOR_LIST, 0.0, accept=False, constraint=True)
    if u.papers & v.papers:
        return link(RULE_SAME_PAPER, 1.0, accept=True)
    if relation == "disjoint" and same_source:
        if len(shared) >= s.min_coauthors_against_conflict:
            return link(RULE_SHARED_COAUTHOR, round(coauthor_score, 6), accept=True)
        return link(RULE_CONFLICTING_ORGS, score, accept=False, constraint=True)
    rule = _strongest_rule(relation, org_score, coauthor_score)
    return link(rule, score, accept=score >= s.merge_threshold)


def _org_relation(u: _Unit, v: _Unit, s: ResolutionSettings) -> tuple[str, float]:
    """Classify how two units' organizations relate, and the score of that relation."""
    if not u.orgs or not v.orgs:
        return "unknown", 0.0
    if u.orgs & v.orgs:
        return "shared", s.shared_org_score
    if (u.orgs & v.ancestry) or (v.orgs & u.ancestry):
        return "parent", s.org_parent_score
    if u.ancestry & v.ancestry:
        return "sibling", s.org_sibling_score
    return "disjoint", 0.0


def _strongest_rule(relation: str, org_score: float, coauthor_score: float) -> str:
    """Name a link after its strongest piece of evidence."""
    org_rule = {
        "shared": RULE_SHARED_ORG,
        "parent": RULE_ORG_PARENT,
        "sibling": RULE_ORG_SIBLING,
    }.get(relation)
    if org_rule is not None and org_score >= coauthor_score and org_score > 0.0:
        return org_rule
    if coauthor_score > 0.0:
        return RULE_SHARED_COAUTHOR
    return RULE_NO_EVIDENCE
