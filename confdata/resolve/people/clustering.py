"""Clustering of person mentions: union-find over the evidence, under constraints.

Rule 6 of the policy in :mod:`confdata.resolve.people.resolution`: the must-link overrides are
applied first, then the accepted links of :mod:`confdata.resolve.people.evidence`,
strongest first, where a union is refused if it would put the two sides of a
constraint (a cannot-link override, a contradiction, a shared author list) into
one cluster. The outcome is a :class:`PeopleResolution`: the assignments, the
evidence table, the possible homonyms and the overrides applied and unmatched.
The module is pure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from confdata.reference.overrides import (
    OverridePair,
    Overrides,
    _match_overrides,
    _override_frame,
    _override_row,
)
from confdata.resolve.people.evidence import (
    RULE_CANNOT_LINK,
    RULE_CONFLICTING_ORGS,
    RULE_MUST_LINK,
    RULE_NO_EVIDENCE,
    RULE_SAME_AUTHOR_LIST,
    BlockLimit,
    ResolutionSettings,
    _block_links,
    _features,
    _Link,
    _Unit,
)
from confdata.resolve.people.ids import mention_sort_key, person_id_of_earliest
from confdata.resolve.people.units import PooledMentions

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
        limited_blocks: Name blocks that reached
            :data:`~confdata.resolve.people.evidence.GREEDY_CLUSTER_LIMIT`, by name key.
    """

    assignments: pl.DataFrame
    links: pl.DataFrame
    possible_homonyms: pl.DataFrame
    overrides_applied: pl.DataFrame
    overrides_unmatched: pl.DataFrame
    limited_blocks: tuple[BlockLimit, ...] = ()

    def clusters(self) -> dict[str, list[str]]:
        """Return person_key -> its mention ids, in canonical mention order."""
        grouped = self.assignments.group_by("person_key", maintain_order=True).agg("mention_id")
        return dict(
            sorted(zip(grouped["person_key"], grouped["mention_id"].to_list(), strict=True))
        )


class _Clusters:
    """Union-find with constraints: a union that would join a constrained pair is refused."""

    def __init__(self, ranks: Mapping[str, int]) -> None:
        self.rank = ranks
        self.parent = {i: i for i in ranks}
        # root -> {constrained unit: origins of the constraints}
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
        keep, drop = sorted((ra, rb), key=self.rank.__getitem__)
        self.parent[drop] = keep
        for other, kinds in self.forbidden.pop(drop).items():
            self.forbidden[keep].setdefault(other, set()).update(kinds)
        return True


class _Resolver:
    """State of one resolution run over pooled units; see :func:`resolve_people`.

    The nodes of the clustering are units (named by their first mentions); a
    pooled mention follows its unit (its star link is always merged).
    """

    def __init__(
        self, pooled: PooledMentions, overrides: Overrides, settings: ResolutionSettings
    ) -> None:
        self.pooled = pooled
        self.by_id = {u.rep: u for u in pooled.units}
        self.overrides = overrides
        self.settings = settings
        self.blocks: dict[str, list[_Unit]] = defaultdict(list)
        for u in pooled.units:
            self.blocks[u.key].append(u)
        self.clusters = _Clusters({u.rep: u.rank for u in pooled.units})
        self.links: list[_Link] = []
        self.applied: list[dict[str, Any]] = []
        self.unmatched: list[dict[str, Any]] = []
        self._members_of: dict[str, list[str]] = {}
        # Unit pairs separated on purpose by a cannot-link override.
        self.certain_apart: list[tuple[str, str]] = []
        self.limits: list[BlockLimit] = []

    def _members(self, reps: Iterable[str]) -> list[str]:
        """The mentions of units, unit by unit, each unit's in canonical order."""
        reps = list(reps)
        self._fetch_members(reps)
        return [m for r in reps for m in self._members_of[r]]

    def _fetch_members(self, reps: Iterable[str]) -> None:
        """Look up the mentions of units not looked up yet, in one pass over the mentions.

        Only overrides and possible homonyms name mentions, so the mentions of most
        units (a million in a large corpus) are never turned into Python objects.
        """
        missing = sorted(set(reps) - self._members_of.keys())
        if not missing:
            return
        found = (
            self.pooled.mentions.filter(pl.col("unit").is_in(missing))
            .sort("rank")
            .group_by("unit", maintain_order=True)
            .agg("mention_id")
        )
        self._members_of.update(
            zip(found["unit"].to_list(), found["mention_id"].to_list(), strict=True)
        )

    def _order(self, a: str, b: str) -> tuple[int, int]:
        """Canonical sort key of a link's two ends."""
        return (self.by_id[a].rank, self.by_id[b].rank)

    # ----------------------------------------------------------------- driver

    def run(self) -> PeopleResolution:
        must = _match_overrides(
            self.overrides.must_link, "must_link", self.blocks, self.unmatched, self._members
        )
        cannot = _match_overrides(
            self.overrides.cannot_link, "cannot_link", self.blocks, self.unmatched, self._members
        )
        automatic: list[_Link] = []
        for key in sorted(self.blocks):
            if key:
                links, limit = _block_links(key, self.blocks[key], self.settings)
                automatic.extend(links)
                if limit is not None:
                    self.limits.append(limit)
        for pair, a_ids, b_ids in cannot:
            self._add_cannot_link(pair, a_ids, b_ids)
        for link in automatic:
            if link.constraint:
                self.clusters.forbid(link.left, link.right, link.rule)
        for pair, a_ids, b_ids in must:
            self._apply_must_link(pair, a_ids, b_ids)
        automatic.sort(key=lambda link: (-link.score, *self._order(link.left, link.right)))
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
        self.links.append(
            self._override_link(
                pair, a_ids, b_ids, RULE_MUST_LINK, 1.0, mentions=self._members(ids)
            )
        )
        self.applied.append(
            _override_row("must_link", pair, self._members(a_ids), self._members(b_ids), "merged")
        )

    def _override_link(
        self,
        pair: OverridePair,
        a_ids: list[str],
        b_ids: list[str],
        rule: str,
        score: float,
        **extra: Any,
    ) -> _Link:
        """The evidence row of an override: its sides, their keys, its reason."""
        keys = sorted({self.by_id[i].key for i in a_ids + b_ids})
        features = {"a": pair.a.describe(), "b": pair.b.describe(), **extra, "reason": pair.reason}
        must = rule == RULE_MUST_LINK
        return _Link(
            left=a_ids[0],
            right=b_ids[0],
            name_key="|".join(keys),
            rule=rule,
            features=_features(**features),
            score=score,
            accept=must,
            merged=must,
        )

    def _finish_cannot_links(self, cannot: list[tuple[OverridePair, list[str], list[str]]]) -> None:
        for pair, a_ids, b_ids in cannot:
            blocked = sum(
                1
                for link in self.links
                if link.features.get("blocked_by") == RULE_CANNOT_LINK
                and {link.left, link.right} & set(a_ids)
                and {link.left, link.right} & set(b_ids)
            )
            self.links.append(self._override_link(pair, a_ids, b_ids, RULE_CANNOT_LINK, 0.0))
            effect = f"blocked {blocked} link(s)" if blocked else "no automatic link to block"
            self.applied.append(
                _override_row(
                    "cannot_link", pair, self._members(a_ids), self._members(b_ids), effect
                )
            )

    # ----------------------------------------------------------------- output

    def _result(self) -> PeopleResolution:
        reps_of: dict[str, list[str]] = defaultdict(list)
        for u in self.pooled.units:
            reps_of[self.clusters.find(u.rep)].append(u.rep)
        # A cluster's earliest mention is its earliest unit's first mention; its id
        # hashes that mention's content key.
        earliest = {
            root: min(reps, key=lambda r: self.by_id[r].rank) for root, reps in reps_of.items()
        }
        content_of = self.pooled.rep_content
        person_of_root = {
            root: person_id_of_earliest(content_of[rep]) for root, rep in earliest.items()
        }
        person = {u.rep: person_of_root[self.clusters.find(u.rep)] for u in self.pooled.units}
        assignments = (
            self.pooled.mentions.sort("rank")
            .with_columns(
                pl.col("unit").replace_strict(person, return_dtype=pl.Utf8).alias("person_key")
            )
            .select(list(ASSIGNMENT_SCHEMA))
        )
        unit_links = pl.DataFrame(
            [
                (
                    link.left,
                    link.right,
                    link.name_key,
                    link.rule,
                    json.dumps(link.features, sort_keys=True, ensure_ascii=False),
                    float(link.score),
                    link.merged,
                    *self._order(link.left, link.right),
                )
                for link in self.links
            ],
            schema={**LINK_SCHEMA, "left_rank": pl.UInt32(), "right_rank": pl.UInt32()},
            orient="row",
        )
        links = (
            pl.concat([unit_links, self.pooled.stars.cast(dict(unit_links.schema))])
            .sort("name_key", "left_rank", "right_rank", "rule")
            .select(list(LINK_SCHEMA))
        )
        return PeopleResolution(
            assignments=assignments,
            links=links,
            possible_homonyms=self._homonyms(person),
            overrides_applied=_override_frame(self.applied),
            overrides_unmatched=_override_frame(self.unmatched),
            limited_blocks=tuple(self.limits),
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
            for u in self.blocks[key]:
                order.setdefault(person[u.rep], len(order))
            for link in by_key[key]:
                a, b = person[link.left], person[link.right]
                if a != b:
                    left, right = sorted((a, b), key=order.__getitem__)
                    between[(key, left, right)].append(link)
        self._fetch_members(u.rep for key, _, _ in between for u in self.blocks[key])
        # Each cluster's units and mentions of a key, gathered once: a greedy block has
        # up to GREEDY_CLUSTER_LIMIT clusters, each in several pairs.
        reps_of: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key in sorted({key for key, _, _ in between}):
            for u in self.blocks[key]:
                reps_of[(key, person[u.rep])].append(u.rep)
        mentions_of: dict[tuple[str, str], list[str]] = {}

        def cluster_mentions(key: str, person_key: str) -> list[str]:
            if (key, person_key) not in mentions_of:
                mine = self._members(reps_of[(key, person_key)])
                mentions_of[(key, person_key)] = sorted(mine, key=mention_sort_key)
            return mentions_of[(key, person_key)]

        rows = []
        for (key, left, right), links in between.items():
            if frozenset((left, right)) in certain or any(
                x.rule == RULE_SAME_AUTHOR_LIST for x in links
            ):
                continue
            rule, reason = _homonym_reason(links, set(reps_of[(key, left)]), self.settings)
            rows.append(
                (
                    key,
                    left,
                    right,
                    cluster_mentions(key, left),
                    cluster_mentions(key, right),
                    rule,
                    reason,
                )
            )
        return pl.DataFrame(rows, schema=dict(HOMONYM_SCHEMA), orient="row")


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
