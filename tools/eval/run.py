"""Evaluate people and organization resolution on the labelled sets (``make eval``).

Runs the real pipeline on ``raw/`` into a temporary folder and scores what it
published: the person of every labelled mention (``author_mentions``) against
``tools/eval/labels/people_pairs.yaml`` (pairwise precision, recall and F1, and
B-cubed F1), and the organization of every printed string
(``paper_author_affiliations``) against the registry entries the labels name
(``tools/eval/labels/organizations.yaml``: accuracy). It prints the figures and every
miss, and writes them to ``.eval/results.json`` so that the next release's
quality report shows them.

It also scores the registry tier on the hard organization strings of
``tools/eval/labels/organizations_ror.yaml`` (corpus pages and seed files, issue 15), string
by string since they are not all in raw/'s release, after checking every label
against its source line, the registry and the vendored ROR copy; their ROR labels
are counted until the ROR tier exists. This score has no target yet.

Usage: ``python -m tools.eval.run [--strict]`` (``--strict`` exits 1 when a
target is missed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import yaml

from confdata.reference.registry import parse_registry
from confdata.resolve.organizations.affiliations import match_org
from confdata.resolve.organizations.matching import registry_affiliation_id
from confdata.run.steps import run_pipeline
from tools.eval.evaluation import MentionRef, bcubed_f1, label_pairs, pairwise_scores, parse_labels
from tools.eval.org_labels import check_org_labels, parse_org_labels, ror_summary, score_registry

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
LABELS = Path(__file__).parent / "labels" / "people_pairs.yaml"
ORG_LABELS = Path(__file__).parent / "labels" / "organizations.yaml"
HARD_ORG_LABELS = Path(__file__).parent / "labels" / "organizations_ror.yaml"
REGISTRY = RAW / "reference" / "organizations.yaml"
ROR_COPY = RAW / "reference" / "ror" / "ror-organizations.parquet"
RESULTS = ROOT / ".eval" / "results.json"
TARGET_PRECISION = 0.99
TARGET_RECALL = 0.97


def read_release(raw_dir: Path) -> dict[str, pl.DataFrame]:
    """Run the pipeline on raw_dir into a temporary folder and read the tables back."""
    with tempfile.TemporaryDirectory(prefix="confdata-eval-") as tmp:
        out = Path(tmp) / "out"
        run_pipeline(raw_dir, out)
        return {p.stem: pl.read_parquet(p) for p in (out / "parquet").glob("*.parquet")}


def evaluate_people(tables: dict[str, pl.DataFrame]) -> dict[str, object]:
    """Score the published persons of the labelled mentions."""
    mentions = tables["author_mentions"]
    index: dict[tuple[str, int, str], list[str]] = {}
    for mention_id, name in mentions.select("mention_id", "name_as_printed").rows():
        file, line, _ = mention_id.rsplit(":", 2)
        index.setdefault((file, int(line), name), []).append(mention_id)

    def resolve(ref: MentionRef) -> str:
        found = index.get((ref.file, ref.line, ref.name), [])
        if len(found) != 1:
            raise SystemExit(f"label {ref} matches {len(found)} published mentions: {found}")
        return found[0]

    items = parse_labels(LABELS.read_text("utf-8"))
    pairs = label_pairs(items, resolve)
    predicted = dict(mentions.select("mention_id", "author_id").rows())
    pairwise = pairwise_scores(predicted, pairs)
    bcubed = bcubed_f1(predicted, pairs)
    misses = [
        f"{'false negative' if p.same else 'false positive'}: {p.left} ~ {p.right}"
        for p in pairs
        if (predicted[p.left] == predicted[p.right]) != p.same
    ]
    return {
        "labelled_items": len(items),
        "labelled_pairs": len(pairs),
        "pairwise": {"precision": pairwise.precision, "recall": pairwise.recall, "f1": pairwise.f1},
        "bcubed": {"precision": bcubed.precision, "recall": bcubed.recall, "f1": bcubed.f1},
        "misses": misses,
        "targets_met": pairwise.precision >= TARGET_PRECISION and pairwise.recall >= TARGET_RECALL,
    }


def evaluate_organizations(tables: dict[str, pl.DataFrame]) -> dict[str, object]:
    """Score the published organization of every labelled printed string."""
    labels = yaml.safe_load(ORG_LABELS.read_text("utf-8"))["labels"]
    rows = tables["paper_author_affiliations"].select("affiliation_as_printed", "affiliation_id")
    got = dict(rows.unique().rows())
    wrong = []
    for label in labels:
        expected = registry_affiliation_id(label["registry_id"]) if label["registry_id"] else None
        actual = got.get(label["printed"])
        if actual is None:
            raise SystemExit(
                f"organization label {label['printed']!r} is not printed in the release"
            )
        orgs = tables["affiliations"].filter(pl.col("affiliation_id") == actual)
        resolved = orgs["resolution"][0] == "registry"
        if (expected is None and resolved) or (expected is not None and actual != expected):
            wrong.append(
                f"{label['printed']!r}: expected {label['registry_id']}, got {orgs['name'][0]!r}"
            )
    return {"labelled": len(labels), "accuracy": 1 - len(wrong) / len(labels), "misses": wrong}


def vendored_ror_ids(path: Path = ROR_COPY) -> set[str]:
    """Return the ROR IDs of the vendored copy: its rows and the IDs its relationships name."""
    table = pl.read_parquet(path, columns=["ror_id", "relationships"])
    named = table["relationships"].explode().drop_nulls().struct.field("id")
    return set(table["ror_id"]) | set(named)


def evaluate_hard_organizations() -> dict[str, object]:
    """Check the hard organization labels and score the registry tier on their strings."""
    path = str(HARD_ORG_LABELS.relative_to(ROOT))
    labels = parse_org_labels(HARD_ORG_LABELS.read_text("utf-8"), path)
    registry = parse_registry(REGISTRY.read_text("utf-8"))
    problems = check_org_labels(
        labels,
        registry_ids={entry.id for entry in registry.entries},
        ror_ids=vendored_ror_ids(),
        read_lines=lambda name: (ROOT / name).read_text("utf-8").split("\n"),
        path=path,
    )
    if problems:
        raise SystemExit("\n".join(problems))
    scores = score_registry(labels, lambda printed: match_org(printed, registry).org_id)
    return scores | {"ror": ror_summary(labels)}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation, print the figures and write them to .eval/results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    tables = read_release(RAW)
    people = evaluate_people(tables)
    orgs = evaluate_organizations(tables)
    hard = evaluate_hard_organizations()
    pw, bc = people["pairwise"], people["bcubed"]
    print(
        f"people: {tables['author_mentions'].height} mentions -> {tables['authors'].height} persons; "
        f"{people['labelled_pairs']} labelled pairs"
    )
    print(
        f"  pairwise precision {pw['precision']:.4f}  recall {pw['recall']:.4f}  F1 {pw['f1']:.4f}"
    )  # type: ignore[index]
    print(
        f"  B-cubed  precision {bc['precision']:.4f}  recall {bc['recall']:.4f}  F1 {bc['f1']:.4f}"
    )  # type: ignore[index]
    for miss in people["misses"]:  # type: ignore[attr-defined]
        print(f"  {miss}")
    print(f"organizations: {orgs['labelled']} labelled strings, accuracy {orgs['accuracy']:.4f}")
    for miss in orgs["misses"]:  # type: ignore[attr-defined]
        print(f"  {miss}")
    print(
        f"hard organization strings: {hard['labelled']} labelled, registry tier accuracy "
        f"{hard['accuracy']:.4f}  precision {hard['precision']:.4f}  recall {hard['recall']:.4f}"
        " (no target yet)"
    )
    for miss in hard["misses"]:  # type: ignore[attr-defined]
        print(f"  {miss}")
    ror = ", ".join(f"{n} {kind}" for kind, n in hard["ror"].items())  # type: ignore[attr-defined]
    print(f"  ROR labels (scored once the ROR tier exists): {ror}")
    met = bool(people["targets_met"]) and orgs["accuracy"] == 1.0
    print(
        f"targets (precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}, organizations all "
        f"right): {'met' if met else 'NOT met'}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"people": people, "organizations": orgs, "organizations_hard": hard},
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
