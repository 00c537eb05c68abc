"""Running the pipeline: the steps, discovery, the parse cache, batches, the lock and file I/O."""
