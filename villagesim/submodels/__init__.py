"""The submodels of the month, one module each, in the order of the ODD's schedule."""
