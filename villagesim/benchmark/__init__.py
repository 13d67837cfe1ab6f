"""Benchmarks shipped with the package: the plain-Mesa twin and ``villagesim bench``."""

SCALES = (10_000, 100_000, 1_000_000)
"""Region sizes (people) that ``villagesim bench`` times by default."""
