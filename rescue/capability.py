"""What an incident needs, what each station can send, and which station to recommend.

Three vocabularies, kept as data:

* :data:`RESOURCES` — what a team can bring (a medic, oxygen, a stretcher team, horses …),
  with English and Chinese words.
* :data:`CAPABILITY_RESOURCES` — what a station with the region data's ``capabilities``
  can send. A resource may need several capabilities together (a stretcher team is
  medical staff with carriers: ``medical`` and ``foot_team``, or ``medical`` with a
  ``vehicle``, the ambulance). A station's own ``resources`` list in the data, where
  planners keep one, adds to these.
* :data:`NEEDS` — what a kind of incident needs, as groups of resources: every group must
  be met by at least one of its resources (a fracture: a stretcher team *and* a medic;
  altitude sickness: a medic *and* oxygen or a vehicle to descend; exhaustion: horses
  *or* a foot team). A need is found from the incident's ``cause`` and from words in its
  condition (English and Chinese).

:func:`assess` annotates the plans (ranked by ETA) with what each station can send, what
it lacks for the need, and the stations at the same place with the same ETA; the
recommended station is the fastest one that can send all that is needed, with the
reason in English and Chinese. No station able to: the fastest, and for each missing
group the fastest station that could add it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from geodata.errors import InvalidInput

__all__ = [
    "CAPABILITY_RESOURCES",
    "NEEDS",
    "RESOURCES",
    "Assessment",
    "Need",
    "StationOffer",
    "StationRow",
    "StationRows",
    "assess",
    "infer_needs",
    "resolve_needs",
    "station_resources",
    "station_rows",
]

#: resource id → (English, Chinese)
RESOURCES: Final[Mapping[str, tuple[str, str]]] = {
    "medic": ("a medic", "医护人员"),
    "oxygen": ("oxygen", "氧气"),
    "stretcher": ("a stretcher team", "担架队"),
    "vehicle": ("a vehicle", "车辆"),
    "foot_team": ("a foot team", "徒步救援队"),
    "horse": ("horses", "马匹"),
}

#: resource id → the capability sets that provide it (any one set, all of its capabilities)
CAPABILITY_RESOURCES: Final[Mapping[str, tuple[frozenset[str], ...]]] = {
    "medic": (frozenset({"medical"}),),
    "oxygen": (frozenset({"medical"}),),
    "stretcher": (frozenset({"medical", "foot_team"}), frozenset({"medical", "vehicle"})),
    "vehicle": (frozenset({"vehicle"}),),
    "foot_team": (frozenset({"foot_team"}),),
    "horse": (frozenset({"horse"}),),
}


@dataclass(frozen=True)
class Need:
    """What one kind of incident needs: every group met by one of its resources."""

    need_id: str
    name_en: str
    name_zh: str
    requires: tuple[tuple[str, ...], ...]
    causes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "need_id": self.need_id,
            "name": {"en": self.name_en, "zh": self.name_zh},
            "requires": [list(g) for g in self.requires],
        }


#: the vocabulary of needs; ``causes`` are :data:`rescue.incidents.CAUSES`, ``words`` are
#: matched (case-insensitively) in the condition and description as typed
NEEDS: Final[Mapping[str, Need]] = {
    n.need_id: n
    for n in (
        Need(
            "fracture",
            "fracture",
            "骨折",
            (("stretcher",), ("medic",)),
            words=("fracture", "broken leg", "broken ankle", "broken arm", "骨折", "摔断", "腿断"),
        ),
        Need(
            "unconscious",
            "unconscious",
            "昏迷",
            (("stretcher",), ("medic",), ("oxygen",)),
            words=("unconscious", "unresponsive", "昏迷", "不省人事", "叫不醒"),
        ),
        Need(
            "altitude_sickness",
            "altitude sickness",
            "高原反应",
            (("medic",), ("oxygen", "vehicle")),
            causes=("altitude_sickness",),
            words=("altitude", "ams", "hape", "hace", "高反", "高原反应", "缺氧", "头痛欲裂"),
        ),
        Need(
            "injury",
            "injury",
            "受伤",
            (("medic",),),
            causes=("injury",),
            words=("bleeding", "wound", "流血", "受伤"),
        ),
        Need("illness", "illness", "疾病", (("medic",),), causes=("illness",)),
        Need(
            "exhaustion",
            "exhaustion",
            "体力不支",
            (("horse", "foot_team"),),
            causes=("exhaustion",),
            words=("exhausted", "cannot walk", "走不动", "体力不支"),
        ),
        Need("lost", "lost", "迷路", (("foot_team",),), causes=("lost",)),
        Need("weather", "caught by weather", "恶劣天气", (("foot_team",),), causes=("weather",)),
        Need(
            "vehicle_accident",
            "vehicle accident",
            "车辆事故",
            (("vehicle",), ("medic",)),
            causes=("vehicle",),
        ),
    )
}


def infer_needs(cause: str | None, text: str | None) -> tuple[str, ...]:
    """The needs of an incident from its cause and the words of its condition/description."""
    found: list[str] = []
    lowered = (text or "").lower()
    for need in NEEDS.values():
        if (cause and cause in need.causes) or any(w in lowered for w in need.words):
            found.append(need.need_id)
    return tuple(found)


def resolve_needs(
    needs: Iterable[str] = (), *, cause: str | None = None, text: str | None = None
) -> tuple[str, ...]:
    """The needs given by id plus those inferred, in vocabulary order.

    Raises
    ------
    InvalidInput
        On an unknown need id.
    """
    given = list(needs)
    unknown = [n for n in given if n not in NEEDS]
    if unknown:
        raise InvalidInput(
            f"unknown need(s) {', '.join(map(repr, unknown))}; known: {', '.join(NEEDS)}"
        )
    wanted = set(given) | set(infer_needs(cause, text))
    return tuple(n for n in NEEDS if n in wanted)


def station_resources(capabilities: Iterable[str], extra: Iterable[str] = ()) -> tuple[str, ...]:
    """What a station with ``capabilities`` (and its own ``resources`` list) can send."""
    caps = set(capabilities)
    out = {r for r, sets in CAPABILITY_RESOURCES.items() if any(s <= caps for s in sets)}
    out |= {r for r in extra if r in RESOURCES}
    return tuple(r for r in RESOURCES if r in out)


def _requirements(needs: Sequence[str]) -> list[tuple[str, ...]]:
    groups: list[tuple[str, ...]] = []
    for n in needs:
        for g in NEEDS[n].requires:
            if g not in groups:
                groups.append(g)
    return groups


def _words(resources: Iterable[str], lang: int, joiner: tuple[str, str] = (" or ", "或")) -> str:
    return joiner[lang].join(RESOURCES[r][lang] for r in resources)


@dataclass(frozen=True)
class StationOffer:
    """What one plan's station can send and lacks, and who is at the same place."""

    sends: tuple[str, ...]
    missing: tuple[tuple[str, ...], ...]
    colocated: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sends": [{"id": r, "en": RESOURCES[r][0], "zh": RESOURCES[r][1]} for r in self.sends],
            "meets_need": not self.missing,
            "missing": [
                {"any_of": list(g), "en": _words(g, 0), "zh": _words(g, 1)} for g in self.missing
            ],
            "colocated": list(self.colocated),
        }


@dataclass(frozen=True)
class Assessment:
    """The recommendation for a need over plans ranked by ETA."""

    needs: tuple[str, ...]
    offers: Mapping[str, StationOffer]
    recommended: str | None
    reason_en: str
    reason_zh: str


def _fmt(seconds: float, lang: int) -> str:
    minutes = int(round(seconds / 60.0))
    h, m = divmod(minutes, 60)
    if lang:
        return f"{h} 小时 {m:02d} 分" if h else f"{m} 分钟"
    return f"{h} h {m:02d} min" if h else f"{m} min"


@dataclass(frozen=True)
class StationRow:
    """What :func:`assess` reads of one station (from the region's stations table)."""

    sends: tuple[str, ...]
    #: rounded position: stations at one place share it
    where: tuple[float, float]
    name_zh: str | None


@dataclass(frozen=True)
class StationRows:
    """The stations table as plain values, read once (see :func:`station_rows`)."""

    rows: Mapping[str, StationRow]
    #: how many stations carry each Chinese name
    zh_count: Mapping[str, int]


def station_rows(stations: Any) -> StationRows:
    """The region's stations table (``capabilities``, optional ``resources``, ``name_zh``,
    point geometry) as plain values.

    Reading a GeoDataFrame row by row costs ~0.1 ms a cell; an approach asks for every
    station's (issue 18: ~20 ms of an approach's CPU). The approach keeps this per network.
    """
    has_resources = "resources" in stations.columns
    has_zh = "name_zh" in stations.columns
    rows: dict[str, StationRow] = {}
    for sid, row in zip(stations.index, stations.to_dict("records"), strict=True):
        extra = row.get("resources") if has_resources else None
        zh = row.get("name_zh") if has_zh else None
        geometry = row["geometry"]
        rows[str(sid)] = StationRow(
            sends=station_resources(row["capabilities"], extra if isinstance(extra, list) else ()),
            where=(round(float(geometry.x), 5), round(float(geometry.y), 5)),
            name_zh=zh if isinstance(zh, str) and zh else None,
        )
    zh_count: dict[str, int] = {}
    for r in rows.values():
        if r.name_zh:
            zh_count[r.name_zh] = zh_count.get(r.name_zh, 0) + 1
    return StationRows(rows, zh_count)


def assess(
    plans: Sequence[Any],
    stations: Any,
    needs: Sequence[str],
    *,
    colocated_tolerance_s: float = 1.0,
) -> Assessment:
    """Annotate plans (sorted by ETA, reachable first) and pick the station for ``needs``.

    Parameters
    ----------
    plans
        :class:`rescue.approach.Plan` values (``station_id``, ``station_name``, ``eta_s``,
        ``reachable``).
    stations
        The region's stations table (``capabilities``, optional ``resources``, ``name_zh``,
        point geometry), or its :func:`station_rows`.
    needs
        Need ids (see :func:`resolve_needs`); none: any responding station will do.
    """
    groups = _requirements(needs)
    table = stations if isinstance(stations, StationRows) else station_rows(stations)
    rows = table.rows
    offers: dict[str, StationOffer] = {}
    for p in plans:
        sends = rows[p.station_id].sends
        missing = tuple(g for g in groups if not set(g) & set(sends))
        here = rows[p.station_id].where
        mates = tuple(
            q.station_id
            for q in plans
            if q.station_id != p.station_id
            and rows[q.station_id].where == here
            and q.reachable == p.reachable
            and abs(q.eta_s - p.eta_s) <= colocated_tolerance_s
        )
        offers[p.station_id] = StationOffer(sends, missing, mates)
    ok = [p for p in plans if p.reachable]

    def zh_name(p: Any) -> str:
        value = rows[p.station_id].name_zh
        if value is None:
            return str(p.station_name)
        # several medical posts share one Chinese name: add the English one
        return f"{value}（{p.station_name}）" if table.zh_count.get(value, 0) > 1 else value

    if not ok:
        return Assessment(tuple(needs), offers, None, "", "")
    if not needs:
        first = ok[0]
        return Assessment((), offers, None, "", f"最快：{zh_name(first)}，{_fmt(first.eta_s, 1)}")

    need_en = ", ".join(NEEDS[n].name_en for n in needs)
    need_zh = "、".join(NEEDS[n].name_zh for n in needs)
    able = [p for p in ok if not offers[p.station_id].missing]
    fastest = ok[0]
    if able:
        best = able[0]
        sends_en = ", ".join(RESOURCES[r][0] for r in offers[best.station_id].sends)
        sends_zh = "、".join(RESOURCES[r][1] for r in offers[best.station_id].sends)
        en = (
            f"{best.station_name} in {_fmt(best.eta_s, 0)}: the fastest that can send what "
            f"{need_en} needs (it sends {sends_en})"
        )
        zh = (
            f"{zh_name(best)}，{_fmt(best.eta_s, 1)}："
            f"能派出{need_zh}所需的最快站点（可派{sends_zh}）"
        )
        if best is not fastest:
            lack = offers[fastest.station_id].missing
            en += (
                f"; {fastest.station_name} is {_fmt(best.eta_s - fastest.eta_s, 0)} faster "
                f"but cannot send {' and '.join(_words(g, 0) for g in lack)}"
            )
            zh += (
                f"；{zh_name(fastest)}快 {_fmt(best.eta_s - fastest.eta_s, 1)}，"
                f"但无法派出{'和'.join(_words(g, 1) for g in lack)}"
            )
        return Assessment(tuple(needs), offers, best.station_id, en, zh)
    lack = offers[fastest.station_id].missing
    adds_en, adds_zh = [], []
    for g in lack:
        helper = next((p for p in ok if set(g) & set(offers[p.station_id].sends)), None)
        if helper is None:
            adds_en.append(f"no station can send {_words(g, 0)}")
            adds_zh.append(f"没有站点能派出{_words(g, 1)}")
        else:
            adds_en.append(
                f"add {helper.station_name} ({_fmt(helper.eta_s, 0)}) for {_words(g, 0)}"
            )
            adds_zh.append(f"另派{zh_name(helper)}（{_fmt(helper.eta_s, 1)}）提供{_words(g, 1)}")
    en = (
        f"no single station can send what {need_en} needs; fastest: {fastest.station_name} in "
        f"{_fmt(fastest.eta_s, 0)}; " + "; ".join(adds_en)
    )
    zh = (
        f"没有单个站点能满足{need_zh}的需要；最快：{zh_name(fastest)}，{_fmt(fastest.eta_s, 1)}；"
        + "；".join(adds_zh)
    )
    return Assessment(tuple(needs), offers, fastest.station_id, en, zh)
