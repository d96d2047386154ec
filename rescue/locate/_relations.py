"""Relation words around place mentions: "just past X", "between X and Y", "过了X大概3公里".

English puts the words before the name ("two hours before the pass"), Chinese
often after it ("卓玛拉山口下面", "X之后两个小时") or around it ("离X还有两个小时",
"从X下来"). Each mention gets at most one relation; an amount next to the words
("2 km", "大概20分钟") becomes its distance or duration range, and "just" / "刚"
a short distance. A mention with no relation words is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rescue.locate._doc import FILL_EN, Doc, en, zh
from rescue.locate._numbers import Amount, widen
from rescue.locate.lexicon import lexicon
from rescue.locate.model import RELATION_KINDS, Mention, Relation

__all__ = [
    "JUST_M",
    "NOT_FAR_M",
    "DIRECTIONAL",
    "DEPARTURE_EN",
    "WALK_ON",
    "find_relations",
    "relation",
]

#: "just past", "刚过": a short way beyond (m)
JUST_M = (0.0, 500.0)
#: "not far past", "快到", "离X不远": within about a kilometre (m)
NOT_FAR_M = (0.0, 1000.0)
#: relations that place the caller off the spot: a feature word under them is no sight
DIRECTIONAL = frozenset(
    {"past", "after", "before", "between", "halfway", "down_from", "up_to", "across_river"}
)

_MOD_EN = (
    r"(?:(?P<mod>only\s+just|just|right|shortly|a\s+bit|a\s+little|slightly|not\s+far|not\s+long"
    r"|soon|almost\s+at|nearly\s+at)\s+)?"
)

#: English words before a mention, most specific first: (kind, pattern)
_PRE_EN: list[tuple[str, re.Pattern[str]]] = [
    # "we came by vehicle to X", "took the eco bus to X", "drove up to X": the ride ended
    # at X (issue 13: a ride is no walk towards X)
    (
        "at",
        en(
            r"\b(?:(?:by|took\s+(?:the|a|an|our)|on\s+(?:the|a|an|our)|in\s+(?:the|a|an|our))"
            r"\s+(?:[a-z-]+\s+)?(?:vehicle|bus|car|jeep|taxi|truck|van|minibus|shuttle"
            r"|land\s*cruiser)|drove|driven|rode\s+(?:the|a|our)\s+(?:bus|car|jeep))"
            r"\s+(?:all\s+the\s+way\s+|straight\s+|up\s+|out\s+)?(?:to|till|until|as\s+far\s+as)"
        ),
    ),
    (
        "down_from",
        en(
            r"\b(?:(?:on\s+(?:the|our)\s+way|coming|came|come|walking|walked|going|went|heading"
            r"|headed|hiking|hiked|climbing|climbed|descending|descended|way)\s+down\s+(?:from|off)"
            r"|descending\s+(?:from|off)|(?:the\s+)?descent\s+(?:from|off)|down\s+from"
            r"|(?:coming|came|come)\s+(?:down\s+)?off)"
        ),
    ),
    (
        "up_to",
        en(
            r"\b(?:(?:on\s+(?:the|our)\s+way|climbing|climbed|going|walking|heading|hiking|way)"
            r"\s+up(?:\s+(?:to(?:wards?)?|the))?|climbing(?:\s+(?:to(?:wards?)?|up))?"
            r"|ascending(?:\s+to(?:wards?)?)?|(?:the\s+)?(?:climb|ascent)\s+(?:to(?:wards?)?|up)"
            r"|up\s+to(?:wards?)?)"
        ),
    ),
    (
        "across_river",
        en(
            r"\b(?:across\s+the\s+(?:river|stream|creek|water)\s+from"
            r"|(?:on\s+)?the\s+other\s+side\s+of\s+the\s+(?:river|stream|creek)\s+from"
            r"|(?:on\s+the\s+)?opposite\s+(?:bank|side)\s+(?:of\s+the\s+river\s+)?(?:from|to)"
            r"|across\s+from|opposite(?:\s+to)?)"
        ),
    ),
    (
        "past",
        en(
            rf"\b{_MOD_EN}(?:past|beyond|passed|have\s+passed|went\s+past|walked\s+past"
            r"|gone\s+past|already\s+passed|over|crossed|have\s+crossed|went\s+over|came\s+over"
            r"|got\s+over)"
        ),
    ),
    ("after", en(rf"\b{_MOD_EN}after(?:\s+(?:leaving|crossing|passing|reaching))?")),
    (
        "before",
        en(
            rf"\b{_MOD_EN}(?:before(?:\s+(?:reaching|getting\s+to|arriving\s+at))?|in\s+front\s+of"
            r"|(?:on\s+(?:the|our)\s+way\s+|heading\s+|walking\s+|going\s+)?back\s+to(?:wards?)?"
            r"|short\s+of|(?:not|haven'?t|have\s+not|hasn'?t|didn'?t|did\s+not)\s+(?:yet\s+)?"
            r"(?:reached|reach|got\s+to|get\s+to|gotten\s+to|arrived\s+at|arrive\s+at|made\s+it\s+to"
            r"|make\s+it\s+to)|(?:on\s+(?:the|our)\s+way|heading|headed|walking|going|hiking)"
            r"\s+(?:to(?:wards?)?|for)|towards?|approaching|almost\s+(?:at|to)|nearly\s+(?:at|to))"
        ),
    ),
    (
        "below",
        en(
            rf"\b{_MOD_EN}(?:below|beneath|under(?:neath)?|(?:at\s+)?the\s+(?:foot|bottom|base)\s+of"
            r"|downhill\s+(?:from|of)|lower\s+than)"
        ),
    ),
    ("above", en(rf"\b{_MOD_EN}(?:above|uphill\s+(?:from|of)|higher\s+than|up\s+above)")),
    (
        "near",
        en(
            r"\b(?:near(?:\s+to)?|nearby|close\s+to|next\s+to|beside|by|around|not\s+far\s+from"
            r"|close\s+by|outside(?:\s+of)?|behind|at\s+the\s+side\s+of)"
        ),
    ),
    (
        "at",
        en(
            r"\b(?:at|in|on|inside|reached|arrived\s+(?:at|in)|got\s+to|made\s+it\s+to"
            r"|on\s+top\s+of|top\s+of|summit\s+of|passing)"
        ),
    ),
]

#: where the caller slept or stays, named by the place it is at: "2 km from our rooms at
#: X", "half a mile from the guest house in X", "1 km from our camp near X" (the distance
#: counts from X)
_LODGING_EN = (
    r"(?:\s+(?:our|the|my|their)\s+(?:[a-z]+\s+)?(?:rooms?|hotel|guest\s*house|lodge|camp"
    r"|campsite|tents?|hostel|inn|accommodation|dorm(?:itory)?)\s+(?:at|in|near|by|of))?"
)
#: English words that need an amount before them: "2 hours to X", "3 km from X"
_PRE_EN_AMOUNT: list[tuple[str, re.Pattern[str]]] = [
    (
        "before",
        en(
            r"\b(?:to\s+go\s+(?:to|until|till)|to|till|until|before\s+(?:we\s+)?(?:reach|get\s+to"
            r"|arrive\s+at))"
        ),
    ),
    ("near", en(rf"\b(?:away\s+from|from|off){_LODGING_EN}")),
]
#: "left X", "started from X", "since X": a departure (see ``clues``), not a relation here
DEPARTURE_EN = en(
    r"\b(?:(?:left|started|set\s+(?:off|out)|departed)\b[^.,;!?]{0,25}?\bfrom"
    # "left the bus point near X", "left the camp at X": the place named is the start
    r"|left\s+(?:the|our)\s+(?:[a-z-]+\s+){1,3}?(?:near|at|by|next\s+to|below)"
    r"|left|leave|leaving|started(?:\s+out)?(?:\s+walking)?(?:\s+(?:from|at|in))?"
    r"|start(?:ing)?\s+(?:from|in)|set\s+(?:off|out)(?:\s+from)?|setting\s+(?:off|out)\s+from"
    # "started the kora at the ticket gate", "began our trek from Darchen"
    r"|(?:started|starting|began|begun|start)\s+(?:the\s+|our\s+|my\s+|their\s+)?"
    r"(?:kora|parikrama|circuit|trek|hike|walk|pilgrimage)\s+(?:at|from|in)"
    r"|departed(?:\s+from)?|depart(?:ing)?\s+from|walked\s+out\s+of"
    r"|since(?:\s+(?:leaving|we\s+left))?)"
)
_NOT_EN = re.compile(
    r"\b(?:not|n't|haven'?t|hasn'?t|never|aren'?t|isn'?t|weren'?t|not\s+yet)"
    r"\s+(?:yet\s+|even\s+|quite\s+|been\s+|got\s+|gotten\s+)*$"
)
_STILL_EN = re.compile(r"\b(?:still|another|more|left|remaining|to\s+go)\b")
_WALKED_EN = re.compile(r"\b(?:walk(?:ed|ing)|hik(?:ed|ing)|trekk?(?:ed|ing)|been)\b[^.,;]*$")

#: "X must be near", "X should be close now", "X can't be far": the caller expects to
#: reach X soon, so is not far before it
_SOON_EN = re.compile(
    r"^\s*(?:(?:must|should|has\s+to|ought\s+to)\s+be\s+(?:very\s+|quite\s+|really\s+)?"
    r"(?:near(?:by)?|close(?:\s+by)?|around\s+here)"
    r"|can(?:'|no)?t\s+be\s+(?:very\s+|too\s+|that\s+)?far(?:\s+(?:away|off|now))?)\b"
)
#: English words after a mention: "X is behind us", "X is right above us"
_POST_EN: list[tuple[str, re.Pattern[str]]] = [
    ("soon", _SOON_EN),
    (
        "past",
        re.compile(
            r"^\s*(?:(?:is|was|are|were)\s+)?(?:now\s+|already\s+|just\s+|right\s+|far\s+|well\s+"
            r"|a\s+bit\s+|a\s+little\s+)?behind\s+(?:us|me)\b"
        ),
    ),
    (
        "before",
        re.compile(
            r"^\s*(?:(?:is|are)\s+)?(?:still\s+)?(?:just\s+|right\s+)?(?:ahead(?:\s+of\s+(?:us|me))?"
            r"|in\s+front\s+of\s+(?:us|me)|coming\s+up)\b"
        ),
    ),
    (
        "below",
        re.compile(
            r"^\s*(?:(?:is|are)\s+)?(?:(?:still|now|just|right|directly|high|far)\s+)*"
            r"(?:above|over)\s+(?:us|me)\b"
        ),
    ),
    (
        "above",
        re.compile(
            r"^\s*(?:(?:is|are)\s+)?(?:(?:still|now|just|right|directly|far)\s+)*"
            r"(?:below|beneath|under(?:neath)?)\s+(?:us|me)\b"
        ),
    ),
    (
        "across_river",
        re.compile(
            r"^\s*(?:(?:is|are)\s+)?(?:just\s+|right\s+)?(?:across\s+the\s+(?:river|stream|creek)"
            r"|on\s+the\s+other\s+side\s+of\s+the\s+(?:river|stream|creek)"
            r"|on\s+the\s+opposite\s+bank)\b"
        ),
    ),
    (
        "near",
        re.compile(
            r"^\s*(?:is|are)\s+(?:very\s+)?(?:near(?:by)?|close(?:\s+by)?|right\s+here"
            r"|next\s+to\s+(?:us|me))\b"
        ),
    ),
    ("at", re.compile(r"^\s*(?:top|summit|itself)\b")),
]
_POST_EN_AMOUNT_LEAD = re.compile(r"^\s*(?:is|are)\s+(?:still\s+|only\s+|just\s+)?")
_POST_EN_AMOUNT_TAIL = re.compile(
    r"^\s*(?P<w>away|ahead|more|to\s+go|behind(?:\s+(?:us|me))?|back)\b"
)

_JUST_ZH = r"(?P<mod>刚刚|刚|才|快要|快|马上就?|就要|将要)?"
#: Chinese words before and after a mention that only work together: (kind, pre, post, need)
_COMBO_ZH: list[tuple[str, re.Pattern[str], re.Pattern[str], str]] = [
    (
        "down_from",
        zh(r"(?:从|打|自)"),
        re.compile(r"^(?:上面|上|里面|里|那边|那里|那儿)?(?:一路)?走?(?:下来|下山|下去|往下)"),
        "",
    ),
    (
        "after",
        zh(r"(?:从|打|自)"),
        re.compile(r"^(?:那边|那里|那儿)?走?(?:过来|出来|来的|上来)"),
        "",
    ),
    (
        "before",
        zh(r"(?:离|距离|距)"),
        re.compile(r"^(?:大概|大约|约|差不多|估计|可能|应该)?(?:还有|还剩|还差|还要|还得|还需要?)"),
        "amount",
    ),
    ("near", zh(r"(?:离|距离|距)"), re.compile(r"^(?:有|只有)?"), "amount"),
    ("near", zh(r"(?:离|距离|距)"), re.compile(r"^(?:不远|很近|挺近|不太远|不是很远)"), "not_far"),
    ("up_to", zh(r"(?:往|朝|向)"), re.compile(r"^(?:上)?爬"), ""),
    (
        "before",
        zh(r"(?:往|朝|向|去|前往|奔|赶往)"),
        # "往塔钦方向下山": going down towards Darchen is still towards it
        re.compile(r"^(?:方向)?(?:走|去|赶|下山|下去|下来|的路上|的方向|那边)"),
        "",
    ),
    ("up_to", zh(r"(?:上|爬)"), re.compile(r"^(?:的路上|的路|途中)"), ""),
]
#: Chinese words before a mention
_PRE_ZH: list[tuple[str, re.Pattern[str]]] = [
    ("up_to", zh(r"(?:在爬|正在爬|爬上|往上爬|爬)")),
    ("down_from", zh(r"(?:刚下了|刚下|下了)")),
    ("across_river", zh(r"(?:河对岸|对岸|河对面)(?:是|就是|有|的)?")),
    # "前面有个小房子补给点", "前方不远是X": X lies ahead, not yet reached
    (
        "before",
        zh(
            r"(?:前面|前边|前方|前头)(?:不远(?:处)?)?(?:有|是|就是)(?:个|一个|座|一座|家|一家)?"
            r"[^，。,.!?！？\s]{0,4}?"
        ),
    ),
    (
        "before",
        zh(
            rf"{_JUST_ZH}(?:还没(?:有)?(?:到|走到|到达|过)|没到|没有到|未到|(?<![看见听找想遇得不收])到)"
        ),
    ),
    (
        "past",
        zh(
            rf"{_JUST_ZH}(?:已经)?(?:过了|经过了|走过了|翻过了|越过了|路过了|过完了|经过|走过|翻过"
            r"|越过|路过|(?<!不)过)"
        ),
    ),
    ("near", zh(r"(?:靠近|接近|挨着)")),
    ("none", zh(r"(?:不在|没在|不是在)")),
    (
        "at",
        zh(
            r"(?:就在|正在|位于|到达了?|抵达|来到了?|走到了?|已到|在|(?<![看见听找想遇得不收])到了?)"
        ),
    ),
]
#: Chinese words after a mention
_POST_ZH: list[tuple[str, re.Pattern[str]]] = [
    ("down_from", re.compile(r"^(?:上)?(?:下来|下山|往下走)")),
    ("before", re.compile(r"^(?:的)?(?:之前|以前|前面|前边|前方|前头|前)")),
    ("after", re.compile(r"^(?:的)?(?:之后|以后|后面|后边|后头|后)")),
    ("past", re.compile(r"^(?:已经|都)?(?:过了|走过了|过去了)")),
    (
        "below",
        re.compile(
            r"^(?:的)?(?:下面|下边|下方|底下|脚下|山脚下?|下头|以下|下(?![午雪雨来去山面边方头了]))"
        ),
    ),
    ("above", re.compile(r"^(?:的)?(?:上面|上边|上方|上头|以上|山上|顶上)")),
    ("across_river", re.compile(r"^(?:的)?(?:河)?(?:对岸|对面)")),
    ("near", re.compile(r"^(?:的)?(?:附近|旁边|边上|周边|周围|一带|不远处?)")),
    ("before", re.compile(r"^(?:还没到|还没有到|没到|快到了|就在前面|在前面|在我们前面)")),
    ("past", re.compile(r"^(?:在我们后面|在后面)")),
    ("past", re.compile(r"^(?:再|又)?(?:往前|向前)(?:走了?|过了?)?|^(?:过去|过来)了?")),
    ("at", re.compile(r"^(?:的)?(?:门口|门前|里面|里边|这里|那里|这儿|那儿)")),
    ("near", re.compile(r"^(?:的)?(?:这边|那边|这一带|那一带)")),
    ("above", re.compile(r"^在我们(?:下面|下边)")),
    ("below", re.compile(r"^在我们(?:上面|上边)")),
]
_MOD_RANGE = {
    "just": JUST_M,
    "only just": JUST_M,
    "right": JUST_M,
    "shortly": JUST_M,
    "a bit": JUST_M,
    "a little": JUST_M,
    "slightly": JUST_M,
    "soon": JUST_M,
    "not long": NOT_FAR_M,
    "not far": NOT_FAR_M,
    "almost at": JUST_M,
    "nearly at": JUST_M,
    "刚刚": JUST_M,
    "刚": JUST_M,
    "才": JUST_M,
    "快要": NOT_FAR_M,
    "快": NOT_FAR_M,
    "马上": NOT_FAR_M,
    "马上就": NOT_FAR_M,
    "就要": NOT_FAR_M,
    "将要": NOT_FAR_M,
    "not_far": NOT_FAR_M,
}

# two mentions: "between X and Y", "halfway from X to Y", "X和Y之间", "X到Y的半路"
_PAIR_GAP_AND = re.compile(rf"^\s*(?:and|&|/|-)\s*{FILL_EN}")
_PAIR_GAP_TO = re.compile(rf"^\s*(?:to|and|-|->)\s*{FILL_EN}")
_PAIR_GAP_ZH = re.compile(r"^(?:和|与|跟|同|到|至|、|往|朝|向|去|-|—|~|/)(?:那个|这个)?$")
#: "从X往Y…": a way from one place to the other
_PAIR_TOWARD_ZH = frozenset("到至往朝向去")
_PAIR_PATH_ZH = re.compile(r"^(?:的)?(?:公路|大路|小路|路)?(?:上|中)|^(?:方向|那边|那个方向)")
_PAIR_WALKED_ZH = re.compile(
    r"^(?:的)?(?:方向|那边|那个方向)?(?:走|下来|上去|去|过去|爬|下|上|开)了?"
)
#: an arrival between two places ("from X and reached Y") ends the walk at Y: no pair
ARRIVED = re.compile(
    r"\b(?:reached|arrived(?:\s+(?:at|in))?|got\s+to|made\s+it\s+to|now\s+at|are\s+(?:now\s+)?at)\b"
    r"|到了|到达|抵达|来到"
)
_HALFWAY_AHEAD = re.compile(r"half\s*way|in\s+the\s+middle|半路|一半|半道|半途|正中间|中点")
_PAIR_PRE_EN: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    (
        "halfway",
        en(
            r"\b(?:half\s*way|midway|half\s+the\s+way|in\s+the\s+middle)\s+"
            r"(?:between|from)"
        ),
        _PAIR_GAP_TO,
    ),
    ("between", en(r"\b(?:between|betwen|betweeen|in\s+between)"), _PAIR_GAP_AND),
    ("between", en(r"\bfrom"), _PAIR_GAP_TO),
]
_PAIR_POST_EN: list[tuple[str, re.Pattern[str]]] = [
    ("halfway", re.compile(r"^\s*,?\s*(?:about\s+|roughly\s+)?(?:half\s*way|in\s+the\s+middle)\b")),
    ("between", re.compile(r"^\s*,?\s*(?:somewhere\s+)?in\s+between\b")),
]
_PAIR_POST_ZH: list[tuple[str, re.Pattern[str]]] = [
    ("halfway", re.compile(r"^(?:的)?(?:正中间|中点|一半|半路|半道|半途)")),
    ("between", re.compile(r"^(?:的)?(?:之间|中间|当中|路上|途中|中途)")),
]


_POST_MOD = re.compile(
    r"^\s*(?:的)?(?P<just>一点点|一点儿|一点|一些|一小段|一下)|^\s*(?P<near>没多远|不远|不太远)"
)
_NEXT_LEAD = {
    "ahead": re.compile(
        r"^\s*(?:大概|大约|差不多|估计|可能)?(?:还要|还得|还有|还需要?|还)(?:再)?(?:走|爬|上)?"
        r"|^\s*(?:about\s+|maybe\s+)?(?:another|still)\s+"
    ),
    "behind": re.compile(
        r"^\s*(?:and\s+|then\s+)?(?:(?:we|i)\s+)?(?:have\s+)?(?:been\s+)?"
        r"(?:walk(?:ed|ing)?|hik(?:ed|ing)|going|come)\s+(?:for\s+)?"
        r"|^\s*(?:已经|又|再|然后|刚|才|一共|总共)?(?:走了|下了|走|下来了?)(?:有)?"
    ),
}
#: a clause that is only an amount: "…, 5 minutes maybe", "…, maybe 20 min more walking"
_ONLY_AMOUNT_TAIL = re.compile(
    r"\s*(?:(?:maybe|or\s+so|i\s+think|more|of\s+walking|walking|roughly|left|to\s+go"
    r"|左右|吧|了|的样子)\s*)*"
)
WALK_ON = _NEXT_LEAD["behind"]
_HEDGE_LEAD = re.compile(r"大概|大约|差不多|估计|可能|\babout\b|\bmaybe\b")


#: a time by vehicle ("we drove 20 minutes from Darchen", "坐车二十分钟") is a distance at
#: these speeds (m/s: 12-30 km/h, the dirt roads and the eco bus from Darchen), not a walk
VEHICLE_SPEED_MS = (12.0 / 3.6, 30.0 / 3.6)
#: a distance told by vehicle is km of road: the trail beside it is this share of it (the
#: dirt roads wind; "8 km by vehicle from Darchen to Yama Dwar" is 5.7 km of kora)
ROAD_KM_ON_TRAIL = (0.6, 1.0)
_VEHICLE = re.compile(lexicon("names")["vehicle"])


def by_vehicle(doc: Doc, pos: int) -> bool:
    """Whether the clause holding ``pos`` says the time was spent in a vehicle."""
    start, end = doc.clause(pos)
    return _VEHICLE.search(doc.folded[start:end]) is not None


@dataclass
class _Found:
    """A relation being read: where its words are and what amount goes with it."""

    kind: str
    anchor: int
    start: int
    end: int
    amount: Amount | None = None
    mod: str | None = None
    other: int | None = None


def relation(
    doc: Doc,
    kind: str,
    anchor: Mention,
    start: int,
    end: int,
    amount: Amount | None = None,
    mod: str | None = None,
    other: Mention | None = None,
) -> Relation:
    """The :class:`Relation` for words from ``start`` to ``end`` of the text.

    An amount gives the distance or duration range; without one, a modifier
    ("just", "刚", "not far") gives a short distance for the kinds that take one.
    """
    assert kind in RELATION_KINDS, kind
    distance = duration = None
    if amount is not None:
        start, end = min(start, amount.start), max(end, amount.end)
        if amount.kind == "distance" and by_vehicle(doc, amount.start):
            # "8 km from Darchen by vehicle": km of road, which winds more than the trail
            distance = (amount.low * ROAD_KM_ON_TRAIL[0], amount.high * ROAD_KM_ON_TRAIL[1])
        elif amount.kind == "distance":
            distance = (amount.low, amount.high)
        elif by_vehicle(doc, amount.start):
            distance = (amount.low * VEHICLE_SPEED_MS[0], amount.high * VEHICLE_SPEED_MS[1])
        else:
            duration = (amount.low, amount.high)
    elif mod is not None:
        key = " ".join(mod.split())
        if key in _MOD_RANGE and kind not in ("at", "near", "between", "halfway"):
            distance = _MOD_RANGE[key]
        elif key == "not_far":
            distance = NOT_FAR_M
    return Relation(
        kind=kind,
        anchor=anchor,
        other=other,
        distance_m=distance,
        duration_s=duration,
        text=doc.span_text(start, end),
    )


def _pair(doc: Doc, i: int, j: int) -> list[_Found]:
    """Relations of mention ``i`` with the next one, ``j``, if the words join them."""
    a, b = doc.mentions[i], doc.mentions[j]
    if doc.clause(a.start) != doc.clause(b.start):
        return []
    gap = doc.scan[a.end : doc.head_start(j)]
    if len(gap) > 30 or ARRIVED.search(gap):
        return []
    lo, _, pre, _ = doc.around(i)
    _, hi, _, post = doc.around(j)
    post_ws = len(post) - len(post.lstrip())
    post = post.lstrip()
    ahead = doc.scan[b.end : b.end + 40]  # "from X to Y, halfway" / "…，车坏在半路上了"
    halfway = _HALFWAY_AHEAD.search(ahead) is not None
    for kind, pre_re, gap_re in _PAIR_PRE_EN:
        pm = pre_re.search(pre)
        if pm and gap_re.match(gap):
            kind = "halfway" if halfway and kind == "between" else kind
            return [_Found(kind, i, lo + pm.start(), b.end, other=j)]
    if _PAIR_GAP_AND.match(gap) or _PAIR_GAP_TO.match(gap):
        for kind, post_re in _PAIR_POST_EN:
            qm = post_re.match(post)
            if qm:
                return [_Found(kind, i, a.start, b.end + post_ws + qm.end(), other=j)]
    g = gap.strip()
    if not _PAIR_GAP_ZH.match(g):
        return []
    zm = re.search(r"(?:在|从|自|由|位于|处于)\s*$", pre)
    start = lo + zm.start() if zm else a.start
    for kind, post_re in _PAIR_POST_ZH:
        qm = post_re.match(post)
        if qm:
            return [_Found(kind, i, start, b.end + post_ws + qm.end(), other=j)]
    if g[:1] not in _PAIR_TOWARD_ZH:
        return []
    from_words = zm is not None and zm.group(0).strip() in ("从", "自", "由")
    if not (from_words or _PAIR_PATH_ZH.match(post)):
        return []
    if halfway:  # "从药师佛沟往尊珠寺走，大概走了一半"
        return [_Found("halfway", i, start, b.end, other=j)]
    walked = _PAIR_WALKED_ZH.match(post)
    if walked:  # "从吉乌寺往霍尔方向走了三个小时": that far from X, heading for Y
        amount = doc.amount_after(b.end + post_ws + walked.end(), hi)
        if amount is not None:
            end = b.end + post_ws + walked.end()
            return [_Found("after", i, start, end, amount), _Found("before", j, start, end)]
    return [_Found("between", i, start, b.end, other=j)]


def _single(doc: Doc, i: int) -> _Found | None:
    """The relation words around mention ``i``, if any."""
    m = doc.mentions[i]
    lo, hi, pre, post = doc.around(i)
    if DEPARTURE_EN.search(pre):
        return None  # "left X": a walking time (or "after X"), read in ``clues``
    post_ws = len(post) - len(post.lstrip())
    post = post.lstrip()
    pre_zh_text = pre.rstrip()

    for kind, pre_re, post_re, need in _COMBO_ZH:
        pm, qm = pre_re.search(pre_zh_text), post_re.match(post)
        if not (pm and qm):
            continue
        # "离X还有大概两个小时" / "离X大概还有两个小时": the amount may swallow the words
        end = m.end + post_ws + qm.end()
        amount = doc.amount_after(m.end if need == "amount" else end, hi)
        if need == "amount" and amount is None:
            continue
        return _Found(kind, i, lo + pm.start(), end, amount, need or None)

    for kind, pre_re in _PRE_EN_AMOUNT:
        pm = pre_re.search(pre)
        if not pm:
            continue
        amount = doc.amount_before(lo + pm.start(), lo)
        if amount is None:
            continue
        before_amount = doc.scan[lo : amount.start]
        if kind == "near":
            if _WALKED_EN.search(before_amount) and amount.kind == "distance":
                # "we walked 800 m from X": that far on from X (walkers leave X behind)
                return _Found("after", i, lo + pm.start(), m.end, amount)
            if _WALKED_EN.search(before_amount):
                doc.used_amounts.discard(doc.amounts.index(amount))
                return None  # "walked 2 hours from X": a walking time, read as elapsed
            if _STILL_EN.search(doc.scan[amount.start : lo + pm.start()]) or re.search(
                r"\bstill\s*$", before_amount
            ):
                kind = "before"
        return _Found(kind, i, lo + pm.start(), m.end, amount)

    pre_hit: tuple[str, int, str | None] | None = None
    for kind, pre_re in _PRE_EN:
        pm = pre_re.search(pre)
        if pm:
            neg = _NOT_EN.search(pre, 0, pm.start())
            mod = pm.groupdict().get("mod")
            if neg:  # "not past X", "not at X yet": still before it; "not near X": nothing
                if kind not in ("past", "after", "at"):
                    return None
                kind, pm_start = "before", neg.start()
            else:
                pm_start = pm.start()
            if kind == "before" and not mod and re.search(r"\b(?:almost|nearly)\b", pm.group(0)):
                mod = "almost at"
            pre_hit = (kind, lo + pm_start, mod)
            break
    pre_zh = False
    if pre_hit is None:
        for kind, pre_re in _PRE_ZH:
            pm = pre_re.search(pre_zh_text)
            if pm:
                mod = pm.groupdict().get("mod")
                if kind == "before" and not mod and not re.search(r"没|未|前", pm.group(0)):
                    continue  # a bare "到X" is arriving, not "before"
                if kind == "none":
                    return None
                pre_hit, pre_zh = (kind, lo + pm.start(), mod), True
                break

    post_hit: tuple[str, int] | None = None
    for kind, post_re in _POST_EN + _POST_ZH:
        qm = post_re.match(post)
        if qm and qm.end() > 0:
            post_hit = (kind, m.end + post_ws + qm.end())
            break

    found: _Found | None = None
    generic = ("at", "near")
    if post_hit and (
        pre_hit is None
        or (pre_hit[0] in generic and post_hit[0] not in generic)
        or (pre_hit[0] == "at" and post_hit[0] == "near")
    ):
        kind, end = post_hit
        start = pre_hit[1] if pre_hit else m.start
        amount = doc.amount_after(end, hi)
        if amount is None and pre_hit is None:
            amount = _post_amount_en(doc, m, hi)
        found = _Found(kind, i, start, end, amount)
        if kind == "soon":  # "X must be near": not far before X
            found.kind, found.mod = "before", None if amount is not None else "not_far"
    elif pre_hit:
        kind, start, mod = pre_hit
        end = m.end
        amount = None
        if not pre_zh:
            amount = doc.amount_before(start, lo)
        if amount is None and (pre_zh or post_hit):
            if post_hit:  # "过了X之后两个小时": the amount follows the second word
                end = post_hit[1]
            amount = doc.amount_after(end, hi)
        if amount is None and not pre_zh:
            amount = _post_amount_en(doc, m, hi)
        if amount is None and pre_zh and kind in ("before", "up_to", "at"):
            amount = _still_to_go_zh(doc, lo, start)  # "再走一个小时就到X": still before X
            if amount is not None:
                start, mod = amount.start, None
                kind = "before" if kind == "at" else kind
        found = _Found(kind, i, start, end, amount, mod)
    else:
        amount = _post_amount_en(doc, m, hi)
        if amount is None:
            return None
        tail = _POST_EN_AMOUNT_TAIL.match(doc.scan[amount.end : hi])
        kind = "past" if tail and tail.group("w").startswith(("behind", "back")) else "before"
        end = amount.end + (tail.end() if tail else 0)
        return _Found(kind, i, m.start, end, amount)
    if found.amount is None and found.mod is None:  # "过了X一点", "X下来一点", "过了X没多远"
        pm2 = _POST_MOD.match(doc.scan[found.end : hi])
        if pm2:
            found.mod = "just" if pm2.group("just") else "not_far"
            found.end += pm2.end()
    return found


_STILL_LEAD_ZH = re.compile(
    r"(?:还要|还得|还需要?|还有|还|再)(?:走|爬|上|下)?(?:个)?(?:大概|大约|差不多|估计)?\s*$"
)
_STILL_GAP_ZH = re.compile(r"\s*(?:左右|的样子)?\s*(?:才能|才|就能|就|能|可以)?\s*")


def _still_to_go_zh(doc: Doc, lo: int, cue: int) -> Amount | None:
    """The amount of "还要走两个小时才到X" (two more hours before X): before the cue."""
    for k, a in enumerate(doc.amounts):
        if k in doc.used_amounts or a.start < lo or a.end > cue:
            continue
        if _STILL_GAP_ZH.fullmatch(doc.scan[a.end : cue]) and _STILL_LEAD_ZH.search(
            doc.scan[lo : a.start]
        ):
            doc.used_amounts.add(k)
            return a
    return None


def _post_amount_en(doc: Doc, m: Mention, hi: int) -> Amount | None:
    """The amount in "X is (still) 2 hours away / ahead / behind us"."""
    lead = _POST_EN_AMOUNT_LEAD.match(doc.scan[m.end : hi])
    if not lead:
        return None
    pos = m.end + lead.end()
    for k, a in enumerate(doc.amounts):
        if a.start == pos and k not in doc.used_amounts:
            if not _POST_EN_AMOUNT_TAIL.match(doc.scan[a.end : hi]):
                return None
            doc.used_amounts.add(k)
            return a
    return None


def _next_clause_amount(doc: Doc, f: _Found) -> None:
    """Take the amount of the next clause for a relation that has none.

    "我们从卓玛拉下来，走了一个半小时" (down from the pass, 1.5 h), "卓玛拉山口还没到，
    大概还要爬一个小时" (1 h before it), "just past the flag pole, 5 minutes maybe".
    """
    if f.amount is not None or f.kind not in (*_NEXT_KINDS, "at"):
        return
    here = doc.clause(f.end - 1)
    nxt = doc.neighbour(here, 1) if here[0] < here[1] else None
    if nxt is None or nxt[0] - here[1] > 2:
        return
    if any(nxt[0] <= m.start < nxt[1] for m in doc.mentions):
        return  # the next clause speaks of another place
    words = doc.scan[nxt[0] : nxt[1]]
    lead = _NEXT_LEAD["ahead" if f.kind in ("before", "up_to") else "behind"].match(words)
    if f.kind == "at" and (lead is None or not _WALKED_ON.search(lead.group(0))):
        return  # "到了X，又走了七公里": walked on past X; "在X，20分钟" is no walk
    pos = nxt[0] + (lead.end() if lead else 0)
    amount = doc.amount_after(pos, nxt[1])
    if amount is None:
        return
    if not lead and not _ONLY_AMOUNT_TAIL.fullmatch(doc.scan[amount.end : nxt[1]]):
        doc.used_amounts.discard(doc.amounts.index(amount))
        return
    if lead and _HEDGE_LEAD.search(lead.group(0)):  # "大概还要爬一个小时"
        amount = widen(amount)
    if f.kind == "at":
        f.kind, f.mod = "past", None
    f.amount, f.end = amount, amount.end


_NEXT_KINDS = frozenset({"past", "after", "down_from", "before", "up_to"})
#: the lead of a next clause that walks on from a place the caller reached
_WALKED_ON = re.compile(r"又|再|然后|then|walk(?:ed)?|hik(?:ed)?")


def find_relations(
    doc: Doc, skip: set[int] | frozenset[int] = frozenset()
) -> tuple[list[Relation], dict[int, Relation]]:
    """Every relation in the text, and the relation of each mention (by index) that has one.

    Pairs ("between X and Y") are read first, then the words around single mentions.
    A mention that only qualifies the next one ("塔钦转山起点") gets no relation of its
    own, nor do the mentions in ``skip`` (feature words that are part of a sight phrase).
    """
    found: list[_Found] = []
    taken: set[int] = set(doc.modifiers) | set(skip)
    heads = [i for i in range(len(doc.mentions)) if i not in doc.modifiers]
    for a, b in zip(heads, heads[1:], strict=False):
        if a in taken:
            continue
        pair = _pair(doc, a, b)
        found.extend(pair)
        if pair:
            taken.update((a, b))
    for i in heads:
        if i in taken:
            continue
        single = _single(doc, i)
        if single is None and not DEPARTURE_EN.search(doc.around(i)[2]):
            # "took the bus to X, walked about 7 km": walked on past X ("left X, walked
            # 2 km" is a departure, read in ``clues``)
            m = doc.mentions[i]
            bare = _Found("at", i, m.start, m.end)
            _next_clause_amount(doc, bare)
            single = bare if bare.kind == "past" else None
        if single is not None:
            found.append(single)
    out: list[Relation] = []
    by_mention: dict[int, Relation] = {}
    for f in sorted(found, key=lambda f: f.start):
        _next_clause_amount(doc, f)
        anchor = doc.mentions[f.anchor]
        other = doc.mentions[f.other] if f.other is not None else None
        rel = relation(doc, f.kind, anchor, f.start, f.end, f.amount, f.mod, other)
        out.append(rel)
        by_mention[f.anchor] = rel
        if f.other is not None:
            by_mention[f.other] = rel
    out.sort(key=lambda r: r.anchor.start)
    return out, by_mention
