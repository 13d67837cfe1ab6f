"""The rules of a classroom session: teams each run the branch of the same village, round by round.

A session has settings (a preset or scenario, a budget per team in 万元, a
number of rounds of a number of months, a language and the measure teams are
ranked by), a join code, and up to :data:`MAX_TEAMS` teams. Every team's
village and the baseline village (no interventions) are built from the same
parameters and the same seed, so differences between teams come from their
choices (common random numbers).

In each round a team submits a plan: an intensity in [0, 1] and a start month
within the round for each path. The trainer then runs the round: every
village applies its team's plan (``model.set`` of the dotted keys
``interventions.<path>.intensity`` and ``.start``) and runs the round's
months. A team that did not submit keeps its previous plan if what is left
of its budget covers it, and otherwise does nothing that round.

The session is a JSON document (:meth:`Session.document`): settings, seed,
teams with hashed tokens, every plan and the recorded results. The models are
not stored: they are rebuilt by replaying the plans on the same seed, which
gives the same villages because a run is determined by its seed and
parameters.

Examples
--------
>>> session, trainer = Session.create(Settings(rounds=2, round_months=6), code="ABCDE", seed=3)
>>> a, token_a = session.join("Team A")
>>> b, token_b = session.join("Team B")
>>> session.submit(a, token_a, {"training": {"intensity": 1, "start": 1}})  # set-up 0.5, 0.5 a month
3.5
>>> session.submit(b, token_b, {})
0.0
>>> session.advance(trainer)
>>> session.round, round(session.spent(a), 6), session.spent(b)
(2, 3.5, 0.0)
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
import unicodedata
import warnings
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from villagesim import VillageModel
from villagesim.config import configure
from villagesim.params import INTERVENTIONS, resolve
from villagesim.errors import InputError
from villagesim.events import Event
from villagesim.i18n import LANGUAGES, describe, surety_lines, text
from villagesim.submodels import interventions

from villagesim.classroom.words import say, word

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 5
MIN_TEAMS, MAX_TEAMS = 2, 30
NAME_MAX = 24
OBJECTIVES = ("participation_rate", "project_uptake", "trust_mean")
RECORDED = ("participation_rate", "project_uptake", "trust_mean", "active_members", "youth_present_share",
            "appeals_resolved_rate", "branch_strength", "cost_cumulative")
"""Measures kept month by month for every village (the charts, the ranking, the export)."""
NOTABLE = ("project_launched", "project_viable", "project_failed", "members_admitted")
DOCUMENT_VERSION = 1
EPSILON = 1e-9  # plan costs are sums of floats; a plan that spends exactly the budget is allowed


class Refusal(InputError):
    """Bad input from a page: a key of :data:`villagesim.classroom.words.REFUSALS` and its values,
    so that the page can say it in its own language."""

    def __init__(self, key: str, status: int = 400, **values):
        self.key, self.status, self.values = key, status, values
        super().__init__(say(key, "en", **values))

    def text(self, lang: str) -> str:
        return say(self.key, lang, **self.values)


# --- settings and plans -----------------------------------------------------------------------------

SETTING_RANGES = {"budget": (0.0, 10_000.0), "rounds": (1, 12), "round_months": (1, 60)}


@dataclass(frozen=True)
class Settings:
    """What the trainer chooses when starting a session; every field has a default."""

    scenario: str = "default"
    budget: float = 30.0
    rounds: int = 5
    round_months: int = 12
    lang: str = "zh"
    objective: str = "participation_rate"

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> "Settings":
        """Settings from a form (strings or numbers); a missing or empty field takes its default."""
        values = {}
        for field in fields(cls):
            value = raw.get(field.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            values[field.name] = _setting(field.name, value, field.default)
        return cls(**values)


def _setting(key: str, value: Any, default: Any) -> Any:
    if key == "lang":
        if value not in LANGUAGES:
            raise Refusal("setting", name=key, allowed=" / ".join(LANGUAGES), value=value)
        return value
    if key == "objective":
        if value not in OBJECTIVES:
            raise Refusal("setting", name=key, allowed=" / ".join(OBJECTIVES), value=value)
        return value
    if key == "scenario":
        return str(value).strip()
    lo, hi = SETTING_RANGES[key]
    number = _number(value)
    integer = isinstance(default, int)
    if number is None or not lo <= number <= hi or (integer and not float(number).is_integer()):
        noun = "an integer" if integer else "a number"
        raise Refusal("setting", name=key, allowed=f"{noun} in [{lo:g}, {hi:g}]", value=value)
    return int(number) if integer else float(number)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def empty_plan() -> dict[str, dict[str, float]]:
    return {path: {"intensity": 0.0, "start": 1} for path in INTERVENTIONS}


def parse_plan(raw: Any, round_months: int) -> dict[str, dict[str, float]]:
    """A full plan (every path) from a page's partial one; paths left out do nothing this round."""
    if not isinstance(raw, dict):
        raise Refusal("bad_request")
    plan = empty_plan()
    for path, choice in raw.items():
        if path not in plan:
            raise Refusal("plan_path", path=str(path)[:40], paths=", ".join(INTERVENTIONS))
        if not isinstance(choice, dict):
            raise Refusal("bad_request")
        intensity = _number(choice.get("intensity", 0.0))
        if intensity is None or not 0.0 <= intensity <= 1.0:
            raise Refusal("plan_intensity", path=path, value=str(choice.get("intensity"))[:20])
        start = _number(choice.get("start", 1))
        if start is None or not float(start).is_integer() or not 1 <= start <= round_months:
            raise Refusal("plan_start", path=path, most=round_months, value=str(choice.get("start"))[:20])
        plan[path] = {"intensity": float(intensity), "start": int(start)}
    return plan


def plan_overrides(plan: dict, round_index: int, round_months: int) -> dict[str, Any]:
    """The dotted keys a plan sets for round ``round_index`` (1-based); starts become months of the run."""
    first = (round_index - 1) * round_months
    overrides = {}
    for path, choice in plan.items():
        overrides[f"interventions.{path}.intensity"] = choice["intensity"]
        overrides[f"interventions.{path}.start"] = first + choice["start"]
    return overrides


def plan_cost(params: dict, months: range, villages: int, set_up: frozenset[str] | set[str] = frozenset()) -> float:
    """万元 that the interventions in ``params`` cost over ``months`` by the model's own cost rule
    (:func:`villagesim.submodels.interventions.plan_cost`): running costs, and the set-up of each path
    switched on that is not in ``set_up`` (paid in an earlier round). Starts must lie within ``months``."""
    return villages * interventions.plan_cost(params, months.stop - 1, set_up)


def used_paths(plans: list[dict]) -> set[str]:
    """Paths switched on in any of ``plans`` (the model pays a path's set-up once, the first month it is on)."""
    return {path for plan in plans for path, choice in plan.items() if choice["intensity"] > 0}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(raw: Any) -> str:
    if not isinstance(raw, str):
        raise Refusal("name_empty")
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not name:
        raise Refusal("name_empty")
    if len(name) > NAME_MAX:
        raise Refusal("name_long", most=NAME_MAX)
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise Refusal("name_bad")
    return name


def check_code(raw: Any) -> str:
    code = str(raw or "").strip().upper().replace(" ", "")
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise Refusal("bad_code", length=CODE_LENGTH)
    return code


def _rounded(values) -> list[float]:
    return [round(float(v), 5) for v in values]


def _series(model: VillageModel) -> dict[str, list[float]]:
    """The recorded measures of a village, month by month."""
    frame = model.timeseries()
    return {metric: _rounded(frame[metric]) for metric in RECORDED}


# --- the session ------------------------------------------------------------------------------------


class Session:
    """One session's document and the live villages replayed from it. Methods that change the document
    hold the session's lock; the caller saves the document after each of them (see :mod:`.store`)."""

    def __init__(self, document: dict[str, Any]):
        self.doc = document
        self.settings = Settings(**document["settings"])
        self.lock = threading.RLock()
        self._villages: list[VillageModel] | None = None  # the teams' villages, then the baseline

    # -- creation and identity --

    @classmethod
    def create(cls, settings: Settings, code: str, seed: int | None = None) -> tuple["Session", str]:
        """A new session and its trainer token."""
        try:
            config = configure(settings.scenario)
            model = VillageModel(config, seed=seed)
        except InputError as err:
            raise Refusal("scenario", reason=str(err)) from None
        trainer = secrets.token_urlsafe(18)
        document = {
            "version": DOCUMENT_VERSION,
            "code": code,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "trainer": _hash(trainer),
            "settings": asdict(settings),
            "preset": config.preset,
            "overrides": dict(config.overrides),
            "seed": model.seed,
            "villages": model.villages,
            "round": 1,
            "teams": [],
            "baseline": _series(model),
            "debrief": None,
        }
        session = cls(document)
        return session, trainer

    @property
    def code(self) -> str:
        return self.doc["code"]

    @property
    def round(self) -> int:
        """The round open for plans; ``rounds + 1`` once the session has finished."""
        return self.doc["round"]

    @property
    def finished(self) -> bool:
        return self.round > self.settings.rounds

    @property
    def teams(self) -> list[dict]:
        return self.doc["teams"]

    def round_months(self, round_index: int | None = None) -> range:
        index = self.round if round_index is None else round_index
        length = self.settings.round_months
        return range((index - 1) * length + 1, index * length + 1)

    def is_trainer(self, token: Any) -> bool:
        return isinstance(token, str) and hmac.compare_digest(_hash(token), self.doc["trainer"])

    def check_trainer(self, token: Any) -> None:
        if not self.is_trainer(token):
            raise Refusal("trainer_token", status=403)

    def team(self, team_id: Any, token: Any) -> dict:
        """The team ``team_id`` if ``token`` is its own."""
        index = team_id if isinstance(team_id, int) else -1
        if not 0 <= index < len(self.teams) or not isinstance(token, str) \
                or not hmac.compare_digest(_hash(token), self.teams[index]["token"]):
            raise Refusal("token", status=403)
        return self.teams[index]

    # -- joining and plans --

    def join(self, raw_name: Any) -> tuple[int, str]:
        """Add a team; returns its id and token."""
        name = check_name(raw_name)
        with self.lock:
            if self.finished:
                raise Refusal("finished", status=409)
            if self.round > 1:
                raise Refusal("started", status=409)
            if len(self.teams) >= MAX_TEAMS:
                raise Refusal("full", status=409, most=MAX_TEAMS)
            if any(team["name"].casefold() == name.casefold() for team in self.teams):
                raise Refusal("name_taken", status=409, name=name)
            token = secrets.token_urlsafe(18)
            team_id = len(self.teams)
            self.teams.append({"id": team_id, "name": name, "token": _hash(token), "plans": [], "submitted": None,
                               "series": {metric: list(values) for metric, values in self.doc["baseline"].items()},
                               "events": []})
            if self._villages is None:
                self.villages()  # built now, not in the first round's wait
            else:
                self._villages.insert(team_id, self._replay([]))
            return team_id, token

    def rejoin(self, trainer_token: Any, team_id: Any) -> str:
        """A new token for a team whose page is lost (a new phone); its old token stops working."""
        with self.lock:
            self.check_trainer(trainer_token)
            if not isinstance(team_id, int) or not 0 <= team_id < len(self.teams):
                raise Refusal("no_team", status=404)
            token = secrets.token_urlsafe(18)
            self.teams[team_id]["token"] = _hash(token)
            return token

    def spent(self, team_id: int) -> float:
        """万元 team ``team_id`` has spent so far (its village's ``cost_cumulative``)."""
        return self.teams[team_id]["series"]["cost_cumulative"][-1]

    def remaining(self, team_id: int) -> float:
        return max(self.settings.budget - self.spent(team_id), 0.0)

    def cost(self, team_id: int, plan: dict) -> float:
        """What ``plan`` (a full plan) costs team ``team_id`` in the open round (set-ups it paid before excluded)."""
        params = self._params(plan_overrides(plan, self.round, self.settings.round_months))
        return plan_cost(params, self.round_months(), self.doc["villages"], used_paths(self.teams[team_id]["plans"]))

    def _params(self, overrides: dict) -> dict:
        return resolve({**self.doc["overrides"], **overrides})

    def price(self, team_id: int, token: Any, raw_plan: Any) -> float:
        """The cost of a plan a team is considering (nothing is changed)."""
        self.team(team_id, token)
        if self.finished:
            raise Refusal("finished", status=409)
        return self.cost(team_id, parse_plan(raw_plan, self.settings.round_months))

    def submit(self, team_id: int, token: Any, raw_plan: Any) -> float:
        """Record a team's plan for the open round (it may submit again until the round runs); returns its cost."""
        with self.lock:
            team = self.team(team_id, token)
            if self.finished:
                raise Refusal("finished", status=409)
            plan = parse_plan(raw_plan, self.settings.round_months)
            cost = self.cost(team_id, plan)
            remaining = self.remaining(team_id)
            if cost > remaining + EPSILON:
                raise Refusal("over_budget", cost=round(cost, 2), remaining=round(remaining, 2))
            team["submitted"] = plan
            return cost

    def waiting(self) -> list[int]:
        return [team["id"] for team in self.teams if team["submitted"] is None]

    def advance(self, trainer_token: Any, force: bool = False) -> None:
        """Run the open round in every village (all teams submitted, or ``force``)."""
        with self.lock:
            self.check_trainer(trainer_token)
            if self.finished:
                raise Refusal("finished", status=409)
            if len(self.teams) < MIN_TEAMS:
                raise Refusal("too_few", status=409, least=MIN_TEAMS, teams=len(self.teams))
            waiting = self.waiting()
            if waiting and not force:
                raise Refusal("not_all", status=409, waiting=len(waiting))
            villages = self.villages()
            index = self.round
            for team, model in zip(self.teams, villages):
                plan = team["submitted"] or self._carried(team)
                self._play(model, plan, index)
                team["plans"].append(plan)
                team["submitted"] = None
                team["series"] = _series(model)
                first = self.round_months(index).start
                team["events"] += [[e.month, e.code, e.subject, e.value] for e in model.events
                                   if e.code in NOTABLE and e.month >= first]
            baseline = villages[-1]
            self._play(baseline, empty_plan(), index)
            self.doc["baseline"] = _series(baseline)
            self.doc["round"] = index + 1
            if self.finished:
                self._villages = None  # the debrief replays what it needs; the memory goes back

    def _carried(self, team: dict) -> dict:
        """A team that did not submit keeps its last plan if its budget still covers it."""
        if team["plans"]:
            last = team["plans"][-1]
            if self.cost(team["id"], last) <= self.remaining(team["id"]) + EPSILON:
                return last
        return empty_plan()

    # -- the villages --

    def _play(self, model: VillageModel, plan: dict, round_index: int) -> None:
        for key, value in plan_overrides(plan, round_index, self.settings.round_months).items():
            model.set(key, value)
        model.run(self.settings.round_months)

    def _replay(self, plans: list[dict]) -> VillageModel:
        """A village rebuilt from its plans, round by round, on the session's seed."""
        model = VillageModel(self.doc["overrides"], seed=self.doc["seed"])
        for index, plan in enumerate(plans, start=1):
            self._play(model, plan, index)
        return model

    def villages(self) -> list[VillageModel]:
        """The teams' villages and then the baseline, replayed from the document the first time they are
        needed (after a restart); a replay that does not give the recorded results is reported."""
        if self._villages is None:
            done = self.round - 1
            villages = [self._replay(team["plans"]) for team in self.teams]
            villages.append(self._replay([empty_plan()] * done))
            recorded = [team["series"] for team in self.teams] + [self.doc["baseline"]]
            for model, series in zip(villages, recorded):
                frame = model.timeseries()
                if not all(np.allclose(_rounded(frame[m]), series[m], atol=1e-5) for m in RECORDED):
                    warnings.warn(f"classroom session {self.code}: a replayed village differs from its record "
                                  "(has the model changed since the session started?)", stacklevel=2)
            self._villages = villages
        return self._villages

    def release(self) -> None:
        """Let go of the live villages (they are replayed when next needed)."""
        self._villages = None

    # -- what the pages show --

    def ranking(self, objective: str | None = None) -> list[dict]:
        """Teams by the objective at the end of the last round run, best first."""
        objective = objective or self.settings.objective
        rows = []
        for team in self.teams:
            last = {metric: values[-1] for metric, values in team["series"].items()}
            rows.append({"id": team["id"], "name": team["name"], **last,
                         "gain": last[objective] - self.doc["baseline"][objective][-1]})
        return sorted(rows, key=lambda row: (-row[objective], row["id"]))

    def event_lines(self, lang: str, team: dict | None = None) -> list[str]:
        """Notable events, newest first: one team's, or every team's with its name."""
        chosen = [team] if team is not None else self.teams
        lines = []
        for each in chosen:
            for month, code, subject, value in each["events"]:
                line = describe(Event(month, code, subject, value), lang, self.doc["villages"])
                lines.append((month, each["id"], line if team is not None
                              else word("team_event", lang, team=each["name"], line=line)))
        return [line for _, _, line in sorted(lines, key=lambda item: (-item[0], item[1]))]

    def plan_summary(self, plan: dict, lang: str) -> str:
        """A plan in a few words: each path used, its intensity and start."""
        parts = [f"{text(f'intervention.{path}', lang)} {choice['intensity']:g}"
                 + (f" ({word('month_short', lang, m=choice['start'])})" if choice["start"] > 1 else "")
                 for path, choice in plan.items() if choice["intensity"] > 0]
        return " · ".join(parts) or word("none", lang)

    # -- the debrief --

    def compute_debrief(self) -> dict:
        """The whole debrief: :meth:`compute_without`, :meth:`best_plan` and its :meth:`surety`.

        Runs without the lock (a finished session no longer changes); :meth:`set_debrief` stores the result.
        """
        best = self.best_plan()
        return {"without": self.compute_without(), "best_plan": best, "surety": self.surety(best)}

    def compute_without(self) -> list[dict]:
        """What each path bought: every team's village re-run on the same seed without one path it used."""
        rows = []
        for team in self.teams:
            used = [path for path in INTERVENTIONS if path in used_paths(team["plans"])]
            final = {metric: values[-1] for metric, values in team["series"].items()}
            for path in used:
                without = self._replay([{**plan, path: empty_plan()[path]} for plan in team["plans"]]).final()
                rows.append({"team": team["id"], "path": path,
                             "cost": final["cost_cumulative"] - without["cost_cumulative"],
                             **{metric: final[metric] - without[metric] for metric in OBJECTIVES}})
        return rows

    def best_plan(self) -> dict | None:
        """The planner's best plan for the same village, budget, months and objective (a bounded search), or
        None when no path fits the budget."""
        from villagesim.planner import QUICK_SEARCH, plan

        settings = self.settings
        try:
            found = plan(settings.scenario, budget=settings.budget, months=settings.rounds * settings.round_months,
                         objective=settings.objective, seed=self.doc["seed"], **QUICK_SEARCH)
        except InputError:
            return None
        return {"plan": {path: {"intensity": intensity, "start": start}
                         for path, (intensity, start) in found.best.plan.items()},
                **{key: found.best.to_json()[key] for key in ("cost", "mean", "ci")}}

    def surety(self, best: dict | None) -> dict | None:
        """How sure the model is of the debrief's best plan (:func:`villagesim.best_buy.plan_surety` on the
        same village, budget, months, objective and seed, a room's number of worlds), or None without a plan."""
        from villagesim.best_buy import plan_surety
        from villagesim.planner import Candidate

        if not best:
            return None
        settings = self.settings
        plan = Candidate("", {path: (c["intensity"], c["start"]) for path, c in best["plan"].items()}, 0.0)
        return plan_surety(settings.scenario, plan.overrides, settings.budget, settings.rounds * settings.round_months,
                           objective=settings.objective, seed=self.doc["seed"]).to_json()

    def surety_text(self, lang: str) -> list[str] | None:
        """The debrief's surety of the best plan in lines of ``lang`` (:func:`villagesim.i18n.surety_lines`)."""
        surety = (self.doc["debrief"] or {}).get("surety")
        return surety_lines(surety, lang) if surety else None

    def best_plan_text(self, lang: str) -> str | None:
        """The debrief's best plan in a line of ``lang``: the paths, the objective with its 95% CI, the cost."""
        best = (self.doc["debrief"] or {}).get("best_plan")
        if not best:
            return None
        low, high = best["ci"]
        return (f"{self.plan_summary(best['plan'], lang)}: {text(f'metric.{self.settings.objective}', lang)} "
                f"{best['mean']:.3f} [{low:.3f}, {high:.3f}], {best['cost']:.1f} 万元")

    def set_debrief(self, debrief: dict) -> None:
        with self.lock:
            self.doc["debrief"] = debrief

    def per_path(self, objective: str | None = None) -> list[dict]:
        """Per path, over the teams that used it: what they spent on it, what it changed, and per 万元."""
        objective = objective or self.settings.objective
        rows = []
        for path in INTERVENTIONS:
            chosen = [row for row in (self.doc["debrief"] or {}).get("without", []) if row["path"] == path]
            cost = sum(row["cost"] for row in chosen)
            gain = sum(row[objective] for row in chosen)
            rows.append({"path": path, "teams": len(chosen), "cost": cost, "gain": gain,
                         "per_wan": gain / cost if cost > EPSILON else None})
        return rows
