"""Engagement ``index`` of a campaign: drawn from its own seed stream into a normal Scenario.

The stream is ``SeedSequence(campaign_seed, spawn_key=(index,))`` (what
``SeedSequence(campaign_seed).spawn(n)[index]`` gives), so an engagement depends only on the
spec, the campaign seed and its index -- never on the worker that runs it, the order of
completion or how many engagements run.  It spawns two children: one draws the engagement
(threat, laydown, chain options, in a fixed order), one gives the scenario's own ``seed``
(sensor noise, assessment samples).

**Salvos.** One threat class per engagement; ``salvo_size`` launches ``launch_spacing_s`` apart.
The centre aim point lies at the class's drawn range on its bearing (a sea area plus
``+-bearing_jitter_deg``, or an azimuth band); aim points are spread ``aim_spacing_km`` apart on
the line across the flight direction through it.  A *crossing* salvo alternates launches between
two sites and gives each group the aim points on the other site's side of the flight direction
(at least 20 km out), so the two groups' ground tracks cross.

**Reach.** A catalog vehicle cannot fly every aim point the geometry makes: a crossing group's
aim points lie 20 km or more to the side of the drawn range and the other site may be farther
away (a KN-25 class, drawn at 370-380 km, was asked for 438 km; its reach is about 438 km).
Each group's longest shot is held within ``REACH_FRACTION`` of its vehicle's reach from its
site on its bearing (:func:`~launchwatch.flight.shaping.reach_m`, flown, never a hand list): if
it is not, the centre aim point moves back along the bearing by the excess, and the aim points
are placed again.  The generic boost is sized per shot and has no reach of its own.

**Laydown.** Each catalog sensor is present with its probability, each ship with its own, at a
drawn position; every present sensor gets its own Pd / noise / revisit factors and, with the
outage probability, one outage window.  If no sensor is drawn, the first listed one is used.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml

from ..earth import geodesy
from ..flight.catalog import get_site
from ..flight.sea_areas import bearing_toward
from ..flight.shaping import reach_m
from ..flight.vehicles import vehicle_model
from ..sense.scenario import Launch, Outage, Scenario, SensorRef, TargetPoint
from ..sense.sensors import RadarSensor, get_sensor
from .classes import CLASSES
from .spec import CampaignSpec, draw, pick

#: Smallest lateral offset (m) of a crossing group's aim line from the flight direction.
CROSSING_MIN_OFFSET_M = 20e3
#: Longest shot a group may ask of its vehicle, as a fraction of its reach (estimate: the reach
#: is the kick grid's best, a lower bound within about 0.1 %; the rest is the bearing's spread
#: across a group and the shaping solver's 0.1 % tolerance).
REACH_FRACTION = 0.99


@functools.lru_cache(maxsize=512)
def vehicle_reach_m(vehicle: str, site: str, azimuth_deg: int) -> float:
    """Reach (m) of catalog ``vehicle`` from ``site`` on launch azimuth ``azimuth_deg`` (whole
    degrees: the Earth's rotation changes it by well under 1 % a degree)."""
    s = get_site(site)
    return reach_m(vehicle_model(vehicle), s.lat_deg, s.lon_deg, float(azimuth_deg))


@dataclass
class Engagement:
    """One drawn engagement: its scenario, chain options and what was drawn (for scoring)."""

    index: int
    campaign_seed: int
    scenario: Scenario
    chain: dict  # interval_s, n_samples, p_issue, p_keep, max_ellipse_m
    meta: dict  # engagement-level draws (flat, Parquet-ready)
    missiles: list[dict] = field(default_factory=list)  # per launch: class, vehicle, site ...


def seed_sequence(campaign_seed: int, index: int) -> np.random.SeedSequence:
    """The seed stream of engagement ``index`` (see module docstring)."""
    if campaign_seed < 0 or index < 0:
        raise ValueError("the campaign seed and the engagement index must be >= 0")
    return np.random.SeedSequence(int(campaign_seed), spawn_key=(int(index),))


def _tz(offset: str) -> dt.timezone:
    sign = -1 if offset.startswith("-") else 1
    hh, mm = int(offset[1:3]), int(offset[4:6])
    return dt.timezone(sign * dt.timedelta(hours=hh, minutes=mm))


def _aim_points(
    spec: CampaignSpec,
    rng,
    cls,
    n: int,
    aim_m: float,
    crossing: bool,
    site_a: str,
    site_b: str | None,
):
    """Per launch (site name, target lat, lon) and the drawn range/apogee/bearing."""
    t = spec.threat
    u = rng.random()
    range_km, apogee_km = cls.draw(u)
    jitter = draw(t.bearing_jitter_deg, rng) * (2.0 * rng.random() - 1.0)
    band = rng.random()
    a = get_site(site_a)
    if cls.azimuth_deg is not None:
        az0 = cls.azimuth_deg[0] + band * (cls.azimuth_deg[1] - cls.azimuth_deg[0])
    else:
        az0 = (bearing_toward(a.lat_deg, a.lon_deg, cls.toward) + jitter) % 360.0
    groups: list[tuple[str, float]] = [(site_a, 0.0)]
    for _ in range(6):  # reach: at most a few passes (the geometry is nearly linear)
        out, excess = _place(cls, a, az0, range_km * 1e3, aim_m, n, site_a, site_b, groups)
        if excess <= 0.0:
            break
        range_km -= excess / 1e3 + 0.1
    else:
        raise ValueError(f"no aim point of {cls.name} within its reach from {site_a}")
    return out, range_km, apogee_km, az0


def _place(cls, a, az0, centre_m, aim_m, n, site_a, site_b, groups):
    """Aim points (module docstring) with the centre ``centre_m`` from site ``a`` on ``az0``:
    per launch (site, lat, lon), and the metres by which the longest shot of a group exceeds
    ``REACH_FRACTION`` of its vehicle's reach (<= 0: every shot within reach)."""
    c_lat, c_lon, _ = geodesy.direct(a.lat_deg, a.lon_deg, az0, centre_m)
    _, back, _ = geodesy.inverse(a.lat_deg, a.lon_deg, c_lat, c_lon)
    across = (float(back) + 180.0 + 90.0) % 360.0  # right of the flight direction at the aim
    if site_b is not None:
        b = get_site(site_b)
        az_ab, _, d_ab = geodesy.inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
        side = float(d_ab) * math.sin(math.radians(float(az_ab) - az0))
        s = 1.0 if side >= 0 else -1.0
        off = max(abs(side), CROSSING_MIN_OFFSET_M)
        groups = [(site_a, s * off), (site_b, -s * off)]
    members = [[k for k in range(n) if k % len(groups) == g] for g in range(len(groups))]
    out: list[tuple[str, float, float] | None] = [None] * n
    excess = -np.inf
    for (site, centre), ks in zip(groups, members, strict=True):
        offs = centre + (np.arange(len(ks)) - (len(ks) - 1) / 2.0) * aim_m
        if not ks:
            continue
        lat, lon, _ = geodesy.direct(
            np.full(len(ks), float(c_lat)),
            np.full(len(ks), float(c_lon)),
            np.full(len(ks), across),
            offs,
        )
        lat, lon = np.atleast_1d(lat), np.atleast_1d(lon)
        for j, k in enumerate(ks):
            out[k] = (site, float(lat[j]), float(lon[j]))
        if cls.vehicle is not None:
            g = get_site(site)
            az, _, dist = geodesy.inverse(
                np.full(len(ks), g.lat_deg), np.full(len(ks), g.lon_deg), lat, lon
            )
            far = int(np.argmax(dist))
            reach = vehicle_reach_m(cls.vehicle, site, round(float(np.atleast_1d(az)[far])) % 360)
            excess = max(excess, float(np.max(dist)) - REACH_FRACTION * reach)
    return out, excess


def _sensors(spec: CampaignSpec, rng) -> tuple[list, dict]:
    s = spec.sensors
    present: list[tuple[str, dict]] = []  # (catalog base, overrides)
    for name, p in s.fixed.items():
        if rng.random() < p:
            present.append((name, {}))
    for ship in s.ships:
        here = rng.random() < ship.p
        lat, lon = draw(ship.lat_deg, rng), draw(ship.lon_deg, rng)
        if here:
            extra = {"id": ship.id, "lat_deg": round(lat, 4), "lon_deg": round(lon, 4)}
            if ship.boresight_az_deg is not None:
                extra["boresight_az_deg"] = ship.boresight_az_deg
            present.append((ship.base, extra))
    if not present:
        present.append((next(iter(s.fixed)), {}))
    refs, n_out, scales = [], 0, []
    for base_name, extra in present:
        base = get_sensor(base_name)
        pd_k, noise_k, rev_k = (
            draw(s.pd_scale, rng),
            draw(s.noise_scale, rng),
            draw(s.revisit_scale, rng),
        )
        out_here = rng.random() < s.outages.p
        start, dur = draw(s.outages.start_s, rng), draw(s.outages.duration_s, rng)
        over: dict[str, Any] = dict(extra)
        if pd_k != 1.0:
            over["pd"] = round(min(1.0, base.pd * pd_k), 4)
        if rev_k != 1.0:
            over["revisit_s"] = round(base.revisit_s * rev_k, 4)
        if noise_k != 1.0:
            names = (
                ("sigma_range_m", "sigma_angle_mrad", "sigma_range_rate_m_s")
                if isinstance(base, RadarSensor)
                else ("sigma_angle_urad",)
            )
            for f in names:
                if getattr(base, f) is not None:
                    over[f] = round(getattr(base, f) * noise_k, 6)
        if out_here:
            n_out += 1
            over["outages"] = [Outage(start_s=round(start, 2), end_s=round(start + dur, 2))]
        refs.append(SensorRef(base=base_name, **over) if over else base_name)
        scales.append((pd_k, noise_k, rev_k))
    sc = np.array(scales)
    meta = {
        "n_sensors": len(refs),
        "n_outages": n_out,
        "pd_scale_mean": float(sc[:, 0].mean()),
        "noise_scale_mean": float(sc[:, 1].mean()),
        "revisit_scale_mean": float(sc[:, 2].mean()),
        "sensors": ",".join(r if isinstance(r, str) else (r.id or r.base) for r in refs),
    }
    return refs, meta


def generate(spec: CampaignSpec, campaign_seed: int, index: int) -> Engagement:
    """Engagement ``index`` of the campaign (see module docstring)."""
    draws_ss, scenario_ss = seed_sequence(campaign_seed, index).spawn(2)
    rng = np.random.default_rng(draws_ss)
    scenario_seed = int(scenario_ss.generate_state(1, np.uint64)[0] >> np.uint64(1))
    t = spec.threat
    cls = CLASSES[pick(t.classes, rng)]
    n = int(draw(t.salvo_size, rng, integer=True))
    spacing_s = draw(t.launch_spacing_s, rng) if n > 1 else 0.0
    aim_km = draw(t.aim_spacing_km, rng) if n > 1 else 0.0
    crossing = bool(rng.random() < t.crossing)
    site_a = pick(t.sites, rng)
    others = {k: w for k, w in t.sites.items() if k != site_a and w > 0}
    site_b = pick(others, rng) if (crossing and n >= 2 and others) else None
    crossing = site_b is not None
    aims, range_km, apogee_km, az0 = _aim_points(
        spec, rng, cls, n, aim_km * 1e3, crossing, site_a, site_b
    )
    hour = draw(t.launch_hour, rng)
    refs, sensor_meta = _sensors(spec, rng)
    c = spec.chain
    interval = draw(c.assess_interval_s, rng)
    samples = int(draw(c.samples, rng, integer=True))
    p_issue = draw(c.p_issue, rng)
    p_keep = min(draw(c.p_keep, rng), p_issue)
    max_ell_km = draw(c.max_ellipse_km, rng)

    launches, missiles = [], []
    for k, (site, lat, lon) in enumerate(aims):
        launches.append(
            Launch(
                id=f"M{k + 1}",
                site=site,
                time_s=round(k * spacing_s, 3),
                vehicle=cls.vehicle,
                target=TargetPoint(lat_deg=round(lat, 5), lon_deg=round(lon, 5)),
                trajectory=cls.trajectory,
                apogee_km=None if cls.trajectory == "min-energy" else round(apogee_km, 2),
            )
        )
        missiles.append(
            {
                "missile": f"M{k + 1}",
                "threat_class": cls.name,
                "vehicle": cls.vehicle or "generic",
                "site": site,
                "trajectory": cls.trajectory,
                "quasi_ballistic": cls.quasi_ballistic,
            }
        )
    epoch = dt.datetime.combine(t.date, dt.time(0), _tz(t.utc_offset)) + dt.timedelta(
        seconds=round(hour * 3600.0)
    )
    sc = Scenario(
        name=f"{spec.name}-s{campaign_seed}-e{index}",
        description=(
            f"Engagement {index} of campaign {spec.name} (seed {campaign_seed}): "
            f"{n} x {cls.name} from {site_a}" + (f" and {site_b} (crossing)" if crossing else "")
        ),
        epoch=epoch,
        seed=scenario_seed,
        time_step_s=cls.time_step_s,
        rcs_m2=cls.rcs_m2,
        launches=launches,
        sensors=refs,
    )
    meta = {
        "threat_class": cls.name,
        "salvo_size": n,
        "launch_spacing_s": spacing_s,
        "aim_spacing_km": aim_km,
        "crossing": crossing,
        "site": site_a,
        "site_b": site_b or "",
        "range_km": range_km,
        "apogee_km": apogee_km,
        "bearing_deg": az0,
        "launch_hour": hour,
        **sensor_meta,
        "assess_interval_s": interval,
        "samples": samples,
        "p_issue": p_issue,
        "p_keep": p_keep,
        "max_ellipse_km": max_ell_km,
    }
    chain = {
        "interval_s": interval,
        "n_samples": samples,
        "p_issue": p_issue,
        "p_keep": p_keep,
        "max_ellipse_m": max_ell_km * 1e3,
    }
    return Engagement(
        index=index,
        campaign_seed=campaign_seed,
        scenario=sc,
        chain=chain,
        meta=meta,
        missiles=missiles,
    )


def replay_command(spec_ref: str, campaign_seed: int, index: int) -> str:
    """The shell command that writes engagement ``index`` as a scenario file and runs it."""
    f = f"engagement-{index}.yaml"
    return (
        f"launchwatch campaign {spec_ref} --seed {campaign_seed} --replay {index} > {f} && "
        f"launchwatch simulate {f} --assess"
    )


def scenario_yaml(eng: Engagement) -> str:
    """The engagement's scenario as YAML that ``launchwatch simulate FILE`` runs (a header
    comment gives the chain options the campaign used)."""
    c = eng.chain
    head = (
        f"# Engagement {eng.index} of a launchwatch campaign (seed {eng.campaign_seed}).\n"
        f"# The campaign assessed every {c['interval_s']:.3g} s with {c['n_samples']} samples"
        f" and warned at p_issue {c['p_issue']:.3g}, p_keep {c['p_keep']:.3g}, ellipse rule"
        f" below {c['max_ellipse_m'] / 1e3:.4g} km:\n"
        f"#   launchwatch simulate FILE --assess --assess-interval-s "
        f"{c['interval_s']:.6g} --samples {c['n_samples']}\n"
    )
    body = eng.scenario.model_dump(mode="json", exclude_none=True)
    for s in body["sensors"]:
        if isinstance(s, dict) and not s.get("outages"):
            s.pop("outages", None)
    return head + yaml.safe_dump(body, sort_keys=False, width=100)
