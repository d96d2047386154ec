"""The words of relations: the English and Chinese patterns around a place mention.

Before the name ("two hours before the pass"), after it ("卓玛拉山口下面", "X之后两个小时"),
around it ("离X还有两个小时"), between two names ("between X and Y", "X和Y之间"), with their
modifiers ("just", "刚", "not far") and the amounts that go with them; and the vehicle
speeds a time by car is read at. Matched against a text by :mod:`rescue.locate._relations`.
"""

from __future__ import annotations

import re

from rescue.locate._doc import FILL_EN, en, zh
from rescue.locate.lexicon import lexicon

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
    r"|since(?:\s+(?:leaving|we\s+left))?"
    # "after the night at Derapuk", "after a night in Zutulpuk": where today's walk began
    r"|(?:after|following)\s+(?:the|a|our|one)\s+(?:[a-z]+\s+)?night\s+(?:at|in))"
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
    # Hindi (in Devanagari or Latin letters): "डेरापुक पहुँच गए", "Derapuk pahunch gaye" (arrived)
    ("at", re.compile(r"^\s*(?:पहुँच|पहुंच|पहुच|pahu?n?ch)")),
    # "X के बाद" (after X), "X से पहले" (before X), "X के पास" (near X)
    ("after", re.compile(r"^\s*(?:के\s*बाद|ke\s+baad?(?![a-z]))")),
    ("before", re.compile(r"^\s*(?:(?:से|के)\s*पहले|(?:se|ke)\s+pehle(?![a-z]))")),
    ("near", re.compile(r"^\s*(?:के\s*पास|ke\s+paas?(?![a-z]))")),
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
_PAIR_PATH_ZH = re.compile(
    r"^(?:的)?(?:公路|大路|小路|路)?(?:上|中)|^(?:方向|那边|那个方向)"
    # "止热寺到卓玛拉山口这段乱石路": the stretch from X to Y
    r"|^(?:的)?(?:这|這|那)(?:一)?(?:段|截)"
)
_PAIR_WALKED_ZH = re.compile(
    r"^(?:的)?(?:方向|那边|那个方向)?(?:走|下来|上去|去|过去|爬|下|上|开)了?"
)
#: an arrival between two places ("from X and reached Y") ends the walk at Y: no pair
ARRIVED = re.compile(
    r"\b(?:reached|arrived(?:\s+(?:at|in))?|got\s+to|made\s+it\s+to|now\s+at|are\s+(?:now\s+)?at)\b"
    r"|到了|到达|抵达|来到|पहुँच|पहुंच|\bpahu?n?ch"
)
#: Hindi "from" after the name: "यमद्वार से 10 किमी", "Yamdwar se 12 km" (an amount follows)
FROM_POST_HI = re.compile(r"^\s*(?P<w>से|se(?![a-z])|अभी|abhi(?![a-z]))?")
#: Hindi "X (अभी) दो किमी दूर है" (X is still 2 km away): before X by that much
AWAY_HI = re.compile(r"^\s*(?:और\s*)?(?:दूर|door|dur)(?![a-z])")
#: Hindi "walked" after the amount: "10 किमी चल चुके", "12 km chale" (that far on from X)
WALKED_HI = re.compile(r"^\s*(?:चल|चले|चला|चली|chal|chale|chala|chali|aaye|आए|आये)")
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
        r"|^\s*(?:我们|我|咱们)?(?:已经|又|再|然后|刚|才|一共|总共)?(?:走了|下了|走|下来了?)(?:有)?"
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
