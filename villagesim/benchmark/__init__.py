"""Benchmarks shipped with the package: the plain-Mesa twin and ``villagesim bench``."""
