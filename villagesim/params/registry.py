"""Parameters: one typed, documented registry addressed by dotted keys.

Every model rule reads its numbers from here. Each parameter has a type, a
unit, a default, an allowed range and a source (a published figure from
``calibration-facts.md`` or the word "assumption"). TOML presets, ``--set``,
sweep specs and the browser controls all use these dotted keys, and all
validation of user-supplied values happens in :func:`resolve`.

Examples
--------
>>> params = resolve({"interventions.training.intensity": 0.6})
>>> params["interventions.training.intensity"]
0.6
>>> resolve({"village.population": -3})
Traceback (most recent call last):
...
villagesim.errors.InputError: village.population: must be an integer in [1, 2000000], got -3
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from villagesim.errors import InputError

NBS = "NBS 农民工监测调查报告 2024"
ORG = "中组部 党内统计公报 2023"
RULES = "党章; 中国共产党支部工作条例（试行）"
CNNIC = "CNNIC 中国互联网络发展状况统计报告"
TRAINING = "中国共产党党员教育管理工作条例 2019; 全国党员教育培训工作规划 2019-2023, 2024-2028"
BUDGET = "assumption; a village's whole running budget is 9-11 万元/year (山东 minimum 2017-2021)"
ASSUMED = "assumption"
BCDJ_FIT = "fitted on 19 villages of Banerjee et al. 2013 (ODD 7.11, docs/validation.md)"
BCDJ_PUB = "Banerjee et al. 2013: no significant endorsement effect (ODD 7.11)"


@dataclass(frozen=True)
class Param:
    """One model parameter: its key, type, default, range, unit and source."""

    key: str
    default: Any
    lo: float | None
    hi: float | None
    unit: str
    source: str
    doc: str
    plausible: tuple[float, float] | None = None
    """Plausible range of an assumed value: the axes of robust plans and of scenario discovery."""
    declared_status: str = ""
    """"sourced", "bounded" (by a source) or "assumed"; empty: "assumed" if the source is an assumption, else "sourced"."""

    @property
    def status(self) -> str:
        """How the value is known: sourced, bounded by a source, or assumed (see :data:`STATUSES`)."""
        if self.declared_status:
            return self.declared_status
        return "assumed" if self.source.startswith("assumption") else "sourced"

    @property
    def kind(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "a file path or empty"
        noun = "an integer" if self.kind is int else "a number"
        return f"{noun} in [{_fmt(self.lo)}, {_fmt(self.hi)}]"

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise InputError."""
        kind = self.kind
        if kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise InputError(f"{self.key}: must be {self.allowed()}, got {value!r}")
        if kind is str:
            if isinstance(value, str):
                return value
            raise InputError(f"{self.key}: must be {self.allowed()}, got {value!r}")
        number = _to_number(value, integer=kind is int)
        if number is None or not (self.lo <= number <= self.hi):
            raise InputError(f"{self.key}: must be {self.allowed()}, got {_show(value)}")
        return number


def _fmt(x: float | None) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _to_number(value: Any, integer: bool) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        return None
    if integer:
        return int(value) if float(value).is_integer() else None
    return float(value)


STATUSES = {"sourced": "sourced", "bounded": "bounded by a source", "assumed": "assumed", "input": "the user's choice"}
"""A parameter's status, as the ODD's table words it: a value from a source, one a source bounds, an assumption
(with a plausible range where it may move a result), or a choice the user makes (a path's effort, a file)."""


def _p(key, default, lo, hi, unit, source, doc, plausible=None, status="") -> Param:
    return Param(key, default, lo, hi, unit, source, doc, plausible, status)


INTERVENTIONS = ("standardization", "training", "venue", "digital", "recruitment")

# fmt: off
PARAMS: tuple[Param, ...] = (
    # --- time -------------------------------------------------------------
    _p("time.months", 120, 0, 100_000, "months", ASSUMED, "Default run length (one step is one month)."),
    _p("time.start_month", 1, 1, 12, "calendar month", ASSUMED, "Calendar month of step 1 (1 = January)."),
    # --- village ----------------------------------------------------------
    _p("village.population", 1500, 1, 2_000_000, "adults", ASSUMED, "Registered adults (18+) per village, at home or away."),
    _p("village.household_size", 2.5, 1.0, 20.0, "adults", ASSUMED, "Mean adults per household (geometric sizes, at least 1)."),
    _p("village.hamlets", 6, 1, 10_000, "hamlets", ASSUMED, "Natural villages (自然村) per administrative village."),
    _p("village.youth_share", 0.30, 0.0, 1.0, "share of adults", ASSUMED, "Adults aged 18-40 at the start."),
    _p("village.elderly_share", 0.32, 0.0, 1.0, "share of adults", ASSUMED, "Adults aged 60+ at the start (rural branches are older than the national average)."),
    _p("village.opportunity", 0.2, 0.0, 1.0, "index", ASSUMED, "Local economic opportunity before any project (0 none, 1 as good as the city)."),
    _p("village.digital_young", 0.9, 0.0, 1.0, "share", CNNIC + " 56th (June 2025, Xinhua 21 July 2025): rural internet penetration 69.2% (all ages; 57.6% in Dec 2021, 49th); 0.68 x 0.9 + 0.32 x 0.35 = 0.72 of rural adults", "Share of adults under 60 with a smartphone and the skill to use the platform: the ceiling of their monthly use.", (0.7, 0.95), "bounded"),
    _p("village.digital_elderly", 0.35, 0.0, 1.0, "share", CNNIC + " 56th (June 2025, Xinhua 21 July 2025): 52% of people aged 60+ online nationally (43.2% in Dec 2021, 49th); rural lower (assumption)", "Share of adults 60+ with digital access (the digital divide): the ceiling of their monthly use.", (0.2, 0.52), "bounded"),
    _p("village.trust_mean", 0.5, 0.0, 1.0, "index", ASSUMED, "Mean initial trust in the branch."),
    _p("village.trust_sd", 0.15, 0.0, 1.0, "index", ASSUMED, "Standard deviation of initial trust."),
    # --- network ----------------------------------------------------------
    _p("network.nodes", "", None, None, "path", "user data", "Node CSV of a real network (id, optional role, age, household, hamlet, away).", None, "input"),
    _p("network.edges", "", None, None, "path", "user data", "Edge CSV of a real network (first two columns are node ids).", None, "input"),
    _p("network.neighbour_households", 4, 0, 100, "households", ASSUMED, "Neighbouring households each household is tied to inside its hamlet (ring lattice)."),
    _p("network.kin_ties", 1.5, 0.0, 50.0, "ties/person", ASSUMED, "Mean extra kin ties per person to random people of the same hamlet."),
    _p("network.bridge_ties", 0.15, 0.0, 20.0, "ties/person", ASSUMED, "Mean ties per person to people of other hamlets."),
    _p("network.member_ties", 1.0, 0.0, 1.0, "share", ASSUMED, "Share of the founding members' ties outside their households kept (1: as anyone's; lower: members with few ties among the villagers, seed §3.2)."),
    # --- region -----------------------------------------------------------
    _p("region.villages", 1, 1, 100_000, "villages", ASSUMED, "Villages simulated together (township or county); each has its own branch and network."),
    _p("region.village_ties", 0.02, 0.0, 5.0, "ties/person", ASSUMED, "Mean ties per person to people of the next village along the road."),
    # --- demography -------------------------------------------------------
    _p("demography.mortality_60", 0.008, 0.0, 1.0, "per year", ASSUMED, "Annual death probability at age 60 (Gompertz level; approximates rural life tables)."),
    _p("demography.mortality_slope", 0.09, 0.0, 0.5, "per year of age", ASSUMED, "Gompertz slope: mortality rises by exp(slope) per year of age."),
    _p("demography.renewal", 0.7, 0.0, 1.0, "share of deaths", ASSUMED, "Share of deaths replaced by an 18-year-old of the same household coming of age."),
    _p("demography.youth_max_age", 40, 18, 80, "years", "assumption (18-40)", "Oldest age counted as youth; older youth become residents."),
    _p("demography.digital_loss", 0.04, 0.0, 1.0, "per year", ASSUMED, "Yearly chance that a person aged 60+ loses digital access."),
    # --- migration --------------------------------------------------------
    _p("migration.leave_hazard", 0.012, 0.0, 1.0, "per month", ASSUMED, "Monthly hazard that a present young person leaves to work away, at zero opportunity."),
    _p("migration.opportunity_effect", 0.8, 0.0, 1.0, "share", ASSUMED, "Proportional cut in the leave hazard at full local opportunity."),
    _p("migration.return_hazard", 0.003, 0.0, 1.0, "per month", ASSUMED, "Monthly hazard that someone away returns for good, at zero opportunity."),
    _p("migration.return_effect", 3.0, 0.0, 50.0, "multiplier", ASSUMED, "Return hazard is multiplied by 1 + effect x opportunity."),
    _p("migration.initial_away_youth", 0.6, 0.0, 1.0, "share", NBS + ": 178.71 of 299.73 million work away (59.6%)", "Share of young people away at the start."),
    _p("migration.initial_away_middle", 0.25, 0.0, 1.0, "share", ASSUMED, "Share of adults aged 41-59 away at the start."),
    _p("migration.member_leave_factor", 0.7, 0.0, 5.0, "multiplier", ASSUMED, "Leave hazard of young members relative to other youth (青壮年党员外出务工)."),
    _p("migration.festival_month", 1, 1, 12, "calendar month", NBS + " (January-February)", "First month of the Spring Festival return."),
    _p("migration.festival_length", 2, 0, 12, "months", NBS + " (January-February)", "Months those away stay home for the festival."),
    _p("migration.festival_return", 0.8, 0.0, 1.0, "share", ASSUMED, "Share of those away who come home for the Spring Festival."),
    # --- branch -----------------------------------------------------------
    _p("branch.member_share", 0.035, 0.0, 1.0, "share of adults", ORG + ": 26.075 million farmer members / 488,959 villages = 53 per village", "Party members among adults at the start."),
    _p("branch.member_elderly_share", 0.45, 0.0, 1.0, "share of members", ORG + ": 28.1% aged 61+ nationally; rural branches older (assumption 45%)", "Members aged 60+ at the start.", None, "bounded"),
    _p("branch.member_young_share", 0.2, 0.0, 1.0, "share of members", ORG + ": 34.8% aged 40 or under nationally; rural lower (assumption)", "Members aged 40 or under at the start.", None, "bounded"),
    _p("branch.capability_mean", 0.5, 0.0, 1.0, "index", ASSUMED, "Mean capability (skills, education, policy knowledge) of members."),
    _p("branch.capability_sd", 0.15, 0.0, 1.0, "index", ASSUMED, "Standard deviation of member capability."),
    _p("branch.regularity", 0.6, 0.0, 1.0, "probability", RULES + " (三会一课 monthly; regularity assumed)", "Chance per month that organisational life is held as prescribed.", None, "bounded"),
    _p("branch.quorum", 0.5, 0.0, 1.0, "share of members", RULES + " (a members' meeting needs more than half of the members)", "Share of members present below which a meeting is a formality (凑人数、走过场)."),
    _p("branch.formality_effect", 0.3, 0.0, 1.0, "share", ASSUMED, "Effect of a meeting held without quorum, relative to a proper one."),
    _p("branch.activity_renewal", 0.06, 0.0, 1.0, "per month", ASSUMED, "Share of the gap to full activity closed by an effective meeting.", (0.03, 0.12)),
    _p("branch.activity_decay", 0.02, 0.0, 1.0, "per month", ASSUMED, "Share of activity lost each month without renewal."),
    _p("branch.decline_age", 60.0, 18.0, 120.0, "years", ASSUMED, "Age from which members' attainable activity falls."),
    _p("branch.decline_rate", 0.025, 0.0, 1.0, "per year", ASSUMED, "Fall in attainable activity per year of age past decline_age."),
    _p("branch.active_threshold", 0.4, 0.0, 1.0, "activity", ASSUMED, "Activity at which a present member counts as active."),
    _p("branch.appeals_per_member", 3.0, 0.0, 1000.0, "appeals/month", ASSUMED, "Appeals one fully active, fully capable member resolves per month.", (1.5, 6.0)),
    # --- outreach and service ----------------------------------------------
    _p("outreach.visits_per_member", 8.0, 0.0, 1000.0, "visits/month", ASSUMED, "Visits to network neighbours (走村串户) by a fully active, capable member.", (4.0, 12.0)),
    _p("outreach.visit_trust_gain", 0.03, 0.0, 1.0, "trust", ASSUMED, "Trust gained from one visit by a fully capable member.", (0.015, 0.05)),
    _p("appeals.rate", 0.08, 0.0, 1.0, "per person-month", ASSUMED, "Chance a person raises an appeal (诉求) in a month.", (0.03, 0.15)),
    _p("appeals.brought", 0.3, 0.0, 1.0, "share", ASSUMED + "; no published rate found", "Chance a person at home brings an appeal the branch did not hear to it themselves (a cadre's home, a meeting, the committee's office).", (0.1, 0.6)),
    _p("appeals.resolved_gain", 0.06, 0.0, 1.0, "trust", ASSUMED, "Trust gained when one's appeal is resolved (scaled by resolvers' capability).", (0.03, 0.1)),
    _p("appeals.neglected_loss", 0.03, 0.0, 1.0, "trust", ASSUMED, "Trust lost when one's appeal goes unheard or unresolved.", (0.015, 0.05)),
    _p("trust.baseline", 0.45, 0.0, 1.0, "index", ASSUMED, "Level trust relaxes to without contact.", (0.35, 0.55)),
    _p("trust.relaxation", 0.01, 0.0, 1.0, "per month", ASSUMED, "Share of the gap to baseline closed each month (trust's memory: a half-life of ln 2 / relaxation months, 69 at 0.01, 14-139 over the plausible range).", (0.005, 0.05)),
    # --- participation ------------------------------------------------------
    _p("participation.threshold_mean", 0.5, 0.0, 1.0, "index", "Granovetter 1978 (form); level assumed", "Mean individual threshold.", (0.4, 0.6), "assumed"),
    _p("participation.threshold_sd", 0.2, 0.0, 1.0, "index", ASSUMED, "Standard deviation of thresholds."),
    _p("participation.trust_weight", 0.5, 0.0, 1.0, "weight", ASSUMED, "Weight of own trust against neighbours' participation; 0 gives the pure threshold rule.", (0.3, 0.7)),
    _p("participation.habit", 0.5, 0.0, 1.0, "share", ASSUMED, "Chance last month's participant starts this month's cascade unprompted; 0 with trust_weight 0 is the pure threshold rule.", (0.3, 0.7)),
    _p("participation.max_rounds", 0, 0, 100_000, "rounds", ASSUMED, "Rounds of word of mouth per month; 0 runs the cascade to its end."),
    # --- project -----------------------------------------------------------
    _p("project.start", 12, 0, 100_000, "month", ASSUMED, "Month the branch launches the collective project."),
    _p("project.potential", 0.5, 0.0, 1.0, "index", ASSUMED, "Economic potential of the project (tourism high)."),
    _p("project.campaign", 6, 1, 100_000, "months", ASSUMED, "Months after launch during which news spreads and the informed decide (the campaign)."),
    _p("project.news_prob", 0.017, 0.0, 1.0, "per tie-month", BCDJ_FIT, "Chance an informed person who did not enrol tells a given neighbour in a month of the campaign."),
    _p("project.news_prob_enrolled", 0.85, 0.0, 1.0, "per tie-month", BCDJ_FIT, "Chance an enrolled person tells a given neighbour in a month of the campaign."),
    _p("project.outreach", 0.23, 0.0, 1.0, "per month", BCDJ_FIT, "Chance a person hears of the project from the campaign itself in a month, without a tie."),
    _p("project.outreach_ramp", 0.0, 0.0, 100_000.0, "months", ASSUMED, "Months over which the campaign's own outreach rises linearly from 0 at launch to project.outreach; 0 = full strength from launch. Fitted only to adoption over time (a cross-section cannot see it).", (0.0, 120.0)),
    _p("project.propensity", -1.58, -20.0, 20.0, "logit", BCDJ_FIT, "Village-level propensity of an informed non-member to enrol (log-odds), mean over villages."),
    _p("project.propensity_sd", 0.67, 0.0, 5.0, "logit", BCDJ_FIT, "Standard deviation of the village propensity across villages (log-odds)."),
    _p("project.potential_effect", 2.0, 0.0, 10.0, "logit per unit potential", ASSUMED, "Log-odds added to the village propensity per unit of project potential above 0.5 (the fitted propensity is for an ordinary project).", (0.0, 4.0)),
    _p("project.member_shift", -0.2, -5.0, 5.0, "logit", BCDJ_FIT, "Added to a member's log-odds of enrolling (members are the data's leaders)."),
    _p("project.trust_effect", 2.0, 0.0, 20.0, "logit per unit trust", ASSUMED, "Log-odds of enrolling gained per unit of trust above 0.5 (own characteristics)."),
    _p("project.endorsement", 0.0, -10.0, 10.0, "logit", BCDJ_PUB, "Log-odds added per unit enrolled share of a person's informed neighbours; 0 = no endorsement effect."),
    _p("project.reconsider", 0.0, 0.0, 1.0, "per month", ASSUMED, "Chance an informed person who declined decides again in a month of the campaign; 0 = one decision, as in Banerjee et al. (adoption over years prefers more: docs/validation.md)."),
    _p("project.places", 1000, 0, 100_000_000, "people per village", ASSUMED, "People the project can take in for a decision per village over its campaign (limited places; the 19 villages' fit: 154 per about 230 households)."),
    _p("project.min_enrolment", 0.12, 0.0, 1.0, "share of adults", ASSUMED, "Enrolment the project needs to be viable."),
    _p("project.deadline", 36, 1, 100_000, "months", ASSUMED, "Months after launch by which the project must be viable or fail."),
    _p("project.viable_gain", 0.01, 0.0, 1.0, "trust/month", ASSUMED, "Monthly trust gain of the enrolled in a viable project (三感)."),
    _p("project.failure_loss", 0.15, 0.0, 1.0, "trust", ASSUMED, "Trust lost by the aware when the project fails (落地不生根)."),
    _p("project.opportunity_gain", 0.6, 0.0, 1.0, "index", ASSUMED, "Rise in local opportunity from a viable project at full potential."),
    # --- shocks ------------------------------------------------------------
    _p("shocks.rate", 0.008, 0.0, 1.0, "per household-month", ASSUMED, "Chance a household suffers illness, disaster or a market shock."),
    _p("shocks.relapse_prob", 0.5, 0.0, 1.0, "probability", ASSUMED, "Chance an uncaught shock pushes the household back into poverty (返贫)."),
    _p("shocks.monitoring", 0.3, 0.0, 1.0, "probability", ASSUMED, "Chance a full-strength branch catches a shock early (动态监测)."),
    _p("shocks.relapse_loss", 0.10, 0.0, 1.0, "trust", ASSUMED, "Trust lost by each member of a relapsed household."),
    _p("shocks.caught_gain", 0.05, 0.0, 1.0, "trust", ASSUMED, "Trust gained by each member of a household helped in time."),
    # --- recruitment -------------------------------------------------------
    _p("recruitment.quota", 0.03, 0.0, 1.0, "per member-year", "中组部: 4.383 million admitted in 2021 of 96.7 million (4.5%); rural lower", "Yearly admissions allowed per existing member.", None, "bounded"),
    _p("recruitment.activists_per_slot", 2.4, 0.0, 100.0, "activists", ORG + ": 10.547 million activists for 4.383 million yearly admissions (2.4)", "Activists the branch keeps in training per yearly admission slot."),
    _p("recruitment.min_trust", 0.55, 0.0, 1.0, "trust", ASSUMED, "Least trust for an activist (入党积极分子)."),
    _p("recruitment.max_age", 45, 18, 120, "years", ASSUMED, "Oldest age at which the branch picks activists."),
    _p("recruitment.probation_months", 12, 0, 600, "months", RULES + " (at least a year)", "Months an activist is trained and observed before admission."),
    _p("recruitment.admission_month", 7, 1, 12, "calendar month", ASSUMED, "Calendar month of the yearly admission (around 1 July)."),
    _p("recruitment.capability_mean", 0.6, 0.0, 1.0, "index", ASSUMED, "Mean capability of newly admitted (younger, better educated) members."),
    # --- interventions (section 4 of the seed paper) ------------------------
    *(
        p
        for name in INTERVENTIONS
        for p in (
            _p(f"interventions.{name}.intensity", 0.0, 0.0, 1.0, "share of full effort", "seed §4", f"Effort put into the {name} path (0 none, 1 full).", None, "input"),
            _p(f"interventions.{name}.start", 0, 0, 100_000, "month", ASSUMED, f"Month the {name} path begins.", None, "input"),
        )
    ),
    # Costs per village (万元): set-up once when a path is first switched on, then per month times intensity.
    _p("interventions.standardization.setup_cost", 1.0, 0.0, 10_000.0, "万元", ASSUMED, "Set-up: written procedures, ledgers, a secretary's training in them.", (0.5, 3.0)),
    _p("interventions.standardization.cost", 0.1, 0.0, 1000.0, "万元/month", BUDGET, "Running cost at full intensity (materials, the cadres' time for the full 三会一课 schedule).", (0.05, 0.3)),
    _p("interventions.standardization.regularity_gain", 1.0, 0.0, 1.0, "share", RULES + ": 支委会 and 党小组会 monthly, 党员大会 and 党课 quarterly; the gain is assumed", "Share of the gap to the full monthly schedule of organisational life closed at full intensity.", (0.5, 1.0), "assumed"),
    _p("interventions.standardization.monitoring_gain", 0.3, 0.0, 1.0, "probability", ASSUMED, "Added shock-catching chance from written monitoring procedures.", (0.1, 0.5)),
    _p("interventions.training.setup_cost", 0.5, 0.0, 10_000.0, "万元", ASSUMED, "Set-up: a course plan and trainers (county Party school).", (0.2, 2.0)),
    _p("interventions.training.cost", 0.5, 0.0, 1000.0, "万元/month", TRAINING + ": 56 学时/year for branch cadres (32 for members); 53 members x 56 学时 x 20 元 [10, 30] / 12 months", "Running cost at full intensity.", (0.25, 0.75), "bounded"),
    _p("interventions.training.capability_gain", 0.03, 0.0, 1.0, "per month", TRAINING + " (full intensity: 56 学时 per member-year, 4.7 a month); the gain is assumed", "Share of the gap to full capability closed per month of full training.", (0.01, 0.06), "assumed"),
    _p("interventions.venue.setup_cost", 20.0, 0.0, 10_000.0, "万元", "assumption; a 300-500 m² 党群服务中心 with a service hall of at least 50 m² (a prefecture's 2019 upgrade standard)", "Set-up: upgrading the service centre (提档升级).", (10.0, 60.0)),
    _p("interventions.venue.cost", 0.3, 0.0, 1000.0, "万元/month", BUDGET, "Running cost at full intensity (staff on duty, upkeep).", (0.15, 0.6)),
    _p("interventions.venue.reach", 0.5, 0.0, 1.0, "probability", ASSUMED, "Monthly chance a present person of the venue's hamlet uses the service centre.", (0.3, 0.7)),
    _p("interventions.venue.remote_reach", 0.2, 0.0, 1.0, "probability", ASSUMED, "Same for people of other hamlets.", (0.1, 0.35)),
    _p("interventions.venue.elderly_mobility", 0.5, 0.0, 1.0, "multiplier", ASSUMED, "Reach of people aged 70+ relative to others.", (0.3, 0.8)),
    _p("interventions.venue.contact_gain", 0.003, 0.0, 1.0, "trust", ASSUMED + " (about what visits bring a villager in a month)", "Trust gained by a visitor of the service centre in a month.", (0.001, 0.008)),
    _p("interventions.venue.capacity", 20.0, 0.0, 10_000.0, "appeals/month", ASSUMED, "Appeals of its visitors the service centre resolves per month at full intensity (per 1,500 adults).", (10.0, 40.0)),
    _p("interventions.digital.setup_cost", 3.0, 0.0, 10_000.0, "万元", ASSUMED, "Set-up: the platform, a screen at the branch, the cadres' training.", (1.0, 10.0)),
    _p("interventions.digital.cost", 0.15, 0.0, 1000.0, "万元/month", BUDGET, "Running cost at full intensity (service fees, an operator's allowance).", (0.05, 0.4)),
    _p("interventions.digital.reach", 0.4, 0.0, 1.0, "probability", ASSUMED, "Monthly chance a person under 60 with digital access uses the platform (at home or away).", (0.2, 0.6)),
    _p("interventions.digital.elderly_skill", 0.5, 0.0, 1.0, "multiplier", CNNIC + " 49th: of netizens 60+, 52.1% buy daily goods and 46.2% search for information on their own", "Reach of a person 60+ with digital access relative to a younger one.", (0.46, 0.7), "bounded"),
    _p("interventions.digital.contact_gain", 0.0015, -1.0, 1.0, "trust", "assumption; the sign is disputed: Zhao et al. 2025 (CRRS 2020) find village WeChat groups associated with higher political trust, Wei and Lu 2023 (CFPS 2018) internet use with lower trust in local government; both cross-sectional", "Trust gained (lost, if negative) by a platform user in a month (党务村务公开, replies online); the default is the middle of its plausible range.", (-0.003, 0.006)),
    _p("interventions.digital.fatigue", 0.02, 0.0, 1.0, "per month", "assumption; use wanes without effort to keep it up: central opinions against 指尖上的形式主义 (2023), Sichuan closing or merging over 10,000 government apps and accounts (2024)", "Share of the gap between the platform's use and the use that lasts closed each month after its first.", (0.0, 0.05)),
    _p("interventions.digital.lasting", 0.6, 0.0, 1.0, "share", ASSUMED, "Share of the platform's first-month use that lasts once the novelty has worn off (1: no fatigue).", (0.3, 1.0)),
    _p("interventions.digital.capacity", 10.0, 0.0, 10_000.0, "appeals/month", ASSUMED, "Appeals of its users resolved online per month at full intensity (per 1,500 adults); the rest go to the members.", (5.0, 20.0)),
    _p("interventions.digital.monitoring_gain", 0.3, 0.0, 1.0, "probability", ASSUMED, "Added shock-catching chance from online reporting.", (0.1, 0.5)),
    _p("interventions.digital.visit_substitution", 0.3, 0.0, 1.0, "share", "seed §4.4 (digital divide; assumption)", "Share of members' visiting time moved to the platform at full intensity.", (0.1, 0.5), "assumed"),
    _p("interventions.recruitment.setup_cost", 0.3, 0.0, 10_000.0, "万元", ASSUMED, "Set-up: an activists' training course.", (0.1, 1.0)),
    _p("interventions.recruitment.cost", 0.1, 0.0, 1000.0, "万元/month", "中国共产党发展党员工作细则 (a candidate's training: at least 3 days or 24 学时); cost assumed", "Running cost at full intensity.", (0.05, 0.3), "assumed"),
    _p("interventions.recruitment.quota_gain", 1.0, 0.0, 100.0, "multiplier", ORG + ": 4.5% of members admitted in 2021; at gain 1 a rural quota of 3% becomes 6%", "Yearly quota and activist pool are multiplied by 1 + gain x intensity.", (0.5, 1.5), "bounded"),
)
# fmt: on

MAX_PEOPLE = 2_000_000
"""Most adults in a region (villages x population): about 1 GB of model state, far above any county."""

REGISTRY: dict[str, Param] = {p.key: p for p in PARAMS}
DEFAULTS: dict[str, Any] = {p.key: p.default for p in PARAMS}
KINDS = (bool, int, float, str)


class Registry:
    """The parameters a model knows: :data:`PARAMS`, with extensions' parameters layered over them.

    A view: it never changes :data:`REGISTRY`, so two models (or two tests)
    in one process with different extensions never see each other's keys.
    ``extra`` is checked like the base registry's entries (a new dotted
    key, a type, a default inside its range, a unit and a source).

    >>> from villagesim.params import Param
    >>> extra = Param("secretary.term", 24, 0, 120, "months", "assumption", "Term length.")
    >>> view = Registry([extra])
    >>> view.resolve({"secretary.term": 36})["secretary.term"], "secretary.term" in REGISTRY
    (36, False)
    >>> Registry([extra, extra])
    Traceback (most recent call last):
    ...
    villagesim.errors.InputError: secretary.term: declared twice
    """

    def __init__(self, extra=()):
        self.params: tuple[Param, ...] = (*PARAMS, *extra)
        self.extra: tuple[Param, ...] = tuple(extra)
        self.by_key: dict[str, Param] = dict(REGISTRY)
        for param in self.extra:
            _check_declared(param)
            if param.key in self.by_key:
                raise InputError(f"{param.key}: " + ("a model parameter already has this key" if param.key in REGISTRY
                                                     else "declared twice"))
            self.by_key[param.key] = param
        self.defaults: dict[str, Any] = {p.key: p.default for p in self.params}

    def lookup(self, key: str) -> Param:
        """The :class:`Param` for ``key``, or an InputError naming the nearest keys."""
        try:
            return self.by_key[key]
        except KeyError:
            raise InputError(f"{key}: unknown parameter; {_hint(key, self.by_key)}") from None

    def resolve(self, overrides: dict[str, Any] | None = None, base: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults, then ``base``, then ``overrides``, each checked; returns a full dict.

        Raises :class:`InputError` for an unknown key, a value of the wrong type
        or outside its range, or an inconsistent combination.
        """
        params = dict(self.defaults if base is None else base)
        for key, value in (overrides or {}).items():
            params[key] = self.lookup(key).check(value)
        _check_consistent(params)
        return params

    def parse_assignment(self, text: str) -> tuple[str, Any]:
        """Split one ``--set KEY=VALUE`` into a key and a value of the key's type.

        >>> BASE.parse_assignment("interventions.training.intensity=0.6")
        ('interventions.training.intensity', 0.6)
        """
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--set {text!r}: must look like KEY=VALUE, e.g. interventions.training.intensity=0.6")
        return key, self.lookup(key).check(raw.strip())


def _check_declared(param: Any) -> None:
    """Refuse a declared parameter that the registry's own entries could not be."""
    if not isinstance(param, Param):
        raise InputError(f"{param!r}: a parameter must be a villagesim.params.Param")
    key = param.key
    if not (isinstance(key, str) and "." in key and all(part.isidentifier() for part in key.split("."))):
        raise InputError(f"{key!r}: a parameter key must be dotted names, e.g. secretary.term")
    if type(param.default) not in KINDS:
        raise InputError(f"{key}: default must be a bool, int, float or str, got {param.default!r}")
    if param.declared_status and param.declared_status not in STATUSES:
        raise InputError(f"{key}: status must be one of {', '.join(STATUSES)} (or left out), got {param.declared_status!r}")
    for name in ("unit", "source", "doc"):
        if not isinstance(getattr(param, name), str) or not getattr(param, name).strip():
            raise InputError(f"{key}: {name} must be a non-empty string (the source: a citation or 'assumption')")
    if param.kind in (int, float):
        bounds = (param.lo, param.hi)
        if not all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds) \
                or param.lo > param.hi:
            raise InputError(f"{key}: lo and hi must be finite numbers with lo <= hi, got {param.lo!r}, {param.hi!r}")
        if param.kind is int and not all(float(b).is_integer() for b in bounds):
            raise InputError(f"{key}: an integer parameter needs integer lo and hi, got {param.lo!r}, {param.hi!r}")
        if not param.lo <= param.default <= param.hi:
            raise InputError(f"{key}: default {param.default!r} is outside its range [{param.lo}, {param.hi}]")
    elif param.lo is not None or param.hi is not None:
        raise InputError(f"{key}: a {param.kind.__name__} parameter has no range (lo and hi must be None)")


BASE = Registry()
"""The model's own parameters, without extensions."""


def lookup(key: str) -> Param:
    """The :class:`Param` for ``key`` in the base registry (see :meth:`Registry.lookup`)."""
    return BASE.lookup(key)


def _hint(key: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    section = key.split(".")[0]
    keys = [k for k in known if k.startswith(section + ".")]
    if keys:
        return "known keys here: " + ", ".join(keys[:8]) + (" ..." if len(keys) > 8 else "")
    return "see `villagesim params` for the list"


def resolve(overrides: dict[str, Any] | None = None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``base``, then ``overrides``, each checked, in the base registry
    (see :meth:`Registry.resolve`)."""
    return BASE.resolve(overrides, base)


def _check_consistent(p: dict[str, Any]) -> None:
    if p["village.youth_share"] + p["village.elderly_share"] > 1.0:
        raise InputError(
            "village.youth_share + village.elderly_share: must not exceed 1, got "
            f"{p['village.youth_share']} + {p['village.elderly_share']}"
        )
    if p["branch.member_young_share"] + p["branch.member_elderly_share"] > 1.0:
        raise InputError(
            "branch.member_young_share + branch.member_elderly_share: must not exceed 1, got "
            f"{p['branch.member_young_share']} + {p['branch.member_elderly_share']}"
        )
    if p["region.villages"] * p["village.population"] > MAX_PEOPLE:
        raise InputError(
            f"region.villages x village.population: must not exceed {MAX_PEOPLE}, got "
            f"{p['region.villages']} x {p['village.population']}"
        )
    if bool(p["network.nodes"]) != bool(p["network.edges"]):
        raise InputError("network.nodes and network.edges: give both files or neither")
    if p["network.nodes"] and p["region.villages"] != 1:
        raise InputError("region.villages: must be 1 when a real network is imported")


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split one ``--set KEY=VALUE`` into a key and a value of the key's type.

    >>> parse_assignment("interventions.training.intensity=0.6")
    ('interventions.training.intensity', 0.6)
    """
    return BASE.parse_assignment(text)


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables to dotted keys; quoted dotted keys pass through.

    >>> flatten({"village": {"population": 900}, "interventions.digital.intensity": 1.0})
    {'village.population': 900, 'interventions.digital.intensity': 1.0}
    """
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat
