"""The registry's ROR IDs: their fields, and each entry checked against the vendored ROR copy.

Every entry of raw/reference/organizations.yaml says which record of the vendored ROR copy
(raw/reference/ror/) it is, or why none fits. Our name, country, kind and parent stay
authoritative, and each place where the ROR record disagrees is kept as a note: these tests
recompute the disagreements from the copy and require a note of the right kind for each one,
and no note where there is no disagreement (a stale note is as misleading as a missing one).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from confdata.normalize.org_names import normalize_org
from confdata.reference.registry import OrgEntry, OrgRegistry, parse_registry
from confdata.reference.ror_ids import ROR_NOTE_KINDS, is_ror_id, note_kind
from confdata.run import io

REFERENCE = Path(__file__).parents[3] / "raw" / "reference"
REGISTRY_PATH = REFERENCE / "organizations.yaml"
ROR_DIR = REFERENCE / "ror"
ROR_PARQUET = ROR_DIR / "ror-organizations.parquet"
# ROR's types that agree with each of our kinds (an entry of kind academic whose record
# is typed only "facility" gets a "kind:" note).
KIND_TYPES = {
    "academic": {"education"},
    "industry": {"company"},
    "government": {"government"},
    "nonprofit": {"nonprofit"},
}
_COUNTRY_SUFFIX = re.compile(r"^(.*\S) \(([^()]+)\)$")


@dataclass(frozen=True, slots=True)
class RorRecord:
    """What the checks need of one ROR organization of the copy.

    A record that is only named in other rows' relationships (``is_row`` false) has
    no country and no types, its names are the labels those rows give it, and its
    parents are the rows that list it as a child.
    """

    ror_id: str
    display_name: str
    names: frozenset[str]
    country: str | None
    types: frozenset[str]
    parents: frozenset[str]
    is_row: bool


@cache
def _registry() -> OrgRegistry:
    return parse_registry(REGISTRY_PATH.read_text(encoding="utf-8"))


@cache
def _raw_entries() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))["organizations"])


@cache
def _copy() -> dict[str, RorRecord]:
    """Read what the registry's ROR IDs need of the vendored copy (polars does the filtering).

    Returns one record per ROR ID of the registry that is a row of the copy or is named
    in the relationships of its rows; an ID that is neither is missing from the result.
    """
    wanted = sorted({e.ror_id for e in _registry().entries if e.ror_id is not None})
    table = pl.read_parquet(
        ROR_PARQUET,
        columns=[
            "ror_id",
            "display_name",
            "labels",
            "aliases",
            "types",
            "country_code",
            "country_name",
            "relationships",
        ],
    )
    country_names = frozenset(table["country_name"].drop_nulls().unique())
    links = (
        table.select("ror_id", "relationships")
        .explode("relationships")
        .drop_nulls("relationships")
        .unnest("relationships")
        .rename({"ror_id": "source", "id": "target"})
    )
    rows = table.filter(pl.col("ror_id").is_in(wanted))
    named_only = links.filter(
        pl.col("target").is_in(wanted) & ~pl.col("target").is_in(rows["ror_id"].implode())
    )
    records: dict[str, RorRecord] = {}
    for row in rows.iter_rows(named=True):
        names = [row["display_name"], *(row["labels"] or []), *(row["aliases"] or [])]
        records[row["ror_id"]] = RorRecord(
            ror_id=row["ror_id"],
            display_name=row["display_name"],
            names=_comparable(names, country_names),
            country=row["country_code"],
            types=frozenset(row["types"] or ()),
            parents=frozenset(r["id"] for r in row["relationships"] if r["type"] == "parent"),
            is_row=True,
        )
    for (target,), group in named_only.group_by("target"):
        labels = sorted(set(group["label"]))
        records[str(target)] = RorRecord(
            ror_id=str(target),
            display_name=labels[0],
            names=_comparable(labels, country_names),
            country=None,
            types=frozenset(),
            # Its own parents are unknown; the rows that list it as a child are some of them.
            parents=frozenset(group.filter(pl.col("type") == "child")["source"]),
            is_row=False,
        )
    return records


def _comparable(names: Any, country_names: frozenset[str]) -> frozenset[str]:
    """Normalize names, also without the " (Country)" suffix of ROR's company records."""
    forms = set()
    for name in names:
        forms.add(normalize_org(name))
        match = _COUNTRY_SUFFIX.match(name)
        if match and match.group(2) in country_names:
            forms.add(normalize_org(match.group(1)))
    return frozenset(forms)


def disagreements(
    entry: OrgEntry, registry: OrgRegistry, copy: Mapping[str, RorRecord]
) -> set[str]:
    """Return the kinds of disagreement between an entry and its ROR record.

    ``name``: our name is none of the record's names once normalized; ``country`` and
    ``kind``: only for a record that is a row; ``parent``: the record's parents do not
    include our parent's record, or exactly one side has a parent.
    """
    assert entry.ror_id is not None
    record = copy[entry.ror_id]
    found = set()
    if normalize_org(entry.name) not in record.names:
        found.add("name")
    if record.is_row and record.country != entry.country:
        found.add("country")
    if record.is_row and not record.types & KIND_TYPES[entry.kind]:
        found.add("kind")
    our_parent = registry.get(entry.parent).ror_id if entry.parent else None
    if entry.parent is None:
        if record.parents:
            found.add("parent")
    elif our_parent not in record.parents:
        found.add("parent")
    return found


def note_mismatches(registry: OrgRegistry, copy: Mapping[str, RorRecord]) -> list[str]:
    """List every entry whose ``ror_notes`` kinds differ from its disagreements with ROR."""
    problems = []
    for entry in registry.entries:
        if entry.ror_id is None:
            continue
        expected = disagreements(entry, registry, copy)
        noted = {note_kind(note) for note in entry.ror_notes} - {"record"}
        if expected - noted:
            problems.append(f"{entry.id}: no note for {sorted(expected - noted)}")
        if noted - expected:
            problems.append(f"{entry.id}: stale note for {sorted(noted - expected)}")
    return problems


# ------------------------------------------------------------------ the registry file


def test_every_entry_decides_its_ror_record() -> None:
    """Each of the entries has a ror_id, or ror_id: null with a note saying why."""
    undecided = [e["id"] for e in _raw_entries() if "ror_id" not in e]
    assert undecided == []
    for entry in _registry().entries:
        assert (entry.ror_id is None) == (entry.ror_note is not None), entry.id


def test_null_ror_ids_say_which_kind_of_absence() -> None:
    """A null ror_id's note says whether ROR lacks the unit, the copy lacks it, or it is unset."""
    starts = ("No ROR record for this unit: ", "Not in the vendored partial copy: ", "Not set: ")
    for entry in _registry().entries:
        if entry.ror_note is not None:
            assert entry.ror_note.startswith(starts), entry.id


def test_ror_ids_are_unique_across_entries() -> None:
    """No two entries share a ROR record."""
    ids = [e.ror_id for e in _registry().entries if e.ror_id is not None]
    assert len(ids) == len(set(ids)) > 100


def test_every_ror_id_is_in_the_vendored_copy() -> None:
    """Each ROR ID is a row of the copy or named in its rows' relationships."""
    missing = [e.id for e in _registry().entries if e.ror_id and e.ror_id not in _copy()]
    assert missing == []


def test_ids_only_named_in_relationships_say_so() -> None:
    """An entry whose record is not a row (country, types unknown) has a "record:" note."""
    copy = _copy()
    for entry in _registry().entries:
        if entry.ror_id is not None and not copy[entry.ror_id].is_row:
            assert any(note_kind(n) == "record" for n in entry.ror_notes), entry.id


def test_each_disagreement_with_ror_has_its_note_and_no_note_is_stale() -> None:
    """Country, parent, kind and name equal ROR's, or the entry has a note of that kind."""
    assert note_mismatches(_registry(), _copy()) == []


def test_the_checks_see_disagreements_in_the_real_registry() -> None:
    """The real registry does disagree with ROR (parents, kinds, names), so the check is live."""
    registry, copy = _registry(), _copy()
    kinds = set()
    for entry in registry.entries:
        if entry.ror_id is not None:
            kinds |= disagreements(entry, registry, copy)
    assert kinds == {"name", "parent", "kind"}


# ------------------------------------------------------------ the checks, on small inputs


def _entry(org_id: str, **fields: Any) -> dict[str, Any]:
    base = {
        "id": org_id,
        "name": "Alpha University",
        "aliases": [],
        "kind": "academic",
        "country": "US",
        "parent": None,
        "source": "test",
    }
    return base | fields


def _small_registry(*entries: dict[str, Any]) -> OrgRegistry:
    data = {"version": 1, "source_note": "test", "organizations": list(entries)}
    return parse_registry(yaml.safe_dump(data, allow_unicode=True))


def _record(ror_id: str, **fields: Any) -> RorRecord:
    base: dict[str, Any] = {
        "ror_id": ror_id,
        "display_name": "Alpha University",
        "names": frozenset({"alpha university"}),
        "country": "US",
        "types": frozenset({"education"}),
        "parents": frozenset(),
        "is_row": True,
    }
    return RorRecord(**(base | fields))


ALPHA = "https://ror.org/042nb2s44"
SYSTEM = "https://ror.org/00pjdza24"


def test_check_reports_a_country_that_differs_without_a_note() -> None:
    """An entry in DE whose record is in US, with no note, is reported."""
    registry = _small_registry(_entry("alpha", country="DE", ror_id=ALPHA))
    assert note_mismatches(registry, {ALPHA: _record(ALPHA)}) == ["alpha: no note for ['country']"]


def test_check_accepts_a_country_difference_that_is_noted() -> None:
    """The same difference with a "country:" note passes."""
    note = "country: ROR has US; ours DE"
    registry = _small_registry(_entry("alpha", country="DE", ror_id=ALPHA, ror_notes=[note]))
    assert note_mismatches(registry, {ALPHA: _record(ALPHA)}) == []


def test_check_reports_a_stale_note() -> None:
    """A "country:" note on an entry whose country agrees with ROR is reported."""
    note = "country: ROR has DE; ours US"
    registry = _small_registry(_entry("alpha", ror_id=ALPHA, ror_notes=[note]))
    assert note_mismatches(registry, {ALPHA: _record(ALPHA)}) == [
        "alpha: stale note for ['country']"
    ]


def test_check_reports_a_ror_parent_that_we_lack() -> None:
    """A record under a university system, for an entry with no parent, needs a note."""
    copy = {ALPHA: _record(ALPHA, parents=frozenset({SYSTEM}))}
    registry = _small_registry(_entry("alpha", ror_id=ALPHA))
    assert disagreements(registry.get("alpha"), registry, copy) == {"parent"}


def test_check_accepts_a_parent_whose_record_is_among_rors_parents() -> None:
    """Our parent's ROR ID among the record's parents is agreement."""
    copy = {
        ALPHA: _record(ALPHA, parents=frozenset({SYSTEM})),
        SYSTEM: _record(SYSTEM, display_name="Alpha System", names=frozenset({"alpha system"})),
    }
    registry = _small_registry(
        _entry("alpha-system", name="Alpha System", ror_id=SYSTEM),
        _entry("alpha", parent="alpha-system", ror_id=ALPHA),
    )
    assert disagreements(registry.get("alpha"), registry, copy) == set()


def test_check_reports_a_parent_without_a_ror_record() -> None:
    """Our parent having no ROR ID while ROR names a parent is a disagreement."""
    copy = {ALPHA: _record(ALPHA, parents=frozenset({SYSTEM}))}
    registry = _small_registry(
        _entry("alpha-system", name="Alpha System", ror_id=None, ror_note="Not set: test"),
        _entry("alpha", parent="alpha-system", ror_id=ALPHA),
    )
    assert disagreements(registry.get("alpha"), registry, copy) == {"parent"}


def test_check_reports_a_kind_rors_types_do_not_include() -> None:
    """An academic entry whose record is only a facility gets a kind disagreement."""
    copy = {ALPHA: _record(ALPHA, types=frozenset({"facility", "funder"}))}
    registry = _small_registry(_entry("alpha", ror_id=ALPHA))
    assert disagreements(registry.get("alpha"), registry, copy) == {"kind"}


def test_check_compares_names_without_rors_country_suffix() -> None:
    """ "Alpha (United States)" is Alpha; "Alpha Labs" is not."""
    names = _comparable(["Alpha (United States)"], frozenset({"United States"}))
    copy = {ALPHA: _record(ALPHA, names=names, types=frozenset({"company"}))}
    same = _small_registry(_entry("alpha", name="Alpha", kind="industry", ror_id=ALPHA))
    other = _small_registry(_entry("alpha", name="Alpha Labs", kind="industry", ror_id=ALPHA))
    assert disagreements(same.get("alpha"), same, copy) == set()
    assert disagreements(other.get("alpha"), other, copy) == {"name"}


def test_check_skips_country_and_kind_of_a_record_only_named_in_relationships() -> None:
    """A record that is not a row has no country or types to compare."""
    copy = {ALPHA: _record(ALPHA, country=None, types=frozenset(), is_row=False)}
    registry = _small_registry(_entry("alpha", ror_id=ALPHA))
    assert disagreements(registry.get("alpha"), registry, copy) == set()


# ------------------------------------------------------------------- the loader's checks


def _with(**fields: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda entry: entry | fields


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ror_id": "https://ror.org/042nb2s45"}, "ror_id must be a ROR ID URL"),
        ({"ror_id": "042nb2s44"}, "ror_id must be a ROR ID URL"),
        ({"ror_id": "https://ror.org/042NB2S44"}, "ror_id must be a ROR ID URL"),
        ({"ror_id": None}, "ror_note (why no ROR record fits) goes with ror_id: null"),
        ({"ror_id": ALPHA, "ror_note": "x"}, "goes with ror_id: null, and only with it"),
        ({"ror_id": None, "ror_note": " "}, "ror_note must be a non-empty string"),
        ({"ror_id": ALPHA, "ror_notes": "name: x"}, "ror_notes must be a list of strings"),
        ({"ror_id": ALPHA, "ror_notes": ["website: x"]}, "starting with one of 'name: '"),
        ({"ror_id": ALPHA, "ror_notes": ["country ROR has US"]}, "starting with one of"),
    ],
)
def test_malformed_ror_fields_are_rejected_naming_the_entry(
    fields: dict[str, Any], message: str
) -> None:
    """Each malformed ROR field raises ValueError located at its entry."""
    with pytest.raises(
        ValueError, match=r"organizations\[0\] \(id 'alpha'\): .*" + re.escape(message)
    ):
        _small_registry(_entry("alpha", **fields))


def test_a_ror_id_given_to_two_entries_is_rejected() -> None:
    """One ROR record is one organization: two entries cannot share it."""
    with pytest.raises(ValueError, match="entry 'beta': ror_id https://ror.org/042nb2s44 is"):
        _small_registry(
            _entry("alpha", ror_id=ALPHA), _entry("beta", name="Beta University", ror_id=ALPHA)
        )


def test_ror_fields_are_read_into_the_entry() -> None:
    """The loader keeps ror_id, ror_note and ror_notes; absent fields mean undecided."""
    registry = _small_registry(
        _entry("alpha", ror_id=ALPHA, ror_notes=["parent: ROR has a system"]),
        _entry("beta", name="Beta Lab", ror_id=None, ror_note="No ROR record for this unit: x"),
        _entry("gamma", name="Gamma College"),
    )
    alpha, beta, gamma = registry.entries
    assert (alpha.ror_id, alpha.ror_note, alpha.ror_notes) == (
        ALPHA,
        None,
        ("parent: ROR has a system",),
    )
    assert (beta.ror_id, beta.ror_note, beta.ror_notes) == (
        None,
        "No ROR record for this unit: x",
        (),
    )
    assert (gamma.ror_id, gamma.ror_note, gamma.ror_notes) == (None, None, ())


def test_note_kinds_are_the_documented_ones() -> None:
    """The registry header documents exactly the note kinds the loader accepts."""
    header = REGISTRY_PATH.read_text(encoding="utf-8").split("\nversion:", 1)[0]
    assert all(f'"{kind}:"' in header for kind in ROR_NOTE_KINDS)


# -------------------------------------------------------------------------- ROR IDs


def test_every_id_of_the_vendored_copy_passes_the_check_digits() -> None:
    """All 49,996 IDs of the copy are well formed with right check digits."""
    ids = pl.read_parquet(ROR_PARQUET, columns=["ror_id"])["ror_id"].to_list()
    assert len(ids) == 49_996
    assert all(is_ror_id(i) for i in ids)


@pytest.mark.parametrize(
    "text",
    [
        "https://ror.org/042nb2s45",  # check digits off by one
        "https://ror.org/042nb2s4",  # one character short
        "https://ror.org/142nb2s44",  # does not start with 0
        "https://ror.org/042ib2s44",  # i is not a Crockford base-32 digit
        "http://ror.org/042nb2s44",  # not the canonical URL
        "https://ror.org/042nb2s44 ",  # trailing space
        42,
    ],
)
def test_mistyped_ror_ids_are_refused(text: object) -> None:
    """A typo in a ROR ID fails the form or the check digits."""
    assert not is_ror_id(text)


# ----------------------------------------------------------------- the vendored folder


def test_vendored_files_have_the_sha256_their_readme_records() -> None:
    """raw/reference/ror/ holds the files its README lists, byte for byte."""
    readme = (ROR_DIR / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme, re.M))
    assert set(listed) == {"ror-organizations.parquet", "build_ror_organizations.py"}
    for name, sha256 in listed.items():
        assert hashlib.sha256((ROR_DIR / name).read_bytes()).hexdigest() == sha256, name


def test_the_pipeline_reads_no_file_of_the_vendored_folder() -> None:
    """Only the YAML files directly in raw/reference/ are reference texts of a run."""
    assert ROR_PARQUET.is_file()
    assert sorted(io.read_reference(REFERENCE)) == sorted(p.name for p in REFERENCE.glob("*.yaml"))
