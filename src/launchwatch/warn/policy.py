"""Public missile warnings in the manner of Japan's J-Alert, decided from impact-prediction samples.

**What is warned.** Like J-Alert, an area (prefecture / province, :mod:`.areas`) is warned when the
missile *may fly over its land* -- at any altitude: Hwasong-12 crossed Hokkaido at 500+ km on
2017-08-29 and J-Alert warned 12 prefectures -- or *may fall on it*. From an
:class:`~launchwatch.assess.assessment.Assessment` at time ``t_s``, for every track and area:

* ``p_over`` = fraction of the S samples whose predicted ground path, from ``t_s`` on, touches the
  area's land (paths are densified to :attr:`WarningPolicy.densify_km` so that no crossing is
  stepped over; a sample's impact point counts as a touch);
* ``p_fall`` = fraction of samples whose impact point is on the area's land;
* ``ellipse`` = the 95 % impact ellipse overlaps the area's land, used only once it is smaller
  than :attr:`WarningPolicy.max_ellipse_m` (default 100 km semi-major: an early, shapeless
  prediction is judged by its samples alone; at 300 km, a 250 km ellipse of a salvo SRBM that
  landed 136 km off Gangwon warned Gangwon, which the next updates cleared).

**Whose prediction.** A track that may still be boosting (boost-model probability above
``max_boost_prob``, default 0.3 -- a new track starts at the prior 0.45) is not judged: its
ballistic prediction is a lower bound on the range, and in the salvo scenario such predictions
of young tracks warned two Korean provinces that one more update cleared (false alarms a better
estimate avoids).  J-Alert, too, warns from the predicted trajectory after burnout.

**When.** An area is warned (ISSUE) when ``p_over >= p_issue`` (default 0.10) or ``ellipse``, on
:attr:`n_confirm` consecutive updates (default 1). It stays warned while ``p_over >= p_keep``
(default 0.03) or ``ellipse`` -- hysteresis, so that a probability hovering at the threshold does
not toggle warnings. When it drops below ``p_keep``:

* if the area's predicted exit time (median over the samples that crossed it, at the last update
  that still threatened it) has come, the missile *has passed over*: CANCEL at once (J-Alert's
  "passed over" message);
* otherwise the prediction has moved away: after ``n_clear`` consecutive updates below
  ``p_keep`` (default 3, ~3 s) the warning is withdrawn (CANCEL, "all clear").

A probability threshold rather than "any sample touches it" because the samples' tails would warn
areas that one more second of tracking removes ("never a false alarm that a better estimate would
avoid"), and 10 % because a 1-in-10 chance of being overflown is still worth taking shelter for:
with S = 200 samples it takes 20 samples. When the track impacts (mean impact time reached) a
FELL message goes to the areas still warned, or as a follow-up to all areas ever warned.

**Messages.** One warning thread per track: its first message is a CAP ``Alert``, every later
one an ``Update`` (or ``Cancel``) whose ``references`` list every earlier message of the thread.
J-Alert has no public CAP form; its standard message types (Cabinet Secretariat, "Jアラートに
よる情報伝達", 2017/2022 templates) map as follows:

=============  ===========================  ======================================================
``jalert``     J-Alert wording (gist)       CAP
=============  ===========================  ======================================================
launched       "Missile launched. Take      Alert/Update, responseType Shelter, urgency Immediate,
               shelter in a building or     severity Extreme, certainty Likely (p_over >= 0.5)
               underground."                or Possible; category Security + Safety
may_fall       "Take shelter immediately.   as ``launched``; eventCode ``may_fall``; an extra area
               The missile may fall here."  with the 95 % impact-ellipse polygon
passed_over    "The missile appears to      Update, responseType AllClear, urgency Past,
               have passed over this area." severity Minor, certainty Observed
fell           "The missile appears to have Update, AllClear, Past/Minor/Observed; the
               fallen into <zone>."         description names the zone (land / territorial sea /
                                            EEZ of a country, high seas) and the point
all_clear      (correction: "the missile    Cancel when the thread has nothing left (a
               will not fly over this       withdrawn warning, CAP 1.2's meaning of Cancel),
               area")                       else Update with responseType AllClear
=============  ===========================  ======================================================

Each message's first ``<info>`` block lists every area still warned after the event (so the
latest message alone tells a receiver the whole state); areas cleared by the event are in a
second, AllClear ``<info>`` block. Status is ``Exercise`` unless ``exercise=False``.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import numpy as np

from ..assess.assessment import ELLIPSE_LEVELS, Assessment
from . import areas as areas_mod
from . import cap

__all__ = ["WarningEvent", "WarningPolicy", "JST", "JALERT_TYPES"]

#: Japan Standard Time, the time zone of the CAP ``sent`` fields by default.
JST = timezone(timedelta(hours=9), "JST")
JALERT_TYPES = ("launched", "may_fall", "passed_over", "fell", "all_clear")


@dataclass(frozen=True, slots=True)
class WarningEvent:
    """One warning message. ``areas`` are the areas the event is about (new, changed, cleared)."""

    t_s: float
    kind: str  # "issue" | "update" | "cancel"
    jalert: str  # one of JALERT_TYPES
    areas: tuple[str, ...]
    track_ids: tuple[int, ...]
    identifier: str
    sent: str  # CAP date-time
    msg_type: str  # CAP msgType
    references: tuple[str, ...]  # "sender,identifier,sent" triples
    open_areas: tuple[str, ...]  # areas still warned after this event
    p_over: dict = field(default_factory=dict)  # area -> probability at the event
    cap_xml: str = ""


#: WarningEvent fields that are tuples (lists in plain data).
_EVENT_TUPLES = ("areas", "track_ids", "references", "open_areas")


def _impact(d) -> tuple:
    """A thread's last impact from plain data: () or (lat_deg, lon_deg, verdict kind, country)."""
    if not d:
        return ()
    lat, lon, kind, country = d
    return (float(lat), float(lon), str(kind), str(country))


@dataclass
class _AreaState:
    first_t_s: float
    jalert: str
    p_over: float
    t_entry_s: float
    t_exit_s: float
    below: int = 0
    likely: bool = False


@dataclass
class _Thread:
    track_id: int
    seq: int = 0
    refs: list = field(default_factory=list)
    open: dict = field(default_factory=dict)  # area -> _AreaState
    ever: list = field(default_factory=list)
    pending: dict = field(default_factory=dict)  # area -> consecutive threatening updates
    fell: bool = False
    last_impact: tuple = ()


class WarningPolicy:
    """Stateful J-Alert-like warning policy; feed it Assessments in time order (module doc)."""

    def __init__(self, country_areas=("JPN", "KOR"), *, p_issue: float = 0.10,
                 p_keep: float = 0.03, n_confirm: int = 1, n_clear: int = 3,
                 max_ellipse_m: float = 100e3, densify_km: float = 2.0,
                 pass_margin_s: float = 5.0, sender: str = "warn@launchwatch.invalid",
                 sender_name: str = "launchwatch (simulated J-Alert-like warning)",
                 exercise: bool = True, tz: timezone = JST, expires_s: float = 3600.0,
                 id_prefix: str = "launchwatch-warn", max_boost_prob: float = 0.3):
        if not 0.0 < p_keep <= p_issue <= 1.0:
            raise ValueError("need 0 < p_keep <= p_issue <= 1")
        if n_confirm < 1 or n_clear < 1:
            raise ValueError("n_confirm and n_clear must be >= 1")
        if densify_km <= 0 or max_ellipse_m < 0:
            raise ValueError("densify_km must be > 0 and max_ellipse_m >= 0")
        if not 0.0 <= max_boost_prob <= 1.0:
            raise ValueError("max_boost_prob must be in [0, 1]")
        self.max_boost_prob = float(max_boost_prob)
        self.countries = areas_mod._check_countries(country_areas)
        self.p_issue, self.p_keep = float(p_issue), float(p_keep)
        self.n_confirm, self.n_clear = int(n_confirm), int(n_clear)
        self.max_ellipse_m, self.densify_km = float(max_ellipse_m), float(densify_km)
        self.pass_margin_s = float(pass_margin_s)
        self.sender, self.sender_name = sender, sender_name
        self.status = "Exercise" if exercise else "Actual"
        self.tz, self.expires_s, self.id_prefix = tz, float(expires_s), id_prefix
        self.index = areas_mod.load_index()
        self.index.land_mask(self.countries)  # built once per process and countries (~50 ms)
        self.codes = self.index.codes
        self._threads: dict[int, _Thread] = {}
        self._last_t: float | None = None
        self._epoch = None
        self.events: list[WarningEvent] = []
        self._tree = None

    # ----------------------------------------------------------------------------------------
    # probabilities

    def threat(self, a: Assessment) -> dict[str, np.ndarray]:
        """Per track and area (K, A): ``p_over``, ``p_fall``, ``ellipse`` and the median predicted
        entry/exit times ``t_entry_s``/``t_exit_s`` (NaN where no sample crosses)."""
        K, S = np.asarray(a.path_lat_deg).shape[:2]
        A = len(self.codes)
        ks, tt, aa = _path_hits(a, self.densify_km, self.index, self.countries)
        hit = np.zeros((K, S, A), dtype=bool)
        t_in = np.full((K, S, A), np.inf)
        t_out = np.full((K, S, A), -np.inf)
        if tt.size:
            # runs of consecutive hits of one (track, sample, area): their extreme times only
            key = ks * A + aa
            start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
            key = key[start]
            hit.ravel()[key] = True
            np.minimum.at(t_in.ravel(), key, np.minimum.reduceat(tt, start))
            np.maximum.at(t_out.ravel(), key, np.maximum.reduceat(tt, start))
        hit, fall, t_in, t_out = merge_impacts(self.index, self.countries, a, hit, t_in, t_out)
        # medians only of the areas some sample touches (the others are all-NaN: NaN)
        t_entry = np.full((K, A), np.nan)
        t_exit = np.full((K, A), np.nan)
        cols = np.flatnonzero(hit.any(axis=(0, 1)))
        if cols.size:
            h = hit[..., cols]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no crossing
                t_entry[:, cols] = np.nanmedian(np.where(h, t_in[..., cols], np.nan), axis=1)
                t_exit[:, cols] = np.nanmedian(np.where(h, t_out[..., cols], np.nan), axis=1)
        return {"p_over": hit.mean(axis=1), "p_fall": fall.mean(axis=1),
                "ellipse": self._ellipse_hits(a), "t_entry_s": t_entry, "t_exit_s": t_exit}

    def _ellipse_hits(self, a: Assessment) -> np.ndarray:
        import shapely

        K, A = a.n_tracks, len(self.codes)
        out = np.zeros((K, A), dtype=bool)
        if self.max_ellipse_m <= 0:
            return out
        j = ELLIPSE_LEVELS.index(0.95)
        semi = np.asarray(a.ellipse_semi_major_m, float).reshape(K, -1)[:, j]
        if self._tree is None:
            self._tree = shapely.STRtree(self.index.geoms)
        allowed = np.isin(self.index.country, self.countries)
        for k in np.flatnonzero(np.isfinite(semi) & (semi <= self.max_ellipse_m)):
            if not (np.isfinite(a.impact_lat_deg[k]) and np.isfinite(a.impact_lon_deg[k])):
                continue
            poly = shapely.Polygon(a.ellipse_polygon(int(k), 0.95))
            hits = self._tree.query(poly, predicate="intersects")
            out[k, hits[allowed[hits]]] = True
        return out

    # ----------------------------------------------------------------------------------------
    # state, as plain data (checkpoints)

    @property
    def last_t(self) -> float | None:
        """Time (s after the epoch) of the last assessment or finish consumed; ``None`` before."""
        return self._last_t

    def state(self) -> dict:
        """The policy's state as plain data (str, numbers, lists, dicts): threads, last time,
        epoch (ISO 8601) and the events so far.  :meth:`restore` takes it back."""
        return {
            "last_t": self._last_t,
            "epoch": self._epoch.isoformat() if self._epoch is not None else None,
            "threads": [{"track_id": th.track_id, "seq": th.seq, "refs": list(th.refs),
                         "open": {c: asdict(st) for c, st in th.open.items()},
                         "ever": list(th.ever), "pending": dict(th.pending), "fell": th.fell,
                         "last_impact": list(th.last_impact)}
                        for th in self._threads.values()],
            "events": [{**asdict(e), **{k: list(getattr(e, k)) for k in _EVENT_TUPLES}}
                       for e in self.events],
        }

    def restore(self, state: dict) -> None:
        """Take back the state of :meth:`state` (same areas and settings); ``ValueError`` when
        it is malformed."""
        try:
            threads = {}
            for d in state["threads"]:
                th = _Thread(int(d["track_id"]), int(d["seq"]), [str(r) for r in d["refs"]],
                             {str(c): _AreaState(**st) for c, st in d["open"].items()},
                             [str(c) for c in d["ever"]],
                             {str(c): int(n) for c, n in d["pending"].items()},
                             bool(d["fell"]), _impact(d["last_impact"]))
                threads[th.track_id] = th
            events = [WarningEvent(**{**e, **{k: tuple(e[k]) for k in _EVENT_TUPLES}})
                      for e in state["events"]]
            last_t = None if state["last_t"] is None else float(state["last_t"])
            epoch = None if state["epoch"] is None else datetime.fromisoformat(state["epoch"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"warning policy state: {exc}") from None
        self._threads, self.events, self._last_t, self._epoch = threads, events, last_t, epoch

    # ----------------------------------------------------------------------------------------
    # state machine

    def update(self, a: Assessment) -> list[WarningEvent]:
        """Consume one Assessment (time order); return the events it causes."""
        if not isinstance(a, Assessment):
            raise ValueError("update() takes an Assessment")
        _check_assessment(a)
        if self._last_t is not None and a.t_s < self._last_t:
            raise ValueError(f"assessments must come in time order ({a.t_s} < {self._last_t})")
        self._last_t, self._epoch = float(a.t_s), a.epoch
        if a.n_tracks == 0:
            return []
        th = self.threat(a)
        events: list[WarningEvent] = []
        boost = np.asarray(a.boost_prob, float) if np.size(a.boost_prob) else np.zeros(a.n_tracks)
        for k, tid in enumerate(np.asarray(a.track_id).astype(int)):
            if boost[k] > self.max_boost_prob:
                continue  # still powered (or too young to tell): its impact is a lower bound
            thread = self._threads.setdefault(int(tid), _Thread(int(tid)))
            if thread.fell:
                continue
            events += self._step(thread, a, k, {n: v[k] for n, v in th.items()})
        self.events += events
        return events

    def _step(self, thread: _Thread, a: Assessment, k: int, th: dict) -> list[WarningEvent]:
        t = float(a.t_s)
        p, pf, ell = th["p_over"], th["p_fall"], th["ellipse"]
        threat = (p >= self.p_issue) | ell
        keep = (p >= self.p_keep) | ell
        may_fall = ell | (pf >= self.p_keep)
        impacted = bool(a.impact_t_s[k] <= t) or not np.isfinite(a.path_lat_deg[k]).any()
        thread.last_impact = (float(a.impact_lat_deg[k]), float(a.impact_lon_deg[k]),
                              str(a.verdict_kind[k]), str(a.verdict_country[k]))
        events = []
        if impacted:
            return self._fell(thread, t)
        # areas already warned
        passed, cleared, upgraded = [], [], []
        for code, st in list(thread.open.items()):
            i = self.codes.index(code)
            if keep[i]:
                st.below, st.p_over = 0, float(p[i])
                if np.isfinite(th["t_exit_s"][i]):
                    st.t_entry_s, st.t_exit_s = float(th["t_entry_s"][i]), float(th["t_exit_s"][i])
                if may_fall[i] and st.jalert == "launched":
                    st.jalert = "may_fall"
                    upgraded.append(code)
                elif p[i] >= 0.5 and not st.likely:
                    st.likely = True
                    upgraded.append(code)
            elif np.isfinite(st.t_exit_s) and t + self.pass_margin_s >= st.t_exit_s:
                passed.append(code)
            else:
                st.below += 1
                if st.below >= self.n_clear:
                    cleared.append(code)
        # new areas
        new = []
        for i in np.flatnonzero(threat):
            code = self.codes[i]
            if code in thread.open:
                continue
            thread.pending[code] = thread.pending.get(code, 0) + 1
            if thread.pending[code] >= self.n_confirm:
                new.append(code)
                thread.pending.pop(code)
                thread.open[code] = _AreaState(
                    first_t_s=t, jalert="may_fall" if may_fall[i] else "launched",
                    p_over=float(p[i]), t_entry_s=float(th["t_entry_s"][i]),
                    t_exit_s=float(th["t_exit_s"][i]), likely=bool(p[i] >= 0.5))
                if code not in thread.ever:
                    thread.ever.append(code)
        for code in [c for c in thread.pending if not threat[self.codes.index(c)]]:
            thread.pending.pop(code)
        pmap = {c: float(p[i]) for i, c in enumerate(self.codes) if p[i] > 0}
        for group, kind in ((passed, "passed_over"), (cleared, "all_clear")):
            if group:
                for c in group:
                    thread.open.pop(c)
                events.append(self._emit(thread, t, "cancel", kind, group, pmap, a))
        for jal in ("launched", "may_fall"):
            g = [c for c in new if thread.open[c].jalert == jal]
            if g:
                events.append(self._emit(thread, t, "issue", jal, g, pmap, a))
        if upgraded:
            jal = "may_fall" if any(thread.open[c].jalert == "may_fall" for c in upgraded) \
                else "launched"
            events.append(self._emit(thread, t, "update", jal, upgraded, pmap, a))
        return events

    def _fell(self, thread: _Thread, t: float) -> list[WarningEvent]:
        thread.fell = True
        if thread.open:
            group = list(thread.open)
            thread.open.clear()
            return [self._emit(thread, t, "cancel", "fell", group, {}, None)]
        if thread.ever:
            return [self._emit(thread, t, "update", "fell", list(thread.ever), {}, None)]
        return []

    def finish(self, t_s: float) -> list[WarningEvent]:
        """End of scenario at ``t_s``: close every warning still open (passed over if its
        predicted exit time has come, else all clear)."""
        t = float(t_s)
        if self._last_t is not None and t < self._last_t:
            raise ValueError(f"finish time {t} is before the last update {self._last_t}")
        events = []
        for thread in self._threads.values():
            if not thread.open:
                continue
            passed = [c for c, st in thread.open.items()
                      if np.isfinite(st.t_exit_s) and t + self.pass_margin_s >= st.t_exit_s]
            rest = [c for c in thread.open if c not in passed]
            for group, kind in ((passed, "passed_over"), (rest, "all_clear")):
                if group:
                    for c in group:
                        thread.open.pop(c)
                    events.append(self._emit(thread, t, "cancel", kind, group, {}, None))
        self._last_t = t
        self.events += events
        return events

    # ----------------------------------------------------------------------------------------
    # CAP

    def _emit(self, thread, t, kind, jalert, group, pmap, a) -> WarningEvent:
        epoch = self._epoch if self._epoch is not None else datetime(1970, 1, 1, tzinfo=JST)
        when = epoch + timedelta(seconds=float(t))
        sent = cap.cap_time(when, self.tz)
        thread.seq += 1
        stamp = cap.cap_time(epoch, UTC)[:19].replace("-", "").replace(":", "")
        ident = f"{self.id_prefix}-{stamp}-T{thread.track_id}-{thread.seq:03d}"
        refs = tuple(thread.refs)
        nothing_left = not thread.open
        if not refs:
            msg_type = "Alert"
        elif jalert == "all_clear" and nothing_left and not any(
                e.jalert in ("passed_over", "fell") for e in self.events
                if thread.track_id in e.track_ids):
            msg_type = "Cancel"
        else:
            msg_type = "Update"
        infos = []
        if thread.open:
            infos.append(self._shelter_info(thread, when, pmap, a))
        if kind == "cancel" or jalert == "fell":
            infos.append(self._clear_info(thread, jalert, group, when))
        xml = cap.build_alert(
            identifier=ident, sender=self.sender, sent=sent, status=self.status,
            msg_type=msg_type, references=refs, infos=tuple(infos), tz=self.tz,
            incidents=f"{self.id_prefix}-{stamp}-T{thread.track_id}",
            note="Simulated scenario (launchwatch); not a real warning."
            if self.status == "Exercise" else "")
        thread.refs.append(cap.reference(self.sender, ident, sent))
        return WarningEvent(
            t_s=float(t), kind=kind, jalert=jalert, areas=tuple(group),
            track_ids=(thread.track_id,), identifier=ident, sent=sent, msg_type=msg_type,
            references=refs, open_areas=tuple(thread.open), p_over=dict(pmap), cap_xml=xml)

    def _area_blocks(self, codes) -> tuple[cap.Area, ...]:
        return tuple(cap.Area(desc=areas_mod.area_name(c), geocodes=(("ISO 3166-2", c),))
                     for c in codes)

    def _shelter_info(self, thread, when, pmap, a) -> cap.Info:
        states = thread.open
        fall = any(s.jalert == "may_fall" for s in states.values())
        likely = any(s.likely for s in states.values())
        names = ", ".join(areas_mod.area_name(c) for c in states)
        blocks = list(self._area_blocks(states))
        params = [("launchwatch:track_id", str(thread.track_id))]
        params += [(f"launchwatch:p_overflight:{c}", f"{s.p_over:.2f}") for c, s in states.items()]
        if fall and a is not None:
            k = int(np.flatnonzero(np.asarray(a.track_id) == thread.track_id)[0])
            j = ELLIPSE_LEVELS.index(0.95)
            semi = float(np.asarray(a.ellipse_semi_major_m).reshape(a.n_tracks, -1)[k, j])
            if np.isfinite(semi) and 0 < semi <= self.max_ellipse_m:
                blocks.append(cap.Area(desc="Predicted impact area (95 %)",
                                       polygons=(a.ellipse_polygon(k, 0.95),)))
        if fall:
            headline = "Missile launched: take shelter immediately, it may fall in your area"
            instruction = ("Take shelter immediately in a sturdy building or underground. If "
                           "outdoors, take cover or lie face down and protect your head.")
        else:
            headline = "Missile launched: it may fly over your area, take shelter"
            instruction = ("Take shelter in a sturdy building or underground. Do not approach "
                           "fallen objects; report them to the police or fire service.")
        return cap.Info(
            event="Ballistic missile", categories=("Security", "Safety"),
            response_types=("Shelter",), urgency="Immediate", severity="Extreme",
            certainty="Likely" if likely else "Possible",
            event_codes=(("J-Alert", "may_fall" if fall else "launched"),),
            onset=when, expires=when + timedelta(seconds=self.expires_s),
            sender_name=self.sender_name, headline=headline,
            description=(f"A ballistic missile has been launched and may "
                         f"{'fall on or fly over' if fall else 'fly over'}: {names}."),
            instruction=instruction, parameters=tuple(params), areas=tuple(blocks))

    def _clear_info(self, thread, jalert, group, when) -> cap.Info:
        names = ", ".join(areas_mod.area_name(c) for c in group)
        if jalert == "passed_over":
            headline = "The missile appears to have passed over your area"
            desc = f"The missile appears to have passed over {names}."
        elif jalert == "fell":
            headline = "The missile appears to have fallen"
            desc = f"The missile appears to have fallen {_where(thread.last_impact)}."
        else:
            headline = "All clear: the missile is no longer expected to fly over your area"
            desc = f"The missile is no longer expected to fly over or fall on {names}."
        return cap.Info(
            event="Ballistic missile", categories=("Security", "Safety"),
            response_types=("AllClear",), urgency="Past", severity="Minor",
            certainty="Observed", event_codes=(("J-Alert", jalert),), onset=when,
            expires=when + timedelta(seconds=self.expires_s), sender_name=self.sender_name,
            headline=headline, description=desc,
            instruction="Do not approach suspicious objects; report them to the police or "
                        "fire service.",
            areas=self._area_blocks(group))


def _where(last) -> str:
    """Words for the impact zone (J-Alert "fell" message)."""
    if not last:
        return "at an unknown point"
    lat, lon, kind, country = last
    at = f"near {abs(lat):.1f}°{'N' if lat >= 0 else 'S'} {abs(lon):.1f}°{'E' if lon >= 0 else 'W'}"
    zone = {"land": "on land", "territorial_sea": "in the territorial sea",
            "eez": "in the exclusive economic zone"}.get(kind)
    if kind == "high_seas" or not zone:
        return f"into the sea outside any exclusive economic zone, {at}"
    return f"{zone} of {country}, {at}" if country else f"{zone}, {at}"


def merge_impacts(index, countries, a: Assessment, hit, t_in, t_out):
    """Add the sample impact points to per-(track, sample, area) path hits: ``fall`` marks the
    samples that land on an area's land, which counts as touching it at the impact time.
    Returns ``(hit, fall, t_in, t_out)``."""
    ilat = np.asarray(a.sample_impact_lat_deg, float)
    ilon = np.asarray(a.sample_impact_lon_deg, float)
    iidx = index.index_of(np.nan_to_num(ilat, nan=-90.0), ilon, countries)
    iidx[~np.isfinite(ilat)] = -1
    fall = np.zeros(hit.shape, dtype=bool)
    k2, s2 = np.nonzero(iidx >= 0)
    fall[k2, s2, iidx[k2, s2]] = True
    t_imp = np.broadcast_to(np.asarray(a.impact_t_s, float)[:, None, None], t_in.shape)
    t_in = np.where(fall & ~np.isfinite(t_in), t_imp, t_in)
    t_out = np.where(fall, np.maximum(t_out, t_imp), t_out)
    return hit | fall, fall, t_in, t_out


def _path_hits(a: Assessment, densify_km: float, index, countries):
    """The land points of the predicted ground paths from ``a.t_s`` on: sample (flat index
    ``k * S + s`` over tracks and samples), time and area index (1-D arrays) of every densified
    path point on land of an area of ``countries``, in path order within each sample.

    Paths are densified linearly in lat/lon: every segment between two path times into ``n``
    points (its start and ``n - 1`` in between; the path's last point closes it), ``n`` from the
    longest segment of all samples (:func:`_n_steps`) so that no step exceeds ``densify_km``; a
    segment with a NaN end has no points. Only the segments that may touch land are densified and
    looked up: those with an end near land (:meth:`~.areas.LandMask.distance`) whose lat/lon box
    touches land (:meth:`~.areas.LandMask.may_touch`). Both tests are conservative and the points
    are computed as when densifying everything, so the result is the same as looking up every
    densified point -- at a fraction of the cost, since most of a path is far out at sea.
    """
    mask = index.land_mask(countries)
    t = np.asarray(a.path_t_s, float)
    keep = t >= a.t_s - 1e-9
    first = int(np.argmax(keep)) if keep.any() else t.size
    if keep[first:].all():  # times in order: a view, not a copy
        keep = slice(first, None)
    lat = np.ascontiguousarray(np.asarray(a.path_lat_deg, float)[..., keep])
    lon = np.ascontiguousarray(np.asarray(a.path_lon_deg, float)[..., keep])
    t = t[keep]
    P = t.size
    lat_f, lon_f = lat.reshape(-1), lon.reshape(-1)  # flat indices below: sample * P + point
    n = 1
    if P >= 2:
        dlat = np.diff(lat, axis=-1)
        dlon = np.diff(lon, axis=-1) + 180.0
        wrap = ~((dlon >= 0.0) & (dlon < 360.0))
        if wrap.any():  # == (diff + 180) % 360 - 180, the modulo being the identity in [0, 360)
            dlon[wrap] %= 360.0
        dlon -= 180.0
        fin = np.isfinite(dlat) & np.isfinite(dlon)
        n = _n_steps(lat, dlat, dlon, fin, densify_km)
    dist = mask.distance(lat, lon) if lat.size else np.zeros(lat.shape, np.uint8)
    if n == 1:  # the path points themselves
        pt = np.flatnonzero((dist == 0) & np.isfinite(lat) & np.isfinite(lon))
        idx = index.index_of(lat_f.take(pt), lon_f.take(pt), countries)
        on = np.flatnonzero(idx >= 0)
        ks, q = np.divmod(pt[on], max(P, 1))
        return ks, t.take(q), idx[on].astype(np.intp)
    # a point of a segment is within half the segment's extent (deg) of one end, so within
    # ext / 2 / cell + 1 cells of it, + 1 for rounding (the mask's dilation takes another)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: no finite segment
        ext = max(np.nanmax(np.abs(dlat)), np.nanmax(np.abs(dlon)))
    r = ext / (2.0 * mask.cell) + 2.0
    if r < mask.MAX_DIST:
        near = fin & (np.minimum(dist[..., :-1], dist[..., 1:]) <= int(r))
    else:  # huge steps (or none finite): every finite segment goes to the box test
        near = fin
    seg = np.flatnonzero(near)  # sample * (P - 1) + segment
    ks, q = np.divmod(seg, P - 1)
    pt = ks * P + q
    la0, lo0 = lat_f.take(pt), lon_f.take(pt)
    dla, dlo = dlat.reshape(-1).take(seg), dlon.reshape(-1).take(seg)
    la1, lo1 = la0 + dla, lo0 + dlo
    sel = np.flatnonzero(mask.may_touch(np.minimum(la0, la1), np.maximum(la0, la1),
                                        np.minimum(lo0, lo1), np.maximum(lo0, lo1)))
    f = np.arange(n) / n
    # the same expressions as densifying every segment, so the same points bit for bit
    idx = index.index_of(la0[sel, None] + dla[sel, None] * f,
                         lo0[sel, None] + dlo[sel, None] * f, countries).reshape(-1)
    on = np.flatnonzero(idx >= 0)
    j, i = np.divmod(on, n)  # segment (of sel), point
    j = sel.take(j)
    qj = q.take(j)
    hits = [(ks.take(j), t[:-1].take(qj) + np.diff(t).take(qj) * f.take(i), idx.take(on))]
    # the paths' last points
    last = np.flatnonzero((dist[..., -1] == 0) & np.isfinite(lat[..., -1])
                          & np.isfinite(lon[..., -1]))  # samples
    idx = index.index_of(lat_f.take(last * P + P - 1), lon_f.take(last * P + P - 1), countries)
    on = np.flatnonzero(idx >= 0)
    hits.append((last.take(on), np.full(on.size, t[-1]), idx.take(on)))
    ks, tq, area = (np.concatenate(v) for v in zip(*hits, strict=True))
    return ks, tq, area.astype(np.intp)


def _n_steps(lat, dlat, dlon, fin, densify_km: float) -> int:
    """Points per segment: ``ceil(worst / densify_km)`` in 1..64, ``worst`` the longest segment
    (km, ``111.2 * hypot(dlat, dlon * cos(lat))``) of all samples; ``fin``: finite segments.

    A float32 estimate of every segment's length (error < 1e-6 relative + 2e-4 deg for
    latitudes within +-90 deg) picks the few candidates for the longest, within 1e-5 relative +
    1e-3 deg of the estimated maximum; their exact lengths decide, so ``n`` is the one of the
    exact lengths of all segments.
    """
    with np.errstate(all="ignore"):
        c = np.cos(lat[..., :-1].astype(np.float32) * np.float32(np.pi / 180.0))
        x = dlon.astype(np.float32) * c
        y = dlat.astype(np.float32)
        est = np.sqrt(x * x + y * y)
    n_ok = np.count_nonzero(np.isfinite(est))
    if n_ok == np.count_nonzero(fin) and not np.isinf(dlat).any():
        if n_ok == 0:
            return 1
        m = float(np.nanmax(est))
        cand = est >= m - (1e-5 * m + 1e-3)
    else:  # float32 overflow or infinite input: every segment
        cand = np.ones(dlat.shape, dtype=bool)
    la = lat[..., :-1][cand]
    step_km = 111.2 * np.hypot(dlat[cand], dlon[cand] * np.cos(np.radians(np.nan_to_num(la))))
    worst = np.nanmax(step_km) if np.isfinite(step_km).any() else 0.0
    return int(np.clip(np.ceil(worst / densify_km), 1, 64))


def _check_assessment(a: Assessment) -> None:
    K = a.n_tracks
    P = np.asarray(a.path_t_s).shape
    if len(P) != 1:
        raise ValueError("path_t_s must be 1-D")
    for name in ("path_lat_deg", "path_lon_deg"):
        arr = np.asarray(getattr(a, name))
        if arr.ndim != 3 or arr.shape[0] != K or arr.shape[2] != P[0]:
            raise ValueError(f"{name} must have shape (K={K}, S, P={P[0]}), got {arr.shape}")
    if np.asarray(a.sample_impact_lat_deg).shape != np.asarray(a.path_lat_deg).shape[:2]:
        raise ValueError("sample_impact_lat_deg must have shape (K, S)")
    if a.epoch.tzinfo is None:
        raise ValueError("Assessment.epoch must be an aware datetime")
