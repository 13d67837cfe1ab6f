"""The classroom's pages: small HTML documents whose style sheet and scripts are the files of ``static/``,
served by the classroom app itself, so nothing is fetched from elsewhere.

Each page gets its words and settings in one ``BOOT`` object, then asks the
server for its state (``/classroom/api/...``) in a long-poll loop: a request
returns as soon as the session changes, so every phone and the projector show
a round's results as soon as it has run. Charts are drawn in the page as SVG
from the numbers, so the server draws no picture per phone.
"""

from __future__ import annotations

import html
import json

from villagesim.classroom.words import page_words, word

STATIC = "/classroom/static"
"""Where the classroom app serves ``static/``: the pages' style sheet and scripts."""


def page(title: str, lang: str, boot: dict, body: str, script: str, other_lang_url: str) -> str:
    """A whole page: header with a link to the other language, ``body``, then the shared script and ``script``
    (a file of ``static/``)."""
    boot = {**boot, "lang": lang, "words": page_words(lang)}
    data = json.dumps(boot, ensure_ascii=False).replace("</", "<\\/")
    # An empty icon: otherwise the browser asks for /favicon.ico, which nothing serves, and logs the 404.
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{html.escape(title)}</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="{STATIC}/classroom.css"></head><body>
<header><h1>{html.escape(title)}</h1><a href="{html.escape(other_lang_url)}" data-testid="other-lang">{word('other_lang', lang)}</a></header>
<div id="lost" class="lost">{word('connection_lost', lang)}</div>
<main>{body}</main>
<script>const BOOT = {data};</script>
<script src="{STATIC}/common.js"></script><script src="{STATIC}/{script}"></script></body></html>"""


START_BODY = """
<section><h2>{start_title}</h2><p class="muted">{start_hint}</p>
<form id="start" autocomplete="off">
<label for="scenario">{preset}</label><select id="scenario" name="scenario">{presets}</select>
<label for="scenario_file" class="muted">{scenario_file}</label><input type="text" id="scenario_file" name="scenario_file">
<label for="budget">{budget}</label><input type="number" id="budget" name="budget" value="{d_budget}" min="0" step="any">
<label for="rounds">{rounds}</label><input type="number" id="rounds" name="rounds" value="{d_rounds}" min="1" max="12">
<label for="round_months">{round_months}</label>
<input type="number" id="round_months" name="round_months" value="{d_round_months}" min="1" max="60">
<label for="objective">{objective}</label><select id="objective" name="objective">{objectives}</select>
<label for="language">{language}</label><select id="language" name="language">{languages}</select>
<p id="start-error" class="error" role="alert" data-testid="start-error"></p>
<button type="submit" data-testid="start-session">{start_session}</button></form></section>
"""

START_SCRIPT = "start.js"

JOIN_BODY = """
<section><h2>{join_title}</h2>
<form id="join" autocomplete="off">
<label for="join-input">{join_code}</label>
<input type="text" id="join-input" data-testid="join-input" value="{code}" maxlength="8" autocapitalize="characters"
 inputmode="text" style="text-transform:uppercase;font-size:1.4rem;letter-spacing:.2rem">
<label for="team-name">{team_name}</label><input type="text" id="team-name" data-testid="team-name" maxlength="40">
<p id="join-error" class="error" role="alert" data-testid="join-error"></p>
<button type="submit" data-testid="join-button">{join}</button></form></section>
"""

JOIN_SCRIPT = "join.js"

TEAM_BODY = """
<section><h2 id="team-title" data-testid="team-title"></h2><div id="team-status" data-testid="team-status" class="muted"></div>
<div id="budget" data-testid="budget-left"></div></section>
<section id="plan-box"><h2 id="plan-title"></h2><form id="plan" autocomplete="off"><div id="paths"></div>
<p id="plan-cost" data-testid="plan-cost" class="value"></p>
<p id="plan-error" class="error" role="alert" data-testid="plan-error"></p>
<button type="submit" data-testid="submit-plan" id="submit-plan">{submit}</button></form>
<p id="plan-status" class="ok" data-testid="plan-status"></p></section>
<section><h2>{your_village}</h2><div id="charts" data-testid="team-charts"></div><p id="spending" data-testid="spending"></p>
<h2>{events}</h2><ul id="events" class="plain" data-testid="team-events"></ul>
<ul id="history" class="plain muted"></ul></section>
"""

TEAM_SCRIPT = "team.js"

CONSOLE_BODY = """
<button id="projection" class="toggle" data-testid="projection-toggle" aria-pressed="false"></button>
<div class="grid" id="room-head">
<section><h2>{join_title}</h2><div class="code" data-testid="join-code" id="join-code"></div>
<div class="muted">{join_at}</div><div id="join-url" data-testid="join-url" style="word-break:break-all;font-weight:600"></div>
<div class="muted">{or_scan}</div><img id="qr" data-testid="join-qr" alt="QR" style="width:180px;height:180px"></section>
<section><h2 id="round-title"></h2><div id="teams" data-testid="teams"></div>
<p id="rejoin" class="control muted" data-testid="rejoin" style="word-break:break-all"></p>
<div class="control"><p id="console-message" class="error" role="alert" data-testid="console-message"></p>
<button id="advance" data-testid="advance-round"></button></div></section>
</div>
<section id="results" style="display:none"><h2 id="ranking-title"></h2>
<div class="control"><label for="objective">{objective}</label><select id="objective" style="max-width:20rem"></select></div>
<table data-testid="ranking" id="ranking"></table>
<div class="grid" id="room-body"><div id="curves" data-testid="curves"></div><div id="events-box"><h2>{notable}</h2>
<ul id="events" class="plain" data-testid="room-events"></ul></div></div></section>
<section id="debrief" data-testid="debrief" style="display:none"><h2>{debrief}</h2>
<h2>{plans_by_round}</h2><table id="plans"></table>
<h2>{per_wan}</h2><p class="muted" id="per-wan-hint"></p><table id="per-path" data-testid="per-path"></table>
<h2>{best_plan}</h2><p id="best-plan" class="muted" data-testid="best-plan"></p>
<p id="surety" class="muted" data-testid="surety"></p></section>
<section class="control"><h2>{export}</h2>
<a id="export-csv" data-testid="export-csv">CSV</a> · <a id="export-png" data-testid="export-png">PNG</a> ·
<a id="export-json" data-testid="export-json">JSON</a> · <a id="projector-link" data-testid="projector-link">{projector}</a>
<p class="muted">{console_link} <span id="console-url" style="word-break:break-all"></span></p></section>
"""

CONSOLE_SCRIPT = "console.js"


def fill(template: str, lang: str, **values) -> str:
    """A page body: the template's ``{key}`` words in ``lang``, and ``values`` (escaped by the caller)."""
    words = {key: html.escape(value) for key, value in page_words(lang).items() if "." not in key}
    return template.format(**{**words, **values})
