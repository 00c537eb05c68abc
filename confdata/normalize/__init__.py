"""Normalization of printed text: name and organization keys, folding, venues."""
