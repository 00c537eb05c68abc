"""People: mentions pooled, compared, clustered and given stable IDs."""
