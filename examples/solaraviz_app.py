"""A village in Mesa's own browser view, SolaraViz: the network and the time series, stepped in the browser.

    solara run examples/solaraviz_app.py --host 127.0.0.1

Everything here is Mesa's: ``SolaraViz``, ``make_space_component`` (matplotlib, drawing
``model.grid``) and ``make_plot_component`` (matplotlib, reading ``model.datacollector``),
so nothing is fetched from the internet. The sliders are dotted parameter keys, passed to
``VillageModel`` by name when you press Reset. SolaraViz reserves ``scenario`` for Mesa's own
``Scenario``, so a preset is chosen by its overrides here, not by name.
For the trainers' view with both languages, presets and comparisons, use ``villagesim serve``.
"""

from mesa.visualization import SolaraViz, make_plot_component, make_space_component

from villagesim import VillageModel
from villagesim.view.solaraviz import layout, model_params, portrayal

PARAMS = model_params("interventions.digital.intensity", "interventions.training.intensity",
                      "interventions.venue.intensity", rng=1, **{"village.population": 300})

model = VillageModel(rng=1, **{"village.population": 300})  # the sliders start at the registry's defaults

page = SolaraViz(
    model,
    components=[
        make_space_component(portrayal, backend="matplotlib", layout_alg=layout),
        make_plot_component(["participation_rate", "trust_mean", "project_uptake"], backend="matplotlib"),
        make_plot_component("active_members", backend="matplotlib"),
    ],
    model_params=PARAMS,
    name="villagesim: a village and its Party branch",
)
