"""Academic CVs as text: sections, publications, positions and the owner."""
