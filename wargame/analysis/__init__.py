"""Experiments over many runs: experiment files, the batch, its results, reports."""
