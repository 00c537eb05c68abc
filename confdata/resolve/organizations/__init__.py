"""Organizations: printed strings matched to the registry, and the affiliations table."""
