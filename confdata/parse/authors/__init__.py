"""Author lines: how each dialect prints names and the organizations they belong to."""
