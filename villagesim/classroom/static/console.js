// The trainer's console and the projector's view: teams, rounds, ranking, curves, debrief.
const fromHash = new URLSearchParams(location.hash.slice(1)).get("k");
if (fromHash) localStorage.setItem(`vs-trainer-${BOOT.code}`, fromHash);
const trainer = fromHash || localStorage.getItem(`vs-trainer-${BOOT.code}`);
if (BOOT.view === "projector") document.body.classList.add("projector");
// Projection mode: large type for a room, the latest events in view. One click on the toggle, kept in this
// browser (localStorage) and in the address (?projection=1), which also opens it directly.
function projecting() {
  const asked = new URLSearchParams(location.search).get("projection");
  return asked === null ? localStorage.getItem("vs-projection") === "1" : asked === "1";
}
function setProjection(on) {
  document.body.classList.toggle("projection", on);
  localStorage.setItem("vs-projection", on ? "1" : "0");
  const address = new URL(location.href);
  if (on) address.searchParams.set("projection", "1"); else address.searchParams.delete("projection");
  history.replaceState(null, "", address.pathname + address.search + address.hash);
  $("projection").textContent = on ? W.projection_off : W.projection_on;
  $("projection").setAttribute("aria-pressed", String(on));
  if (room) render(room);  // the curves are drawn for the mode's type size
}
$("projection").addEventListener("click", () => setProjection(!document.body.classList.contains("projection")));
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
  const checking = state.debrief.best_plan && !state.debrief.surety_ready;
  const surety = state.debrief.surety || [checking ? W.checking_surety : ""];
  fill("surety", ...surety.flatMap((line, i) => i ? [el("br"), line] : [line]));
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
setProjection(projecting());
if (!trainer) $("console-message").textContent = BOOT.no_token;
else watch(`${BOOT.base}/room`, trainer, render, (message) => { $("console-message").textContent = message; });
