"""Issue 18: a warmed network answers locate and approach without building anything."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geodata import load_region
from geodata.errors import InvalidInput
from rescue.approach import plan_with_closures
from rescue.localnames import localize_approach
from rescue.locate import get_index, locate
from rescue.warm import warm
from routes import build_network

CASES = Path(__file__).resolve().parent.parent / "data" / "locate_cases.jsonl"


def test_a_warmed_network_builds_nothing_for_locate_and_approach(
    caplog: pytest.LogCaptureFixture,
) -> None:
    network = build_network(load_region("kailash"))
    with caplog.at_level(logging.INFO, logger="routes.network"):
        warm(network)
    warmed = dict(network.derived)
    assert "locate_index" in warmed
    assert any(m.startswith("built locate_index in ") for m in caplog.messages)
    texts = [json.loads(line)["text"] for line in CASES.read_text("utf-8").splitlines() if line]
    for text in texts[::5]:  # every kind of clue: names, times walked, views, coordinates
        try:
            located = locate(network, text)
        except InvalidInput:
            continue
        if located.candidates:
            plan = plan_with_closures(network, located.candidates[:3], (), now=datetime.now(UTC))
            localize_approach(plan.to_dict(), network)
    assert set(network.derived) == set(warmed)  # nothing new was built ...
    assert all(network.derived[k] is v for k, v in warmed.items())  # ... nor built again
    assert get_index(network) is warmed["locate_index"]


@pytest.mark.parametrize("fault", [InvalidInput("no place to name"), RuntimeError("a bug")])
def test_a_service_failing_while_warming_does_not_stop_the_network_being_served(
    fault: Exception, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def failing(*_args: object, **_kwargs: object) -> None:
        raise fault

    network = build_network(load_region("kailash"))
    monkeypatch.setattr("rescue.locate.locate", failing)
    with caplog.at_level(logging.INFO, logger="rescue.warm"):
        warm(network)  # logs, does not raise
    assert any(str(fault) in r.getMessage() or r.exc_info for r in caplog.records)
    assert any("warmed the network of kailash" in m for m in caplog.messages)


class _Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_what_lives_when_serving_starts_is_frozen_out_of_the_collectors_sight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc
    import weakref

    from rescue import warm as warm_module

    warmed: list[object] = []
    monkeypatch.setattr(warm_module, "warm", warmed.append)
    kept = [[1]]  # a container the collector tracks
    node = _Node()
    ref = weakref.ref(node)
    try:
        warm_module.warm_and_freeze(kept)  # type: ignore[arg-type]  # any object will do
        assert warmed == [kept]
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # no collection walks it
        del node  # garbage now (a replaced network), but frozen: a collection keeps it
        gc.collect()
        assert ref() is not None
        warm_module.freeze_long_lived()  # the next version's: unfreezes and collects first
        assert ref() is None
    finally:
        gc.unfreeze()
