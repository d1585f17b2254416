/* launchwatch dashboard: Leaflet map (offline base map from world-atlas), live run feed over
   the /ws/live WebSocket, timeline, and the launch event records with search.
   Element ids / classes used by the browser test: #verdict, #status, body[data-run-state],
   path.lw-track, path.lw-ellipse, path.lw-warned, #timeline, #events.
   Security: no string from the service is ever parsed as HTML. Text goes in through
   textContent and DOM nodes only (tooltips get DOM elements from tip(), never HTML strings),
   and the page runs under a Content-Security-Policy without inline script. */
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
// A tooltip's content as DOM: one text line per argument (never parsed as HTML).
const tip = (...lines) => {
  const d = document.createElement("div");
  lines.forEach((line, i) => { if (i) d.append(document.createElement("br")); d.append(String(line)); });
  return d;
};
const fmt = (x, nd = 1) => (x === null || x === undefined ? "–" : Number(x).toFixed(nd));
const ZONE = { eez: "EEZ", territorial_sea: "territorial sea", land: "land", high_seas: "high seas" };
const zoneText = (v) => (v && v.kind ? (ZONE[v.kind] || v.kind) + (v.country ? " of " + v.country : "") : "–");
const clock = (iso) => (iso ? iso.slice(11, 19) : "");

// ---------------------------------------------------------------------------------- map
const map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, minZoom: 3, maxZoom: 10 })
  .setView([38.5, 132], 5.25);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution("Natural Earth via world-atlas; areas: JMA, NGII");
for (const [name, z] of [["base", 200], ["zones", 350], ["areas", 380], ["run", 450], ["marks", 620]]) {
  map.createPane(name).style.zIndex = z;
}

fetch("/static/vendor/countries-50m.json").then((r) => r.json()).then((topo) => {
  const land = topojson.feature(topo, topo.objects.countries);
  L.geoJSON(land, {
    pane: "base", interactive: false,
    style: { className: "lw-land", color: "#9c9788", weight: 0.6, fillColor: "#efe9dc", fillOpacity: 1 },
  }).addTo(map);
});

fetch("/api/zones/lines").then((r) => r.json()).then((fc) => {
  L.geoJSON(fc, {
    pane: "zones", interactive: false,
    style: (f) => ({ className: "lw-eez", color: "#1f5f99", weight: f.properties.kind === "limit" ? 1.2 : 1,
                     dashArray: f.properties.kind === "limit" ? "5 4" : "2 3", opacity: 0.75 }),
  }).addTo(map);
}).catch(() => {});

fetch("/api/sites").then((r) => r.json()).then((fc) => {
  L.geoJSON(fc, {
    pane: "marks",
    pointToLayer: (f, ll) => L.circleMarker(ll, { pane: "marks", radius: 3.5, color: "#111", weight: 1,
                                                   fillColor: "#333", fillOpacity: 0.9, className: "lw-site" })
      .bindTooltip(tip(`${f.properties.name} (${f.properties.province})`)),
  }).addTo(map);
});

// ---------------------------------------------------------------------------------- run state
let current = null; // {id, tracks: Map, layers: L.LayerGroup, ...}
const runLayer = L.layerGroup().addTo(map);
const areaCache = new Map();

function resetRun(id) {
  runLayer.clearLayers();
  current = { id, tracks: new Map(), preds: new Map(), warnedLayer: L.layerGroup().addTo(runLayer),
              firstTrack: new Set(), lastVerdict: new Map(), offset: "", bounds: L.latLngBounds([]) };
  $("#timeline").replaceChildren();
  $("#prediction").replaceChildren(el("h2", {}, "Impact prediction"),
                                   el("p", { class: "muted" }, "waiting for a confirmed track"));
  setVerdict("tracking…", "live");
}

function setVerdict(text, cls) {
  const v = $("#verdict");
  v.textContent = text;
  v.className = cls;
}

function addTimeline(time, text, cls = "") {
  const li = el("li", cls ? { class: cls } : {});
  li.append(el("time", {}, clock(time)), el("span", {}, text));
  $("#timeline").append(li);
  li.scrollIntoView({ block: "nearest" });
}

function onScenario(m) {
  current.offset = m.utc_offset;
  $("#tz").textContent = `(local time, UTC${m.utc_offset})`;
  for (const l of m.launches) {
    const ll = [l.lat, l.lon];
    L.circleMarker(ll, { pane: "marks", radius: 7, color: "#111", weight: 2, fillColor: "#ffd43b",
                         fillOpacity: 1, className: "lw-launch" })
      .bindTooltip(tip(`${l.id}: ${l.site || "launch point"}`), { permanent: true, direction: "left", className: "lw-label" })
      .addTo(runLayer);
    current.bounds.extend(ll);
  }
  addTimeline(m.time, `scenario ${m.name}: ${m.description}`);
}

function onTrack(m) {
  for (const t of m.tracks) {
    let tr = current.tracks.get(t.track_id);
    const ll = [t.lat, t.lon];
    if (!tr) {
      tr = {
        line: L.polyline([], { pane: "run", color: "#d62728", weight: 3, className: "lw-track" }).addTo(runLayer),
        head: L.circleMarker(ll, { pane: "marks", radius: 5, color: "#fff", weight: 1.5, fillColor: "#d62728",
                                   fillOpacity: 1, className: "lw-track-head" }).addTo(runLayer),
      };
      current.tracks.set(t.track_id, tr);
      addTimeline(m.time, `track T${t.track_id} confirmed at ${fmt(t.height_km, 0)} km, ${fmt(t.speed_km_s, 2)} km/s`);
    }
    tr.line.addLatLng(ll);
    tr.head.setLatLng(ll).bindTooltip(tip(`T${t.track_id}: ${fmt(t.height_km, 0)} km, ${fmt(t.speed_km_s, 2)} km/s`));
    current.bounds.extend(ll);
  }
}

// A track's prediction is dropped once other tracks have been assessed for this long without it
// (a track that broke and was taken over by a new one).
const STALE_S = 20;

function onAssessment(m) {
  const now = new Set(m.predictions.map((p) => p.track_id));
  for (const [tid, pr] of current.preds) {
    if (!now.has(tid) && m.t_s - pr.t_s > STALE_S) {
      for (const l of [pr.ellipse, pr.path, pr.impact]) runLayer.removeLayer(l);
      current.preds.delete(tid);
      const tr = current.tracks.get(tid);
      if (tr) { tr.line.setStyle({ opacity: 0.45 }); runLayer.removeLayer(tr.head); }
    }
  }
  for (const p of m.predictions) {
    let pr = current.preds.get(p.track_id);
    const ring = p.ellipse_95.map(([lon, lat]) => [lat, lon]);
    const path = p.path.map(([lon, lat]) => [lat, lon]);
    if (!pr) {
      pr = {
        ellipse: L.polygon(ring, { pane: "run", color: "#7b2cbf", weight: 1.5, fillColor: "#7b2cbf",
                                   fillOpacity: 0.25, className: "lw-ellipse" }).addTo(runLayer),
        path: L.polyline(path, { pane: "run", color: "#7b2cbf", weight: 2, dashArray: "6 5",
                                 className: "lw-predicted" }).addTo(runLayer),
        impact: L.circleMarker([p.impact_lat, p.impact_lon], { pane: "marks", radius: 4, color: "#7b2cbf",
                                                               weight: 2, fillColor: "#fff", fillOpacity: 1,
                                                               className: "lw-impact" }).addTo(runLayer),
      };
      pr.keptAt = m.t_s;
      current.preds.set(p.track_id, pr);
      if (current.preds.size === 1 && !current.fitted) { current.fitted = true; fitRun(6); }
      addTimeline(m.time, `first impact prediction (T${p.track_id}): ${zoneText(p.verdict)}, ${p.range_class || ""}`);
    } else {
      if (m.t_s - pr.keptAt >= 30) {  // a faint trail of earlier ellipses: how they shrank
        L.polygon(pr.ellipse.getLatLngs(), { pane: "run", color: "#7b2cbf", weight: 0.8, opacity: 0.45,
                                             fill: false, dashArray: "2 3", className: "lw-ellipse-old",
                                             interactive: false }).addTo(runLayer);
        pr.keptAt = m.t_s;
      }
      pr.ellipse.setLatLngs(ring);
      pr.path.setLatLngs(path);
      pr.impact.setLatLng([p.impact_lat, p.impact_lon]);
    }
    pr.t_s = m.t_s;
    pr.impact.unbindTooltip().bindTooltip(tip(`T${p.track_id} impact ${clock(p.impact_time)}`,
                                              `${zoneText(p.verdict)}, ` +
                          `95 %: ${fmt(p.ellipse_95_km?.[0], 1)} × ${fmt(p.ellipse_95_km?.[1], 1)} km`),
                          { permanent: true, direction: "right", offset: [8, 0], className: "lw-label lw-impact-label" });
    const verdict = zoneText(p.verdict);
    if (current.lastVerdict.get(p.track_id) !== verdict) {
      if (current.lastVerdict.has(p.track_id)) addTimeline(m.time, `T${p.track_id} verdict now ${verdict}`);
      current.lastVerdict.set(p.track_id, verdict);
    }
    showPrediction(m, p);
    if (!$("#verdict").classList.contains("warning")) {
      setVerdict(`tracking — predicted impact in ${verdict}`, "live");
    }
  }
}

// The missile's apogee (highest over its tracks so far: a track that took over after a break
// only sees the descent), with the current track's own figure when it is lower.
function apogeeText(missile, km, trackKm) {
  let text = `${fmt(km, 0)} km` + (missile ? ` (${missile})` : "");
  if (trackKm !== null && trackKm !== undefined && km !== null && km !== undefined && km - trackKm >= 1) {
    text += `; this track ${fmt(trackKm, 0)} km`;
  }
  return text;
}

function showPrediction(m, p) {
  const probs = Object.entries(p.zone_probs || {}).sort((a, b) => b[1] - a[1]).slice(0, 4)
    .map(([k, v]) => `${k.replace("territorial_sea", "terr. sea").replace(":", " ")} ${(100 * v).toFixed(0)} %`).join(", ");
  const rows = [
    ["as of", `${clock(m.time)} (T${p.track_id})`],
    ["impact", `${fmt(p.impact_lat, 3)} N, ${fmt(p.impact_lon, 3)} E`],
    ["impact time", clock(p.impact_time)],
    ["verdict", zoneText(p.verdict)],
    ["zones", probs || "–"],
    ["P(Japan EEZ)", fmt(p.p_japan_eez, 2)],
    ["class", `${p.range_class || "–"} (p ${fmt(p.range_class_prob, 2)})`],
    ["apogee", apogeeText(p.missile ?? null, p.missile_apogee_km ?? p.apogee_km, p.apogee_km)],
    ["95 % ellipse", `${fmt(p.ellipse_95_km?.[0], 1)} × ${fmt(p.ellipse_95_km?.[1], 1)} km`],
  ];
  const dl = el("dl");
  for (const [k, v] of rows) dl.append(el("dt", {}, k), el("dd", k === "apogee" ? { id: "pred-apogee" } : {}, v));
  const box = $("#prediction");
  box.replaceChildren(el("h2", {}, "Impact prediction"), dl);
}

async function areaLayer(codes) {
  const missing = codes.filter((c) => !areaCache.has(c));
  if (missing.length) {
    const fc = await (await fetch("/api/areas?code=" + encodeURIComponent(missing.join(",")))).json();
    for (const f of fc.features || []) areaCache.set(f.properties.code, f);
  }
  return codes.map((c) => areaCache.get(c)).filter(Boolean);
}

async function onWarning(m) {
  const names = m.areas.map((a) => a.name).join(", ") || "–";
  addTimeline(m.time, `warning ${m.kind} (${m.jalert.replace("_", " ")}): ${names}`, "warning");
  const feats = await areaLayer(m.open_areas.map((a) => a.code));
  current.warnedLayer.clearLayers();
  L.geoJSON({ type: "FeatureCollection", features: feats }, {
    pane: "areas",
    style: { className: "lw-warned", color: "#c2410c", weight: 1, fillColor: "#e8590c", fillOpacity: 0.5 },
    onEachFeature: (f, layer) => layer.bindTooltip(tip(f.properties.name)),
  }).addTo(current.warnedLayer);
  if (m.open_areas.length) {
    setVerdict("WARNING: " + m.open_areas.map((a) => a.name).join(", "), "warning");
  }
}

function onSummary(m) {
  setVerdict(m.verdict, m.no_warning ? "no-warning" : "warning");
  $("#timeline").replaceChildren();
  for (const e of m.timeline) {
    const cls = e.text.startsWith("warning") ? "warning" : e.text.startsWith("no warning") ? "verdict" : "";
    addTimeline(e.time, e.text, cls);
  }
  addTimeline(m.time, m.verdict, "verdict");
  const ap = $("#pred-apogee");
  if (ap && m.missiles && m.missiles.length) {
    ap.textContent = m.missiles.map((x) => `${fmt(x.apogee_km, 0)} km (${x.missile})`).join(", ");
  }
  fitRun();
}

function fitRun(maxZoom = 7) {
  const b = L.latLngBounds([]);
  runLayer.eachLayer((l) => { if (l.getBounds) b.extend(l.getBounds()); else if (l.getLatLng) b.extend(l.getLatLng()); });
  if (b.isValid()) map.fitBounds(b.pad(0.25), { maxZoom });
}

const STATE_TEXT = {
  queued: "queued", computing: "computing the chain (sense → track → assess → warn)…",
  replaying: "live replay", done: "run finished", failed: "run failed",
};

function onRun(m) {
  document.body.dataset.runState = m.state;
  let text = STATE_TEXT[m.state] || m.state;
  if (m.state === "replaying") text += ` at ${m.speed}×`;
  if (m.state === "failed" && m.error) { text += ": " + m.error; setVerdict("run failed", ""); }
  $("#status").textContent = `${m.scenario} #${m.run_id}: ${text}`;
  $("#run").disabled = ["queued", "computing", "replaying"].includes(m.state);
  if (m.state === "replaying") fitRun(5.5);
  if (m.state === "done") loadEvents();  // the finished run is in the record now
}

function handle(m) {
  if (m.type === "hello") return;
  if (m.run_id === undefined) return;
  if (!current || m.run_id > current.id) resetRun(m.run_id);
  if (m.run_id < current.id) return;
  if (m.time) $("#clock").textContent = `${clock(m.time)} UTC${m.time.slice(19)}`;
  switch (m.type) {
    case "run": onRun(m); break;
    case "scenario": onScenario(m); break;
    case "track": onTrack(m); break;
    case "assessment": onAssessment(m); break;
    case "warning": onWarning(m); break;
    case "summary": onSummary(m); break;
  }
}

// ---------------------------------------------------------------------------------- feed
let wsDelay = 500;
function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/live`);
  ws.onopen = () => { wsDelay = 500; document.body.dataset.ws = "open"; };
  ws.onmessage = (ev) => { try { handle(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
  ws.onclose = () => { document.body.dataset.ws = "closed"; setTimeout(connect, wsDelay); wsDelay = Math.min(wsDelay * 2, 8000); };
}
connect();

// ---------------------------------------------------------------------------------- API key
// Writes (starting a run) need a key of role operator; it is kept for this tab only
// (sessionStorage), never in localStorage or a cookie.
const KEY_ITEM = "launchwatch-api-key";
function authHeaders() {
  const key = sessionStorage.getItem(KEY_ITEM);
  return key ? { Authorization: `Bearer ${key}` } : {};
}
function showKeyState() {
  const has = Boolean(sessionStorage.getItem(KEY_ITEM));
  $("#key-state").textContent = has ? "key set for this tab" : "no key: read-only";
  document.body.dataset.key = has ? "set" : "none";
}
$("#key-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const v = $("#api-key").value.trim();
  if (v) sessionStorage.setItem(KEY_ITEM, v); else sessionStorage.removeItem(KEY_ITEM);
  $("#api-key").value = "";
  showKeyState();
});
showKeyState();

// ---------------------------------------------------------------------------------- controls
fetch("/api/scenarios").then((r) => r.json()).then((list) => {
  const sel = $("#scenario");
  for (const s of list) sel.append(el("option", { value: s.name, title: s.description }, s.name));
  sel.value = list.some((s) => s.name === "reference-2025-11-07") ? "reference-2025-11-07" : (list[0] || {}).name;
});

$("#run-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const name = $("#scenario").value;
  const speed = Number($("#speed").value) || 20;
  $("#run").disabled = true;
  const r = await fetch(`/api/scenarios/${encodeURIComponent(name)}/run?speed=${speed}`,
                        { method: "POST", headers: authHeaders() });
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    $("#status").textContent = `cannot start: ${body.detail || r.status}`;
    $("#run").disabled = false;
  }
});

// ---------------------------------------------------------------------------------- records
const eventLayer = L.layerGroup().addTo(map);
async function loadEvents() {
  const q = $("#event-search").value.trim();
  // the newest 500 (paged in the database), newest first
  const r = await fetch("/api/events?reports=true&simulated=true&limit=500&order=desc" + (q ? "&q=" + encodeURIComponent(q) : ""));
  const tbody = $("#events tbody");
  if (!r.ok) { tbody.replaceChildren(); return; }
  const events = await r.json();
  tbody.replaceChildren();
  eventLayer.clearLayers();
  for (const e of events) {
    const tr = el("tr", { "data-id": e.id });
    const dis = (e.disagreements || []).length;
    const cells = [
      e.launch_date, e.launch_time_local ? `${e.launch_time_local} (UTC${e.utc_offset || "?"})` : "–",
      e.site_name || "–", e.missile_name || "–", e.missile_class || "–", e.landing_area || "–",
      zoneText({ kind: e.zone_kind, country: e.zone_country }), (e.authorities || []).join(", "),
      dis ? `${dis} field${dis > 1 ? "s" : ""}` : "",
    ];
    cells.forEach((c, i) => tr.append(el("td", i === 8 ? { class: "dis" } : {}, c)));
    tbody.append(tr);
    if (e.landing_lat_deg !== null && e.landing_lon_deg !== null) {
      L.circleMarker([e.landing_lat_deg, e.landing_lon_deg], { pane: "marks", radius: 3, color: "#555",
                                                               weight: 1, fillColor: "#aaa", fillOpacity: 0.8,
                                                               className: "lw-event" })
        .bindTooltip(tip(`${e.launch_date} ${e.site_name || ""}: ${e.landing_area || "landing point"}`)).addTo(eventLayer);
    }
  }
  $("#event-count").textContent = `${events.length} event${events.length === 1 ? "" : "s"}`;
}
let searchTimer = null;
$("#event-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(loadEvents, 250); });
loadEvents();
setInterval(loadEvents, 30000);
