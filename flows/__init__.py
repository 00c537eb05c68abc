"""Prefect flows: thin orchestration over ``confdata.steps``."""
