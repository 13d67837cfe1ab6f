"""What the calibration fits and what it keeps fixed: names only, light to import (the command line
refuses bad input with them before it imports scipy or the model)."""

FITTED = ("project.propensity", "project.propensity_sd", "project.member_shift", "project.news_prob",
          "project.news_prob_enrolled", "project.outreach", "project.places")
"""The free parameters of the calibration."""

FIXED = ("project.campaign", "project.trust_effect", "project.endorsement", "village.trust_mean", "village.trust_sd")
"""Parameters the rule uses that stay at the scenario's values (the campaign length, unobserved trust)."""

DEFAULT_SEED = 2024
"""Seed of ``villagesim calibrate`` and ``predict`` unless ``--seed`` is given."""

TIME_FITTED = ("project.propensity", "project.propensity_sd", "project.member_shift", "project.news_prob",
               "project.news_prob_enrolled", "project.outreach", "project.outreach_ramp", "project.reconsider")
"""The free parameters of the fit to adoption over time (places do not bind: the practice has no intake)."""

TIME_FIXED = ("project.campaign", "project.places", "project.trust_effect", "project.endorsement",
              "village.trust_mean", "village.trust_sd")
"""Parameters of the timing fit that stay fixed (the campaign spans the study's periods)."""

PERIOD_MONTHS = 12
"""Model months per period of the data (the studies' periods are years)."""
