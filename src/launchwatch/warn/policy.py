"""The warning lifecycle, in the manner of Japan's J-Alert without its known failures.

Feed :meth:`WarningPolicy.update` the Assessments of a run in time order (and
:meth:`WarningPolicy.finish` at its end); it returns :class:`WarningEvent` messages. The threat
numbers come from :class:`.threat.ThreatModel` (``p_over``, ``p_fall``, the 95 % ellipse, the
predicted entry/exit times), the words and the CAP form from :mod:`.messages`, the codes from
:mod:`.jalert`. One warning thread per track and country: its first message is a CAP ``Alert``,
every later one an ``Update`` referencing all earlier ones.

**Whose prediction.** A track that may still be boosting (boost probability above
``max_boost_prob``) is judged by its launch corridor (``early``, a :class:`.corridor.Corridor`:
the IR cue's site, the heading and a fan of boost templates, blended with the ballistic
prediction by the chance the motor still burns; its areas issue at the corridor's own
``p_issue``), else not at all: its ballistic prediction is only a lower bound on the range --
unless the corridor's IR evidence says the motor is out (:meth:`.corridor.Corridor.burnt_out`:
scans that could see the plume saw none since the last, the burn probability at most
``max_boost_prob``): then its ballistic prediction on the coasting samples judges it at
``p_issue``, as it does once the tracker's boost model agrees.
Before any radar track exists, the corridor's IR-only pseudo-tracks (``early.cues``,
:class:`.corridor_ir.IrCues`) are judged at every IR scan read between assessments, each with
its own thread; the radar track whose IR cue is in one continues that thread (the same
message chain: Updates, not a second Alert).

**Track breaks: one thread per missile, not per track.** A new track that begins where and when
a warned track stopped (not in the same assessment, its first ground point within
:data:`SUCCESSOR_KM` + :data:`SUCCESSOR_KM_S` per second of the gap from the old track's last,
ahead of it along its heading within :data:`SUCCESSOR_HEADING_DEG`, the gap at most
``lost_after_s``) joins the old track's thread at its first judgement: its updates step that
thread (the same areas, no second "issue" or "passed over" for them) and the thread follows it.
A new track that got its own thread before the old one was lost is still taken over when the old
one times out (the old thread follows it instead of going "tracking lost").

Lifecycle of an area (kinds of :data:`KINDS`, codes of :mod:`.jalert`):

* **issue** (128 launched / 132 may fall) when ``p_over >= p_issue`` or the ellipse overlaps it;
  **update** when it becomes "may fall" (132) or likely (p >= 0.5);
* kept while ``p_over >= p_keep`` (hysteresis);
* **passed_over** (129) at the first update of the *live* track after its predicted paths no
  longer touch the area *and* its predicted exit time has come (the confirmed track has left it);
  from a track lost *over* the area -- its last update past the area's predicted entry, the
  predicted exit come before the loss is declared (``lost_after_s``), not "may fall" -- when the
  loss is declared (a track that breaks off at the radars' edge while crossing: japan-overflights
  seed 2 engagement 11 was lost 1 s before leaving Hokkaido and gave "passed over" 635 s late,
  at the all-clear); never from a track lost before it reached the area (2022-11-03);
* **cancel** (131 will not come / 135 will not fall) after ``n_clear`` updates below ``p_keep``
  before the area was reached -- only when its text is true of the whole country: 131 when no
  area of the country is threatened any more, 135 when none may be fallen on; otherwise the
  warning is held;
* **tracking_lost** (128/132 again: stay sheltered) when the track has had no update for
  ``lost_after_s`` while areas are warned: the warning then stands until the last predicted
  impact time + ``impact_margin_s`` (3 sigma of the impact time at least), then **all_clear**
  (131 / 135);
* **fell** (130 into the sea / 134 here) once the predicted impact time has come -- with the
  track alive until then, or lost after every warned area was passed over -- to the areas ever
  warned (the description names the zone: Japan's EEZ, another's, the high seas).

Status is ``Exercise`` unless ``exercise=False``; :func:`launchwatch.warn` callers that run a
simulated scenario must keep it (see :func:`require_exercise`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np

from ..assess.assessment import ELLIPSE_LEVELS, Assessment
from ..earth import geodesy
from . import areas as areas_mod
from . import cap, jalert
from .messages import Group, build_cap
from .threat import ThreatModel, ground_point, merge_impacts, path_hits  # noqa: F401

__all__ = ["WarningEvent", "WarningPolicy", "JST", "KINDS", "require_exercise"]

#: Japan Standard Time, the time zone of the CAP ``sent`` fields by default.
JST = timezone(timedelta(hours=9), "JST")
KINDS = tuple(jalert.KINDS)
#: A track that starts within this distance (km) + this speed (km/s) times the gap of where a
#: lost track stopped is taken as the same missile (a track break), and the lost track's open
#: warnings follow it instead of going "tracking lost".
SUCCESSOR_KM = 20.0
SUCCESSOR_KM_S = 6.0
#: ... and beyond :data:`SUCCESSOR_KM` it must lie within this angle (deg) of the old track's
#: heading (first to last ground point): a missile flies on, it does not turn back or aside.
SUCCESSOR_HEADING_DEG = 30.0
_NAMES = {
    jalert.LAUNCHED: "launched",
    jalert.MAY_FALL: "may_fall",
    jalert.PASSED_OVER: "passed_over",
    jalert.FELL_SEA: "fell",
    jalert.FELL_HERE: "fell",
    jalert.NOT_COMING: "all_clear",
    jalert.NOT_FALLING: "all_clear",
}


@dataclass(frozen=True, slots=True)
class WarningEvent:
    """One warning message: ``kind`` (:data:`KINDS`), its J-Alert ``code``, the ``areas`` it is
    about, the areas still warned after it (``open_areas``) and its CAP and CAMF forms."""

    t_s: float
    kind: str
    code: int
    areas: tuple[str, ...]
    track_ids: tuple[int, ...]
    identifier: str
    sent: str  # CAP date-time
    msg_type: str  # CAP msgType
    references: tuple[str, ...]  # "sender,identifier,sent" triples
    open_areas: tuple[str, ...]
    country: str = "JPN"
    p_over: dict = field(default_factory=dict)  # area -> probability at the event
    cap_xml: str = ""
    camf_hex: str = ""  # QZSS DCX frame (Japanese areas only)

    @property
    def jalert(self) -> str:
        """J-Alert message name of the code (launched, may_fall, passed_over, fell, all_clear)."""
        return _NAMES.get(self.code, str(self.code))

    @property
    def cap_id(self) -> str:
        return self.identifier

    def to_json(self) -> dict:
        """The JSON contract's record: ``{t_s, kind, areas, j_alert_code, cap_id}`` and more."""
        return {
            "t_s": round(self.t_s, 2),
            "kind": self.kind,
            "areas": list(self.areas),
            "j_alert_code": self.code,
            "cap_id": self.identifier,
            "track_ids": list(self.track_ids),
            "open_areas": list(self.open_areas),
            "msg_type": self.msg_type,
            "country": self.country,
        }


#: WarningEvent fields that are tuples (lists in plain data).
_EVENT_TUPLES = ("areas", "track_ids", "references", "open_areas")


def _impact(d) -> tuple:
    """A thread's last impact from plain data: () or (lat_deg, lon_deg, verdict kind, country)."""
    if not d:
        return ()
    lat, lon, kind, country = d
    return (float(lat), float(lon), str(kind), str(country))


def _ellipse_data(e) -> list | None:
    """A thread's ellipse tuple as plain data (the polygon ring as a list of pairs)."""
    if e is None:
        return None
    ring = None if e[5] is None else [[float(x), float(y)] for x, y in e[5]]
    return [float(v) for v in e[:5]] + [ring]


def _ellipse_from(d) -> tuple | None:
    """Inverse of :func:`_ellipse_data`."""
    if d is None:
        return None
    ring = None if d[5] is None else np.asarray(d[5], dtype=float)
    return (*(float(v) for v in d[:5]), ring)


#: _Thread fields kept as they are in plain data (str, int, float, bool).
_THREAD_SCALARS = (
    "track_id",
    "country",
    "seq",
    "last_seen_s",
    "lost",
    "hold_until_s",
    "done",
    "impact_t_s",
    "impact_sigma_s",
    "follows",
    "first_seen_s",
)


@dataclass
class _Area:
    first_t_s: float
    code: int  # LAUNCHED or MAY_FALL
    p_over: float
    t_exit_s: float
    below: int = 0
    likely: bool = False
    t_entry_s: float = np.nan  # predicted entry (s): the median of the samples that cross


def _area_data(st: _Area) -> dict:
    """An open area as plain data: an unknown time (NaN) as None, so the state is strict JSON."""
    return {
        k: (None if isinstance(v, float) and not np.isfinite(v) else v)
        for k, v in asdict(st).items()
    }


def _area_from(d: dict) -> _Area:
    """:func:`_area_data` back (None: an unknown time)."""
    fields: dict[str, Any] = {k: (np.nan if v is None else v) for k, v in d.items()}
    return _Area(**fields)


@dataclass
class _Thread:
    track_id: int
    country: str
    seq: int = 0
    refs: list = field(default_factory=list)
    open: dict = field(default_factory=dict)  # area -> _Area
    ever: list = field(default_factory=list)
    passed: list = field(default_factory=list)
    pending: dict = field(default_factory=dict)
    last_seen_s: float = -np.inf
    lost: bool = False
    hold_until_s: float = np.inf
    done: bool = False
    impact: tuple = ()  # (lat, lon, zone kind, zone country)
    impact_t_s: float = np.nan
    impact_sigma_s: float = 0.0
    ellipse: tuple | None = None  # (lat, lon, semi-major m, semi-minor m, orientation deg, ring)
    follows: int = -1  # the track this thread follows after its own broke (-1: its own)
    first_seen_s: float = np.nan
    first_ground: tuple = ()  # (lat, lon) deg of the track at its first update
    last_ground: tuple = ()  # (lat, lon) deg at its latest update

    @property
    def live_track(self) -> int:
        """The track whose updates this thread follows."""
        return self.track_id if self.follows < 0 else self.follows


def require_exercise(policy: WarningPolicy) -> None:
    """Refuse a policy that would publish ``Actual`` messages (for simulated runs)."""
    if policy.status != "Exercise":
        raise ValueError("a simulated run publishes only Exercise messages, never Actual")


class WarningPolicy:
    """Stateful J-Alert-like warning lifecycle; feed it Assessments in time order (module doc)."""

    def __init__(
        self,
        country_areas=("JPN", "KOR"),
        *,
        p_issue: float = 0.10,
        p_keep: float = 0.03,
        n_confirm: int = 1,
        n_clear: int = 3,
        max_ellipse_m: float = 100e3,
        densify_km: float = 2.0,
        pass_margin_s: float = 5.0,
        lost_after_s: float = 20.0,
        impact_margin_s: float = 60.0,
        sender: str = "warn@launchwatch.invalid",
        sender_name: str = "launchwatch (simulated J-Alert-like warning)",
        exercise: bool = True,
        tz: timezone = JST,
        expires_s: float = 3600.0,
        id_prefix: str = "launchwatch-warn",
        max_boost_prob: float = 0.3,
        early=None,
    ):
        if not 0.0 < p_keep <= p_issue <= 1.0:
            raise ValueError("need 0 < p_keep <= p_issue <= 1")
        if n_confirm < 1 or n_clear < 1:
            raise ValueError("n_confirm and n_clear must be >= 1")
        if not 0.0 <= max_boost_prob <= 1.0:
            raise ValueError("max_boost_prob must be in [0, 1]")
        if lost_after_s <= 0 or impact_margin_s < 0:
            raise ValueError("lost_after_s must be > 0 and impact_margin_s >= 0")
        self.max_boost_prob = float(max_boost_prob)
        self.model = ThreatModel(country_areas, densify_km=densify_km, max_ellipse_m=max_ellipse_m)
        self.countries = self.model.countries
        self.p_issue, self.p_keep = float(p_issue), float(p_keep)
        self.n_confirm, self.n_clear = int(n_confirm), int(n_clear)
        self.max_ellipse_m = float(max_ellipse_m)
        self.pass_margin_s = float(pass_margin_s)
        self.lost_after_s, self.impact_margin_s = float(lost_after_s), float(impact_margin_s)
        self.sender, self.sender_name = sender, sender_name
        self.status = "Exercise" if exercise else "Actual"
        self.tz, self.expires_s, self.id_prefix = tz, float(expires_s), id_prefix
        self.early = early
        self.index = self.model.index
        self.codes = self.model.codes
        self._country = np.array([areas_mod.area_country(c) for c in self.codes])
        self._threads: dict[tuple[int, str], _Thread] = {}
        #: (new track, country) -> key of the thread it joined (a track break, module doc)
        self._joined: dict[tuple[int, str], tuple[int, str]] = {}
        self._last_t: float | None = None
        self._cue_t = -np.inf  # IR-only judgements made up to this time (s)
        self._epoch: datetime | None = None
        self.events: list[WarningEvent] = []

    def threat(self, a: Assessment) -> dict[str, np.ndarray]:
        """Per track and area (K, A) threat numbers (:meth:`.threat.ThreatModel.threat`)."""
        return self.model.threat(a)

    # ----------------------------------------------------------------------------------------
    # state, as plain data (checkpoints)

    @property
    def last_t(self) -> float | None:
        """Time (s after the epoch) of the last assessment or finish consumed; ``None`` before."""
        return self._last_t

    def state(self) -> dict:
        """The policy's state as plain data (str, numbers, lists, dicts): threads, last time,
        epoch (ISO 8601) and the events so far.  :meth:`restore` takes it back."""

        def thread(th: _Thread) -> dict:
            d = {f: getattr(th, f) for f in _THREAD_SCALARS}
            d.update(
                refs=list(th.refs),
                ever=list(th.ever),
                passed=list(th.passed),
                pending=dict(th.pending),
                impact=list(th.impact),
                first_ground=list(th.first_ground),
                last_ground=list(th.last_ground),
                open={c: _area_data(st) for c, st in th.open.items()},
                ellipse=_ellipse_data(th.ellipse),
            )
            return d

        return {
            "last_t": self._last_t,
            "cue_t": self._cue_t if np.isfinite(self._cue_t) else None,
            "epoch": self._epoch.isoformat() if self._epoch is not None else None,
            "threads": [thread(th) for th in self._threads.values()],
            "joined": [[t, c, ht, hc] for (t, c), (ht, hc) in self._joined.items()],
            "events": [
                {**asdict(e), **{k: list(getattr(e, k)) for k in _EVENT_TUPLES}}
                for e in self.events
            ],
        }

    def restore(self, state: dict) -> None:
        """Take back the state of :meth:`state` (same areas and settings); ``ValueError`` when
        it is malformed."""
        try:
            threads = {}
            for d in state["threads"]:
                th = _Thread(
                    track_id=int(d["track_id"]),
                    country=str(d["country"]),
                    seq=int(d["seq"]),
                    refs=[str(r) for r in d["refs"]],
                    open={str(c): _area_from(st) for c, st in d["open"].items()},
                    ever=[str(c) for c in d["ever"]],
                    passed=[str(c) for c in d["passed"]],
                    pending={str(c): int(n) for c, n in d["pending"].items()},
                    last_seen_s=float(d["last_seen_s"]),
                    lost=bool(d["lost"]),
                    hold_until_s=float(d["hold_until_s"]),
                    done=bool(d["done"]),
                    impact=_impact(d["impact"]),
                    impact_t_s=float(d["impact_t_s"]),
                    impact_sigma_s=float(d["impact_sigma_s"]),
                    ellipse=_ellipse_from(d["ellipse"]),
                    follows=int(d.get("follows", -1)),
                    first_seen_s=float(d.get("first_seen_s", np.nan)),
                    first_ground=tuple(float(x) for x in d.get("first_ground", ())),
                    last_ground=tuple(float(x) for x in d.get("last_ground", ())),
                )
                threads[(th.track_id, th.country)] = th
            events = [
                WarningEvent(**{**e, **{k: tuple(e[k]) for k in _EVENT_TUPLES}})
                for e in state["events"]
            ]
            joined = {
                (int(t), str(c)): (int(ht), str(hc)) for t, c, ht, hc in state.get("joined", ())
            }
            last_t = None if state["last_t"] is None else float(state["last_t"])
            epoch = None if state["epoch"] is None else datetime.fromisoformat(state["epoch"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"warning policy state: {exc}") from None
        self._threads, self.events, self._last_t, self._epoch = threads, events, last_t, epoch
        self._joined = joined
        cue_t = state.get("cue_t")
        self._cue_t = -np.inf if cue_t is None else float(cue_t)

    # ----------------------------------------------------------------------------------------
    # state machine

    def update(self, a: Assessment) -> list[WarningEvent]:
        """Consume one Assessment (time order); return the events it causes."""
        if not isinstance(a, Assessment):
            raise ValueError("update() takes an Assessment")
        _check_assessment(a)
        if self._last_t is not None and a.t_s < self._last_t:
            raise ValueError(f"assessments must come in time order ({a.t_s} < {self._last_t})")
        t = float(a.t_s)
        events = self._cues_until(t, a.epoch)
        self._epoch = a.epoch
        present = {int(x) for x in np.asarray(a.track_id).astype(int)}
        events += self._advance(t, skip=present)
        self._last_t = t
        if a.n_tracks:
            th = self.threat(a)
            boost = (
                np.asarray(a.boost_prob, float) if np.size(a.boost_prob) else np.zeros(a.n_tracks)
            )
            if self.early is not None:
                th = self.early.blend(a, th, boost, self.model)
            judged = (boost <= self.max_boost_prob) | np.array(
                [self._early_judges(a, k) for k in range(a.n_tracks)], bool
            )
            events += self._judge(a, th, judged, present, radar=True)
        self.events += events
        return events

    def _early_judges(self, a: Assessment, k: int) -> bool:
        """Whether track ``k`` of ``a`` is judged although the tracker may say it still boosts:
        its launch corridor judged it, or the corridor's IR evidence says the motor is out at
        the policy's own gate (``max_boost_prob``): the burn has two witnesses, the tracker's
        boost model and the IR scans, and the one with the evidence decides (module doc)."""
        if self.early is None:
            return False
        if self.early.judges(a, k):
            return True
        burnt_out = getattr(self.early, "burnt_out", None)
        return bool(burnt_out is not None and burnt_out(a, k, self.max_boost_prob))

    def _cues(self):
        """The IR-only pseudo-tracks of the launch corridor (:mod:`.corridor_ir`), if any."""
        return getattr(self.early, "cues", None)

    def _cues_until(self, t_hi: float, epoch=None) -> list[WarningEvent]:
        """Judge the IR-only pseudo-tracks (:class:`.corridor_ir.IrCues`) at every IR scan read
        in ``(last, t_hi]`` (never before the last time consumed): their threads open, step and
        time out as a radar track's do; a radar track whose IR cue is in one joins its thread."""
        cues = self._cues()
        events: list[WarningEvent] = []
        if cues is None:
            return events
        t_lo = max(self._cue_t, self._last_t if self._last_t is not None else -np.inf)
        self._cue_t = max(self._cue_t, float(t_hi))
        epoch = self._epoch or epoch or getattr(self.early, "epoch", None)
        for t in cues.read_times(t_lo, t_hi):
            got = cues.judge(t, self.model, epoch)
            if got is None:
                continue
            a, th = got
            self._epoch = a.epoch
            present = {int(x) for x in np.asarray(a.track_id).astype(int)}
            events += self._advance(t, skip=present)
            self._last_t = t
            events += self._judge(a, th, np.ones(a.n_tracks, bool), present, radar=False)
        return events

    def _judge(self, a: Assessment, th: dict, judged, present, *, radar: bool):
        """Step the threads of every track of ``a`` (``judged``: (K,) bool, whose threat
        counts) by its threat ``th`` (K, A arrays)."""
        t = float(a.t_s)
        events: list[WarningEvent] = []
        cues = self._cues() if radar else None
        followers: dict[int, list[_Thread]] = {}
        thread: _Thread | None
        for thread in self._threads.values():
            if thread.follows >= 0 and not thread.done:
                followers.setdefault(thread.follows, []).append(thread)
        for k, tid in enumerate(np.asarray(a.track_id).astype(int)):
            ground = ground_point(a, k)
            hosts = None
            for country in self.countries:
                key = (int(tid), country)
                thread = self._threads.get(self._joined.get(key, key))
                if thread is None and cues is not None:
                    if hosts is None:  # a new track: its IR cue's pseudo-tracks
                        hosts = cues.hosts(int(tid), t)
                    for pid in hosts:  # the IR-only thread of this missile: continue it
                        host = self._threads.get((pid, country))
                        if host is not None and not host.done and host.follows < 0:
                            self._joined[key] = (pid, country)
                            host.follows = int(tid)
                            thread = host
                            break
                if thread is None:
                    if not judged[k]:
                        continue
                    host = self._continued(int(tid), country, ground, t, present)
                    if host is not None:  # the same missile, a new track: one thread
                        self._joined[key] = (host.track_id, country)
                        host.follows = int(tid)
                        thread = host
                    else:
                        thread = self._threads[key] = _Thread(
                            int(tid), country, first_seen_s=t, first_ground=ground
                        )
                sel = np.flatnonzero(self._country == country)
                steps = [thread]
                for f in followers.get(int(tid), ()):
                    if f.country == country and all(f is not x for x in steps):
                        steps.append(f)
                for th_k in steps:
                    if th_k.done:
                        continue
                    th_k.last_seen_s = t
                    th_k.last_ground = ground
                    if th_k.lost:  # the track is back
                        th_k.lost, th_k.hold_until_s = False, np.inf
                    if not judged[k]:
                        continue
                    events += self._step(th_k, a, k, {n: v[k] for n, v in th.items()}, sel)
        return events

    def _step(self, thread: _Thread, a: Assessment, k: int, th: dict, sel) -> list[WarningEvent]:
        t = float(a.t_s)
        p, pf, ell = th["p_over"], th["p_fall"], th["ellipse"]
        p_issue = th.get("p_issue", np.nan)
        threat = (p >= (self.p_issue if np.isnan(p_issue) else p_issue)) | ell  # inf: none
        keep = (p >= self.p_keep) | ell
        may_fall = ell | (pf >= self.p_keep)
        thread.impact = (
            float(a.impact_lat_deg[k]),
            float(a.impact_lon_deg[k]),
            str(a.verdict_kind[k]),
            str(a.verdict_country[k]),
        )
        thread.impact_t_s = float(a.impact_t_s[k])
        thread.impact_sigma_s = (
            float(a.impact_t_sigma_s[k]) if np.isfinite(a.impact_t_sigma_s[k]) else 0.0
        )
        thread.ellipse = self._ellipse(a, k)
        if bool(a.impact_t_s[k] <= t) or not np.isfinite(a.path_lat_deg[k]).any():
            return self._fell(thread, t)
        events: list[WarningEvent] = []
        passed, cleared, upgraded = [], [], []
        for code, st in list(thread.open.items()):
            i = self.codes.index(code)
            if keep[i]:
                st.below, st.p_over = 0, float(p[i])
                if np.isfinite(th["t_exit_s"][i]):
                    st.t_exit_s = float(th["t_exit_s"][i])
                if np.isfinite(th["t_entry_s"][i]):
                    st.t_entry_s = float(th["t_entry_s"][i])
                if may_fall[i] and st.code == jalert.LAUNCHED:
                    st.code = jalert.MAY_FALL
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
        new = []
        for i in sel[threat[sel]]:
            code = self.codes[i]
            if code in thread.open or code in thread.passed:
                continue
            thread.pending[code] = thread.pending.get(code, 0) + 1
            if thread.pending[code] >= self.n_confirm:
                new.append(code)
                thread.pending.pop(code)
                thread.open[code] = _Area(
                    first_t_s=t,
                    code=jalert.MAY_FALL if may_fall[i] else jalert.LAUNCHED,
                    p_over=float(p[i]),
                    t_exit_s=float(th["t_exit_s"][i]),
                    likely=bool(p[i] >= 0.5),
                    t_entry_s=float(th["t_entry_s"][i]),
                )
                if code not in thread.ever:
                    thread.ever.append(code)
        for code in [c for c in thread.pending if not threat[self.codes.index(c)]]:
            thread.pending.pop(code)
        pmap = {self.codes[i]: float(p[i]) for i in sel if p[i] > 0}
        if passed:
            for c in passed:
                thread.open.pop(c)
                thread.passed.append(c)
            events.append(self._emit(thread, t, "passed_over", jalert.PASSED_OVER, passed, pmap))
        if cleared:
            country_threat = bool(keep[sel].any())
            country_fall = bool(may_fall[sel].any())
            rest = [c for c in thread.open if c not in cleared]
            if not country_threat and not rest:
                code = jalert.NOT_COMING
            elif not country_fall and not any(thread.open[c].code == jalert.MAY_FALL for c in rest):
                code = jalert.NOT_FALLING
            else:
                code = None  # no J-Alert text would be true: hold the warning
            if code is not None:
                for c in cleared:
                    thread.open.pop(c)
                events.append(self._emit(thread, t, "cancel", code, cleared, pmap))
        for code in (jalert.LAUNCHED, jalert.MAY_FALL):
            g = [c for c in new if thread.open[c].code == code]
            if g:
                events.append(self._emit(thread, t, "issue", code, g, pmap))
        if upgraded:
            code = (
                jalert.MAY_FALL
                if any(thread.open[c].code == jalert.MAY_FALL for c in upgraded)
                else jalert.LAUNCHED
            )
            events.append(self._emit(thread, t, "update", code, upgraded, pmap))
        return events

    def _ellipse(self, a: Assessment, k: int):
        j = ELLIPSE_LEVELS.index(0.95)
        semi = float(np.asarray(a.ellipse_semi_major_m).reshape(a.n_tracks, -1)[k, j])
        minor = float(np.asarray(a.ellipse_semi_minor_m).reshape(a.n_tracks, -1)[k, j])
        if not (np.isfinite(semi) and np.isfinite(a.impact_lat_deg[k])):
            return None
        return (
            float(a.impact_lat_deg[k]),
            float(a.impact_lon_deg[k]),
            semi,
            minor,
            float(a.ellipse_orientation_deg[k]),
            a.ellipse_polygon(k, 0.95) if 0 < semi <= self.max_ellipse_m else None,
        )

    def _fell(self, thread: _Thread, t: float) -> list[WarningEvent]:
        thread.done = True
        areas = list(dict.fromkeys(thread.ever))
        thread.open.clear()
        if not areas:
            return []
        lat, lon, kind, country = thread.impact if thread.impact else (0, 0, "", "")
        here = [
            c
            for c in areas
            if kind == "land"
            and country == thread.country
            and areas_mod.area_of(lat, lon, (thread.country,)) == c
        ]
        code = jalert.FELL_HERE if here else jalert.FELL_SEA
        return [self._emit(thread, t, "fell", code, here or areas, {})]

    def _advance(self, t: float, skip=()) -> list[WarningEvent]:
        """Timeouts up to ``t`` of the threads whose track is not in the current update:
        tracking lost, the all-clear after a lost track, 'fell' after a passed, lost track."""
        events = []
        for thread in self._threads.values():
            if thread.done or thread.live_track in skip or not thread.ever:
                continue
            lost_at = thread.last_seen_s + self.lost_after_s
            if not thread.lost and t >= lost_at and thread.open:
                succ = self._successor(thread, lost_at)
                if succ is not None:  # the same missile under a new track: follow it
                    thread.follows = succ.live_track
                    thread.last_seen_s = succ.last_seen_s
                    thread.last_ground = succ.last_ground
                    continue
            if not thread.lost and t >= lost_at:
                # areas the track was over at its last update, leaving them by the prediction
                # before it was declared lost: passed over (the track broke off over the
                # area, e.g. at the radars' edge, after it had entered; never one lost before
                # it reached the area, as 2022-11-03's, nor one it may fall on)
                left = [
                    c
                    for c, st in thread.open.items()
                    if st.code == jalert.LAUNCHED
                    and st.t_entry_s <= thread.last_seen_s
                    and st.t_exit_s <= lost_at
                ]
                if left:
                    for c in left:
                        thread.open.pop(c)
                        thread.passed.append(c)
                    events.append(
                        self._emit(thread, lost_at, "passed_over", jalert.PASSED_OVER, left, {})
                    )
                thread.lost = True
                sigma = max(3.0 * thread.impact_sigma_s, 0.0)
                end = thread.impact_t_s if np.isfinite(thread.impact_t_s) else lost_at
                thread.hold_until_s = max(end + sigma + self.impact_margin_s, lost_at)
                if thread.open:
                    code = (
                        jalert.MAY_FALL
                        if any(s.code == jalert.MAY_FALL for s in thread.open.values())
                        else jalert.LAUNCHED
                    )
                    events.append(
                        self._emit(thread, lost_at, "tracking_lost", code, list(thread.open), {})
                    )
            if thread.lost and t >= thread.hold_until_s:
                when = thread.hold_until_s
                if thread.open:
                    fall = any(s.code == jalert.MAY_FALL for s in thread.open.values())
                    group = list(thread.open)
                    thread.open.clear()
                    thread.done = True
                    events.append(
                        self._emit(
                            thread,
                            when,
                            "all_clear",
                            jalert.NOT_FALLING if fall else jalert.NOT_COMING,
                            group,
                            {},
                        )
                    )
                else:  # every warned area was passed over by the live track: it fell
                    events += self._fell(thread, when)
        events.sort(key=lambda e: e.t_s)
        return events

    def _successor(self, thread: _Thread, lost_at: float) -> _Thread | None:
        """A live thread of the same country whose track began where and when ``thread``'s
        track stopped (a track break: the tracker lost the missile and started a new track on
        it): first update within ``[last - 5 s, lost_at]`` and its first ground point within
        :data:`SUCCESSOR_KM` + :data:`SUCCESSOR_KM_S` per second of the gap from the last."""
        if len(thread.last_ground) != 2:
            return None
        best, best_d = None, np.inf
        for other in self._threads.values():
            if (
                other is thread
                or other.done
                or other.lost
                or other.country != thread.country
                or other.live_track == thread.live_track
                or len(other.first_ground) != 2
                or not thread.last_seen_s - 5.0 <= other.first_seen_s <= lost_at
            ):
                continue
            _, _, d = geodesy.inverse(
                thread.last_ground[0],
                thread.last_ground[1],
                other.first_ground[0],
                other.first_ground[1],
            )
            gap = abs(other.first_seen_s - thread.last_seen_s)
            d = float(d)
            if d <= 1e3 * (SUCCESSOR_KM + SUCCESSOR_KM_S * gap) and d < best_d:
                best, best_d = other, d
        return best

    def _continued(
        self, tid: int, country: str, ground: tuple, t: float, present
    ) -> _Thread | None:
        """The warned thread of ``country`` that a new track ``tid`` (first judged at ``t`` at
        ``ground``) continues, or None (module doc, "Track breaks"): its live track is not in
        this assessment, was last seen at most ``lost_after_s`` ago, and the new ground point
        is within reach of its last one and ahead along its heading."""
        if len(ground) != 2 or not np.isfinite(ground).all():
            return None
        best, best_d = None, np.inf
        for th in self._threads.values():
            gap = t - th.last_seen_s
            if (
                th.done
                or th.country != country
                or not th.ever
                or th.live_track in present
                or th.live_track == tid
                or len(th.last_ground) != 2
                or not 0.0 < gap <= self.lost_after_s
            ):
                continue
            az, _, d = geodesy.inverse(th.last_ground[0], th.last_ground[1], ground[0], ground[1])
            d = float(d)
            if d > 1e3 * (SUCCESSOR_KM + SUCCESSOR_KM_S * gap) or d >= best_d:
                continue
            if d > 1e3 * SUCCESSOR_KM and len(th.first_ground) == 2:
                head, _, run = geodesy.inverse(
                    th.first_ground[0], th.first_ground[1], th.last_ground[0], th.last_ground[1]
                )
                off = abs((float(az) - float(head) + 180.0) % 360.0 - 180.0)
                if float(run) > 1e3 * SUCCESSOR_KM and off > SUCCESSOR_HEADING_DEG:
                    continue
            best, best_d = th, d
        return best

    def finish(self, t_s: float) -> list[WarningEvent]:
        """End of the run at ``t_s``: let every open warning run its course (tracking lost,
        hold to the predicted impact + margin, all clear / fell), as time would."""
        t = float(t_s)
        if self._last_t is not None and t < self._last_t:
            raise ValueError(f"finish time {t} is before the last update {self._last_t}")
        events = self._cues_until(t)
        events += self._advance(np.inf)
        self._last_t = max(t, max((e.t_s for e in events), default=t))
        self.events += events
        return events

    # ----------------------------------------------------------------------------------------
    # messages

    def _emit(self, thread: _Thread, t: float, kind: str, code: int, group, pmap) -> WarningEvent:
        epoch = self._epoch if self._epoch is not None else datetime(1970, 1, 1, tzinfo=JST)
        when = epoch + timedelta(seconds=float(t))
        sent = cap.cap_time(when, self.tz)
        thread.seq += 1
        stamp = cap.cap_time(epoch, UTC)[:19].replace("-", "").replace(":", "")
        ident = f"{self.id_prefix}-{stamp}-T{thread.track_id}-{thread.country}-{thread.seq:03d}"
        refs = tuple(thread.refs)
        msg_type = "Update" if refs else "Alert"
        groups = [
            Group(
                code,
                tuple(group),
                likely=any(thread.open[c].likely for c in group if c in thread.open),
                ellipse=self._ellipse_ring(thread, code),
            )
        ]
        if kind not in ("issue", "update", "tracking_lost"):
            for c in (jalert.LAUNCHED, jalert.MAY_FALL):  # what stays warned
                rest = tuple(a for a, s in thread.open.items() if s.code == c)
                if rest:
                    groups.append(
                        Group(
                            c,
                            rest,
                            likely=any(thread.open[x].likely for x in rest),
                            ellipse=self._ellipse_ring(thread, c),
                        )
                    )
        else:
            others: dict[int, list[str]] = {}
            for a, s in thread.open.items():
                if a not in group:
                    others.setdefault(s.code, []).append(a)
            for c, left in others.items():
                groups.append(Group(c, tuple(left), ellipse=self._ellipse_ring(thread, c)))
        until = (
            epoch + timedelta(seconds=thread.hold_until_s)
            if kind == "tracking_lost" and np.isfinite(thread.hold_until_s)
            else None
        )
        params = (
            ("launchwatch:track_id", str(thread.track_id)),
            *((f"launchwatch:p_overflight:{c}", f"{pmap[c]:.2f}") for c in group if c in pmap),
        )
        xml = build_cap(
            identifier=ident,
            sender=self.sender,
            sent=sent,
            status=self.status,
            msg_type=msg_type,
            references=refs,
            kind=kind,
            groups=groups,
            when=when,
            tz=self.tz,
            incidents=f"{self.id_prefix}-{stamp}-T{thread.track_id}-{thread.country}",
            expires_s=self.expires_s,
            sender_name=self.sender_name,
            country=thread.country,
            impact=thread.impact,
            until=until,
            params=params,
        )
        thread.refs.append(cap.reference(self.sender, ident, sent))
        camf_hex = ""
        if thread.country == "JPN":
            camf_hex = self._camf(thread, when, kind, code, group, msg_type)
        return WarningEvent(
            t_s=float(t),
            kind=kind,
            code=int(code),
            areas=tuple(group),
            track_ids=(thread.track_id,),
            identifier=ident,
            sent=sent,
            msg_type=msg_type,
            references=refs,
            open_areas=tuple(thread.open),
            country=thread.country,
            p_over=dict(pmap),
            cap_xml=xml,
            camf_hex=camf_hex,
        )

    def _ellipse_ring(self, thread: _Thread, code: int):
        if code != jalert.MAY_FALL or thread.ellipse is None:
            return None
        return thread.ellipse[5]

    def _camf(self, thread, when, kind, code, group, msg_type) -> str:
        from .camf import CamfAlert, frame_hex

        ell = None
        if code in (jalert.MAY_FALL, jalert.FELL_HERE, jalert.FELL_SEA) and thread.ellipse:
            lat, lon, a_m, b_m, az, _ = thread.ellipse
            if np.isfinite(a_m) and np.isfinite(b_m):
                ell = (lat, lon, a_m, b_m, az)
        if self.status != "Actual":
            a1 = 0  # Test
        elif code in jalert.CLEARING:
            a1 = 3
        else:
            a1 = 1 if msg_type == "Alert" else 2
        return frame_hex(
            CamfAlert(
                code=int(code),
                message_type=a1,
                onset=when,
                prefectures=tuple(group),
                ellipse=ell,
                severity=1 if code in jalert.CLEARING else 3,
            )
        )


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
