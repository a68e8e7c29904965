"""The store shares equal parts of the objects it holds: what readers and snapshots see does not change."""

from __future__ import annotations

import copy
import gc
import json
from typing import Any

from homelabctl.live.capture import scrub
from homelabctl.sources.base import SourceInfo
from homelabctl.watch.store import Parts, StateStore, prepare

from factories import pod


def _pods() -> list[dict[str, Any]]:
    return [pod(f"web-{i}", "shop", labels={"app": "web"}, node_name=f"k3s{i % 2}") for i in range(4)]


def test_equal_parts_are_held_once_and_objects_read_as_they_arrived() -> None:
    parts = Parts()
    raws = _pods()
    expected = [json.dumps(scrub(copy.deepcopy(raw))) for raw in raws]
    held = [prepare(raw, parts) for raw in raws]
    assert [json.dumps(res.raw) for res in held if res is not None] == expected
    first, second, third = (res.raw for res in held[:3] if res is not None)
    # same labels and containers on every pod: one map; a different node: a different spec
    assert first["metadata"]["labels"] is second["metadata"]["labels"]
    assert first["spec"]["containers"] is second["spec"]["containers"]
    assert first["spec"] is third["spec"]
    assert first["spec"] is not second["spec"]
    # an object's own metadata (name, uid) is never shared
    assert first["metadata"] is not second["metadata"]


def test_parts_equal_in_python_but_not_in_json_stay_apart() -> None:
    parts = Parts()
    values = [1, True, 1.0, 0.0, -0.0, "1", None]
    held = [
        prepare(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}, "x": {"v": value}}, parts
        )
        for i, value in enumerate(values)
    ]
    assert [json.dumps(res.raw["x"]["v"]) for res in held if res is not None] == [
        json.dumps(v) for v in values
    ]
    reordered = [
        prepare({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}, "x": x}, parts)
        for n, x in (("a", {"p": 1, "q": 2}), ("b", {"q": 2, "p": 1}))
    ]
    assert [list(res.raw["x"]) for res in reordered if res is not None] == [["p", "q"], ["q", "p"]]


def test_parts_no_object_uses_any_more_are_dropped() -> None:
    store = StateStore(SourceInfo("live", "test"), ["Pod"])
    store.replace("Pod", _pods())
    held = len(store.parts)
    assert held > 0
    assert store.parts.sweep() == held  # every part is in use
    store.replace("Pod", [pod("lonely", "other", containers=[{"name": "c", "image": "busybox:1.36"}])])
    gc.collect()
    left = store.parts.sweep()
    assert 0 < left < held
    store.replace("Pod", [])
    assert store.parts.sweep() == 0


def test_a_whole_analysis_leaves_the_shared_objects_as_they_arrived() -> None:
    """Shared parts make any write to an object a write to others: checks, diagnosis and the report must only
    read. The demo cluster, held by a store, analysed; every object still serializes as it arrived."""
    from homelabctl.analysis import analyze
    from homelabctl.engine import select_checks
    from homelabctl.sources.snapshot import demo_source

    demo = demo_source().load()
    store = StateStore(SourceInfo("live", "test"))
    for gk in demo.index.kinds:
        store.replace(gk, [copy.deepcopy(dict(res.raw)) for res in demo.index.all(gk)])
    state, _ = store.state()
    before = {
        gk: [json.dumps(res.raw, sort_keys=True) for res in state.index.all(gk)] for gk in state.index.kinds
    }
    assert sum(map(len, before.values())) > 300
    report = analyze(state, select_checks()).report
    assert report["root_causes"], "the demo cluster has causes: the analysis really ran"
    after = {
        gk: [json.dumps(res.raw, sort_keys=True) for res in state.index.all(gk)] for gk in state.index.kinds
    }
    assert after == before
