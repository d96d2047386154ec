"""Follow-up questions, chosen by how much their answer would narrow the belief.

Each question asks about one sight tag ("Can you see a green lake below you?").
Its value is the expected drop in the entropy of the segment distribution:
``H(now) - Σ_answer P(answer) · H(after answer)``, with ``P(yes | bin)`` from
the tag's cue weight. The answers are phrased so that appending them to the
description and locating again applies exactly that clue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rescue.locate.lexicon import lexicon, region_words
from rescue.locate.model import Question

__all__ = ["QUESTION_TEXTS", "TagMask", "best_questions"]


@dataclass(frozen=True)
class TagMask:
    """Where a sight tag holds (bins) and how telling it is (weight > 1)."""

    mask: np.ndarray
    weight: float


_FIELDS = ("question_en", "question_zh", "yes_en", "yes_zh", "no_en", "no_zh")


def _question_texts() -> dict[str, tuple[str, str, str, str, str, str]]:
    region = region_words()
    slots = {
        "{mountain_en}": region["mountain_name_en"],
        "{mountain_zh}": region["mountain_name_zh"],
    }

    def filled(text: str) -> str:
        for slot, name in slots.items():
            text = text.replace(slot, name)
        return text

    out: dict[str, tuple[str, str, str, str, str, str]] = {}
    for tag, texts in lexicon("questions")["questions"].items():
        q_en, q_zh, y_en, y_zh, n_en, n_zh = (filled(texts[f]) for f in _FIELDS)
        out[tag] = (q_en, q_zh, y_en, y_zh, n_en, n_zh)
    return out


#: tag -> (question en, question zh, yes en, yes zh, no en, no zh), from
#: ``geodata/lexicon/questions.json`` with the region's mountain filled in.
QUESTION_TEXTS: Mapping[str, tuple[str, str, str, str, str, str]] = _question_texts()


def _entropy(mass: np.ndarray) -> float:
    m = mass[mass > 0]
    return float(-(m * np.log2(m)).sum())


def best_questions(
    posterior: np.ndarray,
    segment: np.ndarray,
    n_segments: int,
    tags: Mapping[str, TagMask],
    *,
    asked: frozenset[str] = frozenset(),
    limit: int = 3,
    min_gain_bits: float = 0.05,
) -> list[Question]:
    """The ``limit`` questions with the largest expected information gain.

    Parameters
    ----------
    posterior
        Probability per bin (sums to 1).
    segment
        Segment index per bin.
    n_segments
        Number of segments.
    tags
        Where each askable tag holds.
    asked
        Tags the description already speaks of (not asked again).
    """
    seg_all = np.bincount(segment, weights=posterior, minlength=n_segments)
    h_now = _entropy(seg_all)
    scored: list[Question] = []
    for tag, tm in tags.items():
        if tag in asked or tag not in QUESTION_TEXTS:
            continue
        # P(yes | bin) is one value where the tag holds and another elsewhere: the masses
        # after either answer follow from the segment masses inside and outside the tag
        # (two passes over the bins per tag, not nine)
        inside, outside = tm.weight / (1.0 + tm.weight), 1.0 / (1.0 + tm.weight)
        seg_in = np.bincount(
            segment, weights=np.where(tm.mask, posterior, 0.0), minlength=n_segments
        )
        seg_out = np.maximum(seg_all - seg_in, 0.0)
        p_yes = float(inside * seg_in.sum() + outside * seg_out.sum())
        if not 0.02 < p_yes < 0.98:
            continue
        h_yes = _entropy((inside * seg_in + outside * seg_out) / p_yes)
        h_no = _entropy(((1.0 - inside) * seg_in + (1.0 - outside) * seg_out) / (1.0 - p_yes))
        gain = h_now - (p_yes * h_yes + (1.0 - p_yes) * h_no)
        if gain < min_gain_bits:
            continue
        q_en, q_zh, y_en, y_zh, n_en, n_zh = QUESTION_TEXTS[tag]
        scored.append(Question(tag, q_en, q_zh, y_en, y_zh, n_en, n_zh, gain))
    scored.sort(key=lambda q: -q.expected_gain_bits)
    return scored[:limit]
