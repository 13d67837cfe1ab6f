"""Young people (18-40, not members): the ones who may leave to work in the cities."""

from villagesim.agents.person import Person


class Youth(Person):
    """A young adult; may work away, may be picked as an activist and admitted as a member."""

    role = "youth"
