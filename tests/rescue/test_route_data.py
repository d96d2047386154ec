"""The route data service without a web app: following versions, writes followed by their
network, and the pending-import rules (both back ends)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata.errors import InvalidInput, NotFound
from geodata.store import FeatureEdit, RouteStore, open_store
from rescue.route_data import RouteData
from routes import RouteNetwork
from tests.common import make_region_dir


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[RouteStore]:
    make_region_dir(tmp_path / "data" / "tiny")
    s = open_store(database_url)
    yield s
    s.dispose()


def _open(store: RouteStore, tmp_path: Path) -> RouteData:
    return RouteData.open(store, "tiny", data_dir=tmp_path / "data")


def _renamed(data: RouteData, place_id: str, name: str) -> FeatureEdit:
    snapshot = data.snapshot()
    feature = copy.deepcopy(snapshot.feature("places", place_id))
    feature["properties"]["name_en"] = name
    return FeatureEdit(
        "places", place_id, "update", feature, snapshot.revisions[("places", place_id)]
    )


def test_open_seeds_once_and_a_write_is_followed_by_its_network(
    store: RouteStore, tmp_path: Path
) -> None:
    data = _open(store, tmp_path)
    first = data.refresh()
    assert first.version_id == 1
    assert _open(store, tmp_path).refresh().version_id == 1  # the region was seeded once

    info = data.commit([_renamed(data, "north", "North Gate")], author="tenzin", message="rename")

    data._rebuild.acquire()  # no rebuild can happen now: the commit has loaded its version
    try:
        now = data.refresh()
    finally:
        data._rebuild.release()
    assert info.version_id == now.version_id == 2
    assert now.network.region.places.at["north", "name_en"] == "North Gate"
    assert first.network.region.places.at["north", "name_en"] != "North Gate"  # kept as it was


def test_another_writer_is_followed_and_a_rebuild_does_not_block_readers(
    store: RouteStore, tmp_path: Path
) -> None:
    data = _open(store, tmp_path)
    other = _open(store, tmp_path)  # another process on the same database
    other.commit([_renamed(other, "north", "Elsewhere")], author="a", message="m")

    data._rebuild.acquire()  # someone else is rebuilding
    try:
        assert data.refresh().version_id == 1  # served the version it had, at once
    finally:
        data._rebuild.release()
    assert data.refresh().version_id == 2


def test_every_network_is_prepared_before_it_is_followed(store: RouteStore, tmp_path: Path) -> None:
    """``prepare`` (the warm-up of ``sandtable serve``) runs on the network of each version
    before a caller can get it: callers during the rebuild keep the previous version."""
    prepared: list[str] = []
    data: RouteData | None = None

    def prepare(network: RouteNetwork) -> None:
        name = str(network.region.places.at["north", "name_en"])
        if data is not None:  # a rebuild: callers meanwhile get the version before
            assert data.refresh().network.region.places.at["north", "name_en"] != name
        prepared.append(name)

    data = RouteData.open(store, "tiny", data_dir=tmp_path / "data", prepare=prepare)
    assert len(prepared) == 1  # the network opened
    other = _open(store, tmp_path)  # another process on the same database
    other.commit([_renamed(other, "north", "North Gate")], author="a", message="m")
    assert data.refresh().version_id == 2
    assert prepared[1:] == ["North Gate"]
    data.refresh()
    assert prepared[1:] == ["North Gate"]  # once per version


def test_an_import_the_preview_refused_cannot_be_applied(store: RouteStore, tmp_path: Path) -> None:
    data = _open(store, tmp_path)
    store.imports.save(
        "tiny",
        "imp1",
        author="a",
        filename="f.gpx",
        base_version=1,
        preview={"can_apply": False, "problems": ["way w1 has too many vertices"]},
        edits=[],
    )
    with pytest.raises(InvalidInput) as refused:
        data.apply_import("imp1", author="a", message="apply")
    assert refused.value.details == ["way w1 has too many vertices"]
    assert data.refresh().version_id == 1

    data.discard_import("imp1", actor="a")
    with pytest.raises(NotFound):
        data.pending_import("imp1")
    with pytest.raises(NotFound):
        data.discard_import("imp1", actor="a")
