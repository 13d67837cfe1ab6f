"""The docs keep up with the code: the ODD's parameter table is the registry's."""

import re
from pathlib import Path

from villagesim.cli import main
from villagesim.params import PARAMS

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"


def odd_table() -> str:
    text = ODD.read_text(encoding="utf-8")
    return re.search(r"<!-- params:start -->\n(.*?)<!-- params:end -->", text, re.S).group(1)


def test_odd_parameter_table_is_generated_from_the_registry(capsys):
    main(["params", "--markdown"])
    assert odd_table() == capsys.readouterr().out, (
        "docs/ODD.md's parameter table differs from the registry: regenerate it with "
        "`villagesim params --markdown` between the params markers")


def test_every_parameter_is_used_by_a_rule_described_in_the_odd():
    text = ODD.read_text(encoding="utf-8").split("<!-- params:start -->")[0]
    per_path = {"intensity", "start", "cost", "setup_cost"}  # described once for all paths in 7.1
    missing = [p.key for p in PARAMS if f"`{p.key}`" not in text and p.key.split(".")[-1] not in per_path
               and not p.key.startswith("network.nodes") and not p.key.startswith("network.edges")]
    assert not missing, f"parameters with no rule in docs/ODD.md: {missing}"


def test_odd_metrics_table_is_generated_from_the_definitions():
    from villagesim.metrics import markdown

    text = ODD.read_text(encoding="utf-8")
    table = re.search(r"<!-- metrics:start -->\n(.*?)<!-- metrics:end -->", text, re.S).group(1)
    assert table == markdown(), (
        "docs/ODD.md's table of measures differs from villagesim/metrics.py: regenerate it with "
        "`python -c \"from villagesim.metrics import markdown; print(markdown(), end='')\"` between the metrics markers")
