"""Tools around the pipeline, outside the library: the benchmark and the evaluation of resolution."""
