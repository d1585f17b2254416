"""The wire schema of partner sharing: a signed frame around a versioned envelope and a body.

Everything is MessagePack (msgspec).  Three layers, outermost first::

    Frame     [sender, envelope, signature]          (msgpack array of 3)
    Envelope  {schema_version, msg_id, sender, seq, sent_s, labels, kind, body}
    body      one of the structs below, chosen by ``kind``

``Frame.envelope`` holds the *exact bytes* of the encoded envelope and ``Frame.signature`` the
Ed25519 signature of those bytes (64 bytes; empty means unsigned), so the receiver verifies
what was signed, byte for byte, before it decodes the envelope (see :mod:`.signing`).  The
envelope is encoded deterministically (struct fields in declaration order, map keys sorted), so
one envelope always has one encoding.

Envelope (schema version :data:`SCHEMA_VERSION`):

==============  =========  ======================================================================
field           type       meaning
==============  =========  ======================================================================
schema_version  int        :data:`SCHEMA_VERSION`; a receiver refuses any other as malformed
msg_id          str        ``"<sender>/<seq>"``, unique per sender
sender          str        node id, e.g. ``"KOR-JCS"``, ``"USA-INDOPACOM"``, ``"JPN-MOD"``
seq             int        per-sender counter, strictly increasing over all its messages (>= 1)
sent_s          float      wall-clock Unix time of sending, s
labels          [str]      releasability: the partner ids that may receive it (``"KOR"``, ...)
kind            str        ``"detections"``, ``"tracks"``, ``"assessment"`` or ``"warning"``
body            bytes-map  the encoded body struct of that kind (decoded in a second step)
==============  =========  ======================================================================

Numeric columns travel as :class:`Array` (``dtype`` a little-endian NumPy type string such as
``"<f8"``, ``shape``, raw ``data``), with a leading row axis N; the decoders check dtype and
shape against the schema and refuse anything else (:class:`SchemaError`).  Times in bodies are
seconds after the body's ``epoch`` (ISO 8601 with offset), positions ECEF metres unless the name
says ``_deg``.

Bodies:

- ``detections`` (:class:`DetectionBatch`): rows of
  :data:`launchwatch.sense.records.DETECTION_DTYPE` as columns ``det_id`` (N,) int64,
  ``sensor_idx`` (N,) uint16 into the ``sensors`` name table, ``kind_idx`` (N,) uint8 into
  ``("radar", "ir")``, ``t_s`` (N,), ``z`` (N, 4), ``sigma`` (N, 4), ``sensor_ecef_m`` (N, 3);
  plus ``chunk_end_s``: the sender has sent all its detections with ``t_s`` before this time
  to this receiver (an empty batch is a heartbeat saying just that).
- ``tracks`` (:class:`TrackReport`): latest estimate of K tracks: ``track_id`` (K,) int64,
  ``t_s`` (K,), ``state`` (K, 6) ECEF m and m/s, ``cov`` (K, 6, 6) m^2..m^2/s^2, ``log_beta``
  (K,) ln(kg/m^2), ``confirmed`` (K,) bool.
- ``assessment`` (:class:`ImpactAssessment`): the summary of a
  :class:`launchwatch.assess.assessment.Assessment` (no Monte Carlo sample or path arrays):
  per track impact point (deg), impact time and its sigma (s), ellipse semi-axes (m) at
  ``ellipse_levels``, orientation (deg from north), east-north impact covariance (m^2), zone
  probabilities (``"eez:JPN"`` -> p), verdict, apogee (m), range class.
- ``warning`` (:class:`WarningNotice`): CAP identifier and message type (``Alert``,
  ``Update``, ``Cancel``), area codes, the tracks it is about, headline.

The full table is in ``docs/share-schema.md``.
"""

from __future__ import annotations

import datetime as dt

import msgspec
import numpy as np

from ..sense.records import DETECTION_DTYPE

SCHEMA_VERSION = 1
KINDS = ("detections", "tracks", "assessment", "warning")
DETECTION_KINDS = ("radar", "ir")


class SchemaError(ValueError):
    """A message that decodes but does not follow the schema."""


class Array(msgspec.Struct, array_like=True, frozen=True):
    """A NumPy array on the wire: little-endian dtype string, shape, raw bytes."""

    dtype: str
    shape: tuple[int, ...]
    data: bytes


class Frame(msgspec.Struct, array_like=True, frozen=True):
    """The outer wire unit: the sender, the envelope's exact bytes, their signature."""

    sender: str
    envelope: bytes
    signature: bytes = b""


class Envelope(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    schema_version: int
    msg_id: str
    sender: str
    seq: int
    sent_s: float
    labels: tuple[str, ...]
    kind: str
    body: msgspec.Raw


class DetectionBatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    epoch: str
    chunk_end_s: float
    sensors: tuple[str, ...]
    det_id: Array
    sensor_idx: Array
    kind_idx: Array
    t_s: Array
    z: Array
    sigma: Array
    sensor_ecef_m: Array


class TrackReport(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    epoch: str
    track_id: Array
    t_s: Array
    state: Array
    cov: Array
    log_beta: Array
    confirmed: Array


class ImpactAssessment(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    epoch: str
    t_s: float
    n_samples: int
    track_id: Array
    impact_lat_deg: Array
    impact_lon_deg: Array
    impact_t_s: Array
    impact_t_sigma_s: Array
    ellipse_levels: tuple[float, ...]
    ellipse_semi_major_m: Array
    ellipse_semi_minor_m: Array
    ellipse_orientation_deg: Array
    impact_cov_en_m2: Array
    zone_probs: tuple[dict[str, float], ...]
    verdict_kind: tuple[str, ...]
    verdict_country: tuple[str, ...]
    apogee_m: Array
    range_class: tuple[str, ...]
    range_class_prob: Array


class WarningNotice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    identifier: str  # the CAP <identifier>
    msg_type: str  # CAP <msgType>: Alert, Update, Cancel
    sent: str  # CAP <sent>, ISO 8601 with offset
    area_codes: tuple[str, ...]
    track_id: tuple[int, ...]
    headline: str = ""


BODY_TYPES = {
    "detections": DetectionBatch,
    "tracks": TrackReport,
    "assessment": ImpactAssessment,
    "warning": WarningNotice,
}
_ENCODER = msgspec.msgpack.Encoder(order="deterministic")
_FRAME_DECODER = msgspec.msgpack.Decoder(Frame)
_ENVELOPE_DECODER = msgspec.msgpack.Decoder(Envelope)
_BODY_DECODERS = {k: msgspec.msgpack.Decoder(t) for k, t in BODY_TYPES.items()}


# --- arrays ------------------------------------------------------------------------------------
def pack(arr: np.ndarray, dtype: str) -> Array:
    """``arr`` as an :class:`Array` of the given little-endian ``dtype`` (e.g. ``"<f8"``)."""
    a = np.ascontiguousarray(arr, dtype=np.dtype(dtype))
    return Array(dtype=dtype, shape=tuple(int(n) for n in a.shape), data=a.tobytes())


def unpack(
    a: Array, dtype: str, tail: tuple[int, ...], n: int | None = None, name: str = "array"
) -> np.ndarray:
    """The NumPy array of ``a``, checked: dtype ``dtype``, shape ``(N, *tail)`` with N == ``n``
    if given.  Raises :class:`SchemaError` otherwise.  The result is read-only (zero copy)."""
    if a.dtype != dtype:
        raise SchemaError(f"{name}: dtype {a.dtype!r}, expected {dtype!r}")
    if len(a.shape) != 1 + len(tail) or tuple(a.shape[1:]) != tail or min(a.shape) < 0:
        raise SchemaError(f"{name}: shape {a.shape}, expected (N, {', '.join(map(str, tail))})")
    if n is not None and a.shape[0] != n:
        raise SchemaError(f"{name}: {a.shape[0]} rows, expected {n}")
    dt_ = np.dtype(dtype)
    if len(a.data) != dt_.itemsize * int(np.prod(a.shape)):
        raise SchemaError(f"{name}: {len(a.data)} bytes do not match shape {a.shape}")
    return np.frombuffer(a.data, dtype=dt_).reshape(a.shape)


# --- envelope ----------------------------------------------------------------------------------
def encode_body(body: msgspec.Struct) -> bytes:
    return _ENCODER.encode(body)


def body_kind(body: msgspec.Struct) -> str:
    for kind, typ in BODY_TYPES.items():
        if isinstance(body, typ):
            return kind
    raise TypeError(f"not a message body: {type(body).__name__}")


def make_envelope(
    *, sender: str, seq: int, labels, body: msgspec.Struct, sent_s: float
) -> Envelope:
    """An envelope around ``body`` (the kind follows from the body's type)."""
    return Envelope(
        schema_version=SCHEMA_VERSION,
        msg_id=f"{sender}/{seq}",
        sender=sender,
        seq=int(seq),
        sent_s=float(sent_s),
        labels=tuple(sorted(set(labels))),
        kind=body_kind(body),
        body=msgspec.Raw(encode_body(body)),
    )


def encode_envelope(env: Envelope) -> bytes:
    """The canonical bytes of an envelope (what is signed)."""
    return _ENCODER.encode(env)


def encode_frame(frame: Frame) -> bytes:
    return _ENCODER.encode(frame)


def decode_frame(data: bytes) -> Frame:
    """The outer frame; :class:`SchemaError` if ``data`` is not one."""
    try:
        return _FRAME_DECODER.decode(data)
    except (msgspec.DecodeError, TypeError) as exc:
        raise SchemaError(f"frame: {exc}") from None


def decode_envelope(data: bytes) -> Envelope:
    """An envelope, checked (version, kind, seq); :class:`SchemaError` if it is not valid."""
    try:
        env = _ENVELOPE_DECODER.decode(data)
    except (msgspec.DecodeError, TypeError) as exc:
        raise SchemaError(f"envelope: {exc}") from None
    if env.schema_version != SCHEMA_VERSION:
        raise SchemaError(
            f"envelope: schema_version {env.schema_version}, expected {SCHEMA_VERSION}"
        )
    if env.kind not in BODY_TYPES:
        raise SchemaError(f"envelope: unknown kind {env.kind!r}")
    if env.seq < 1 or env.msg_id != f"{env.sender}/{env.seq}":
        raise SchemaError("envelope: seq must be >= 1 and msg_id '<sender>/<seq>'")
    if not np.isfinite(env.sent_s):
        raise SchemaError("envelope: sent_s must be finite")
    return env


def decode_body(env: Envelope) -> msgspec.Struct:
    """The typed body of an envelope; :class:`SchemaError` if it does not match its kind."""
    try:
        return _BODY_DECODERS[env.kind].decode(env.body)
    except (msgspec.DecodeError, TypeError) as exc:
        raise SchemaError(f"{env.kind} body: {exc}") from None


# --- detections <-> body -----------------------------------------------------------------------
def epoch_text(epoch: dt.datetime) -> str:
    if epoch.tzinfo is None:
        raise ValueError("epoch needs a UTC offset")
    return epoch.isoformat()


def detections_body(det: np.ndarray, *, epoch: str, chunk_end_s: float) -> DetectionBatch:
    """A :class:`DetectionBatch` of detection rows (columnar; no per-row Python objects)."""
    if det.dtype != DETECTION_DTYPE:
        raise TypeError("detections_body needs DETECTION_DTYPE rows")
    names, sensor_idx = np.unique(det["sensor"], return_inverse=True)
    if names.size > np.iinfo(np.uint16).max:
        raise ValueError("too many sensors in one batch")
    kind_idx = np.where(det["kind"] == "ir", 1, 0)
    return DetectionBatch(
        epoch=epoch,
        chunk_end_s=float(chunk_end_s),
        sensors=tuple(str(s) for s in names),
        det_id=pack(det["det_id"], "<i8"),
        sensor_idx=pack(sensor_idx.ravel(), "<u2"),
        kind_idx=pack(kind_idx, "|u1"),
        t_s=pack(det["t_s"], "<f8"),
        z=pack(det["z"], "<f8"),
        sigma=pack(det["sigma"], "<f8"),
        sensor_ecef_m=pack(det["sensor_ecef_m"], "<f8"),
    )


def body_detections(body: DetectionBatch, *, t_offset_s: float = 0.0) -> np.ndarray:
    """Detection rows of a batch (times shifted by ``t_offset_s``); :class:`SchemaError` on a
    batch whose columns do not agree."""
    if not np.isfinite(body.chunk_end_s):
        raise SchemaError("detections: chunk_end_s must be finite")
    det_id = unpack(body.det_id, "<i8", (), name="det_id")
    n = det_id.shape[0]
    sensor_idx = unpack(body.sensor_idx, "<u2", (), n, "sensor_idx")
    kind_idx = unpack(body.kind_idx, "|u1", (), n, "kind_idx")
    if n and (int(sensor_idx.max()) >= len(body.sensors) or int(kind_idx.max()) > 1):
        raise SchemaError("detections: sensor or kind index out of its table")
    if any(len(s) > DETECTION_DTYPE["sensor"].itemsize // 4 for s in body.sensors):
        raise SchemaError("detections: sensor name too long")
    out = np.zeros(n, DETECTION_DTYPE)
    out["det_id"] = det_id
    out["sensor"] = np.asarray(body.sensors, dtype="U24")[sensor_idx] if n else ""
    out["kind"] = np.asarray(DETECTION_KINDS, dtype="U8")[kind_idx]
    out["t_s"] = unpack(body.t_s, "<f8", (), n, "t_s") + t_offset_s
    out["z"] = unpack(body.z, "<f8", (4,), n, "z")
    out["sigma"] = unpack(body.sigma, "<f8", (4,), n, "sigma")
    out["sensor_ecef_m"] = unpack(body.sensor_ecef_m, "<f8", (3,), n, "sensor_ecef_m")
    return out


# --- tracks <-> body ---------------------------------------------------------------------------
def latest_per_track(history: np.ndarray) -> np.ndarray:
    """The last history row of every track (rows of :func:`~launchwatch.track.history.
    history_dtype`, in processing order), sorted by track id."""
    if not history.size:
        return history
    rev = history[::-1]
    _, first = np.unique(rev["track_id"], return_index=True)
    return rev[first]


def tracks_body(rows: np.ndarray, *, epoch: str) -> TrackReport:
    """A :class:`TrackReport` of history rows (one per track; full or diagonal covariance)."""
    cov = rows["cov"]
    if cov.ndim == 2:  # diagonal history: widen to full matrices
        full = np.zeros((cov.shape[0], 6, 6))
        full[:, np.arange(6), np.arange(6)] = cov
        cov = full
    return TrackReport(
        epoch=epoch,
        track_id=pack(rows["track_id"], "<i8"),
        t_s=pack(rows["t_s"], "<f8"),
        state=pack(rows["state"], "<f8"),
        cov=pack(cov, "<f8"),
        log_beta=pack(rows["log_beta"], "<f8"),
        confirmed=pack(rows["confirmed"], "|b1"),
    )


TRACK_REPORT_DTYPE = np.dtype(
    [
        ("track_id", np.int64),
        ("t_s", np.float64),
        ("state", np.float64, (6,)),
        ("cov", np.float64, (6, 6)),
        ("log_beta", np.float64),
        ("confirmed", np.bool_),
    ]
)


def body_tracks(body: TrackReport, *, t_offset_s: float = 0.0) -> np.ndarray:
    """Rows of :data:`TRACK_REPORT_DTYPE`; :class:`SchemaError` on inconsistent columns."""
    tid = unpack(body.track_id, "<i8", (), name="track_id")
    n = tid.shape[0]
    out = np.zeros(n, TRACK_REPORT_DTYPE)
    out["track_id"] = tid
    out["t_s"] = unpack(body.t_s, "<f8", (), n, "t_s") + t_offset_s
    out["state"] = unpack(body.state, "<f8", (6,), n, "state")
    out["cov"] = unpack(body.cov, "<f8", (6, 6), n, "cov")
    out["log_beta"] = unpack(body.log_beta, "<f8", (), n, "log_beta")
    out["confirmed"] = unpack(body.confirmed, "|b1", (), n, "confirmed")
    return out


# --- assessment -> body ------------------------------------------------------------------------
def assessment_body(a, index=None) -> ImpactAssessment:
    """The wire summary of an :class:`launchwatch.assess.assessment.Assessment` (no samples,
    no paths: those stay with the node that flew them); ``index``: only these of its tracks
    (positions along its track axis), e.g. the ones releasable to one set of partners."""
    from ..assess.assessment import ELLIPSE_LEVELS

    k = int(a.track_id.size)
    i = np.arange(k) if index is None else np.asarray(index, dtype=np.int64).ravel()
    apogee = a.apogee_m if a.apogee_m.size == k else np.full(k, np.nan)
    rc_prob = a.range_class_prob if a.range_class_prob.size == k else np.full(k, np.nan)
    rc = tuple(a.range_class) if len(a.range_class) == k else ("",) * k
    return ImpactAssessment(
        epoch=epoch_text(a.epoch),
        t_s=float(a.t_s),
        n_samples=int(a.n_samples),
        track_id=pack(np.asarray(a.track_id)[i], "<i8"),
        impact_lat_deg=pack(a.impact_lat_deg[i], "<f8"),
        impact_lon_deg=pack(a.impact_lon_deg[i], "<f8"),
        impact_t_s=pack(a.impact_t_s[i], "<f8"),
        impact_t_sigma_s=pack(a.impact_t_sigma_s[i], "<f8"),
        ellipse_levels=tuple(float(x) for x in ELLIPSE_LEVELS),
        ellipse_semi_major_m=pack(a.ellipse_semi_major_m[i], "<f8"),
        ellipse_semi_minor_m=pack(a.ellipse_semi_minor_m[i], "<f8"),
        ellipse_orientation_deg=pack(a.ellipse_orientation_deg[i], "<f8"),
        impact_cov_en_m2=pack(a.impact_cov_en_m2[i], "<f8"),
        zone_probs=tuple({str(z): float(p) for z, p in a.zone_probs[j].items()} for j in i),
        verdict_kind=tuple(str(a.verdict_kind[j]) for j in i),
        verdict_country=tuple(str(a.verdict_country[j]) for j in i),
        apogee_m=pack(apogee[i], "<f8"),
        range_class=tuple(rc[j] for j in i),
        range_class_prob=pack(rc_prob[i], "<f8"),
    )


def warning_notice(event) -> WarningNotice:
    """The wire form of a :class:`launchwatch.warn.policy.WarningEvent` (the CAP message's
    identifier, type and time, the areas the event is about, its track, and a headline: the
    J-Alert message type and the CAP headline).  The CAP XML itself stays with the issuer."""
    headline = str(event.jalert)
    if getattr(event, "cap_xml", ""):
        import xml.etree.ElementTree as ET

        try:
            root = ET.fromstring(event.cap_xml)
        except ET.ParseError:
            root = None
        first = None if root is None else root.find(".//{*}info/{*}headline")
        if first is not None and first.text:
            headline = f"{event.jalert}: {first.text}"
    return WarningNotice(
        identifier=str(event.identifier),
        msg_type=str(event.msg_type),
        sent=str(event.sent),
        area_codes=tuple(str(c) for c in event.areas),
        track_id=tuple(int(t) for t in event.track_ids),
        headline=headline,
    )


def check_assessment(body: ImpactAssessment) -> dict[str, np.ndarray]:
    """The arrays of an assessment body, checked against each other (:class:`SchemaError`)."""
    if not np.isfinite(body.t_s) or body.n_samples < 0:
        raise SchemaError("assessment: t_s must be finite and n_samples >= 0")
    tid = unpack(body.track_id, "<i8", (), name="track_id")
    k, n_lev = tid.shape[0], len(body.ellipse_levels)
    out = {"track_id": tid}
    for name in (
        "impact_lat_deg",
        "impact_lon_deg",
        "impact_t_s",
        "impact_t_sigma_s",
        "ellipse_orientation_deg",
        "apogee_m",
        "range_class_prob",
    ):
        out[name] = unpack(getattr(body, name), "<f8", (), k, name)
    for name in ("ellipse_semi_major_m", "ellipse_semi_minor_m"):
        out[name] = unpack(getattr(body, name), "<f8", (n_lev,), k, name)
    out["impact_cov_en_m2"] = unpack(body.impact_cov_en_m2, "<f8", (2, 2), k, "impact_cov_en_m2")
    for name in ("zone_probs", "verdict_kind", "verdict_country", "range_class"):
        if len(getattr(body, name)) != k:
            raise SchemaError(f"assessment: {name} needs {k} entries")
    return out
