"""A name printed twice in one author list (or among one item's chairs): one person, reported.

An author list that prints one name twice ("Ke Sun, Tsinghua University; …; Ke
Sun, Tsinghua University") is a copy error of the page, not two people: a
person is an author of a paper once. Read literally, every printing would be an
authorship and a mention, and since two mentions on one list are two people,
resolution would have to keep them all apart from each other and compare each
with every other: a name printed 580 times on each of 20 papers made 3.4
million ``author_links``. So, before any table is built, every printing of a
name after its first on one list (the same name key, initials compatible) is
set aside (:func:`drop_repeated_names`): the authorship stays at the position
of the first printing, the later positions are left out of ``paper_authors``
(positions keep their printed numbers, so a gap shows where a printing was set
aside), and each repeated name is one issue
``repeated-author`` (``repeated-chair`` for chairs) at its line, with every
position. Organizations printed only with a later printing are not given to the
kept authorship (the page does not say they are that person's); they are named
in the issue, and the listing's ``authors_as_printed`` keeps the whole list as
printed. A name with an empty key (no letters) is never set aside, nor are
namesakes whose initials disagree (two people). The module is pure.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from confdata.normalize.names import initials_compatible, name_key
from confdata.quality.issues import Issue


def drop_repeated_names(rows: pl.DataFrame, group: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows into those kept and the later printings of a name within one ``group``.

    A later printing is the same name when it has the first printing's name key
    and compatible initials (:func:`confdata.normalize.names.initials_compatible`: "P.
    Brighten Godfrey" and "Brighten Godfrey" are one name, "P. Brighten Godfrey"
    and "Q. Brighten Godfrey" two people).

    Args:
        rows: Rows with ``group``, ``position``, ``name_as_printed`` and
            ``affiliations_as_printed`` (``stg_authorships`` or ``stg_chairs``).
        group: The column naming one list (``listing_id``, ``session_id``).

    Returns:
        The rows kept (every column of ``rows``, in their order), and the rows
        set aside with ``first_position``, ``first_name`` and ``first_orgs`` of
        the printing kept.
    """
    keys = {n: name_key(n) for n in rows["name_as_printed"].unique().to_list()}
    keyed = rows.with_columns(
        pl.col("name_as_printed").replace_strict(keys, return_dtype=pl.Utf8).alias("_key")
    )
    repeated = (pl.col("_key") != "") & pl.struct(group, "_key").is_duplicated()
    candidates = keyed.filter(repeated)
    if candidates.height == 0:
        return rows, candidates.drop("_key")
    first = (
        candidates.sort("position")
        .group_by(group, "_key", maintain_order=True)
        .agg(
            pl.col("position").first().alias("first_position"),
            pl.col("name_as_printed").first().alias("first_name"),
            pl.col("affiliations_as_printed").first().alias("first_orgs"),
        )
    )
    later = candidates.join(first, on=[group, "_key"]).filter(
        pl.col("position") != pl.col("first_position")
    )
    # Namesakes whose initials disagree ("P. Brighten Godfrey", "Q. Brighten Godfrey")
    # are two people printed on one list, not one name printed twice: both are kept.
    pairs = later.select("first_name", "name_as_printed").unique()
    same = {(a, b): initials_compatible(a, b) for a, b in pairs.iter_rows()}
    later = later.filter(
        pl.struct("first_name", "name_as_printed").map_elements(
            lambda r: same[(r["first_name"], r["name_as_printed"])], return_dtype=pl.Boolean
        )
    )
    kept = keyed.join(
        later.select(group, "position"), on=[group, "position"], how="anti", maintain_order="left"
    )
    return kept.drop("_key"), later.drop("_key").sort(group, "position")


def without_repeated_names(
    stg: Mapping[str, pl.DataFrame], listings: pl.DataFrame, paths: Mapping[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame, list[Issue]]:
    """The authorships and chairs with each name printed again on one list left out, and the issues.

    Args:
        stg: The concatenated ``stg_*`` frames of every source.
        listings: Every listing with its ``paper_id`` and ``source_id``.
        paths: Source ID -> raw file path.
    """
    authorships, again = drop_repeated_names(stg["stg_authorships"], "listing_id")
    chairs, chairs_again = drop_repeated_names(stg["stg_chairs"], "session_id")
    issues: list[Issue] = []
    if again.height:
        where = {
            lid: (paths.get(sid, ""), pid)
            for lid, sid, pid in listings.filter(
                pl.col("listing_id").is_in(again["listing_id"].unique().implode())
            )
            .select("listing_id", "source_id", "paper_id")
            .iter_rows()
        }
        issues += repeated_name_issues(
            again, "listing_id", where, "repeated-author", "paper_authors"
        )
    if chairs_again.height:
        where = {
            sid: (paths.get(src, ""), sid)
            for sid, src in chairs_again.select("session_id", "source_id").unique().iter_rows()
        }
        issues += repeated_name_issues(
            chairs_again, "session_id", where, "repeated-chair", "session_chairs"
        )
    return authorships, chairs, issues


def repeated_name_issues(
    later: pl.DataFrame,
    group: str,
    where: Mapping[str, tuple[str, str]],
    code: str,
    table: str,
) -> list[Issue]:
    """One issue per name printed again on one list, with every position and the organizations left out.

    Args:
        later: The rows set aside by :func:`drop_repeated_names`.
        group: The list column (``listing_id``, ``session_id``).
        where: List -> (raw file path, key of the row kept's list in ``table``,
            e.g. its ``paper_id``).
        code: The issue code (``repeated-author``, ``repeated-chair``).
        table: The table the kept row is in.
    """
    what = "authorship" if table == "paper_authors" else "chair"
    issues = []
    for row in (
        later.group_by(group, "first_position", maintain_order=True)
        .agg(
            pl.col("first_name").first(),
            pl.col("first_orgs").first(),
            pl.col("name_as_printed"),
            pl.col("position"),
            pl.col("source_line").first(),
            pl.col("affiliations_as_printed")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique(maintain_order=True),
        )
        .iter_rows(named=True)
    ):
        first = row["first_position"]
        kept_orgs = set(row["first_orgs"])
        left_out = [o for o in row["affiliations_as_printed"] if o not in kept_orgs]
        again = _ranges(row["position"])
        path, list_key = where[row[group]]
        spelled = sorted(set(row["name_as_printed"]) - {row["first_name"]})
        message = (
            f"{row['first_name']!r} is printed again in this list, at position(s) {again} "
            f"(first at position {first}"
            + (f"; spelled {', '.join(map(repr, spelled))}" if spelled else "")
            + f"): one {what}, at position {first}; the later printing(s) are left out"
        )
        if left_out:
            message += (
                f"; organizations printed only with them, not given to the {what}: "
                + ", ".join(map(repr, left_out))
            )
        issues.append(
            Issue(
                code=code,
                severity="warning",
                message=message,
                source_path=path,
                line=row["source_line"],
                text=row["name_as_printed"][0],
                table=table,
                key=f"{list_key}, {first}",
            )
        )
    return issues


def _ranges(positions: list[int]) -> str:
    """Sorted positions with runs shortened: ``[2, 3, 4, 7]`` -> ``"2-4, 7"``."""
    runs: list[list[int]] = []
    for p in sorted(positions):
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
