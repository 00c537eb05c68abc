"""Pandera models of the published tables: the data contract and the data dictionary."""

from pandera.backends.polars.register import register_polars_backends

from schemas.relations import Failure, ValidationReport, validate_table, validate_tables
from schemas.tables import MODELS

# Pandera loads its Polars backends (and, through them, hypothesis) on the first
# validation, a third of a second; done here, it is paid once when the models are
# imported rather than inside the first run's validate stage.
register_polars_backends()

__all__ = ["MODELS", "Failure", "ValidationReport", "validate_table", "validate_tables"]
