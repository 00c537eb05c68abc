"""Entity resolution of person mentions: one cluster per real person, with evidence.

A *mention* is one appearance of a person in a source: an author of a paper
listing, a session chair, a program co-chair, a keynote speaker, a test-of-time
author, a co-author in a CV or the CV's owner. Today the published ``authors``
table has one row per distinct printed name, which both splits people ("Işıl
Dillig" / "Isil Dillig") and merges homonyms (two "Ke Sun"). This module decides
which mentions are the same person, and records why.

Policy, in the order it is applied:

1. **Blocking.** Mentions are compared only with mentions of the same
   :func:`~confdata.names.name_key`; never all pairs.
2. **Same-source roles.** Within one CV, every mention of a key (the owner and
   the owner's co-authors) is one person: a CV is one person's coherent list of
   collaborators, so a homonym inside it is not credible. These mentions form a
   *unit* whose co-authors are the union of its listings' co-authors.
3. **Evidence between units of a block.** Same key is not enough, because common
   names are shared ("Xin Liu" at Meta and at Microsoft). A pair is scored from:
   a shared resolved organization (``shared_org_score``), one organization an
   ancestor of the other in the registry (``org_parent_score``), organizations
   under a common ancestor (``org_sibling_score``), and shared co-authors (each
   worth ``coauthor_score``, combined by noisy-or). Organization and co-author
   scores are combined by noisy-or and the pair is accepted when the score
   reaches ``merge_threshold``. The same work listed by two sources (same
   ``paper_id``) is accepted outright. A CV co-author mention carries no
   organization, so it joins a program mention only through a shared co-author
   key (the CV's "Dejan Kostić" and the NSDI '26 "Dejan Kostić" share "Marco
   Chiesa").
4. **Contradictions.** Two mentions *in the same source* that both carry
   resolved organizations, with disjoint ancestries (no common organization at
   any level), contradict each other: a program prints each person's affiliation of
   that moment, so two unrelated organizations in one program are most often
   two people. They are kept apart (rule ``conflicting-orgs``) unless they share
   at least ``min_coauthors_against_conflict`` co-authors. Across sources,
   disjoint organizations are not a contradiction (people move), only an
   absence of evidence. Two mentions on the same author list of one source are
   two people (rule ``same-author-list``).
5. **Thin evidence.** Same key and nothing else: kept apart and reported in
   ``possible_homonyms`` for a curator, as are contradictions.
6. **Clustering.** Union-find over the accepted links, strongest first, where a
   union is refused if it would put the two sides of a constraint (a cannot-link
   override, a contradiction, a shared author list) into one cluster. So
   transitivity cannot chain two contradicting mentions together, and a
   cannot-link override always splits. Must-link overrides are applied before
   everything and may override automatic contradictions, never a cannot-link.

Results do not depend on row order: mentions, units, links and unions are all
processed in a canonical order derived from the mention ids (:func:`mention_sort_key`),
and every output frame is sorted. Person ids follow :func:`stable_person_id`; a
release maps ids that disappear with :func:`redirects`. The module is pure: no
I/O, no clock, no randomness.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import yaml

from confdata.ids import stable_id
from confdata.names import name_key

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
OVERRIDES_VERSION = 1

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
ASSIGNMENT_SCHEMA: Mapping[str, pl.DataType] = {
    "mention_id": pl.Utf8(),
    "person_key": pl.Utf8(),
    "name_key": pl.Utf8(),
}
LINK_SCHEMA: Mapping[str, pl.DataType] = {
    "left": pl.Utf8(),
    "right": pl.Utf8(),
    "name_key": pl.Utf8(),
    "rule": pl.Utf8(),
    "features": pl.Utf8(),
    "score": pl.Float64(),
    "merged": pl.Boolean(),
}
HOMONYM_SCHEMA: Mapping[str, pl.DataType] = {
    "name_key": pl.Utf8(),
    "left_person": pl.Utf8(),
    "right_person": pl.Utf8(),
    "left_mentions": pl.List(pl.Utf8()),
    "right_mentions": pl.List(pl.Utf8()),
    "rule": pl.Utf8(),
    "reason": pl.Utf8(),
}
OVERRIDE_SCHEMA: Mapping[str, pl.DataType] = {
    "kind": pl.Utf8(),
    "a": pl.Utf8(),
    "b": pl.Utf8(),
    "reason": pl.Utf8(),
    "a_mentions": pl.List(pl.Utf8()),
    "b_mentions": pl.List(pl.Utf8()),
    "effect": pl.Utf8(),
}

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

_NATURAL_RE = re.compile(r"(\d+)")


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


# --------------------------------------------------------------------------- overrides


@dataclass(frozen=True, slots=True)
class PersonRef:
    """One side of an override: a printed name, optionally qualified by an organization.

    Attributes:
        name: A printed name; it selects the mentions with the same name key.
        org: Optional registry id; when set, only mentions whose organizations
            (or their ancestors) include it are selected.
    """

    name: str
    org: str | None = None

    def describe(self) -> str:
        """Return the reference as written by a curator: ``Name`` or ``Name @ org``."""
        return self.name if self.org is None else f"{self.name} @ {self.org}"


@dataclass(frozen=True, slots=True)
class OverridePair:
    """A curated decision about two sets of mentions, with its justification."""

    a: PersonRef
    b: PersonRef
    reason: str


@dataclass(frozen=True, slots=True)
class Overrides:
    """Curated must-link and cannot-link decisions (``raw/reference/people.yaml``)."""

    must_link: tuple[OverridePair, ...] = ()
    cannot_link: tuple[OverridePair, ...] = ()


def parse_overrides(yaml_text: str) -> Overrides:
    """Parse and validate the override file.

    The format is a mapping with ``version: 1`` and two optional lists,
    ``must_link`` and ``cannot_link``, whose entries have ``a``, ``b`` and a
    non-empty ``reason``. A side is a printed name, or a mapping with ``name``
    and an optional ``org`` (a registry id).

    Args:
        yaml_text: The YAML text.

    Returns:
        The overrides; empty lists when the file has none.

    Raises:
        ValueError: If the text is not YAML or an entry is malformed; the
            message names the entry.
    """
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        raise ValueError(f"people overrides are not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ValueError("people overrides must be a mapping at the top level")
    unknown = sorted(str(k) for k in data if k not in ("version", "must_link", "cannot_link"))
    if unknown:
        raise ValueError(f"people overrides: unknown keys {unknown}")
    version = data.get("version")
    if version != OVERRIDES_VERSION or isinstance(version, bool):
        raise ValueError(f"people overrides: version must be {OVERRIDES_VERSION}")
    return Overrides(
        must_link=_parse_pairs(data.get("must_link"), "must_link"),
        cannot_link=_parse_pairs(data.get("cannot_link"), "cannot_link"),
    )


def _parse_pairs(raw: Any, kind: str) -> tuple[OverridePair, ...]:
    """Validate one list of override entries."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f"people overrides: {kind} must be a list")
    pairs = []
    for index, entry in enumerate(raw):
        where = f"{kind}[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != {"a", "b", "reason"}:
            raise ValueError(f"{where}: an entry needs exactly the keys a, b and reason")
        reason = entry["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{where}: reason must be a non-empty string")
        pairs.append(
            OverridePair(
                _parse_side(entry["a"], f"{where}.a"), _parse_side(entry["b"], f"{where}.b"), reason
            )
        )
    return tuple(pairs)


def _parse_side(raw: Any, where: str) -> PersonRef:
    """Validate one side of an override entry."""
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping) or not set(raw) <= {"name", "org"} or "name" not in raw:
        raise ValueError(f"{where}: a side is a name or a mapping with name and optional org")
    name, org = raw["name"], raw.get("org")
    if not isinstance(name, str) or not name_key(name):
        raise ValueError(f"{where}: name must be a non-empty person name")
    if org is not None and (not isinstance(org, str) or not org.strip()):
        raise ValueError(f"{where}: org must be a registry id")
    return PersonRef(name, org)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class PeopleResolution:
    """The outcome of :func:`resolve_people`; every frame is sorted.

    Attributes:
        assignments: ``mention_id`` -> ``person_key`` (and the mention's
            ``name_key``); one row per input mention.
        links: The evidence table (``author_links``): one row per decision,
            with ``left``/``right`` mention ids (a same-source unit is named by
            its first mention), ``name_key``, ``rule``, ``features`` (JSON),
            ``score`` and ``merged`` (the link was accepted: its two sides end
            in one cluster because of it or already were).
        possible_homonyms: Pairs of clusters with the same name key kept apart
            by the algorithm (thin evidence or a contradiction), for review.
            Pairs kept apart by a cannot-link override or by sharing an author
            list are certain and not listed.
        overrides_applied: Overrides that matched mentions, with their effect.
        overrides_unmatched: Overrides that could not be applied, and why.
    """

    assignments: pl.DataFrame
    links: pl.DataFrame
    possible_homonyms: pl.DataFrame
    overrides_applied: pl.DataFrame
    overrides_unmatched: pl.DataFrame

    def clusters(self) -> dict[str, list[str]]:
        """Return person_key -> its mention ids, in canonical mention order."""
        out: dict[str, list[str]] = defaultdict(list)
        for mention_id, person_key in self.assignments.select("mention_id", "person_key").rows():
            out[person_key].append(mention_id)
        return {k: sorted(v, key=mention_sort_key) for k, v in sorted(out.items())}


# --------------------------------------------------------------------------- ids


def mention_sort_key(mention_id: str) -> tuple[tuple[int, int, str], ...]:
    """Return the canonical order key of a mention id: natural order of its digit runs.

    Mention ids are expected to be content-derived, e.g. ``<source path>:<line>:
    <position>``, so this order is (source path, line, position) with numbers
    compared as numbers ("x:9:1" before "x:10:1").
    """
    return tuple(
        (0, int(part), part) if part.isdigit() else (1, 0, part)
        for part in _NATURAL_RE.split(mention_id)
    )


def stable_person_id(cluster_mentions: Iterable[str]) -> str:
    """Return the stable id of a person from the ids of the mentions in its cluster.

    Policy: the id is the hash (:func:`confdata.ids.stable_id`, prefix ``aut``)
    of the cluster's *earliest* mention in :func:`mention_sort_key` order, i.e.
    by (source path, line, position) when mention ids are built that way. It
    therefore survives re-runs, row reordering and any change that leaves the
    earliest mention in place. Consequences:

    - a merge keeps the id of the cluster holding the earliest mention; the
      other cluster's id disappears (and must be redirected);
    - a split keeps the id on the part holding the earliest mention; the other
      part gets the id of its own earliest mention;
    - a new source whose mentions sort earlier (e.g. a file named before the
      others) renames the clusters it joins.

    :func:`redirects` maps disappeared ids to their successors by mention
    overlap, so that a release can publish old -> new.

    Args:
        cluster_mentions: The cluster's mention ids (any order).

    Returns:
        ``aut_`` followed by 16 hex digits.

    Raises:
        ValueError: If the cluster is empty.
    """
    ids = list(cluster_mentions)
    if not ids:
        raise ValueError("a person cluster needs at least one mention")
    return stable_id("aut", "person", min(ids, key=mention_sort_key))


def redirects(
    previous: Mapping[str, Sequence[str]], current: Mapping[str, Sequence[str]]
) -> list[tuple[str, str | None, str]]:
    """Map the person ids of a previous release that disappeared to their successors.

    An id still present in ``current`` needs no redirect, even if it lost or
    gained mentions. A disappeared id goes to the current person holding most
    of its mentions (ties: the smallest id). The reason starts with one word:
    ``merged`` (its mentions all went to a person that also holds mentions of
    other previous persons), ``split`` (they went to several persons; the target
    is the largest part), ``renamed`` (they all went to one person that holds no
    other previous person's mentions, e.g. an earlier mention joined), or
    ``removed`` (none of its mentions is left; the target is None).

    Args:
        previous: Previous release: person id -> mention ids.
        current: Current release: person id -> mention ids.

    Returns:
        ``(old_id, new_id, reason)`` tuples sorted by old id.
    """
    owner_now = {m: pid for pid, ms in current.items() for m in ms}
    owner_before = {m: pid for pid, ms in previous.items() for m in ms}
    out: list[tuple[str, str | None, str]] = []
    for old in sorted(previous):
        if old in current:
            continue
        overlap = Counter(owner_now[m] for m in previous[old] if m in owner_now)
        if not overlap:
            out.append((old, None, "removed: none of its mentions is in the current release"))
            continue
        new, count = min(overlap.items(), key=lambda item: (-item[1], item[0]))
        total = len(set(previous[old]))
        if len(overlap) > 1:
            others = ", ".join(sorted(pid for pid in overlap if pid != new))
            reason = f"split: {count} of {total} mentions went to {new}, the others to {others}"
        else:
            joined = sorted({owner_before[m] for m in current[new] if m in owner_before} - {old})
            if joined:
                reason = f"merged: with {', '.join(joined)}"
            else:
                reason = f"renamed: {count} of {total} mentions, earliest mention changed"
        out.append((old, new, reason))
    return out


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True, slots=True)
class _Mention:
    """One validated input row."""

    id: str
    name: str
    key: str
    role: str
    source: str
    paper: str | None
    orgs: frozenset[str]
    ancestry: frozenset[str]
    coauthors: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Unit:
    """Mentions of one block compared as one: a single mention, or a same-source group."""

    rep: str
    members: tuple[str, ...]
    sources: frozenset[str]
    listings: frozenset[tuple[str, str]]
    orgs: frozenset[str]
    ancestry: frozenset[str]
    coauthors: frozenset[str]


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


def resolve_people(
    mentions: pl.DataFrame,
    overrides: Overrides | None = None,
    settings: ResolutionSettings | None = None,
) -> PeopleResolution:
    """Resolve person mentions into people, with the evidence for every decision.

    See the module docstring for the policy. The function is deterministic and
    independent of the row order of ``mentions``.

    Args:
        mentions: One row per mention, with the columns of
            :data:`MENTION_COLUMNS`: ``mention_id`` (unique, content-derived,
            e.g. ``<source path>:<line>:<position>``), ``name_as_printed``,
            ``role`` (one of :data:`ROLES`), ``source_id``, ``paper_id`` (null
            for chairs and CV owners), ``org_ids`` and ``org_ancestor_ids``
            (resolved registry ids, and those plus all their ancestors),
            ``coauthor_keys`` (name keys of the other authors of the listing).
        overrides: Curated decisions; none by default.
        settings: Thresholds; the defaults of :class:`ResolutionSettings`.

    Returns:
        The assignments, the evidence table, the possible homonyms and the
        overrides applied and unmatched.

    Raises:
        ValueError: If a column is missing, a mention id repeats, a role is
            unknown, or a must-link override contradicts a cannot-link override.
    """
    resolver = _Resolver(
        _read_mentions(mentions), overrides or Overrides(), settings or ResolutionSettings()
    )
    return resolver.run()


def _read_mentions(df: pl.DataFrame) -> list[_Mention]:
    """Validate the input frame and return its mentions in canonical order."""
    missing = [c for c in MENTION_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"mentions lack the columns {missing}")
    out = []
    seen: set[str] = set()
    for row in df.select(list(MENTION_COLUMNS)).iter_rows(named=True):
        mention_id, name, role = row["mention_id"], row["name_as_printed"], row["role"]
        if not isinstance(mention_id, str) or not mention_id:
            raise ValueError("every mention needs a non-empty mention_id")
        if mention_id in seen:
            raise ValueError(f"mention_id {mention_id!r} repeats")
        seen.add(mention_id)
        if not isinstance(name, str):
            raise ValueError(f"mention {mention_id!r}: name_as_printed is missing")
        if role not in ROLES:
            raise ValueError(f"mention {mention_id!r}: unknown role {role!r}")
        if not isinstance(row["source_id"], str) or not row["source_id"]:
            raise ValueError(f"mention {mention_id!r}: source_id is missing")
        orgs = frozenset(row["org_ids"] or ())
        out.append(
            _Mention(
                id=mention_id,
                name=name,
                key=name_key(name),
                role=role,
                source=row["source_id"],
                paper=row["paper_id"],
                orgs=orgs,
                ancestry=orgs | frozenset(row["org_ancestor_ids"] or ()),
                coauthors=frozenset(row["coauthor_keys"] or ()),
            )
        )
    return sorted(out, key=lambda m: mention_sort_key(m.id))


class _Clusters:
    """Union-find with constraints: a union that would join a constrained pair is refused."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}
        # root -> {constrained mention: origins of the constraints}
        self.forbidden: dict[str, dict[str, set[str]]] = {i: {} for i in self.parent}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def forbid(self, a: str, b: str, origin: str) -> None:
        self.forbidden[self.find(a)].setdefault(b, set()).add(origin)
        self.forbidden[self.find(b)].setdefault(a, set()).add(origin)

    def blocker(self, a: str, b: str, origins: frozenset[str] | None = None) -> str | None:
        """Return the origin of a constraint that forbids joining a's and b's clusters."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        found = sorted(
            origin
            for other, kinds in self.forbidden[ra].items()
            if self.find(other) == rb
            for origin in kinds
            if origins is None or origin in origins
        )
        return found[0] if found else None

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        # The canonical-first root keeps the structure independent of call order.
        keep, drop = sorted((ra, rb), key=mention_sort_key)
        self.parent[drop] = keep
        for other, kinds in self.forbidden.pop(drop).items():
            self.forbidden[keep].setdefault(other, set()).update(kinds)
        return True


def _features(**values: Any) -> dict[str, Any]:
    """Drop empty values so that the JSON stays short."""
    return {k: v for k, v in values.items() if v not in (None, [], (), "", False)}


class _Resolver:
    """State of one resolution run; see :func:`resolve_people`."""

    def __init__(
        self, mentions: list[_Mention], overrides: Overrides, settings: ResolutionSettings
    ) -> None:
        self.mentions = mentions
        self.by_id = {m.id: m for m in mentions}
        self.overrides = overrides
        self.settings = settings
        self.blocks: dict[str, list[_Mention]] = defaultdict(list)
        for m in mentions:
            self.blocks[m.key].append(m)
        self.clusters = _Clusters(m.id for m in mentions)
        self.links: list[_Link] = []
        self.applied: list[dict[str, Any]] = []
        self.unmatched: list[dict[str, Any]] = []
        # Mention pairs separated on purpose by a cannot-link override.
        self.certain_apart: list[tuple[str, str]] = []

    # ----------------------------------------------------------------- driver

    def run(self) -> PeopleResolution:
        must = self._match_overrides(self.overrides.must_link, "must_link")
        cannot = self._match_overrides(self.overrides.cannot_link, "cannot_link")
        automatic: list[_Link] = []
        for key in sorted(self.blocks):
            if key:
                automatic.extend(self._block_links(key, self.blocks[key]))
        for pair, a_ids, b_ids in cannot:
            self._add_cannot_link(pair, a_ids, b_ids)
        for link in automatic:
            if link.constraint:
                self.clusters.forbid(link.left, link.right, link.rule)
        for pair, a_ids, b_ids in must:
            self._apply_must_link(pair, a_ids, b_ids)
        automatic.sort(key=lambda link: (-link.score, *_pair_order(link.left, link.right)))
        for link in automatic:
            self._apply(link)
        self.links.extend(automatic)
        self._finish_cannot_links(cannot)
        return self._result()

    def _apply(self, link: _Link) -> None:
        if not link.accept:
            return
        blocker = self.clusters.blocker(link.left, link.right)
        if blocker is not None:
            link.features["blocked_by"] = blocker
            return
        self.clusters.union(link.left, link.right)
        link.merged = True

    # ----------------------------------------------------------------- overrides

    def _select(self, ref: PersonRef) -> list[str]:
        return [
            m.id
            for m in self.blocks.get(name_key(ref.name), [])
            if ref.org is None or ref.org in m.ancestry
        ]

    def _match_overrides(
        self, pairs: tuple[OverridePair, ...], kind: str
    ) -> list[tuple[OverridePair, list[str], list[str]]]:
        matched = []
        for pair in pairs:
            a_ids, b_ids = self._select(pair.a), self._select(pair.b)
            problem = None
            if not a_ids or not b_ids:
                sides = [s for s, ids in (("a", a_ids), ("b", b_ids)) if not ids]
                problem = f"side {' and '.join(sides)} matched no mention"
            elif kind == "cannot_link" and set(a_ids) & set(b_ids):
                problem = "the two sides match the same mentions"
            if problem:
                self.unmatched.append(_override_row(kind, pair, a_ids, b_ids, problem))
            else:
                matched.append((pair, a_ids, b_ids))
        return matched

    def _add_cannot_link(self, pair: OverridePair, a_ids: list[str], b_ids: list[str]) -> None:
        for a in a_ids:
            for b in b_ids:
                self.clusters.forbid(a, b, RULE_CANNOT_LINK)
        self.certain_apart.extend((a, b) for a in a_ids for b in b_ids)

    def _apply_must_link(self, pair: OverridePair, a_ids: list[str], b_ids: list[str]) -> None:
        ids = a_ids + b_ids
        for other in ids[1:]:
            blocker = self.clusters.blocker(ids[0], other, frozenset({RULE_CANNOT_LINK}))
            if blocker is not None:
                raise ValueError(
                    f"must-link {pair.a.describe()!r} = {pair.b.describe()!r} contradicts a "
                    "cannot-link override"
                )
            self.clusters.union(ids[0], other)
        keys = sorted({self.by_id[i].key for i in ids})
        self.links.append(
            _Link(
                left=a_ids[0],
                right=b_ids[0],
                name_key="|".join(keys),
                rule=RULE_MUST_LINK,
                features=_features(
                    a=pair.a.describe(), b=pair.b.describe(), mentions=ids, reason=pair.reason
                ),
                score=1.0,
                accept=True,
                merged=True,
            )
        )
        self.applied.append(_override_row("must_link", pair, a_ids, b_ids, "merged"))

    def _finish_cannot_links(self, cannot: list[tuple[OverridePair, list[str], list[str]]]) -> None:
        for pair, a_ids, b_ids in cannot:
            blocked = sum(
                1
                for link in self.links
                if link.features.get("blocked_by") == RULE_CANNOT_LINK
                and {link.left, link.right} & set(a_ids)
                and {link.left, link.right} & set(b_ids)
            )
            keys = sorted({self.by_id[i].key for i in a_ids + b_ids})
            self.links.append(
                _Link(
                    left=a_ids[0],
                    right=b_ids[0],
                    name_key="|".join(keys),
                    rule=RULE_CANNOT_LINK,
                    features=_features(
                        a=pair.a.describe(), b=pair.b.describe(), reason=pair.reason
                    ),
                    score=0.0,
                    accept=False,
                )
            )
            effect = f"blocked {blocked} link(s)" if blocked else "no automatic link to block"
            self.applied.append(_override_row("cannot_link", pair, a_ids, b_ids, effect))

    # ----------------------------------------------------------------- blocks

    def _units(self, key: str, block: list[_Mention]) -> tuple[list[_Unit], list[_Link]]:
        """Group a block's same-source-role mentions into units; star links tie each group."""
        groups: dict[str, list[_Mention]] = defaultdict(list)
        singles: list[_Mention] = []
        for m in block:
            if m.role in self.settings.same_source_roles:
                groups[m.source].append(m)
            else:
                singles.append(m)
        units = [_unit([m], key=key) for m in singles]
        stars = []
        for source in sorted(groups):
            members = groups[source]
            units.append(_unit(members, key=key))
            for m in members[1:]:
                stars.append(
                    _Link(
                        left=members[0].id,
                        right=m.id,
                        name_key=key,
                        rule=RULE_SAME_SOURCE_ROLE,
                        features=_features(
                            source_id=source, roles=sorted({members[0].role, m.role})
                        ),
                        score=1.0,
                        accept=True,
                    )
                )
        units.sort(key=lambda u: mention_sort_key(u.rep))
        return units, stars

    def _block_links(self, key: str, block: list[_Mention]) -> list[_Link]:
        units, links = self._units(key, block)
        for i, u in enumerate(units):
            for v in units[i + 1 :]:
                links.append(self._compare(key, u, v))
        return links

    def _compare(self, key: str, u: _Unit, v: _Unit) -> _Link:
        s = self.settings
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
        if {p for _, p in u.listings} & {p for _, p in v.listings}:
            return link(RULE_SAME_PAPER, 1.0, accept=True)
        if relation == "disjoint" and same_source:
            if len(shared) >= s.min_coauthors_against_conflict:
                return link(RULE_SHARED_COAUTHOR, round(coauthor_score, 6), accept=True)
            return link(RULE_CONFLICTING_ORGS, score, accept=False, constraint=True)
        rule = _strongest_rule(relation, org_score, coauthor_score)
        return link(rule, score, accept=score >= s.merge_threshold)

    # ----------------------------------------------------------------- output

    def _result(self) -> PeopleResolution:
        members: dict[str, list[str]] = defaultdict(list)
        for m in self.mentions:
            members[self.clusters.find(m.id)].append(m.id)
        person_of_root = {root: stable_person_id(ids) for root, ids in members.items()}
        person = {m.id: person_of_root[self.clusters.find(m.id)] for m in self.mentions}
        assignments = pl.DataFrame(
            [(m.id, person[m.id], m.key) for m in self.mentions],
            schema=dict(ASSIGNMENT_SCHEMA),
            orient="row",
        )
        self.links.sort(
            key=lambda link: (link.name_key, *_pair_order(link.left, link.right), link.rule)
        )
        links = pl.DataFrame(
            [
                (
                    link.left,
                    link.right,
                    link.name_key,
                    link.rule,
                    json.dumps(link.features, sort_keys=True, ensure_ascii=False),
                    float(link.score),
                    link.merged,
                )
                for link in self.links
            ],
            schema=dict(LINK_SCHEMA),
            orient="row",
        )
        return PeopleResolution(
            assignments=assignments,
            links=links,
            possible_homonyms=self._homonyms(person),
            overrides_applied=_override_frame(self.applied),
            overrides_unmatched=_override_frame(self.unmatched),
        )

    def _homonyms(self, person: Mapping[str, str]) -> pl.DataFrame:
        """List the pairs of clusters of one key that the algorithm kept apart.

        The left cluster is the one whose first mention of the key comes first.
        """
        certain = {frozenset((person[a], person[b])) for a, b in self.certain_apart}
        by_key: dict[str, list[_Link]] = defaultdict(list)
        for link in self.links:
            if link.rule not in (RULE_MUST_LINK, RULE_CANNOT_LINK):
                by_key[link.name_key].append(link)
        between: dict[tuple[str, str, str], list[_Link]] = defaultdict(list)
        for key in sorted(by_key):
            order: dict[str, int] = {}
            for m in self.blocks[key]:
                order.setdefault(person[m.id], len(order))
            for link in by_key[key]:
                a, b = person[link.left], person[link.right]
                if a != b:
                    left, right = sorted((a, b), key=order.__getitem__)
                    between[(key, left, right)].append(link)
        rows = []
        for (key, left, right), links in between.items():
            if frozenset((left, right)) in certain or any(
                x.rule == RULE_SAME_AUTHOR_LIST for x in links
            ):
                continue
            left_mentions = self._cluster_mentions(person, left, key)
            rule, reason = _homonym_reason(links, set(left_mentions), self.settings)
            rows.append(
                (
                    key,
                    left,
                    right,
                    left_mentions,
                    self._cluster_mentions(person, right, key),
                    rule,
                    reason,
                )
            )
        return pl.DataFrame(rows, schema=dict(HOMONYM_SCHEMA), orient="row")

    def _cluster_mentions(self, person: Mapping[str, str], person_key: str, key: str) -> list[str]:
        return [m.id for m in self.blocks[key] if person[m.id] == person_key]


def _unit(members: list[_Mention], *, key: str) -> _Unit:
    """Pool the evidence of mentions compared as one."""
    return _Unit(
        rep=members[0].id,
        members=tuple(m.id for m in members),
        sources=frozenset(m.source for m in members),
        listings=frozenset((m.source, m.paper) for m in members if m.paper is not None),
        orgs=frozenset().union(*(m.orgs for m in members)),
        ancestry=frozenset().union(*(m.ancestry for m in members)),
        # The block's own key is no evidence: it is the person, not a collaborator.
        coauthors=frozenset().union(*(m.coauthors for m in members)) - {key},
    )


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


def _homonym_reason(
    links: list[_Link], left_side: set[str], settings: ResolutionSettings
) -> tuple[str, str]:
    """Explain why two same-key clusters were kept apart, from the links between them."""
    conflicts = [x for x in links if x.rule == RULE_CONFLICTING_ORGS]
    if conflicts:
        first = conflicts[0]
        mine, theirs = first.features.get("left_orgs", []), first.features.get("right_orgs", [])
        if first.left not in left_side:
            mine, theirs = theirs, mine
        shared = first.features.get("shared_coauthors", [])
        return RULE_CONFLICTING_ORGS, (
            f"same source, disjoint organizations {mine} vs {theirs}"
            + (f"; only {len(shared)} shared co-author(s) {shared}" if shared else "")
        )
    blocked = [x for x in links if x.accept and "blocked_by" in x.features]
    if blocked:
        first_blocked = blocked[0]
        return first_blocked.rule, (
            f"{first_blocked.rule} (score {first_blocked.score}) blocked by "
            f"{first_blocked.features['blocked_by']} elsewhere in the clusters"
        )
    best = max(links, key=lambda x: x.score)
    if best.score > 0.0:
        return best.rule, (
            f"thin evidence: best score {best.score} below the threshold {settings.merge_threshold}"
        )
    return RULE_NO_EVIDENCE, "thin evidence: same name key, no shared organization or co-author"


def _pair_order(a: str, b: str) -> tuple[tuple[tuple[int, int, str], ...], ...]:
    """Canonical sort key of a link's two ends."""
    return (mention_sort_key(a), mention_sort_key(b))


def _override_row(
    kind: str, pair: OverridePair, a_ids: list[str], b_ids: list[str], effect: str
) -> dict[str, Any]:
    return {
        "kind": kind,
        "a": pair.a.describe(),
        "b": pair.b.describe(),
        "reason": pair.reason,
        "a_mentions": a_ids,
        "b_mentions": b_ids,
        "effect": effect,
    }


def _override_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    ordered = sorted(rows, key=lambda r: (r["kind"], r["a"], r["b"], r["reason"]))
    return pl.DataFrame(ordered, schema=dict(OVERRIDE_SCHEMA))
