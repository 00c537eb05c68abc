"""Prefect flows: thin orchestration over ``confdata.run.steps``."""
