// Shared by every classroom page: BOOT (words and settings, set by the page), the server's API,
// the long-poll loop and the SVG charts.
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
  // In projection mode the type is larger (classroom.css), so the margins that hold it are too.
  const big = document.body.classList.contains("projection");
  const w = 360, h = 190, l = big ? 62 : 44, r = 8, t = big ? 30 : 22, b = big ? 34 : 24;
  const all = lines.flatMap((line) => line.values);
  const top = Math.max(1e-9, ...all) * 1.08;
  const x = (m) => l + (w - l - r) * m / Math.max(months, 1);
  const y = (v) => t + (h - t - b) * (1 - v / top);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("width", "100%");
  let inner = `<text x="${l}" y="${big ? 20 : 14}" style="font-weight:600;fill:#1d2733">${title}</text>`;
  for (let m = 0; m <= months; m += roundMonths)
    inner += `<line x1="${x(m)}" x2="${x(m)}" y1="${t}" y2="${h - b}" stroke="#e4e7eb"/>` +
             `<text x="${x(m)}" y="${h - (big ? 6 : 8)}" text-anchor="middle">${m}</text>`;
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
