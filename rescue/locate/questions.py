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

from rescue.locate.model import Question

__all__ = ["QUESTION_TEXTS", "TagMask", "best_questions"]


@dataclass(frozen=True)
class TagMask:
    """Where a sight tag holds (bins) and how telling it is (weight > 1)."""

    mask: np.ndarray
    weight: float


#: tag -> (question en, question zh, yes en, yes zh, no en, no zh)
QUESTION_TEXTS: Mapping[str, tuple[str, str, str, str, str, str]] = {
    "green_lake": (
        "Can you see a green lake below you?",
        "你能看到下面有绿色的湖吗？",
        "we can see a green lake below us",
        "能看到下面有绿色的湖",
        "we cannot see a lake",
        "看不到湖",
    ),
    "north_face": (
        "Can you see the north face of Kailash up close?",
        "你能近距离看到冈仁波齐的北壁吗？",
        "we can see the north face up close",
        "能近距离看到北壁",
        "we cannot see the north face",
        "看不到北壁",
    ),
    "west_face": (
        "Can you see the west face of the mountain across the valley?",
        "你能看到山谷对面神山的西壁吗？",
        "we can see the west face across the valley",
        "能看到神山西壁",
        "we cannot see the west face",
        "看不到西壁",
    ),
    "south_face": (
        "Can you see the south face of Kailash (the vertical line of snow)?",
        "你能看到冈仁波齐的南壁（那道竖直的雪槽）吗？",
        "we can see the south face",
        "能看到南壁",
        "we cannot see the south face",
        "看不到南壁",
    ),
    "prayer_flags": (
        "Are there masses of prayer flags around you?",
        "你周围有很多经幡吗？",
        "there are lots of prayer flags around us",
        "周围有很多经幡",
        "there are no prayer flags here",
        "这里没有经幡",
    ),
    "steep_rocky": (
        "Is the path steep and over boulders?",
        "路是不是很陡、都是乱石？",
        "the path is steep with boulders",
        "路很陡，都是乱石",
        "the path is not steep",
        "路不陡",
    ),
    "river": (
        "Are you walking beside a river?",
        "你们是在河边走吗？",
        "we are beside a river",
        "我们在河边",
        "there is no river near us",
        "附近没有河",
    ),
    "bridge": (
        "Are you at or near a bridge?",
        "你们在桥边吗？",
        "we are near a bridge",
        "我们在桥附近",
        "there is no bridge near us",
        "附近没有桥",
    ),
    "glacier": (
        "Can you see a glacier?",
        "你能看到冰川吗？",
        "we can see a glacier",
        "能看到冰川",
        "we cannot see a glacier",
        "看不到冰川",
    ),
    "monastery": (
        "Can you see a monastery?",
        "你能看到寺庙吗？",
        "we can see a monastery",
        "能看到寺庙",
        "we cannot see a monastery",
        "看不到寺庙",
    ),
    "cave": (
        "Is there a cave or a meditation cave nearby?",
        "附近有山洞吗？",
        "there is a cave nearby",
        "附近有山洞",
        "there is no cave nearby",
        "附近没有山洞",
    ),
    "clothes": (
        "Are there piles of clothes on the ground around you?",
        "周围地上有很多衣服吗？",
        "there are piles of clothes around us",
        "周围有很多衣服",
        "there are no clothes piles here",
        "没有衣服堆",
    ),
    "tents": (
        "Are there tea tents or supply tents nearby?",
        "附近有茶馆或补给帐篷吗？",
        "there are tea tents nearby",
        "附近有帐篷茶馆",
        "there are no tents nearby",
        "附近没有帐篷",
    ),
    "big_lake": (
        "Can you see a big lake in the distance?",
        "你能看到远处的大湖吗？",
        "we can see a big lake in the distance",
        "能看到远处的大湖",
        "we cannot see a big lake",
        "看不到大湖",
    ),
    "snow": (
        "Is there snow on the ground where you are?",
        "你们脚下有积雪吗？",
        "there is snow on the ground",
        "地上有雪",
        "there is no snow on the ground",
        "地上没有雪",
    ),
    "road": (
        "Can you see a road or vehicles?",
        "你能看到公路或车辆吗？",
        "we can see a road with vehicles",
        "能看到公路和车",
        "there is no road in sight",
        "看不到公路",
    ),
    "flat_plain": (
        "Are you on open, flat ground?",
        "你们是在开阔的平地上吗？",
        "we are on open flat ground",
        "我们在开阔的平地上",
        "the ground is not flat here",
        "这里不是平地",
    ),
}


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
    h_now = _entropy(np.bincount(segment, weights=posterior, minlength=n_segments))
    scored: list[Question] = []
    for tag, tm in tags.items():
        if tag in asked or tag not in QUESTION_TEXTS:
            continue
        p_yes_bin = np.where(tm.mask, tm.weight, 1.0) / (1.0 + tm.weight)
        p_yes = float((posterior * p_yes_bin).sum())
        if not 0.02 < p_yes < 0.98:
            continue
        post_yes = posterior * p_yes_bin / p_yes
        post_no = posterior * (1.0 - p_yes_bin) / (1.0 - p_yes)
        h_yes = _entropy(np.bincount(segment, weights=post_yes, minlength=n_segments))
        h_no = _entropy(np.bincount(segment, weights=post_no, minlength=n_segments))
        gain = h_now - (p_yes * h_yes + (1.0 - p_yes) * h_no)
        if gain < min_gain_bits:
            continue
        q_en, q_zh, y_en, y_zh, n_en, n_zh = QUESTION_TEXTS[tag]
        scored.append(Question(tag, q_en, q_zh, y_en, y_zh, n_en, n_zh, gain))
    scored.sort(key=lambda q: -q.expected_gain_bits)
    return scored[:limit]
