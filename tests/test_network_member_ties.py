"""Members with few ties (seed §3.2): a share of the founding members' ties beyond their households is kept."""

import numpy as np

from villagesim import VillageModel


def test_members_keep_their_household_ties_and_the_share_of_the_others():
    full = VillageModel({"village.population": 1500}, seed=4)
    thin = VillageModel({"village.population": 1500, "network.member_ties": 0.25}, seed=4)
    pop = full.population
    member = pop.is_member()
    np.testing.assert_array_equal(thin.population.role, pop.role)  # same village, only the ties differ

    def ties(model):
        coo = model.adjacency.tocoo()
        mine = member[coo.row]
        home = pop.household[coo.row] == pop.household[coo.col]
        return (mine & home).sum(), (mine & ~home).sum(), (~member[coo.row] & ~member[coo.col]).sum()

    (home_full, out_full, rest_full), (home_thin, out_thin, rest_thin) = ties(full), ties(thin)
    assert home_thin == home_full and rest_thin == rest_full
    assert abs(out_thin / out_full - 0.25) < 0.07
    assert (thin.adjacency != thin.adjacency.T).nnz == 0


def test_by_default_no_tie_is_dropped():
    model = VillageModel({"village.population": 600}, seed=2)
    again = VillageModel({"village.population": 600, "network.member_ties": 1.0}, seed=2)
    assert (model.adjacency != again.adjacency).nnz == 0
