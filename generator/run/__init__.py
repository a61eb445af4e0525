"""Runs: file names, workers, staging and commit, manifest.csv, and the batch the library offers."""

from .batch import BatchResult, build_flyer, run_batch, single_person
from .cancel import Cancelled

__all__ = ["BatchResult", "Cancelled", "build_flyer", "run_batch", "single_person"]
