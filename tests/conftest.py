"""Shared test set-up.

Hypothesis profiles: ``ci`` (the default, sized so the whole suite fits CI),
``long`` (run by hand before a release: ``VILLAGESIM_HYPOTHESIS=long pytest
tests/test_reliability_inputs.py tests/test_reliability_model.py``) and
``dev`` (a quick local check). The profile is chosen by the
``VILLAGESIM_HYPOTHESIS`` environment variable.
"""

import os

from hypothesis import HealthCheck, settings

# No deadline: a shared 2-core machine makes per-example timings meaningless.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, **_COMMON)
settings.register_profile("long", max_examples=2000, **_COMMON)
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.load_profile(os.environ.get("VILLAGESIM_HYPOTHESIS", "ci"))
