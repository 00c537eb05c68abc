"""Shared fixtures: the repository's reference data and a Prefect test harness.

The harness is session-wide because Prefect's ephemeral server takes several
seconds to start; it is only started when a test asks for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from confdata.reference.data import Reference, build_reference
from confdata.run import io

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
FIXTURES = ROOT / "tests" / "fixtures"
NSDI26 = RAW / "nsdi26-technical-sessions.txt"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The reference data the pipeline uses (raw/reference)."""
    return build_reference(io.read_reference(RAW / "reference"))


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    """A raw folder holding only the NSDI '26 page."""
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / NSDI26.name).write_bytes(NSDI26.read_bytes())
    return folder


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for the whole session, with a generous start-up timeout."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
