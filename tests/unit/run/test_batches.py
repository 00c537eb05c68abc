"""Parse batches: how the raw files are split among workers, and what a batch returns."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from confdata.errors import RawInputError
from confdata.run import stage_times
from confdata.run.steps import (
    PER_FILE_WEIGHT_BYTES,
    ParseFailure,
    ParseSummary,
    SourceSummary,
    discover_sources,
    parse_batch,
    parse_batch_count,
    parse_weight,
    pipeline_run,
    settle_parses,
    split_batches,
    weight_to_parse,
)
from tests.conftest import FIXTURES, NSDI26, RAW

CV = RAW / "alireza-farshin-cv.txt"
TRUNCATED = FIXTURES / "programs" / "truncated_mid_paper.txt"


def source(name: str, size: int) -> SourceSummary:
    return SourceSummary(
        path=f"/raw/{name}",
        relative=name,
        source_id=f"src_{name}",
        kind="program",
        sha256="0" * 64,
        bytes=size,
        lines=1,
    )


def weight(batch: list[SourceSummary]) -> int:
    return sum(s.bytes + PER_FILE_WEIGHT_BYTES for s in batch)


def test_batch_count_is_a_few_per_worker_and_never_more_than_the_files() -> None:
    assert parse_batch_count(1000, 2) == 8
    assert parse_batch_count(1000, 16) == 64
    assert parse_batch_count(5, 2) == 5
    assert parse_batch_count(1, 2) == 1
    assert parse_batch_count(0, 2) == 0
    assert parse_batch_count(10, 0) == 4  # a runner reporting no worker still gets work


def test_every_file_lands_in_exactly_one_batch_in_the_given_order() -> None:
    sources = [source(f"f{i:03}.txt", (i * 7919) % 300_000) for i in range(100)]
    batches = split_batches(sources, 8)
    assert len(batches) == 8 and all(batches)
    flat = [s for batch in batches for s in batch]
    assert sorted(s.relative for s in flat) == [s.relative for s in sources]
    for batch in batches:  # each batch keeps the order of the sources
        assert batch == sorted(batch, key=sources.index)


def test_batches_are_balanced_by_bytes() -> None:
    """No batch is heavier than the lightest one plus the largest file."""
    rng = random.Random(42)
    sources = [source(f"f{i:03}.txt", rng.choice([17_000, 250_000, 1_200_000])) for i in range(97)]
    batches = split_batches(sources, 8)
    heaviest_file = max(s.bytes for s in sources) + PER_FILE_WEIGHT_BYTES
    assert max(map(weight, batches)) - min(map(weight, batches)) <= heaviest_file


def test_one_big_file_gets_a_batch_of_its_own() -> None:
    sources = [source("big.txt", 10_000_000)] + [source(f"s{i}.txt", 1_000) for i in range(9)]
    batches = split_batches(sources, 4)
    assert [s.relative for s in batches[0]] == ["big.txt"]
    assert sorted(len(b) for b in batches[1:]) == [3, 3, 3]


def test_empty_files_are_spread_by_count() -> None:
    """Files of no bytes still cost a parse: they are not all put in one batch."""
    batches = split_batches([source(f"e{i}.txt", 0) for i in range(8)], 4)
    assert [len(b) for b in batches] == [2, 2, 2, 2]


def test_the_split_does_not_depend_on_the_order_the_files_come_in() -> None:
    sources = [source(f"f{i:03}.txt", (i * 104_729) % 500_000) for i in range(60)]
    shuffled = sources[:]
    random.Random(7).shuffle(shuffled)
    as_names = lambda batches: sorted(sorted(s.relative for s in b) for b in batches)  # noqa: E731
    assert as_names(split_batches(sources, 8)) == as_names(split_batches(shuffled, 8))
    assert split_batches(sources, 8) == split_batches(list(sources), 8)  # deterministic


def test_fewer_files_than_batches_and_no_files() -> None:
    assert split_batches([source("a.txt", 5)], 8) == [[source("a.txt", 5)]]
    assert split_batches([], 8) == []


def parse_folder(tmp_path: Path, names: dict[str, Path]) -> tuple[list[SourceSummary], Path]:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, original in names.items():
        (raw / name).write_bytes(original.read_bytes())
    work = tmp_path / "work"
    work.mkdir()
    return discover_sources(raw, work), work


def test_a_batch_returns_a_bad_file_and_parses_the_rest(tmp_path: Path) -> None:
    """A file that fails to parse is returned as a failure; the files after it are parsed."""
    sources, work = parse_folder(
        tmp_path, {"a-truncated.txt": TRUNCATED, "b-cv.txt": CV, "c-nsdi.txt": NSDI26}
    )
    outcomes = parse_batch(sources, RAW / "reference", work)
    assert [type(o) for o in outcomes] == [ParseFailure, ParseSummary, ParseSummary]
    failure = outcomes[0]
    assert isinstance(failure, ParseFailure)
    assert (failure.error.path, failure.error.line) == ("a-truncated.txt", 31)
    assert failure.source == sources[0]
    # One timing record for discovery and one for the batch (not one per file: a run
    # of many tiny files paid for a record file each), with the batch's authorships.
    parse = stage_times.summarize(work)["parse"]
    assert parse["pieces"] == 1 + 1
    assert parse["items"] == sum(o.rows["stg_authorships"] for o in outcomes[1:])  # type: ignore[union-attr]


def test_settling_raises_the_first_bad_file_after_logging_them_all(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources, work = parse_folder(
        tmp_path, {"a.txt": NSDI26, "b-truncated.txt": TRUNCATED, "c-truncated.txt": TRUNCATED}
    )
    # Batches may end in any order: the outcomes come back shuffled.
    outcomes = parse_batch(sources[2:], RAW / "reference", work) + parse_batch(
        sources[:2], RAW / "reference", work
    )
    with pytest.raises(RawInputError) as err:
        settle_parses(sources, outcomes, work)
    assert err.value.path == "b-truncated.txt"
    bad = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert [m.split(":")[0] for m in bad] == ["bad raw file", "bad raw file"]
    assert "b-truncated.txt:31" in bad[0] and "c-truncated.txt:31" in bad[1]


def test_settling_with_skip_bad_files_sets_the_bad_ones_aside(tmp_path: Path) -> None:
    sources, work = parse_folder(tmp_path, {"a-truncated.txt": TRUNCATED, "b.txt": NSDI26})
    outcomes = parse_batch(sources[1:], RAW / "reference", work) + parse_batch(
        sources[:1], RAW / "reference", work
    )
    parsed = settle_parses(sources, outcomes, work, skip_bad_files=True)
    assert [p.relative for p in parsed] == ["b.txt"]
    skipped = (work / "issues" / "_skipped-parse.json").read_text(encoding="utf-8")
    assert "a-truncated.txt" in skipped


def test_the_weight_to_parse_leaves_out_the_files_in_the_parse_cache(tmp_path: Path) -> None:
    """A re-run only counts the files it will really parse: those not in the cache."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for original in (NSDI26, CV):
        (raw / original.name).write_bytes(original.read_bytes())
    out = tmp_path / "out"
    with pipeline_run(out) as work:
        sources = discover_sources(raw, work)
        assert weight_to_parse(sources, RAW / "reference", work) == sum(map(parse_weight, sources))
        [cv] = [s for s in sources if s.relative == CV.name]
        parse_batch([cv], RAW / "reference", work)  # only the CV: it goes into the cache
    with pipeline_run(out) as work:
        sources = discover_sources(raw, work)
        [nsdi] = [s for s in sources if s.relative == NSDI26.name]
        assert weight_to_parse(sources, RAW / "reference", work) == parse_weight(nsdi)
    assert parse_weight(nsdi) == nsdi.bytes + PER_FILE_WEIGHT_BYTES
