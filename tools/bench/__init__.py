"""``make bench``: the flow on synthetic corpora, timed and sampled."""
