"""The classroom without a server: the session store on its own, the rules of a session, resuming after a restart."""

from __future__ import annotations

import json
import os
import threading

import pytest

from villagesim import InputError, VillageModel
from villagesim.classroom import store as store_module
from villagesim.classroom.registry import MAX_OPEN, Classroom
from villagesim.classroom.session import MAX_TEAMS, RECORDED, Refusal, Session, Settings, empty_plan, plan_cost, \
    plan_overrides
from villagesim.classroom.store import SessionStore
from villagesim.classroom.words import PAGE, REFUSALS
from villagesim.params import resolve

SMALL = Settings(rounds=3, round_months=4, budget=30.0, objective="participation_rate")  # covers the venue's set-up
TRAINING = {"training": {"intensity": 1.0, "start": 1}}
VENUE_LATE = {"venue": {"intensity": 0.5, "start": 3}}


def new_session(settings: Settings = SMALL, teams: int = 3, seed: int = 11) -> tuple[Session, str, list[str]]:
    session, trainer = Session.create(settings, code="ABCDE", seed=seed)
    tokens = [session.join(f"Team {i}")[1] for i in range(teams)]
    return session, trainer, tokens


# --- the store on its own -----------------------------------------------------------------------------


def test_store_round_trip_keeps_every_field(tmp_path):
    store = SessionStore(tmp_path)
    document = {"version": 1, "code": "ABCDE", "teams": [{"name": "第一组", "plans": [empty_plan()]}], "x": 0.125}
    store.save(document)
    assert store.load("ABCDE") == document
    assert store.codes() == ["ABCDE"] and store.load("ZZZZZ") is None


def test_a_write_that_fails_midway_leaves_the_previous_document_and_no_temporary_file(tmp_path, monkeypatch):
    store = SessionStore(tmp_path)
    store.save({"version": 1, "code": "ABCDE", "round": 1})

    def killed(*args):
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "replace", killed)
    with pytest.raises(OSError):
        store.save({"version": 1, "code": "ABCDE", "round": 2})
    assert store.load("ABCDE")["round"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ABCDE.json"]


def test_leftovers_of_a_killed_server_are_removed_and_unreadable_files_skipped(tmp_path):
    (tmp_path / ".ABCDE.123.456.tmp").write_text('{"version": 1, "co')
    (tmp_path / "BROKN.json").write_text("{not json")
    (tmp_path / "OTHER.json").write_text(json.dumps({"version": 1, "code": "WRONG"}))
    store = SessionStore(tmp_path)
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.warns(UserWarning, match="skipping"):
        assert store.load("BROKN") is None
    with pytest.warns(UserWarning, match="not a session document"):
        assert store.load("OTHER") is None


def test_saves_from_many_threads_leave_one_whole_document(tmp_path):
    store = SessionStore(tmp_path)
    big = ["x" * 1000] * 200

    def save(i):
        store.save({"version": 1, "code": "ABCDE", "writer": i, "padding": big})

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    document = store.load("ABCDE")
    assert document["writer"] in range(8) and document["padding"] == big
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ABCDE.json"]


def test_a_folder_that_cannot_hold_sessions_is_refused_in_one_line_and_none_is_made_before_a_session(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=r"^classroom folder .*file.*: cannot create it"):
        SessionStore(tmp_path / "file" / "sessions")
    store = SessionStore(tmp_path / "new" / "sessions")
    assert store.codes() == [] and not (tmp_path / "new").exists()
    store.save({"version": 1, "code": "ABCDE"})
    assert store.codes() == ["ABCDE"]


def test_the_document_holds_no_token(tmp_path):
    classroom = Classroom(tmp_path)
    session, trainer = classroom.start(SMALL, seed=1)
    with classroom.change(session):
        _, token = session.join("A")
    on_disk = (tmp_path / f"{session.code}.json").read_text()
    assert trainer not in on_disk and token not in on_disk


# --- the rules ----------------------------------------------------------------------------------------


def test_same_plans_give_the_same_village_and_no_plan_gives_the_baseline():
    session, trainer, tokens = new_session(teams=3)
    session.submit(0, tokens[0], TRAINING)
    session.submit(1, tokens[1], TRAINING)
    session.submit(2, tokens[2], {})
    session.advance(trainer)
    series = [team["series"] for team in session.teams]
    assert series[0] == series[1]
    assert series[2] == session.doc["baseline"]
    assert series[0]["cost_cumulative"] != series[2]["cost_cumulative"]


def test_the_villages_are_the_model_run_by_hand_with_the_same_seed_and_keys():
    session, trainer, tokens = new_session(teams=2)
    session.submit(0, tokens[0], VENUE_LATE)
    session.submit(1, tokens[1], {})
    session.advance(trainer)
    model = VillageModel.from_scenario("default", seed=11)
    for key, value in plan_overrides({**empty_plan(), **VENUE_LATE}, 1, 4).items():
        model.set(key, value)
    model.run(4)
    frame = model.timeseries()
    for metric in RECORDED:
        assert session.teams[0]["series"][metric] == pytest.approx(list(frame[metric]), abs=1e-5)


@pytest.mark.parametrize("plan", [TRAINING, VENUE_LATE, {"digital": {"intensity": 0.3, "start": 4},
                                                       "recruitment": {"intensity": 1, "start": 2}}])
def test_the_price_shown_is_what_the_village_then_spends(plan):
    session, trainer, tokens = new_session(teams=2)
    price = session.submit(0, tokens[0], plan)
    session.submit(1, tokens[1], {})
    session.advance(trainer)
    assert session.spent(0) == pytest.approx(price, abs=1e-4) and price > 0
    assert session.remaining(0) == pytest.approx(SMALL.budget - price, abs=1e-4)


def test_plan_cost_is_the_set_up_once_and_the_model_monthly_cost_summed():
    params = resolve({"interventions.venue.intensity": 1.0, "interventions.venue.start": 3})
    monthly, setup = params["interventions.venue.cost"], params["interventions.venue.setup_cost"]
    assert plan_cost(params, range(1, 5), villages=1) == pytest.approx(setup + 2 * monthly)
    assert plan_cost(params, range(1, 5), villages=3) == pytest.approx(3 * (setup + 2 * monthly))
    assert plan_cost(params, range(1, 5), villages=3, set_up={"venue"}) == pytest.approx(6 * monthly)


def test_a_plan_over_the_remaining_budget_is_refused_and_one_at_the_budget_is_taken():
    session, trainer, tokens = new_session(Settings(rounds=2, round_months=4, budget=2.5), teams=2)
    with pytest.raises(Refusal) as refused:  # training: set-up 0.5 and 0.5 a month at full intensity, 2.5 for 4 months
        session.submit(0, tokens[0], {**TRAINING, "venue": {"intensity": 0.1, "start": 1}})
    assert refused.value.key == "over_budget" and "2.5 万元" in refused.value.text("zh")
    assert session.teams[0]["submitted"] is None
    assert session.submit(0, tokens[0], TRAINING) == pytest.approx(2.5)
    session.submit(1, tokens[1], {})
    session.advance(trainer)
    with pytest.raises(Refusal, match="only 0 万元 is left"):
        session.submit(0, tokens[0], {"standardization": {"intensity": 0.1, "start": 4}})


def test_a_team_token_acts_only_for_its_own_team():
    session, trainer, tokens = new_session(teams=2)
    for team, token in [(1, tokens[0]), (0, tokens[1]), (0, trainer), (0, None), (5, tokens[0]), ("0", tokens[0])]:
        with pytest.raises(Refusal) as refused:
            session.submit(team, token, TRAINING)
        assert refused.value.key == "token" and refused.value.status == 403
    assert all(team["submitted"] is None for team in session.teams)
    with pytest.raises(Refusal, match="trainer key"):
        session.advance(tokens[0], force=True)
    assert session.round == 1


def test_a_team_on_a_new_phone_gets_a_new_token_from_the_trainer_and_the_old_one_stops_working():
    session, trainer, tokens = new_session(teams=2)
    with pytest.raises(Refusal, match="trainer key"):
        session.rejoin(tokens[0], 0)
    with pytest.raises(Refusal) as refused:
        session.rejoin(trainer, 2)
    assert refused.value.key == "no_team"
    new = session.rejoin(trainer, 0)
    assert session.submit(0, new, TRAINING) > 0
    with pytest.raises(Refusal, match="team key"):
        session.submit(0, tokens[0], TRAINING)
    assert session.submit(1, tokens[1], {}) == 0  # the other team is untouched


@pytest.mark.parametrize("raw, key", [
    ("", "name_empty"), ("   ", "name_empty"), (None, "name_empty"), ("x" * 25, "name_long"),
    ("a\u0007b", "name_bad"), ("team 0", "name_taken"), ("TEAM 0", "name_taken")])
def test_bad_team_names_are_refused_in_both_languages(raw, key):
    session, _, _ = new_session(teams=1)
    with pytest.raises(Refusal) as refused:
        session.join(raw)
    assert refused.value.key == key
    assert refused.value.text("zh") != refused.value.text("en") and refused.value.text("zh")


def test_names_are_tidied_and_chinese_names_work():
    session, _, _ = new_session(teams=0)
    assert session.join("  第三组  一队 ")[0] == 0
    assert session.teams[0]["name"] == "第三组 一队"


@pytest.mark.parametrize("plan, key", [
    ({"bridges": {"intensity": 1}}, "plan_path"), ({"training": {"intensity": 1.5}}, "plan_intensity"),
    ({"training": {"intensity": "lots"}}, "plan_intensity"), ({"training": {"intensity": float("nan")}}, "plan_intensity"),
    ({"training": {"intensity": 1, "start": 0}}, "plan_start"), ({"training": {"intensity": 1, "start": 5}}, "plan_start"),
    ({"training": {"intensity": 1, "start": 1.5}}, "plan_start"), ({"training": 1}, "bad_request"), ([], "bad_request")])
def test_bad_plans_are_refused_naming_the_path_and_value(plan, key):
    session, _, tokens = new_session(teams=1)
    with pytest.raises(Refusal) as refused:
        session.submit(0, tokens[0], plan)
    assert refused.value.key == key


@pytest.mark.parametrize("raw", [{"budget": -1}, {"budget": "x"}, {"rounds": 0}, {"rounds": 2.5}, {"round_months": 61},
                                 {"lang": "fr"}, {"objective": "income"}, {"budget": "inf"}])
def test_bad_settings_are_refused(raw):
    with pytest.raises(Refusal) as refused:
        Settings.parse(raw)
    assert refused.value.key == "setting" and next(iter(raw)) in str(refused.value)


def test_empty_settings_are_the_defaults_and_a_bad_scenario_is_refused():
    assert Settings.parse({"budget": "", "rounds": None}) == Settings()
    assert Settings.parse({"budget": "12.5", "rounds": "3"}) == Settings(budget=12.5, rounds=3)
    with pytest.raises(Refusal, match="no such preset"):
        Session.create(Settings(scenario="atlantis"), code="ABCDE")


def test_a_round_needs_two_teams_and_every_plan_unless_forced_and_absent_teams_keep_their_plan():
    session, trainer, tokens = new_session(Settings(rounds=3, round_months=4, budget=6.5), teams=1)
    with pytest.raises(Refusal) as refused:
        session.advance(trainer, force=True)
    assert refused.value.key == "too_few"
    tokens.append(session.join("Late")[1])
    session.submit(0, tokens[0], TRAINING)
    with pytest.raises(Refusal) as refused:
        session.advance(trainer)
    assert refused.value.key == "not_all" and refused.value.values["waiting"] == 1
    session.advance(trainer, force=True)
    assert session.teams[1]["plans"] == [empty_plan()]
    session.advance(trainer, force=True)  # nobody submitted: team 0 keeps training while its budget lasts
    assert session.teams[0]["plans"][1] == session.teams[0]["plans"][0]
    session.advance(trainer, force=True)  # 6.5 万元 is the set-up, 0.5, once and three rounds of 2: the third fits
    assert session.teams[0]["plans"][2]["training"]["intensity"] == 1.0 and session.finished
    assert session.spent(0) == pytest.approx(6.5, abs=1e-4)


def test_joining_closes_after_the_first_round_and_a_session_takes_at_most_thirty_teams():
    session, trainer, tokens = new_session(Settings(rounds=2, round_months=1), teams=MAX_TEAMS)
    with pytest.raises(Refusal) as refused:
        session.join("One more")
    assert refused.value.key == "full"
    session.advance(trainer, force=True)
    with pytest.raises(Refusal) as refused:
        session.join("Latecomer")
    assert refused.value.key == "started"
    session.advance(trainer, force=True)
    for action in (lambda: session.join("After"), lambda: session.submit(0, tokens[0], {}),
                   lambda: session.advance(trainer, force=True)):
        with pytest.raises(Refusal) as refused:
            action()
        assert refused.value.key == "finished"


def test_ranking_is_by_the_chosen_objective_best_first():
    session, trainer, tokens = new_session(teams=3)
    for token, plan in zip(tokens, [{}, TRAINING, {"digital": {"intensity": 1, "start": 1}}]):
        session.submit(tokens.index(token), token, plan)
    session.advance(trainer)
    for objective in ("participation_rate", "project_uptake", "trust_mean"):
        ranking = session.ranking(objective)
        values = [row[objective] for row in ranking]
        assert values == sorted(values, reverse=True)
        assert {row["name"] for row in ranking} == {"Team 0", "Team 1", "Team 2"}
        assert ranking[0]["gain"] == pytest.approx(values[0] - session.doc["baseline"][objective][-1])


def test_debrief_reruns_each_used_path_without_it_on_the_same_seed():
    session, trainer, tokens = new_session(teams=2)
    session.submit(0, tokens[0], {**TRAINING, "venue": {"intensity": 0.25, "start": 2}})
    session.submit(1, tokens[1], {})
    for _ in range(3):
        session.advance(trainer, force=True)
    debrief = session.compute_debrief()
    rows = {(row["team"], row["path"]): row for row in debrief["without"]}
    assert set(rows) == {(0, "training"), (0, "venue")}  # team 1 used no path
    assert rows[(0, "training")]["cost"] + rows[(0, "venue")]["cost"] == pytest.approx(session.spent(0), abs=1e-4)
    without_venue = Session(json.loads(json.dumps(session.doc)))._replay(
        [{**plan, "venue": empty_plan()["venue"]} for plan in session.teams[0]["plans"]])
    assert rows[(0, "venue")]["participation_rate"] == pytest.approx(
        session.teams[0]["series"]["participation_rate"][-1] - without_venue.final()["participation_rate"], abs=1e-5)
    session.set_debrief(debrief)
    per_path = {row["path"]: row for row in session.per_path("trust_mean")}
    assert per_path["training"]["teams"] == 1 and per_path["digital"]["per_wan"] is None
    assert per_path["venue"]["per_wan"] == pytest.approx(rows[(0, "venue")]["trust_mean"] / rows[(0, "venue")]["cost"])


def test_events_name_their_team_and_plans_read_in_both_languages():
    session, trainer, tokens = new_session(Settings(rounds=1, round_months=14), teams=2)
    session.submit(0, tokens[0], {"training": {"intensity": 0.5, "start": 3}})
    session.submit(1, tokens[1], {})
    session.advance(trainer)
    lines = session.event_lines("zh")
    assert any(line.startswith("Team 1：第 12 月") for line in lines)  # the project launches in month 12
    assert session.plan_summary(session.teams[0]["plans"][0], "zh") == "党员教育培训 0.5 (3月)"
    assert session.plan_summary(empty_plan(), "en") == "nothing"


def test_every_word_exists_in_both_languages():
    assert REFUSALS["zh"].keys() == REFUSALS["en"].keys() and PAGE["zh"].keys() == PAGE["en"].keys()


# --- resuming ---------------------------------------------------------------------------------------


def play(classroom: Classroom, session: Session, trainer: str, tokens: list[str], rounds: range) -> None:
    plans = [TRAINING, VENUE_LATE, {}]
    for index in rounds:
        for team, token in enumerate(tokens):
            with classroom.change(session):
                session.submit(team, token, plans[(team + index) % 3])
        with classroom.change(session):
            session.advance(trainer)


def test_a_restarted_server_resumes_the_session_and_ends_where_an_uninterrupted_one_does(tmp_path):
    def begin(folder):
        classroom = Classroom(folder)
        session, trainer = classroom.start(SMALL, seed=5)
        tokens = []
        for name in ("一组", "二组", "三组"):
            with classroom.change(session):
                tokens.append(session.join(name)[1])
        return classroom, session, trainer, tokens

    classroom, session, trainer, tokens = begin(tmp_path / "killed")
    play(classroom, session, trainer, tokens, range(1))
    with classroom.change(session):
        session.submit(0, tokens[0], TRAINING)  # submitted, then the server dies
    before = json.loads(json.dumps(session.doc))
    del classroom, session

    restarted = Classroom(tmp_path / "killed")
    resumed = restarted.get(before["code"].lower())
    assert resumed.doc == before and resumed.round == 2 and resumed.teams[0]["submitted"] is not None
    play(restarted, resumed, trainer, tokens, range(1, 3))

    straight, session, trainer2, tokens2 = begin(tmp_path / "straight")
    play(straight, session, trainer2, tokens2, range(3))
    assert [t["series"] for t in resumed.teams] == [t["series"] for t in session.teams]
    assert [t["plans"] for t in resumed.teams] == [t["plans"] for t in session.teams]
    assert resumed.finished and resumed.code not in restarted.open


def test_sessions_are_bounded_and_codes_are_checked(tmp_path):
    classroom = Classroom(tmp_path)
    codes = {classroom.start(Settings(rounds=1))[0].code for _ in range(MAX_OPEN)}
    assert len(codes) == MAX_OPEN
    with pytest.raises(Refusal) as refused:
        classroom.start(Settings())
    assert refused.value.key == "sessions"
    for raw, key in [("ABCDE", "wrong_code"), ("abc", "bad_code"), ("ABCD0", "bad_code"), (None, "bad_code")]:
        with pytest.raises(Refusal) as refused:
            classroom.get(raw)
        assert refused.value.key == key
    assert len(os.listdir(tmp_path)) == MAX_OPEN


def test_debrief_says_how_sure_the_model_is_of_the_best_plan():
    from villagesim.best_buy import plan_surety
    from villagesim.i18n import surety_lines
    from villagesim.planner import Candidate

    session, trainer, tokens = new_session(Settings(rounds=1, round_months=12, budget=15.0), teams=2)
    session.advance(trainer, force=True)
    debrief = session.compute_debrief()
    best, surety = debrief["best_plan"], debrief["surety"]
    plan = Candidate("", {p: (c["intensity"], c["start"]) for p, c in best["plan"].items()}, 0.0).overrides
    assert surety == plan_surety("default", plan, 15.0, 12, seed=session.doc["seed"]).to_json()
    assert 0 <= surety["ci"][0] <= surety["share"] <= surety["ci"][1] <= 1
    assert session.surety_text("en") is None  # not before the debrief is stored
    session.set_debrief(json.loads(json.dumps(debrief)))  # as the store keeps it
    for lang in ("zh", "en"):
        assert session.surety_text(lang) == surety_lines(surety, lang)
    assert f"of {surety['points']} plausible worlds" in session.surety_text("en")[0]
    assert session.surety(None) is None
