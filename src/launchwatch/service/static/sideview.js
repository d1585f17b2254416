/* Side view: altitude against ground range, several trajectories overlaid (SVG built from DOM
   nodes; every label is a text node). sideView(container, series) with
   series = [{label, color, points: [[range_km, alt_km], ...], dash (optional SVG dasharray)}].
   Used by the recorded events (several reports overlaid) and by a live run (tracks and their
   predicted paths). */
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

function svgEl(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceStep(span, n = 5) {
  const raw = span / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 2.5, 5, 10].map((k) => k * p).find((s) => s >= raw) || raw;
}

function sideView(container, series) {
  const W = 520, H = 220, L = 46, R = 10, T = 10, B = 34;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "lw-side", role: "img",
                             "aria-label": "side view: altitude against ground range" });
  const all = series.flatMap((s) => s.points);
  if (!all.length) { container.replaceChildren(); return; }
  const xMax = Math.max(...all.map((p) => p[0])) * 1.04 || 1;
  const yMax = Math.max(...all.map((p) => p[1])) * 1.1 || 1;
  const x = (v) => L + (v / xMax) * (W - L - R), y = (v) => H - B - (v / yMax) * (H - T - B);
  for (const [axis, max] of [["x", xMax], ["y", yMax]]) {
    const step = niceStep(max);
    for (let v = 0; v <= max; v += step) {
      if (axis === "x") {
        svg.append(svgEl("line", { x1: x(v), x2: x(v), y1: T, y2: H - B, class: "grid" }),
                   svgEl("text", { x: x(v), y: H - B + 14, "text-anchor": "middle" }, String(Math.round(v))));
      } else {
        svg.append(svgEl("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }),
                   svgEl("text", { x: L - 4, y: y(v) + 4, "text-anchor": "end" }, String(Math.round(v))));
      }
    }
  }
  svg.append(svgEl("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", class: "axis" },
                   "ground range, km"),
             svgEl("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle", class: "axis",
                             transform: `rotate(-90 12 ${(T + H - B) / 2})` }, "altitude, km"));
  let row = 0;  // legend rows: one per labelled series
  series.forEach((s) => {
    if (!s.points.length) return;
    const d = s.points.map((p, k) => `${k ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
    const attrs = { d, fill: "none", stroke: s.color, "stroke-width": 2, class: s.cls || "lw-profile" };
    if (s.dash) attrs["stroke-dasharray"] = s.dash;
    svg.append(svgEl("path", attrs));
    if (s.label) {
      svg.append(svgEl("text", { x: W - R - 4, y: T + 12 + 13 * row++, "text-anchor": "end", fill: s.color,
                                 class: "legend" }, s.label));
    }
  });
  container.replaceChildren(svg);
}
