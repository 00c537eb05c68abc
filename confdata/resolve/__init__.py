"""Resolution: the published tables from the staging frames, people, organizations and works."""
