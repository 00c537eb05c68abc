"""Unit tests for tools.eval.evaluation: label parsing, pairwise and B-cubed scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from confdata.normalize.names import name_key
from tools.eval.evaluation import (
    LabelledPair,
    MentionRef,
    Scores,
    bcubed_f1,
    gold_clusters,
    label_pairs,
    pairwise_scores,
    parse_labels,
)

LABELS = Path(__file__).parents[2] / "tools" / "eval" / "labels" / "people_pairs.yaml"

# Gold: {a, b, c} one person, {d} another; labels say so with 3 positives and 1 negative.
PAIRS = [
    LabelledPair("a", "b", True),
    LabelledPair("a", "c", True),
    LabelledPair("b", "c", True),
    LabelledPair("a", "d", False),
]


def test_perfect_prediction_scores_one() -> None:
    """Predicting exactly the gold clusters gives precision, recall and F1 of 1."""
    predicted = {"a": "P1", "b": "P1", "c": "P1", "d": "P2"}
    assert pairwise_scores(predicted, PAIRS) == Scores(1.0, 1.0, 1.0)
    assert bcubed_f1(predicted, PAIRS) == Scores(1.0, 1.0, 1.0)


def test_over_merging_costs_precision() -> None:
    """Merging a negative pair is a false positive: pairwise precision 3/4."""
    predicted = dict.fromkeys("abcd", "P")
    scores = pairwise_scores(predicted, PAIRS)
    assert scores.precision == pytest.approx(0.75) and scores.recall == 1.0
    # B-cubed: a, b, c see 3 of 4 right, d sees 1 of 4 -> precision (3 * 3/4 + 1/4) / 4.
    assert bcubed_f1(predicted, PAIRS).precision == pytest.approx((3 * 0.75 + 0.25) / 4)


def test_over_splitting_costs_recall() -> None:
    """Splitting everything finds no positive pair: recall 0, precision 1 by convention."""
    predicted = {m: m.upper() for m in "abcd"}
    scores = pairwise_scores(predicted, PAIRS)
    assert scores == Scores(1.0, 0.0, 0.0)
    bcubed = bcubed_f1(predicted, PAIRS)
    assert bcubed.precision == 1.0
    assert bcubed.recall == pytest.approx((3 * (1 / 3) + 1) / 4)


def test_partial_split_hand_computed() -> None:
    """{a, b} | {c} | {d}: one positive pair found of three; B-cubed recall (2/3 * 2 + 1/3 + 1) / 4."""
    predicted = {"a": "P1", "b": "P1", "c": "P2", "d": "P3"}
    scores = pairwise_scores(predicted, PAIRS)
    assert scores.precision == 1.0 and scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(0.5)
    assert bcubed_f1(predicted, PAIRS).recall == pytest.approx((2 / 3 * 2 + 1 / 3 + 1) / 4)


def test_unlabelled_mentions_do_not_count() -> None:
    """Predicted clusters are restricted to labelled mentions."""
    predicted = {"a": "P1", "b": "P1", "c": "P1", "d": "P2", "z": "P1"}
    assert bcubed_f1(predicted, PAIRS) == Scores(1.0, 1.0, 1.0)


def test_missing_prediction_is_an_error() -> None:
    """A labelled mention without a prediction fails loudly, naming it."""
    with pytest.raises(KeyError, match="'d'"):
        pairwise_scores({"a": "P", "b": "P", "c": "P"}, PAIRS)


def test_contradicting_labels_are_refused() -> None:
    """A negative pair inside a positive group is a contradiction in the labels."""
    with pytest.raises(ValueError, match="contradict"):
        gold_clusters([*PAIRS, LabelledPair("b", "c", False)])
    assert gold_clusters(PAIRS) == {"a": "a", "b": "a", "c": "a", "d": "d"}


def test_no_labels_scores_one() -> None:
    """Nothing labelled: nothing wrong."""
    assert pairwise_scores({}, []) == Scores(1.0, 1.0, 1.0)
    assert bcubed_f1({}, []) == Scores(1.0, 1.0, 1.0)


def test_parse_and_expand_labels() -> None:
    """A positive item of three mentions gives three pairs; a negative item one."""
    items = parse_labels(
        """
version: 1
files: {p: prog.txt}
items:
  - {same: true, reason: r, mentions: [[p, 1, A B], [p, 2, A B], [p, 3, A B]]}
  - {same: false, reason: r, mentions: [[p, 1, A B], [p, 9, A C]]}
"""
    )
    assert items[0].mentions[2] == MentionRef("prog.txt", 3, "A B")
    pairs = label_pairs(items, lambda ref: f"{ref.file}:{ref.line}")
    assert pairs == [
        LabelledPair("prog.txt:1", "prog.txt:2", True),
        LabelledPair("prog.txt:1", "prog.txt:3", True),
        LabelledPair("prog.txt:2", "prog.txt:3", True),
        LabelledPair("prog.txt:1", "prog.txt:9", False),
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("{same: true, reason: r, mentions: [[p, 1, A]]}", "2\\+ mentions"),
        ("{same: false, reason: r, mentions: [[p, 1, A], [p, 2, B], [p, 3, C]]}", "exactly 2"),
        ("{same: yes please, reason: r, mentions: []}", "true or false"),
        ("{same: true, reason: '', mentions: [[p, 1, A], [p, 2, A]]}", "reason"),
        ("{same: true, reason: r, mentions: [[q, 1, A], [p, 2, A]]}", "file alias"),
        ("{same: true, reason: r, mentions: [[p, 1, A], [p, 1, A]]}", "listed twice"),
        ("{same: true, mentions: []}", "exactly the keys"),
    ],
)
def test_malformed_items_are_refused(item: str, message: str) -> None:
    """Each malformed label item is refused with a message naming it."""
    with pytest.raises(ValueError, match=message):
        parse_labels(f"version: 1\nfiles: {{p: prog.txt}}\nitems:\n  - {item}\n")


def test_repository_labels_are_consistent_and_large_enough() -> None:
    """The eval set parses, does not contradict itself and has 60+ labelled pairs."""
    items = parse_labels(LABELS.read_text(encoding="utf-8"))
    pairs = label_pairs(items, lambda ref: f"{ref.file}:{ref.line}:{ref.name}")
    gold_clusters(pairs)  # raises on contradictions
    assert len(pairs) >= 60
    assert any(not p.same for p in pairs)
    people = [ref for item in items if item.same for ref in item.mentions]
    assert len(people) == len(set(people)), "a mention is in two positive items"
    # One positive item per person: two items of one key would make gold split a person.
    keys = [k for item in items if item.same for k in {name_key(r.name) for r in item.mentions}]
    assert len(keys) == len(set(keys)), "two positive items share a name key"
