"""What the commands write for a reader who has only the file or the terminal: charts with units, a note on
their bands and the settings they ran with; tables with units, aligned."""

from unittest import mock

import pandas as pd
import pytest

from villagesim import pictures
from villagesim.cli import main
from villagesim.cli.arguments import shown_width, table


def figure_of(command: list[str], tmp_path):
    """The figure a command saves (drawn, not written)."""
    saved = []
    with mock.patch.object(pictures, "save", lambda figure, path: saved.append(figure)):
        assert main([*command, "--out", str(tmp_path / "out")]) == 0
    (figure,) = saved
    return figure


def texts(figure) -> list[str]:
    return [t.get_text() for t in figure.texts] + [figure._suptitle.get_text() if figure._suptitle else ""]


def test_run_chart_has_units_and_names_its_settings(tmp_path):
    figure = figure_of(["run", "--steps", "3", "--seed", "1", "--set", "village.population=150",
                        "--set", "interventions.digital.intensity=1"], tmp_path)
    labels = {ax.get_title(): ax.get_ylabel() for ax in figure.axes if ax.get_visible()}
    assert labels["participation rate"] == "share (0-1)"
    assert labels["active members"] == "people"
    assert all(labels.values())
    assert any("interventions.digital.intensity=1" in t for t in texts(figure))
    assert not any("band" in t for t in texts(figure))  # one run: no band to explain


def test_demo_chart_says_what_its_bands_are(tmp_path):
    figure = figure_of(["demo", "--seeds", "2", "--steps", "3", "--set", "village.population=150"], tmp_path)
    note = [t for t in texts(figure) if "band" in t]
    assert note == ["line: mean over 2 seeds; shaded band: 5-95% range of the seeds (not a CI of the mean)"]
    assert any("village.population=150" in t for t in texts(figure))
    assert any("2024" in t for t in texts(figure))


def test_demo_prints_its_seed_and_help_gives_the_default(tmp_path, capsys):
    assert main(["demo", "--seeds", "2", "--steps", "2", "--set", "village.population=150",
                 "--out", str(tmp_path / "d")]) == 0
    assert "--seed 2024" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "random seed (default: 2024)" in capsys.readouterr().out


def test_run_table_gives_units_and_stays_aligned(tmp_path, capsys):
    assert main(["run", "--steps", "2", "--seed", "1", "--set", "village.population=150",
                 "--out", str(tmp_path / "r")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    cost = next(line for line in lines if "cost_cumulative" in line)
    assert "万元" in cost
    assert len({shown_width(line) for line in lines}) == 1  # right-aligned numbers end in one column


def test_table_aligns_chinese_cells_by_their_width_on_screen():
    text = table(["metric", "unit", "value"], [["cost", "万元", "1.5"], ["people", "people", "1234.5"]], left=2)
    assert len({shown_width(line) for line in text.splitlines()}) == 1
    assert pd.Series(text.splitlines()).str.contains("万元").sum() == 1
