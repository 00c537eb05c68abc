"""The benchmark command (tools.bench.run): corpora, memory sampling, figures and reports.

Nothing here times anything: the benchmark prints figures, it does not pass or fail on them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tools.bench import run as bench

MIB = 2**20


def test_a_corpus_is_written_once_and_every_run_starts_cold(tmp_path: Path) -> None:
    """It writes the pages, the CV and the reference data; a second call keeps the pages
    but removes what an earlier run left (release, cache), so every run starts cold."""
    raw = bench.prepare_corpus("2", tmp_path, seed=3)
    pages = sorted(p.name for p in raw.glob("*-technical-sessions.txt"))
    assert len(pages) == 2
    assert (raw / bench.CV.name).is_file()
    assert sorted(p.name for p in (raw / "reference").glob("*.yaml")) == sorted(
        p.name for p in (bench.RAW / "reference").glob("*.yaml")
    )
    written = {p: p.stat().st_mtime_ns for p in raw.iterdir() if p.is_file()}
    (raw.parent / "out").mkdir()
    (raw.parent / ".out.cache").mkdir()
    again = bench.prepare_corpus("2", tmp_path, seed=3)
    assert again == raw
    assert {p: p.stat().st_mtime_ns for p in raw.iterdir() if p.is_file()} == written
    assert sorted(p.name for p in raw.parent.iterdir()) == ["corpus.json", "raw"]


def test_the_real_size_is_the_nsdi_page_alone(tmp_path: Path) -> None:
    """Size "nsdi" is the real page, unchanged, with no CV."""
    raw = bench.prepare_corpus(bench.REAL, tmp_path)
    assert sorted(p.name for p in raw.iterdir() if p.is_file()) == [bench.PAGE.name]
    assert (raw / bench.PAGE.name).read_bytes() == bench.PAGE.read_bytes()


@pytest.mark.parametrize("size", ["0", "-1", "ten", "1.5"])
def test_sizes_are_multiples_or_nsdi(size: str) -> None:
    """A size is a positive whole number of pages, or "nsdi"."""
    with pytest.raises(ValueError, match="size"):
        bench.corpus_files(size)


def test_the_sampler_sees_the_process_and_its_descendants(tmp_path: Path) -> None:
    """The tree's peak counts memory held by a grandchild, not only by the child."""
    grandchild = "b = bytearray(120 * 2**20); import time; time.sleep(1.0)"
    child = (
        "import subprocess, sys; a = bytearray(60 * 2**20); "
        f"subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)"
    )
    measured = bench.measure_command(
        [sys.executable, "-c", child], log_path=tmp_path / "log.txt", interval=0.02
    )
    assert measured.returncode == 0 and not measured.timed_out
    memory = measured.memory
    assert memory.processes >= 2
    assert memory.peak_by_label["flow process"] >= 60 * MIB
    assert memory.peak_by_label["other"] >= 120 * MIB
    assert memory.peak_bytes >= 180 * MIB


def test_a_run_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    """The command's whole process group is stopped and the run marked as timed out."""
    measured = bench.measure_command(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        log_path=tmp_path / "log.txt",
        timeout=0.5,
    )
    assert measured.timed_out and measured.returncode != 0


def test_process_tree_and_rss_of_this_process() -> None:
    """The tree of a process starts with it; its RSS is read from /proc."""
    assert bench.process_tree(os.getpid())[0] == os.getpid()
    rss = bench.rss_bytes(os.getpid())
    assert rss is not None and rss > MIB


def _stage(seconds: float, start: float, items: int, busy: float | None = None) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "busy_seconds": seconds if busy is None else busy,
        "pieces": 1,
        "items": items,
        "start": start,
        "end": start + seconds,
    }


def test_stage_figures_split_the_flow_into_start_up_stages_and_prefect() -> None:
    """Throughput is authorships per second of a stage's span; whatever the flow took beyond
    the spans is Prefect's share; the time to the first stage is the start-up."""
    stages = {
        "resolve": _stage(4.0, 110.0, 0),
        "parse": _stage(2.0, 105.0, 1000, busy=3.5),
    }
    f = bench.stage_figures(stages, call_start=100.0, call_end=120.0, authorships=2000)
    assert list(f["stages"]) == ["parse", "resolve"]
    assert f["stages"]["parse"]["per_second"] == 500.0
    assert f["stages"]["resolve"]["per_second"] == 500.0  # no items of its own: all authorships
    assert f["stages"]["parse"]["busy_seconds"] == 3.5
    assert f["stage_seconds"] == 6.0
    assert f["before_first_stage"] == 5.0
    assert f["after_first_stage"] == 15.0
    assert f["prefect_share"] == pytest.approx(14 / 20)


def _result(size: str, flow_seconds: float, peak: int) -> dict[str, Any]:
    stages = {"parse": _stage(1.0, 10.0, 1200)}
    return {
        "size": size,
        "ok": True,
        "files": bench.corpus_files(size),
        "program_files": bench.corpus_files(size),
        "corpus_bytes": MIB,
        "process_seconds": flow_seconds + 5,
        "papers": 150,
        "authorships": 1200,
        "date": "2026-01-01T00:00:00+00:00",
        "log": "flow.log",
        "memory": {
            "peak_bytes": peak,
            "peak_without_server_bytes": peak // 2,
            "peak_by_label": {"flow process": peak // 2, "prefect server": peak // 2},
            "processes": 2,
            "samples": 10,
        },
        "child": {
            "flow_seconds": flow_seconds,
            "import_seconds": 1.0,
            "ru_maxrss_bytes": peak // 2,
            "ru_maxrss_children_bytes": 0,
            "stages_from": "release summary",
            "note": None,
        },
        "figures": bench.stage_figures(stages, 9.0, 9.0 + flow_seconds, 1200),
    }


def test_reports_show_every_size_and_the_targets() -> None:
    """The printed summary and results.md list each size, failed ones included, and set the
    figures beside the issue's targets (1000× time and memory, scaling, NSDI alone)."""
    results = [
        _result(bench.REAL, 4.0, 500 * MIB),
        _result("100", 8.0, 900 * MIB),
        _result("1000", 60.0, 3 * 2**30),
        {"size": "10", "ok": False, "timed_out": True, "files": 11, "returncode": -15},
    ]
    text = bench.text_report(results)
    for expected in ["NSDI '26 page alone", "100×", "1000×", "timed out", "7.5 (target ≤ 11)"]:
        assert expected in text
    assert "1000×: 60.0 s (target ≤ 90 s), peak RSS 3.00 GiB" in text
    assert "NSDI alone: pipeline work 1.00 s after Prefect start-up" in text
    assert "Prefect's task runs included: 3.00 s" in text
    per_size = bench.size_text(results[1])
    assert "authorships/s" in per_size and "1,200" in per_size
    host = bench.machine()
    assert host["cores"] and "prefect" in host["versions"]
    md = bench.markdown_report(results, host)
    assert md.startswith("# Benchmark") and "| parse |" in md and host["cpu"] in md


@pytest.mark.flow
def test_one_flow_run_reports_every_stage(prefect_harness: None, tmp_path: Path) -> None:
    """The child's part, in this process under the test server: it runs the real flow on a
    one-page corpus and returns the flow's wall time, the six stages and the row counts."""
    raw = bench.prepare_corpus("1", tmp_path, with_cv=False)
    figures = bench.run_flow(raw, raw.parent / "out")
    assert figures["row_counts"]["papers"] == 152
    assert set(figures["stages"]) == set(bench.STAGES)
    assert figures["call_start"] <= min(s["start"] for s in figures["stages"].values())
    assert figures["ru_maxrss_bytes"] > 0
    assert figures["note"] is None
