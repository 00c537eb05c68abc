"""confdata: turn conference programs and researchers' CVs into validated tables.

The package is the pure library behind the Prefect flows in ``flows/``: parsing,
normalizing, building tables and publishing. It never imports Prefect.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "read_release_csv"]


def __getattr__(name: str) -> Any:
    """Give ``confdata.read_release_csv`` without importing Polars and pandera for every module."""
    if name == "read_release_csv":
        from confdata.publish.release_csv import read_release_csv

        return read_release_csv
    raise AttributeError(f"module 'confdata' has no attribute {name!r}")
