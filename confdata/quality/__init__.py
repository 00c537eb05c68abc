"""Data quality: the issue model, its catalogue, and the report (JSON, Markdown, HTML)."""
