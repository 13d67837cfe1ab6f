"""``villagesim bench``: the shape of its JSON and its refusals (never its timings: those are for docs/performance.md)."""

import json

import pytest

from villagesim import cli


def test_bench_json_has_every_figure_and_target(capsys):
    status = cli.main(["bench", "--json", "--months", "2", "--region-months", "1", "--repeats", "1", "--pairs", "1",
                       "--scale", "1500,3000", "--sweep-runs", "2"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    village = result["village"]
    assert village["agents"] == 1500 and village["months"] == 2
    for key in ("agent_steps_per_s", "mesa_agent_steps_per_s", "speedup_vs_mesa", "run_s", "setup_s"):
        assert village[key] > 0
    assert [r["agents"] for r in result["scale"]] == [1500, 3000]
    for row in result["scale"]:
        assert row["agent_steps_per_s"] > 0 and row["setup_s"] > 0
        assert 50 < row["peak_rss_mb"] < 2048  # a fresh process: the interpreter and libraries, not this one's peak
        assert row["state_bytes_per_agent"] > 68
    assert result["sweep"]["runs"] == 2 and result["sweep"]["serial_runs_per_s"] > 0
    assert set(result["targets"]) == {"speed-up over plain Mesa >= 50", "default run < 0.25 s"}  # no 1M region here
    assert result["machine"]["cpus"] >= 1 and result["machine"]["copy_gb_per_s"] > 0


@pytest.mark.parametrize("argv, message", [
    (["--scale", "1000,-5"], "--scale"),
    (["--repeats", "0"], "--repeats"),
    (["--pairs", "x"], "--pairs"),
])
def test_bench_refuses_bad_options_in_one_line(capsys, argv, message):
    assert cli.main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_bench_needs_nothing_outside_the_package(tmp_path):
    """What a wheel installs is the package folder alone: bench must run from a copy of it, away from the checkout."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import villagesim

    shutil.copytree(Path(villagesim.__file__).parent, tmp_path / "site" / "villagesim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import villagesim; from villagesim.cli import main; "
            "assert villagesim.__file__.startswith(sys.argv[1]), villagesim.__file__; "
            "sys.exit(main(['bench', '--json', '--months', '1', '--repeats', '1', '--pairs', '1', '--scale', '', "
            "'--sweep-runs', '0']))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["village"]["mesa_agent_steps_per_s"] > 0


def test_the_month_profile_times_every_step_of_the_schedule(capsys):
    from villagesim.benchmark import profile_month
    from villagesim.submodels import SCHEDULE

    people, total, spent = profile_month.profile(1, 3, 1, 7)
    assert people == 1500 and total > 0
    assert set(spent) == {name for name, _ in SCHEDULE} | set(profile_month.METHODS)
    assert sum(spent.values()) <= total
