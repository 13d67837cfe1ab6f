"""The generated village network: hamlets, few bridges, symmetric ties."""

import numpy as np

from conftest import village


def test_generated_network_is_clustered_in_hamlets():
    params, _, layout, adj, _ = village(population=None)
    coo = adj.tocoo()
    same_hamlet = layout.hamlet[coo.row] == layout.hamlet[coo.col]
    assert same_hamlet.mean() > 0.9  # a few bridges only
    assert (adj != adj.T).nnz == 0 and adj.diagonal().sum() == 0
    degree = np.diff(adj.indptr)
    assert 5 < degree.mean() < 15

