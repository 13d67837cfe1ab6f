"""The classroom's HTTP routes: plain Starlette pages and a small JSON API, served next to the browser view.

Pages (see :mod:`.pages`): ``/classroom`` (start a session), ``/classroom/CODE``
(the trainer's console; ``?view=projector`` for the screen), ``/join`` and
``/join/CODE`` (a team's phone). The API under ``/classroom/api/CODE/...``
answers in the page's language (``lang``). A team acts with the token it got
on joining (header ``X-Token``) and only for itself; the console needs the
trainer's token. State requests are long polls: ``since=VERSION`` returns as
soon as the session changes, or after :data:`POLL_SECONDS`. :meth:`ClassroomServer.stop`
answers every waiting poll at once, for a server that is stopping, and
:meth:`ClassroomServer.close` saves the sessions.
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from villagesim import scenarios
from villagesim.params import INTERVENTIONS
from villagesim.i18n import LANGUAGES, LANGUAGE_NAMES, preset_label, text

from villagesim.classroom import pages
from villagesim.classroom.limits import RateLimit
from villagesim.classroom.registry import Classroom
from villagesim.classroom.session import OBJECTIVES, RECORDED, Refusal, Session, Settings
from villagesim.classroom.words import say, word

POLL_SECONDS = 20.0
SAVE_WAIT = 1.0  # seconds closing waits for a change in progress (which saves the session itself when done)
MAX_BODY = 16_384  # bytes; a plan is a few hundred
EVENTS_SHOWN = 40
CHART_SERIES = (*OBJECTIVES, "cost_cumulative")
LOCAL = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Limits:
    """Requests allowed per client address (sessions, joins) or per team (plans and prices)."""

    starts: tuple[float, float] = (5, 1 / 30)  # (burst, refill per second)
    joins: tuple[float, float] = (40, 0.5)  # a room behind one address joins at once
    failed_joins: tuple[float, float] = (10, 1 / 6)  # wrong codes: guessing one takes years
    plans: tuple[float, float] = (30, 3.0)


class _Watch:
    """A session's version and the event long polls wait on."""

    def __init__(self, boot: str):
        self.boot, self.count, self.event = boot, 0, asyncio.Event()

    @property
    def version(self) -> str:
        return f"{self.boot}-{self.count}"

    def bump(self) -> None:
        self.count += 1
        event, self.event = self.event, asyncio.Event()
        event.set()


class ClassroomServer:
    """The routes of one server's classroom, over the sessions stored in ``folder``.

    ``public_url`` (e.g. ``http://192.168.1.20:8765/``) is the address phones use; without it the
    join link takes the address the console was opened at.
    """

    def __init__(self, folder, public_url: str | None = None, lang: str = "zh", limits: Limits = Limits()):
        self.classroom = Classroom(folder)
        self.public_url, self.lang = public_url, lang
        self._limits = {name: RateLimit(*getattr(limits, name)) for name in ("starts", "joins", "failed_joins", "plans")}
        self._boot = secrets.token_hex(3)  # versions from before a restart never match
        self._watches: dict[str, _Watch] = {}
        self._debriefing: set[str] = set()
        self._stopping = False
        threading.Thread(target=self._replay_open, name="classroom-replay", daemon=True).start()

    def _replay_open(self) -> None:
        """Rebuild the villages of the sessions a restart resumed, so their next round does not wait for it."""
        for session in list(self.classroom.open.values()):
            self._locked(session, session.villages)

    def routes(self) -> list[Route | Mount]:
        api = "/classroom/api/{code}"
        return [
            Mount(pages.STATIC, StaticFiles(directory=Path(pages.__file__).parent / "static"), name="classroom-static"),
            Route("/classroom/api/start", self._handler(self.api_start), methods=["POST"]),
            Route(f"{api}/room", self._handler(self.api_room)),
            Route(f"{api}/advance", self._handler(self.api_advance), methods=["POST"]),
            Route(f"{api}/join", self._handler(self.api_join), methods=["POST"]),
            Route(f"{api}/teams/{{team:int}}", self._handler(self.api_team)),
            Route(f"{api}/teams/{{team:int}}/cost", self._handler(self.api_cost), methods=["POST"]),
            Route(f"{api}/teams/{{team:int}}/plan", self._handler(self.api_plan), methods=["POST"]),
            Route(f"{api}/teams/{{team:int}}/rejoin", self._handler(self.api_rejoin), methods=["POST"]),
            Route("/classroom", self._handler(self.start_page)),
            Route("/classroom/{code}/qr.svg", self._handler(self.qr)),
            Route("/classroom/{code}/export.{kind}", self._handler(self.export)),
            Route("/classroom/{code}", self._handler(self.console_page)),
            Route("/join", self._handler(self.join_page)),
            Route("/join/{code}", self._handler(self.team_page)),
        ]

    # -- plumbing --

    def _language(self, request: Request, body: dict | None = None) -> str:
        lang = (body or {}).get("lang") or request.query_params.get("lang")
        return lang if lang in LANGUAGES else self.lang

    def _handler(self, endpoint):
        async def handle(request: Request) -> Response:
            try:
                return await endpoint(request)
            except Refusal as refusal:
                lang = request.state.lang if hasattr(request.state, "lang") else self._language(request)
                return JSONResponse({"error": refusal.text(lang), "key": refusal.key}, status_code=refusal.status)
        return handle

    async def _body(self, request: Request) -> dict:
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            raise Refusal("too_large", status=413)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise Refusal("too_large", status=413)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise Refusal("bad_request") from None
        if not isinstance(body, dict):
            raise Refusal("bad_request")
        request.state.lang = self._language(request, body)
        return body

    def _limit(self, name: str, key: str) -> None:
        limit = self._limits[name]
        if not limit.allow(key):
            raise Refusal("slow_down", status=429, seconds=limit.retry_after(key))

    @staticmethod
    def _client(request: Request) -> str:
        return request.client.host if request.client else "?"

    def _session(self, request: Request) -> Session:
        return self.classroom.get(request.path_params["code"])

    @staticmethod
    def _locked(session: Session, function, *args):
        """``function(*args)`` under the session's lock (called in a worker thread, never the event loop)."""
        with session.lock:
            return function(*args)

    def _watch(self, code: str) -> _Watch:
        if code not in self._watches:
            self._watches[code] = _Watch(self._boot)
        return self._watches[code]

    async def _wait(self, request: Request, code: str) -> _Watch:
        """Return once the session's version differs from the page's ``since``, or after the poll time."""
        watch = self._watch(code)
        if request.query_params.get("since") == watch.version and not self._stopping:
            try:
                await asyncio.wait_for(watch.event.wait(), POLL_SECONDS)
            except asyncio.TimeoutError:
                pass
        return watch

    async def _changed(self, session: Session, change, *args):
        """Apply ``change(*args)`` to the session in a worker thread, save it, and wake the pages."""
        def apply():
            with self.classroom.change(session):
                return change(*args)
        result = await run_in_threadpool(apply)
        self._watch(session.code).bump()
        if session.finished:
            self._debrief(session)
        return result

    def stop(self) -> None:
        """Answer every waiting long poll now, and the ones that come later at once: the server is stopping."""
        self._stopping = True
        for watch in self._watches.values():
            watch.event.set()

    def close(self) -> int:
        """Save every session in memory (a change in progress saves its own); returns how many were saved."""
        saved = 0
        for session in [*self.classroom.open.values(), *self.classroom.finished.values()]:
            if session.lock.acquire(timeout=SAVE_WAIT):
                try:
                    self.classroom.store.save(session.doc)
                    saved += 1
                finally:
                    session.lock.release()
        return saved

    def _debrief(self, session: Session) -> None:
        """Compute a finished session's debrief once, in the background: what each path bought is shown
        first, the planner's best plan (the longer search) when it is found, then how sure the model is of it."""
        done = session.doc["debrief"] or {}
        if "surety" in done or session.code in self._debriefing:
            return
        self._debriefing.add(session.code)

        async def run():
            try:
                without = done.get("without")
                if without is None:
                    without = await run_in_threadpool(session.compute_without)
                    await self._changed(session, session.set_debrief, {"without": without})
                if "best_plan" in done:
                    best = done["best_plan"]
                else:
                    best = await run_in_threadpool(session.best_plan)
                    await self._changed(session, session.set_debrief, {"without": without, "best_plan": best})
                surety = await run_in_threadpool(session.surety, best)
                await self._changed(session, session.set_debrief,
                                    {"without": without, "best_plan": best, "surety": surety})
            finally:
                self._debriefing.discard(session.code)
        asyncio.get_running_loop().create_task(run())

    def _join_url(self, request: Request, code: str) -> str:
        base = self.public_url or str(request.base_url)
        return f"{base.rstrip('/')}/join?code={code}"

    # -- pages --

    def _page(self, request: Request, title_key: str, lang: str, body: str, script: str, boot: dict) -> HTMLResponse:
        other = next(other for other in LANGUAGES if other != lang)
        query = dict(request.query_params, lang=other)
        url = request.url.path + "?" + "&".join(f"{k}={quote(str(v))}" for k, v in query.items())
        return HTMLResponse(pages.page(word(title_key, lang), lang, boot, body, script, url))

    async def start_page(self, request: Request) -> Response:
        lang = self._language(request)
        defaults = Settings()
        options = lambda pairs, chosen: "".join(  # noqa: E731
            f'<option value="{value}"{" selected" if value == chosen else ""}>{label}</option>' for value, label in pairs)
        body = pages.fill(
            pages.START_BODY, lang, preset=text("preset", lang),
            presets=options([(name, preset_label(name, lang)) for name in scenarios.names()], defaults.scenario),
            objectives=options([(o, text(f"metric.{o}", lang)) for o in OBJECTIVES], defaults.objective),
            languages=options(LANGUAGE_NAMES.items(), lang),
            d_budget=f"{defaults.budget:g}", d_rounds=defaults.rounds, d_round_months=defaults.round_months)
        return self._page(request, "start_title", lang, body, pages.START_SCRIPT, {})

    async def console_page(self, request: Request) -> Response:
        session = self._session(request)
        lang = request.query_params.get("lang") or session.settings.lang
        lang = lang if lang in LANGUAGES else session.settings.lang
        view = "projector" if request.query_params.get("view") == "projector" else "console"
        boot = {"code": session.code, "base": f"/classroom/api/{session.code}", "view": view,
                "objective": session.settings.objective, "objectives": OBJECTIVES, "no_token": say("trainer_token", lang)}
        body = pages.fill(pages.CONSOLE_BODY, lang)
        return self._page(request, "projector" if view == "projector" else "console", lang, body,
                          pages.CONSOLE_SCRIPT, boot)

    async def join_page(self, request: Request) -> Response:
        lang = self._language(request)
        code = "".join(c for c in request.query_params.get("code", "")[:8] if c.isalnum()).upper()
        return self._page(request, "join_title", lang, pages.fill(pages.JOIN_BODY, lang, code=code), pages.JOIN_SCRIPT, {})

    async def team_page(self, request: Request) -> Response:
        session = self._session(request)
        lang = request.query_params.get("lang") or session.settings.lang
        lang = lang if lang in LANGUAGES else session.settings.lang
        boot = {"code": session.code, "paths": INTERVENTIONS, "no_token": say("token", lang)}
        body = pages.fill(pages.TEAM_BODY, lang)
        return self._page(request, "classroom", lang, body, pages.TEAM_SCRIPT, boot)

    async def qr(self, request: Request) -> Response:
        import segno

        session = self._session(request)
        buffer = io.BytesIO()
        segno.make(self._join_url(request, session.code), error="m").save(buffer, kind="svg", scale=6, border=2)
        return Response(buffer.getvalue(), media_type="image/svg+xml")

    async def export(self, request: Request) -> Response:
        from villagesim.classroom import export

        session = self._session(request)
        session.check_trainer(request.query_params.get("k"))
        kind = request.path_params["kind"]
        writers = {"csv": (export.to_csv, "text/csv; charset=utf-8"), "json": (export.to_json, "application/json"),
                   "png": (export.to_png, "image/png")}
        if kind not in writers:
            raise Refusal("bad_request", status=404)
        write, media = writers[kind]
        content = await run_in_threadpool(self._locked, session, write, session)
        filename = f"classroom-{session.code}.{kind}"
        return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    # -- the API --

    async def api_start(self, request: Request) -> Response:
        body = await self._body(request)
        # Only the trainer starts sessions (and names scenario files): from the server's own computer.
        if self._client(request) not in LOCAL:
            raise Refusal("start_local", status=403)
        self._limit("starts", self._client(request))
        settings = Settings.parse({**body, "lang": body.get("language")})
        session, trainer = await run_in_threadpool(self.classroom.start, settings)
        console = f"/classroom/{session.code}?lang={settings.lang}#k={trainer}"
        return JSONResponse({"code": session.code, "trainer": trainer, "console": console})

    async def api_join(self, request: Request) -> Response:
        body = await self._body(request)
        client = self._client(request)
        self._limit("joins", client)
        try:
            session = self._session(request)
        except Refusal:
            self._limit("failed_joins", client)
            raise
        team, token = await self._changed(session, session.join, body.get("name"))
        return JSONResponse({"code": session.code, "team": team, "token": token})

    async def api_room(self, request: Request) -> Response:
        session = self._session(request)
        session.check_trainer(request.headers.get("x-token"))
        if session.finished:
            self._debrief(session)
        watch = await self._wait(request, session.code)
        state = await run_in_threadpool(self._locked, session, self.room_state, request, session, self._language(request))
        return JSONResponse({"version": watch.version, **state})

    async def api_advance(self, request: Request) -> Response:
        body = await self._body(request)
        session = self._session(request)
        session.check_trainer(request.headers.get("x-token"))
        await self._changed(session, session.advance, request.headers.get("x-token"), bool(body.get("force")))
        return JSONResponse({"round": session.round, "finished": session.finished})

    def _team(self, request: Request, session: Session) -> dict:
        return session.team(request.path_params["team"], request.headers.get("x-token"))

    async def api_team(self, request: Request) -> Response:
        session = self._session(request)
        team = self._team(request, session)
        watch = await self._wait(request, session.code)
        state = await run_in_threadpool(self._locked, session, self.team_state, session, team, self._language(request))
        return JSONResponse({"version": watch.version, **state})

    async def api_cost(self, request: Request) -> Response:
        body = await self._body(request)
        session = self._session(request)
        team = self._team(request, session)
        self._limit("plans", f"{session.code}/{team['id']}")
        cost = session.price(team["id"], request.headers.get("x-token"), body.get("plan"))
        remaining = session.remaining(team["id"])
        over = cost > remaining + 1e-9
        error = say("over_budget", request.state.lang, cost=round(cost, 2), remaining=round(remaining, 2)) if over else ""
        return JSONResponse({"cost": cost, "remaining": remaining, "error": error})

    async def api_plan(self, request: Request) -> Response:
        body = await self._body(request)
        session = self._session(request)
        team = self._team(request, session)
        self._limit("plans", f"{session.code}/{team['id']}")
        cost = await self._changed(session, session.submit, team["id"], request.headers.get("x-token"), body.get("plan"))
        return JSONResponse({"cost": cost})

    async def api_rejoin(self, request: Request) -> Response:
        await self._body(request)
        session = self._session(request)
        team = request.path_params["team"]
        token = await self._changed(session, session.rejoin, request.headers.get("x-token"), team)
        base = self.public_url or str(request.base_url)
        return JSONResponse({"url": f"{base.rstrip('/')}/join/{session.code}#team={team}&token={token}"})

    # -- what the pages are sent --

    def room_state(self, request: Request, session: Session, lang: str) -> dict:
        months = session.round_months() if not session.finished else range(0)
        state = {
            "code": session.code, "join_url": self._join_url(request, session.code), "round": session.round,
            "rounds": session.settings.rounds, "round_months": session.settings.round_months,
            "months": [months.start, months.stop - 1] if months else [], "finished": session.finished,
            "teams": [{"id": t["id"], "name": t["name"], "submitted": t["submitted"] is not None} for t in session.teams],
            "ranking": {objective: session.ranking(objective) for objective in OBJECTIVES},
            "series": {t["id"]: {m: t["series"][m] for m in CHART_SERIES} for t in session.teams},
            "baseline": {m: session.doc["baseline"][m] for m in CHART_SERIES},
            "events": session.event_lines(lang)[:EVENTS_SHOWN],
            "debrief": None,
        }
        if session.finished:
            ready = session.doc["debrief"] is not None
            state["debrief"] = {
                "ready": ready,
                "plans": [{"name": t["name"], "rounds": [session.plan_summary(p, lang) for p in t["plans"]]}
                          for t in session.teams],
                "per_path": {objective: session.per_path(objective) for objective in OBJECTIVES} if ready else {},
                "best_plan": session.best_plan_text(lang),
                "best_plan_ready": ready and "best_plan" in session.doc["debrief"],
                "surety": session.surety_text(lang),
                "surety_ready": ready and "surety" in session.doc["debrief"],
            }
        return state

    def team_state(self, session: Session, team: dict, lang: str) -> dict:
        months = session.round_months() if not session.finished else range(0)
        return {
            "name": team["name"], "round": session.round, "rounds": session.settings.rounds,
            "round_months": session.settings.round_months, "finished": session.finished,
            "months": [months.start, months.stop - 1] if months else [],
            "budget": session.settings.budget, "spent": session.spent(team["id"]),
            "remaining": session.remaining(team["id"]),
            "submitted": team["submitted"], "last_plan": team["plans"][-1] if team["plans"] else None,
            "submitted_count": len(session.teams) - len(session.waiting()), "teams_count": len(session.teams),
            "series": {m: team["series"][m] for m in RECORDED}, "baseline": session.doc["baseline"],
            "events": session.event_lines(lang, team)[:EVENTS_SHOWN],
            "plans": [session.plan_summary(plan, lang) for plan in team["plans"]],
        }

