"""Every input a user can give is accepted because it is valid, or refused in one line.

Generated inputs (hypothesis) go through the real command line
(``villagesim.cli.main`` in-process, and a few real subprocesses). A refusal
must be exit status 2, exactly one line ``villagesim: error: ...`` on stderr
naming the file, line or key at fault, and no output folder. Each test's
oracle decides validity on its own, from the parameter registry's documented
types and ranges, not by asking the code under test.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
import tomllib
import tracemalloc
from pathlib import Path
from unittest import mock

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from hypothesis import event, given
from hypothesis.errors import InvalidArgument
from hypothesis import strategies as st

from villagesim import cli, network
from villagesim import pictures, scenarios
from villagesim.params import parse_assignment
from villagesim.params import MAX_PEOPLE, PARAMS, REGISTRY, resolve
from villagesim.metrics import METRICS

SMALL = 40  # people in the villages the accepted inputs run, so each run takes milliseconds
CHEAP_PEOPLE = 5_000  # accepted inputs larger than this are checked up to the model, not run


# --- running the command line --------------------------------------------------------------------


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``villagesim ARGV`` in this process. Charts are built but not rendered to PNG: rendering takes
    most of a small run's time and reads no user input."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            mock.patch.object(pictures, "save", lambda figure, path: plt.close(figure)):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def assert_refused(argv: list[str], out: Path, *names: str) -> str:
    """Exit 2, one error line naming at least one of ``names``, and no output folder."""
    code, _, err = run_cli(argv)
    lines = err.splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("villagesim: error: "), err
    assert any(name in lines[0] for name in names), (lines[0], names)
    assert not out.exists()
    tally("refused")
    return lines[0]


def assert_ran(argv: list[str], out: Path) -> pd.DataFrame:
    code, _, err = run_cli(argv)
    assert code == 0, err
    tally("accepted")
    return pd.read_csv(out / "timeseries.csv")


def tally(label: str) -> None:
    """Count an outcome in hypothesis' statistics (``--hypothesis-show-statistics``); a no-op outside @given."""
    with contextlib.suppress(InvalidArgument):
        event(label)


@contextlib.contextmanager
def workdir():
    folder = Path(tempfile.mkdtemp(prefix="villagesim-rel-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the oracle: what the registry documents as valid ---------------------------------------------

NUMERIC = [p for p in PARAMS if p.kind in (int, float)]


def valid_number(param, value) -> bool:
    """A number, or text of one, finite, in range, integral for integer keys (bool is not a number)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return False
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    if param.kind is int and not float(value).is_integer():
        return False
    return param.lo <= value <= param.hi


def consistency_errors(params: dict) -> list[str]:
    """Keys named by the documented cross-parameter rules that ``params`` breaks."""
    p = {q.key: q.default for q in PARAMS} | params
    broken = []
    if p["village.youth_share"] + p["village.elderly_share"] > 1:
        broken.append("village.youth_share")
    if p["branch.member_young_share"] + p["branch.member_elderly_share"] > 1:
        broken.append("branch.member_young_share")
    if p["region.villages"] * p["village.population"] > MAX_PEOPLE:
        broken.append("region.villages")
    if bool(p["network.nodes"]) != bool(p["network.edges"]):
        broken.append("network.nodes")
    return broken


def people(params: dict) -> int:
    return params.get("region.villages", 1) * params.get("village.population", SMALL)


def in_range(param):
    if param.kind is int:
        return st.integers(int(param.lo), int(param.hi))
    return st.floats(param.lo, param.hi)


def out_of_range(param):
    above = st.floats(param.hi, 1e300, exclude_min=True)
    below = st.floats(-1e300, param.lo, exclude_max=True)
    off = above | below
    if param.kind is int:
        off |= st.floats(param.lo, param.hi).filter(lambda x: not x.is_integer())
    return off


JUNK = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, True, False, "", "abc", "0x10", "1,5", "五", "nan", "-inf"]),
    st.text(max_size=6),
    st.lists(st.integers(0, 3), max_size=2),
)


def any_value(param):
    """Valid values, values just out of range, NaN and infinities, wrong types."""
    if param.kind is str:
        return st.text(max_size=8)
    return st.one_of(in_range(param), out_of_range(param), JUNK)


# --- --set KEY=VALUE ------------------------------------------------------------------------------


def set_text(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


@st.composite
def assignments(draw):
    """One ``--set`` text, and the key it is about."""
    kind = draw(st.sampled_from(["registry", "registry", "registry", "unknown key", "malformed"]))
    if kind == "unknown key":
        key = draw(st.sampled_from([p.key for p in PARAMS]))
        key = draw(st.sampled_from([key + "x", key.replace(".", "_"), key.upper(), "village.人口", "x"]))
        return f"{key}={draw(st.floats(0, 1))}", key, None
    if kind == "malformed":
        text = draw(st.sampled_from(["", "=1", "village.population", " =0.5", "==", "village.population 5"]))
        return text, "--set", None
    param = draw(st.sampled_from(NUMERIC))
    value = draw(any_value(param))
    if isinstance(value, list):
        value = ",".join(map(str, value))
    text = set_text(value) if not isinstance(value, str) else value
    pad = draw(st.sampled_from(["", " "]))
    return f"{param.key}={pad}{text}{pad}", param.key, param


@given(assignments())
def test_set_values_are_accepted_or_refused_in_one_line(case):
    text, key, param = case
    with workdir() as tmp:
        out = tmp / "out"
        argv = ["run", "--steps", 1, "--seed", 1, f"--set=village.population={SMALL}", f"--set={text}", "--out", out]
        raw = text.partition("=")[2]
        valid = param is not None and valid_number(param, raw)
        if valid:
            value = float(raw)
            params = {"village.population": SMALL, param.key: int(value) if param.kind is int else value}
            broken = consistency_errors(params)
            if broken:
                assert_refused(argv, out, *broken)
            elif people(params) <= CHEAP_PEOPLE:
                frame = assert_ran(argv, out)
                assert len(frame) == 2
            else:
                tally("accepted (large: checked up to the model, not run)")
                key, value = parse_assignment(text)
                assert resolve({"village.population": SMALL, key: value})[key] == params[key]
        else:
            assert_refused(argv, out, key)


# --- scenario TOML --------------------------------------------------------------------------------


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return str(v)


@st.composite
def scenario_files(draw):
    """Text of a scenario TOML: known and unknown keys, any values, dotted or nested tables."""
    entries = {}
    for param in draw(st.lists(st.sampled_from(NUMERIC), max_size=4, unique=True)):
        entries[param.key] = draw(any_value(param))
    if draw(st.integers(0, 3)) == 0:
        entries[draw(st.sampled_from(["village.populaton", "人口", "interventions.training.intensty", "foo"]))] = 1
    if draw(st.booleans()):
        entries["description"] = draw(st.sampled_from(["山区村 mountain village"] * 3 + [5]))
    entries.setdefault("village.population", SMALL)
    style = draw(st.sampled_from(["quoted", "bare", "tables"]))
    lines = ["# 生成的情景 generated scenario"]
    if style == "tables":
        sections: dict[str, list[str]] = {}
        for key, value in entries.items():
            head, _, leaf = key.rpartition(".")
            sections.setdefault(head, []).append(f"{json.dumps(leaf, ensure_ascii=False)} = {toml_value(value)}")
        for head, body in sorted(sections.items(), key=lambda kv: kv[0] != ""):
            lines += ([f"[{head}]"] if head else []) + body
    else:
        fmt = (lambda k: json.dumps(k, ensure_ascii=False)) if style == "quoted" else (lambda k: k)
        lines += [f"{fmt(k)} = {toml_value(v)}" for k, v in entries.items()]
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    bom = draw(st.booleans())
    if draw(st.integers(0, 9)) == 0:  # break the syntax somewhere
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["=", "[", '"', "\x00", "= =\n"])) + text[cut:]
    return ("\ufeff" if bom else "") + text


def scenario_problems(table: dict) -> tuple[list[str], dict]:
    """Keys the oracle refuses in a parsed scenario table, and the valid overrides."""

    def flat(t, prefix=""):
        for k, v in t.items():
            if isinstance(v, dict):
                yield from flat(v, f"{prefix}{k}.")
            else:
                yield f"{prefix}{k}", v

    bad, params = [], {}
    for key, value in flat(table):
        if key in ("description", "description_zh"):
            if not isinstance(value, str):
                bad.append(key)
        elif key not in REGISTRY or REGISTRY[key].kind is str or not valid_number(REGISTRY[key], value):
            bad.append(key)
        else:
            params[key] = REGISTRY[key].check(value)
    return bad, params


@given(scenario_files())
def test_scenario_files_are_accepted_or_refused_in_one_line(text):
    with workdir() as tmp:
        path, out = tmp / "村 scenario.toml", tmp / "out"
        path.write_bytes(text.encode("utf-8"))
        argv = ["run", "--scenario", path, "--steps", 1, "--seed", 2, "--out", out]
        try:
            table = tomllib.loads(text.removeprefix("\ufeff"))
        except tomllib.TOMLDecodeError:
            line = assert_refused(argv, out, str(path))
            assert "malformed TOML" in line
            return
        bad, params = scenario_problems(table)
        if bad:
            line = assert_refused(argv, out, *bad)
            assert str(path) in line
        elif broken := consistency_errors(params):
            assert_refused(argv, out, *broken)
        elif people(params) <= CHEAP_PEOPLE:
            assert_ran(argv, out)
        else:
            tally("accepted (large: checked by the loader only)")
            assert scenarios.load(path).overrides == params


# --- network CSV files ----------------------------------------------------------------------------

ID_CHARS = st.sampled_from(list("0123456789abcXYZ张王李村"))
VALID_CELLS = {
    "role": st.sampled_from(["member", "youth", "resident", "Member", ""]),
    "age": st.sampled_from(["18", "45.5", "120", "", "67"]),
    "away": st.sampled_from(["0", "1", "true", "no", ""]),
    "household": st.sampled_from(["h1", "h2", "户3", ""]),
    "hamlet": st.sampled_from(["上村", "下村", ""]),
    "姓名": st.sampled_from(["张三", "李四"]),
    "备注": st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), max_size=5),
}
BAD_CELLS = {"role": ["cadre", "党员"], "age": ["17", "121", "nan", "inf", "sixty", "-3"], "away": ["maybe", "2"]}
NETWORK_FAULTS = ["duplicate id", "empty id", "bad cell", "id column not named id", "unknown id in edges",
                  "one-column edge header", "edge file without header"]


@st.composite
def network_files(draw):
    """Valid node and edge CSVs with every documented quirk, and at most one fault."""
    fault = draw(st.sampled_from([None] * len(NETWORK_FAULTS) + NETWORK_FAULTS))
    tally(f"network fault: {fault}")
    ids = draw(st.lists(st.text(ID_CHARS, min_size=1, max_size=3), min_size=1, max_size=10, unique=True))
    extra = draw(st.lists(st.sampled_from(list(VALID_CELLS)), unique=True, max_size=4))
    if fault == "empty id" and "姓名" not in extra:
        extra.append("姓名")  # a name beside the empty id, so its row is not a blank line
    if fault == "bad cell":
        extra.append(draw(st.sampled_from(sorted(set(BAD_CELLS) - set(extra)) or ["role"])))
    header = [draw(st.sampled_from(["编号", "ID", "Id "])) if fault == "id column not named id" else "id", *extra]
    node_rows = [[ident, *(draw(VALID_CELLS[c]) for c in extra)] for ident in ids]
    if fault == "bad cell":
        row, col = draw(st.sampled_from(node_rows)), len(header) - 1
        row[col] = draw(st.sampled_from(BAD_CELLS.get(header[col], BAD_CELLS["role"])))
    if fault == "duplicate id":
        node_rows.insert(draw(st.integers(1, len(node_rows))), list(draw(st.sampled_from(node_rows))))
    if fault == "empty id":
        node_rows.insert(draw(st.integers(0, len(node_rows))), ["", *(draw(VALID_CELLS[c]) for c in extra)])
    known = [row[0] for row in node_rows if row[0]]
    edges = [[draw(st.sampled_from(known)), draw(st.sampled_from(known))] for _ in range(draw(st.integers(0, 12)))]
    if edges and draw(st.booleans()):
        edges.append(list(edges[0]))  # a repeated edge
    if fault in ("unknown id in edges", "edge file without header") or draw(st.booleans()):
        edges.insert(draw(st.integers(0, len(edges))), [known[0], known[0]])  # a self-loop
    if fault == "unknown id in edges":
        edges.insert(draw(st.integers(0, len(edges))), [known[-1], draw(st.sampled_from(["999", "无", "a b"]))])
    edge_header = {"one-column edge header": ["a"], "edge file without header": None}.get(
        fault, draw(st.sampled_from([["source", "target"], ["起点", "终点", "关系"]])))
    crlf, bom, blanks = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    return dict(header=header, node_rows=node_rows, edge_header=edge_header, edges=edges,
                crlf=crlf, bom=bom, blanks=blanks)


def write_csv(path: Path, header, rows, crlf: bool, bom: bool, blanks: bool) -> list[int]:
    """Write the file; return the line number of each data row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    lines, line = [], 1
    if header is not None:
        writer.writerow(header)
        line += 1
    for k, row in enumerate(rows):
        if blanks and k % 3 == 1:
            buffer.write("\r\n" if crlf else "\n")
            line += 1
        writer.writerow(row)
        lines.append(line)
        line += 1
    path.write_bytes((("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8"))
    return lines


def kept_rows(rows, lines):
    """Rows whose cells are all blank read as blank lines, which are skipped."""
    kept = [(row, line) for row, line in zip(rows, lines) if any(cell.strip() for cell in row)]
    return [r for r, _ in kept], [line for _, line in kept]


def network_problems(case: dict, nodes: Path, edges: Path, node_lines, edge_lines) -> list[str]:
    """Substrings, any of which a correct refusal names; empty when the files are valid."""
    header, rows = case["header"], case["node_rows"]
    if header[0] != "id":
        return ["no 'id' column"]
    problems = []
    seen = set()
    rows, node_lines = kept_rows(rows, node_lines)
    for line, row in zip(node_lines, rows):
        if row[0] == "":
            problems.append(f"line {line}: empty id")
        elif row[0] in seen:
            problems.append(f"line {line}: duplicate id")
        seen.add(row[0])
    checks = {"role": lambda v: v == "" or v.lower() in ("member", "youth", "resident"),
              "away": lambda v: v.lower() in ("", "0", "1", "true", "false", "yes", "no"),
              "age": lambda v: v == "" or (v.replace(".", "", 1).isdigit() and 18 <= float(v) <= 120)}
    for col, ok in checks.items():
        if col in header:
            k = header.index(col)
            problems += [f"line {line}: {col} {row[k]!r}" for line, row in zip(node_lines, rows) if not ok(row[k])]
    if problems:
        return problems
    eh = case["edge_header"]
    if eh is None and not case["edges"]:
        return ["empty file"]
    if eh is None:
        first = case["edges"][0] if case["edges"] else None
        if first and first[0] in seen and first[1] in seen:
            return ["line 1:"]
        eh = first
    if eh is not None and len(eh) < 2:
        return ["needs two id columns"]
    body = case["edges"] if case["edge_header"] is not None else case["edges"][1:]
    lines = edge_lines if case["edge_header"] is not None else edge_lines[1:]
    return [f"line {line}: id {end!r} is not in" for line, edge in zip(lines, body) for end in edge[:2]
            if end not in seen]


@given(network_files())
def test_network_files_are_accepted_or_refused_in_one_line(case):
    with workdir() as tmp:
        nodes, edges, out = tmp / "村民 nodes.csv", tmp / "edges.csv", tmp / "out"
        quirks = (case["crlf"], case["bom"], case["blanks"])
        node_lines = write_csv(nodes, case["header"], case["node_rows"], *quirks)
        edge_rows = [e + ["亲戚"] if case["edge_header"] and len(case["edge_header"]) == 3 else e
                     for e in case["edges"]]
        edge_lines = write_csv(edges, case["edge_header"], edge_rows, *quirks)
        argv = ["run", "--steps", 1, "--seed", 3, f"--set=network.nodes={nodes}", f"--set=network.edges={edges}",
                "--out", out]
        problems = network_problems(case, nodes, edges, node_lines, edge_lines)
        if problems:
            line = assert_refused(argv, out, *problems)
            assert str(nodes) in line or str(edges) in line
            return
        frame = assert_ran(argv, out)
        rows = kept_rows(case["node_rows"], node_lines)[0]
        ids = [row[0] for row in rows]
        assert frame["population"].iloc[0] == len(ids)
        # Ties as documented: undirected, self-loops and repeats dropped.
        body = case["edges"] if case["edge_header"] is not None else case["edges"][1:]
        pairs = {frozenset(e) for e in body if e[0] != e[1]}
        net = network.read_network(str(nodes), str(edges))
        assert net.adjacency.nnz == 2 * len(pairs)
        assert list(net.ids) == ids
        for name in ("role", "away"):
            if name in case["header"]:
                k = case["header"].index(name)
                codes = {"": -1, **network.ROLES, "0": 0, "1": 1, "true": 1, "no": 0}
                assert net.columns[name].tolist() == [codes[r[k].lower()] for r in rows]


def test_empty_network_files_and_missing_files_are_refused(tmp_path):
    nodes, edges, out = tmp_path / "nodes.csv", tmp_path / "edges.csv", tmp_path / "out"
    nodes.write_text("id\n1\n2\n")
    edges.write_text("")
    base = ["run", "--steps", 1, f"--set=network.nodes={nodes}", "--out", out]
    assert "empty file" in assert_refused(base + [f"--set=network.edges={edges}"], out, str(edges))
    assert "no such file" in assert_refused(base + [f"--set=network.edges={tmp_path / 'gone.csv'}"], out, "gone.csv")
    assert_refused(base, out, "network.nodes")  # edges missing altogether
    nodes.write_text("\ufeff\r\n\r\n")
    edges.write_text("a,b\n")
    assert "empty file" in assert_refused(base + [f"--set=network.edges={edges}"], out, str(nodes))


def test_network_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    """A sparse file one byte over the documented 256 MiB limit: refused by its size alone."""
    nodes, edges, out = tmp_path / "nodes.csv", tmp_path / "edges.csv", tmp_path / "out"
    nodes.write_text("id\n1\n2\n")
    with open(edges, "wb") as handle:
        handle.truncate(network.MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    tracemalloc.start()
    line = assert_refused(["run", f"--set=network.nodes={nodes}", f"--set=network.edges={edges}", "--out", out],
                          out, str(edges))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert f"over the {network.MAX_FILE_BYTES} byte limit" in line
    assert peak < network.MAX_FILE_BYTES // 100


def test_node_file_over_the_node_limit_is_refused_while_streaming(tmp_path, monkeypatch):
    """Rows are streamed: memory stays far below the file's size when the row limit refuses it."""
    monkeypatch.setattr(network, "MAX_NODES", 1_000)
    nodes, edges, out = tmp_path / "nodes.csv", tmp_path / "edges.csv", tmp_path / "out"
    with open(nodes, "w") as handle:
        handle.write("id,household\n")
        handle.writelines(f"{k},{k // 3}\n" for k in range(1_000_000))
    edges.write_text("a,b\n1,2\n")
    tracemalloc.start()
    line = assert_refused(["run", f"--set=network.nodes={nodes}", f"--set=network.edges={edges}", "--out", out],
                          out, f"{nodes} line 1002")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "limit of 1000 nodes" in line
    assert peak < nodes.stat().st_size / 4


def test_huge_csv_field_is_refused_in_one_line(tmp_path):
    nodes, edges, out = tmp_path / "nodes.csv", tmp_path / "edges.csv", tmp_path / "out"
    nodes.write_text('id,备注\n1,"' + "长" * 200_000 + '"\n2,x\n')
    edges.write_text("a,b\n1,2\n")
    assert_refused(["run", f"--set=network.nodes={nodes}", f"--set=network.edges={edges}", "--out", out],
                   out, f"{nodes} line 2")


def test_network_file_that_is_not_utf8_is_refused(tmp_path):
    nodes, edges, out = tmp_path / "nodes.csv", tmp_path / "edges.csv", tmp_path / "out"
    nodes.write_bytes("id,姓名\n1,张三\n2,李四\n".encode("gb18030"))
    edges.write_text("a,b\n1,2\n")
    line = assert_refused(["run", f"--set=network.nodes={nodes}", f"--set=network.edges={edges}", "--out", out],
                          out, str(nodes))
    assert "not UTF-8" in line


# --- sweep specs ----------------------------------------------------------------------------------

CHEAP_FACTORS = ["interventions.training.intensity", "interventions.digital.intensity", "trust.baseline",
                 "participation.threshold_mean"]


@st.composite
def valid_specs(draw) -> dict:
    design = draw(st.sampled_from(["grid", "grid", "lhs", "sobol", "morris"]))
    keys = draw(st.lists(st.sampled_from(CHEAP_FACTORS), min_size=1, max_size=2, unique=True))
    spec = {"scenario": draw(st.sampled_from(["default", "hollowed", "tourism"])),
            "months": draw(st.integers(0, 3)), "replicates": draw(st.integers(1, 2)),
            "seed": draw(st.integers(0, 2**40)), "design": design,
            "set": {"village.population": draw(st.integers(20, 60))}, "factors": {}}
    for key in keys:
        if design == "grid":
            spec["factors"][key] = draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=1, max_size=2,
                                                 unique=True))
        else:
            low = draw(st.sampled_from([0.0, 0.2]))
            spec["factors"][key] = {"min": low, "max": draw(st.sampled_from([0.5, 1.0]))}
    if design != "grid":
        spec["samples"] = draw(st.sampled_from([1, 2]))
    if draw(st.booleans()):
        spec["output"] = {"metrics": draw(st.lists(st.sampled_from(list(METRICS)), min_size=1, max_size=3,
                                                   unique=True)),
                          "every": draw(st.integers(0, 2))}
    return spec


def spec_mutations(spec: dict):
    """Ways to break a valid spec, each with a substring the refusal must name."""
    key = next(iter(spec["factors"]))
    grid = spec["design"] == "grid"
    return [
        ("unknown top-level key", lambda s: s.update(monhts=12), "monhts"),
        ("months negative", lambda s: s.update(months=-1), "months"),
        ("months not an integer", lambda s: s.update(months=2.5), "months"),
        ("months beyond time.months", lambda s: s.update(months=10**9), "months"),
        ("months as text", lambda s: s.update(months="sixty"), "months"),
        ("replicates zero", lambda s: s.update(replicates=0), "replicates"),
        ("replicates a bool", lambda s: s.update(replicates=True), "replicates"),
        ("seed negative", lambda s: s.update(seed=-1), "seed"),
        ("unknown design", lambda s: s.update(design="factorial"), "design"),
        ("samples zero", lambda s: s.update(design="lhs", samples=0), "samples"),
        ("sobol samples not a power of 2", lambda s: s.update(design="sobol", samples=3), "samples"),
        ("unknown scenario", lambda s: s.update(scenario="atlantis"), "atlantis"),
        ("[set] unknown key", lambda s: s["set"].update({"village.populaton": 5}), "village.populaton"),
        ("[set] out of range", lambda s: s["set"].update({"village.population": 0}), "village.population"),
        ("[set] NaN", lambda s: s["set"].update({"trust.relaxation": math.nan}), "trust.relaxation"),
        ("[set] not a table", lambda s: s.update(set=5), "set"),
        ("[set] one network file", lambda s: s["set"].update({"network.nodes": "nodes.csv"}), "network.nodes"),
        ("[set] missing network files", lambda s: s["set"].update({"network.nodes": "none.csv",
                                                                   "network.edges": "none2.csv"}), "none.csv"),
        ("factor unknown key", lambda s: s["factors"].update({"branch.strenght": [1.0]}), "branch.strenght"),
        ("factor also in [set]", lambda s: s["set"].update({key: 0.5}), key),
        ("factor value out of range" if grid else "factor min out of range",
         (lambda s: s["factors"][key].append(1.5)) if grid else (lambda s: s["factors"][key].update(min=-1.0)), key),
        ("factor value infinite" if grid else "factor max NaN",
         (lambda s: s["factors"][key].append(math.inf)) if grid else (lambda s: s["factors"][key].update(max=math.nan)),
         key),
        ("factor of the wrong shape", lambda s: s["factors"].update({key: 0.5}), key),
        ("factor value twice" if grid else "factor min above max",
         (lambda s: s["factors"][key].append(s["factors"][key][0])) if grid
         else (lambda s: s["factors"][key].update(min=0.9, max=0.1)), key),
        ("inconsistent design point", lambda s: s["factors"].update({"village.youth_share": [0.9]} if grid else
                                                                  {"village.youth_share": {"min": 0.7, "max": 0.9}}),
         "village.youth_share"),
        ("unknown metric", lambda s: s.update(output={"metrics": ["happiness"]}), "happiness"),
        ("metric not a string", lambda s: s.update(output={"metrics": [["trust_mean"]]}), "output.metrics"),
        ("no metrics", lambda s: s.update(output={"metrics": []}), "output.metrics"),
        ("every negative", lambda s: s.update(output={"every": -2}), "output.every"),
        ("unknown output key", lambda s: s.update(output={"format": "csv"}), "output.format"),
    ]


def spec_toml(spec: dict) -> str:
    lines = [f"{k} = {toml_value(v)}" for k, v in spec.items() if not isinstance(v, dict)]
    for table in ("set", "factors", "output"):
        if isinstance(spec.get(table), dict):
            lines.append(f"[{table}]")
            for k, v in spec[table].items():
                if isinstance(v, dict):
                    v = "{" + ", ".join(f"{a} = {toml_value(b)}" for a, b in v.items()) + "}"
                else:
                    v = toml_value(v)
                lines.append(f"{json.dumps(k)} = {v}")
    return "\n".join(lines) + "\n"


@given(valid_specs(), st.one_of(st.none(), st.sampled_from(range(30))))
def test_sweep_specs_are_accepted_or_refused_before_any_run(spec, which):
    """Half the specs are valid; the other half are broken in one of 30 ways."""
    with workdir() as tmp:
        path, out = tmp / "规格 spec.toml", tmp / "out"
        argv = ["sweep", path, "--out", out, "--executor", "serial"]
        if which is not None:
            mutations = spec_mutations(spec)
            assert len(mutations) == 30
            name, change, token = mutations[which]
            tally(f"sweep spec broken: {name}")
            change(spec)
            path.write_text(spec_toml(spec), encoding="utf-8")
            line = assert_refused(argv, out, token)
            assert str(path) in line
            return
        path.write_text(spec_toml(spec), encoding="utf-8")
        code, _, err = run_cli(argv)
        assert code == 0, err
        tally("accepted")
        runs = pd.read_parquet(out / "runs")
        factors = list(spec["factors"].values())
        points = (math.prod(len(v) for v in factors) if spec["design"] == "grid" else
                  {"lhs": 1, "sobol": len(factors) + 2, "morris": len(factors) + 1}[spec["design"]] * spec["samples"])
        assert sorted(runs["run_id"]) == list(range(points * spec["replicates"]))
        assert (runs["status"] == "ok").all()


FIXED_SPECS = {
    "grid": {"scenario": "default", "months": 2, "replicates": 1, "seed": 1, "design": "grid",
             "set": {"village.population": 30}, "factors": {"trust.baseline": [0.25, 0.5]}},
    "lhs": {"scenario": "hollowed", "months": 2, "replicates": 1, "seed": 1, "design": "lhs", "samples": 2,
            "set": {"village.population": 30}, "factors": {"trust.baseline": {"min": 0.2, "max": 0.5}}},
}


@pytest.mark.parametrize("design", FIXED_SPECS)
@pytest.mark.parametrize("which", range(30))
def test_every_way_of_breaking_a_sweep_spec_is_refused(design, which, tmp_path):
    """Each of the 30 ways on a grid and a sampled spec, so every way is tried in every run."""
    spec = json.loads(json.dumps(FIXED_SPECS[design]))
    _, change, token = spec_mutations(spec)[which]
    change(spec)
    path, out = tmp_path / "spec.toml", tmp_path / "out"
    path.write_text(spec_toml(spec), encoding="utf-8")
    assert str(path) in assert_refused(["sweep", path, "--out", out, "--executor", "serial"], out, token)


def test_malformed_and_empty_sweep_specs_are_refused(tmp_path):
    out = tmp_path / "out"
    for name, text in [("bad.toml", "months = = 3\n"), ("crlf.toml", "\ufeffmonths = 2\r\n[[x\r\n"),
                       ("nul.toml", "months = 2\x00\n")]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        line = assert_refused(["sweep", path, "--out", out, "--executor", "serial"], out, str(path))
        assert "malformed TOML" in line
    assert_refused(["sweep", tmp_path / "none.toml", "--out", out], out, "no such file")


# --- other arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize("argv, name", [
    (["run", "--steps", "-1"], "--steps"),
    (["run", "--steps", "1.5"], "--steps"),
    (["run", "--seed", "-3"], "--seed"),
    (["run", "--seed", "abc"], "--seed"),
    (["run", "--scenario", "atlantis"], "atlantis"),
    (["run", "--scenario", "missing.toml"], "missing.toml"),
    (["run", "--scenario", "/"], "/"),
    (["run", "--bogus"], "--bogus"),
    (["fly"], "fly"),
    (["demo", "--seeds", "0"], "--seeds"),
    (["demo", "--intensity", "nan"], "--intensity"),
    (["demo", "--intensity", "1.5"], "--intensity"),
    (["sweep", "spec.toml", "--out", "x", "--executor", "mpi"], "--executor"),
])
def test_bad_arguments_are_refused_in_one_line(argv, name, tmp_path):
    out = tmp_path / "out"
    assert_refused([*argv, "--out", out] if "--out" not in argv else argv, out, name)


def test_out_that_is_a_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "results"
    target.write_text("keep me")
    code, _, err = run_cli(["run", "--steps", 1, "--set", f"village.population={SMALL}", "--out", target])
    assert code == 2 and len(err.splitlines()) == 1 and str(target) in err
    assert target.read_text() == "keep me"


# --- a few real processes ----------------------------------------------------------------------


def villagesim_exe() -> str:
    return shutil.which("villagesim", path=str(Path(sys.executable).parent)) or "villagesim"


def test_real_processes_refuse_in_one_line_with_status_2(tmp_path):
    """The installed console script, as a user runs it (started together: each pays seconds of imports)."""
    (tmp_path / "nodes.csv").write_bytes("\ufeffid,role\r\n1,member\r\n1,youth\r\n".encode())
    (tmp_path / "edges.csv").write_text("a,b\n1,1\n")
    (tmp_path / "spec.toml").write_text("months = -5\n")
    cases = {
        "nodes.csv line 3: duplicate id": ["run", "--set", f"network.nodes={tmp_path / 'nodes.csv'}",
                                           "--set", f"network.edges={tmp_path / 'edges.csv'}"],
        "months": ["sweep", tmp_path / "spec.toml"],
    }
    procs = {name: subprocess.Popen([villagesim_exe(), *map(str, argv), "--out", str(tmp_path / f"out{k}")],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, (name, argv) in enumerate(cases.items())}
    for k, (name, proc) in enumerate(procs.items()):
        stdout, stderr = proc.communicate(timeout=300)
        lines = stderr.splitlines()
        assert proc.returncode == 2, stderr
        assert len(lines) == 1 and lines[0].startswith("villagesim: error: ") and name in lines[0], stderr
        assert stdout == ""
        assert not (tmp_path / f"out{k}").exists()
