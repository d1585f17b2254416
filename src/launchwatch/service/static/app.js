/* launchwatch dashboard: Leaflet map (offline base map from world-atlas), live run feed over
   the /ws/live WebSocket, timeline, and the launch event records with search.
   Element ids / classes used by the browser test: #verdict, #status, body[data-run-state],
   path.lw-track, path.lw-ellipse, path.lw-warned, #timeline, #events, #warning-list,
   #run-progress, #event-detail, #side-view.
   Security: no string from the service is ever parsed as HTML; the page runs under a
   Content-Security-Policy without inline script.
   Data goes into the page as text only (textContent, DOM nodes; tooltips get DOM nodes). The
   warnings drawn are the server's current state (the "state" of the latest warning or summary
   message), never a history the page happened to see. */
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
const textNode = (text) => el("span", {}, text);  // tooltip content as a text node, never HTML

// ---------------------------------------------------------------------------------- map
const map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, minZoom: 3, maxZoom: 10 })
  .setView([38.5, 132], 5.25);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution("Natural Earth via world-atlas; areas: JMA, NGII");
L.control.scale({ position: "bottomleft", imperial: false, maxWidth: 140 }).addTo(map);

// graticule every 5 degrees (10 when zoomed out), with labels on the map's edges
const gratLayer = L.layerGroup().addTo(map);
function drawGraticule() {
  gratLayer.clearLayers();
  const step = map.getZoom() < 4.5 ? 10 : 5;
  const b = map.getBounds();
  const style = { pane: "zones", color: "#7d9cbf", weight: 0.5, opacity: 0.6, interactive: false,
                  className: "lw-graticule" };
  for (let lat = Math.ceil(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step) {
    L.polyline([[lat, b.getWest() - 5], [lat, b.getEast() + 5]], style).addTo(gratLayer);
    L.marker([lat, b.getWest()], { pane: "zones", interactive: false, icon: L.divIcon({
      className: "lw-grat-label", html: "", iconSize: [30, 12], iconAnchor: [-2, 12] }) })
      .addTo(gratLayer).getElement()?.append(`${lat}°N`);
  }
  for (let lon = Math.ceil(b.getWest() / step) * step; lon <= b.getEast(); lon += step) {
    L.polyline([[b.getSouth() - 5, lon], [b.getNorth() + 5, lon]], style).addTo(gratLayer);
    L.marker([b.getNorth(), lon], { pane: "zones", interactive: false, icon: L.divIcon({
      className: "lw-grat-label", html: "", iconSize: [36, 12], iconAnchor: [-2, -2] }) })
      .addTo(gratLayer).getElement()?.append(`${lon}°E`);
  }
}
for (const [name, z] of [["base", 200], ["zones", 350], ["areas", 380], ["run", 450], ["marks", 620]]) {
  map.createPane(name).style.zIndex = z;
}
map.on("moveend", drawGraticule);
drawGraticule();

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
      .bindTooltip(textNode(`${f.properties.name} (${f.properties.province})`)),
  }).addTo(map);
});

// ---------------------------------------------------------------------------------- run state
let current = null; // {id, tracks: Map, layers: L.LayerGroup, ...}
const runLayer = L.layerGroup().addTo(map);
const areaCache = new Map();

function resetRun(id) {
  runLayer.clearLayers();
  current = { id, tracks: new Map(), preds: new Map(), warnedLayer: L.layerGroup().addTo(runLayer),
              firstTrack: new Set(), lastVerdict: new Map(), offset: "", bounds: L.latLngBounds([]),
              lastP: new Map(), lastFollow: -1e9 };
  $("#timeline").replaceChildren();
  $("#clock").textContent = "";  // a new run starts its own clock
  $("#warning-list").replaceChildren();
  $("#warnings").hidden = true;
  $("#prediction").replaceChildren(el("h2", {}, "Impact prediction"),
                                   el("p", { class: "muted" }, "waiting for a confirmed track"));
  setVerdict("waiting for the run…", "live");
  resetRunSide();
}

function setVerdict(text, cls) {
  const v = $("#verdict");
  v.textContent = text;
  v.className = cls;
}

function addTimeline(time, text, cls = "") {
  const li = el("li", cls ? { class: cls } : {});
  li.append(el("time", {}, clock(time)), el("span", {}, text));
  const ol = $("#timeline");
  ol.append(li);
  ol.scrollTop = ol.scrollHeight;  // the list scrolls, never the page (phones)
}

function onScenario(m) {
  current.offset = m.utc_offset;
  $("#tz").textContent = `(local time, UTC${m.utc_offset})`;
  // one label per launch site ("K1–K4: Kusong"), so a salvo's labels do not pile up
  const bySite = new Map();
  for (const l of m.launches) {
    const key = l.site || `${l.lat.toFixed(2)},${l.lon.toFixed(2)}`;
    if (!bySite.has(key)) bySite.set(key, []);
    bySite.get(key).push(l);
  }
  for (const [site, group] of bySite) {
    group.forEach((l, i) => {
      const mk = L.circleMarker([l.lat, l.lon], { pane: "marks", radius: 7, color: "#111", weight: 2,
                                                  fillColor: "#ffd43b", fillOpacity: 1, className: "lw-launch" })
        .addTo(runLayer);
      const ids = group.length > 2 ? `${group[0].id}–${group[group.length - 1].id}` : group.map((g) => g.id).join(", ");
      if (i === 0) mk.bindTooltip(textNode(`${ids}: ${l.site ? site : "launch point"}`),
                                  { permanent: true, direction: "left", className: "lw-label" });
      else mk.bindTooltip(textNode(`${l.id}: ${l.site || "launch point"}`));
      current.bounds.extend([l.lat, l.lon]);
    });
  }
  addTimeline(m.time, `scenario ${m.name}: ${m.description}`);
  current.launches = m.launches;
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
    noteSideTrack(t);
    tr.line.addLatLng(ll);
    tr.head.setLatLng(ll).unbindTooltip()
      .bindTooltip(textNode(`T${t.track_id}: ${fmt(t.height_km, 0)} km, ${fmt(t.speed_km_s, 2)} km/s`));
    current.bounds.extend(ll);
  }
}

// A track's prediction is dropped once other tracks have been assessed for this long without it
// (a track that broke and was taken over by a new one) -- unless its predicted impact time had
// come within that span: a missile that landed keeps its last prediction (a salvo's table lists
// every missile to the end, not only those still flying).
const STALE_S = 20;

function landedBy(p, t_s) {
  return p && Number.isFinite(p.impact_t_s) && t_s >= p.impact_t_s - STALE_S;
}

function onAssessment(m) {
  const now = new Set(m.predictions.map((p) => p.track_id));
  for (const [tid, pr] of current.preds) {
    if (!now.has(tid) && m.t_s - pr.t_s > STALE_S && !landedBy(current.lastP.get(tid), m.t_s)) {
      for (const l of [pr.ellipse, pr.path, pr.impact]) runLayer.removeLayer(l);
      current.preds.delete(tid);
      current.lastP.delete(tid);
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
    // permanent labels only while they cannot collide (one or two tracks); a salvo's are on hover
    // and every prediction is in the side panel
    const label = el("span", {});
    label.append(`T${p.track_id} impact ${clock(p.impact_time)}`, el("br"),
                 `${zoneText(p.verdict)}, 95 %: ${fmt(p.ellipse_95_km?.[0], 1)} × ${fmt(p.ellipse_95_km?.[1], 1)} km`);
    const few = current.preds.size <= 2;
    pr.impact.unbindTooltip().bindTooltip(label, few
      // "auto": left of an impact in the map's right half (on a phone a right-hand label ran
      // off the map's edge)
      ? { permanent: true, direction: "auto", offset: [8, 0], className: "lw-label lw-impact-label" }
      : { direction: "right", offset: [8, 0] });
    const verdict = zoneText(p.verdict);
    if (current.lastVerdict.get(p.track_id) !== verdict) {
      if (current.lastVerdict.has(p.track_id)) addTimeline(m.time, `T${p.track_id} verdict now ${verdict}`);
      current.lastVerdict.set(p.track_id, verdict);
    }
    current.lastP.set(p.track_id, p);
    noteSidePrediction(p);
    if (!$("#verdict").classList.contains("warning")) {
      setVerdict(`tracking — predicted impact in ${verdict}`, "live");
    }
  }
  if (current.lastP.size > 1) showPredictions(m); else if (m.predictions.length) showPrediction(m, m.predictions[m.predictions.length - 1]);
  followRun(m.t_s);
  drawRunSide();
}

// A salvo: every active track's prediction, one row each.
function showPredictions(m) {
  const table = el("table");
  const head = el("tr");
  for (const h of ["track", "impact", "time", "verdict", "class", "95 % km"]) head.append(el("th", {}, h));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const p of [...current.lastP.values()].sort((a, b) => a.track_id - b.track_id)) {
    const tr = el("tr");
    for (const c of [`T${p.track_id}${p.missile ? " (" + p.missile + ")" : ""}`,
                     `${fmt(p.impact_lat, 2)} N ${fmt(p.impact_lon, 2)} E`, clock(p.impact_time),
                     zoneText(p.verdict), p.range_class || "–",
                     `${axisKm(p.ellipse_95_km?.[0])} × ${axisKm(p.ellipse_95_km?.[1])}`]) tr.append(el("td", {}, c));
    table.tBodies[0].append(tr);
  }
  $("#prediction").replaceChildren(el("h2", {}, `Impact predictions (${current.lastP.size} tracks, ${clock(m.time)})`),
                                   table);
}

// Keep the tracks, the predicted impacts and the warned areas in view during a run: refit when
// one of them leaves the view (at most every 5 s of scenario time).
function followRun(t_s) {
  if (t_s - current.lastFollow < 5) return;
  const b = runBounds();
  if (!b.isValid()) return;
  if (!map.getBounds().contains(b)) {
    current.lastFollow = t_s;
    map.fitBounds(b.pad(0.15), { maxZoom: 7, animate: false, paddingTopLeft: [SITE_LABEL_PX, 0] });
  }
}

// What the view follows: tracks, impacts, warned areas and the current ellipses, but not the
// trail of earlier ellipses nor an ellipse wider than a region (a boosting track's fan spans an
// ocean: its impact point stays in view, the whole fan would zoom the map out to the globe).
function runBounds() {
  const b = L.latLngBounds([]);
  runLayer.eachLayer((l) => {
    const cls = (l.options && l.options.className) || "";
    if (cls.includes("lw-ellipse-old")) return;
    if (cls.includes("lw-ellipse") && l.getBounds && l.getBounds().isValid()) {
      const e = l.getBounds();
      if (e.getEast() - e.getWest() > 30 || e.getNorth() - e.getSouth() > 20) return;
    }
    if (l.getBounds) { if (l.getBounds().isValid()) b.extend(l.getBounds()); }
    else if (l.getLatLng) b.extend(l.getLatLng());
    else if (l.eachLayer) l.eachLayer((x) => { if (x.getBounds) b.extend(x.getBounds()); });
  });
  return b;
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

const STATE_WORDS = { active: "WARNING", tracking_lost: "tracking lost, stay sheltered",
                      passed_over: "passed over", fell: "fell", all_clear: "all clear", cancelled: "cancelled" };
const STATE_STYLE = {
  active: { color: "#c2410c", weight: 1.2, fillColor: "#e8590c", fillOpacity: 0.5 },
  tracking_lost: { color: "#c2410c", weight: 1.5, dashArray: "5 3", fillColor: "#e8590c", fillOpacity: 0.35 },
  passed_over: { color: "#6b7280", weight: 1.5, dashArray: "4 4", fillColor: "#9ca3af", fillOpacity: 0.15 },
  fell: { color: "#6b7280", weight: 1.5, dashArray: "4 4", fillColor: "#9ca3af", fillOpacity: 0.15 },
  all_clear: { color: "#1b7f3b", weight: 1.5, dashArray: "4 4", fillColor: "#1b7f3b", fillOpacity: 0.08 },
  cancelled: { color: "#9ca3af", weight: 1, dashArray: "2 4", fillOpacity: 0.05 },
};

async function onWarning(m) {
  const names = m.areas.map((a) => a.name).join(", ") || "–";
  addTimeline(m.time, `warning ${m.kind} (${m.jalert.replace("_", " ")}): ${names}`, "warning");
  if (m.state) await showWarningState(m.state);
}

// Draw the server's warning state: every area of every warning, styled by its state now.
let stateSeq = 0;
async function showWarningState(state) {
  const seq = ++stateSeq;
  const areas = new Map();  // code -> {name, state} (a live state wins over an ended one)
  for (const w of state.warnings || []) {
    for (const a of w.areas) {
      const prev = areas.get(a.code);
      const live = (x) => x === "active" || x === "tracking_lost";
      if (!prev || (live(a.state) && !live(prev.state)) || (!live(prev.state) && a.since_s > prev.since_s)) {
        areas.set(a.code, a);
      }
    }
  }
  const list = $("#warning-list");
  list.replaceChildren();
  for (const a of [...areas.values()].sort((x, y) => x.code.localeCompare(y.code))) {
    const li = el("li", { "data-code": a.code, "data-state": a.state });
    li.append(el("span", { class: `state s-${a.state}` }, STATE_WORDS[a.state] || a.state),
              el("span", {}, `${a.name} (J-Alert ${a.j_alert_code})`));
    list.append(li);
  }
  $("#warnings").hidden = areas.size === 0;
  const feats = await areaLayer([...areas.keys()]);
  if (seq !== stateSeq || !current) return;  // a newer state arrived meanwhile
  current.warnedLayer.clearLayers();
  L.geoJSON({ type: "FeatureCollection", features: feats }, {
    pane: "areas",
    style: (f) => {
      const st = areas.get(f.properties.code)?.state || "active";
      return { ...STATE_STYLE[st], className: `lw-warned lw-warned-${st}` };
    },
    onEachFeature: (f, layer) => layer.bindTooltip(textNode(
      `${f.properties.name}: ${STATE_WORDS[areas.get(f.properties.code)?.state] || ""}`)),
  }).addTo(current.warnedLayer);
  const live = [...areas.values()].filter((a) => a.state === "active" || a.state === "tracking_lost");
  if (live.length) setVerdict("WARNING: " + live.map((a) => a.name).join(", "), "warning");
  else if (areas.size && !current.summarized) {
    setVerdict("no active warning: " + [...areas.values()].map((a) => `${a.name} ${STATE_WORDS[a.state]}`).join(", "), "live");
  }
}

function onSummary(m) {
  current.summarized = true;  // the run's own verdict from here on
  if (m.state) showWarningState(m.state);
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

// room on the left for the launch sites' labels (they sit left of the westmost points of a
// run: on a phone "K1–K4: Kusong" was cut at the map's edge)
const SITE_LABEL_PX = 110;

function fitRun(maxZoom = 7) {
  const b = runBounds();
  if (b.isValid()) map.fitBounds(b.pad(0.25), { maxZoom, paddingTopLeft: [SITE_LABEL_PX, 0] });
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
  current.runLabel = `${m.scenario} #${m.run_id}`;
  $("#status").textContent = `${current.runLabel}: ${text}`;
  $("#run").disabled = ["queued", "computing", "replaying"].includes(m.state);
  const bar = $("#run-progress");
  bar.hidden = m.state !== "computing";
  if (m.state === "computing") { bar.value = 0; current.stateText = `${m.scenario} #${m.run_id}: ${text}`; }
  if (m.state === "replaying") fitRun(5.5);
  if (m.state === "done") loadEvents();  // the finished run is in the record now
}

// The chain's progress while it computes: stage, percent and, once 5 % is done, the time left
// at the pace seen so far in this run (its clock starts at this run's first progress message).
function onProgress(m) {
  if (document.body.dataset.runState !== "computing") return;
  const bar = $("#run-progress");
  bar.hidden = false;
  bar.value = m.percent;
  const now = performance.now();
  if (current.progressStart === undefined) current.progressStart = { at: now, pct: m.percent };
  const s0 = current.progressStart, done = m.percent - s0.pct;
  let eta = "";
  if (m.percent >= 5 && done > 0 && m.percent < 100) {
    const left = ((now - s0.at) / 1000) * (100 - m.percent) / done;
    eta = left < 60 ? `, ${Math.max(1, Math.round(left))} s left` : `, ${Math.round(left / 60)} min left`;
  }
  // what matters first (the header keeps ~30 characters on a laptop); the whole line on hover
  const text = `${Math.round(m.percent)} % ${m.stage}${eta}${current.runLabel ? " · " + current.runLabel : ""}`;
  $("#status").textContent = text;
  $("#status").title = `computing the chain: ${text}; ${m.elapsed_s} s since the run was asked for`;
  document.body.dataset.progress = String(Math.round(m.percent));
}

function handle(m) {
  if (m.type === "hello") return;
  if (m.run_id === undefined) return;
  if (!current || m.run_id > current.id) resetRun(m.run_id);
  if (m.run_id < current.id) return;
  if (m.time) $("#clock").textContent = `${clock(m.time)} UTC${m.time.slice(19)}`;
  switch (m.type) {
    case "run": onRun(m); break;
    case "progress": onProgress(m); break;
    case "scenario": onScenario(m); break;
    case "track": onTrack(m); break;
    case "assessment": onAssessment(m); break;
    case "warning": onWarning(m); break;
    case "summary": onSummary(m); break;
  }
}

// ---------------------------------------------------------------------------------- live side view
// Altitude against ground range of each track and of its latest predicted path (dashed), from
// the launch of the run nearest the track's first point (great circle on a sphere of the mean
// Earth radius: a picture, the figures are in the panels). Drawn by sideView() (sideview.js),
// the same SVG as a recorded event's reports; redrawn at most every 0.4 s while a run plays.
const SIDE_COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const R_MEAN_KM = 6371.0088;

function greatCircleKm(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180, dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dlon / 2) ** 2;
  return 2 * R_MEAN_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function resetRunSide() {
  current.side = { tracks: new Map(), preds: new Map(), timer: null };
  $("#run-side").hidden = true;
  $("#run-side-view").replaceChildren();
}

function sideOrigin(lat, lon) {
  let best = null, bestKm = Infinity;
  for (const l of current.launches || []) {
    const km = greatCircleKm(l.lat, l.lon, lat, lon);
    if (km < bestKm) { best = [l.lat, l.lon]; bestKm = km; }
  }
  return best || [lat, lon];
}

function noteSideTrack(t) {
  let s = current.side.tracks.get(t.track_id);
  if (!s) {
    s = { origin: sideOrigin(t.lat, t.lon), points: [] };
    current.side.tracks.set(t.track_id, s);
  }
  s.points.push([greatCircleKm(s.origin[0], s.origin[1], t.lat, t.lon), t.height_km]);
  drawRunSide();
}

function noteSidePrediction(p) {
  const tr = current.side.tracks.get(p.track_id);
  if (!tr || !p.path_h_km || p.path_h_km.length !== p.path.length) return;
  current.side.preds.set(p.track_id, p.path.map(([lon, lat], i) =>
    [greatCircleKm(tr.origin[0], tr.origin[1], lat, lon), p.path_h_km[i]]));
}

function drawRunSide() {
  if (!current.side || current.side.timer) return;
  current.side.timer = setTimeout(() => {
    if (!current || !current.side) return;
    current.side.timer = null;
    const series = [];
    let i = 0;
    for (const [tid, tr] of [...current.side.tracks].sort((a, b) => a[0] - b[0])) {
      const color = SIDE_COLOURS[i++ % SIDE_COLOURS.length];
      series.push({ label: `T${tid}`, color, points: tr.points, cls: "lw-profile lw-side-track" });
      const pred = current.side.preds.get(tid);
      if (pred) series.push({ label: "", color, points: pred, dash: "5 4", cls: "lw-profile lw-side-predicted" });
    }
    if (!series.length) return;
    $("#run-side").hidden = false;
    sideView($("#run-side-view"), series);
  }, 400);
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

// ---------------------------------------------------------------------------------- upload
// A scenario of one's own (YAML): read from a file or pasted, checked by the service with the
// command line's validator, then run like a shipped one. Every answer is shown as text.
const MAX_UPLOAD = 64 * 1024;
$("#upload-file").addEventListener("change", async () => {
  const f = $("#upload-file").files[0];
  if (!f) return;
  if (f.size > MAX_UPLOAD) { $("#upload-state").textContent = `the file is larger than ${MAX_UPLOAD / 1024} KiB`; return; }
  $("#upload-text").value = await f.text();
  $("#upload-state").textContent = `${f.name} loaded; Check or Run it`;
});

async function sendScenario(path) {
  const text = $("#upload-text").value;
  const state = $("#upload-state");
  if (!text.trim()) { state.textContent = "paste a scenario or choose a file first"; return null; }
  if (new Blob([text]).size > MAX_UPLOAD) { state.textContent = `the scenario is larger than ${MAX_UPLOAD / 1024} KiB`; return null; }
  $("#upload-run").disabled = $("#upload-check").disabled = true;
  state.textContent = "checking…";
  try {
    const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/yaml", ...authHeaders() }, body: text });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) { state.textContent = `refused: ${body.detail || r.status}`; state.dataset.ok = "no"; return null; }
    state.dataset.ok = "yes";
    return body;
  } finally {
    $("#upload-run").disabled = $("#upload-check").disabled = false;
  }
}

$("#upload-check").addEventListener("click", async () => {
  const s = await sendScenario("/api/scenarios/check");
  if (s) {
    $("#upload-state").textContent = `valid: ${s.name}, ${s.launches} launch${s.launches === 1 ? "" : "es"}` +
      `${s.sites.length ? " from " + s.sites.join(", ") : ""}, ${s.sensors} sensors`;
  }
});

$("#upload-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const speed = Number($("#speed").value) || 20;
  const run = await sendScenario(`/api/scenarios/run?speed=${speed}`);
  if (run) $("#upload-state").textContent = `running ${run.scenario} as run #${run.run_id}`;
});

// ---------------------------------------------------------------------------------- records
const eventLayer = L.layerGroup().addTo(map);
async function loadEvents() {
  const q = $("#event-search").value.trim();
  // the newest 500 (paged in the database), newest first
  // reported events only, unless the reader asks for the simulated runs too
  const sim = $("#show-simulated").checked ? "&simulated=true" : "";
  const r = await fetch("/api/events?reports=true&limit=500&order=desc" + sim + (q ? "&q=" + encodeURIComponent(q) : ""));
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
    cells.forEach((c, i) => tr.append(el("td", i === 8 && dis ? { class: "dis", title: "show the disagreements" } : {}, c)));
    tr.addEventListener("click", () => openEvent(e.id));
    if (openEventId === e.id) tr.classList.add("selected");
    tbody.append(tr);
    if (e.landing_lat_deg !== null && e.landing_lon_deg !== null) {
      L.circleMarker([e.landing_lat_deg, e.landing_lon_deg], { pane: "marks", radius: 3, color: "#555",
                                                               weight: 1, fillColor: "#aaa", fillOpacity: 0.8,
                                                               className: "lw-event" })
        .bindTooltip(textNode(`${e.launch_date} ${e.site_name || ""}: ${e.landing_area || "landing point"}`))
        .on("click", () => openEvent(e.id)).addTo(eventLayer);
    }
  }
  $("#event-count").textContent = `${events.length} event${events.length === 1 ? "" : "s"}`;
}
let searchTimer = null;
$("#event-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(loadEvents, 250); });
$("#show-simulated").addEventListener("change", loadEvents);
loadEvents();
setInterval(loadEvents, 30000);

// ---------------------------------------------------------------------------------- one event
// A row (or its "N fields" disagreement, or its landing dot) opens the event on the map: the
// site, each authority's reconstructed landing point and ground track, the reported landing
// point, the per-authority figures, the disagreements, and the side view of every report.
const REPORT_COLOURS = ["#0b7285", "#c2255c", "#5f3dc4", "#2b8a3e", "#e67700", "#364fc7"];
const eventDetailLayer = L.layerGroup().addTo(map);
let openEventId = null;

// the 3-D view exists where CesiumJS was vendored (make vendor-cesium; not committed)
const globeAvailable = fetch("/static/vendor/cesium/Cesium.js", { method: "HEAD" })
  .then((r) => r.ok).catch(() => false);

// an ellipse axis in the predictions table: a decimal below 10 km ("1.2 × 0.3", not "1 × 0")
function axisKm(v) {
  return fmt(v, v !== null && v !== undefined && v < 10 ? 1 : 0);
}

async function openEvent(id) {
  const [evr, geor] = await Promise.all([fetch(`/api/events/${id}`), fetch(`/api/events/${id}/map`)]);
  if (!evr.ok || !geor.ok) return;
  const ev = await evr.json();
  const fc = await geor.json();
  openEventId = id;
  for (const row of document.querySelectorAll("#events tbody tr")) {
    row.classList.toggle("selected", Number(row.dataset.id) === id);
  }
  eventDetailLayer.clearLayers();
  const colour = new Map();
  for (const r of ev.reports || []) colour.set(r.id, REPORT_COLOURS[colour.size % REPORT_COLOURS.length]);
  const layer = L.geoJSON(fc, {
    pane: "run",
    style: (f) => (f.geometry.type === "LineString"
      ? { color: colour.get(f.properties.report_id) || "#0b7285", weight: 2.5, className: "lw-event-track" } : {}),
    pointToLayer: (f, ll) => {
      const p = f.properties;
      const c = colour.get(p.report_id) || "#333";
      const mk = p.feature === "site"
        ? L.circleMarker(ll, { pane: "marks", radius: 6, color: "#111", weight: 2, fillColor: "#ffd43b", fillOpacity: 1, className: "lw-event-site" })
        : L.circleMarker(ll, { pane: "marks", radius: 5, color: c, weight: 2, fillColor: "#fff", fillOpacity: 1,
                               className: p.feature === "landing" ? "lw-event-landing" : "lw-event-reported" });
      return mk;
    },
    onEachFeature: (f, l) => {
      const p = f.properties;
      const who = p.authority ? `${p.authority}: ` : "";
      const what = p.feature === "ground_track" ? `reconstructed flight, ${fmt(p.range_km, 0)} km, apogee ${fmt(p.apogee_km, 0)} km`
        : p.feature === "landing" ? `reconstructed landing (${zoneText({ kind: p.zone_kind, country: p.zone_country })})`
          : p.feature === "site" ? `launch site ${p.name || ""}` : `reported landing ${p.name || ""}`;
      l.bindTooltip(textNode(who + what));
    },
  }).addTo(eventDetailLayer);
  // figures by authority
  $("#event-title").textContent = `${ev.launch_date} ${ev.launch_time_local || ""} ${ev.site_name || "site unknown"} — ` +
    `${ev.missile_name || ev.missile_class || "missile unknown"}`;
  const tbody = $("#event-reports tbody");
  tbody.replaceChildren();
  for (const r of ev.reports || []) {
    const rep = r.reported || {};
    const der = r.derived || {};
    const tr = el("tr");
    const sw = el("span", { class: "swatch" }, "■ ");
    sw.style.color = colour.get(r.id);
    const who = el("td");
    who.append(sw, r.authority || r.outlet || "unattributed");
    tr.append(who);
    for (const [v, d, nd] of [[rep.range_km, der.range_km, 0], [rep.apogee_km, der.apogee_km, 0],
                              [rep.flight_time_s, der.flight_time_s, 0]]) {
      const txt = v !== null && v !== undefined ? fmt(v, nd) : (d !== null && d !== undefined ? `(${fmt(d, nd)})` : "–");
      tr.append(el("td", {}, txt));
    }
    tr.append(el("td", {}, rep.missile_class || der.range_class || "–"),
              el("td", {}, rep.landing_area || (der.zone ? zoneText(der.zone) : "–")));
    tbody.append(tr);
  }
  const dl = $("#event-disagreements");
  dl.replaceChildren();
  for (const d of ev.disagreements || []) dl.append(el("li", {}, d.summary));
  for (const f of ev.flags || []) dl.append(el("li", {}, f.summary || f.text || String(f.kind || "")));
  const series = fc.features.filter((f) => f.properties.feature === "ground_track").map((f) => ({
    label: `${f.properties.authority} (${fmt(f.properties.range_km, 0)} km)`,
    color: colour.get(f.properties.report_id) || "#0b7285", points: f.properties.profile }));
  sideView($("#side-view"), series);
  $("#event-3d").href = `/static/globe.html?event=${id}`;
  $("#event-links").hidden = !(await globeAvailable) || !series.length;
  $("#event-detail").hidden = false;
  const b = layer.getBounds();
  if (b.isValid()) map.fitBounds(b.pad(0.3), { maxZoom: 7 });
  // the event on the map first: on a phone (one column) the map scrolls back into view with
  // the event's card right under it; elsewhere the side column shows the card at its top
  if (window.matchMedia("(max-width: 820px)").matches) $("#map-wrap").scrollIntoView({ block: "start" });
  else $("#side").scrollTop = 0;
}

$("#event-close").addEventListener("click", () => {
  $("#event-detail").hidden = true;
  eventDetailLayer.clearLayers();
  openEventId = null;
  for (const row of document.querySelectorAll("#events tbody tr.selected")) row.classList.remove("selected");
});

// ---------------------------------------------------------------------------------- ingest
$("#ingest-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const text = $("#ingest-text").value;
  const state = $("#ingest-state");
  if (!text.trim()) { state.textContent = "paste a statement first"; return; }
  $("#ingest").disabled = true;
  state.textContent = "reading…";
  try {
    const r = await fetch("/api/events/ingest", { method: "POST", headers: { "Content-Type": "text/plain", ...authHeaders() }, body: text });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) { state.textContent = `not stored: ${body.detail || r.status}`; return; }
    state.textContent = body.duplicate ? `already recorded (event ${body.event_id})` : `recorded as event ${body.event_id}`;
    $("#ingest-text").value = "";
    await loadEvents();
    openEvent(body.event_id);
  } finally {
    $("#ingest").disabled = false;
  }
});
