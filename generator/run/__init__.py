"""Runs: file names, workers, staging and commit, manifest.csv, and the batch the library offers."""

from .batch import BatchResult, build_flyer, run_batch, single_person

__all__ = ["BatchResult", "build_flyer", "run_batch", "single_person"]
