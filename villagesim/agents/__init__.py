"""The people of the village as Mesa agents: one module per kind of person."""

from villagesim.agents.member import Member
from villagesim.agents.person import Person
from villagesim.agents.resident import Resident
from villagesim.agents.youth import Youth

AGENT_CLASSES = (Resident, Youth, Member)  # indexed by population role code

AGENT_REPORTERS = {name: name for name in ("role", "village", "age", "away", "trust", "participating", "enrolled")}
"""The agent-level reporters of ``VillageModel(agent_reporters=True)``: each agent's attribute of that name."""

__all__ = ["AGENT_CLASSES", "AGENT_REPORTERS", "Member", "Person", "Resident", "Youth"]
