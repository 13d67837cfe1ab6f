"""Young people (18-40, not members): the ones who may leave to work in the cities."""

from villagesim.agents.person import Person
from villagesim.submodels import migration


class Youth(Person):
    """A young adult; may work away, may be picked as an activist and admitted as a member."""

    def leave(self) -> None:
        """Leave to work away (:func:`~villagesim.submodels.migration.leave`): away at once, or when the
        Spring Festival ends if it is on this month.

        >>> from villagesim import VillageModel
        >>> model = VillageModel({"village.population": 200}, seed=5)
        >>> youth = next(a for a in model.agents_by_type[Youth] if not a.works_away)
        >>> youth.leave()
        >>> youth.works_away, youth.location
        (True, 'away')
        >>> youth.come_home()
        >>> youth.works_away, youth.location
        (False, 'home')
        """
        if self.works_away:
            raise ValueError(f"{self!r} already works away")
        model = self.model
        migration.leave(model.population, self._slot(), model.params, model.calendar_month(model.steps))
