"""Organizations in the published tables: one row per real organization, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("orgs") / "out"
    run_pipeline(RAW, out)
    return out


def table(out: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(out / "parquet" / f"{name}.parquet")


def org_of(out: Path, printed: str) -> str:
    rows = table(out, "paper_author_affiliations").filter(
        pl.col("affiliation_as_printed") == printed
    )
    ids = rows["affiliation_id"].unique().to_list()
    assert len(ids) == 1, (printed, ids)
    return str(ids[0])


@pytest.mark.parametrize(
    "variants",
    [
        [
            "UT Austin",
            "UT-Austin",
            "The University of Texas at Austin",
            "University of Texas at Austin",
        ],
        [
            "UIUC",
            "University of Illinois Urbana-Champaign",
            "University of Illinois, Urbana-Champaign",
            "University of Illinois Urbana–Champaign",
        ],
        ["KAUST", "King Abdullah University of Science and Technology"],
        ["Nanyang Technology University", "Nanyang Technological University"],
        ["Tencent Inc.", "Tencent"],
        ["Bytedance Inc.", "ByteDance"],
    ],
    ids=lambda v: v[0],
)
def test_printed_variants_are_one_organization(release: Path, variants: list[str]) -> None:
    """It resolves every printed variant of an organization to one row."""
    assert len({org_of(release, v) for v in variants}) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Chinese University of Hong Kong", "The Chinese University of Hong Kong, Shenzhen"),
        ("Zhongguancun Laboratory", "Zhongguancun Academy"),
        ("Northeastern University", "Northwestern University"),
    ],
)
def test_look_alikes_stay_apart(release: Path, a: str, b: str) -> None:
    """It keeps organizations with similar names apart."""
    assert org_of(release, a) != org_of(release, b)


@pytest.mark.parametrize(
    ("unit", "chain"),
    [
        ("MIT CSAIL", ["Massachusetts Institute of Technology"]),
        ("School of Computer Science, Peking University", ["Peking University"]),
        ("Microsoft Research Asia", ["Microsoft Research", "Microsoft"]),
        ("Google DeepMind", ["Google"]),
        ("NICE Lab, XMU", ["Xiamen University"]),
    ],
)
def test_units_point_to_their_parents(release: Path, unit: str, chain: list[str]) -> None:
    """It gives a unit its own row whose parent chain is the organizations it belongs to."""
    orgs = table(release, "affiliations")
    names = dict(zip(orgs["affiliation_id"], orgs["name"], strict=True))
    parents = dict(zip(orgs["affiliation_id"], orgs["parent_affiliation_id"], strict=True))
    current = parents[org_of(release, unit)]
    seen = []
    while current is not None:
        seen.append(names[current])
        current = parents[current]
    assert seen == chain


def test_every_match_records_how_it_was_made(release: Path) -> None:
    """It records the method and score of every match; the typo is a fuzzy match."""
    rows = table(release, "paper_author_affiliations")
    assert set(rows["match_method"].unique()) <= {
        "exact",
        "alias",
        "normalized",
        "fuzzy",
        "unresolved",
    }
    typo = rows.filter(pl.col("affiliation_as_printed") == "Nanyang Technology University")
    assert typo["match_method"].to_list() == ["fuzzy"]
    assert 90 <= typo["match_score"][0] < 100


def test_unknown_organization_is_kept_and_reported(tmp_path: Path) -> None:
    """It keeps an organization the registry does not know as an unresolved row, and reports it."""
    raw = tmp_path / "raw"
    raw.mkdir()
    text = NSDI26.read_text(encoding="utf-8").replace(
        "Nihal Sharma, Capital One;", "Nihal Sharma, Frobozz Widget Works;"
    )
    (raw / NSDI26.name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    run_pipeline(raw, out)
    orgs = table(out, "affiliations").filter(pl.col("name") == "Frobozz Widget Works")
    assert orgs["resolution"].to_list() == ["unresolved"]
    report = json.loads((out / "quality" / "report.json").read_text(encoding="utf-8"))
    issue = [i for i in report["issues"] if i["code"] == "unresolved-affiliation"]
    assert [(i["text"], i["line"]) for i in issue] == [("Frobozz Widget Works", 74)]
