"""Locate a caller from what they say: ranked segments, evidence, questions to ask.

``locate(network, text, reported_at=..., direction=...)`` is the entry point;
see :mod:`rescue.locate.engine`. The parts: :mod:`~rescue.locate.names` (place
names and feature words), :mod:`~rescue.locate.coords` (coordinates),
:mod:`~rescue.locate.clues` (the description → clues), :mod:`~rescue.locate.belief`
(positions weighed by clues), :mod:`~rescue.locate.candidates` (the answer read off the
belief), :mod:`~rescue.locate.questions` (what to ask next).
"""

from rescue.locate.engine import LOCAL_TZ, LocateIndex, get_index, locate
from rescue.locate.model import Candidate, Clues, LocateResult, Question

__all__ = [
    "LOCAL_TZ",
    "Candidate",
    "Clues",
    "LocateIndex",
    "LocateResult",
    "Question",
    "get_index",
    "locate",
]
