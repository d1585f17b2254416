"""The launch corridor from IR alone: a warning thread started before any radar track exists.

Space-based IR sees a plume seconds to a minute before any radar holds a track (a launch from
deep inland, e.g. Mupyong-ri, is below every radar's horizon until +60-75 s while the plume is
seen from +25-30 s).  :class:`IrCues` turns the IR detections that no radar track owns yet into
*pseudo-tracks* and judges each at the time its scan is read (the scan time +
:data:`launchwatch.warn.corridor.IR_READ_LAG_S`), as the radar corridor judges a boosting track:

* **Cue chains** -- the IR detections chained scan to scan (each joins the chain whose last
  ground point, at :data:`~launchwatch.warn.corridor.IR_CUE_HEIGHT_M`, is within
  :data:`CHAIN_KM` + :data:`CHAIN_KM_S` per second of the gap, the gap at most
  :data:`CHAIN_GAP_REVISITS` revisits).  A chain is judged at each of its scans read, from its
  second detection on, while no confirmed radar track owns it (the track's early IR cue is one
  of its detections, the radar corridor's association rule).
* **Tentative radar tracks** -- a radar track born from two detections and not yet confirmed
  whose first and latest rows lie on the lines of sight of one judged chain, and of no other
  (:data:`SIGMA_RADAR_CROSS_M`), adds measured points of the plume to the fit below (their
  height against the template's, their ground point along and across the heading), and the
  chain is judged at each of its rows as well as at the scans read.  Once the track is
  confirmed it owns the chain.
* **Launch site** -- the catalog sites within :data:`~launchwatch.warn.corridor.SITE_KM` of the
  first detection's line of sight between the IR floor and
  :data:`~launchwatch.warn.corridor.CUE_H_MAX_M` (no site near: no pseudo-track -- IR alone
  never warns from a point the catalog does not know), each weighed by its marginal likelihood.
* **Heading, clock and template, from the lines of sight** -- each fan template
  (:func:`launchwatch.warn.corridor.fan`) with each launch time (its climb through the IR floor
  within one revisit before the first detection, or one revisit more at the cost of a missed
  scan) puts the plume at a height at each detection's time; the line of sight at that height
  gives a ground point, whose distance from the site must be the template's downrange and whose
  bearing gives the heading (the bearings' mean weighted by downrange squared).  Misses are
  Gaussian (:data:`~launchwatch.warn.corridor.SIGMA_LOS_M`, capped at
  :data:`~launchwatch.warn.corridor.LOS_CAP_SIGMA`); a template burnt out or below the floor at a
  detection counts the cap; a scan of the chain's life that saw nothing where the template's
  plume burned in view counts ``log(1 - Pd)``.
* **Continuations and threat** -- ``n_draws`` draws by weight, each turned about the site by its
  own heading error, flown on from the fan in scenario time and judged by
  :class:`.threat.ThreatModel` exactly as the radar corridor's; areas issue at ``p_issue``.

The warning policy (:class:`.policy.WarningPolicy`) calls :meth:`IrCues.judge` at the read times
(:meth:`IrCues.read_times`) between its assessments; a radar track whose IR cue is in a chain
joins that chain's thread (:meth:`IrCues.hosts`): one Alert, then Updates.  Times are s after the
scenario epoch; positions ECEF m; angles in degrees where the name says ``_deg``.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime

import numpy as np
from scipy.ndimage import gaussian_filter1d

from ..earth import frames, geodesy
from ..earth.arrays import read_only
from ..flight.catalog import load_vehicles
from ..flight.propagate import make_controls, propagate
from ..flight.vehicles import vehicle_model
from . import corridor as cor

__all__ = ["IrCues", "PSEUDO_BASE"]

#: Pseudo-track ids: this + the chain's index (tracker ids are small non-negative integers).
PSEUDO_BASE = 1_000_000
#: Chaining gate: a detection joins a chain whose last ground point is within this (km) + this
#: speed (km/s) times the gap: a boosting missile's ground speed (<= 4 km/s) plus the parallax
#: change of its climb at the fixed cue height (estimate, as the policy's track-break gate).
CHAIN_KM = 60.0
CHAIN_KM_S = 6.0
#: Two sensors' lines of sight chain when they pass within this (km) + this speed (km/s) times
#: the gap of each other (the sensors' noise is ~1 km at GEO range; estimate).
STEREO_KM = 10.0
STEREO_KM_S = 4.0
#: ... and the gap at most this many revisits (one scan missed, Pd ~0.8-0.95).
CHAIN_GAP_REVISITS = 2.5
#: A chain is judged from this many detections on (one line of sight gives no heading).
MIN_DETECTIONS = 2
#: Launch-time grid: steps per revisit of the delay from the floor crossing to the first cue.
N_DELAY = 12
#: Miss (m) of a line of sight from a fan template fitted by lines of sight alone: the sensor's
#: noise (~1 km at GEO range) and the template grid's scatter once its clock is fitted on the
#: :data:`N_DELAY` grid (estimate; measured on the stereo test flight: 8 km, the radar
#: corridor's, left the heading 20 deg wide at +59 s, 1.5 km chose one template and a heading
#: 5-10 deg off with a false area).
SIGMA_LOS_IR_M = 4e3
#: A chain's fan from a site is flown again when the fitted heading moved more than this (deg)
#: from the fan's: the draws are turned about the site by their heading's difference, which
#: the flight core's rotating Earth bends little over a few degrees (estimate).
AZ_REFLY_DEG = 5.0
#: At most this many (the latest) lines of sight are fitted per judgement.
MAX_LOS = 8
#: A tentative radar track (born from two detections, not yet confirmed) whose rows lie on a
#: chain's lines of sight -- each row within :data:`STEREO_KM` + :data:`STEREO_KM_S` per second
#: of its time from the chain's nearest line of sight in time, the two-sensor chaining rule --
#: is a measured point of the same plume: its height pins the template's clock and its ground
#: point the heading, where one geostationary line of sight leaves the heading 20-40 deg wide.
#: Its miss across the heading from a template flown from the site (m): the radar's
#: cross-range noise at 200-600 km (1-2 km) and the Earth's rotation bending the template's
#: ground track over the first 100 km (estimate).  Along the heading and in height the miss is
#: the template grid's scatter, :data:`SIGMA_LOS_IR_M`.
SIGMA_RADAR_CROSS_M = 2e3
#: Height prior of the fit: the plume height at the latest detection is weighed by the density
#: of the catalog's vehicles still burning at that time since launch (each flown with the fan's
#: pitch-over kicks) over the density of the fan's templates still burning there, on a grid of
#: this step (m) smoothed by :data:`PRIOR_BW_M` (estimate: the spread of one vehicle's climb
#: over the kicks at +50 s is 5-15 km).  The fan is a grid, not a prior: without this its many
#: fast-climbing one-stage templates outweigh the slower ones, and one geostationary line of
#: sight fits a heading turned towards the satellite as well with a plume flown higher.
PRIOR_DH_M = 1e3
PRIOR_BW_M = 3e3
#: Share of the prior for a vehicle the catalog does not hold, whose climb is spread like the
#: fan's own templates (estimate): a climb no catalog vehicle flies keeps this share of its
#: weight, so that an unknown missile's plume is weighed down, never ruled out; and a climb
#: the catalog flies weighs at most 1 / this share more than the fan's templates there.
PRIOR_UNKNOWN_SHARE = 0.1
#: Launch point the catalog's climbs are flown from (deg; a height-against-time profile barely
#: depends on it: the Earth's rotation adds < 0.5 km by +60 s; estimate).
PRIOR_SITE_DEG = (40.0, 127.0, 90.0)
#: Height bins of the prior (to 400 km; above, a template keeps the floor's weight).
PRIOR_BINS = 400


class IrCues:
    """IR-only pseudo-tracks of a :class:`~.corridor.Corridor` (module docstring): it reads the
    corridor's IR detections, sensors, candidate sites and fans.  ``p_issue``: the overflight
    probability at which a pseudo-track's areas issue (default: the corridor's)."""

    def __init__(
        self,
        corridor,
        *,
        p_issue: float | None = None,
        min_weight: float = 1e-3,
        sigma_los_m: float = SIGMA_LOS_IR_M,
        n_delay: int = N_DELAY,
    ):
        self.c = corridor
        self.sigma_los_m, self.n_delay = float(sigma_los_m), int(n_delay)
        self.p_issue = corridor.p_issue if p_issue is None else float(p_issue)
        self.min_weight = float(min_weight)
        self._key = None
        self._det: np.ndarray | None = None
        self._chain: np.ndarray = np.zeros(0, int)
        self._judged: set[int] = set()  # chains judged so far (their pseudo-tracks exist)
        self._az_ref: dict[tuple[int, str], float] = {}  # (chain, site) -> its fan's heading
        self.last: dict[int, dict] = {}  # pseudo id -> what the last judgement saw

    # ----------------------------------------------------------------------------------------
    # chains

    def _chains(self):
        """IR detections (time-ordered) and their chain index (n,), recomputed when the
        corridor's IR input changes."""
        key = self.c.all_ir() if self.c.has_ir else None  # the corridor's cache: new on feed
        if key is self._key and self._det is not None:
            return self._det, self._chain
        self._key = key  # held: its identity is the cache's
        det = self.c.ir_det()
        if det is None or self.c.ir_revisit_s is None:
            self._det, self._chain = None, np.zeros(0, int)
            return self._det, self._chain
        ti, la, lo = self.c.all_ir()
        s_pos, u_dir = cor.ir_lines_of_sight(det)
        sensor = det["sensor"]
        gap = CHAIN_GAP_REVISITS * self.c.ir_revisit_s
        chain = np.full(ti.size, -1)
        last: list[int] = []  # per chain: its latest detection
        for i in range(ti.size):  # detections in time order (tens per run): chaining is causal
            if not np.isfinite(la[i]):
                continue
            best, best_d = -1, np.inf
            for c, j in enumerate(last):  # chains (a few)
                dt = ti[i] - ti[j]
                if not (0.0 < dt <= gap) or (sensor[i] == sensor[j] and dt < 0.5):
                    continue
                if sensor[i] == sensor[j]:  # one vantage point: ground points at the cue height
                    d = float(geodesy.inverse(la[j], lo[j], la[i], lo[i])[2])
                    lim = 1e3 * (CHAIN_KM + CHAIN_KM_S * dt)
                else:  # two vantage points: how near the lines of sight pass each other
                    d = _line_gap(s_pos[i], u_dir[i], s_pos[j], u_dir[j])
                    lim = 1e3 * (STEREO_KM + STEREO_KM_S * dt)
                if d <= lim and d < best_d:
                    best, best_d = c, d
            if best < 0:
                best = len(last)
                last.append(i)
            chain[i] = best
            last[best] = i
        self._det, self._chain = det, chain
        return det, chain

    def read_times(self, t_lo: float, t_hi: float) -> list[float]:
        """Times in ``(t_lo, t_hi]`` at which a scan with a detection of a chain that has
        :data:`MIN_DETECTIONS` by then is read (its time + ``IR_READ_LAG_S``), and those of the
        rows of tentative radar tracks on a chain no confirmed track owns then."""
        det, chain = self._chains()
        if det is None or not det.size:
            return []
        t_read = det["t_s"].astype(float) + cor.IR_READ_LAG_S
        n_before = np.zeros(chain.size, int)  # detections of its chain up to and with this one
        for c in np.unique(chain[chain >= 0]):
            idx = np.flatnonzero(chain == c)
            n_before[idx] = np.arange(1, idx.size + 1)
        ok = (chain >= 0) & (n_before >= MIN_DETECTIONS) & (t_read > t_lo) & (t_read <= t_hi)
        times = {round(float(x), 6) for x in t_read[ok]}
        rows = self.c.all_rows()  # and every row of a tentative track on a chain
        if rows is not None:
            new = rows[(rows["t_s"] > t_lo) & (rows["t_s"] <= t_hi) & ~rows["confirmed"]]
            for tr in np.unique(new["t_s"].astype(float)):
                support = self._radar_support(float(tr), self._tentative_rows(float(tr)))
                if _chains_with_row_at(support, float(tr)):
                    times.add(round(float(tr), 6))
        return sorted(times)

    def _tentative_rows(self, t: float) -> np.ndarray | None:
        """History rows up to ``t`` of the radar tracks not confirmed by then (time-ordered
        per track), or None."""
        rows = self.c.all_rows()
        if rows is None:
            return None
        rows = rows[rows["t_s"] <= t + 1e-6]
        conf = np.unique(rows["track_id"][rows["confirmed"]])
        rows = rows[~np.isin(rows["track_id"], conf)]
        return rows if rows.size else None

    def _radar_support(self, t: float, rows: np.ndarray | None) -> dict[int, np.ndarray]:
        """Chain -> rows of the tentative radar tracks on its lines of sight read by ``t``
        (:data:`SIGMA_RADAR_CROSS_M`; ``rows``: :meth:`_tentative_rows` at ``t``), for the
        chains no confirmed track owns that have :data:`MIN_DETECTIONS` lines of sight by then:
        per such track its first row (a two-point start sits on its second detection) and its
        latest.  A track on the lines of sight of two chains supports neither: in a salvo from
        two sites a neighbour's row, seen from the other site, turned a fit by 80 deg and warned
        three Korean provinces at +28 s (dense-salvos seed 4 e7)."""
        det, chain = self._chains()
        if det is None or rows is None:
            return {}
        ts = det["t_s"].astype(float)
        read = ts <= t - cor.IR_READ_LAG_S + 1e-5
        tracks = [rows[rows["track_id"] == tid] for tid in np.unique(rows["track_id"])]
        tracks = [r[[0, -1]] if r.size > 1 else r for r in tracks]
        on: dict[int, list[int]] = {}  # track index -> chains it lies on
        for c in sorted({int(x) for x in chain[read & (chain >= 0)]} - self.owned(t)):
            mine = det[read & (chain == c)]
            if mine.size < MIN_DETECTIONS:
                continue
            s_pos, u_dir = cor.ir_lines_of_sight(mine)
            t_los = mine["t_s"].astype(float)
            for k, r in enumerate(tracks):  # tentative tracks (a few)
                p = np.asarray(r["state"][:, :3], float)
                i = np.argmin(np.abs(t_los[None, :] - r["t_s"][:, None].astype(float)), axis=1)
                dt = np.abs(t_los[i] - r["t_s"].astype(float))
                gap = np.linalg.norm(np.cross(p - s_pos[i], u_dir[i]), axis=1)
                if np.all(gap <= 1e3 * (STEREO_KM + STEREO_KM_S * dt)):
                    on.setdefault(k, []).append(c)
        out: dict[int, list[np.ndarray]] = {}
        for k, cs in on.items():
            if len(cs) == 1:
                out.setdefault(cs[0], []).append(tracks[k])
        return {c: np.concatenate(v) for c, v in out.items()}

    def owned(self, t: float) -> set[int]:
        """Chains owned at ``t`` by a confirmed radar track: one of the track's early IR cues
        (within :data:`~.corridor.ASSOC_KM` of its first ground point, no later than its first
        row + :data:`~.corridor.ASSOC_LAG_S`, and read by ``t``) is in the chain."""
        det, chain = self._chains()
        rows = self.c.all_rows()
        out: set[int] = set()
        if det is None or rows is None:
            return out
        rows = rows[rows["t_s"] <= t + 1e-6]
        conf = np.unique(rows["track_id"][rows["confirmed"]])
        for tid in conf:  # radar tracks (a few)
            out.update(self._track_chains(rows[rows["track_id"] == tid], t))
        return out

    def _track_chains(self, mine: np.ndarray, t: float) -> set[int]:
        det, chain = self._chains()
        if det is None:
            return set()
        ti, la, lo = self.c.all_ir()
        first = mine[0]
        lat_r, lon_r, _ = frames.ecef_to_geodetic(first["state"][:3])
        ok = (
            np.isfinite(la)
            & (ti <= first["t_s"] + cor.ASSOC_LAG_S)
            & (ti <= t - cor.IR_READ_LAG_S + 1e-6)
            & (chain >= 0)
        )
        if not ok.any():
            return set()
        _, _, d = geodesy.inverse(
            np.full(ok.sum(), np.degrees(lat_r)),
            np.full(ok.sum(), np.degrees(lon_r)),
            la[ok],
            lo[ok],
        )
        return {int(c) for c in chain[ok][d <= cor.ASSOC_KM * 1e3]}

    def hosts(self, tid: int, t: float) -> list[int]:
        """Pseudo-track ids (earliest chain first) whose thread radar track ``tid`` continues:
        the judged chains holding its early IR cues."""
        rows = self.c.all_rows()
        if rows is None:
            return []
        mine = rows[(rows["track_id"] == tid) & (rows["t_s"] <= t + 1e-6)]
        if not mine.size:
            return []
        return [PSEUDO_BASE + c for c in sorted(self._track_chains(mine, t)) if c in self._judged]

    # ----------------------------------------------------------------------------------------
    # judgement

    def judge(self, t: float, model, epoch: datetime | None = None):
        """The pseudo-tracks read at ``t`` (chains with a detection in the scan read at ``t``
        or a tentative radar track's row at ``t`` on them, not owned by a confirmed radar
        track): ``(Assessment-shaped record, threat dict)`` for
        :class:`.policy.WarningPolicy`, or None when none has a corridor."""
        det, chain = self._chains()
        if det is None:
            return None
        ts = det["t_s"].astype(float)
        scan = np.abs(ts + cor.IR_READ_LAG_S - t) < 1e-5
        read = ts <= t - cor.IR_READ_LAG_S + 1e-5
        owned = self.owned(t)
        ids, fans = [], []
        support = self._radar_support(t, self._tentative_rows(t))
        # chains with a plume in the scan read now, or a tentative radar track's row now
        now = _chains_with_row_at(support, t)
        for c in sorted(({int(x) for x in chain[scan & (chain >= 0)]} | now) - owned):
            mine = det[read & (chain == c)]
            radar = support.get(c)
            pid = PSEUDO_BASE + c
            n_radar = 0 if radar is None else int(radar.size)
            info = {"t_s": t, "n_los": int(mine.size), "n_radar": n_radar}
            self.last[pid] = info
            if mine.size < MIN_DETECTIONS:
                continue
            draws = self._continuations(c, mine, t, info, radar)
            if draws is None:
                continue
            self._judged.add(c)
            ids.append(pid)
            fans.append(draws)
        if not ids:
            return None
        stub = _Stub(t, epoch or datetime(1970, 1, 1, tzinfo=UTC))
        a = cor.pseudo_assessment(
            stub,
            [f[0] for f in fans],
            [f[1] for f in fans],
            [f[2] for f in fans],
            [f[3] for f in fans],
        )
        a = dataclasses.replace(a, track_id=np.asarray(ids, int))
        th = model.threat(a)
        th["p_issue"] = np.full(len(ids), self.p_issue)
        for k, pid in enumerate(ids):  # the judgement's top areas, for the record
            top = np.argsort(-th["p_over"][k])[:3]
            self.last[pid]["p_over"] = {
                model.codes[i]: round(float(th["p_over"][k][i]), 3) for i in top
            }
        th["ellipse"] = np.zeros_like(th["ellipse"])
        return a, th

    def _sites(self, first: np.ndarray) -> list[tuple[float, float, str]]:
        """Catalog sites within SITE_KM of the first detection's line of sight between the IR
        floor and CUE_H_MAX_M, nearest first (at most MAX_SITES)."""
        c = self.c
        hs = np.arange(c.ir_min_height_m, cor.CUE_H_MAX_M + 1.0, 1e3)
        tl, tn = cor.ir_ground_points(np.repeat(first[None], hs.size), hs)
        ok = np.isfinite(tl)
        n_s, n_h = c.site_lat.size, int(ok.sum())
        if not n_h:
            return []
        _, _, ds = geodesy.inverse(
            np.repeat(c.site_lat, n_h),
            np.repeat(c.site_lon, n_h),
            np.tile(tl[ok], n_s),
            np.tile(tn[ok], n_s),
        )
        ds = ds.reshape(n_s, n_h).min(axis=1)
        order = [int(i) for i in np.argsort(ds) if ds[i] <= cor.SITE_KM * 1e3][: cor.MAX_SITES]
        return [(float(c.site_lat[i]), float(c.site_lon[i]), c.site_names[i]) for i in order]

    def _scans_missed(self, mine: np.ndarray, t: float) -> list[tuple[float, float]]:
        """``[(scan time s, Pd)]`` of the IR scans from two revisits before the chain's first
        detection to its last that saw nothing of it."""
        c = self.c
        t0, t1 = float(mine["t_s"][0]), float(mine["t_s"][-1])
        rev = float(c.ir_revisit_s)
        out = []
        for sen, ts in c.scans(t0 - 2.0 * rev - 1e-3, t1 - 0.5, t):
            for s in ts:
                if np.min(np.abs(mine["t_s"] - s)) > 0.5:
                    out.append((float(s), float(sen.pd)))
        return out

    def _fit(self, site, mine: np.ndarray, az_ref: float, missed, radar=None) -> dict:
        """Per (template, launch delay): log-likelihood of the chain's lines of sight from
        ``site`` (module docstring) and of the tentative radar rows on it (``radar``, history
        rows or None: :data:`SIGMA_RADAR_CROSS_M`), the heading (deg) and its sigma, the clock
        offset."""
        c = self.c
        fan_t = cor.fan(round(site[0], 4), round(site[1], 4), float(az_ref))
        times, _, h_tab, d_tab, *_ = fan_t
        burn = fan_t[6]
        nf = cor.T_FINE.size
        step = float(cor.T_FINE[1] - cor.T_FINE[0])
        rev = float(c.ir_revisit_s)
        tau8 = _first_crossing_time(h_tab[:, :nf], c.ir_min_height_m, step)  # (J,)
        # (Q,): the delay from the floor crossing to the first cue, up to two revisits
        delays = (np.arange(2 * self.n_delay) + 0.5) * rev / self.n_delay
        t_first = float(mine["t_s"][0])
        dt = mine["t_s"].astype(float) - t_first  # (D,)
        tau = tau8[:, None, None] + delays[None, :, None] + dt[None, None, :]  # (J, Q, D)
        J, Q, D = tau.shape
        h = _interp_fine(h_tab[:, :nf], tau, step)
        d = _interp_fine(d_tab.table()[:, :nf], tau, step)
        fine = np.isfinite(h) & np.isfinite(d) & (burn[:, None, None] > tau)
        fine &= h >= c.ir_min_height_m
        hq = np.where(fine, h, c.ir_min_height_m)
        rep = np.broadcast_to(np.arange(D), (J, Q, D)).ravel()
        g_lat, g_lon = cor.ir_ground_points(mine[rep], hq.ravel())
        g_ok = np.isfinite(g_lat)
        az = np.full(J * Q * D, np.nan)
        dist = np.full(J * Q * D, np.nan)
        n_ok = int(g_ok.sum())
        if n_ok:
            az[g_ok], _, dist[g_ok] = geodesy.inverse(
                np.full(n_ok, site[0]), np.full(n_ok, site[1]), g_lat[g_ok], g_lon[g_ok]
            )
        az, dist = az.reshape(J, Q, D), dist.reshape(J, Q, D)
        fine &= np.isfinite(az)
        dd = np.where(fine, d, 0.0)
        wgt = dd**2
        ang = np.radians(np.where(fine, az, 0.0))
        zc = np.sum(wgt * np.exp(1j * ang), axis=-1)
        radar_fit = self._radar_fit(site, radar, tau8, delays, t_first, h_tab[:, :nf], d_tab, step)
        if radar_fit is not None:  # measured ground points: the heading leans on them
            zc = zc + np.sum(radar_fit["w"] * np.exp(1j * radar_fit["ang"]), axis=-1)
        psi = np.angle(zc)  # (J, Q) rad
        cross = dd * np.sin(ang - psi[..., None])
        along = np.where(fine, dist, 0.0) - dd
        z2 = (along**2 + cross**2) / self.sigma_los_m**2
        z2 = np.where(fine, np.minimum(z2, cor.LOS_CAP_SIGMA**2), cor.LOS_CAP_SIGMA**2)
        logl = -0.5 * z2.sum(axis=-1)
        w_sum = wgt.sum(axis=-1)
        if radar_fit is not None:
            rf = radar_fit
            cross_r = rf["d"] * np.sin(rf["ang"] - psi[..., None])
            z2r = (rf["along"] ** 2 + rf["dh"] ** 2) / self.sigma_los_m**2
            z2r = z2r + (cross_r / SIGMA_RADAR_CROSS_M) ** 2
            z2r = np.where(rf["ok"], np.minimum(z2r, cor.LOS_CAP_SIGMA**2), cor.LOS_CAP_SIGMA**2)
            logl = logl - 0.5 * z2r.sum(axis=-1)
            w_sum = w_sum + rf["w"].sum(axis=-1)
        # scans that saw nothing while the template's plume burned above the floor
        for s, pd in missed:
            ts_ = tau8[:, None] + delays[None, :] + (s - t_first)  # (J, Q)
            hs = _interp_fine(h_tab[:, :nf], ts_, step)
            vis = np.isfinite(hs) & (hs >= c.ir_min_height_m) & (burn[:, None] > ts_)
            logl = logl + np.where(vis, np.log(max(1.0 - pd, 1e-12)), 0.0)
        # the prior over the plume's height at the latest detection (PRIOR_DH_M); the match
        # alone (loglik) says whether the fit is poor
        loglik = logl
        logl = logl + height_log_prior(
            tau[..., -1], np.where(fine[..., -1], h[..., -1], np.nan), step
        )
        sig = np.sqrt(np.maximum(w_sum, 1.0))
        sig_az = np.maximum(np.degrees(self.sigma_los_m / sig), cor.AZ_SIGMA_FLOOR_DEG)
        # clock: template time at the first detection
        tau_first = tau8[:, None] + delays[None, :]
        return {
            "site": site,
            "logl": np.where(np.isfinite(tau_first), logl, -np.inf),
            "loglik": np.where(np.isfinite(tau_first), loglik, -np.inf),
            "psi_deg": np.degrees(psi),
            "sig_az": sig_az,
            "tau_first": tau_first,
            "burn": burn,
        }

    def _radar_fit(self, site, radar, tau8, delays, t_first, h_fine, d_tab, step):
        """The tentative radar rows' part of :meth:`_fit`, per (template J, delay Q, row R):
        heading weight ``w`` (downrange squared, scaled to the lines of sight' sigma), bearing
        ``ang`` (rad) and downrange ``d`` (m) from the site, misses ``along`` and ``dh`` (m)
        and ``ok``; None without rows."""
        if radar is None or not radar.size:
            return None
        lat, lon, h_r = frames.ecef_to_geodetic(np.asarray(radar["state"][:, :3], float))
        n = lat.size
        az_r, _, dist_r = geodesy.inverse(
            np.full(n, site[0]), np.full(n, site[1]), np.degrees(lat), np.degrees(lon)
        )
        dt = radar["t_s"].astype(float) - t_first
        tau = tau8[:, None, None] + delays[None, :, None] + dt[None, None, :]  # (J, Q, R)
        h = _interp_fine(h_fine, tau, step)
        d = _interp_fine(d_tab.table()[:, : h_fine.shape[1]], tau, step)
        ok = np.isfinite(h) & np.isfinite(d)
        d0 = np.where(ok, d, 0.0)
        w = d0**2 * (self.sigma_los_m / SIGMA_RADAR_CROSS_M) ** 2
        ang = np.broadcast_to(np.radians(az_r), tau.shape)
        return {
            "w": np.where(ok, w, 0.0),
            "ang": ang,
            "d": d0,
            "along": np.where(ok, dist_r - d0, 0.0),
            "dh": np.where(ok, h_r - h, 0.0),
            "ok": ok,
        }

    def _continuations(self, chain: int, mine: np.ndarray, t: float, info: dict, radar=None):
        """Draws of fan templates fitted to the chain's lines of sight, flown on in scenario
        time: ``(path_t, lat (S, P), lon (S, P), impact (lat, lon, t))`` or None."""
        c = self.c
        sites = self._sites(mine[0])
        info["sites"] = {}
        if not sites:
            return None
        los = mine[-MAX_LOS:] if mine.size > MAX_LOS else mine
        missed = self._scans_missed(mine, t)
        info["missed_scans"] = len(missed)
        t_last = float(mine["t_s"][-1])
        # reference heading per site (its fan is flown once per chain): at first the site to
        # the latest detection put at the cue height, then the fitted heading when it moved
        # more than AZ_REFLY_DEG from it
        if radar is not None and radar.size:  # a measured ground point, when there is one
            r_lat, r_lon, _ = frames.ecef_to_geodetic(np.asarray(radar["state"][-1, :3], float))
            g_lat, g_lon = np.degrees(np.atleast_1d(r_lat)), np.degrees(np.atleast_1d(r_lon))
        else:
            g_lat, g_lon = cor.ir_ground_points(mine[-1:])
        fits, refs = [], []
        for site in sites:  # a few candidate sites
            key = (chain, site[2])
            if key not in self._az_ref:
                if not np.isfinite(g_lat[0]):
                    return None
                az = geodesy.inverse(site[0], site[1], g_lat[0], g_lon[0])[0]
                self._az_ref[key] = float(np.round(az) % 360.0)
            refs.append(self._az_ref[key])
            f = self._fit(
                site, los if los is mine else _with_first(mine, los), refs[-1], missed, radar
            )
            fits.append(f)
        logl = np.stack([f["logl"] for f in fits])  # (sites, J, Q)
        top = float(np.max(logl))
        best_match = max(float(np.max(f["loglik"])) for f in fits)
        if not np.isfinite(top) or np.exp(best_match) < self.min_weight:
            info["fit"] = "poor"
            return None
        mass = np.exp(logl - top).sum(axis=(1, 2))
        post = mass / mass.sum()
        best = int(np.argmax(post))
        info["sites"] = {f["site"][2]: round(float(q), 3) for f, q in zip(fits, post, strict=True)}
        f = fits[best]
        w = np.exp(f["logl"] - np.max(f["logl"])).ravel()
        w /= w.sum()
        az0 = refs[best]
        psi = az0 + (f["psi_deg"].ravel() - az0 + 180.0) % 360.0 - 180.0  # about the reference
        order = np.argsort(psi)
        az_med = float(psi[order][np.searchsorted(np.cumsum(w[order]), 0.5)])
        site = f["site"]
        if abs(az_med - az0) > AZ_REFLY_DEG:  # fly the fan on the fitted heading from now on
            az0 = self._az_ref[(chain, site[2])] = float(np.round(az_med) % 360.0)
        info.update(launch=site, heading_deg=round(az_med % 360.0, 2))
        fan_t = cor.fan(round(site[0], 4), round(site[1], 4), az0)
        times, ecef, *_, t_imp, imp = fan_t
        J, Q = f["logl"].shape
        pick = cor.weighted_draws(c.rng, w, c.n_draws)
        # the draws of one (template, delay) share its clock, so its path: each pair's once
        up, row = np.unique(pick, return_inverse=True)
        j, q = np.divmod(up, Q)
        tau_now = f["tau_first"][j, q] + (t - float(mine["t_s"][0]))
        t_l = float(mine["t_s"][0]) - f["tau_first"].ravel()
        info["t_launch_s"] = round(float(np.sum(np.where(w > 0, w * np.nan_to_num(t_l), 0.0))), 2)
        info["ess"] = round(float(1.0 / np.sum(w**2)), 1)
        path_t = t + np.arange(0.0, times[-1] + cor.PATH_DT_S, cor.PATH_DT_S)
        tq = tau_now[:, None] + (path_t - t)[None, :]
        la, lo, _ = frames.ecef_to_geodetic(cor.interp_rows(times, ecef[j], tq))
        p_lat, p_lon = np.degrees(la), np.degrees(lo)
        la, lo, _ = frames.ecef_to_geodetic(imp[j])
        i_lat, i_lon = np.degrees(la), np.degrees(lo)
        i_t = (t + t_imp[j] - tau_now)[row]
        dpsi = (psi[pick] - az0 + 180.0) % 360.0 - 180.0
        dpsi = dpsi + f["sig_az"].ravel()[pick] * cor.stratified_normal(c.rng, c.n_draws)
        p_lat, p_lon = cor.turn(site[0], site[1], p_lat, p_lon, dpsi[:, None], rows=row)
        i_lat, i_lon = cor.turn(site[0], site[1], i_lat, i_lon, dpsi, rows=row)
        info["t_last_s"] = t_last
        return path_t, p_lat, p_lon, (i_lat, i_lon, i_t)


def _burning_heights(model, times: np.ndarray, kicks: np.ndarray) -> np.ndarray:
    """Heights (m) of ``model`` flown with each pitch-over kick at full thrust from
    :data:`PRIOR_SITE_DEG` at ``times`` (s), NaN once burnt out or down: (kicks, T)."""
    lat, lon, az = PRIOR_SITE_DEG
    tr = propagate(
        model,
        lat,
        lon,
        az,
        make_controls(kicks.size, kick_rad=kicks),
        sample_times_s=times,
        t_max_s=float(times[-1]),
    )
    _, _, h = frames.ecef_to_geodetic(tr.samples_ecef()[..., :3])
    return np.where(times[None, :] < model.burn_time_s, h, np.nan)


def _height_density(h: np.ndarray) -> np.ndarray:
    """Per time (T, H): the share of the rows of ``h`` (N, T) at a height in each
    :data:`PRIOR_DH_M` bin (NaN: not burning, counted in the total), smoothed by
    :data:`PRIOR_BW_M`."""
    n, f = h.shape
    nb = PRIOR_BINS
    b = np.floor(np.nan_to_num(h, nan=-1.0) / PRIOR_DH_M).astype(int)
    ok = (b >= 0) & (b < nb)
    cnt = np.zeros((f, nb))
    np.add.at(cnt, (np.broadcast_to(np.arange(f), (n, f))[ok], b[ok]), 1.0)
    return gaussian_filter1d(cnt / n, PRIOR_BW_M / PRIOR_DH_M, axis=1, mode="constant")


@functools.lru_cache(maxsize=1)
def height_log_prior_table() -> np.ndarray:
    """(F, :data:`PRIOR_BINS`) on the fan's fine grid: log of the prior density of burning plume
    heights (the catalog vehicles', :data:`PRIOR_UNKNOWN_SHARE` the fan's) over the fan
    templates' (:data:`PRIOR_DH_M`), both flown from
    :data:`PRIOR_SITE_DEG` (the templates' climbs are the same from every site to well under a
    bin)."""
    times = cor.T_FINE
    kicks = np.asarray(cor.FAN_KICK_RAD, float)
    cat = np.concatenate(
        [_burning_heights(vehicle_model(v), times, kicks) for v in load_vehicles()]
    )
    lat, lon, az = PRIOR_SITE_DEG
    fan_t = cor.fan(lat, lon, az)
    nf = times.size
    fan_h = np.where(times[None, :] < fan_t[6][:, None], fan_t[2][:, :nf], np.nan)
    d_cat, d_fan = _height_density(cat), _height_density(fan_h)
    # (share x fan + (1 - share) x catalog) / fan, at most 1 / share: a few templates in the
    # fan's thin tail under a catalog climb must not take all the weight
    ratio = PRIOR_UNKNOWN_SHARE + (1.0 - PRIOR_UNKNOWN_SHARE) * d_cat / np.maximum(d_fan, 1e-12)
    table = np.log(np.clip(ratio, PRIOR_UNKNOWN_SHARE, 1.0 / PRIOR_UNKNOWN_SHARE))
    read_only(table)  # cached: shared by every caller
    return table


def height_log_prior(tau: np.ndarray, h: np.ndarray, step: float) -> np.ndarray:
    """Log prior weight of fan templates whose plume is at height ``h`` (m) ``tau`` s after
    their launch (same shapes; fine grid of ``step`` s): :data:`PRIOR_DH_M`; 0 where either is
    unknown (the fit counts those as misses)."""
    table = height_log_prior_table()
    ti = np.clip(np.round(np.nan_to_num(tau) / step).astype(int), 0, table.shape[0] - 1)
    hi = np.clip(np.floor(np.nan_to_num(h) / PRIOR_DH_M).astype(int), 0, table.shape[1] - 1)
    return np.where(np.isfinite(h) & np.isfinite(tau), table[ti, hi], 0.0)


@dataclasses.dataclass
class _Stub:
    """The two fields of an Assessment that :func:`.corridor.pseudo_assessment` reads."""

    t_s: float
    epoch: datetime


def _with_first(mine: np.ndarray, los: np.ndarray) -> np.ndarray:
    """The chain's first detection (its clock's origin) and the latest ``los``."""
    return np.concatenate([mine[:1], los[1:]])


def _chains_with_row_at(support: dict[int, np.ndarray], t: float) -> set[int]:
    """The chains of :meth:`IrCues._radar_support` with a tentative track's row at ``t``."""
    return {c for c, rows in support.items() if np.any(np.abs(rows["t_s"] - t) < 1e-6)}


def _line_gap(p1, u1, p2, u2) -> float:
    """Closest distance (m) between two lines (points ``p``, unit directions ``u``, ECEF)."""
    n = np.cross(u1, u2)
    nn = float(np.linalg.norm(n))
    if nn < 1e-12:
        return float(np.linalg.norm(np.cross(p2 - p1, u1)))
    return abs(float(np.dot(p2 - p1, n))) / nn


def _first_crossing_time(h_tab: np.ndarray, h: float, step: float) -> np.ndarray:
    """Per template (J,): time (s) of its first climb through ``h`` on the fine grid (NaN:
    never)."""
    return cor.first_crossing(h_tab, h) * step


def _interp_fine(tab: np.ndarray, tau: np.ndarray, step: float) -> np.ndarray:
    """(J, T) table on the fine grid interpolated at per-template times ``tau`` (J, ...)
    (NaN outside the grid or where ``tau`` is NaN)."""
    J, T = tab.shape
    f = tau / step
    ok = np.isfinite(f) & (f >= 0.0) & (f <= T - 1)
    fc = np.where(ok, f, 0.0)
    i0 = np.floor(fc).astype(int)
    i1 = np.minimum(i0 + 1, T - 1)
    w = fc - i0
    rr = np.arange(J).reshape((J,) + (1,) * (tau.ndim - 1))
    out = tab[rr, i0] * (1.0 - w) + tab[rr, i1] * w
    return np.where(ok, out, np.nan)
