"""Party members (党员): mostly ageing; their activity and capability make the branch."""

from __future__ import annotations

import numpy as np

from villagesim.agents.person import Person, State
from villagesim.population import attainable_activity
from villagesim.submodels import branch, interventions, service


class Member(Person):
    """A Party member. Adds capability, activity and the month admitted (0: founding member)."""

    capability = State("skills, education and policy knowledge, 0-1")
    activity = State("engagement in branch work, 0-1; ageing lowers its ceiling")
    member_since = State("month admitted; 0 for founding members")

    def visit(self, household: int | Person) -> float:
        """Visit a household (走村串户): its people at home gain trust as the outreach rule gives
        (:func:`~villagesim.submodels.service.visit_gain`: ``outreach.visit_trust_gain`` x this member's
        capability each), and the branch has heard them this month. Returns the trust gained in all.

        ``household`` is a household id or a person of that household. Only a member at home visits.

        >>> from villagesim import VillageModel
        >>> model = VillageModel({"village.population": 300}, seed=3)
        >>> member = next(m for m in model.members() if not m.away)
        >>> host = next(p for p in model.agents if p.household != member.household and not p.away)
        >>> before = host.trust
        >>> gained = member.visit(host)
        >>> gained > 0 and host.trust > before
        True
        """
        if self.away:
            raise ValueError(f"{self!r} is away: only members at home visit")
        model = self.model
        pop = model.population
        number = household.household if isinstance(household, Person) else int(household)
        who = np.flatnonzero(pop.alive & (pop.household == number))
        if who.size == 0:
            raise LookupError(f"household {number}: nobody living there")
        before = float(pop.trust[who].sum())
        gain = service.visit_gain(pop, model.params, np.full(who.size, self.index), who)
        service.gain_trust(pop, gain)
        self._heard(np.flatnonzero(gain > 0))
        return float(pop.trust[who].sum()) - before

    def attend(self) -> None:
        """Attend this month's organisational life (三会一课), at home or online: activity renewed by the
        meeting the branch held this month (:func:`~villagesim.submodels.branch.renew_activity`, nothing if
        none was held), and the training given there, if it was held (:func:`~villagesim.submodels.branch.train`). The
        month's own decay of activity is not repeated. The branch's strength is then assessed again.

        >>> from villagesim import VillageModel
        >>> model = VillageModel({"village.population": 300, "interventions.training.intensity": 1.0,
        ...                       "branch.regularity": 1.0}, seed=3)
        >>> _ = model.run(1)
        >>> member = next(m for m in model.members() if not m.away)
        >>> before = member.capability
        >>> member.attend()
        >>> member.capability > before
        True
        """
        model = self.model
        pop, p, month = model.population, model.params, model.last_month
        online = month.online is not None and bool(month.online[self.index])
        if self.away and not online:
            raise ValueError(f"{self!r} is away and not on the platform: cannot attend")
        me = self._slot()
        ceiling = attainable_activity(pop.age[me], p)
        renewal = p["branch.activity_renewal"] * model.branch.meeting[pop.village[me]]
        pop.activity[me] = np.minimum(np.maximum(branch.renew_activity(pop.activity[me], ceiling, renewal), 0.0),
                                      ceiling)
        held = model.branch.meeting[pop.village[me]] > 0
        branch.train(pop, me, held, p, interventions.intensities(p, model.steps))
        branch.assess(pop, model.branch, p)
