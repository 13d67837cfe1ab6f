"""The people of the village as Mesa agents: one module per kind of person."""

from villagesim.agents.member import Member
from villagesim.agents.person import Person
from villagesim.agents.resident import Resident
from villagesim.agents.youth import Youth

AGENT_CLASSES = (Resident, Youth, Member)  # indexed by population role code

__all__ = ["AGENT_CLASSES", "Member", "Person", "Resident", "Youth"]
