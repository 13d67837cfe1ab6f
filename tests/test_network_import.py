"""Real networks from two CSV files: attributes given are kept, missing ones filled, bad files refused."""

import numpy as np
import pytest

from villagesim import VillageModel
from villagesim.errors import InputError
from villagesim.population import MEMBER, YOUTH


def write(tmp_path, nodes, edges):
    n, e = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    n.write_text(nodes, encoding="utf-8")
    e.write_text(edges, encoding="utf-8")
    return {"network.nodes": str(n), "network.edges": str(e)}


def ring(n, extra_cols=""):
    nodes = "id" + extra_cols + "\n" + "".join(f"p{i}\n" for i in range(n))
    edges = "a,b\n" + "".join(f"p{i},p{(i + 1) % n}\n" for i in range(n))
    return nodes, edges


def test_given_attributes_are_kept(tmp_path):
    nodes = "id,role,age,household,hamlet,away\n" + "".join(
        f"{i},{'member' if i < 3 else 'youth' if i < 10 else 'resident'},{30 if i < 10 else 70},{i // 2},{i // 10},"
        f"{int(i % 7 == 0)}\n" for i in range(40))
    edges = "src,dst\n" + "".join(f"{i},{(i + 1) % 40}\n" for i in range(40))
    model = VillageModel(write(tmp_path, nodes, edges), seed=1)
    pop = model.population
    assert pop.size == 40 and model.adjacency.nnz == 80
    assert (pop.role[:3] == MEMBER).all() and (pop.role[3:10] == YOUTH).all()
    assert (pop.age[10:] == 70).all()
    assert pop.away.tolist() == [i % 7 == 0 for i in range(40)]
    assert pop.hamlet.max() == 3
    model.run(12)


def test_missing_attributes_are_filled_from_the_scenario(tmp_path):
    nodes, edges = ring(300)
    model = VillageModel(write(tmp_path, nodes, edges), seed=1)
    pop = model.population
    assert 0 < (pop.role == MEMBER).sum() < 30
    assert 18 <= pop.age.min() and pop.age.max() <= 96
    assert np.unique(pop.household).size == 300  # each alone
    assert np.unique(pop.hamlet).size > 1  # communities found
    model.run(6)


def test_same_files_same_run(tmp_path):
    paths = write(tmp_path, *ring(200))
    a = VillageModel(paths, seed=4).run(12).timeseries()
    b = VillageModel(paths, seed=4).run(12).timeseries()
    assert a.equals(b)


def test_bom_crlf_blank_lines_and_self_loops_are_accepted(tmp_path):
    nodes = "\ufeffid,role\r\n1,member\r\n2,\r\n\r\n3,resident\r\n"
    edges = "a,b\r\n1,2\r\n2,2\r\n2,3\r\n1,2\r\n"
    model = VillageModel(write(tmp_path, nodes, edges), seed=1)
    assert model.adjacency.nnz == 4 and model.population.role[0] == MEMBER


@pytest.mark.parametrize("nodes, edges, message", [
    ("name\nx\n", "a,b\n", "no 'id' column"),
    ("id\n1\n1\n", "a,b\n", "duplicate id '1'"),
    ("id\n1\n2\n", "a,b\n1,3\n", "id '3' is not in"),
    ("id\n1\n2\n", "a\n1\n", "needs two id columns"),
    ("", "a,b\n", "empty file"),
    ("id,role\n1,mayor\n", "a,b\n", "role 'mayor'"),
    ("id,age\n1,7\n", "a,b\n", "line 2: age '7'"),
    ("id,age\n1,1,2\n", "a,b\n", "line 2: 3 fields"),
])
def test_bad_files_are_refused_with_the_file_and_reason(tmp_path, nodes, edges, message):
    with pytest.raises(InputError, match=message):
        VillageModel(write(tmp_path, nodes, edges), seed=1)


def test_region_cannot_use_an_imported_network(tmp_path):
    with pytest.raises(InputError, match="region.villages"):
        VillageModel({**write(tmp_path, *ring(10)), "region.villages": 2})
