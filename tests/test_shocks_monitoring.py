"""The platform's monitoring gain reaches only households where someone used the platform this month."""

import numpy as np

from villagesim.network import generate_layout
from villagesim.params import resolve
from villagesim.population import generate
from villagesim.submodels import interventions, shocks


def test_digital_access_without_use_gets_no_monitoring_from_the_platform():
    params = resolve({"village.population": 1200, "village.digital_young": 1.0, "village.digital_elderly": 1.0,
                      "shocks.rate": 1.0, "shocks.relapse_prob": 1.0, "shocks.monitoring": 0.0,
                      "interventions.digital.monitoring_gain": 1.0, "interventions.digital.intensity": 1.0,
                      "shocks.relapse_loss": 0.1, "shocks.caught_gain": 0.05})
    rng = np.random.default_rng(5)
    layout = generate_layout(params, rng)
    pop = generate(layout, params, rng)
    household_village = np.zeros(int(layout.household.max()) + 1, np.intp)
    pop.trust[:] = 0.5
    users = pop.alive & (pop.household % 3 == 0) & (np.arange(pop.size) % 2 == 0)
    used = np.isin(pop.household, pop.household[users])
    assert pop.digital.all() and (pop.alive & ~used).any()
    relapses = shocks.strike(pop, params, rng, interventions.intensities(params, 1), np.zeros(1), household_village,
                             users)
    assert relapses.tolist() == [np.unique(pop.household[pop.alive & ~used]).size]
    np.testing.assert_allclose(pop.trust[pop.alive], np.where(used, 0.55, 0.4)[pop.alive])
