"""The words and the CAP form of each warning message: ``ja-JP`` and ``en-US`` ``<info>`` blocks.

A message (one :class:`~.policy.WarningEvent`) carries one J-Alert message code (:mod:`.jalert`)
for the areas it is about. Its CAP form (:func:`build_cap`) has, per language, one ``<info>``
per group of areas: the areas the event clears (passed over, fell, all clear, cancelled) under
the event's code, and the areas still warned after it under their shelter code (128 launched /
132 may fall), so that the latest message of a thread alone gives the whole state (a CAP Update
replaces the messages it references). Every ``<info>`` has the same categories, the same
``<event>`` per language and the same ``<eventCode>`` (``J-Alert`` = ``missile``): the message
code is the ``J-Alert message code`` ``<parameter>``. The description starts with the J-Alert
library text of the code (Japanese areas; azarashi's copy of the library), then says what
launchwatch predicted. Areas: the name in the block's language, the simplified outline polygons
(:mod:`.outlines`) and the ISO 3166-2 geocode; a may-fall group adds the 95 % impact ellipse.

CAP mapping: shelter codes -> responseType Shelter, urgency Immediate, severity Extreme,
certainty Likely / Possible; clearing codes -> AllClear, Past, Minor, Observed. The first message
of a thread is an ``Alert``, every later one an ``Update`` referencing all earlier ones (an
ended warning is updated with AllClear, not deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from . import cap, jalert
from .areas import area_country, area_name
from .outlines import outline

__all__ = ["Group", "build_cap", "area_name_ja", "headline", "WEB", "CONTACT"]

#: ``<web>`` and ``<contact>`` of every message (Google Public Alerts require a web page).
WEB = "https://github.com/launchwatch/launchwatch#warnings"
CONTACT = "launchwatch maintainers (simulated warnings; not an alerting authority)"
EVENT = {"ja-JP": "弾道ミサイル", "en-US": "Ballistic missile"}
_CATEGORIES = ("Security", "Safety")


@dataclass(frozen=True)
class Group:
    """Areas under one J-Alert code in one message."""

    code: int
    areas: tuple[str, ...]
    likely: bool = False  # shelter groups: p_over >= 0.5 somewhere
    ellipse: np.ndarray | None = None  # (n, 2) lon/lat of the 95 % impact ellipse (may fall)


def area_name_ja(code: str) -> str:
    """Japanese name of a Japanese prefecture (azarashi's prefecture table), else the English."""
    if code.startswith("JP-"):
        from azarashi.definitions.qzss.dcx.ex9_target_area_code import ex9_target_area_code_ja

        return str(ex9_target_area_code_ja[1 << (int(code[3:]) - 1)])
    return area_name(code)


def _names(codes, lang) -> str:
    if lang == "ja-JP":
        return "、".join(area_name_ja(c) for c in codes)
    return ", ".join(area_name(c) for c in codes)


def _clock(t: datetime) -> str:
    return t.strftime("%H:%M")


def headline(
    code: int, kind: str, lang: str, *, until: datetime | None = None, country: str = "JPN"
) -> str:
    """Short headline (< 140 characters) of a message."""
    home = {"JPN": ("我が国", "Japan"), "KOR": ("韓国", "the Republic of Korea")}.get(
        country, ("", "your country")
    )
    ja = lang == "ja-JP"
    if kind == "tracking_lost":
        t = _clock(until) if until else ""
        return (
            f"追尾が途絶えました。{t}まで引き続き避難してください"
            if ja
            else f"Tracking lost: stay sheltered until {t}, then wait for the all-clear"
        )
    return {
        jalert.LAUNCHED: (
            "ミサイル発射。建物の中又は地下に避難してください",
            "Missile launched: take shelter in a building or underground",
        ),
        jalert.MAY_FALL: (
            "直ちに避難。ミサイルが落下するおそれがあります",
            "Take shelter immediately: the missile may fall in your area",
        ),
        jalert.PASSED_OVER: (
            "ミサイル通過。避難の呼びかけを解除します",
            "The missile has passed over: the call to shelter is lifted",
        ),
        jalert.FELL_SEA: (
            "ミサイルは海に落下したものとみられます",
            "The missile appears to have fallen into the sea",
        ),
        jalert.FELL_HERE: (
            "ミサイル落下。引き続き屋内に避難してください",
            "The missile appears to have fallen in this area: stay indoors",
        ),
        jalert.NOT_COMING: (
            f"ミサイルは{home[0]}には飛来しない見込み。避難の呼びかけを解除します",
            f"The missile will not come to {home[1]}: the call to shelter is lifted",
        ),
        jalert.NOT_FALLING: (
            f"ミサイルは{home[0]}には落下しない見込み。避難の呼びかけを解除します",
            f"The missile will not fall in {home[1]}: the call to shelter is lifted",
        ),
    }[code][0 if ja else 1]


def _where(impact, lang) -> str:
    """The zone words of a 'fell' message: (lat, lon, kind, country) of the predicted impact."""
    if not impact:
        return "" if lang == "ja-JP" else ""
    lat, lon, kind, country = impact
    at = f"{abs(lat):.1f}°{'N' if lat >= 0 else 'S'} {abs(lon):.1f}°{'E' if lon >= 0 else 'W'}"
    if lang == "ja-JP":
        zone = {"land": "陸地", "territorial_sea": "領海", "eez": "排他的経済水域"}.get(kind)
        who = {
            "JPN": "我が国の",
            "KOR": "韓国の",
            "PRK": "北朝鮮の",
            "RUS": "ロシアの",
            "CHN": "中国の",
        }.get(country, f"{country}の" if country else "")
        if kind == "high_seas" or not zone:
            return f"落下地点の予測：排他的経済水域の外（{at}付近）。"
        return f"落下地点の予測：{who}{zone}内（{at}付近）。"
    zone = {
        "land": "on land",
        "territorial_sea": "in the territorial sea",
        "eez": "within the exclusive economic zone",
    }.get(kind)
    if kind == "high_seas" or not zone:
        return f"Predicted impact: outside any exclusive economic zone, near {at}."
    name = {"JPN": "Japan"}.get(country, country)
    return (
        f"Predicted impact: {zone} of {name}, near {at}."
        if country
        else f"Predicted impact: {zone}, near {at}."
    )


def _description(group: Group, kind: str, lang: str, country: str, impact, until) -> str:
    names = _names(group.areas, lang)
    lib = ""
    if country == "JPN":
        lib = jalert.text(group.code, "ja" if lang == "ja-JP" else "en") + " "
    ja = lang == "ja-JP"
    code = group.code
    if kind == "tracking_lost":
        t = _clock(until) if until else ""
        extra = (
            f"対象地域：{names}。追尾が途絶えたため、予測落下時刻に余裕を加えた"
            f"{t}まで警報を継続し、その後に解除をお知らせします。"
            if ja
            else f"Areas: {names}. Tracking of the missile was lost; the warning stays in force "
            f"until {t} (the predicted impact time plus a margin), when an all-clear follows."
        )
    elif code in (jalert.LAUNCHED, jalert.MAY_FALL):
        extra = (
            f"対象地域：{names}（ミサイルの予測経路の下、又は予測落下地点の近く）。"
            if ja
            else f"Areas: {names} (under the predicted flight path or near the predicted impact)."
        )
    elif code == jalert.PASSED_OVER:
        extra = (
            f"対象地域：{names}。追尾中のミサイルはこれらの地域の上空を通過しました。"
            if ja
            else f"Areas: {names}. The tracked missile has left the airspace over these areas."
        )
    elif code in (jalert.FELL_SEA, jalert.FELL_HERE):
        extra = (f"対象地域：{names}。" if ja else f"Areas: {names}. ") + _where(impact, lang)
    else:
        extra = (
            f"対象地域：{names}。予測経路はこれらの地域にかからなくなりました。"
            if ja
            else f"Areas: {names}. The predicted flight no longer crosses or reaches these areas."
        )
    return lib + extra


def _instruction(code: int, lang: str) -> str:
    ja = lang == "ja-JP"
    if code in (jalert.LAUNCHED, jalert.MAY_FALL, jalert.FELL_HERE):
        return (
            "頑丈な建物の中又は地下に避難してください。屋外にいる場合は物陰に身を隠すか、"
            "地面に伏せて頭部を守ってください。"
            if ja
            else "Take shelter in a sturdy building or underground. If outdoors, take cover or "
            "lie face down and protect your head."
        )
    return (
        "落下物を見つけても決して近寄らず、直ちに警察や消防に連絡してください。"
        if ja
        else "Do not approach fallen objects; report them to the police or fire service at once."
    )


def _info(
    group: Group,
    kind: str,
    lang: str,
    *,
    when: datetime,
    expires_s: float,
    sender_name: str,
    country: str,
    impact,
    until,
    params,
) -> cap.Info:
    shelter = group.code in (jalert.LAUNCHED, jalert.MAY_FALL, jalert.FELL_HERE)
    areas = []
    for c in group.areas:
        areas.append(
            cap.Area(
                desc=area_name_ja(c) if lang == "ja-JP" else area_name(c),
                polygons=outline(c),
                geocodes=(("ISO 3166-2", c),),
            )
        )
    if group.ellipse is not None:
        areas.append(
            cap.Area(
                desc="予測落下範囲（95 %）" if lang == "ja-JP" else "Predicted impact area (95 %)",
                polygons=(group.ellipse,),
            )
        )
    return cap.Info(
        event=EVENT[lang],
        language=lang,
        categories=_CATEGORIES,
        response_types=("Shelter",) if shelter else ("AllClear",),
        urgency="Immediate" if shelter else "Past",
        severity="Extreme" if shelter else "Minor",
        certainty=("Likely" if group.likely else "Possible") if shelter else "Observed",
        event_codes=(("J-Alert", "missile"),),
        onset=when,
        expires=when + timedelta(seconds=expires_s),
        sender_name=sender_name,
        headline=headline(group.code, kind, lang, until=until, country=country),
        description=_description(group, kind, lang, country, impact, until),
        instruction=_instruction(group.code, lang),
        web=WEB,
        contact=CONTACT,
        parameters=(("J-Alert message code", str(group.code)), *params),
        areas=tuple(areas),
    )


def build_cap(
    *,
    identifier: str,
    sender: str,
    sent: str,
    status: str,
    msg_type: str,
    references: tuple[str, ...],
    incidents: str,
    kind: str,
    groups: list[Group],
    when: datetime,
    tz,
    expires_s: float,
    sender_name: str,
    country: str,
    impact=None,
    until: datetime | None = None,
    params=(),
) -> str:
    """The CAP XML of one message: for each group, a ``ja-JP`` and an ``en-US`` ``<info>``."""
    infos = []
    for g in groups:
        for lang in ("ja-JP", "en-US"):
            infos.append(
                _info(
                    g,
                    kind if g is groups[0] else "update",
                    lang,
                    when=when,
                    expires_s=expires_s,
                    sender_name=sender_name,
                    country=country,
                    impact=impact,
                    until=until,
                    params=params,
                )
            )
    return cap.build_alert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=status,
        msg_type=msg_type,
        references=references,
        infos=tuple(infos),
        tz=tz,
        incidents=incidents,
        note="Simulated scenario (launchwatch); not a real warning." if status != "Actual" else "",
    )


def country_of(codes) -> str:
    """The one country (ISO3) of a set of area codes."""
    found = {area_country(c) for c in codes}
    if len(found) != 1:
        raise ValueError(f"areas of one country expected, got {sorted(found)}")
    return found.pop()
