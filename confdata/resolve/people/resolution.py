"""Entity resolution of person mentions: one cluster per real person, with evidence.

A *mention* is one appearance of a person in a source: an author of a paper
listing, a session chair, a program co-chair, a keynote speaker, a test-of-time
author, a co-author in a CV or the CV's owner. Today the published ``authors``
table has one row per distinct printed name, which both splits people ("Işıl
Dillig" / "Isil Dillig") and merges homonyms (two "Ke Sun"). This module decides
which mentions are the same person, and records why.

Policy, in the order it is applied:

1. **Blocking.** Mentions are compared only with mentions of the same
   :func:`~confdata.normalize.names.name_key`; never all pairs.
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
release maps ids that disappear with :func:`redirects`. The modules are pure: no
I/O, no clock, no randomness.

This module is the entry point (:func:`resolve_people`) and re-exports the public
API. The work is split by concern: :mod:`confdata.resolve.people.evidence` reads the
mentions and scores the pairs of a block (rules 1-5), :mod:`confdata.reference.overrides`
parses the curated overrides and selects their mentions,
:mod:`confdata.resolve.people.clustering` clusters under constraints (rule 6) and builds
the :class:`PeopleResolution`, and :mod:`confdata.resolve.people.ids` holds the id policy.
"""

from __future__ import annotations

import polars as pl

from confdata.normalize.names import name_key
from confdata.reference.overrides import OverridePair, Overrides, PersonRef, parse_overrides
from confdata.resolve.people.clustering import PeopleResolution, _Resolver
from confdata.resolve.people.evidence import MENTION_COLUMNS, ROLES, ResolutionSettings
from confdata.resolve.people.ids import mention_sort_key, redirects, stable_person_id
from confdata.resolve.people.units import pool_mentions

__all__ = [
    "MENTION_COLUMNS",
    "ROLES",
    "OverridePair",
    "Overrides",
    "PeopleResolution",
    "PersonRef",
    "ResolutionSettings",
    "mention_sort_key",
    "parse_overrides",
    "redirects",
    "resolve_people",
    "stable_person_id",
]


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
            An optional ``content_key`` column (unique; the pipeline's
            ``<source content id>:<line>:<position>``) orders the mentions and
            gives persons their ids instead of ``mention_id``, so that renaming
            a raw file changes neither.
        overrides: Curated decisions; none by default.
        settings: Thresholds; the defaults of :class:`ResolutionSettings`.

    Returns:
        The assignments, the evidence table, the possible homonyms and the
        overrides applied and unmatched.

    Raises:
        ValueError: If a column is missing, a mention id repeats, a role is
            unknown, or a must-link override contradicts a cannot-link override.
    """
    settings = settings or ResolutionSettings()
    overrides = overrides or Overrides()
    named = frozenset(
        name_key(ref.name)
        for pair in (*overrides.must_link, *overrides.cannot_link)
        for ref in (pair.a, pair.b)
    )
    return _Resolver(pool_mentions(mentions, settings, named), overrides, settings).run()
