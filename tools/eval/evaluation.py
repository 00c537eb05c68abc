"""Scoring a people resolution against labels written by reading the inputs.

The labels (``tools/eval/labels/people_pairs.yaml``) are items of mentions that a
reader is sure about: a group of mentions of one person (``same: true``), or two
mentions of different people (``same: false``), each mention identified by the
raw file, the line and the name as printed there. This module parses them and
computes two standard measures of entity resolution:

- **pairwise** precision, recall and F1 over the labelled pairs: a positive
  pair predicted in one cluster is a true positive, a negative pair predicted in
  one cluster a false positive, a positive pair predicted apart a false
  negative;
- **B-cubed** precision, recall and F1 over the labelled mentions, with the
  gold clusters built from the positive labels (Bagga and Baldwin, 1998):
  per mention, the share of its predicted cluster that is in its gold cluster
  (precision) and the share of its gold cluster that is in its predicted
  cluster (recall), averaged over mentions. Clusters are restricted to the
  labelled mentions, so unlabelled mentions neither help nor hurt.

Pure: no I/O. Callers resolve the label references to mention ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import yaml

LABELS_VERSION = 1


@dataclass(frozen=True, slots=True)
class MentionRef:
    """A mention as a reader finds it: raw file (relative to raw/), 1-based line, printed name."""

    file: str
    line: int
    name: str


@dataclass(frozen=True, slots=True)
class LabelItem:
    """One labelled decision: mentions of one person, or two mentions of different people."""

    mentions: tuple[MentionRef, ...]
    same: bool
    reason: str


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """Two mention ids and whether they are the same person."""

    left: str
    right: str
    same: bool


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and their harmonic mean, each in [0, 1]."""

    precision: float
    recall: float
    f1: float


def parse_labels(yaml_text: str) -> tuple[LabelItem, ...]:
    """Parse and check the labels file.

    Format: ``version: 1``, ``files`` (alias -> raw file name) and ``items``, a
    list of mappings with ``same`` (bool), ``reason`` (non-empty) and
    ``mentions``: a list of ``[file alias, line, name as printed]``. A
    ``same: true`` item has two or more mentions (all pairs among them are
    positive); a ``same: false`` item has exactly two.

    Args:
        yaml_text: The YAML text.

    Returns:
        The items in file order.

    Raises:
        ValueError: If the text is malformed; the message names the item.
    """
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        raise ValueError(f"labels are not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping) or data.get("version") != LABELS_VERSION:
        raise ValueError(f"labels must be a mapping with version: {LABELS_VERSION}")
    files = data.get("files")
    items = data.get("items")
    if not isinstance(files, Mapping) or not isinstance(items, list):
        raise ValueError("labels need a 'files' mapping and an 'items' list")
    return tuple(_parse_item(i, raw, files) for i, raw in enumerate(items))


def _parse_item(index: int, raw: Any, files: Mapping[str, str]) -> LabelItem:
    """Check one item of the labels file."""
    where = f"items[{index}]"
    if not isinstance(raw, Mapping) or set(raw) != {"same", "reason", "mentions"}:
        raise ValueError(f"{where}: an item has exactly the keys same, reason and mentions")
    same, reason, mentions = raw["same"], raw["reason"], raw["mentions"]
    if not isinstance(same, bool):
        raise ValueError(f"{where}: same must be true or false")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where}: reason must be a non-empty string")
    if not isinstance(mentions, list):
        raise ValueError(f"{where}: mentions must be a list")
    refs = []
    for entry in mentions:
        if (
            not isinstance(entry, list)
            or len(entry) != 3
            or entry[0] not in files
            or not isinstance(entry[1], int)
            or not isinstance(entry[2], str)
        ):
            raise ValueError(f"{where}: a mention is [file alias, line, name], got {entry!r}")
        refs.append(MentionRef(files[entry[0]], entry[1], entry[2]))
    if len(set(refs)) != len(refs):
        raise ValueError(f"{where}: a mention is listed twice")
    if (same and len(refs) < 2) or (not same and len(refs) != 2):
        raise ValueError(f"{where}: same: true needs 2+ mentions, same: false exactly 2")
    return LabelItem(tuple(refs), same, reason)


def label_pairs(
    items: Iterable[LabelItem], resolve: Callable[[MentionRef], str]
) -> list[LabelledPair]:
    """Expand label items into labelled pairs of mention ids.

    Args:
        items: The parsed labels.
        resolve: Maps a mention reference to its mention id (and raises when
            the reference matches no mention, so a stale label fails loudly).

    Returns:
        The pairs: all pairs of each positive item, the pair of each negative.
    """
    pairs = []
    for item in items:
        ids = [resolve(ref) for ref in item.mentions]
        pairs.extend(LabelledPair(a, b, item.same) for a, b in combinations(ids, 2))
    return pairs


def pairwise_scores(predicted: Mapping[str, str], labels: Iterable[LabelledPair]) -> Scores:
    """Score predicted clusters on labelled pairs.

    Args:
        predicted: mention id -> predicted cluster (person) key.
        labels: The labelled pairs.

    Returns:
        Pairwise precision, recall and F1. With no predicted positive pair
        precision is 1.0; with no positive label recall is 1.0 (nothing to find).

    Raises:
        KeyError: If a labelled mention has no prediction.
    """
    tp = fp = fn = 0
    for pair in labels:
        together = _cluster(predicted, pair.left) == _cluster(predicted, pair.right)
        if together and pair.same:
            tp += 1
        elif together:
            fp += 1
        elif pair.same:
            fn += 1
    return _scores(tp, fp, fn)


def gold_clusters(labels: Iterable[LabelledPair]) -> dict[str, str]:
    """Build the gold clustering of the labelled mentions from the positive pairs.

    Every labelled mention gets a cluster (a mention only in negative pairs is
    alone); the cluster id is its smallest mention id.

    Raises:
        ValueError: If a negative pair falls inside one gold cluster (the
            labels contradict each other).
    """
    labels = list(labels)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in labels:
        ra, rb = find(pair.left), find(pair.right)
        if pair.same and ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        members[find(x)].append(x)
    gold = {x: min(group) for group in members.values() for x in group}
    for pair in labels:
        if not pair.same and gold[pair.left] == gold[pair.right]:
            raise ValueError(f"labels contradict: {pair.left} and {pair.right}")
    return gold


def bcubed_f1(predicted: Mapping[str, str], labels: Iterable[LabelledPair]) -> Scores:
    """Score predicted clusters with B-cubed over the labelled mentions.

    Args:
        predicted: mention id -> predicted cluster (person) key.
        labels: The labelled pairs; gold clusters come from :func:`gold_clusters`.

    Returns:
        B-cubed precision, recall and F1 (all 1.0 when nothing is labelled).

    Raises:
        KeyError: If a labelled mention has no prediction.
        ValueError: If the labels contradict each other.
    """
    gold = gold_clusters(labels)
    if not gold:
        return Scores(1.0, 1.0, 1.0)
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_pred: dict[str, set[str]] = defaultdict(set)
    for mention, cluster in gold.items():
        by_gold[cluster].add(mention)
        by_pred[_cluster(predicted, mention)].add(mention)
    precision = recall = 0.0
    for mention, cluster in gold.items():
        mine_gold = by_gold[cluster]
        mine_pred = by_pred[_cluster(predicted, mention)]
        both = len(mine_gold & mine_pred)
        precision += both / len(mine_pred)
        recall += both / len(mine_gold)
    precision /= len(gold)
    recall /= len(gold)
    return Scores(precision, recall, _f1(precision, recall))


def _cluster(predicted: Mapping[str, str], mention: str) -> str:
    """Look a mention's predicted cluster up, naming the mention when it is missing."""
    try:
        return predicted[mention]
    except KeyError:
        raise KeyError(f"no prediction for labelled mention {mention!r}") from None


def _scores(tp: int, fp: int, fn: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
