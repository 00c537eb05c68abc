"""Reading raw files: one subpackage per format family, and what they share."""
