"""confdata: turn conference programs and researchers' CVs into validated tables.

The package is the pure library behind the Prefect flows in ``flows/``: parsing,
normalizing, building tables and publishing. It never imports Prefect.
"""

__version__ = "0.1.0"
