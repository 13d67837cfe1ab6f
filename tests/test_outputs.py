"""Output folders: checked before the work, written whole or not at all, never overwritten silently.

Each writing command is tried on an uncreatable folder, a folder under a file, a disk that fills while it
writes (a small tmpfs where this machine lets us mount one, and always by fault injection), a kill while it
writes, and a folder holding other results (refused, then allowed with --overwrite).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from villagesim import cli, outputs
from villagesim.errors import InputError, WriteError
from villagesim.outputs import MANIFEST, Output

NODES = "id,village,leader,loan\n" + "".join(f"n{i},v{i // 6},{int(i % 6 == 0)},{int(i % 4 == 1)}\n"
                                              for i in range(24))
EDGES = "a,b\n" + "".join(f"n{i},n{i + 1}\n" for i in range(23) if (i + 1) % 6)
SPEC = """
months = 2
replicates = 2
seed = 3
[set]
"village.population" = 80
[factors]
"interventions.training.intensity" = [0.0, 1.0]
[output]
metrics = ["trust_mean", "participation_rate"]
"""
TINY_CALIBRATION = ["--months", "2", "--replicates", "1", "--candidates", "4", "--bootstrap", "0",
                    "--final-replicates", "1"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Data every command needs: a network, a calibrated params.toml, a sweep spec and a finished sweep."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "nodes.csv").write_text(NODES)
    (folder / "edges.csv").write_text(EDGES)
    (folder / "spec.toml").write_text(SPEC)
    assert cli.main(["calibrate", *data_args(folder), "--outcome-col", "loan", "--out", str(folder / "cal"),
                     *TINY_CALIBRATION]) == 0
    assert cli.main(["sweep", str(folder / "spec.toml"), "--out", str(folder / "sweep"), "--executor", "serial"]) == 0
    return folder


def data_args(folder: Path) -> list[str]:
    return ["--nodes", str(folder / "nodes.csv"), "--edges", str(folder / "edges.csv"), "--group-col", "village",
            "--seed-col", "leader"]


def command(name: str, folder: Path, out: Path, variant: int = 0) -> list[str]:
    """A quick invocation of each writing command into ``out``; ``variant`` 1 changes an input."""
    o = ["--out", str(out)]
    return {
        "run": ["run", "--steps", "2", "--seed", str(1 + variant), *o],
        "demo": ["demo", "--seeds", "1", "--steps", "2", "--seed", str(1 + variant), *o],
        "calibrate": ["calibrate", *data_args(folder), "--outcome-col", "loan", *TINY_CALIBRATION,
                      "--seed", str(5 + variant), *o],
        "predict": ["predict", *data_args(folder), "--params", str(folder / "cal" / "params.toml"),
                    "--replicates", str(2 + variant), *o],
        "analyze": ["analyze", str(folder / "sweep"), *o, *(["--best", "trust_mean"] if variant else [])],
        "bench": ["bench", "--months", str(1 + variant), "--region-months", "1", "--repeats", "1", "--pairs", "1",
                  "--scale", "", "--sweep-runs", "0", *o],
    }[name]


STAGED = ("run", "demo", "calibrate", "predict", "analyze", "bench")
WRITERS = (*STAGED, "sweep")


def argv_of(name: str, folder: Path, out: Path, variant: int = 0) -> list[str]:
    if name == "sweep":
        return ["sweep", str(folder / "spec.toml"), "--executor", "serial", "--out", str(out)]
    return command(name, folder, out, variant)


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- checked before the work ----------------------------------------------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    """Any model run, calibration design, analysis or benchmark fails the test: refusals come first."""
    def forbidden(*args, **kwargs):
        raise AssertionError("computed before the output folder was checked")

    import villagesim.analysis
    import villagesim.benchmark.bench
    import villagesim.calibration
    import villagesim.model
    import villagesim.sweep.run

    monkeypatch.setattr(villagesim.model.VillageModel, "__init__", forbidden)
    monkeypatch.setattr(villagesim.calibration, "run_design", forbidden)
    monkeypatch.setattr(villagesim.calibration, "simulate", forbidden)
    monkeypatch.setattr(villagesim.analysis, "analyze", forbidden)
    monkeypatch.setattr(villagesim.benchmark.bench, "load_twin", forbidden)
    monkeypatch.setattr(villagesim.sweep.run, "run_task", forbidden)


@pytest.mark.parametrize("name", WRITERS)
def test_folder_under_a_file_is_refused_before_any_work(inputs, tmp_path, capsys, no_work, name):
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "results"
    assert cli.main(argv_of(name, inputs, out)) == 2
    line = one_line(capsys)
    assert str(out) in line and "notes.txt is a file" in line
    assert (tmp_path / "notes.txt").read_text() == "mine" and sorted(os.listdir(tmp_path)) == ["notes.txt"]


@pytest.mark.parametrize("name", WRITERS)
def test_out_that_is_a_file_is_refused(inputs, tmp_path, capsys, no_work, name):
    (tmp_path / "out").write_text("mine")
    assert cli.main(argv_of(name, inputs, tmp_path / "out")) == 2
    assert "exists and is not a folder" in one_line(capsys) and (tmp_path / "out").read_text() == "mine"


@pytest.mark.parametrize("name", WRITERS)
def test_uncreatable_folder_is_refused_before_any_work(inputs, tmp_path, capsys, no_work, name):
    out = tmp_path / ("x" * 300) / "results"  # longer than any file system allows a name to be
    assert cli.main(argv_of(name, inputs, out)) == 2
    assert "cannot be created" in one_line(capsys) and os.listdir(tmp_path) == []


@contextlib.contextmanager
def tmpfs(where: Path, size: str, *options: str):
    """A small tmpfs mounted at ``where`` (skips the test where this machine does not allow mounting)."""
    where.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((f"size={size}", *options)), "tmpfs", str(where)],
                            capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def test_read_only_disk_is_refused_before_any_work(inputs, tmp_path, capsys, no_work):
    with tmpfs(tmp_path / "ro", "64k", "ro") as disk:
        assert cli.main(command("run", inputs, disk / "out")) == 2
        line = one_line(capsys)
        assert str(disk) in line and "Read-only file system" in line


def test_full_disk_at_the_start_is_refused_before_any_work(inputs, tmp_path, capsys, no_work):
    with tmpfs(tmp_path / "full", "16k") as disk:
        fill(disk, 0)
        assert cli.main(command("run", inputs, disk / "out")) == 2
        assert "No space left on device" in one_line(capsys)
        assert os.listdir(disk) == ["filler"]


# --- whole or nothing: a full disk ------------------------------------------------------------------------


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` but for ``leave`` bytes, rounded down to whole blocks."""
    stat = os.statvfs(disk)
    (disk / "filler").write_bytes(b"\0" * (stat.f_bavail - leave // stat.f_frsize) * stat.f_frsize)


def output_sizes(name: str, folder: Path, out: Path) -> int:
    assert cli.main(command(name, folder, out)) == 0
    return sum(len(b) for b in tree(out).values())


@pytest.mark.parametrize("name", STAGED)
def test_disk_filling_while_writing_leaves_the_target_as_it_was(inputs, tmp_path, capsys, name):
    """A real full disk (tmpfs): the outputs do not fit in what is left; an earlier result stays intact."""
    size = output_sizes(name, inputs, tmp_path / "reference")
    with tmpfs(tmp_path / "disk", f"{size * 2 + 64 * 1024}") as disk:
        out = disk / "out"
        assert cli.main(command(name, inputs, out)) == 0
        before = tree(out)
        fill(disk, max(size // 2, 4096))  # room for the start's check, not for a second copy of the outputs
        capsys.readouterr()
        assert cli.main([*command(name, inputs, out, variant=1), "--overwrite"]) == 1
        line = one_line(capsys)
        assert "No space left on device" in line and str(out) in line
        assert tree(out) == before
        assert sorted(os.listdir(disk)) == ["filler", "out"]  # no staging folder left behind


@pytest.mark.parametrize("name", STAGED)
def test_injected_write_failure_leaves_the_target_as_it_was(inputs, tmp_path, capsys, monkeypatch, name):
    """Always runs: the second file to be flushed to disk fails, as on a disk that fills while writing."""
    out = tmp_path / "out"
    assert cli.main(command(name, inputs, out)) == 0
    before = tree(out)
    real, flushed = outputs._sync, []

    def failing(path, digest=True):
        flushed.append(path.name)
        if len(flushed) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, digest)

    monkeypatch.setattr(outputs, "_sync", failing)
    capsys.readouterr()
    assert cli.main([*command(name, inputs, out, variant=1), "--overwrite"]) == 1
    line = one_line(capsys)
    assert line == f"villagesim: error: cannot write {out / flushed[-1]}: No space left on device"
    assert tree(out) == before and sorted(os.listdir(tmp_path)) == ["out"]


def test_sweep_on_a_full_disk_keeps_what_is_finished_and_resumes(inputs, tmp_path, capsys, monkeypatch):
    """A sweep keeps its journal semantics on a real full disk: finished runs stay, the same command completes it."""
    from villagesim.sweep import store

    def no_parquet(table, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    unconverted = tmp_path / "unconverted"  # what the manifest and the journal take, Parquet parts left out
    with monkeypatch.context() as patch:
        patch.setattr(store, "write_table", no_parquet)
        assert cli.main(argv_of("sweep", inputs, unconverted)) == 1
    reference = tmp_path / "reference"
    assert cli.main(argv_of("sweep", inputs, reference)) == 0
    with tmpfs(tmp_path / "disk", "256k") as disk:
        out = disk / "out"
        block = os.statvfs(disk).f_frsize
        fill(disk, sum(-(-len(data) // block) * block for data in tree(unconverted).values()))
        capsys.readouterr()
        assert cli.main(argv_of("sweep", inputs, out)) == 1
        assert "No space left on device" in capsys.readouterr().err.strip().splitlines()[-1]
        (disk / "filler").unlink()
        assert cli.main(argv_of("sweep", inputs, out)) == 0
        import pandas as pd

        columns = ["run_id", "seed", "trust_mean"]
        done = pd.read_parquet(out / "runs", columns=columns).sort_values("run_id", ignore_index=True)
        assert done.equals(pd.read_parquet(reference / "runs", columns=columns).sort_values("run_id",
                                                                                            ignore_index=True))


# --- whole or nothing: a kill ----------------------------------------------------------------------------


KILLER = textwrap.dedent("""
    import os, signal, sys
    from villagesim import cli, outputs
    real, count = outputs._sync, [0]

    def killed(path, digest=True):  # the process dies while flushing its outputs, after {after} of them
        count[0] += 1
        if count[0] > {after}:
            with open(path, "r+b") as handle:
                handle.truncate(handle.seek(0, 2) // 2)  # as if cut off mid-write
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, digest)

    outputs._sync = killed
    sys.exit(cli.main(sys.argv[1:]))
""")


@pytest.mark.parametrize("after", [1])
def test_killed_while_writing_leaves_the_target_as_it_was(inputs, tmp_path, after):
    out = tmp_path / "out"
    assert cli.main(command("run", inputs, out)) == 0
    before = tree(out)
    argv = [*command("run", inputs, out, variant=1), "--overwrite"]
    killed = subprocess.run([sys.executable, "-c", KILLER.format(after=after), *argv], capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert tree(out) == before
    litter = [p.name for p in tmp_path.iterdir() if p.name != "out"]
    assert len(litter) == 1 and litter[0].startswith(".staging-out-")
    assert cli.main(argv) == 0  # the next write clears what the killed one left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert json.loads((out / MANIFEST).read_text())["inputs"]["seed"] == 2


WRITER = textwrap.dedent("""
    import sys
    from villagesim.outputs import Output

    out = Output(sys.argv[1])
    out.claim("test", {"version": int(sys.argv[2])}, overwrite=True)
    print("ready", flush=True)
    with out.writing() as folder:
        for k in range(8):
            with open(folder / f"part{k}.bin", "wb") as handle:
                for _ in range(256):
                    handle.write(sys.argv[2].encode() * 16384)
""")


def test_killed_at_random_moments_the_target_is_old_or_new_never_mixed(tmp_path):
    """Kills at random moments of a light writer (no model to import), timed from the moment it starts writing:
    every file of the target always belongs to the version its manifest names."""
    import random
    import time

    def start(version: int) -> tuple[subprocess.Popen, float]:
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(out), str(version)], stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b"ready\n"
        return writer, time.monotonic()

    rng = random.Random(15)
    out = tmp_path / "out"
    writer, began = start(0)
    assert writer.wait() == 0
    span = time.monotonic() - began
    mid_write = 0
    for trial in range(1, 13):
        writer, began = start(trial % 10)
        time.sleep(max(0.0, rng.uniform(0.0, 1.2 * span) - (time.monotonic() - began)))
        writer.kill()
        writer.wait()
        mid_write += any(p.name.startswith(".staging-") for p in tmp_path.iterdir())
        manifest = json.loads((out / MANIFEST).read_text())
        version = str(manifest["inputs"]["version"]).encode()
        assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, *(f"part{k}.bin" for k in range(8))])
        assert all((out / f"part{k}.bin").read_bytes() == version * 16384 * 256 for k in range(8))
    assert mid_write >= 3, f"only {mid_write} of 12 kills landed while writing"


# --- no silent overwrite ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STAGED)
def test_other_results_refused_same_command_allowed_overwrite_replaces(inputs, tmp_path, capsys, name):
    out = tmp_path / "out"
    assert cli.main(command(name, inputs, out)) == 0
    first = tree(out)
    capsys.readouterr()
    variant = command(name, inputs, out, variant=1)
    if name == "analyze":  # --best only adds a table: the same sweep may be analysed again
        assert cli.main(variant) == 0
        assert set(tree(out)) == {*first, "best.csv"}
        return
    assert cli.main(variant) == 2
    line = one_line(capsys)
    assert str(out) in line and "other inputs" in line and "--overwrite" in line
    assert tree(out) == first
    assert cli.main(command(name, inputs, out)) == 0
    if name != "bench":  # timings differ from run to run; everything else is reproducible
        assert tree(out) == first
    assert cli.main([*variant, "--overwrite"]) == 0
    assert tree(out) != first


def test_refusal_names_the_inputs_that_differ(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(command("run", inputs, out)) == 0
    capsys.readouterr()
    assert cli.main([*command("run", inputs, out), "--set", "village.hamlets=3"]) == 2
    assert "(params.village.hamlets differs)" in one_line(capsys)


def test_analysis_of_a_resumed_sweep_is_other_inputs(inputs, tmp_path, capsys):
    from villagesim.sweep import run_sweep

    sweep = tmp_path / "sweep"
    run_sweep(inputs / "spec.toml", sweep, batch=2)
    last = sorted((sweep / "runs").glob("part-*.parquet"))[-1]
    last.rename(tmp_path / last.name)  # as if the sweep had been analysed before its last runs were finished
    assert cli.main(["analyze", str(sweep)]) == 0
    (tmp_path / last.name).rename(last)
    capsys.readouterr()
    assert cli.main(["analyze", str(sweep)]) == 2
    assert "runs_sha256 differs" in one_line(capsys)


def test_folder_not_written_by_villagesim_is_refused_and_its_files_kept(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert cli.main(command("run", inputs, out)) == 2
    assert "not written by villagesim" in one_line(capsys)
    assert cli.main([*command("run", inputs, out), "--overwrite"]) == 0
    assert cli.main([*command("run", inputs, out, variant=1), "--overwrite"]) == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(os.listdir(out)) == ["chart.png", "notes.txt", "summary.json", "timeseries.csv", MANIFEST]


def test_sweep_refuses_another_sweep_and_overwrite_starts_afresh(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(argv_of("sweep", inputs, out)) == 0
    (tmp_path / "other.toml").write_text(SPEC.replace("seed = 3", "seed = 4"))
    other = ["sweep", str(tmp_path / "other.toml"), "--executor", "serial", "--out", str(out)]
    capsys.readouterr()
    assert cli.main(other) == 2
    assert "holds a different sweep (differs in seed)" in one_line(capsys)
    (out / "analysis").mkdir()
    (out / "notes.txt").write_text("mine")
    assert cli.main([*other, "--overwrite"]) == 0
    assert json.loads((out / "sweep.json").read_text())["spec"]["seed"] == 4
    assert not (out / "analysis").exists() and (out / "notes.txt").read_text() == "mine"
    assert cli.main(other) == 0  # and it resumes as before


# --- the mechanism ----------------------------------------------------------------------------------------


def test_error_inside_the_block_leaves_nothing(tmp_path):
    target = tmp_path / "a" / "b" / "out"
    out = Output(target)
    with pytest.raises(KeyboardInterrupt):
        with out.writing() as folder:
            (folder / "x.csv").write_text("half")
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []  # the folders made for it are gone too


def test_error_without_a_file_name_names_the_file_being_written(tmp_path):
    out = Output(tmp_path / "out")
    with pytest.raises(WriteError, match=r"cannot write .*out/chart\.png: No space left on device"):
        with out.writing() as folder:
            (folder / "summary.json").write_text("{}")
            folder / "chart.png"
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_target_replaced_in_one_step_when_it_holds_only_its_own_files(tmp_path):
    out = Output(tmp_path / "out")
    out.claim("test", {"v": 1})
    with out.writing() as folder:
        (folder / "a.txt").write_text("1")
        (folder / "old.txt").write_text("1")
    out = Output(tmp_path / "out")
    out.claim("test", {"v": 2}, overwrite=True)
    with out.writing() as folder:
        (folder / "a.txt").write_text("2")
    assert tree(tmp_path / "out").keys() == {"a.txt", MANIFEST}  # a file the new version does not write is gone
    assert (tmp_path / "out" / "a.txt").read_text() == "2"


def test_manifest_without_claim_is_not_written(tmp_path):
    with Output(tmp_path / "out").writing() as folder:
        (folder / "a.txt").write_text("1")
    assert os.listdir(tmp_path / "out") == ["a.txt"]


def test_unreadable_manifest_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / MANIFEST).write_text("{not json")
    with pytest.raises(InputError, match="no readable villagesim.json"):
        Output(tmp_path / "out").claim("run", {})


def test_a_linked_folder_stays_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    for version in (1, 2):
        out = Output(tmp_path / "link")
        out.claim("test", {"v": version}, overwrite=True)
        with out.writing() as folder:
            (folder / "a.txt").write_text(str(version))
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real" / "a.txt").read_text() == "2"
    assert sorted(os.listdir(tmp_path)) == ["link", "real"]


def test_a_manifest_cannot_make_a_write_delete_files_outside_its_folder(tmp_path):
    (tmp_path / "precious.txt").write_text("keep")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("mine")
    (tmp_path / "out" / MANIFEST).write_text(json.dumps({"command": "test", "inputs": {},
                                                          "files": {"../precious.txt": "", "/etc/hostname": ""}}))
    out = Output(tmp_path / "out")
    out.claim("test", {}, overwrite=True)
    with out.writing() as folder:
        (folder / "a.txt").write_text("1")
    assert (tmp_path / "precious.txt").read_text() == "keep" and Path("/etc/hostname").exists()
    assert sorted(os.listdir(tmp_path / "out")) == ["a.txt", "mine.txt", MANIFEST]
