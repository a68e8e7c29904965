"""A kubectl ``List`` in JSON is parsed one item at a time (msgspec), and reads exactly as the standard
library's parser read the whole file: same objects, same values, same errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

from homelabctl.sources.base import LoadError
from homelabctl.sources.snapshot import _PACK_BYTES, SnapshotSource, StreamedList, parse_documents

from factories import deployment, pod


def configmap(name: str, data: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "n"},
        "data": data or {},
    }


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def test_a_json_list_is_streamed_and_loads_the_same_objects(tmp_path: Path) -> None:
    items = [deployment("web"), pod("web-1"), configmap("settings", data={"LOG_LEVEL": "debug"})]
    doc = {"apiVersion": "v1", "kind": "List", "items": items}
    path = _write(tmp_path / "snap.json", json.dumps(doc))
    parsed = list(parse_documents(path.read_bytes(), str(path), []))
    assert len(parsed) == 1 and type(parsed[0].data) is StreamedList
    streamed = SnapshotSource([path], slim=True).load()
    # a bare JSON array of the same objects is read whole by json.loads
    whole = SnapshotSource([_write(tmp_path / "array.json", json.dumps(items))], slim=True).load()
    assert [r.raw for r in streamed.index] == [r.raw for r in whole.index]
    assert streamed.errors == whole.errors == []


def test_typed_lists_give_their_kind_and_api_version_to_items_without_one(tmp_path: Path) -> None:
    item = pod("a")
    del item["kind"], item["apiVersion"]
    path = _write(
        tmp_path / "pods.json", json.dumps({"apiVersion": "v1", "kind": "PodList", "items": [item]})
    )
    state = SnapshotSource([path]).load()
    assert state.index.get("Pod", "default", "a") is not None
    assert state.availability("Pod").readable


def test_values_only_the_standard_parser_reads_keep_its_reading(tmp_path: Path) -> None:
    """msgspec refuses 1e999 and lone surrogate escapes, which json.loads reads (as inf and as the surrogate)."""
    cm = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n"},"data":{"x":"\\ud800"},'
    text = '{"apiVersion":"v1","kind":"List","items":[' + cm + '"extra":1e999}]}'
    state = SnapshotSource([_write(tmp_path / "odd.json", text)]).load()
    (obj,) = list(state.index)
    assert obj.raw["data"]["x"] == "\ud800"
    assert math.isinf(obj.raw["extra"])


def test_an_item_neither_parser_reads_costs_that_item_only(tmp_path: Path) -> None:
    good = json.dumps(configmap("ok"))
    bad = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"},"data":{"n":' + "9" * 5000 + "}}"
    text = '{"apiVersion":"v1","kind":"List","items":[' + bad + "," + good + "]}"
    state = SnapshotSource([_write(tmp_path / "digits.json", text)]).load()
    assert [r.name for r in state.index] == ["ok"]
    assert any("invalid JSON in item 1" in e.message for e in state.errors)


def test_invalid_utf8_is_refused_for_the_whole_file_as_before() -> None:
    text = b'{"apiVersion":"v1","kind":"List","items":[{"kind":"ConfigMap","metadata":{"name":"\xff"}}]}'
    errors: list[LoadError] = []
    assert list(parse_documents(text, "x.json", errors)) == []
    assert "not UTF-8 text" in errors[0].message


def test_syntax_errors_are_reported_by_the_standard_parser_with_their_position() -> None:
    errors: list[LoadError] = []
    assert list(parse_documents(b'{"kind":"List","items":[{"a":1},]}', "x.json", errors)) == []
    assert errors[0].message.startswith("invalid JSON:") and "column" in errors[0].message


def test_objects_that_are_not_lists_are_read_whole() -> None:
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "items": [1, 2]}
    parsed = list(parse_documents(json.dumps(doc).encode(), "x.json", []))
    assert parsed[0].data == doc


def test_items_across_several_packs_keep_their_order_and_numbers(tmp_path: Path) -> None:
    """Items are copied into mappings of about a mebibyte: a list larger than one, with an item larger than a
    whole mapping, reads every object in order, and an unreadable item is named by its place in the list."""
    big = configmap("big", data={"blob": "x" * (_PACK_BYTES + 10)})
    items = [json.dumps(configmap(f"c{i:04d}", data={"v": "y" * 2000})) for i in range(900)]
    items.insert(450, json.dumps(big))
    items.insert(700, '{"kind":"ConfigMap","metadata":{"name":"bad"},"data":{"n":' + "9" * 5000 + "}}")
    text = '{"apiVersion":"v1","kind":"List","items":[' + ",".join(items) + "]}"
    parsed = list(parse_documents(text.encode(), "x.json", []))
    streamed = parsed[0].data
    assert type(streamed) is StreamedList and len(streamed.packs) > 2
    state = SnapshotSource([_write(tmp_path / "many.json", text)]).load()
    names = [r.name for r in state.index]
    assert names[450] == "big" and len(names) == 901 and names[:3] == ["c0000", "c0001", "c0002"]
    assert names[451:] == [f"c{i:04d}" for i in range(450, 900)]
    assert [e.message.split(":")[0] for e in state.errors] == ["invalid JSON in item 701"]


def test_each_pack_is_returned_once_its_objects_are_parsed() -> None:
    """A pack's mapping is closed as soon as its objects are parsed, before they are handed out; when the
    object cap stops the reading, the packs not reached are never parsed."""
    items = ",".join(json.dumps(configmap(f"c{i}", data={"v": "y" * 3000})) for i in range(1000))
    parsed = list(parse_documents(('{"kind":"List","items":[' + items + "]}").encode(), "x.json", []))
    streamed = parsed[0].data
    assert type(streamed) is StreamedList
    first_pack = streamed.packs[0]
    assert first_pack is not None
    reader = streamed.items([], "x.json")
    assert next(reader)["metadata"]["name"] == "c0"
    assert first_pack.block.closed
    assert streamed.packs[0] is None and all(pack is not None for pack in streamed.packs[1:])
