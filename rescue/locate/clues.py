"""Turn a caller's description into :class:`~rescue.locate.model.Clues`.

Call takers type what callers say, in English, Chinese or both, misspelt and
vague: "past the big flagpole, two hours before the pass", "我们在卓玛拉山口下面，
能看到绿色的湖", "left Tarchen at 8 this morning, now half past one, we walk
anticlockwise". :func:`parse_clues` finds

* place mentions (through the name index) and the relation words around them
  ("just past X", "between X and Y", "过了X大概3公里", "离X还有两个小时");
* the walking direction (clockwise, or counter-clockwise for Bön pilgrims);
* walking time since a place ("left Darchen at 8", "从塔钦出发走了五个小时");
* altitudes ("altimeter says about 5300 m", "17,400 ft", "海拔5300米");
* coordinates (every reading, through :mod:`rescue.locate.coords`);
* what the caller sees or feels (a green lake below, prayer flags, snow …),
  with negation ("we can't see the lake", "看不到湖").

Everything else (greetings, injuries, battery, party size) is ignored. The parser
never guesses a relation that is not written: a bare mention is left to the
belief, which reads it as "around there".

The readers live in private modules: ``_text`` (a length-keeping fold, clauses),
``_numbers`` (amounts and their vagueness), ``_timeparse`` (clock times),
``_relations`` (relation words), ``_sights`` (sights, negation, direction),
``_doc`` (the text being read), ``_walks`` (departures, times and distances walked) and
``_elevations`` (altitudes); this module reads the coordinates, links and denied names and
puts the clues together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from geodata.errors import InvalidInput
from geodata.i18n import Name, Said, msg
from rescue.locate._doc import Doc
from rescue.locate._elevations import (
    _elevations,
)
from rescue.locate._numbers import find_amounts, with_en_thousands
from rescue.locate._relations import (
    find_relations,
)
from rescue.locate._sights import find_sights, in_sight_phrase, sight_words, text_direction
from rescue.locate._text import clauses, count_scripts, fold, mask
from rescue.locate._timeparse import (
    LOCAL_TZ,
    find_clock_times,
    find_daylight_times,
    resolve_now,
)
from rescue.locate._walks import (
    UNSAID_START,
    _elapsed,
    _goals,
    _orphan_times,
    _reached,
    _still_ahead,
)
from rescue.locate.coords import CoordinateMatch, find_coordinates
from rescue.locate.mapapps import find_links, with_app_datum
from rescue.locate.model import (
    Clues,
    CoordinateReading,
    Direction,
    Mention,
    Relation,
)
from routes.direction import DIRECTIONS

__all__ = ["MAX_TEXT_CHARS", "NameIndexLike", "UNSAID_START", "parse_clues"]

#: Longest description accepted (after stripping).
MAX_TEXT_CHARS = 2000


class NameIndexLike(Protocol):
    """What the parser needs of a name index: mentions with offsets in ``text``."""

    def find(self, text: str) -> Sequence[Mention]: ...


#: A decimal comma ("31,0076" from a phone set to German): a comma followed by four or
#: more digits cannot be a thousands separator.
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d{1,3}),(?=\d{4,}(?![\d]))")
#: A name the caller rules out: "(NOT Selung)", "not the Kailash one", "不是曲古寺".
_DENIED_NAME = re.compile(
    r"(?:\bnot|\bisn'?t|\bnor)\s+(?:the\s+)?$|(?<!是)不是(?:在|那个)?$",
    re.IGNORECASE,
)
#: a height that names a place, not the caller's altitude: "the 19,500 ft pass", "the
#: nineteen and a half thousand foot pass", "5630米的垭口"
_HEIGHT_OF_PLACE = re.compile(
    r"(?<![\d,.])(?:\d{1,2},\d{3}|\d{3,5})\s*(?:-\s*)?(?:foot|feet|ft|m|meters?|metres?)"
    r"(?:[\s-]+(?:high|tall))?[\s-]+(?:high\s+)?(?=pass\b|col\b|saddle\b|peak\b|summit\b|la\b)"
    r"|(?<![\d,.])(?:\d{3,5}|[一二两三四五六七八九十百千万]{2,8})\s*(?:米|公尺|英尺|尺|呎)高?的?"
    r"(?=垭口|山口|山峰|卓玛拉)"
)
#: "一万八千尺", "18000呎": feet in Chinese (呎, or 尺 after a number in the thousands: a
#: kora altitude in feet, as trip reports translated from English give it); "'" is the
#: altitude reader's own mark for feet
_ZH_FEET = re.compile(r"(?<=[\d千万])\s*[尺呎]")
_DENIED_AFTER_EN = re.compile(r"^\s*(?:one\b|(?:at|on|by|in|near)\s+the\b|\)|,|\.|;|!|$)")


def _validate(text: object, reported_at: object, direction: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"the description must be text, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("the description is empty: say what the caller describes")
    if len(stripped) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"the description is {len(stripped):,} characters long; "
            f"at most {MAX_TEXT_CHARS:,} are accepted"
        )
    if (
        not isinstance(reported_at, datetime)
        or reported_at.tzinfo is None
        or (reported_at.utcoffset() is None)
    ):
        raise InvalidInput(f"reported_at must be a timezone-aware datetime, not {reported_at!r}")
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidInput(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    return unicodedata.normalize("NFC", stripped)


def _decimal_comma_coordinates(
    text: str, bbox: tuple[float, float, float, float] | None
) -> list[CoordinateMatch]:
    """Coordinates written with decimal commas ("31,0076 / 81,3727"), if there are two."""
    if len(_DECIMAL_COMMA.findall(text)) < 2:
        return []
    found = find_coordinates(_DECIMAL_COMMA.sub(r"\1.", text), bbox=bbox)  # same length
    return [
        replace(
            cm,
            text=text[cm.start : cm.end],
            readings=tuple(
                replace(
                    r,
                    text=text[cm.start : cm.end],
                    label=Said(msg("locate.reading_decimal_commas", reading=r.label)),
                )
                for r in cm.readings
            ),
        )
        for cm in found
    ]


def _without_denied(mentions: list[Mention], folded: str, notes: list[str]) -> list[Mention]:
    """The mentions without the names the caller rules out ("NOT Selung", "不是曲古寺").

    Only a bare "not" right before the name counts: "not far from X", "not yet at X"
    keep X. In English the name must end the phrase ("not the Kailash one", "(NOT X)").
    """
    out = []
    for m in mentions:
        before = folded[max(0, m.start - 16) : m.start]
        after = folded[m.end : m.end + 8]
        denied = _DENIED_NAME.search(before) is not None
        if denied and m.text.isascii() and not _DENIED_AFTER_EN.match(after):
            denied = False
        if denied and m.feature is None:
            notes.append(Said(msg("locate.note.ruled_out", said=m.text)))
            continue
        out.append(m)
    return out


def parse_clues(
    text: str,
    *,
    names: NameIndexLike,
    reported_at: datetime,
    direction: Direction | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> Clues:
    """Read every usable clue out of a caller's description.

    Parameters
    ----------
    text
        The description as typed by the call taker: English, Chinese or both,
        1-2,000 characters after stripping.
    names
        The name index: ``names.find(text)`` returns the place and feature
        mentions with character offsets.
    reported_at
        When the call came in (timezone-aware). Clock times in the text are
        local time in Tibet (Asia/Shanghai); "now 13:30" in the text replaces it.
    direction
        The walking direction if the call taker knows it; overrides the text.
    bbox
        The region's extent (min lon, min lat, max lon, max lat), passed to the
        coordinate reader.

    Returns
    -------
    Clues
        Mentions, the relations around them, walking times, altitudes,
        coordinate readings, sights, direction, language and notes on what was
        understood but could not be used. ``Clues.text`` is the stripped,
        NFC-normalised description, to which all offsets refer.

    Raises
    ------
    InvalidInput
        If ``text`` is not a string or is empty or longer than 2,000 characters
        after stripping, if ``reported_at`` is not timezone-aware, if
        ``direction`` is not "clockwise" or "counterclockwise", or if the text
        holds a coordinate that cannot be (raised by the coordinate reader).
    """
    text = _validate(text, reported_at, direction)
    notes: list[str] = []
    folded = fold(text)

    links = find_links(text, bbox)  # map links, geo: URIs, Plus Codes: their datum is known
    rest = mask(text, [(cm.start, cm.end) for cm in links])
    matches = find_coordinates(rest, bbox=bbox)
    if not matches:
        matches = _decimal_comma_coordinates(rest, bbox)
    matches, datum_note = with_app_datum(text, matches)
    if datum_note:
        notes.append(datum_note)
    matches = sorted([*links, *matches], key=lambda cm: cm.start)
    coordinates: list[CoordinateReading] = [r for cm in matches for r in cm.readings]
    scan = mask(folded, [(cm.start, cm.end) for cm in matches])

    all_mentions = _without_denied(list(names.find(text)), folded, notes)
    usable: list[Mention] = []
    for m in sorted(all_mentions, key=lambda m: (m.start, -m.end)):
        if 0 <= m.start < m.end <= len(text) and (not usable or m.start >= usable[-1].end):
            usable.append(m)
    quiet = mask(scan, [(m.start, m.end) for m in usable])
    doc = Doc(text, folded, scan, quiet, usable, clauses(quiet))

    doc.clocks = find_clock_times(quiet)
    daylight = find_daylight_times(quiet, doc.clocks)
    if daylight:
        read = [f"“{text[c.start : c.end]}” ≈ {c.hour:02d}:{c.minute:02d}" for c in daylight]
        notes.append(Said(msg("locate.note.daylight", read=Name(", ".join(read), "、".join(read)))))
        doc.clocks = sorted([*doc.clocks, *daylight], key=lambda c: c.start)
    # thousands in words put in digits ("five thousand one hundred metres"); a height
    # that names a place ("the 19,500 ft pass") is no altitude and no distance
    worded = with_en_thousands(mask(quiet, [(c.start, c.end) for c in doc.clocks]))
    worded = _ZH_FEET.sub(lambda m: m.group(0)[:-1] + "'", worded)
    heights = [m.span() for m in _HEIGHT_OF_PLACE.finditer(with_en_thousands(scan))]
    doc.quiet = mask(worded, heights)
    elevations, elevation_spans = _elevations(doc, notes)
    doc.amounts = find_amounts(mask(doc.quiet, elevation_spans))

    words = sight_words(scan)
    sighted = in_sight_phrase(doc, words)
    relations, by_mention = find_relations(doc, sighted)
    relations += _goals(doc, by_mention)
    relations += _still_ahead(doc, by_mention)

    local_now = reported_at.astimezone(LOCAL_TZ)
    now_clock = next((c for c in doc.clocks if c.now), None)
    if now_clock is not None:
        local_now = resolve_now(now_clock, reported_at)
    handled: set[tuple[int, int]] = set()
    released: list[Relation] = []
    elapsed, extra = _elapsed(doc, local_now, by_mention, notes, handled, released)
    relations = [r for r in relations if not any(r is x for x in released)]
    relations = sorted(relations + extra, key=lambda r: r.anchor.start)
    relations = _reached(doc, relations, by_mention)
    elapsed += _orphan_times(doc, handled, notes, local_now)
    # a word of a sight phrase is no reference point, whichever reader took it for one
    # ("the river comes from a glacier": the glacier is not passed)
    seen_spans = {(doc.mentions[i].start, doc.mentions[i].end) for i in sighted}
    relations = [r for r in relations if (r.anchor.start, r.anchor.end) not in seen_spans]

    viewed: list[tuple[int, int]] = []
    sights = find_sights(doc, by_mention, notes, words, viewed)

    said = text_direction(scan, notes)
    if direction is not None:
        if said is not None and said != direction:
            notes.append(
                Said(
                    msg(
                        "locate.note.direction",
                        said=msg(f"locate.direction.{said}"),
                        given=msg(f"locate.direction.{direction}"),
                    )
                )
            )
        said = direction

    han, latin = count_scripts(scan)
    language = "mixed" if han and latin else "zh" if han else "en"

    return Clues(
        text=text,
        mentions=tuple(all_mentions),
        relations=tuple(relations),
        elapsed=tuple(elapsed),
        elevations=tuple(elevations),
        coordinates=tuple(coordinates),
        sights=tuple(sights),
        direction=said,
        language=language,
        notes=tuple(dict.fromkeys(notes)),
        in_view=tuple(dict.fromkeys(viewed)),
    )
