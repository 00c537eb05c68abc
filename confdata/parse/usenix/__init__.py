"""USENIX technical-sessions pages: lines, program structure, and how a page ends."""
