"""The village model written the ordinary Mesa way: the benchmark twin of villagesim.

One Python object per person, behaviour in the agents' methods, the month
run as phases of ``model.agents.shuffle_do(...)``, neighbours through
Mesa's network cell space (``mesa.discrete_space.Network``), per-village
state in plain objects, outcomes through ``mesa.DataCollector``, no numpy
arrays. It follows the same rules, in the same order, with the same
parameters (:mod:`villagesim.params`) as :class:`villagesim.VillageModel`;
only the random streams differ. ``tests/test_benchmark_equivalence.py``
checks that the two give the same outcome means, and ``villagesim bench``
times both.

The initial village (households, hamlets, ties, ages, roles, trust...) is
drawn by villagesim's own generators and handed over person by person, so
that both models start from the same distribution; the monthly steps,
which the benchmark times, are all written here.

A dead person's agent is removed from the model and its cell; a newcomer
coming of age (the household's next adult) is a new agent in that cell,
so it inherits the place and the ties, as in villagesim.

>>> model = PlainVillage({"village.population": 120}, seed=3)
>>> model.run(3)
>>> sorted({type(a).__name__ for a in model.agents}) == ["Member", "Resident", "Youth"]
True
"""

from __future__ import annotations

import math
from collections import defaultdict

import mesa
import networkx as nx
from mesa.discrete_space import CellAgent, Network

from villagesim.network import generate_layout, generate_ties, thin_member_ties
from villagesim.params import INTERVENTIONS, resolve
from villagesim.population import MEMBER, NEVER, generate
from villagesim.submodels.branch import MEETING_MEMORY
from villagesim.submodels.service import ELDERLY_AGE, ELDERLY_MOBILITY_AGE, REFERENCE_POPULATION
from villagesim.submodels.uptake import FAILED, RUNNING, VIABLE, WAITING, mean_propensity


def clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def monthly(annual: float) -> float:
    return 1.0 - (1.0 - annual) ** (1.0 / 12.0)


class Villager(CellAgent):
    """An adult of the village; the class says the role."""

    def __init__(self, model: "PlainVillage", cell, village: "Village", household: list, hamlet: int, **state):
        super().__init__(model)
        self.cell = cell
        self.village = village
        self.household = household
        self.hamlet = hamlet
        self.age = state["age"]
        self.away = state.get("away", False)
        self.works_away = state.get("works_away", False)
        self.trust = state["trust"]
        self.digital = state["digital"]
        self.threshold = state["threshold"]
        self.capability = state["capability"]
        self.activity = state.get("activity", 0.0)
        self.activist_since = state.get("activist_since", NEVER)
        self.member_since = state.get("member_since", NEVER)
        self.participating = self.aware = self.enrolled = self.decided = False
        self.online = self.visited = False
        self.gain = 0.0
        household.append(self)

    @property
    def present(self) -> bool:
        return not self.away

    def neighbours(self) -> list["Villager"]:
        return list(self.cell.neighborhood.agents)

    # --- demography ---------------------------------------------------------

    def age_and_die(self) -> None:
        p = self.model.p
        self.age += 1.0 / 12.0
        annual = min(p["demography.mortality_60"] * math.exp(p["demography.mortality_slope"] * (self.age - 60.0)), 1.0)
        if self.random.random() < monthly(annual):
            self.model.deaths.append(self)
            return
        if self.digital and self.age >= 60.0 and self.random.random() < monthly(p["demography.digital_loss"]):
            self.digital = False
        if isinstance(self, Youth) and self.age > p["demography.youth_max_age"]:
            self.become(Resident)

    def become(self, cls: type) -> None:
        """Change role, keeping the object, its id and its history."""
        unique_id = self.unique_id
        self.model.deregister_agent(self)
        self.__class__ = cls
        self.model.register_agent(self)
        self.unique_id = unique_id

    # --- migration ----------------------------------------------------------

    def migrate(self) -> None:
        p, model = self.model.p, self.model
        start, length = p["migration.festival_month"], p["migration.festival_length"]
        if length > 0 and model.calendar == start and self.works_away:
            if self.random.random() < p["migration.festival_return"]:
                self.away = False
        if 0 < length < 12 and (model.calendar - start) % 12 == length and self.works_away:
            self.away = True
        opportunity = self.village.opportunity
        if self.works_away:
            hazard = min(p["migration.return_hazard"] * (1.0 + p["migration.return_effect"] * opportunity), 1.0)
            if self.random.random() < hazard:
                self.works_away = self.away = False
        elif self.age <= p["demography.youth_max_age"]:
            hazard = p["migration.leave_hazard"] * (1.0 - p["migration.opportunity_effect"] * opportunity)
            if isinstance(self, Member):
                hazard *= p["migration.member_leave_factor"]
            if self.random.random() < min(hazard, 1.0):
                self.works_away = True
                self.away = not (length > 0 and (model.calendar - start) % 12 < length)

    # --- service ------------------------------------------------------------

    def use_platform(self) -> None:
        p = self.model.p
        running = self.model.steps - max(p["interventions.digital.start"], 1)
        lasting = p["interventions.digital.lasting"]
        fresh = lasting + (1.0 - lasting) * (1.0 - p["interventions.digital.fatigue"]) ** max(running, 0)
        chance = p["interventions.digital.reach"] * self.model.intensity["digital"] * fresh
        if self.age >= ELDERLY_AGE:
            chance *= p["interventions.digital.elderly_skill"]
        self.online = self.digital and self.random.random() < chance
        self.gain = 0.0

    def receive_service(self) -> None:
        """Take this month's visits, maybe go to the venue, maybe raise an appeal."""
        p, village = self.model.p, self.village
        self.visited = self.gain > 0
        self.at_venue = False
        if self.present:
            near = self.hamlet == village.venue_hamlet
            chance = self.model.intensity["venue"] * p["interventions.venue.reach" if near else "interventions.venue.remote_reach"]
            if self.age >= ELDERLY_MOBILITY_AGE:
                chance *= p["interventions.venue.elderly_mobility"]
            self.at_venue = self.random.random() < chance
        contact = p["interventions.digital.contact_gain"] * self.online + p["interventions.venue.contact_gain"] * self.at_venue
        self.trust = clip01(self.trust + self.gain + contact)
        self.raised = (self.present or self.online) and self.random.random() < p["appeals.rate"]
        brought = self.present and self.random.random() < p["appeals.brought"]
        self.open = self.raised and (self.visited or self.online or self.at_venue or brought)
        self.resolved = False

    def settle_appeal(self, channel: str | None, share: dict) -> None:
        """Try this month's open appeal in ``channel`` (None: the members), where a ``share`` of them is resolved."""
        if self.open and (channel is None or getattr(self, channel)) and self.random.random() < share[self.village]:
            self.resolved, self.open = True, False
            self.village.handled += channel is None

    def close_appeal(self) -> None:
        p, village = self.model.p, self.village
        if not self.raised:
            return
        village.raised += 1
        if self.resolved:
            village.resolved += 1
            self.trust = clip01(self.trust + p["appeals.resolved_gain"] * (0.5 + 0.5 * village.quality))
        else:
            self.trust = clip01(self.trust - p["appeals.neglected_loss"])

    # --- participation --------------------------------------------------------

    def prepare_participation(self) -> None:
        p = self.model.p
        w = p["participation.trust_weight"]
        self.eligible = self.present
        self.own = w * self.trust
        seed = self.participating and self.random.random() < p["participation.habit"]
        self.participating = self.eligible and seed
        self.living = len(self.neighbours())

    def consider_joining(self) -> None:
        """One synchronous round of word of mouth: decide on last round's neighbours."""
        w = self.model.p["participation.trust_weight"]
        joined = sum(1 for other in self.neighbours() if other.participating)
        self.joins = self.own + (1.0 - w) * joined / max(self.living, 1) >= self.threshold

    # --- project ----------------------------------------------------------------

    def hear_of_project(self) -> None:
        p = self.model.p
        self.hears = False
        if self.aware or not self.village.in_campaign:
            return
        miss = 1.0 - p["project.outreach"]
        for other in self.neighbours():
            if other.aware:
                miss *= 1.0 - (p["project.news_prob_enrolled"] if other.enrolled else p["project.news_prob"])
        self.hears = self.random.random() < 1.0 - miss

    def enrol_logit(self) -> float:
        """Log-odds of enrolling: village propensity, member shift, trust, endorsement by informed neighbours."""
        p = self.model.p
        told = [other for other in self.neighbours() if other.aware]
        share = sum(1 for other in told if other.enrolled) / max(len(told), 1)
        return (self.village.propensity + p["project.member_shift"] * isinstance(self, Member)
                + p["project.trust_effect"] * (self.trust - 0.5) + p["project.endorsement"] * share)

    def consider_enrolling(self, logit: float) -> None:
        """Taken in on one of the village's places: decide once."""
        self.village.places -= 1
        self.decided = True
        self.enrolled = self.random.random() < 1.0 / (1.0 + math.exp(-logit))

    def project_news(self) -> None:
        p, village = self.model.p, self.village
        if village.project_failed_now:
            if self.aware:
                self.trust = clip01(self.trust - p["project.failure_loss"])
            self.enrolled = False
        if self.enrolled and village.project == VIABLE:
            self.trust = clip01(self.trust + p["project.viable_gain"])

    def relax(self) -> None:
        p = self.model.p
        self.trust += p["trust.relaxation"] * (p["trust.baseline"] - self.trust)


class Resident(Villager):
    """An adult over the youth age who is not a member."""


class Youth(Villager):
    """A young adult (18-40) who is not a member."""


class Member(Villager):
    """A Party member: attends organisational life, visits neighbours, leads participation."""

    @property
    def attends(self) -> bool:
        return self.present or self.online

    def attend_meeting(self) -> None:
        p, village = self.model.p, self.village
        ceiling = attainable_activity(self.age, p)
        renew = p["branch.activity_renewal"] * village.meeting * self.attends
        activity = self.activity + renew * (ceiling - self.activity) - p["branch.activity_decay"] * self.activity
        self.activity = min(max(activity, 0.0), ceiling)
        gain = p["interventions.training.capability_gain"] * self.model.intensity["training"]
        trained = self.attends * village.held * gain
        self.capability += trained * (1.0 - self.capability)

    def visit(self) -> None:
        if not self.present:
            return
        p = self.model.p
        substitution = p["interventions.digital.visit_substitution"] * self.model.intensity["digital"]
        visits = self.model.rng.poisson(p["outreach.visits_per_member"] * self.activity * (1.0 - substitution))
        cells = list(self.cell.neighborhood)
        for _ in range(visits if cells else 0):
            host = self.random.choice(cells).agents
            if host and host[0].present:
                host[0].gain += p["outreach.visit_trust_gain"] * self.capability

    def prepare_participation(self) -> None:
        super().prepare_participation()
        p = self.model.p
        self.own = p["participation.trust_weight"] * max(self.trust, self.activity)
        leads = self.present and self.activity >= p["branch.active_threshold"]
        self.participating = self.eligible and (self.participating or leads)


def attainable_activity(age: float, p: dict) -> float:
    return clip01(1.0 - p["branch.decline_rate"] * max(age - p["branch.decline_age"], 0.0))


class Village:
    """One village's branch and project (plain attributes)."""

    def __init__(self, index: int, venue_hamlet: int, p: dict):
        self.index, self.venue_hamlet = index, venue_hamlet
        self.regularity = p["branch.regularity"]
        self.meeting = self.strength = self.capacity = self.effort = self.quality = 0.0
        self.members = self.active = self.villagers = 0
        self.project, self.launched = WAITING, NEVER
        self.propensity, self.places, self.in_campaign = 0.0, 0, False
        self.opportunity = p["village.opportunity"]
        self.project_failed_now = False
        self.raised = self.resolved = self.handled = 0
        self.channels = {"online": 0.0, "at_venue": 0.0}

    def assess(self, people: list[Villager], p: dict) -> None:
        members = [a for a in people if isinstance(a, Member)]
        working = [a for a in members if a.present]
        self.effort = sum(a.activity * a.capability for a in working)
        activity_sum = sum(a.activity for a in working)
        self.members = len(members)
        self.quality = self.effort / activity_sum if activity_sum > 0 else 0.0
        self.strength = (self.effort / self.members if self.members else 0.0) * (0.5 + 0.5 * self.regularity)
        self.active = sum(1 for a in working if a.activity >= p["branch.active_threshold"])


class PlainVillage(mesa.Model):
    """The same village and rules as :class:`villagesim.VillageModel`, one Python object per person."""

    def __init__(self, params: dict | None = None, seed: int | None = None):
        super().__init__(rng=seed)
        self.p = p = resolve(dict(params or {}))
        layout = generate_layout(p, self.rng)
        adjacency = generate_ties(layout, p, self.rng)
        start = generate(layout, p, self.rng)
        adjacency = thin_member_ties(adjacency, layout.household, start.role == MEMBER, p["network.member_ties"], self.rng)
        graph = nx.Graph()
        graph.add_nodes_from(range(adjacency.shape[0]))
        graph.add_edges_from(zip(*adjacency.nonzero()))
        self.grid = Network(graph, random=self.random, layout=None)
        self.village_list = [Village(v, int(h), p) for v, h in enumerate(layout.venue_hamlet)]
        households: dict[int, list] = defaultdict(list)
        self.households = households
        kinds = {0: Resident, 1: Youth, MEMBER: Member}
        for i in range(adjacency.shape[0]):
            kinds[int(start.role[i])](
                self, self.grid._cells[i], self.village_list[int(start.village[i])], households[int(start.household[i])],
                int(start.hamlet[i]), age=float(start.age[i]), away=bool(start.away[i]),
                works_away=bool(start.works_away[i]), trust=float(start.trust[i]), digital=bool(start.digital[i]),
                threshold=float(start.threshold[i]), capability=float(start.capability[i]),
                activity=float(start.activity[i]), member_since=int(start.member_since[i]))
        self.relapses = 0
        self.cost = 0.0
        self.installed: set[str] = set()
        self.deaths: list[Villager] = []
        self.intensity = {name: 0.0 for name in INTERVENTIONS}
        self._assess()
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)

    # --- helpers -------------------------------------------------------------

    def people_of(self, village: Village) -> list[Villager]:
        return [a for a in self.agents if a.village is village]

    def _assess(self) -> None:
        by_village = defaultdict(list)
        for agent in self.agents:
            by_village[agent.village.index].append(agent)
        for village in self.village_list:
            village.villagers = len(by_village[village.index])
            village.assess(by_village[village.index], self.p)

    # --- the month --------------------------------------------------------------

    def step(self) -> None:
        p, month = self.p, self.steps
        self.calendar = (p["time.start_month"] - 1 + month - 1) % 12 + 1
        self.intensity = {name: p[f"interventions.{name}.intensity"] if month >= p[f"interventions.{name}.start"]
                          else 0.0 for name in INTERVENTIONS}
        self.demography()
        self.agents.shuffle_do("migrate")
        self.agents.shuffle_do("use_platform")
        self.organisational_life()
        self.agents_by_type[Member].shuffle_do("visit")
        for village in self.village_list:
            village.raised = village.resolved = village.handled = 0
        self.agents.shuffle_do("receive_service")
        self.settle_appeals()
        self.shocks()
        self.participation()
        self.project(month)
        if self.calendar == p["recruitment.admission_month"]:
            self.recruitment(month)
        self.agents.shuffle_do("relax")
        self._assess()
        new = [name for name in INTERVENTIONS if self.intensity[name] > 0 and name not in self.installed]
        self.installed.update(new)
        self.cost += (sum(self.intensity[name] * p[f"interventions.{name}.cost"] for name in INTERVENTIONS)
                      + sum(p[f"interventions.{name}.setup_cost"] for name in new)) * len(self.village_list)
        self.datacollector.collect(self)

    def run(self, months: int | None = None) -> None:
        for _ in range(self.p["time.months"] if months is None else months):
            self.step()

    def demography(self) -> None:
        p = self.p
        self.deaths = []
        self.agents.shuffle_do("age_and_die")
        for dead in self.deaths:
            cell, village, household, hamlet = dead.cell, dead.village, dead.household, dead.hamlet
            household.remove(dead)
            dead.remove()
            if self.random.random() < p["demography.renewal"]:
                # A household member comes of age and takes the place (and ties) of the dead.
                Youth(self, cell, village, household, hamlet, age=18.0,
                      trust=clip01(self.random.gauss(p["village.trust_mean"], p["village.trust_sd"])),
                      digital=self.random.random() < p["village.digital_young"],
                      threshold=clip01(self.random.gauss(p["participation.threshold_mean"], p["participation.threshold_sd"])),
                      capability=clip01(self.random.gauss(p["branch.capability_mean"], p["branch.capability_sd"])))
        for village in self.village_list:
            village.villagers = 0
        for agent in self.agents:
            agent.village.villagers += 1

    def organisational_life(self) -> None:
        p = self.p
        base = p["branch.regularity"]
        regular = base + p["interventions.standardization.regularity_gain"] * self.intensity["standardization"] * (1.0 - base)
        members = self.agents_by_type[Member]
        for village in self.village_list:
            mine = [m for m in members if m.village is village]
            attending = sum(1 for m in mine if m.attends)
            held = village.held = self.random.random() < regular
            quorate = attending >= p["branch.quorum"] * len(mine) and mine
            village.meeting = held * (1.0 if quorate else p["branch.formality_effect"])
            village.regularity = MEETING_MEMORY * village.regularity + (1.0 - MEETING_MEMORY) * village.meeting
        members.shuffle_do("attend_meeting")
        self._assess()
        for village in self.village_list:
            scale = village.villagers / REFERENCE_POPULATION
            village.capacity = p["branch.appeals_per_member"] * village.effort
            village.channels = {"online": scale * self.intensity["digital"] * p["interventions.digital.capacity"],
                                "at_venue": scale * self.intensity["venue"] * p["interventions.venue.capacity"]}

    def settle_appeals(self) -> None:
        """The platform's and the centre's users first, up to each one's capacity; then the members."""
        for channel in ("online", "at_venue", None):
            waiting = defaultdict(int)
            for agent in self.agents:
                if agent.open and (channel is None or getattr(agent, channel)):
                    waiting[agent.village] += 1
            room = {v: v.capacity if channel is None else v.channels[channel] for v in self.village_list}
            share = {v: min(1.0, room[v] / waiting[v]) if waiting[v] else 1.0 for v in self.village_list}
            self.agents.shuffle_do("settle_appeal", channel, share)
        self.agents.shuffle_do("close_appeal")

    def shocks(self) -> None:
        p = self.p
        for household in self.households.values():
            if not household or self.random.random() >= p["shocks.rate"]:
                continue
            village = household[0].village
            online = any(a.online for a in household)
            catch = min(p["shocks.monitoring"] * village.strength
                        + p["interventions.standardization.monitoring_gain"] * self.intensity["standardization"]
                        + p["interventions.digital.monitoring_gain"] * self.intensity["digital"] * online, 1.0)
            if self.random.random() < catch:
                change = p["shocks.caught_gain"]
            elif self.random.random() < p["shocks.relapse_prob"]:
                change = -p["shocks.relapse_loss"]
                self.relapses += 1
            else:
                continue
            for agent in household:
                agent.trust = clip01(agent.trust + change)

    def participation(self) -> None:
        self.agents.shuffle_do("prepare_participation")
        # Synchronous rounds of word of mouth among those who may still join;
        # those whose trust alone suffices join in the first round.
        waiting = self.agents.select(lambda a: a.eligible and not a.participating)
        rounds, limit = 0, self.p["participation.max_rounds"]
        while True:
            waiting.shuffle_do("consider_joining")
            joining = waiting.select(lambda a: a.joins)
            if not joining:
                break
            for agent in joining:
                agent.participating = True
            waiting = waiting.select(lambda a: not a.joins)
            rounds += 1
            if limit and rounds >= limit:
                break
        # Those away on the platform see their village's turnout at home.
        w = self.p["participation.trust_weight"]
        for village in self.village_list:
            home = [a for a in self.agents if a.village is village and a.present]
            turnout = sum(a.participating for a in home) / len(home) if home else 0.0
            for agent in self.agents:
                if agent.village is village and not agent.present and agent.online:
                    agent.participating = agent.own + (1.0 - w) * turnout >= agent.threshold

    def project(self, month: int) -> None:
        p = self.p
        launched = set()
        for village in self.village_list:
            if village.project == WAITING and month >= p["project.start"]:
                village.project, village.launched = RUNNING, month
                village.propensity = mean_propensity(p) + p["project.propensity_sd"] * self.random.gauss(0.0, 1.0)
                village.places = p["project.places"]
                launched.add(village.index)
            village.in_campaign = (village.project in (RUNNING, VIABLE)
                                   and month - village.launched < p["project.campaign"])
        for agent in self.agents:
            told = agent.village.index in launched and ((isinstance(agent, Member) and agent.present) or agent.participating)
            agent.aware |= told or (agent.village.in_campaign and agent.visited)
        # Members are taken in first, then the others in random order, while the village has places.
        deciding = [a for a in self.agents if a.village.in_campaign and a.aware and not a.decided
                    and (a.present or a.online)]
        self.random.shuffle(deciding)
        deciding.sort(key=lambda a: not isinstance(a, Member))
        logits = [agent.enrol_logit() for agent in deciding]  # on the states before this month's decisions
        for agent, logit in zip(deciding, logits):
            if agent.village.places > 0:
                agent.consider_enrolling(logit)
        self.agents.shuffle_do("hear_of_project")
        for agent in self.agents:
            agent.aware |= agent.hears
        enrolled = defaultdict(int)
        for agent in self.agents:
            enrolled[agent.village.index] += agent.enrolled
        for village in self.village_list:
            village.project_failed_now = False
            share = enrolled[village.index] / village.villagers if village.villagers else 0.0
            if village.project == RUNNING and share >= p["project.min_enrolment"]:
                village.project = VIABLE
            if village.project == RUNNING and month - village.launched >= p["project.deadline"]:
                village.project, village.project_failed_now = FAILED, True
        self.agents.shuffle_do("project_news")
        gain = p["project.opportunity_gain"] * p["project.potential"]
        for village in self.village_list:
            village.opportunity = min(p["village.opportunity"] + gain * (village.project == VIABLE), 1.0)

    def recruitment(self, month: int) -> None:
        p = self.p
        gain = 1.0 + p["interventions.recruitment.quota_gain"] * self.intensity["recruitment"]
        for village in self.village_list:
            people = self.people_of(village)
            members = sum(1 for a in people if isinstance(a, Member))
            slots = p["recruitment.quota"] * gain * members
            quota = math.floor(slots) + (self.random.random() < slots - math.floor(slots))
            activists = [a for a in people if not isinstance(a, Member) and a.activist_since != NEVER]
            ready = [a for a in activists if month - a.activist_since >= p["recruitment.probation_months"]]
            self.random.shuffle(ready)
            ready.sort(key=lambda a: a.trust, reverse=True)
            for agent in ready[:quota]:
                agent.become(Member)
                agent.member_since = month
                skill = clip01(self.random.gauss(p["recruitment.capability_mean"], p["branch.capability_sd"]))
                agent.capability = max(agent.capability, skill)
                agent.activity = 0.9 * attainable_activity(agent.age, p)
            need = max(math.ceil(p["recruitment.activists_per_slot"] * slots) - (len(activists) - min(quota, len(ready))), 0)
            candidates = [a for a in people if a.present and not isinstance(a, Member) and a.activist_since == NEVER
                          and a.participating and a.trust >= p["recruitment.min_trust"]
                          and a.age <= p["recruitment.max_age"]]
            for agent in self.random.sample(candidates, min(need, len(candidates))):
                agent.activist_since = month


def _share(model: PlainVillage, test, of=lambda a: True) -> float:
    pool = [a for a in model.agents if of(a)]
    return sum(1 for a in pool if test(a)) / len(pool) if pool else 0.0


REPORTERS = {
    "participation_rate": lambda m: _share(m, lambda a: a.participating, lambda a: a.present),
    "online_participation_rate": lambda m: _share(m, lambda a: a.participating, lambda a: not a.present),
    "project_uptake": lambda m: _share(m, lambda a: a.enrolled),
    "trust_mean": lambda m: sum(a.trust for a in m.agents) / len(m.agents) if len(m.agents) else 0.0,
    "active_members": lambda m: sum(v.active for v in m.village_list),
    "youth_present_share": lambda m: _share(m, lambda a: a.present, lambda a: isinstance(a, Youth)),
    "members_mean_age": lambda m: (sum(a.age for a in m.agents if isinstance(a, Member))
                                   / max(sum(1 for a in m.agents if isinstance(a, Member)), 1)),
    "appeals_resolved_rate": lambda m: (sum(v.resolved for v in m.village_list)
                                        / max(sum(v.raised for v in m.village_list), 1)),
    "capacity_used": lambda m: (sum(v.handled for v in m.village_list)
                                / max(sum(v.capacity for v in m.village_list), 1e-12)),
    "relapse_count": lambda m: m.relapses,
    "cost_cumulative": lambda m: m.cost,
    "present_share": lambda m: _share(m, lambda a: a.present),
    "members": lambda m: sum(1 for a in m.agents if isinstance(a, Member)),
    "activists": lambda m: sum(1 for a in m.agents if not isinstance(a, Member) and a.activist_since != NEVER),
    "branch_strength": lambda m: sum(v.strength for v in m.village_list) / len(m.village_list),
    "project_viable": lambda m: sum(v.project == VIABLE for v in m.village_list) / len(m.village_list),
}
