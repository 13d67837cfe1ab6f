"""Party members (党员): mostly ageing; their activity and capability make the branch."""

from villagesim.agents.person import Person, State


class Member(Person):
    """A Party member. Adds capability, activity and the month admitted (0: founding member)."""

    role = "member"

    capability = State("skills, education and policy knowledge, 0-1")
    activity = State("engagement in branch work, 0-1; ageing lowers its ceiling")
    member_since = State("month admitted; 0 for founding members")
