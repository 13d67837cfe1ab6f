"""Residents: other adults, many elderly or left behind (留守)."""

from villagesim.agents.person import Person


class Resident(Person):
    """An adult over the youth age who is not a member."""
