"""What the commands write for a reader who has only the file or the terminal: charts with units, a note on
their bands and the settings they ran with; tables with units, aligned."""

import json
from pathlib import Path
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


def one_line_refusal(argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("argv, hint", [
    (["run", "--scenario", "holowed"], "did you mean hollowed?"),
    (["plan", "--budget", "5", "--objective", "particpation_rate"], "did you mean participation_rate?"),
    (["sweep", "SPEC", "--out", "OUT"], "did you mean trust_mean?"),
    (["sweep", "DESIGN", "--out", "OUT"], "did you mean sobol?"),
])
def test_an_unknown_name_gets_did_you_mean(argv, hint, tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('months = 2\nreplicates = 2\n[output]\nmetrics = ["trust_maen"]\n', encoding="utf-8")
    design = tmp_path / "design.toml"
    design.write_text('design = "sobl"\nmonths = 2\nsamples = 4\n', encoding="utf-8")
    named = {"SPEC": str(spec), "DESIGN": str(design), "OUT": str(tmp_path / "out")}
    argv = [named.get(a, a) for a in argv]
    assert hint in one_line_refusal(argv, capsys)


def test_an_unknown_schedule_point_of_an_extension_gets_did_you_mean(tmp_path, capsys):
    source = (Path(__file__).parents[1] / "examples" / "first_secretary.py").read_text(encoding="utf-8")
    assert 'after="organisational_life"' in source
    ext = tmp_path / "typo.py"
    ext.write_text(source.replace('after="organisational_life"', 'after="organisational_lfe"'), encoding="utf-8")
    err = one_line_refusal(["run", "--extension", str(ext), "--out", str(tmp_path / "o")], capsys)
    assert "did you mean organisational_life?" in err


def test_an_unknown_column_gets_did_you_mean(tmp_path, capsys):
    (tmp_path / "nodes.csv").write_text("idd,hamlet\n1,0\n2,0\n", encoding="utf-8")
    (tmp_path / "edges.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    err = one_line_refusal(["run", "--set", f"network.nodes={tmp_path / 'nodes.csv'}",
                            "--set", f"network.edges={tmp_path / 'edges.csv'}", "--out", str(tmp_path / "o")], capsys)
    assert "no 'id' column; did you mean idd?" in err


def test_a_refused_folder_names_the_seed_of_its_results(tmp_path, capsys):
    out = str(tmp_path / "r")
    assert main(["run", "--steps", "1", "--set", "village.population=100", "--out", out]) == 0
    seed = json.loads((tmp_path / "r" / "summary.json").read_text())["seed"]  # drawn: not given
    capsys.readouterr()
    err = one_line_refusal(["run", "--steps", "2", "--set", "village.population=100", "--out", out], capsys)
    assert f"they were made with --seed {seed};" in err


def test_a_bad_option_names_its_command_once(capsys):
    err = one_line_refusal(["run", "--steps", "-5"], capsys)
    assert err.count("villagesim") == 1 and err.startswith("villagesim: error: run: argument --steps")


def test_the_datacollector_has_the_timeseries_columns_but_step_as_the_readme_says():
    from villagesim import VillageModel

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "DataCollector: the same columns but step (its index is the month)" in readme
    model = VillageModel({"village.population": 100}, seed=1).run(3)
    frame, collected = model.timeseries(), model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == ["step", *collected.columns]
    assert collected.index.tolist() == frame["step"].tolist()


def test_a_sweeps_effect_chart_gives_its_unit_and_the_sweeps_settings():
    from villagesim.analysis import effects_figure, sweep_settings
    from villagesim.sweep.spec import parse_spec

    spec = parse_spec({"months": 2, "replicates": 2, "set": {"village.population": 150},
                       "factors": {"interventions.venue.intensity": [0.0, 1.0]}})
    table = pd.DataFrame({"factor": "interventions.venue.intensity", "metric": "active_members", "level": [0.0, 1.0],
                          "mean": [3.0, 4.0], "ci_low": [2.0, 3.0], "ci_high": [4.0, 5.0]})
    figure = effects_figure(table, "active_members", spec.factor_keys, sweep_settings(spec))
    assert "[people]" in figure.axes[-1].get_xlabel() and "95% CI" in figure.axes[-1].get_xlabel()
    assert "village.population=150" in figure._suptitle.get_text()


def test_a_sweeps_sensitivity_chart_names_the_sweeps_settings():
    from villagesim.analysis import INDICES, index_figure, sweep_settings
    from villagesim.sweep.spec import parse_spec

    spec = parse_spec({"months": 2, "design": "morris", "samples": 4, "set": {"village.population": 150},
                       "factors": {"interventions.venue.intensity": {"min": 0.0, "max": 1.0}}})
    _, columns, title = INDICES["morris"]
    table = pd.DataFrame({"factor": ["interventions.venue.intensity"], "metric": ["active_members"],
                          "mu_star": [0.5], "mu_star_ci_low": [0.4], "mu_star_ci_high": [0.6]})
    figure = index_figure(table, columns, title, sweep_settings(spec))
    assert "village.population=150" in figure._suptitle.get_text()
    assert "[people]" in figure.axes[0].get_ylabel()
