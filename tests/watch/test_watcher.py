"""The reflector loop and the state store, driven by a fake transport (scripted lists and streams)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any, cast

from homelabctl.live.kubeclient import ListFailed
from homelabctl.sources.base import KindStatus, SourceInfo
from homelabctl.watch.store import StateStore
from homelabctl.watch.watcher import Backoff, Gone, KindWatcher, StreamFailed, WatchEvent

from factories import node, pod


def _rv(obj: dict[str, Any], rv: int) -> dict[str, Any]:
    obj["metadata"]["resourceVersion"] = str(rv)
    return obj


class FakeTransport:
    """Each list returns the next scripted list; each watch plays the next scripted stream (a list of events,
    or an exception to raise). When the script runs out, watches block until cancelled."""

    def __init__(self, lists: list[Any], streams: list[Any]) -> None:
        self.lists = lists
        self.streams = streams
        self.list_calls = 0
        self.watch_calls: list[str] = []
        self.cancelled = threading.Event()

    def list(self, gk: str) -> tuple[list[dict[str, Any]], str]:
        self.list_calls += 1
        item = self.lists.pop(0) if len(self.lists) > 1 else self.lists[0]
        if isinstance(item, Exception):
            raise item
        return cast("tuple[list[dict[str, Any]], str]", item)

    def watch(self, gk: str, resource_version: str, timeout_seconds: int) -> Iterator[WatchEvent]:
        self.watch_calls.append(resource_version)
        if not self.streams:
            self.cancelled.wait(min(timeout_seconds, 5))
            return
        script = self.streams.pop(0)
        if isinstance(script, Exception):
            raise script
        yield from script

    def cancel(self, gk: str) -> None:
        self.cancelled.set()


def _store() -> StateStore:
    return StateStore(SourceInfo("live", "fake"), ["Node"])


def _run(transport: FakeTransport, until: Any, *, relist: float = 600.0) -> tuple[StateStore, KindWatcher]:
    store = _store()
    watcher = KindWatcher(
        "Node", transport, store, relist_interval=relist, backoff=Backoff(base=0.01, cap=0.05), min_gap=0.01
    )
    errors: list[str] = []
    watcher.on_error = lambda gk, reason: errors.append(reason)
    watcher.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not until(store, transport, errors):
        time.sleep(0.01)
    watcher.stop()
    watcher.thread.join(2)
    assert until(store, transport, errors), (transport.watch_calls, errors)
    watcher.errors = errors  # type: ignore[attr-defined]
    return store, watcher


def test_list_then_watch_applies_events_and_resumes_from_the_last_version() -> None:
    a, b = _rv(node("a"), 10), _rv(node("b"), 11)
    b_down = _rv(node("b", ready="Unknown"), 12)
    transport = FakeTransport(
        [([a, b], "11")],
        [
            [WatchEvent("MODIFIED", b_down), WatchEvent("BOOKMARK", {"metadata": {"resourceVersion": "15"}})],
            [WatchEvent("DELETED", _rv(node("a"), 16))],
        ],
    )
    store, _ = _run(transport, lambda s, t, e: len(t.watch_calls) >= 3)
    state, _ = store.state()
    assert [r.name for r in state.index.all("Node")] == ["b"]
    node_b = state.index.get("Node", None, "b")
    assert node_b is not None and node_b.is_condition_true("Ready") is None  # Unknown
    # list at 11, then resumed from the bookmark's 15, then from the deletion's 16: never re-listed
    assert transport.watch_calls[:3] == ["11", "15", "16"]
    assert transport.list_calls == 1


def test_gone_relists_and_the_list_replaces_the_state() -> None:
    first = [_rv(node("a"), 10), _rv(node("b"), 11)]
    second = [_rv(node("b"), 30)]
    transport = FakeTransport([(first, "11"), (second, "30")], [Gone("too old resource version"), []])
    store, watcher = _run(transport, lambda s, t, e: t.list_calls >= 2 and len(t.watch_calls) >= 2)
    assert [r.name for r in store.state()[0].index.all("Node")] == ["b"]  # a vanished while we were away
    assert transport.watch_calls[:2] == ["11", "30"]
    assert "gone" in watcher.errors  # type: ignore[attr-defined]


def test_stream_errors_back_off_and_count() -> None:
    transport = FakeTransport(
        [([_rv(node("a"), 1)], "1")],
        [StreamFailed("connection reset by the server"), StreamFailed("connection refused"), []],
    )
    _, watcher = _run(transport, lambda s, t, e: len(t.watch_calls) >= 3)
    assert watcher.errors.count("stream") == 2  # type: ignore[attr-defined]
    assert transport.watch_calls[:3] == ["1", "1", "1"]  # resumed where it was: no re-list after a reset


def test_forbidden_kind_is_not_evaluated_and_loses_its_objects() -> None:
    transport = FakeTransport([ListFailed(KindStatus("forbidden", "forbidden: cannot list nodes"))], [])
    store, _ = _run(transport, lambda s, t, e: "forbidden" in e)
    status = store.status("Node")
    assert status is not None and status.state == "forbidden"
    assert store.synced(["Node"])
    from homelabctl.analysis import analyze
    from homelabctl.engine import select_checks

    report = analyze(store.state()[0], select_checks(ids=["node-not-ready"])).report
    assert report["not_evaluated"] == [
        {"check": "node-not-ready", "layer": "node", "reason": "forbidden: cannot list nodes"}
    ]
    assert report["passed"] == []


def test_periodic_relist_is_the_safety_net() -> None:
    transport = FakeTransport(
        [([_rv(node("a"), 1)], "1"), ([_rv(node("a"), 1), _rv(node("missed"), 2)], "2")], [[], [], [], []]
    )
    store, _ = _run(transport, lambda s, t, e: t.list_calls >= 2, relist=0.05)
    assert sorted(r.name for r in store.state()[0].index.all("Node")) == ["a", "missed"]


def test_store_generation_moves_only_on_real_changes() -> None:
    store = _store()
    store.replace("Node", [_rv(node("a"), 1)])
    generation = store.generation
    store.replace("Node", [_rv(node("a"), 1)])  # a re-list that found nothing new
    assert store.generation == generation
    assert not store.apply("Node", "MODIFIED", _rv(node("a"), 1))  # same resourceVersion: nothing new
    assert store.apply("Node", "MODIFIED", _rv(node("a", ready="False"), 2))
    assert not store.apply("Node", "DELETED", _rv(node("nope"), 3))
    assert store.generation == generation + 1


def test_store_redacts_and_slims_what_arrives() -> None:
    store = StateStore(SourceInfo("live", "fake"), ["Pod", "Secret"])
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "default", "managedFields": [{"manager": "kubectl"}]},
        "data": {"password": "aHVudGVyMg=="},
    }
    store.replace("Secret", [secret])
    store.apply("Pod", "ADDED", pod("p"))
    state, _ = store.state()
    kept = state.index.get("Secret", "default", "s")
    assert kept is not None
    assert "aHVudGVyMg==" not in str(kept.raw) and "managedFields" not in kept.raw["metadata"]


def test_wire_format_bookmarks_gone_and_split_chunks() -> None:
    """Events as the API server writes them: newline-delimited JSON, split anywhere across chunks."""
    import json

    import pytest

    from homelabctl.live.kubeclient import Resolved
    from homelabctl.watch.watcher import _events

    item = Resolved("Node", "Node", "", "v1", "nodes", False)
    added = json.dumps(
        {"type": "ADDED", "object": {"metadata": {"name": "a", "resourceVersion": "5"}}}
    ).encode()
    bookmark = json.dumps(
        {
            "type": "BOOKMARK",
            "object": {"kind": "Node", "apiVersion": "v1", "metadata": {"resourceVersion": "9"}},
        }
    ).encode()
    wire = added + b"\n" + bookmark + b"\n"
    events = list(_events(iter([wire[:7], wire[7:60], wire[60:]]), item))
    assert [(e.type, e.resource_version) for e in events] == [("ADDED", "5"), ("BOOKMARK", "9")]
    assert events[0].object["kind"] == "Node" and events[0].object["apiVersion"] == "v1"  # filled in
    gone = json.dumps(
        {
            "type": "ERROR",
            "object": {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "message": "too old resource version: 5 (4711)",
                "reason": "Expired",
                "code": 410,
            },
        }
    ).encode()
    with pytest.raises(Gone, match="too old resource version"):
        list(_events(iter([added + b"\n" + gone + b"\n"]), item))
    with pytest.raises(StreamFailed, match="not JSON"):
        list(_events(iter([b"{not json\n"]), item))


def test_a_failed_relist_keeps_what_was_listed() -> None:
    """A 500 or a timeout on the periodic re-list must not make every finding on the kind disappear (and its
    causes 'resolve', then come back): the last list stays until a list succeeds."""
    transport = FakeTransport(
        [
            ([_rv(node("a", ready="False"), 1)], "1"),
            ListFailed(KindStatus("error", "cannot list nodes: HTTP 500 etcdserver: leader changed")),
            ([_rv(node("a", ready="False"), 1)], "1"),
        ],
        [[], [], [], []],
    )
    seen: list[int] = []

    def until(store: StateStore, t: FakeTransport, errors: list[str]) -> bool:
        seen.append(len(store.state()[0].index.all("Node")))
        return t.list_calls >= 3

    store, watcher = _run(transport, until, relist=0.05)
    assert "list" in watcher.errors  # type: ignore[attr-defined]
    assert 0 not in seen[1:]
    status = store.status("Node")
    assert status is not None and status.readable


def test_watch_forbidden_falls_back_to_polling_lists() -> None:
    """A role that allows list but not watch (made for `check`): the kind stays evaluated, re-listed."""
    from homelabctl.watch.watcher import WatchRefused

    transport = FakeTransport(
        [([_rv(node("a"), 1)], "1"), ([_rv(node("a"), 1), _rv(node("b"), 2)], "2")],
        [WatchRefused("forbidden: cannot watch nodes")] * 3,
    )
    store = _store()
    watcher = KindWatcher("Node", transport, store, relist_interval=600, min_gap=0.01)
    watcher.poll_interval = 0.05
    watcher.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and transport.list_calls < 2:
        time.sleep(0.01)
    watcher.stop()
    assert transport.list_calls >= 2 and watcher.polling >= 1
    assert sorted(r.name for r in store.state()[0].index.all("Node")) == ["a", "b"]
    status = store.status("Node")
    assert status is not None and status.readable


def test_streams_that_end_at_once_are_resumed_ever_more_slowly() -> None:
    """A server that closes every watch at once (a static snapshot server, a proxy) is not asked again and
    again: the pause doubles."""
    transport = FakeTransport([([_rv(node("a"), 1)], "1")], [[] for _ in range(50)])
    store = _store()
    watcher = KindWatcher("Node", transport, store, relist_interval=600, min_gap=0.01)
    watcher.start()
    time.sleep(0.6)
    watcher.stop()
    watcher.thread.join(2)
    # 0.02 + 0.04 + 0.08 + 0.16 + 0.32 > 0.6: about five requests, not sixty
    assert 3 <= len(transport.watch_calls) <= 7, transport.watch_calls
    assert watcher.empty_streams >= 3
