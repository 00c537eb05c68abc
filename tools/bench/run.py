"""`make bench`: run the real flow on synthetic corpora of growing size and print figures.

For each size (a multiple of the NSDI '26 page; ``nsdi`` is the real page
alone) it writes a corpus of program pages (``tools.bench.synthetic``) into
``<bench dir>/corpus-<size>/raw`` (with ``raw/reference`` copied and, unless
``--no-cv``, the CV), then runs ``flows.build.build_dataset`` on it in a fresh
Python process, so that every size starts cold and its memory is its own. This
process samples the memory of that process and all its descendants (parse
workers, the Prefect ephemeral server) every 50 ms; the child times the flow
call and reports its own peak RSS and the pipeline's stage timings
(``confdata.run.stage_times``). Whatever the flow call took beyond the stages'
spans is time spent in Prefect (or between steps).

It prints a table per size and writes ``results.json`` and ``results.md`` to
the bench folder. It is a command that prints figures, not a test: nothing
here passes or fails on time.

    python -m tools.bench.run --sizes nsdi 10 100 1000 --bench-dir .bench
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import inspect
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
PAGE = RAW / "nsdi26-technical-sessions.txt"
CV = RAW / "alireza-farshin-cv.txt"
DEFAULT_SIZES = ("nsdi", "10", "100", "1000")
REAL = "nsdi"  # the size that stands for the real NSDI '26 page alone
SAMPLE_SECONDS = 0.05
STAGES = ("parse", "normalize", "resolve", "validate", "write", "report")
# The targets the issue sets (printed beside the figures; nothing fails on them).
TARGET_1000_SECONDS = 90.0
TARGET_1000_RSS_BYTES = 4 * 2**30
TARGET_RATIO_1000_100 = 11.0
TARGET_NSDI_AFTER_STARTUP = 1.0
# Defaults the Makefile exports, for runs of `python -m tools.bench.run` without make.
CHILD_ENV_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


# --------------------------------------------------------------------------- corpora


def corpus_files(size: str) -> int:
    """Return how many program pages a size stands for (``nsdi``: the real page, 1).

    Raises:
        ValueError: For a size that is neither ``nsdi`` nor a positive whole number.
    """
    if size == REAL:
        return 1
    if not size.isdigit() or int(size) < 1:
        raise ValueError(f"size {size!r}: expected {REAL!r} or a positive whole number")
    return int(size)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(size: str, seed: int, with_cv: bool) -> dict[str, Any]:
    """What a corpus is made from: regenerated when any of it changes."""
    from tools.bench import synthetic

    generator = Path(inspect.getsourcefile(synthetic) or "").read_bytes()
    reference = b"".join(p.read_bytes() for p in sorted((RAW / "reference").glob("*.yaml")))
    return {
        "size": size,
        "files": corpus_files(size),
        "seed": seed,
        "cv": with_cv and size != REAL,
        "page_sha256": _sha256(PAGE.read_bytes()),
        "generator_sha256": _sha256(generator),
        "reference_sha256": _sha256(reference),
    }


def prepare_corpus(size: str, bench_dir: Path, seed: int = 0, with_cv: bool = True) -> Path:
    """Write the corpus of a size into ``<bench_dir>/corpus-<size>/raw`` and return that folder.

    The corpus is kept between runs and only rewritten when its manifest (size,
    seed, the page, the generator's source, the reference data) changes.
    Everything else in the corpus folder (an earlier run's release, cache,
    lock) is removed, so that every run starts cold.
    """
    folder = bench_dir / f"corpus-{size}"
    raw = folder / "raw"
    manifest = _manifest(size, seed, with_cv)
    manifest_path = folder / "corpus.json"
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.name not in {"raw", "corpus.json"}:
            _remove(entry)
    current = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else None
    if current == manifest and raw.is_dir():
        return raw
    _remove(raw)
    manifest_path.unlink(missing_ok=True)
    raw.mkdir(parents=True)
    shutil.copytree(RAW / "reference", raw / "reference")
    if size == REAL:
        shutil.copyfile(PAGE, raw / PAGE.name)
    else:
        _write_synthetic(raw, manifest["files"], seed)
        if manifest["cv"]:
            shutil.copyfile(CV, raw / CV.name)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return raw


def _write_synthetic(raw: Path, files: int, seed: int) -> None:
    from confdata.reference.data import build_reference
    from confdata.run import io
    from tools.bench.synthetic import program_template, synthetic_programs

    reference = build_reference(io.read_reference(RAW / "reference"))
    template = program_template(PAGE.read_text("utf-8"), reference)
    for name, text in synthetic_programs(template, seed=seed, files=files):
        (raw / name).write_text(text, "utf-8")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# --------------------------------------------------------------------------- memory


def process_tree(pid: int) -> list[int]:
    """Return a process and all its descendants (from ``/proc/<pid>/task/*/children``)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                todo.extend(int(c) for c in children.read_text().split())
    return found


def rss_bytes(pid: int) -> int | None:
    """Return a process's resident set size (VmRSS) in bytes, or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None  # a zombie has no VmRSS


def process_label(pid: int, root: int) -> str:
    """Name a process of the tree: the flow process, the Prefect server, a worker, or its command."""
    if pid == root:
        return "flow process"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "other"
    command = " ".join(a.decode("utf-8", "replace") for a in argv if a)
    if "uvicorn" in command or "prefect.server" in command or "prefect server" in command:
        return "prefect server"
    if "dask" in command or "distributed" in command:
        return "dask"
    if "multiprocessing" in command or "concurrent.futures" in command:
        return "workers"
    return "other"


@dataclass
class TreeMemory:
    """Peak memory of a process tree, as sampled."""

    peak_bytes: int = 0
    peak_without_server_bytes: int = 0
    peak_by_label: dict[str, int] = field(default_factory=dict)
    processes: int = 0
    samples: int = 0


class TreeSampler:
    """Sample the summed RSS of a process and its descendants in a background thread.

    The sum over processes at one instant is what the machine must hold; its
    peak is sampled (every ``interval`` seconds), so a spike shorter than that
    can be missed (the child's own ``ru_maxrss`` is exact for itself).
    """

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        """Prepare to sample the tree rooted at ``pid``; :meth:`start` starts sampling."""
        self.pid = pid
        self.interval = interval
        self.memory = TreeMemory()
        self._labels: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> TreeSampler:
        """Start sampling (one sample at once)."""
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> TreeMemory:
        """Stop sampling and return the peaks."""
        self._stop.set()
        self._thread.join()
        return self.memory

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        """Take one sample of the tree's memory and update the peaks."""
        by_label: dict[str, int] = {}
        for pid in process_tree(self.pid):
            rss = rss_bytes(pid)
            if rss is None:
                continue
            label = self._labels.get(pid)
            if label is None or label == "other":
                # Read again until it says more: between fork and exec a process still
                # shows its parent's command line.
                label = self._labels[pid] = process_label(pid, self.pid)
            by_label[label] = by_label.get(label, 0) + rss
        m = self.memory
        total = sum(by_label.values())
        m.peak_bytes = max(m.peak_bytes, total)
        m.peak_without_server_bytes = max(
            m.peak_without_server_bytes, total - by_label.get("prefect server", 0)
        )
        for label, rss in by_label.items():
            m.peak_by_label[label] = max(m.peak_by_label.get(label, 0), rss)
        m.processes = len(self._labels)
        m.samples += 1


@dataclass
class Measured:
    """How a command ran: its exit code, wall time and the memory of its process tree."""

    returncode: int | None
    seconds: float
    memory: TreeMemory
    timed_out: bool = False


def measure_command(
    argv: Sequence[str],
    *,
    log_path: Path,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    interval: float = SAMPLE_SECONDS,
) -> Measured:
    """Run a command in its own session, sampling its process tree's memory until it ends.

    Its output goes to ``log_path``. After ``timeout`` seconds its whole process
    group (it and its descendants, all started here) is stopped.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        start = time.perf_counter()
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        sampler = TreeSampler(child.pid, interval).start()
        timed_out = False
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop_group(child)
        finally:
            memory = sampler.stop()
        seconds = time.perf_counter() - start
    return Measured(child.returncode, seconds, memory, timed_out)


def _stop_group(child: subprocess.Popen[bytes]) -> None:
    """Stop the process group of a child this module started (TERM, then KILL)."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, sig)
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


# --------------------------------------------------------------------------- the child


@contextlib.contextmanager
def _capture_stage_times(captured: dict[str, Any]) -> Iterator[None]:
    """Keep the stage timings of the flow's run before its work folder is removed.

    Used when the flow's summary does not carry them: ``steps.pipeline_run``
    is wrapped so that ``stage_times.summarize`` reads the work folder as the
    run ends.
    """
    from confdata.run import stage_times, steps

    original = steps.pipeline_run

    @contextlib.contextmanager
    def capturing(out_dir: Path, lock_timeout: float | None = None) -> Iterator[Path]:
        with original(out_dir, lock_timeout) as work:
            try:
                yield work
            finally:
                captured.update(stage_times.summarize(work))

    steps.pipeline_run = capturing  # type: ignore[assignment]
    try:
        yield
    finally:
        steps.pipeline_run = original  # type: ignore[assignment]


def flow_keywords(task_runner: str | None) -> tuple[dict[str, Any], str | None]:
    """Return the keywords for ``build_dataset`` and a note when one cannot be passed.

    ``task_runner`` is passed only when the flow has such a parameter.
    """
    from flows.build import build_dataset

    if task_runner is None:
        return {}, None
    fn = getattr(build_dataset, "fn", build_dataset)
    if "task_runner" in inspect.signature(fn).parameters:
        return {"task_runner": task_runner}, None
    return (
        {},
        f"build_dataset has no task_runner parameter; ran with its default, not {task_runner!r}",
    )


def run_flow(raw_dir: Path, out_dir: Path, task_runner: str | None = None) -> dict[str, Any]:
    """Run the real flow once in this process and return its figures (see ``--child``).

    Returns:
        The flow call's start and end (epoch seconds) and wall time, the stage
        timings (the summary's, else read from the work folder), the release's
        row and issue counts, and this process's peak RSS.
    """
    import_start = time.perf_counter()
    from flows.build import build_dataset

    import_seconds = time.perf_counter() - import_start
    keywords, note = flow_keywords(task_runner)
    captured: dict[str, Any] = {}
    with _capture_stage_times(captured):
        call_start = time.time()
        perf_start = time.perf_counter()
        release = build_dataset(raw_dir=str(raw_dir), out_dir=str(out_dir), **keywords)
        flow_seconds = time.perf_counter() - perf_start
        call_end = time.time()
    stages = dict(getattr(release, "stages", {}) or {})
    source = "release summary" if stages else "work folder"
    usage, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return {
        "flow_seconds": flow_seconds,
        "call_start": call_start,
        "call_end": call_end,
        "import_seconds": import_seconds,
        "stages": stages or captured,
        "stages_from": source,
        "row_counts": dict(release.row_counts),
        "issue_counts": dict(release.issue_counts),
        "parsed_files": len(release.parsed),
        "cached_files": len(release.cached),
        "published": release.published,
        "task_runner": keywords.get("task_runner"),
        "note": note,
        # ru_maxrss is in KiB on Linux.
        "ru_maxrss_bytes": usage.ru_maxrss * 1024,
        "ru_maxrss_children_bytes": children.ru_maxrss * 1024,
        "pid": os.getpid(),
    }


# --------------------------------------------------------------------------- figures


def stage_figures(
    stages: Mapping[str, Mapping[str, Any]],
    call_start: float,
    call_end: float,
    authorships: int,
) -> dict[str, Any]:
    """Turn the stage timings of one run into the figures printed for it.

    Per stage: its span, busy time, pieces and throughput (authorships per
    second of span; the stage's own item count when it has one). For the run:
    the sum of the spans, the time from the flow call to the first stage
    (Prefect start-up and discovery), after it, and the share of the flow's
    wall time outside the stages (Prefect, and the glue between steps).

    Examples:
        >>> f = stage_figures({"parse": {"seconds": 2.0, "busy_seconds": 2.0, "pieces": 1,
        ...     "items": 100, "start": 13.0, "end": 15.0}}, 10.0, 20.0, 100)
        >>> f["stages"]["parse"]["per_second"], f["before_first_stage"], f["prefect_share"]
        (50.0, 3.0, 0.8)
    """
    wall = call_end - call_start
    rows: dict[str, dict[str, Any]] = {}
    for stage in [s for s in STAGES if s in stages] + [s for s in stages if s not in STAGES]:
        info = stages[stage]
        seconds = float(info.get("seconds", 0.0))
        items = int(info.get("items", 0)) or authorships
        rows[stage] = {
            "seconds": seconds,
            "busy_seconds": float(info.get("busy_seconds", seconds)),
            "pieces": int(info.get("pieces", 0)),
            "items": items,
            "per_second": round(items / seconds, 1) if seconds > 0 else None,
        }
    spans = sum(r["seconds"] for r in rows.values())
    starts = [float(s["start"]) for s in stages.values() if "start" in s]
    first = min(starts) if starts else call_end
    return {
        "stages": rows,
        "stage_seconds": spans,
        "before_first_stage": first - call_start,
        "after_first_stage": call_end - first,
        "prefect_seconds": wall - spans,
        "prefect_share": round((wall - spans) / wall, 4) if wall > 0 else None,
    }


def run_size(
    size: str,
    bench_dir: Path,
    *,
    seed: int = 0,
    with_cv: bool = True,
    task_runner: str | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Prepare the corpus of a size, run the flow on it in a fresh process, return the figures."""
    gen_start = time.perf_counter()
    raw = prepare_corpus(size, bench_dir, seed, with_cv)
    corpus_seconds = time.perf_counter() - gen_start
    folder = raw.parent
    result_path = folder / "child.json"
    argv = [sys.executable, "-m", "tools.bench.run", "--child", "--raw", str(raw)]
    argv += ["--out", str(folder / "out"), "--result", str(result_path)]
    if task_runner:
        argv += ["--task-runner", task_runner]
    env = {**CHILD_ENV_DEFAULTS, **os.environ}
    measured = measure_command(argv, log_path=folder / "flow.log", env=env, timeout=timeout)
    result: dict[str, Any] = {
        "size": size,
        "files": len([p for p in raw.iterdir() if p.is_file()]),
        "program_files": corpus_files(size),
        "corpus_bytes": sum(p.stat().st_size for p in raw.iterdir() if p.is_file()),
        "corpus_seconds": round(corpus_seconds, 2),
        "process_seconds": measured.seconds,
        "returncode": measured.returncode,
        "timed_out": measured.timed_out,
        "memory": asdict(measured.memory),
        "log": str(folder / "flow.log"),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if measured.returncode != 0 or not result_path.is_file():
        result["ok"] = False
        return result
    child = json.loads(result_path.read_text("utf-8"))
    authorships = int(child["row_counts"].get("paper_authors", 0)) or max(
        (int(s.get("items", 0)) for s in child["stages"].values()), default=0
    )
    result.update(
        ok=True,
        papers=int(child["row_counts"].get("papers", 0)),
        authorships=authorships,
        child=child,
        figures=stage_figures(child["stages"], child["call_start"], child["call_end"], authorships),
    )
    return result


def machine() -> dict[str, Any]:
    """Describe the machine and the versions the figures were taken with."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    versions = {}
    for package in ("polars", "prefect", "pandera", "confdata"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_bytes": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# --------------------------------------------------------------------------- reports


def _mib(n: int | float | None) -> str:
    return "-" if not n else f"{n / 2**20:,.0f} MiB"


def _secs(n: float | None) -> str:
    return "-" if n is None else f"{n:,.2f} s"


def _label(size: str) -> str:
    return "NSDI '26 page alone" if size == REAL else f"{size}×"


def _summary_rows(results: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for r in results:
        if not r.get("ok"):
            state = "timed out" if r.get("timed_out") else f"failed (exit {r.get('returncode')})"
            rows.append([_label(r["size"]), str(r["files"]), state, *["-"] * 7])
            continue
        f, m = r["figures"], r["memory"]
        share = f["prefect_share"]
        rows.append(
            [
                _label(r["size"]),
                str(r["files"]),
                f"{r['papers']:,} / {r['authorships']:,}",
                _secs(r["child"]["flow_seconds"]),
                _secs(f["before_first_stage"]),
                _secs(f["stage_seconds"]),
                "-" if share is None else f"{share:.0%}",
                _mib(m["peak_bytes"]),
                _mib(m["peak_without_server_bytes"]),
                _mib(r["child"]["ru_maxrss_bytes"]),
            ]
        )
    return rows


SUMMARY_HEADER = [
    "size",
    "files",
    "papers / authorships",
    "flow wall",
    "start-up",
    "stages",
    "in Prefect",
    "peak RSS tree",
    "tree w/o server",
    "flow ru_maxrss",
]
STAGE_HEADER = ["stage", "span", "busy", "pieces", "authorships", "authorships/s"]


def _stage_rows(result: Mapping[str, Any]) -> list[list[str]]:
    return [
        [
            stage,
            _secs(s["seconds"]),
            _secs(s["busy_seconds"]),
            str(s["pieces"]),
            f"{s['items']:,}",
            "-" if s["per_second"] is None else f"{s['per_second']:,.0f}",
        ]
        for stage, s in result["figures"]["stages"].items()
    ]


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def size_text(result: Mapping[str, Any]) -> str:
    """Return the figures of one size as printed after its run."""
    title = f"== {_label(result['size'])}: {result['files']} file{'s' * (result['files'] != 1)}"
    if not result.get("ok"):
        state = "timed out" if result.get("timed_out") else f"failed (exit {result['returncode']})"
        return f"{title}: {state}; see {result['log']}"
    f, child, m = result["figures"], result["child"], result["memory"]
    cv = result["files"] - result["program_files"]
    facts = [
        (
            "flow wall time",
            _secs(child["flow_seconds"]),
            f"whole process {_secs(result['process_seconds'])}, of which importing the flow "
            f"{_secs(child['import_seconds'])}",
        ),
        (
            "Prefect start-up",
            _secs(f["before_first_stage"]),
            "flow call to the first stage: temporary server, flow and task run set-up",
        ),
        ("after start-up", _secs(f["after_first_stage"]), "first stage to the flow's return"),
        ("stages", _secs(f["stage_seconds"]), "sum of the stages' spans"),
        (
            "in Prefect",
            _secs(f["prefect_seconds"]),
            f"{(f['prefect_share'] or 0):.0%} of the flow's wall time",
        ),
        (
            "peak RSS (tree)",
            _mib(m["peak_bytes"]),
            f"without the Prefect server {_mib(m['peak_without_server_bytes'])}; by process: "
            + ", ".join(f"{k} {_mib(v)}" for k, v in sorted(m["peak_by_label"].items()))
            + f"; {m['processes']} processes, {m['samples']} samples",
        ),
        (
            "flow ru_maxrss",
            _mib(child["ru_maxrss_bytes"]),
            f"largest waited-for child {_mib(child['ru_maxrss_children_bytes'])}",
        ),
    ]
    lines = [
        f"{title} ({result['program_files']} program{'s' * (result['program_files'] > 1)}"
        f"{' + CV' * (cv > 0)}), {result['corpus_bytes'] / 2**20:,.1f} MiB; "
        f"{result['papers']:,} papers, {result['authorships']:,} authorships ==",
        *(f"{name:<17} {value:>10}  ({note})" for name, value, note in facts),
        "",
        _text_table(STAGE_HEADER, _stage_rows(result)),
    ]
    if child.get("stages_from") != "release summary":
        lines.append("(stage timings read from the run's work folder: the summary had none)")
    if child.get("note"):
        lines.append(f"note: {child['note']}")
    return "\n".join(lines)


def targets(results: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the issue's targets with the figures measured against them, where there are any."""
    ok = {r["size"]: r for r in results if r.get("ok")}
    lines = []
    if "1000" in ok:
        r = ok["1000"]
        wall, peak = r["child"]["flow_seconds"], r["memory"]["peak_bytes"]
        lines.append(
            f"1000×: {wall:,.1f} s (target ≤ {TARGET_1000_SECONDS:.0f} s), peak RSS "
            f"{peak / 2**30:.2f} GiB (target < {TARGET_1000_RSS_BYTES / 2**30:.0f} GiB)"
        )
    if "1000" in ok and "100" in ok:
        ratio = ok["1000"]["child"]["flow_seconds"] / ok["100"]["child"]["flow_seconds"]
        lines.append(f"time(1000×)/time(100×) = {ratio:.1f} (target ≤ {TARGET_RATIO_1000_100:.0f})")
    if REAL in ok:
        figures = ok[REAL]["figures"]
        # The pipeline's own work: the stages' busy time (write and report overlap).
        own = sum(stage["busy_seconds"] for stage in figures["stages"].values())
        lines.append(
            f"NSDI alone: pipeline work {own:.2f} s after Prefect start-up "
            f"(target < {TARGET_NSDI_AFTER_STARTUP:.0f} s); first stage to the flow's return, "
            f"Prefect's task runs included: {figures['after_first_stage']:.2f} s"
        )
    return lines


def text_report(results: Sequence[Mapping[str, Any]]) -> str:
    """Return the summary printed at the end: one row per size, then the targets."""
    lines = ["== summary ==", _text_table(SUMMARY_HEADER, _summary_rows(results))]
    found = targets(results)
    if found:
        lines += ["", *found]
    return "\n".join(lines)


def markdown_report(results: Sequence[Mapping[str, Any]], host: Mapping[str, Any]) -> str:
    """Return ``results.md``: the machine, the summary, the targets and each size's stages."""
    versions = ", ".join(f"{k} {v}" for k, v in host["versions"].items())
    lines = [
        "# Benchmark: the flow on synthetic corpora",
        "",
        f"Machine: {host['cpu']}, {host['cores']} cores, {host['ram_bytes'] / 2**30:.1f} GiB RAM; "
        f"Python {host['python']}; {versions}; {host['date']}.",
        "",
        "Sizes are multiples of the NSDI '26 page (about 150 papers and 1,250 authorships per "
        "file); *start-up* is the flow call to the first stage; *in Prefect* is the flow's wall "
        "time outside the stages' spans; peak RSS is sampled every "
        f"{SAMPLE_SECONDS * 1000:.0f} ms over the flow process and its descendants.",
        "",
        _md_table(SUMMARY_HEADER, _summary_rows(results)),
    ]
    found = targets(results)
    if found:
        lines += ["", *[f"- {t}" for t in found]]
    for r in results:
        if r.get("ok"):
            lines += ["", f"## {_label(r['size'])} ({r['date']})", ""]
            lines.append(_md_table(STAGE_HEADER, _stage_rows(r)))
    return "\n".join(lines) + "\n"


def save(results: Sequence[Mapping[str, Any]], bench_dir: Path) -> list[dict[str, Any]]:
    """Write ``results.json`` and ``results.md``, keeping earlier results of sizes not rerun.

    Returns:
        All results written, in size order.
    """
    path = bench_dir / "results.json"
    kept: dict[str, dict[str, Any]] = {}
    if path.is_file():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            kept = {r["size"]: r for r in json.loads(path.read_text("utf-8"))["results"]}
    kept.update({r["size"]: dict(r) for r in results})
    merged = sorted(kept.values(), key=lambda r: corpus_files(r["size"]) + (r["size"] != REAL))
    host = machine()
    path.write_text(
        json.dumps({"machine": host, "results": merged}, indent=2, default=str) + "\n", "utf-8"
    )
    (bench_dir / "results.md").write_text(markdown_report(merged, host), "utf-8")
    return merged


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m tools.bench.run [--sizes nsdi 10 100 1000] [--bench-dir .bench]``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=list(DEFAULT_SIZES),
        help=f"multiples of the NSDI '26 page, or {REAL!r} for the real page alone "
        f"(default: {' '.join(DEFAULT_SIZES)})",
    )
    parser.add_argument("--bench-dir", default=".bench", help="scratch folder (default .bench)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpora")
    parser.add_argument("--no-cv", action="store_true", help="leave the CV out of the corpora")
    parser.add_argument(
        "--task-runner",
        choices=["local", "dask"],
        default=None,
        help="passed to build_dataset when it takes one (default: the flow's own)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="seconds a size may run before it is stopped (default 3600)",
    )
    # The child: one flow run in this process; its figures go to --result.
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        figures = run_flow(Path(args.raw), Path(args.out), args.task_runner)
        Path(args.result).write_text(json.dumps(figures, indent=2, default=str), "utf-8")
        return 0
    try:
        for size in args.sizes:
            corpus_files(size)
    except ValueError as err:
        parser.error(str(err))
    bench_dir = Path(args.bench_dir).resolve()
    bench_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        print(f"-- {_label(size)}: preparing the corpus and running the flow …", flush=True)
        result = run_size(
            size,
            bench_dir,
            seed=args.seed,
            with_cv=not args.no_cv,
            task_runner=args.task_runner,
            timeout=args.timeout,
        )
        results.append(result)
        print(size_text(result), "\n", flush=True)
    save(results, bench_dir)
    print(text_report(results))
    print(f"\nwritten: {bench_dir / 'results.json'}, {bench_dir / 'results.md'}")
    return 0 if all(r.get("ok") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
