"""Where a month's time goes: time per submodel (wall clock: run it on an idle machine), as docs/performance.md reports it.

Each submodel that ``VillageModel.step`` calls is wrapped in a timer (a
wrapper costs well under a microsecond, against tens for a submodel), the
model runs, and the table gives milliseconds per month and the share of
the month. Months before ``--skip`` are run but not counted, so that the
project's launch and the first news are in the measured months.

    .venv/bin/python benchmarks/profile_month.py                   # the default village, 1,500 people
    .venv/bin/python benchmarks/profile_month.py --villages 667 --months 24 --skip 12   # 1,000,500 people
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from villagesim import model as model_module
from villagesim.model import VillageModel

# What VillageModel.step calls, by the name the table shows.
SUBMODELS = {
    "demography": ("demography", "step"),
    "migration": ("migration", "step"),
    "platform use": ("service", "platform_users"),
    "branch: organisational life, assessment": ("branch", "step"),
    "members' visits": ("service", "visits"),
    "venue": ("service", "venue_users"),
    "appeals": ("service", "appeals"),
    "shocks": ("shocks", "step"),
    "participation: the threshold cascade": ("participation", "step"),
    "project uptake: news and enrolment": ("uptake", "step"),
    "recruitment": ("recruitment", "step"),
    "trust relaxation": ("service", "relax_trust"),
    "living neighbours after deaths": (None, "column_sums"),
}
METHODS = {
    "agent objects for deaths, newcomers and roles": "_sync_agents",
    "metrics, per village and for the region": "_record",
}


def timed(fn, name: str, spent: Counter):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start
    return wrapper


def profile(villages: int, months: int, skip: int, seed: int) -> tuple[int, float, Counter]:
    """People, seconds of the counted months, and seconds per submodel over them."""
    spent: Counter = Counter()
    model = VillageModel({"region.villages": villages}, seed=seed)
    model.run(skip)
    originals = []
    for name, (module, function) in SUBMODELS.items():
        owner = model_module if module is None else getattr(model_module, module)
        originals.append((owner, function, getattr(owner, function)))
        setattr(owner, function, timed(getattr(owner, function), name, spent))
    for name, method in METHODS.items():
        setattr(model, method, timed(getattr(model, method), name, spent))
    start = time.perf_counter()
    try:
        model.run(months - skip)
    finally:
        for owner, function, original in originals:
            setattr(owner, function, original)
    return model.population.size, time.perf_counter() - start, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=1)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--skip", type=int, default=0, help="months run before timing starts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    people, total, spent = profile(args.villages, args.months, args.skip, args.seed)
    counted = args.months - args.skip
    print(f"{people:,} people, months {args.skip + 1} to {args.months}: "
          f"{total / counted * 1e3:.3f} ms a month, {people * counted / total:,.0f} agent-steps per second")
    print("| submodel | ms a month | share |\n| --- | ---: | ---: |")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds / counted * 1e3:.3f} | {seconds / total:.0%} |")
    rest = total - sum(spent.values())
    print(f"| the step's own bookkeeping (intensities, events, trust bounds, Mesa's clock) and these timers | {rest / counted * 1e3:.3f} | {rest / total:.0%} |")
    print(f"| **the month** | **{total / counted * 1e3:.3f}** | |")


if __name__ == "__main__":
    main()
