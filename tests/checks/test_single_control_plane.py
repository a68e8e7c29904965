from __future__ import annotations

from factories import node
from helpers import findings


def test_fires_on_the_only_server() -> None:
    objs = [node("k3s-master1", control_plane=True), node("k3s1"), node("k3s2"), node("k3s3")]
    found = findings("single-control-plane", objs)
    assert [f.object.name for f in found] == ["k3s-master1"]
    f = found[0]
    assert f.message.startswith("Node k3s-master1 is the only control-plane node")
    assert "control-plane nodes: 1 of 4 (k3s-master1, Ready=True)" in f.evidence
    assert any("SQLite" in e for e in f.evidence)
    assert "--cluster-init" in f.hint
    assert f.severity.value == "warning"


def test_two_etcd_members_have_no_quorum_margin() -> None:
    etcd = {"node-role.kubernetes.io/etcd": "true"}
    objs = [
        node("cp-a", control_plane=True, labels=etcd),
        node("cp-b", control_plane=True, labels=etcd),
        node("w1"),
    ]
    found = findings("single-control-plane", objs)
    assert len(found) == 1 and found[0].object.name == "cp-a"
    assert "Only two etcd members (cp-a, cp-b)" in found[0].message


def test_silent_with_three_servers() -> None:
    etcd = {"node-role.kubernetes.io/etcd": "true"}
    objs = [node(f"cp-{i}", control_plane=True, labels=etcd) for i in range(3)] + [node("w1")]
    assert findings("single-control-plane", objs) == []
