"""``make eval``: people and organization resolution scored against labelled sets."""
