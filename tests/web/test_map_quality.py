"""Every geometry quality the data may carry is styled and explained on the map (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

from geodata.validate import QUALITIES
from web.mapview import PALETTE

JS = Path(__file__).resolve().parents[2] / "web" / "static" / "sandtable.js"


def test_every_quality_has_its_own_line_style() -> None:
    dashes = PALETTE["quality_dash"]
    assert set(dashes) == set(QUALITIES)
    assert len(set(dashes.values())) == len(QUALITIES)  # tellable apart on the map


def test_every_quality_has_legend_text_in_english_and_chinese() -> None:
    js = JS.read_text(encoding="utf-8")
    for quality in QUALITIES:
        assert re.search(rf'{quality}: \["[^"]+", "[^"]+"\]', js), quality
    legend = re.search(r"\[([^\]]*)\]\.forEach\(function \(q\)", js)
    assert legend is not None
    assert [q.strip().strip('"') for q in legend.group(1).split(",")] == list(QUALITIES)
