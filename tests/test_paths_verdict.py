"""The findings' verdict on single paths says "differs" only when two villages each have a majority path."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

RUN = Path(__file__).resolve().parent.parent / "experiments" / "paths" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("paths_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_best_buy(folder: Path, shares: dict[str, dict[str, float]]) -> Path:
    rows = [{"village": village, "budget": 15.0, "path": path, "p_best": p}
            for village, by_path in shares.items() for path, p in by_path.items()]
    pd.DataFrame(rows).to_csv(folder / "best_buy.csv", index=False)
    return folder


@pytest.mark.parametrize("shares, expected", [
    ({"a": {"training": 0.4, "recruitment": 0.6}, "b": {"training": 0.7, "recruitment": 0.3}},
     "differs between villages"),
    ({"a": {"training": 0.4, "recruitment": 0.35}, "b": {"training": 0.45, "recruitment": 0.3}},
     "is not decided"),
    ({"a": {"training": 0.6, "recruitment": 0.4}, "b": {"training": 0.8, "recruitment": 0.2}},
     "the same in every village"),
    ({"a": {"training": 0.6, "recruitment": 0.4}, "b": {"training": 0.45, "recruitment": 0.35}},
     "firm in 1 of 2 villages only"),
])
def test_the_verdict_names_what_the_majorities_show(run, tmp_path, shares, expected):
    (line,) = run.verdict(write_best_buy(tmp_path, shares))
    assert expected in line.split(" -> ")[1]
    assert "does not differ" not in line
