"""The whole chain over a scenario: sense -> track -> assess -> warn, scored against truth.

:func:`run_chain` runs :func:`launchwatch.pipeline.simulate.run_simulation`, then replays the
tracker's history through the assessor (:func:`launchwatch.assess.run.assess_history`, one
batched impact prediction per ``interval_s`` of scenario time with updates) whose every
assessment goes straight to the :class:`~launchwatch.warn.policy.WarningPolicy`, as it would
live.  The result carries a timeline in local time, the figures of ``launchwatch simulate
--assess`` and everything the report writer (:mod:`launchwatch.warn.report`) needs.  Scoring
uses truth only at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..assess.assessment import Assessment
from ..assess.impact import mahalanobis2
from ..assess.run import AssessmentRun, assess_history
from ..assess.summary import columns, prediction_record
from ..earth import frames, geodesy
from ..earth.zones import zone_of
from ..sense.scenario import outage_windows
from ..warn.corridor import Corridor
from ..warn.policy import WarningPolicy, require_exercise
from ..warn.score import score_warnings
from .simulate import Progress, SimulationResult, run_simulation, scaled

#: Distance (km) within which a prediction counts as "on the truth" for the time-to-good figure.
GOOD_KM = 10.0


@dataclass
class ChainResult:
    sim: SimulationResult
    run: AssessmentRun
    policy: WarningPolicy
    warn_score: dict
    truth_impacts: list[dict]
    per_missile: list[dict]
    seconds: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Simulation summary plus the assessment and warning figures."""
        out = self.sim.summary()
        final = [m.get("final") or {} for m in self.per_missile]
        errs = [f.get("impact_error_km") for f in final]
        out["detection_false_alarms"] = out.pop("false_alarms")
        out.update(
            {
                "impact_error_km": errs[0] if len(errs) == 1 else errs,
                "verdict": (
                    final[0].get("verdict")
                    if len(final) == 1
                    else [f.get("verdict") for f in final]
                ),
                "warnings": sorted(self.warn_score["warned"]),
                "false_alarms": self.warn_score["false_alarms"],
                "misses": self.warn_score["misses"],
                "first_warning_s": self.warn_score["first_warning_s"],
                "overflown_areas": sorted(self.warn_score["overflown"]),
                "warning_events": [e.to_json() for e in self.policy.events],
                "overflight_windows": self.warn_score["overflight_windows"],
                "impacted_areas": sorted(self.warn_score["impacted"]),
                "lead_time_s": self.warn_score["lead_time_s"],
                "passed_over_latency_s": self.warn_score["passed_over_latency_s"],
                "wrong_messages": self.warn_score["wrong_messages"],
                "assessments": len(self.run.assessments),
                "assess_ms_median": _r(1e3 * np.median(self.run.compute_s))
                if self.run.compute_s
                else None,
                "per_missile": self.per_missile,
                "cap_messages": len(self.policy.events),
            }
        )
        out["seconds"].update({k: round(v, 3) for k, v in self.seconds.items()})
        return out


def _r(x, nd=3):
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def _truth_impacts(sim: SimulationResult) -> list[dict]:
    t = sim.truth
    out = []
    for m in range(t.n_missiles):
        st = t.states_ecef[m]
        ok = ~np.isnan(st[:, 0])
        first, last = st[ok][0], st[ok][-1]
        lat, lon, _ = frames.ecef_to_geodetic(np.stack([first[:3], last[:3]]))
        _, _, h = frames.ecef_to_geodetic(st[ok][:, :3])
        out.append(
            {
                "launch_lat": float(np.degrees(lat[0])),
                "launch_lon": float(np.degrees(lon[0])),
                "lat": float(np.degrees(lat[1])),
                "lon": float(np.degrees(lon[1])),
                "t_s": float(t.impact_time_s[m]),
                "launch_t_s": float(t.launch_time_s[m]),
                "apogee_km": float(h.max() / 1e3),
            }
        )
    return out


def track_truth(sim: SimulationResult) -> dict[int, int]:
    """Track id -> missile index: the missile nearest to most of the track's confirmed
    estimates (scoring only; truth never reaches the assessor)."""
    hist = sim.tracker.history
    rows = hist[hist["confirmed"]]
    if rows.size == 0:
        return {}
    truth = np.stack([sim.truth.at(float(t))[:, :3] for t in rows["t_s"]])  # (R, M, 3)
    d = np.linalg.norm(truth - rows["state"][:, None, :3], axis=-1)
    nearest = np.argmin(np.nan_to_num(d, nan=np.inf), axis=1)
    ids, inv = np.unique(rows["track_id"], return_inverse=True)
    votes = np.zeros((ids.size, sim.truth.n_missiles), int)
    np.add.at(votes, (inv, nearest), 1)
    return {int(t): int(m) for t, m in zip(ids, votes.argmax(axis=1), strict=True)}


def _missile_figures(sim, run, impacts, truth_of_track) -> list[dict]:
    """Per missile: first prediction, time to a prediction within GOOD_KM whose 95 % ellipse
    holds the truth, and the final prediction (error, containment, verdict, class)."""
    per = [
        {
            "missile": sim.truth.names[m],
            "first": None,
            "good_s": None,
            "final": None,
            "assessments": 0,
            "truth_in_95_fraction": None,
            "apogee_km": None,
        }
        for m in range(sim.truth.n_missiles)
    ]
    inside_count = np.zeros(len(per))
    last_apogee = {}  # track -> (missile, apogee at its latest assessment: observed once past)
    for a in run.assessments:
        cols = columns(a)
        for k, tid in enumerate(a.track_id):
            m = truth_of_track.get(int(tid))
            if m is None:
                continue
            imp = impacts[m]
            _, _, err = geodesy.inverse(
                a.impact_lat_deg[k], a.impact_lon_deg[k], imp["lat"], imp["lon"]
            )
            inside = mahalanobis2(a, k, imp["lat"], imp["lon"]) <= 5.991
            fig = {
                **prediction_record(cols, k),
                "t_s": round(a.t_s - imp["launch_t_s"], 2),
                "impact_error_km": _r(err / 1e3, 2),
                "truth_in_95": bool(inside),
                "time_to_impact_s": _r(a.impact_t_s[k] - a.t_s, 1),
                "lift_to_drag": _r(a.lift_to_drag[k], 2),
            }
            rec = per[m]
            rec["assessments"] += 1
            inside_count[m] += inside
            last_apogee[int(tid)] = (m, fig["apogee_km"] or 0.0)
            if rec["first"] is None:
                rec["first"] = fig
            if rec["good_s"] is None and err / 1e3 <= GOOD_KM and inside:
                rec["good_s"] = fig["t_s"]
            rec["final"] = fig
    for m, ap in last_apogee.values():
        per[m]["apogee_km"] = max(per[m]["apogee_km"] or 0.0, ap)
    for m, rec in enumerate(per):
        if rec["assessments"]:
            rec["truth_in_95_fraction"] = round(float(inside_count[m] / rec["assessments"]), 3)
        imp = impacts[m]
        rec["truth"] = {
            "impact_lat": round(imp["lat"], 4),
            "impact_lon": round(imp["lon"], 4),
            "zone": zone_of(imp["lat"], imp["lon"]),
            "apogee_km": round(imp["apogee_km"], 1),
            "flight_time_s": round(imp["t_s"] - imp["launch_t_s"], 1),
        }
        tids = [t for t, mm in truth_of_track.items() if mm == m]
        launches = [
            run.launch[t] for t in tids if t in run.launch and np.isfinite(run.launch[t]["lat_deg"])
        ]
        if launches:
            best = min(launches, key=lambda d: d["from_t_s"])
            _, _, err = geodesy.inverse(
                best["lat_deg"], best["lon_deg"], imp["launch_lat"], imp["launch_lon"]
            )
            rec["launch_estimate"] = {
                "lat": round(best["lat_deg"], 4),
                "lon": round(best["lon_deg"], 4),
                "error_km": round(err / 1e3, 2),
                "ellipse_95_km": [
                    round(best["semi_major_95_m"] / 1e3, 1),
                    round(best["semi_minor_95_m"] / 1e3, 1),
                ],
                "launch_time_s": round(best["t_s"], 1),
                "launch_time_sigma_s": round(best["t_sigma_s"], 1),
            }
    return per


def ir_cue_settings(sensors) -> tuple[float | None, float]:
    """The IR sensors' longest revisit (s; None without IR) and lowest plume-floor height (m):
    what the launch corridor needs to read IR silence as burnout."""
    ir = [s for s in sensors if getattr(s, "kind", "") == "ir"]
    if not ir:
        return None, 8e3
    return (
        max(float(s.revisit_s) for s in ir),
        min(float(s.min_target_altitude_km) for s in ir) * 1e3,
    )


def chain_policy(seed: int, sensors=(), outages=None, **kw) -> WarningPolicy:
    """The chain's warning policy: :class:`~launchwatch.warn.policy.WarningPolicy` (``kw``)
    whose boosting tracks are judged by the launch corridor, set for the IR ``sensors`` (their
    revisit and floor height) and their ``outages`` (:func:`feed_policy`).  The one place the
    chain (:func:`run_chain`) and a partner node (:class:`launchwatch.share.node.Node`) get
    their policy from."""
    corridor = Corridor(seed=seed)
    corridor.set_ir_sensors(sensors, outages)
    return WarningPolicy(early=corridor, **kw)


def feed_policy(
    policy: WarningPolicy,
    history,
    detections,
    *,
    sensors=None,
    seed: int | None = None,
    epoch=None,
    outages=None,
) -> None:
    """Hand the policy's launch corridor (if it has one) what the chain knows now: the
    tracker's history rows and the detections (its IR ones are kept), replacing what it had;
    ``sensors``: set its IR settings from these, with ``outages`` (sensor name -> ``[(start s,
    end s)]`` out of service, :func:`launchwatch.sense.scenario.outage_windows`); ``seed``: reseed its draws (a node reseeds per
    assessment, so a restarted node remakes the same warnings); ``epoch``: the scenario's (the
    IR-only judgements', :mod:`launchwatch.warn.corridor_ir`, before any assessment).  The
    corridor uses only rows no later than the assessment it judges, as it would live."""
    corridor = policy.early
    if not isinstance(corridor, Corridor):
        return
    if sensors is not None:
        corridor.set_ir_sensors(sensors, outages)
    if seed is not None:
        corridor.rng = np.random.default_rng(seed)
    if epoch is not None:
        corridor.epoch = epoch
    det = np.asarray(detections)
    corridor.replace(history, det[det["kind"] == "ir"] if det.size else None)


def sensor_outages(sim: SimulationResult) -> dict[str, list[tuple]]:
    """The outage windows of a simulation's sensors by the name each reports under."""
    return outage_windows(sim.scenario, [s.name for s in sim.sensors])


def feed_corridor(corridor: Corridor, sim: SimulationResult) -> None:
    """Give the launch corridor what a finished simulation knows (:func:`feed_policy`)."""
    corridor.set_ir_sensors(sim.sensors, sensor_outages(sim))
    corridor.epoch = sim.scenario.epoch
    corridor.feed(sim.tracker.history, sim.detections[sim.detections["kind"] == "ir"])


#: Share of a chain run's wall time spent in sense + track (the rest: assess and warn), measured
#: on the shipped scenarios at the default options; only the progress bar's pace depends on it.
SIM_SHARE = 0.35


def run_chain(
    scenario,
    *,
    interval_s: float = 2.0,
    n_samples: int = 1000,
    policy: WarningPolicy | None = None,
    progress: Progress | None = None,
) -> ChainResult:
    """Run sense, track, assess and warn over ``scenario`` (see module docstring).  The default
    policy judges boosting tracks by their launch corridor (:mod:`launchwatch.warn.corridor`);
    a policy given with ``early=None`` judges only burnt-out tracks.  ``progress(stage,
    fraction)`` is told how far the run is."""
    policy = policy or chain_policy(scenario.seed)
    require_exercise(policy)  # a simulated run can never publish Actual messages
    sim = run_simulation(scenario, progress=scaled(progress, 0.0, SIM_SHARE))
    feed_policy(
        policy,
        sim.tracker.history,
        sim.detections,
        sensors=sim.sensors,
        epoch=scenario.epoch,
        outages=sensor_outages(sim),
    )
    t0 = time.perf_counter()
    warning_policy = policy
    hist = sim.tracker.history
    conf_t = hist["t_s"][hist["confirmed"]]
    t_lo = float(conf_t.min()) if conf_t.size else 0.0
    t_span = max(float(conf_t.max()) - t_lo, 1e-9) if conf_t.size else 1.0
    part = scaled(progress, SIM_SHARE, 1.0)

    def warn(a: Assessment) -> None:  # every assessment goes straight to the policy
        warning_policy.update(a)
        if part is not None:
            part("assessing and warning", (a.t_s - t_lo) / t_span)

    run = assess_history(
        hist,
        scenario.epoch,
        interval_s=interval_s,
        n_samples=n_samples,
        seed=scenario.seed,
        on_assessment=warn,
        detections=sim.detections,
    )
    secs = {"assess_warn": time.perf_counter() - t0}
    end = float(sim.truth.times_s[-1])
    policy.finish(end)
    impacts = _truth_impacts(sim)
    score = score_warnings(policy.events, sim.truth, sim.truth.launch_time_s)
    per = _missile_figures(sim, run, impacts, track_truth(sim))
    return ChainResult(
        sim=sim,
        run=run,
        policy=policy,
        warn_score=score,
        truth_impacts=impacts,
        per_missile=per,
        seconds=secs,
    )
