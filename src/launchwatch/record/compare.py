"""Disagreements between the reports of one event, shown side by side, never resolved.

Reported figures are rounded ("about 700 km"), so numbers count as the same within
:data:`REL_TOL` (10 %) of the larger one: KCNA's 999.2 km and Japan's "about 1,000 km" agree,
ROK JCS's 700 km and Japan's 450 km do not.
"""

from __future__ import annotations

from functools import lru_cache

from ..flight.catalog import UnknownNameError, get_site, normalize_name
from .extract import within_bound

REL_TOL = 0.10
#: (field, label, unit) compared between reports.
FIELDS = (
    ("range_km", "range", "km"),
    ("apogee_km", "apogee", "km"),
    ("flight_time_s", "flight time", "s"),
    ("launch_time_local", "launch time", ""),
    ("site_name", "site", ""),
    ("missile_class", "class", ""),
    ("n_missiles", "missiles", ""),
    ("eez_claim", "EEZ", ""),
)


def _site_areas(name: str) -> set[str]:
    """The normalized names a launch area answers to: itself, its catalog name and its
    province (a report that names only the city or province is less precise, not different)."""
    out = {normalize_name(name)}
    try:
        site = get_site(name)
    except UnknownNameError:
        return out
    return out | {normalize_name(site.name), normalize_name(site.province)}


def _same_site(a: str, b: str) -> bool:
    """Two named launch areas agree when they are the same catalog site or one is the province
    or city the other lies in ("Pyongyang" and "Sunan"); two sites in one province that are
    both named precisely (Sunan and Chunghwa) still differ."""
    na, nb = normalize_name(a), normalize_name(b)
    if na == nb:
        return True
    try:
        ca, cb = get_site(a), get_site(b)
    except UnknownNameError:  # one name is not a catalog site: it may be the other's province
        return na in _site_areas(b) or nb in _site_areas(a)
    if ca.name == cb.name:
        return True
    # One of the two is an area (its catalog name is the other's province): contained.
    return normalize_name(ca.name) == normalize_name(cb.province) or normalize_name(
        cb.name
    ) == normalize_name(ca.province)


def _same(a, b, field: str = "") -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    if field == "site_name":
        return _same_site(str(a), str(b))
    return normalize_name(str(a)) == normalize_name(str(b))


def _fmt(value, unit: str) -> str:
    if isinstance(value, float):
        return f"{value:,.0f} {unit}".strip() if value >= 100 else f"{value:g} {unit}".strip()
    return f"{value} {unit}".strip()


def disagreements(reports) -> list[dict]:
    """Fields on which the reports (ORM :class:`~.models.Report` rows, or objects with the same
    attributes) disagree: ``[{"field", "values": [{"value", "authority", "report_id"}],
    "summary": "range 700 km (ROK JCS) vs 450 km (Japan MoD)"}]``. Unknowns never disagree."""
    out = []
    for name, label, unit in FIELDS:
        values = []
        for r in reports:
            v = getattr(r, name, None)
            if v is None or v == "unknown":
                continue
            values.append(
                {
                    "value": v,
                    "authority": r.authority or r.outlet or "unattributed",
                    "report_id": r.id,
                }
            )
        groups: list[list[dict]] = []
        for v in values:
            for g in groups:
                if _same(g[0]["value"], v["value"], name):
                    g.append(v)
                    break
            else:
                groups.append([v])
        if len(groups) > 1:
            parts = [
                f"{_fmt(g[0]['value'], unit)} ("
                + ", ".join(dict.fromkeys(x["authority"] for x in g))
                + ")"
                for g in groups
            ]
            out.append(
                {"field": name, "values": values, "summary": f"{label} " + " vs ".join(parts)}
            )
    return out


# -- claim checks ------------------------------------------------------------------------------
#: A reported EEZ claim is flagged when the described (or derived) landing puts less than
#: this share of its samples on the claimed side of the EEZ line.  Near the line a rounded
#: description ("about 300 km north-west of Hegura-jima", P = 0.55) allows either claim: the
#: authority's own track decides there, and no disagreement is recorded.
EEZ_P_FLAG = 0.2
_FIG = {
    "range_km": ("range", "km"),
    "apogee_km": ("apogee", "km"),
    "flight_time_s": ("flight time", "s"),
}


def _who(r) -> str:
    return r.authority or r.outlet or "unattributed"


def _bound(r, name: str) -> str | None:
    """ "lower" / "upper" when the report states ``name`` as a bound ("more than 1,000 km")."""
    details = getattr(r, "details", None) or {}
    b: str | None = (details.get("bounds") or {}).get(name)
    return b


def _bound_word(bound: str | None) -> str:
    return {"lower": "more than ", "upper": "up to "}.get(bound or "", "")


def _result(r) -> dict | None:
    rec = getattr(r, "reconstruction", None)
    return None if rec is None else (rec.result or None)


def _hw(name: str, v: float, r=None) -> float:
    """Reporting precision of report ``r``'s figure ``name`` = ``v``: the rounding its digits
    show, or the rounding of the miles it was written in (``details["precision"]``)."""
    from ..flight.reconstruct import reported_halfwidth

    details = getattr(r, "details", None) or {}
    stated = (details.get("precision") or {}).get(name)
    if stated is not None:
        return float(stated)
    return reported_halfwidth(name, v) or 0.0


def _derived_gap(res: dict, name: str, v: float) -> float:
    """How far ``v`` lies outside the span of the figure ``name`` that the reconstruction
    ``res`` derived: its value, widened by the rounding of the figures it came from
    (``res["derived_intervals"]``, :func:`launchwatch.flight.reconstruct.derived_intervals`);
    0 inside it."""
    d = float(res[name])
    lo, hi = (res.get("derived_intervals") or {}).get(name) or (d, d)
    return max(min(lo, d) - v, v - max(hi, d), 0.0)


def _path_altitude_km(res: dict, ground_km: float) -> float | None:
    """Altitude (km) of a stored trajectory where it is ``ground_km`` downrange."""
    import numpy as np

    from ..earth import geodesy

    path = res.get("path") or []
    if len(path) < 3:
        return None
    p = np.asarray(path, float)
    _, _, d = geodesy.inverse(p[0, 1], p[0, 2], p[:, 1], p[:, 2])
    d = np.asarray(d) / 1e3
    if ground_km > d.max():
        return None
    return float(np.interp(ground_km, d, p[:, 3] / 1e3))


def _readings(short, long_, name: str, reps=()) -> list[dict]:
    """Physical readings that would reconcile a shorter and a longer reported range."""
    out = []
    s_v, l_v = getattr(short, name), getattr(long_, name)
    rs, rl = _result(short), _result(long_)
    band = (rs or {}).get("manoeuvre_range_band_km")
    if band is not None:
        fits = l_v - _hw(name, l_v) <= band[1] and l_v + _hw(name, l_v) >= band[0]
        out.append(
            {
                "reading": "pull-up glide measured to different points",
                "fits": bool(fits),
                "glide_range_band_km": band,
                "detail": f"from {_who(short)}'s reconstruction ({s_v:,.0f} km, quasi-ballistic "
                f"class) the same burnout reaches {band[0]:,.0f}-{band[1]:,.0f} km with "
                f"no lift to a full pull-up glide; {l_v:,.0f} km is "
                + ("within" if fits else "outside")
                + " it: one authority may have "
                "measured the end of the glide, the other the ballistic point or the end "
                "of its track",
            }
        )
    apo = getattr(short, "apogee_km", None)
    if (
        rs is not None
        and rl is not None
        and apo is not None
        and (getattr(long_, "apogee_km", None) is None)
    ):
        glide = _glide_reading(rs, l_v, apo, s_v, rl)
        if glide is not None:
            out.append(glide)
    if rl is not None:
        h = _path_altitude_km(rl, s_v)
        if h is not None:
            out.append(
                {
                    "reading": "lost track",
                    "fits": True,
                    "altitude_at_short_range_km": round(h, 1),
                    "detail": f"on {_who(long_)}'s {l_v:,.0f} km trajectory the missile is still "
                    f"{h:,.0f} km up at {s_v:,.0f} km downrange: a track ending there "
                    "(below a radar's horizon, or dropped in the glide) gives the "
                    "shorter figure",
                }
            )
    return out


def _path_altitude_at_time_km(res: dict, t_s: float) -> float | None:
    """Altitude (km) of a stored trajectory ``t_s`` seconds after lift-off."""
    import numpy as np

    path = res.get("path") or []
    if len(path) < 3:
        return None
    p = np.asarray(path, float)
    if not p[0, 0] <= t_s <= p[-1, 0]:
        return None
    return float(np.interp(t_s, p[:, 0], p[:, 3] / 1e3))


def _time_readings(short, long_, name: str, reps=()) -> list[dict]:
    """Readings that reconcile a shorter and a longer reported flight time: the shorter one is
    where a track ended (the missile still aloft on the longer report's trajectory), or each
    time goes with its own authority's range and apogee (the derived times say which)."""
    out = []
    t_s, t_l = short.flight_time_s, long_.flight_time_s
    for rep in (long_, short):
        res = _result(rep)
        if res is None:
            continue
        h = _path_altitude_at_time_km(res, t_s)
        if h is not None and h > 1.0:
            out.append(
                {
                    "reading": "lost track",
                    "fits": True,
                    "altitude_at_short_time_km": round(h, 1),
                    "detail": f"on {_who(rep)}'s reconstructed trajectory "
                    f"({res.get('flight_time_s', 0):,.0f} s) the missile is still {h:,.0f} "
                    f"km up {t_s:,.0f} s after lift-off: a track that ended there (below "
                    "a radar's horizon) gives the shorter time",
                }
            )
            break
    for rep in (short, long_):
        res = _result(rep)
        if (
            res is None
            or res.get("flight_time_s") is None
            or (getattr(rep, "range_km", None) is None or getattr(rep, "apogee_km", None) is None)
        ):
            continue
        d = res["flight_time_s"]
        near = min((t_s, t_l), key=lambda x: abs(x - d))
        out.append(
            {
                "reading": f"{_who(rep)}'s range and apogee imply {d:,.0f} s",
                "fits": _derived_gap(res, "flight_time_s", near) <= _hw(name, near) + 0.05 * near,
                "derived_flight_time_s": round(d, 1),
                "detail": f"{_who(rep)}'s {rep.range_km:,.0f} km and {rep.apogee_km:,.0f} km apogee "
                f"give {d:,.0f} s in the joint reconstruction: closer to {near:,.0f} s "
                f"({_who(short) if near == t_s else _who(long_)})",
            }
        )
    return out


def _apogee_readings(low, high, name: str, reps=()) -> list[dict]:
    """Readings for a lower and a higher reported apogee: which one a reported flight time
    supports (each apogee's reconstruction at its authority's range, against every reported
    time), and whether the lower one is the pull-up glide's (a quasi-ballistic class flies a
    low apogee that another authority's ballistic fit would put higher)."""
    out = []
    times = [(r, r.flight_time_s) for r in reps if getattr(r, "flight_time_s", None)]
    for rep in (low, high):
        res = _result(rep)
        if res is None or res.get("flight_time_s") is None:
            continue
        d = res["flight_time_s"]
        for other, t in times:
            ok = _derived_gap(res, "flight_time_s", t) <= _hw("flight_time_s", t) + 0.05 * t
            out.append(
                {
                    "reading": f"{rep.apogee_km:,.0f} km apogee flown in {d:,.0f} s",
                    "fits": ok,
                    "derived_flight_time_s": round(d, 1),
                    "reported_flight_time_s": t,
                    "detail": f"{_who(rep)}'s apogee ({rep.apogee_km:,.0f} km) at its range gives "
                    f"{d:,.0f} s; {_who(other)} reported {t:,.0f} s: "
                    + ("consistent" if ok else f"{d - t:+,.0f} s off"),
                }
            )
    res = _result(low)
    if res is not None and (res.get("requested") or {}).get("quasi_ballistic_class"):
        out.append(
            {
                "reading": "pull-up glide read as a lower apogee",
                "fits": True,
                "detail": f"{_who(low)}'s {low.apogee_km:,.0f} km apogee is flown by the "
                "quasi-ballistic class (pull-up glide); a ballistic reading of the same "
                f"track puts the apogee higher ({_who(high)}: {high.apogee_km:,.0f} km)",
            }
        )
    return out


def glide_key(lat: float, lon: float, az: float, long_km: float, apogee_km: float) -> list:
    """Key of a stored glide reading: launch point and azimuth of the shorter report's
    reconstruction, the longer range and the shorter report's apogee (rounded as stored)."""
    return [
        round(float(lat), 4),
        round(float(lon), 4),
        round(float(az), 3),
        round(float(long_km), 3),
        round(float(apogee_km), 3),
    ]


def glide_entry(lat: float, lon: float, az: float, long_km: float, apogee_km: float) -> dict:
    """The flight of ``long_km`` at ``apogee_km`` from this launch point and azimuth, for the
    glide reading: ``{"key", "flyable", "flight_time_s", "quasi_ballistic", "path"}``.  Computed
    at ingestion (:mod:`.ingest`) and stored with the reconstruction, so that viewing an event
    does not fly it (a few seconds each)."""
    from ..flight.reconstruct import ReconstructionError, reconstruct
    from .ingest import sample_path

    key = glide_key(lat, lon, az, long_km, apogee_km)
    try:
        rec = reconstruct(
            lat_deg=key[0], lon_deg=key[1], range_km=key[3], azimuth_deg=key[2], apogee_km=key[4]
        )
    except ReconstructionError:
        return {"key": key, "flyable": False}
    d = rec.as_dict()
    return {
        "key": key,
        "flyable": True,
        "flight_time_s": d["flight_time_s"],
        "quasi_ballistic": bool((d.get("requested") or {}).get("quasi_ballistic_class")),
        "path": sample_path(rec.shot),
    }


def glide_pairs(a_rec: dict | None, a, b_rec: dict | None, b) -> list[list]:
    """Glide-reading keys that the pair of reports ``a`` and ``b`` (objects with range_km and
    apogee_km; their reconstruction results ``*_rec``) would need: the shorter report with an
    apogee, the longer one with a range beyond both roundings and no apogee."""
    out = []
    for short, s_rec, long_, l_rec in ((a, a_rec, b, b_rec), (b, b_rec, a, a_rec)):
        sr, lr = getattr(short, "range_km", None), getattr(long_, "range_km", None)
        apo = getattr(short, "apogee_km", None)
        if (
            s_rec is None
            or l_rec is None
            or sr is None
            or lr is None
            or apo is None
            or getattr(long_, "apogee_km", None) is not None
        ):
            continue
        if lr - sr <= _hw("range_km", sr) + _hw("range_km", lr):
            continue
        out.append(
            glide_key(s_rec["launch_lat"], s_rec["launch_lon"], s_rec["azimuth_deg"], lr, apo)
        )
    return out


@lru_cache(maxsize=64)
def _glide_shot(key: tuple) -> dict:
    return glide_entry(*key)


def _stored_glide(key: list, *results) -> dict:
    for res in results:
        for entry in (res or {}).get("glide_readings") or []:
            if entry.get("key") == key:
                return entry
    return _glide_shot(tuple(key))  # stored before readings were kept: fly it now


def _glide_reading(
    rs: dict, long_km: float, apogee_km: float, short_km: float, rl: dict | None = None
) -> dict | None:
    """Both authorities right about different things: the longer range flown at the shorter
    report's apogee (a quasi-ballistic pull-up glide, if that is what flies it), and where on
    that flight the shorter range lies (altitude there)."""
    key = glide_key(rs["launch_lat"], rs["launch_lon"], rs["azimuth_deg"], long_km, apogee_km)
    got = _stored_glide(key, rs, rl)
    if not got.get("flyable"):
        return {
            "reading": f"{long_km:,.0f} km at a {apogee_km:,.0f} km apogee",
            "fits": False,
            "detail": f"no modelled flight covers {long_km:,.0f} km with a "
            f"{apogee_km:,.0f} km apogee",
        }
    h = _path_altitude_km({"path": got["path"]}, short_km)
    glide = got["quasi_ballistic"]
    t = got["flight_time_s"]
    return {
        "reading": "pull-up glide measured to different points"
        if glide
        else f"{long_km:,.0f} km at a {apogee_km:,.0f} km apogee",
        "fits": True,
        "flight_time_s": t,
        "altitude_at_short_range_km": None if h is None else round(h, 1),
        "detail": f"{long_km:,.0f} km at a {apogee_km:,.0f} km apogee is flyable"
        + (" by the quasi-ballistic class with its pull-up glide" if glide else "")
        + f" ({t:,.0f} s)"
        + (
            f"; at {short_km:,.0f} km downrange it is {h:,.0f} km up, in the "
            "glide: a track lost or a ballistic impact predicted there gives the "
            "shorter figure"
            if h is not None
            else ""
        ),
    }


def claim_flags(reports) -> list[dict]:
    """Claims that do not hold together, each with its numbers: ``[{"kind", "report_ids",
    "summary", ...}]``.

    * ``figures_inconsistent``: one report's range, apogee and flight time cannot all be true
      of one flight with a plausible boost (the reconstruction's verdict);
    * ``derived_vs_reported``: a figure derived from one authority's figures differs from what
      another authority reported, beyond the latter's reporting precision and beyond what
      the rounding of the figures it came from allows (``derived_intervals``);
    * ``eez_claim``: the reported EEZ claim against P(Japan EEZ) of the described landing (or,
      with no landing description, of the derived impact), flagged when the claimed side holds
      for less than :data:`EEZ_P_FLAG` of it;
    * ``range_vs_landing``: the reported range and the launch point's distance to the described
      landing do not meet within their roundings (the two place the landing apart);
    * ``bound_violated``: a figure stated as a bound ("more than 1,000 km", "flew for under 10
      minutes") that the report's other figures do not meet anywhere within their rounding;
    * ``authorities_disagree``: two authorities' range, apogee or flight time differ beyond
      both figures' precision, with the physical readings that would reconcile them where
      they apply (range: pull-up glide, lost track; apogee: which one a reported flight time
      supports, a pull-up glide read ballistically; flight time: a track that ended early,
      each authority's range and apogee against the times).
    """
    from ..flight.reconstruct import range_conflict_text

    flags = []
    reps = list(reports)
    for r in reps:
        res = _result(r)
        if res is None:
            continue
        v = res.get("verdict") or {}
        if v.get("status") == "inconsistent":
            flags.append(
                {
                    "kind": "figures_inconsistent",
                    "report_ids": [r.id],
                    "authority": _who(r),
                    "conflict": v.get("conflict"),
                    "summary": f"{_who(r)}: {v.get('summary')}",
                }
            )
        for bc in res.get("bounds") or []:
            if bc.get("holds") or bc.get("flown"):
                continue
            label, unit = _FIG[bc["figure"]]
            flags.append(
                {
                    "kind": "bound_violated",
                    "report_ids": [r.id],
                    "authority": _who(r),
                    **bc,
                    "summary": f"{_who(r)}: {label} {_bound_word(bc['bound'])}"
                    f"{bc['value']:,.0f} {unit}, but its other figures give "
                    f"{bc['derived']:,.0f} {unit}",
                }
            )
        zp = res.get("zone_probabilities") or {}
        zone = zp.get("described") or (
            # A heading read from a sea area's name ("towards the East Sea") is a direction
            # to the sea's middle, not to the landing: from Wonsan it misses the 2017-05-29
            # landing north of the Oki Islands by some 15 deg, so the derived impact cannot
            # contradict an EEZ claim; only an azimuth or a landing point can.
            None if res.get("toward") and not res.get("landing") else zp.get("derived")
        )
        if (c := (zp.get("described") or {}).get("range_conflict")) is not None:
            flags.append(
                {
                    "kind": "range_vs_landing",
                    "report_ids": [r.id],
                    "authority": _who(r),
                    **c,
                    "summary": f"{_who(r)}: {range_conflict_text(c, 'its')}",
                }
            )
        claim = getattr(r, "eez_claim", "unknown")
        if zone and claim in ("inside", "outside"):
            p = zone.get("p_jpn_eez", 0.0)
            p_claim = p if claim == "inside" else 1.0 - p
            bad = p_claim < EEZ_P_FLAG
            if bad:
                src = "described landing" if zp.get("described") else "derived impact"
                flags.append(
                    {
                        "kind": "eez_claim",
                        "report_ids": [r.id],
                        "authority": _who(r),
                        "claim": claim,
                        "p_jpn_eez": p,
                        "basis": src,
                        "summary": f"{_who(r)} says {claim} Japan's EEZ, but the {src} "
                        f"is in it with P = {p:.2f}",
                    }
                )
    # Derived figures of one report against another's reported figures.
    for a in reps:
        res = _result(a)
        if res is None:
            continue
        for b in reps:
            if b is a or _who(a) == _who(b):
                continue
            for name, (label, unit) in _FIG.items():
                rv = getattr(b, name, None)
                if rv is None or getattr(a, name, None) is not None or res.get(name) is None:
                    continue
                hw = _hw(name, rv, b)
                off = res[name] - rv
                # what the rounding of the figures it came from lets the derived one be
                lo, hi = (res.get("derived_intervals") or {}).get(name) or (res[name], res[name])
                lo, hi = min(lo, res[name]), max(hi, res[name])
                bound = _bound(b, name)
                if bound is not None and within_bound(bound, rv, (lo, hi), hw + 0.05 * rv):
                    continue  # "more than 1,000 km" and 1,150 km derived agree
                # reporting precision plus a 5 % model margin
                if _derived_gap(res, name, rv) > hw + 0.05 * rv:
                    flags.append(
                        {
                            "kind": "derived_vs_reported",
                            "report_ids": [a.id, b.id],
                            "figure": name,
                            "derived": round(res[name], 1),
                            "reported": rv,
                            "precision": hw,
                            "off": round(off, 1),
                            "bound": bound,
                            "derived_interval": [round(lo, 1), round(hi, 1)],
                            "summary": f"{label} {_bound_word(bound)}{rv:,.0f} {unit} ({_who(b)}) "
                            f"vs {res[name]:,.0f} "
                            f"{unit} derived from {_who(a)}'s figures "
                            f"({off:+,.0f} {unit}, {100 * off / rv:+.0f} %"
                            + (
                                f"; {lo:,.0f}-{hi:,.0f} {unit} within their rounding)"
                                if hi > lo
                                else ")"
                            ),
                        }
                    )
    # Authorities that disagree on a figure, and what would reconcile them.
    for name, (label, unit) in _FIG.items():
        have = [r for r in reps if getattr(r, name, None) is not None]
        for i, a in enumerate(have):
            for b in have[i + 1 :]:
                if _who(a) == _who(b):
                    continue
                lo, hi = sorted((a, b), key=lambda r: getattr(r, name))
                lo_v, hi_v = getattr(lo, name), getattr(hi, name)
                gap = hi_v - lo_v
                if gap <= _hw(name, lo_v, lo) + _hw(name, hi_v, hi):
                    continue
                # A bound agrees with any figure on its side of it: "more than 500 km" (JCS)
                # and "about 700 km" (Japan) say the same; two bounds never disagree.
                b_lo, b_hi = _bound(lo, name), _bound(hi, name)
                if b_lo == "lower" or b_hi == "upper" or (b_lo and b_hi):
                    continue
                readings = {
                    "range_km": _readings,
                    "apogee_km": _apogee_readings,
                    "flight_time_s": _time_readings,
                }[name](lo, hi, name, reps)
                fitting = [x["reading"] for x in readings if x["fits"]]
                flags.append(
                    {
                        "kind": "authorities_disagree",
                        "report_ids": [lo.id, hi.id],
                        "figure": name,
                        "values": [
                            {"authority": _who(lo), "value": lo_v},
                            {"authority": _who(hi), "value": hi_v},
                        ],
                        "gap": gap,
                        "readings": readings,
                        "summary": f"{label} {_bound_word(b_hi)}{hi_v:,.0f} {unit} ({_who(hi)}) "
                        f"vs {_bound_word(b_lo)}{lo_v:,.0f} {unit} "
                        f"({_who(lo)}): {gap:,.0f} {unit} apart, beyond both figures' "
                        "rounding"
                        + ("; " + "; ".join(fitting) if fitting else "; no physical reading found"),
                    }
                )
    return flags
