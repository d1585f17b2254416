"""Google Public Alerts CAP rules (the "Google Public Alerts CAP v1.0" profile of Google's CAP
validator, written here as our own checks) plus the rules of this project's alerting profile.

:func:`google_problems` returns the errors and the recommendations broken; :func:`our_problems`
adds: both ``ja-JP`` and ``en-US`` info blocks, every warned area with a polygon of at most 100
points and an ISO 3166-2 geocode, ``Exercise`` status for simulated runs, no ``Cancel`` (an
ended warning is updated, not deleted) and a J-Alert message code in every info block.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

NS = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
MAX_POLYGON_POINTS = 100


def _t(s: str) -> datetime:
    return datetime.fromisoformat(s)


def _text(el, path) -> str:
    return el.xpath(f"string({path})", namespaces=NS).strip()


def google_problems(xml: str) -> list[str]:
    doc = etree.fromstring(xml.encode("utf-8"))
    out = []
    msg_type = _text(doc, "c:msgType")
    if msg_type in ("Update", "Cancel") and not _text(doc, "c:references"):
        out.append("Update/Cancel must reference the earlier messages")
    infos = doc.xpath("c:info", namespaces=NS)
    if not infos:
        out.append("at least one <info> is required")
    sent = _text(doc, "c:sent")
    if not sent.endswith(("+09:00", "+00:00", "-00:00")) and "+" not in sent[19:]:
        out.append("<sent> needs a time zone")
    cats, codes, events = None, None, {}
    for i, info in enumerate(infos):
        where = f"info[{i}]"
        c = frozenset(info.xpath("c:category/text()", namespaces=NS))
        e = frozenset(
            (_text(x, "c:valueName"), _text(x, "c:value"))
            for x in info.xpath("c:eventCode", namespaces=NS)
        )
        if cats is None:
            cats, codes = c, e
        else:
            if c != cats:
                out.append(f"{where}: categories differ between infos")
            if e != codes:
                out.append(f"{where}: eventCodes differ between infos")
        lang = _text(info, "c:language") or "en-US"
        ev = _text(info, "c:event")
        if events.setdefault(lang, ev) != ev:
            out.append(f"{where}: <event> differs within language {lang}")
        for tag in (
            "description",
            "web",
            "expires",
            "urgency",
            "severity",
            "certainty",
            "senderName",
            "instruction",
            "contact",
        ):
            if not _text(info, f"c:{tag}"):
                out.append(f"{where}: <{tag}> is required/recommended")
        if not info.xpath("c:responseType", namespaces=NS):
            out.append(f"{where}: <responseType> recommended")
        onset = _text(info, "c:effective") or sent
        if _text(info, "c:expires") and _t(onset) > _t(_text(info, "c:expires")):
            out.append(f"{where}: effective after expires")
        head = _text(info, "c:headline")
        if len(head) >= 140:
            out.append(f"{where}: headline of {len(head)} characters (< 140)")
        desc = _text(info, "c:description")
        if desc == head or desc == _text(info, "c:instruction"):
            out.append(f"{where}: description repeats the headline or the instruction")
        for u in ("urgency", "severity", "certainty"):
            if _text(info, f"c:{u}") == "Unknown":
                out.append(f"{where}: Unknown {u} discouraged")
        areas = info.xpath("c:area", namespaces=NS)
        if not areas:
            out.append(f"{where}: an <area> is required")
        if areas and not info.xpath("c:area/c:polygon | c:area/c:circle", namespaces=NS):
            out.append(f"{where}: polygons or circles encouraged")
        for j, a in enumerate(areas):
            if not a.xpath("c:polygon | c:circle | c:geocode", namespaces=NS):
                out.append(f"{where}/area[{j}]: polygon, circle or geocode required")
    return out


def our_problems(xml: str, *, simulated: bool = True) -> list[str]:
    doc = etree.fromstring(xml.encode("utf-8"))
    out = google_problems(xml)
    status = _text(doc, "c:status")
    if simulated and status != "Exercise":
        out.append(f"a simulated run published status {status!r}")
    if _text(doc, "c:msgType") == "Cancel":
        out.append("Cancel used: an ended warning is updated (AllClear), not deleted")
    infos = doc.xpath("c:info", namespaces=NS)
    langs = [_text(i, "c:language") for i in infos]
    if langs.count("ja-JP") != langs.count("en-US") or "ja-JP" not in langs:
        out.append(f"info languages {langs}: each group needs ja-JP and en-US")
    for i, info in enumerate(infos):
        params = {
            _text(p, "c:valueName"): _text(p, "c:value")
            for p in info.xpath("c:parameter", namespaces=NS)
        }
        if not params.get("J-Alert message code", "").isdigit():
            out.append(f"info[{i}]: no J-Alert message code")
        for a in info.xpath("c:area", namespaces=NS):
            geocodes = a.xpath("c:geocode", namespaces=NS)
            polys = a.xpath("c:polygon/text()", namespaces=NS)
            if geocodes and not polys:
                out.append(f"info[{i}] {_text(a, 'c:areaDesc')}: no polygon")
            n = sum(len(p.split()) for p in polys)
            if geocodes and n > MAX_POLYGON_POINTS:
                out.append(f"info[{i}] {_text(a, 'c:areaDesc')}: {n} polygon points")
    return out
