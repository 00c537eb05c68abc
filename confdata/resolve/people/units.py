"""Pooling person mentions into units before any pair is compared, in Polars.

Comparing every pair of mentions of a name key grows with the square of how
often a person recurs: a researcher printed in a thousand programs would cost
half a million comparisons. Most of those comparisons are foregone
conclusions, so mentions are pooled first, column-wise, into *units*, and only
units are compared (:mod:`confdata.resolve.people.evidence`):

- **Same source, same-source role** (rule 2 of :mod:`confdata.resolve.people.resolution`): a CV's
  owner and co-author mentions of one key are one unit.
- **Same key, same organizations** (a *profile*): mentions of one key printed
  with exactly the same non-empty set of resolved organizations are one unit.
  Compared pairwise, each such pair would score ``shared_org_score`` and be
  merged, so pooling them changes no decision while making the work linear.
  Two mentions on one author list are never pooled (they are two people, rule
  ``same-author-list``): the second mention of a key and organizations on a
  list starts a second profile. Pooling is off when ``shared_org_score`` is
  below ``merge_threshold`` (then a shared organization alone would not merge).
- **Same key, no organization, same co-authors**: likewise, when that many
  shared co-authors reach ``merge_threshold`` (the authors of a Test of Time
  paper printed in every program of a series).
- Every other mention (an empty key, or no signature) is a unit of its own.

Each pooled mention is joined to its unit's first mention by a *star link* in
the evidence table (rule ``same-key+same-source-role``, ``same-key+shared-org``
or ``same-key+same-paper``, with the features a pairwise comparison would
record), so every decision still has its evidence row. Star links are built
here, column-wise; the few comparisons between units are made in Python.
All functions are pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from confdata.normalize.names import name_key
from confdata.resolve.people.evidence import (
    CONTENT_KEY,
    MENTION_COLUMNS,
    ROLES,
    RULE_SAME_PAPER,
    RULE_SAME_SOURCE_ROLE,
    RULE_SHARED_COAUTHOR,
    RULE_SHARED_ORG,
    ResolutionSettings,
    _Unit,
)
from confdata.resolve.people.ids import canonical_ranks

_STR_LIST = pl.List(pl.Utf8)
# Lists are sorted with list.eval(element().sort()): in Polars 2.1 list.sort() on strings
# is about fifteen times slower.
_SEP = "\x1f"
_SEP2 = "\x1e"


@dataclass(frozen=True, slots=True)
class PooledMentions:
    """Mentions pooled into units, ready for the comparisons between units.

    Attributes:
        mentions: One row per mention: ``mention_id``, ``rank`` (canonical
            order), ``name_key`` and ``unit`` (the id of its unit's first mention).
        units: Every unit, in canonical order of their first mentions.
        stars: The star links joining each pooled mention to its unit's first
            mention: ``left``, ``right``, ``name_key``, ``rule``, ``features``
            (JSON), ``score``, ``merged`` (always true) and both ends' ranks.
        rep_content: Each unit's first mention -> its content key (what the
            ranks and person ids are derived from); kept for units only, since
            a person's id is its earliest unit's first mention's.
    """

    mentions: pl.DataFrame
    units: list[_Unit]
    stars: pl.DataFrame
    rep_content: dict[str, str]


def pool_mentions(
    df: pl.DataFrame,
    settings: ResolutionSettings,
    keys_in_overrides: frozenset[str] = frozenset(),
) -> PooledMentions:
    """Validate the mention frame and pool its mentions into units (see the module docstring).

    ``keys_in_overrides`` are the name keys that curated overrides refer to: their
    units keep their evidence even when alone in their block. Mentions are ranked
    by their ``content_key`` when the frame has one (the pipeline's: the source's
    content, line and position, see :mod:`confdata.resolve.people.ids`), else by their
    ``mention_id``.

    Raises:
        ValueError: If a column is missing, a mention id is empty or repeats, a
            name or source is missing, or a role is unknown.
    """
    _validate(df)
    content = df[CONTENT_KEY] if CONTENT_KEY in df.columns else df["mention_id"]
    frame = df.select(list(MENTION_COLUMNS)).with_columns(canonical_ranks(content).alias("rank"))
    keys = {n: name_key(n) for n in frame["name_as_printed"].unique().to_list()}
    frame = frame.with_columns(
        pl.col("name_as_printed").replace_strict(keys, return_dtype=pl.Utf8).alias("name_key"),
        pl.col("org_ids")
        .fill_null(_EMPTY)
        .list.unique()
        .list.eval(pl.element().sort())
        .alias("orgs"),
        pl.col("org_ancestor_ids").fill_null(_EMPTY),
        pl.col("coauthor_keys").fill_null(_EMPTY),
    )
    frame = _with_signature(frame, settings)
    frame = _with_nth_on_list(frame).with_columns(_unit_of(settings)).drop("_sig", "_nth")
    # The frame keeps the rows in df's order (its joins keep the left order), so the
    # content keys of the units' first mentions are picked from df's column.
    is_rep = frame["mention_id"] == frame["unit"]
    reps = frame["mention_id"].filter(is_rep)
    return PooledMentions(
        mentions=frame.select("mention_id", "rank", "name_key", "unit").sort("rank"),
        units=_units(frame, keys_in_overrides),
        stars=_stars(frame, settings),
        rep_content=dict(zip(reps, content.filter(is_rep), strict=True)),
    )


# Co-authors and ancestry are lists of a million rows; they are worked out only on the
# rows that need them (see _coauthors, _on_subset).
_EMPTY = pl.lit([], dtype=_STR_LIST)
_ANCESTRY = pl.concat_list("orgs", "org_ancestor_ids")


def _coauthors() -> pl.Expr:
    """A mention's co-authors as a set: its own key is no evidence (it is the person)."""
    return pl.col("coauthor_keys").list.set_difference(pl.concat_list("name_key"))


def _on_subset(
    frame: pl.DataFrame, rows: pl.Expr, column: pl.Expr, name: str, default: pl.Expr
) -> pl.DataFrame:
    """Add ``column`` computed on the rows selected by ``rows`` only, ``default`` elsewhere.

    Polars evaluates both branches of a ``when`` on every row; the columns here are
    costly and needed on a few rows, so they are computed on those and joined back.
    """
    part = frame.filter(rows).select("rank", column.alias(name))
    return frame.join(part, on="rank", how="left", maintain_order="left").with_columns(
        pl.col(name).fill_null(default)
    )


def _validate(df: pl.DataFrame) -> None:
    missing = [c for c in MENTION_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"mentions lack the columns {missing}")
    ids = df["mention_id"]
    if ids.null_count() or (ids.str.len_chars() == 0).any():
        raise ValueError("every mention needs a non-empty mention_id")
    repeated = ids.filter(ids.is_duplicated())
    if repeated.len():
        raise ValueError(f"mention_id {repeated[0]!r} repeats")
    if CONTENT_KEY in df.columns:
        keys = df[CONTENT_KEY]
        again = df.filter(keys.is_duplicated() | keys.is_null())["mention_id"]
        if again.len():
            raise ValueError(f"mention {again[0]!r}: its content_key is missing or repeats")
    checks = (
        (pl.col("name_as_printed").is_null(), "name_as_printed is missing"),
        (
            pl.col("source_id").is_null() | (pl.col("source_id").str.len_chars() == 0),
            "source_id is missing",
        ),
    )
    for bad, what in checks:
        found = df.filter(bad)["mention_id"]
        if found.len():
            raise ValueError(f"mention {found[0]!r}: {what}")
    unknown = df.filter(~pl.col("role").is_in(sorted(ROLES)) | pl.col("role").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        raise ValueError(f"mention {row['mention_id']!r}: unknown role {row['role']!r}")


def _coauthor_score(settings: ResolutionSettings, n: int) -> float:
    """The score of ``n`` shared co-authors, as :func:`confdata.resolve.people.evidence._compare` computes it."""
    return 1.0 - (1.0 - settings.coauthor_score) ** n


def _with_signature(frame: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Add ``_sig``: what makes two mentions of a key certain to merge pairwise (or null).

    Mentions with the same non-empty organizations (if a shared organization
    alone reaches the threshold), or with no organization and the same co-authors
    (if that many shared co-authors reach it; a Test of Time paper's authors
    printed in every program of a series).
    """
    orgs = pl.col("orgs")
    # Mentions pooled by organizations also share the ancestry printed with them, and
    # mentions pooled by co-authors their (absent) organizations, so that each star
    # link's evidence is its unit's.
    ancestry = pl.col("org_ancestor_ids").list.join(_SEP)
    by_orgs = settings.shared_org_score >= settings.merge_threshold
    frame = frame.with_columns(
        pl.when((orgs.list.len() > 0) & pl.lit(by_orgs))
        .then(pl.concat_str(pl.lit("org"), orgs.list.join(_SEP), ancestry, separator=_SEP2))
        .alias("_sig")
    )
    orgless = frame.filter(orgs.list.len() == 0).select("rank", _coauthors().alias("_co"))
    sizes = set(orgless["_co"].list.len().unique().to_list())
    enough = sorted(
        n
        for n in sizes
        if n > 0 and round(_coauthor_score(settings, n), 6) >= settings.merge_threshold
    )
    co_sig = orgless.filter(pl.col("_co").list.len().is_in(enough)).select(
        "rank",
        pl.concat_str(
            pl.lit("co"),
            pl.col("_co").list.eval(pl.element().sort()).list.join(_SEP),
            separator=_SEP2,
        ).alias("_co_sig"),
    )
    frame = frame.join(co_sig, on="rank", how="left", maintain_order="left")
    return frame.with_columns(
        pl.coalesce("_sig", pl.concat_str("_co_sig", ancestry, separator=_SEP2)).alias("_sig")
    ).drop("_co_sig")


def _with_nth_on_list(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_nth``, numbering the mentions of one key and signature on one author list.

    The n-th goes to the n-th profile, so that no profile holds two mentions of
    one list (two namesakes with the same organization on one paper).
    """
    group = ["name_key", "_sig", "source_id", "paper_id"]
    repeated = pl.col("paper_id").is_not_null() & pl.struct(group).is_duplicated()
    nth = pl.col("rank").rank("ordinal").over(group).cast(pl.Utf8)
    return _on_subset(frame, repeated, nth, "_nth", pl.lit("1"))


def _unit_of(settings: ResolutionSettings) -> pl.Expr:
    """The id of each mention's unit: the first mention (by rank) of its pool."""
    keyed = pl.col("name_key") != ""
    same_source = pl.col("role").is_in(sorted(settings.same_source_roles))
    pool = (
        pl.when(keyed & same_source)
        .then(pl.concat_str(pl.lit("cv"), "name_key", "source_id", separator=_SEP))
        .when(keyed & pl.col("_sig").is_not_null())
        .then(pl.concat_str(pl.lit("pool"), "name_key", "_sig", "_nth", separator=_SEP))
        .otherwise(pl.concat_str(pl.lit("one"), "mention_id", separator=_SEP))
    )
    return pl.col("mention_id").sort_by("rank").first().over(pool).alias("unit")


def _units(frame: pl.DataFrame, keys_in_overrides: frozenset[str]) -> list[_Unit]:
    """Aggregate each unit's evidence.

    Only units that will be compared need their evidence: those of a key with
    several units, or named by an override. A key with one unit (most people of a
    corpus) is only a node of the clustering, which keeps this step light.
    """
    several = (
        frame.group_by("name_key")
        .agg(pl.col("unit").n_unique().alias("_units"))
        .filter((pl.col("_units") > 1) | pl.col("name_key").is_in(sorted(keys_in_overrides)))
        .get_column("name_key")
    )
    compared = pl.col("name_key").is_in(several.to_list())
    listing = pl.concat_str("source_id", "paper_id", separator=_SEP)

    def union(column: str) -> pl.Expr:
        return pl.col(column).list.explode(keep_nulls=False, empty_as_null=False).unique()

    full = (
        frame.filter(compared)
        .group_by("unit")
        .agg(
            pl.col("name_key").first(),
            pl.col("rank").min(),
            pl.col("source_id").unique().alias("sources"),
            listing.drop_nulls().unique().alias("listings"),
            pl.col("paper_id").drop_nulls().unique().alias("papers"),
            union("orgs").alias("orgs"),
            union("org_ancestor_ids").alias("ancestry"),
            union("coauthor_keys").alias("coauthors"),
        )
    )
    units = [
        _Unit(
            rep=row["unit"],
            sources=frozenset(row["sources"]),
            listings=frozenset(row["listings"]),
            papers=frozenset(row["papers"]),
            orgs=frozenset(row["orgs"]),
            ancestry=frozenset(row["orgs"]) | frozenset(row["ancestry"]),
            # The unit's own key is no evidence: it is the person, not a collaborator.
            coauthors=frozenset(row["coauthors"]) - {row["name_key"]},
            key=row["name_key"],
            rank=row["rank"],
        )
        for row in full.iter_rows(named=True)
    ]
    # A unit never compared is only a node of the clustering: its evidence is not
    # needed, so it is not gathered.
    alone = (
        frame.filter(~compared)
        .group_by("unit")
        .agg(pl.col("name_key").first(), pl.col("rank").min())
    )
    none: frozenset[str] = frozenset()
    units += [
        _Unit(rep, none, none, none, none, none, none, key=key, rank=rank)
        for rep, key, rank in alone.select("unit", "name_key", "rank").rows()
    ]
    return sorted(units, key=lambda u: u.rank)


# --------------------------------------------------------------------------- star links


def _json_string(expr: pl.Expr) -> pl.Expr:
    """A JSON string literal (as ``json.dumps(..., ensure_ascii=False)`` writes it)."""
    escaped = expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all(
        '"', '\\"', literal=True
    )
    return pl.concat_str(pl.lit('"'), escaped, pl.lit('"'))


def _json_field(name: str, value: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit(f'"{name}": '), value)


def _json_list(expr: pl.Expr) -> pl.Expr:
    """A non-empty JSON array of strings, joined first and escaped once (no per-element eval)."""
    joined = (
        expr.list.join(_SEP)
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
        .str.replace_all(_SEP, '", "', literal=True)
    )
    return pl.concat_str(pl.lit('["'), joined, pl.lit('"]'))


def _json_object(fields: list[pl.Expr]) -> pl.Expr:
    """Join the non-null ``"name": value`` fragments (given in key order) into an object."""
    body = pl.concat_str(fields, separator=", ", ignore_nulls=True)
    return pl.concat_str(pl.lit("{"), body, pl.lit("}"))


def _nonempty(name: str, column: pl.Expr) -> pl.Expr:
    """The field ``"name": [...]`` of a list, null (left out) when the list is empty."""
    return pl.when(column.list.len() > 0).then(_json_field(name, _json_list(column)))


def _stars(frame: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Link every pooled mention to its unit's first mention, with the pair's evidence.

    A unit's mentions share what pooled them (organizations and ancestry, or
    co-authors), so that part of the evidence is written once per unit and only
    the rest (same source, same paper, roles) per link. The links of an
    organization profile do not list shared co-authors: with the default
    ``shared_org_score`` of 1 they change neither the decision nor the score
    (with a lower one they are counted and listed, as a pairwise comparison does).
    """
    org = settings.shared_org_score
    # Only what the links need travels through the join (a million rows).
    needed = ["mention_id", "unit", "name_key", "role", "source_id", "paper_id", "orgs", "rank"]
    if org < 1.0:
        needed.append("coauthor_keys")
    reps = frame.filter(pl.col("mention_id") == pl.col("unit"))
    sorted_set = pl.element().sort()
    evidence = reps.select(
        "unit",
        pl.col("rank").alias("left_rank"),
        pl.col("role").alias("rep_role"),
        pl.col("source_id").alias("rep_source_id"),
        pl.col("paper_id").alias("rep_paper_id"),
        *([pl.col("coauthor_keys").alias("rep_coauthor_keys")] if org < 1.0 else []),
        _nonempty("left_orgs", pl.col("orgs")).alias("_left_orgs"),
        _nonempty("right_orgs", pl.col("orgs")).alias("_right_orgs"),
        _nonempty("common_orgs", _ANCESTRY.list.unique().list.eval(sorted_set)).alias("_common"),
        _coauthors().list.eval(sorted_set).alias("_unit_coauthors"),
    )
    pairs = (
        frame.filter(pl.col("mention_id") != pl.col("unit"))
        .select(needed)
        .join(evidence, on="unit")
    )
    in_cv = pl.col("role").is_in(sorted(settings.same_source_roles))
    has_org = pl.col("orgs").list.len() > 0
    if org < 1.0:
        shared = _coauthors().list.set_intersection(
            pl.col("rep_coauthor_keys").list.set_difference(pl.concat_list("name_key"))
        )
    else:
        shared = pl.lit([], dtype=_STR_LIST)
    pairs = pairs.with_columns(
        pl.when(has_org)
        .then(shared.list.eval(sorted_set))
        .otherwise(pl.col("_unit_coauthors"))
        .alias("_shared")
    )
    n_shared = sorted(set(pairs["_shared"].list.len().unique().to_list()))
    # Pooled mentions share all their organizations (org score shared_org_score) or have
    # none (org score 0); the rest of the score comes from the shared co-authors.
    with_org = {
        n: round(1.0 - (1.0 - org) * (1.0 - _coauthor_score(settings, n)), 6) for n in n_shared
    }
    without_org = {n: round(_coauthor_score(settings, n), 6) for n in n_shared}
    org_wins = {n: org >= _coauthor_score(settings, n) and org > 0.0 for n in n_shared}
    same_paper = pl.col("paper_id").is_not_null() & (pl.col("paper_id") == pl.col("rep_paper_id"))
    n = pl.col("_shared").list.len()
    rule = (
        pl.when(in_cv)
        .then(pl.lit(RULE_SAME_SOURCE_ROLE))
        .when(same_paper)
        .then(pl.lit(RULE_SAME_PAPER))
        .when(has_org & n.replace_strict(org_wins, return_dtype=pl.Boolean, default=True))
        .then(pl.lit(RULE_SHARED_ORG))
        .otherwise(pl.lit(RULE_SHARED_COAUTHOR))
    )
    score = (
        pl.when(in_cv | same_paper)
        .then(1.0)
        .when(has_org)
        .then(n.replace_strict(with_org, return_dtype=pl.Float64, default=1.0))
        .otherwise(n.replace_strict(without_org, return_dtype=pl.Float64, default=1.0))
    )
    cv = pairs.filter(in_cv)
    cv = cv.with_columns(
        _json_object(
            [
                _json_field(
                    "roles",
                    _json_list(
                        pl.concat_list("rep_role", "role").list.unique().list.eval(sorted_set)
                    ),
                ),
                _json_field("source_id", _json_string(pl.col("source_id"))),
            ]
        ).alias("features")
    )
    pooled = pairs.filter(~in_cv).with_columns(
        _json_object(
            [
                pl.col("_common"),
                pl.col("_left_orgs"),
                pl.when(has_org)
                .then(pl.lit('"org_relation": "shared"'))
                .otherwise(pl.lit('"org_relation": "unknown"')),
                pl.col("_right_orgs"),
                pl.when(pl.col("source_id") == pl.col("rep_source_id")).then(
                    pl.lit('"same_source": true')
                ),
                _nonempty("shared_coauthors", pl.col("_shared")),
            ]
        ).alias("features")
    )
    return pl.concat([cv, pooled]).select(
        pl.col("unit").alias("left"),
        pl.col("mention_id").alias("right"),
        "name_key",
        rule.alias("rule"),
        "features",
        score.alias("score"),
        pl.lit(True).alias("merged"),
        "left_rank",
        pl.col("rank").alias("right_rank"),
    )
