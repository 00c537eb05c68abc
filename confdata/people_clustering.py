"""Clustering of person mentions: union-find over the evidence, under constraints.

Rule 6 of the policy in :mod:`confdata.people`: the must-link overrides are
applied first, then the accepted links of :mod:`confdata.people_evidence`,
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

from confdata.people_evidence import (
    RULE_CANNOT_LINK,
    RULE_CONFLICTING_ORGS,
    RULE_MUST_LINK,
    RULE_NO_EVIDENCE,
    RULE_SAME_AUTHOR_LIST,
    ResolutionSettings,
    _block_links,
    _features,
    _Link,
    _Mention,
)
from confdata.people_ids import mention_sort_key, stable_person_id
from confdata.people_overrides import (
    OverridePair,
    Overrides,
    _match_overrides,
    _override_frame,
    _override_row,
)

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
        must = _match_overrides(self.overrides.must_link, "must_link", self.blocks, self.unmatched)
        cannot = _match_overrides(
            self.overrides.cannot_link, "cannot_link", self.blocks, self.unmatched
        )
        automatic: list[_Link] = []
        for key in sorted(self.blocks):
            if key:
                automatic.extend(_block_links(key, self.blocks[key], self.settings))
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
