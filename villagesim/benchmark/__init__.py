"""Benchmarks and performance measurements, shipped with the package (``python -m villagesim.benchmark.NAME``).

- :mod:`~villagesim.benchmark.bench`: ``villagesim bench``, speed and memory against the plain-Mesa twin
  (:mod:`~villagesim.benchmark.plain_mesa`);
- :mod:`~villagesim.benchmark.profile_month`: where a month's time goes, submodel by submodel;
- :mod:`~villagesim.benchmark.startup`: each command's start-up time as a user sees it;
- :mod:`~villagesim.benchmark.plan_time`: how long ``villagesim plan`` takes;
- :mod:`~villagesim.benchmark.classroom`: a classroom of 30 teams, from "run the round" to every page updated;
- ``throughput.toml``: a sweep of 100 default runs to compare executors (``villagesim sweep``);
- :mod:`~villagesim.benchmark.servers`: the servers and the headless browser that the tests and the
  measurements share.

The bit-identity check of outputs stays outside the package, in ``benchmarks/identity.py``.
"""

SCALES = (10_000, 100_000, 1_000_000)
"""Region sizes (people) that ``villagesim bench`` times by default."""
