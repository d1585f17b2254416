"""Fidelity of reconstruction on published shots: flight time from range and apogee.

Prints, for every shot in ``src/launchwatch/flight/data/published_shots.yaml`` (range, apogee
and flight time with their sources), the flight time reconstructed from the range and apogee
alone with the generic boost (propellant unknown -> liquid default; and with the propellant of
the missile the report names), its error, and the joint verdict with all three figures; then
the share within 3 % and the median error over the shots the project has not used.  Rows whose
apogee the authority gave only as a lower bound ("over 6,000 km") are shown but not counted;
reports whose three figures even the shortest powered flight tried cannot reconcile (the joint
verdict) are counted, and their number is printed beside the figure.

    python scripts/published_shots.py [--json]
"""

from __future__ import annotations

import json
import statistics
import sys
from importlib import resources

import yaml

from launchwatch.flight.catalog import UnknownNameError, get_site, get_vehicle
from launchwatch.flight.reconstruct import ReconstructionError, reconstruct
from launchwatch.flight.sea_areas import bearing_toward


def main(argv: list[str]) -> int:
    shots = yaml.safe_load(
        resources.files("launchwatch.flight.data").joinpath("published_shots.yaml").read_text()
    )["shots"]
    rows = []
    for s in shots:
        site = get_site(s["site"])
        az = bearing_toward(site.lat_deg, site.lon_deg, s.get("toward", "East Sea"))
        try:
            prop = get_vehicle(s["missile"]).propellant
        except UnknownNameError:
            prop = None
        row = {
            k: s[k]
            for k in ("date", "missile", "by", "range_km", "apogee_km", "flight_time_s", "used")
        }
        row["date"] = str(row["date"])  # YAML reads it as a date; JSON needs text
        row["apogee_lower_bound"] = bool(s.get("apogee_lower_bound", False))
        for key, p in (("unknown", None), ("named", prop)):
            try:
                d = reconstruct(
                    lat_deg=site.lat_deg,
                    lon_deg=site.lon_deg,
                    range_km=s["range_km"],
                    azimuth_deg=az,
                    apogee_km=s["apogee_km"],
                    propellant=p,
                ).as_dict()
                row[f"t_{key}_s"] = d["flight_time_s"]
                row[f"err_{key}_pct"] = round(
                    100 * (d["flight_time_s"] / s["flight_time_s"] - 1), 2
                )
            except ReconstructionError as exc:
                row[f"t_{key}_s"], row[f"err_{key}_pct"] = None, None
                row[f"fail_{key}"] = str(exc)
        try:
            j = reconstruct(
                lat_deg=site.lat_deg,
                lon_deg=site.lon_deg,
                range_km=s["range_km"],
                azimuth_deg=az,
                apogee_km=s["apogee_km"],
                flight_time_s=s["flight_time_s"],
                propellant=prop,
            ).as_dict()
            row["joint"] = j["verdict"]["status"]
            row["joint_burn_scale"] = j["fit"]["burn_scale"]
            # Figures that even the shortest powered flight tried cannot reconcile.
            row["no_boost_reconciles"] = "shortest_boost" in j["verdict"].get("conflict", {})
        except ReconstructionError as exc:
            row["joint"] = f"failed: {exc}"
        rows.append(row)
        if "--json" not in argv:
            print(
                f"{row['date']} {row['missile']:<11} {row['by']:<8} {row['range_km']:>7,.1f} "
                f"{row['apogee_km']:>7,.1f} {row['flight_time_s']:>6,.0f} | "
                f"unknown {_fmt(row['err_unknown_pct'])} named {_fmt(row['err_named_pct'])} | "
                f"joint {row['joint']} (burn x{row.get('joint_burn_scale', float('nan')):.2f})"
                f"{' [no boost reconciles]' if row.get('no_boost_reconciles') else ''}"
                f"{' [apogee a lower bound: not counted]' if row['apogee_lower_bound'] else ''}"
                f"{'  [used]' if row['used'] else ''}",
                flush=True,
            )
    summary = {}
    counted = [r for r in rows if not r["used"] and not r["apogee_lower_bound"]]
    for key in ("unknown", "named"):
        errs = [abs(r[f"err_{key}_pct"]) for r in counted if r[f"err_{key}_pct"] is not None]
        fails = sum(1 for r in counted if r[f"err_{key}_pct"] is None)
        n = len(errs) + fails
        summary[key] = {
            "n": n,
            "within_3_pct": sum(e <= 3.0 for e in errs),
            "share_within_3_pct": round(sum(e <= 3.0 for e in errs) / n, 3),
            "median_abs_err_pct": round(statistics.median(errs), 2) if errs else None,
            "failures": fails,
            "no_boost_reconciles": sum(1 for r in counted if r.get("no_boost_reconciles")),
        }
    if "--json" in argv:
        print(json.dumps({"shots": rows, "unused": summary}))
    else:
        for key, v in summary.items():
            print(
                f"unused shots, propellant {key}: {v['within_3_pct']}/{v['n']} within 3 %, "
                f"median |error| {v['median_abs_err_pct']} %, {v['failures']} failed; "
                f"{v['no_boost_reconciles']} report(s) whose three figures no boost reconciles"
            )
    return 0


def _fmt(x) -> str:
    return "  fail" if x is None else f"{x:+5.1f}%"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
