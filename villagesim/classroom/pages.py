"""The classroom's pages: small HTML documents with inline CSS and script, nothing fetched from elsewhere.

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

STYLE = """
*{box-sizing:border-box}body{font-family:system-ui,"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0;
color:#1d2733;background:#f4f6f8;font-size:16px;line-height:1.4}
header{background:#b3261e;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff}main{padding:12px;max-width:1200px;margin:auto}
section{background:#fff;border-radius:8px;padding:12px;margin-bottom:12px;box-shadow:0 1px 2px #0002}
h1{font-size:1.15rem;margin:0}h2{font-size:1.05rem;margin:0 0 8px}
label{display:block;margin:8px 0 2px;font-weight:600}input,select,button{font:inherit}
input[type=text],input[type=number],select{width:100%;padding:8px;border:1px solid #9aa5b1;border-radius:6px}
button{background:#b3261e;color:#fff;border:0;border-radius:6px;padding:10px 16px;font-weight:600;cursor:pointer}
button:disabled{background:#9aa5b1}.muted{color:#52606d;font-size:.9rem}
.error{color:#a61b1b;font-weight:600;min-height:1.2em}.ok{color:#1b6e3a;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{padding:4px 6px;border-bottom:1px solid #e4e7eb;
text-align:right}th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
.path{display:grid;grid-template-columns:1fr 3rem;gap:2px 8px;align-items:center;padding:6px 0;
border-bottom:1px solid #e4e7eb}.path .name{grid-column:1/3;font-weight:600}.path .when{grid-column:1/3;
display:flex;gap:8px;align-items:center;font-weight:400;margin:0}.path .when select{width:auto;padding:4px}
.path input[type=range]{width:100%}.value{font-variant-numeric:tabular-nums}
.code{font-size:3rem;letter-spacing:.3rem;font-weight:800;font-family:monospace}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{padding:2px 0}
.chip{display:inline-block;padding:2px 8px;border-radius:12px;margin:2px;background:#e4e7eb}
.chip.done{background:#c6f0d4}.lost{background:#fde2b5;padding:6px;display:none}
svg text{font-size:11px;fill:#52606d}.projector{font-size:20px}.projector .control{display:none}
"""

SCRIPT = r"""
const W = BOOT.words;
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
function fmt(template, values) { return template.replace(/\{(\w+)(:g)?\}/g, (_, k) => values[k]); }
function num(x, digits) { return Number(x).toFixed(digits === undefined ? 2 : digits).replace(/\.?0+$/, "") || "0"; }
function money(x) { return num(x, 2); }
function pct(x) { return (100 * x).toFixed(1) + "%"; }
const SHARES = ["participation_rate", "project_uptake", "youth_present_share", "appeals_resolved_rate"];
function show(metric, x) { return SHARES.includes(metric) ? pct(x) : num(x, 3); }
async function api(method, url, body, token) {
  const options = {method, headers: {}};
  if (token) options.headers["X-Token"] = token;
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(Object.assign({lang: BOOT.lang}, body));
  }
  const response = await fetch(url, options);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {error: response.statusText}; }
  if (!response.ok) { const err = new Error(data.error || response.statusText); err.key = data.key; throw err; }
  return data;
}
async function watch(url, token, onState, onRefused) {
  let since = "";
  for (;;) {
    try {
      const state = await api("GET", `${url}?lang=${BOOT.lang}&since=${encodeURIComponent(since)}`, undefined, token);
      $("lost").style.display = "none";
      if (state.version !== since) { since = state.version; onState(state); }
    } catch (err) {
      if (err.key) { onRefused(err.message); await sleep(5000); }
      else { $("lost").style.display = "block"; await sleep(1500); }
    }
  }
}
function colour(i) { return `hsl(${(i * 137.508) % 360},70%,${i % 2 ? 38 : 48}%)`; }
// lines: [{values, colour, dash, width}]; months: length of the x axis; rounds: month of each round boundary
function chart(title, lines, months, roundMonths, metric) {
  const w = 360, h = 190, l = 44, r = 8, t = 22, b = 24;
  const all = lines.flatMap((line) => line.values);
  const top = Math.max(1e-9, ...all) * 1.08;
  const x = (m) => l + (w - l - r) * m / Math.max(months, 1);
  const y = (v) => t + (h - t - b) * (1 - v / top);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("width", "100%");
  let inner = `<text x="${l}" y="14" style="font-weight:600;fill:#1d2733">${title}</text>`;
  for (let m = 0; m <= months; m += roundMonths)
    inner += `<line x1="${x(m)}" x2="${x(m)}" y1="${t}" y2="${h - b}" stroke="#e4e7eb"/>` +
             `<text x="${x(m)}" y="${h - 8}" text-anchor="middle">${m}</text>`;
  for (const f of [0, 0.5, 1]) inner += `<text x="${l - 4}" y="${y(top * f / 1.08) + 4}" text-anchor="end">` +
                                       `${show(metric, top * f / 1.08)}</text>`;
  for (const line of lines) {
    const points = line.values.map((v, m) => `${x(m).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    inner += `<polyline fill="none" stroke="${line.colour}" stroke-width="${line.width || 1.8}" ` +
             `stroke-dasharray="${line.dash || ""}" points="${points}"/>`;
  }
  svg.innerHTML = inner;
  return svg;
}
function fill(id, ...nodes) { const node = $(id); node.replaceChildren(...nodes); return node; }
"""


def page(title: str, lang: str, boot: dict, body: str, script: str, other_lang_url: str) -> str:
    """A whole page: header with a link to the other language, ``body``, and ``script`` after the shared one."""
    boot = {**boot, "lang": lang, "words": page_words(lang)}
    data = json.dumps(boot, ensure_ascii=False).replace("</", "<\\/")
    # An empty icon: otherwise the browser asks for /favicon.ico, which nothing serves, and logs the 404.
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{html.escape(title)}</title>
<link rel="icon" href="data:,"><style>{STYLE}</style></head><body>
<header><h1>{html.escape(title)}</h1><a href="{html.escape(other_lang_url)}" data-testid="other-lang">{word('other_lang', lang)}</a></header>
<div id="lost" class="lost">{word('connection_lost', lang)}</div>
<main>{body}</main>
<script>const BOOT = {data};{SCRIPT}{script}</script></body></html>"""


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

START_SCRIPT = r"""
$("start").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = Object.fromEntries(new FormData($("start")));
  if (form.scenario_file.trim()) form.scenario = form.scenario_file.trim();
  delete form.scenario_file;
  try {
    const started = await api("POST", "/classroom/api/start", form);
    localStorage.setItem(`vs-trainer-${started.code}`, started.trainer);
    location.href = started.console;
  } catch (err) { $("start-error").textContent = err.message; }
});
"""

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

JOIN_SCRIPT = r"""
$("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = $("join-input").value.trim().toUpperCase();
  try {
    const joined = await api("POST", `/classroom/api/${encodeURIComponent(code || "-")}/join`, {name: $("team-name").value});
    localStorage.setItem(`vs-team-${joined.code}`, JSON.stringify({id: joined.team, token: joined.token}));
    location.href = `/join/${joined.code}?lang=${BOOT.lang}`;
  } catch (err) { $("join-error").textContent = err.message; }
});
"""

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

TEAM_SCRIPT = r"""
const handed = new URLSearchParams(location.hash.slice(1));  // a new phone, from the trainer's console
if (handed.get("token")) {
  localStorage.setItem(`vs-team-${BOOT.code}`, JSON.stringify({id: Number(handed.get("team")), token: handed.get("token")}));
  history.replaceState(null, "", location.pathname + location.search);
}
const saved = JSON.parse(localStorage.getItem(`vs-team-${BOOT.code}`) || "null");
BOOT.base = saved ? `/classroom/api/${BOOT.code}/teams/${saved.id}` : "";
let formRound = 0, costTimer = null, current = null;
function readPlan() {
  const plan = {};
  for (const path of BOOT.paths)
    plan[path] = {intensity: Number($(`i-${path}`).value), start: Number($(`s-${path}`).value)};
  return plan;
}
function buildForm(state) {
  const plan = state.submitted || state.last_plan;
  const rows = BOOT.paths.map((path) => {
    const choice = plan ? plan[path] : {intensity: 0, start: 1};
    const out = el("span", {class: "value", id: `v-${path}`, text: num(choice.intensity)});
    const slider = el("input", {type: "range", min: "0", max: "1", step: "0.05", id: `i-${path}`,
                                "data-testid": `intensity-${path}`, "aria-label": `${W["intervention." + path]} ${W.intensity}`});
    slider.value = choice.intensity;
    slider.addEventListener("input", () => { out.textContent = num(slider.value); priced(); });
    const start = el("select", {id: `s-${path}`, "data-testid": `start-${path}`, "aria-label": W.start_month});
    for (let m = 1; m <= state.round_months; m++) start.append(el("option", {value: m, text: String(m)}));
    start.value = Math.min(choice.start, state.round_months);
    start.addEventListener("change", priced);
    return el("div", {class: "path"}, el("span", {class: "name", text: W["intervention." + path]}), slider, out,
              el("label", {class: "when muted"}, W.start_month, start));
  });
  fill("paths", ...rows);
  formRound = state.round;
  priced();
}
function priced() {
  clearTimeout(costTimer);
  costTimer = setTimeout(async () => {
    try {
      const priced = await api("POST", `${BOOT.base}/cost`, {plan: readPlan()}, saved.token);
      $("plan-cost").textContent = fmt(W.plan_cost, {cost: money(priced.cost)});
      $("plan-error").textContent = priced.error || "";
    } catch (err) { $("plan-error").textContent = err.message; }
  }, 150);
}
$("plan").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("submit-plan").disabled = true;
  try {
    await api("POST", `${BOOT.base}/plan`, {plan: readPlan()}, saved.token);
    $("plan-error").textContent = "";
    $("plan-status").textContent = W.sent;
  } catch (err) { $("plan-error").textContent = err.message; }
  $("submit-plan").disabled = false;
});
function render(state) {
  current = state;
  $("team-title").textContent = fmt(W.your_team, {name: state.name});
  $("team-status").textContent = state.finished ? W.the_end :
    `${fmt(W.round_of, {r: state.round, n: state.rounds})} · ${state.submitted_count}/${state.teams_count} ${W.submitted}`;
  $("budget").textContent = fmt(W.budget_left, {left: money(state.remaining), total: money(state.budget)});
  $("plan-box").style.display = state.finished ? "none" : "";
  if (!state.finished) {
    $("plan-title").textContent = fmt(W.your_plan, {r: state.round, a: state.months[0], b: state.months[1]});
    if (formRound !== state.round) buildForm(state);
    $("plan-status").textContent = state.submitted ? W.sent : "";
    $("submit-plan").textContent = state.submitted ? W.resubmit : W.submit;
  }
  const months = state.rounds * state.round_months;
  if (state.round === 1) { fill("charts"); }  // nothing has run yet
  else fill("charts", ...["participation_rate", "project_uptake", "trust_mean"].map((metric) => chart(
    W["metric." + metric], [{values: state.baseline[metric], colour: "#9aa5b1", dash: "4 3"},
                            {values: state.series[metric], colour: "#b3261e", width: 2.4}], months, state.round_months, metric)));
  $("spending").textContent = fmt(W.spent_so_far, {spent: money(state.spent)});
  fill("events", ...(state.events.length ? state.events : [W.no_events]).map((line) => el("li", {text: line})));
  fill("history", ...state.plans.map((line, i) => el("li", {text: `${fmt(W.round_of, {r: i + 1, n: state.rounds})}: ${line}`})));
}
if (!saved) $("team-status").textContent = BOOT.no_token;
else watch(BOOT.base, saved.token, render, (message) => { $("team-status").textContent = message; });
"""

CONSOLE_BODY = """
<div class="grid">
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
<div class="grid"><div id="curves" data-testid="curves"></div><div><h2>{notable}</h2>
<ul id="events" class="plain" data-testid="room-events"></ul></div></div></section>
<section id="debrief" data-testid="debrief" style="display:none"><h2>{debrief}</h2>
<h2>{plans_by_round}</h2><table id="plans"></table>
<h2>{per_wan}</h2><p class="muted" id="per-wan-hint"></p><table id="per-path" data-testid="per-path"></table>
<h2>{best_plan}</h2><p id="best-plan" class="muted" data-testid="best-plan"></p></section>
<section class="control"><h2>{export}</h2>
<a id="export-csv" data-testid="export-csv">CSV</a> · <a id="export-png" data-testid="export-png">PNG</a> ·
<a id="export-json" data-testid="export-json">JSON</a> · <a id="projector-link" data-testid="projector-link">{projector}</a>
<p class="muted">{console_link} <span id="console-url" style="word-break:break-all"></span></p></section>
"""

CONSOLE_SCRIPT = r"""
const fromHash = new URLSearchParams(location.hash.slice(1)).get("k");
if (fromHash) localStorage.setItem(`vs-trainer-${BOOT.code}`, fromHash);
const trainer = fromHash || localStorage.getItem(`vs-trainer-${BOOT.code}`);
if (BOOT.view === "projector") document.body.classList.add("projector");
let room = null, force = false;
for (const o of BOOT.objectives) $("objective").append(el("option", {value: o, text: W["metric." + o]}));
$("objective").value = BOOT.objective;
$("objective").addEventListener("change", () => room && results(room));
$("advance").addEventListener("click", async () => {
  $("advance").disabled = true;
  try {
    await api("POST", `${BOOT.base}/advance`, {force}, trainer);
    $("console-message").textContent = ""; force = false;
  } catch (err) {
    $("console-message").textContent = err.message;
    if (err.key === "not_all") { force = true; $("advance").textContent = fmt(W.advance_force, {r: room.round}); }
  }
  $("advance").disabled = false;
});
function results(state) {
  const objective = $("objective").value;
  const done = state.round - 1;
  $("ranking-title").textContent = fmt(W.ranking, {r: done});
  const measures = ["participation_rate", "project_uptake", "trust_mean"];
  const bold = (metric) => metric === objective ? "font-weight:700" : "";
  const head = el("tr", {}, el("th", {text: W.rank}), el("th", {text: W.team}),
      ...measures.map((m) => el("th", {text: W["metric." + m], style: bold(m)})),
      el("th", {text: `${W.vs_baseline} (${W["metric." + objective]})`}), el("th", {text: W.spent}));
  const rows = state.ranking[objective].map((row, i) => el("tr", {"data-team": row.name},
      el("td", {text: String(i + 1)}), el("td", {text: row.name}),
      ...measures.map((m) => el("td", {text: show(m, row[m]), style: bold(m)})),
      el("td", {text: (row.gain >= 0 ? "+" : "") + show(objective, row.gain)}),
      el("td", {text: money(row.cost_cumulative)})));
  fill("ranking", head, ...rows);
  const months = state.rounds * state.round_months;
  const lines = state.teams.map((team) => ({values: state.series[team.id][objective], colour: colour(team.id)}));
  lines.push({values: state.baseline[objective], colour: "#52606d", dash: "5 4", width: 2});  // on top
  const legend = el("div", {class: "muted"}, el("span", {class: "chip", text: "- - " + W.baseline}),
      ...state.teams.map((team) => el("span", {class: "chip", style: `color:${colour(team.id)}`, text: "— " + team.name})));
  fill("curves", chart(W.all_curves, lines, months, state.round_months, objective), legend);
  fill("events", ...(state.events.length ? state.events : [W.no_events]).map((line) => el("li", {text: line})));
  if (state.debrief) debrief(state, objective);
}
function debrief(state, objective) {
  $("debrief").style.display = "";
  const rounds = Array.from({length: state.rounds}, (_, i) => fmt(W.round_of, {r: i + 1, n: state.rounds}));
  fill("plans", el("tr", {}, el("th", {text: W.team}), ...rounds.map((t) => el("th", {text: t}))),
       ...state.debrief.plans.map((team) => el("tr", {"data-team": team.name}, el("td", {text: team.name}),
           ...team.rounds.map((t) => el("td", {text: t, style: "text-align:left"})))));
  $("per-wan-hint").textContent = state.debrief.ready ? fmt(W.per_wan_hint, {metric: W["metric." + objective]}) : W.computing;
  const rows = (state.debrief.per_path[objective] || []).map((row) => el("tr", {"data-path": row.path}, ...[
      W["intervention." + row.path], String(row.teams), money(row.cost), show(objective, row.gain),
      row.per_wan === null ? "–" : show(objective, row.per_wan)].map((t) => el("td", {text: t}))));
  fill("per-path", el("tr", {}, ...[W.path, W.teams_used, W.spent_total, W.gain_total, W.per_wan_col]
      .map((t) => el("th", {text: t}))), ...rows);
  $("best-plan").textContent = state.debrief.best_plan || (state.debrief.best_plan_ready ? W.no_planner : W.planning);
}
async function rejoin(team) {
  try {
    const handed = await api("POST", `${BOOT.base}/teams/${team.id}/rejoin`, {}, trainer);
    fill("rejoin", fmt(W.rejoin_hint, {name: team.name}), el("br"), el("b", {text: handed.url}));
  } catch (err) { $("console-message").textContent = err.message; }
}
function render(state) {
  room = state;
  $("join-code").textContent = state.code;
  $("join-url").textContent = state.join_url;
  if (!$("qr").getAttribute("src")) $("qr").src = `/classroom/${state.code}/qr.svg`;
  $("round-title").textContent = state.finished ? W.finished :
    `${fmt(W.round_of, {r: state.round, n: state.rounds})} (${fmt(W.months_of, {a: state.months[0], b: state.months[1]})})`;
  fill("teams", ...(state.teams.length ? state.teams.map((team) => el("span", {
      class: "chip" + (team.submitted ? " done" : ""), "data-team": team.name, "data-submitted": String(team.submitted)},
      state.finished ? team.name : `${team.name} · ${team.submitted ? W.submitted : W.waiting} `,
      el("a", {href: "#", class: "control", "data-testid": `rejoin-${team.id}`, text: W.rejoin,
               onclick: (event) => { event.preventDefault(); rejoin(team); }})))
      : [W.no_teams]));
  $("advance").style.display = state.finished ? "none" : "";
  if (!force) $("advance").textContent = fmt(W.advance, {r: state.round});
  $("results").style.display = state.round > 1 ? "" : "none";
  if (state.round > 1) results(state);
  const key = encodeURIComponent(trainer);
  for (const kind of ["csv", "png", "json"]) $(`export-${kind}`).href = `/classroom/${state.code}/export.${kind}?k=${key}`;
  $("projector-link").href = `/classroom/${state.code}?view=projector&lang=${BOOT.lang}#k=${key}`;
  $("console-url").textContent = `${location.origin}/classroom/${state.code}?lang=${BOOT.lang}#k=${trainer}`;
}
if (!trainer) $("console-message").textContent = BOOT.no_token;
else watch(`${BOOT.base}/room`, trainer, render, (message) => { $("console-message").textContent = message; });
"""


def fill(template: str, lang: str, **values) -> str:
    """A page body: the template's ``{key}`` words in ``lang``, and ``values`` (escaped by the caller)."""
    words = {key: html.escape(value) for key, value in page_words(lang).items() if "." not in key}
    return template.format(**{**words, **values})
