"""Every problem the region check finds, in Chinese as well (issue 17).

The planner page shows why an import cannot be applied (the dry run's problems) in the
page's language, so each problem is a catalog text: ``details`` stay English (logs, the
tests of :mod:`tests.geodata.test_files`), ``details_in("zh")`` says the same in Chinese,
still naming the file, the feature and the property.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from geodata import load_region
from geodata.errors import DataValidationError
from geodata.validate import LAYERS, check_region_documents, layer_file
from tests.common import make_region_dir
from tests.geodata.test_files import CORRUPTIONS, _tiny_docs
from tests.web.test_chinese import english_words

FILES = [layer_file(layer) for layer in LAYERS] + ["metadata.json", "cues.json", "calibration.json"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _problems(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> DataValidationError:
    docs = _tiny_docs()
    mutate(docs)
    make_region_dir(tmp_path / "tiny", **docs)
    with pytest.raises(DataValidationError) as info:
        load_region("tiny", data_dir=tmp_path)
    return info.value


@pytest.mark.parametrize(
    ("mutate", "expected"), [c[1:] for c in CORRUPTIONS], ids=[c[0] for c in CORRUPTIONS]
)
def test_every_problem_is_said_in_chinese_naming_the_same_place(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    error = _problems(tmp_path, mutate)
    english, chinese = error.details, error.details_in("zh")
    assert len(chinese) == len(english)
    for en, zh in zip(english, chinese, strict=True):
        assert CJK.search(zh), zh
        assert english_words(zh, FILES) == [], (zh, english_words(zh, FILES))
        # the file, the feature's id and the quoted values are the same in both
        assert re.findall(r"\w+\.(?:geojson|json)", zh) == re.findall(r"\w+\.(?:geojson|json)", en)
        assert set(re.findall(r"'[^']*'", en)) <= set(re.findall(r"'[^']*'", zh)), (en, zh)
    assert CJK.search(error.message_in("zh") or ""), error.message_in("zh")


def test_an_unreadable_json_file_is_named_with_its_line_in_chinese(tmp_path: Path) -> None:
    bad = next(c[1] for c in CORRUPTIONS if c[0] == "bad_json")
    error = _problems(tmp_path, bad)
    (zh,) = [d for d in error.details_in("zh") if d.startswith("trails.geojson")]
    assert "第 3 行" in zh and "此处应有一个值" in zh  # the decoder's reason, translated


def test_a_problem_in_documents_held_in_memory_is_bilingual_too() -> None:
    docs = _tiny_docs()
    docs["stations"]["features"][0]["properties"]["season"] = "winter"
    with pytest.raises(DataValidationError) as info:
        check_region_documents(
            "tiny",
            metadata=docs["metadata"],
            calibration=docs["calibration"],
            layers={layer: docs[layer] for layer in LAYERS},
        )
    (zh,) = info.value.details_in("zh")
    assert zh.startswith("stations.geojson：要素 0（station_id=")
    assert "属性 'season' 为 'winter'" in zh and "应为以下之一：'year_round'、'seasonal'" in zh
