"""Person ids: the canonical order of mention ids, a cluster's stable id, redirects.

A person's id is derived from the ids of its mentions (:func:`stable_person_id`),
in the order given by :func:`mention_sort_key`, so it survives re-runs and row
reordering; :func:`redirects` maps the ids of a previous release that disappeared
to their successors. The module is pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from confdata.ids import stable_id

_NATURAL_RE = re.compile(r"(\d+)")
# A mention id as confdata.mentions builds it: <path>:<line>:<position>, where the
# position is a number, "chair<n>" or "owner".
_MENTION_ID_PATTERN = r"^(.*):(\d+):([a-z]*)(\d*)$"


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


def canonical_ranks(ids: pl.Series) -> pl.Series:
    """Return each id's position (0, 1, …) in :func:`mention_sort_key` order, as UInt32.

    The ids must be unique. Ids of the form ``<path>:<line>:<position>`` (every
    mention id the pipeline builds) are ranked without a Python call per id:
    their order is that of (path, line, position text, position number), where
    paths are ranked once each by :func:`mention_sort_key` of ``<path>:0:0``.
    That equals the order of the whole ids, because two ids of different paths
    already differ within ``<path>:``. Other ids fall back to sorting by
    :func:`mention_sort_key`.
    """
    parts = ids.str.extract_groups(_MENTION_ID_PATTERN)
    if ids.len() == 0 or parts.struct.field("1").null_count() > 0:
        order = sorted(range(ids.len()), key=lambda i: mention_sort_key(ids[i]))
        ranks = [0] * ids.len()
        for rank, i in enumerate(order):
            ranks[i] = rank
        return pl.Series(ids.name, ranks, dtype=pl.UInt32)
    frame = pl.DataFrame(
        {
            "path": parts.struct.field("1"),
            "line": parts.struct.field("2").cast(pl.Int64),
            "text": parts.struct.field("3"),
            "digits": parts.struct.field("4"),
        }
    )
    paths = frame["path"].unique().to_list()
    path_rank = {
        p: r for r, p in enumerate(sorted(paths, key=lambda p: mention_sort_key(f"{p}:0:0")))
    }
    frame = frame.with_columns(
        pl.col("path").replace_strict(path_rank, return_dtype=pl.UInt32).alias("_path"),
        # No number sorts before any number ("owner" after "chair1"), as in mention_sort_key.
        pl.col("digits").cast(pl.Int64, strict=False).fill_null(-1).alias("_num"),
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
    )
    order = frame.sort("_path", "line", "text", "_num", "digits")["_row"]
    return (
        pl.DataFrame(
            {"_row": order, "_rank": pl.int_range(len(order), dtype=pl.UInt32, eager=True)}
        )
        .sort("_row")["_rank"]
        .rename(ids.name)
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
    return person_id_of_earliest(min(ids, key=mention_sort_key))


def person_id_of_earliest(mention_id: str) -> str:
    """Return the person id of a cluster whose earliest mention is ``mention_id``.

    The same id as :func:`stable_person_id`, for a caller that already knows the
    earliest mention (from canonical ranks) and need not sort the cluster.
    """
    return stable_id("aut", "person", mention_id)


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
