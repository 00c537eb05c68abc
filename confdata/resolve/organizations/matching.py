"""Resolving printed organization strings to registry organizations, as tables.

Every printed string is matched once (``confdata.resolve.organizations.affiliations.match_org``);
the match's method and score travel with each authorship so an analyst can
filter on them. A string the registry does not know becomes an organization
row of its own, marked unresolved and reported; it is never dropped or merged.
Units bring their parents along, so ``parent_affiliation_id`` always points to
a row of the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from confdata.ids import stable_id
from confdata.normalize.org_names import normalize_org
from confdata.reference.registry import OrgRegistry, ancestors
from confdata.resolve.organizations.affiliations import OrgMatch, match_org

AFFILIATION_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "affiliation_id": pl.Utf8,
    "name": pl.Utf8,
    "aliases": pl.List(pl.Utf8),
    "kind": pl.Utf8,
    "country": pl.Utf8,
    "parent_affiliation_id": pl.Utf8,
    "registry_id": pl.Utf8,
    "resolution": pl.Utf8,
    "source": pl.Utf8,
}


def registry_affiliation_id(registry_id: str) -> str:
    """Return the affiliation ID of a registry entry (stable as long as the entry's id)."""
    return stable_id("aff", registry_id)


@dataclass(frozen=True, slots=True)
class OrgResolver:
    """Matches of every printed string seen, and the affiliation ID each one gets."""

    registry: OrgRegistry
    matches: dict[str, OrgMatch]

    @classmethod
    def build(cls, registry: OrgRegistry, printed: Iterable[str]) -> OrgResolver:
        """Match every distinct printed string once."""
        return cls(registry, {p: match_org(p, registry) for p in sorted(set(printed))})

    def affiliation_id(self, printed: str) -> str:
        """Return the affiliation ID for a printed string (registry entry, or unresolved row)."""
        match = self.matches[printed]
        if match.org_id is not None:
            return registry_affiliation_id(match.org_id)
        return stable_id("aff", "unresolved", normalize_org(printed) or printed)

    def match_frame(self) -> pl.DataFrame:
        """Return printed string -> affiliation_id, match method, score and matched string."""
        return pl.DataFrame(
            [
                {
                    "printed": p,
                    "affiliation_id": self.affiliation_id(p),
                    "match_method": m.method,
                    "match_score": float(m.score),
                    "matched_as": m.candidate,
                }
                for p, m in sorted(self.matches.items())
            ],
            schema={
                "printed": pl.Utf8,
                "affiliation_id": pl.Utf8,
                "match_method": pl.Utf8,
                "match_score": pl.Float64,
                "matched_as": pl.Utf8,
            },
            orient="row",
        )

    def affiliations(self) -> pl.DataFrame:
        """One row per organization: every matched entry with its ancestors, and every unresolved string."""
        rows: dict[str, dict[str, object]] = {}
        seen: dict[str, set[str]] = {}
        for printed, match in self.matches.items():
            aff_id = self.affiliation_id(printed)
            seen.setdefault(aff_id, set()).add(printed)
            if match.org_id is None:
                rows[aff_id] = {
                    "affiliation_id": aff_id,
                    "name": printed,
                    "kind": None,
                    "country": None,
                    "parent_affiliation_id": None,
                    "registry_id": None,
                    "resolution": "unresolved",
                    "source": None,
                }
                continue
            for org_id in (match.org_id, *ancestors(match.org_id, self.registry)):
                entry = self.registry.get(org_id)
                rows[registry_affiliation_id(org_id)] = {
                    "affiliation_id": registry_affiliation_id(org_id),
                    "name": entry.name,
                    "kind": entry.kind,
                    "country": entry.country,
                    "parent_affiliation_id": (
                        registry_affiliation_id(entry.parent) if entry.parent else None
                    ),
                    "registry_id": entry.id,
                    "resolution": "registry",
                    "source": entry.source,
                }
        for aff_id, row in rows.items():
            # An unresolved string printed in two spellings that normalize alike keeps
            # the first spelling as its name; every spelling is an alias.
            row["aliases"] = sorted(seen.get(aff_id, ()))
            if row["resolution"] == "unresolved":
                row["name"] = min(seen[aff_id])
        return pl.DataFrame(list(rows.values()), schema=AFFILIATION_SCHEMA, orient="row").sort(
            "affiliation_id"
        )
