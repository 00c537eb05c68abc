"""Person ids: the canonical order of mentions, a cluster's stable id, carry-forward, redirects.

A person's id is derived from its earliest mention (:func:`stable_person_id`) in
the order given by :func:`mention_sort_key`, so it survives re-runs and row
reordering. The pipeline orders and hashes mentions by their *content key*,
``<source content id>:<line>:<position>`` (:func:`source_content_ids`: the
file's SHA-256, not its name), so that renaming a raw file changes no person id;
the published ``mention_id`` keeps the file's path, to point at the printed name.
Across releases, :func:`previous_assignments` matches the previous release's
mentions to this run's by content (then by path, for a file edited in place),
:func:`carry_forward_ids` keeps every published id on the cluster holding most
of its mentions, and :func:`redirects` maps the ids that disappeared to their
successors. The module is pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from confdata.ids import stable_id

_NATURAL_RE = re.compile(r"(\d+)")
# A mention id as confdata.resolve.people.mentions builds it: <path>:<line>:<position>, where the
# position is a number, "chair<n>" or "owner".
_MENTION_ID_PATTERN = r"^(.*):(\d+):([a-z]*)(\d*)$"


def mention_sort_key(mention_id: str) -> tuple[tuple[int, int, str], ...]:
    """Return the canonical order key of a mention id or content key: natural order of its digit runs.

    Both have the form ``<source>:<line>:<position>`` (the source's path, or its
    content id), so this order is (source, line, position) with numbers compared
    as numbers ("x:9:1" before "x:10:1").
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
    """Return the stable id of a person from the content keys of the mentions in its cluster.

    Policy: the id is the hash (:func:`confdata.ids.stable_id`, prefix ``aut``)
    of the cluster's *earliest* mention in :func:`mention_sort_key` order. The
    pipeline passes content keys, ``<source content id>:<line>:<position>``
    (:func:`source_content_ids`), so the order is (file content, line, position)
    and the id survives re-runs, row reordering, renaming a raw file and any
    change that leaves the earliest mention in place (without content keys, the
    mention ids themselves are ordered and hashed). Consequences:

    - a merge keeps the id of the cluster holding the earliest mention; the
      other cluster's id disappears (and must be redirected);
    - a split keeps the id on the part holding the earliest mention; the other
      part gets the id of its own earliest mention;
    - a new person's id depends on which files hold its mentions, never on their
      names. Across releases, :func:`carry_forward_ids` keeps published ids
      whatever sorts first.

    :func:`redirects` maps disappeared ids to their successors by mention
    overlap, so that a release can publish old -> new.

    Args:
        cluster_mentions: The content keys (or mention ids) of the cluster's
            mentions, in any order.

    Returns:
        ``aut_`` followed by 16 hex digits.

    Raises:
        ValueError: If the cluster is empty.
    """
    ids = list(cluster_mentions)
    if not ids:
        raise ValueError("a person cluster needs at least one mention")
    return person_id_of_earliest(min(ids, key=mention_sort_key))


def person_id_of_earliest(content_key: str) -> str:
    """Return the person id of a cluster whose earliest mention has ``content_key``.

    The same id as :func:`stable_person_id`, for a caller that already knows the
    earliest mention (from canonical ranks) and need not sort the cluster.
    """
    return stable_id("aut", "person", content_key)


def source_content_ids(sources: pl.DataFrame) -> dict[str, str]:
    """Return source ID -> the identity of its content that mention content keys start with.

    It is the first 16 hex digits of the file's SHA-256, so that a file renamed
    (same bytes) keeps it and two different files differ. Files whose 16 digits
    are shared (identical copies, or, never seen, a collision of 64 bits) are told
    apart by their full SHA-256 and path, the only thing that differs.

    Args:
        sources: The ``sources`` table (``source_id``, ``path``, ``sha256``).
    """
    short = sources.select("source_id", "path", pl.col("sha256").str.head(16).alias("_short"))
    shared = short.filter(pl.col("_short").is_duplicated())["source_id"].to_list()
    ids = dict(zip(short["source_id"], short["_short"], strict=True))
    for source_id, path, sha in (
        sources.filter(pl.col("source_id").is_in(shared))
        .select("source_id", "path", "sha256")
        .iter_rows()
    ):
        ids[source_id] = f"{sha}/{path}"
    return ids


def _match_sources(previous: pl.DataFrame, current: pl.DataFrame) -> dict[str, str]:
    """Previous source ID -> the current path of the same file.

    By content first (the same SHA-256: the same file, renamed or not; among
    identical copies the one at the same path first), then by path (a file edited
    in place). A current file is claimed once; a previous file matching none is
    left out (its mentions are gone).
    """
    claimed: set[str] = set()
    matched: dict[str, str] = {}
    prev = sorted(previous.select("source_id", "path", "sha256").iter_rows(), key=lambda r: r[1])
    now = sorted(current.select("path", "sha256").iter_rows())
    same_content: dict[str, list[str]] = {}
    for path, sha in now:
        same_content.setdefault(sha, []).append(path)
    paths_now = {path for path, _ in now}
    rules = (
        lambda path, sha: [path] if path in same_content.get(sha, ()) else [],
        lambda path, sha: same_content.get(sha, []),
        lambda path, sha: [path] if path in paths_now else [],
    )
    for rule in rules:
        for source_id, path, sha in prev:
            if source_id in matched:
                continue
            target = next((p for p in rule(path, sha) if p not in claimed), None)
            if target is not None:
                matched[source_id] = target
                claimed.add(target)
    return matched


def previous_assignments(
    mentions: pl.DataFrame, sources: pl.DataFrame | None, current_sources: pl.DataFrame
) -> pl.DataFrame:
    """The previous release's mention -> person, each mention named as this run names it.

    A mention ID is ``<path>:<line>:<position>``; a file renamed since keeps its
    mentions under its new path (matched by content, see :func:`_match_sources`),
    so the people they belong to keep their ids. A mention of a file that is gone
    gets an ID no current mention has (it starts with a NUL, which no file name
    holds). Without the previous ``sources`` table, IDs are taken as they are.

    Args:
        mentions: The previous ``author_mentions`` (``mention_id``, ``author_id``,
            ``source_id``, ``source_line``).
        sources: The previous ``sources`` table.
        current_sources: This run's ``sources`` table.

    Returns:
        ``mention_id`` (as named now) and ``author_id``.
    """
    if sources is None or "sha256" not in sources.columns:
        return mentions.select("mention_id", "author_id")
    where = _match_sources(sources, current_sources)
    path = pl.col("source_id").replace_strict(where, default=None, return_dtype=pl.Utf8)
    position = pl.col("mention_id").str.extract(r":([^:]*)$")
    return mentions.select(
        pl.when(path.is_not_null())
        .then(
            pl.concat_str(
                path, pl.lit(":"), pl.col("source_line").cast(pl.Utf8), pl.lit(":"), position
            )
        )
        .otherwise(pl.lit("\x00") + pl.col("mention_id"))
        .alias("mention_id"),
        "author_id",
    )


def carry_forward_ids(assignments: pl.DataFrame, before: pl.DataFrame) -> dict[str, str]:
    """Give each cluster its published person ID when it has one, else its stable ID.

    A published ID stays with the cluster that holds most of its mentions (ties:
    the cluster with the earliest such mention in canonical order), so adding or
    renaming a raw file never renames people already published. A cluster holding
    mentions of several published people (a merge) keeps the ID with most
    mentions; the others are retired and redirected. A cluster with no published
    mention (a new person, or the smaller part of a split) keeps its key, the
    :func:`stable_person_id` of its earliest mention. Column-wise: one Python
    step per (cluster, published ID) pair, not per mention.

    Args:
        assignments: ``mention_id`` -> ``person_key`` (the cluster), in canonical
            mention order (as :class:`~confdata.resolve.people.resolution.PeopleResolution` gives them).
        before: ``mention_id`` -> ``author_id`` of the previous release
            (:func:`previous_assignments`).

    Returns:
        Cluster key -> person ID; no ID is given to two clusters.
    """
    ranked = assignments.select(
        "mention_id", "person_key", pl.int_range(pl.len(), dtype=pl.UInt32).alias("_rank")
    )
    claims = (
        ranked.join(before.select("mention_id", "author_id"), on="mention_id")
        .group_by("person_key", "author_id")
        .agg(pl.len().alias("n"), pl.col("_rank").min().alias("earliest"))
        .sort(["n", "earliest", "author_id", "person_key"], descending=[True, False, False, False])
    )
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for key, old in claims.select("person_key", "author_id").iter_rows():
        if key not in ids and old not in taken:
            ids[key] = old
            taken.add(old)
    for key in ranked["person_key"].unique(maintain_order=True).to_list():
        if key not in ids:
            # A fresh ID may equal a retired one (its earliest mention moved); keep IDs unique.
            ids[key] = key if key not in taken else stable_id("aut", "person", key, "again")
            taken.add(ids[key])
    return ids


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
    # The previous persons among each current person's mentions, gathered once per
    # person: a merge of k persons would otherwise scan its mentions k times.
    before_in: dict[str, set[str]] = {}
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
            others = _some(sorted(pid for pid in overlap if pid != new))
            reason = f"split: {count} of {total} mentions went to {new}, the others to {others}"
        else:
            if new not in before_in:
                before_in[new] = {owner_before[m] for m in current[new] if m in owner_before}
            joined = sorted(before_in[new] - {old})
            if joined:
                reason = f"merged: with {_some(joined)}"
            else:
                reason = f"renamed: {count} of {total} mentions, earliest mention changed"
        out.append((old, new, reason))
    return out


# A reason names at most this many other persons: a merge of k persons would
# otherwise write k reasons of k IDs each.
_NAMED_IN_REASON = 5


def _some(ids: list[str]) -> str:
    """The first IDs of a sorted list, comma-separated, and how many more."""
    shown = ", ".join(ids[:_NAMED_IN_REASON])
    more = len(ids) - _NAMED_IN_REASON
    return shown + (f" and {more:,} more" if more > 0 else "")
