"""How long each stage of a run took, recorded in the run's work folder.

The pipeline's steps (``confdata.run.steps``) time their own work and append one
record per piece of work to ``<work>/timings/``: the stage (``parse``,
``normalize``, ``resolve``, ``validate``, ``write``, ``report``), its start and
end (wall-clock seconds since the epoch, so records of several processes on one
machine line up), and how many authorships it handled. :func:`summarize` turns
the records into one figure per stage: its span (first start to last end, the
time a user waits for it) and its busy time (the sum of its pieces, which is
larger than the span when pieces ran in parallel).

The benchmark (``make bench``) reads these figures: whatever a flow run took
beyond the stages' spans is time spent in Prefect (or between steps).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STAGES = ("parse", "normalize", "resolve", "validate", "write", "report")


def record(work_dir: Path, stage: str, start: float, end: float, items: int = 0) -> None:
    """Append one timing record of ``stage`` to the work folder (a file of its own).

    One file per record, so that parse batches running in separate processes
    (or on Dask workers sharing the folder) never write to the same file.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")
    folder = work_dir / "timings"
    folder.mkdir(parents=True, exist_ok=True)
    data = {"stage": stage, "start": start, "end": end, "items": int(items), "pid": os.getpid()}
    path = folder / f"{stage}-{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(data), encoding="utf-8")


@contextlib.contextmanager
def timed(work_dir: Path, stage: str, items: int = 0) -> Iterator[dict[str, int]]:
    """Time the ``with`` body as one record of ``stage``.

    The body may set ``counter["items"]`` when it learns how many authorships
    it handled; otherwise ``items`` is recorded.
    """
    counter = {"items": items}
    start = time.time()
    yield counter
    record(work_dir, stage, start, time.time(), counter["items"])


def summarize(work_dir: Path) -> dict[str, dict[str, Any]]:
    """Return, per stage that ran, its span and busy seconds, pieces and items.

    Returns:
        ``{stage: {"seconds": span, "busy_seconds": sum, "pieces": n,
        "items": authorships, "start": first start, "end": last end}}`` in the
        order of :data:`STAGES`.
    """
    folder = work_dir / "timings"
    records = (
        [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
        if folder.is_dir()
        else []
    )
    out: dict[str, dict[str, Any]] = {}
    for stage in STAGES:
        mine = [r for r in records if r["stage"] == stage]
        if not mine:
            continue
        start, end = min(r["start"] for r in mine), max(r["end"] for r in mine)
        out[stage] = {
            "seconds": round(end - start, 4),
            "busy_seconds": round(sum(r["end"] - r["start"] for r in mine), 4),
            "pieces": len(mine),
            "items": sum(r["items"] for r in mine),
            "start": start,
            "end": end,
        }
    return out
