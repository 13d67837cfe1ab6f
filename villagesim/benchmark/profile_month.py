"""Where a month's time goes: time per submodel (wall clock: run it on an idle machine), as docs/performance.md reports it.

Each step of the model's month (its ``schedule``: :data:`villagesim.submodels.SCHEDULE`) is wrapped in a timer (a
wrapper costs well under a microsecond, against tens for a submodel), the
model runs, and the table gives milliseconds per month and the share of
the month. Months before ``--skip`` are run but not counted, so that the
project's launch and the first news are in the measured months.

    .venv/bin/python -m villagesim.benchmark.profile_month                   # the default village, 1,500 people
    .venv/bin/python -m villagesim.benchmark.profile_month --villages 667 --months 24 --skip 12   # 1,000,500 people
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from villagesim.model import VillageModel

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
    model.schedule = tuple((name, timed(step, name, spent)) for name, step in model.schedule)
    for name, method in METHODS.items():
        setattr(model, method, timed(getattr(model, method), name, spent))
    start = time.perf_counter()
    model.run(months - skip)
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
    print(f"| the step's own bookkeeping (the month context, events, Mesa's clock) and these timers | {rest / counted * 1e3:.3f} | {rest / total:.0%} |")
    print(f"| **the month** | **{total / counted * 1e3:.3f}** | |")


if __name__ == "__main__":
    main()
