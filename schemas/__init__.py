"""Pandera models of the published tables: the data contract and the data dictionary."""

from schemas.relations import ValidationReport, validate_tables
from schemas.tables import MODELS

__all__ = ["MODELS", "ValidationReport", "validate_tables"]
