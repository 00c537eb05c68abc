"""Reference data: the rules and knowledge files in ``raw/reference/``, read as hostile input."""
