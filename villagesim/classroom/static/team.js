// A team's page: its plan for the round, its cost, its village's curves and events.
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
