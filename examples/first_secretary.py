"""A first secretary (驻村第一书记) sent to the village by the county for a term: an example extension.

From month ``first_secretary.start``, for ``first_secretary.term`` months,
the first secretary works with the branch. Right after organisational life
(where the branch's capacity and quality are assessed) the secretary

- leads the members at home: each closes ``first_secretary.activity_gain``
  of the gap between their activity and what their age allows, which
  raises the branch's capacity (appeals it can resolve) and, next month,
  the members' visits; and
- closes ``first_secretary.quality_gain`` of the gap between the quality of
  the branch's work (the members' mean capability, which scales the trust a
  resolved appeal brings) and full quality.

The quality gain lasts only for the term (each month's assessment starts
again from the members themselves); the members' activity then decays as
usual (``branch.activity_decay``). A term of 0 sends no first secretary, so
one sweep can compare villages with and without one.

Use it with ``--extension examples/first_secretary.py`` (``villagesim run``,
``demo``, ``sweep``, ``params``, ``serve``), ``extensions = [...]`` in a
scenario or sweep TOML, or
``VillageModel(params, extensions=["examples/first_secretary.py"])``.
"""

from villagesim.extensions import Extension, Step
from villagesim.params import Param
from villagesim.population import attainable_activity
from villagesim.submodels.branch import assess
from villagesim.submodels.month import Month

TERM_SOURCE = ("中共中央办公厅《关于向重点乡村持续选派驻村第一书记和工作队的意见》2021 (Xinhua, 11 May 2021): "
               "term usually not less than two years; postings of 1-3 years reported")


def step(month: Month) -> None:
    """The secretary's month: more active members (so more capacity), better quality, while the term lasts."""
    p = month.params
    start = p["first_secretary.start"]
    if not start <= month.number < start + p["first_secretary.term"]:
        return
    pop, branch = month.population, month.branch
    led = (pop.is_member() & ~pop.away).nonzero()[0]
    ceiling = attainable_activity(pop.age[led], p)
    pop.activity[led] += p["first_secretary.activity_gain"] * (ceiling - pop.activity[led])
    effort = branch.effort
    assess(pop, branch, p)
    branch.capacity += p["branch.appeals_per_member"] * (branch.effort - effort)
    branch.quality += p["first_secretary.quality_gain"] * (1.0 - branch.quality)


EXTENSION = Extension(
    name="first_secretary",
    doc="A first secretary (驻村第一书记) sent by the county raises the branch's capacity and quality for a term.",
    params=(
        Param("first_secretary.start", 12, 0, 100_000, "month", "assumption",
              "Month the first secretary arrives."),
        Param("first_secretary.term", 24, 0, 120, "months", TERM_SOURCE,
              "Months the first secretary serves; 0 sends none (range of postings 12-36)."),
        Param("first_secretary.activity_gain", 0.15, 0.0, 1.0, "per month", "assumption (range 0.05-0.3)",
              "Share of the gap to the activity their age allows that members at home close each month."),
        Param("first_secretary.quality_gain", 0.3, 0.0, 1.0, "share", "assumption (range 0.1-0.5)",
              "Share of the gap to full quality of the branch's work that the secretary closes each month."),
    ),
    steps=(Step("first_secretary", step, after="organisational_life"),),
)
