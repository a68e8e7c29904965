from __future__ import annotations

import pytest

from homelabctl.model import Resource
from homelabctl.selectors import from_spec, parse
from homelabctl.sources.index import ClusterIndex

from factories import deployment, event, node, pod


def test_selector_string_forms() -> None:
    sel = parse("app=web,tier!=db,env in (prod, staging),!legacy,release")
    assert sel.matches({"app": "web", "tier": "fe", "env": "prod", "release": "1"})
    assert not sel.matches({"app": "web", "tier": "db", "env": "prod", "release": "1"})
    assert not sel.matches({"app": "web", "env": "prod", "release": "1", "legacy": "y"})
    assert not sel.matches({"app": "web", "env": "dev", "release": "1"})
    with pytest.raises(ValueError):
        parse("app===")


def test_structured_selector_and_none_selects_nothing() -> None:
    sel = from_spec(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}],
        }
    )
    assert sel is not None and sel.matches({"app": "web"}) and not sel.matches({"app": "web", "tier": "db"})
    idx = ClusterIndex(Resource.from_raw(p) for p in [pod("a", labels={"app": "web"}), pod("b")])
    assert idx.select("Pod", None, None) == []
    assert [p.name for p in idx.select("Pod", "default", from_spec({"app": "web"}))] == ["a"]
    assert len(idx.select("Pod", None, from_spec({}))) == 2


def test_index_owner_chain_node_and_events() -> None:
    dep = deployment("web")
    rs = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": "web-abc",
            "namespace": "default",
            "uid": "rs-uid",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                    "uid": dep["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
    }
    p = pod("web-abc-1", owner=rs, node_name="k3s1")
    ev = event(p, "BackOff", "Back-off restarting failed container")
    idx = ClusterIndex(Resource.from_raw(o) for o in [node("k3s1"), dep, rs, p, ev])
    res = idx.get("Pod", "default", "web-abc-1")
    assert res is not None
    assert [o.kind for o in idx.owner_chain(res)] == ["ReplicaSet", "Deployment"]
    assert [x.name for x in idx.pods_on_node("k3s1")] == ["web-abc-1"]
    assert [e.raw["reason"] for e in idx.events_for(res)] == ["BackOff"]


def test_index_replace_keeps_secondary_indexes_consistent() -> None:
    idx = ClusterIndex([Resource.from_raw(pod("a", node_name="k3s1"))])
    idx.add(Resource.from_raw(pod("a", node_name="k3s2")))
    assert len(idx.all("Pod")) == 1
    assert idx.pods_on_node("k3s1") == [] and len(idx.pods_on_node("k3s2")) == 1
