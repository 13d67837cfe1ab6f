"""The submodels of the month, in the order of the ODD's schedule (docs/ODD.md, section 3).

Each entry of :data:`SCHEDULE` is a named step with the one contract
``step(month: Month) -> None`` (:class:`~villagesim.submodels.month.Month`).
The names are the points where an extension's own step can go
(:mod:`villagesim.extensions`).

>>> [name for name, _ in SCHEDULE][:4]
['interventions', 'demography', 'migration', 'platform']
"""

from villagesim.submodels import (branch, demography, interventions, migration, participation, recruitment, service,
                                  shocks, uptake)
from villagesim.submodels.month import Month

SCHEDULE = (
    ("interventions", interventions.step),
    ("demography", demography.step),
    ("migration", migration.step),
    ("platform", service.use_platform),
    ("organisational_life", branch.step),
    ("outreach", service.step),
    ("shocks", shocks.step),
    ("participation", participation.step),
    ("uptake", uptake.step),
    ("recruitment", recruitment.step),
    ("trust_relaxation", service.relax),
)
"""The month's steps by name, in order; observation (:mod:`villagesim.metrics`) follows them."""

__all__ = ["SCHEDULE", "Month", "branch", "demography", "interventions", "migration", "participation", "recruitment",
           "service", "shocks", "uptake"]
