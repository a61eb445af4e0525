"""Runs: batch planning, staging and commit, locks, worker pool, manifest."""
