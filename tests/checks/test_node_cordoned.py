from __future__ import annotations

from datetime import timedelta

from factories import node, owner_ref, pod, ts
from helpers import findings


def test_fires_on_cordoned_node_with_age_and_undrained_pods() -> None:
    k3s1 = node(
        "k3s1",
        unschedulable=True,
        taints=[
            {
                "key": "node.kubernetes.io/unschedulable",
                "effect": "NoSchedule",
                "timeAdded": ts(timedelta(days=2, hours=4)),
            }
        ],
    )
    ds_pod = pod("cilium-5kq7v", "kube-system", node_name="k3s1")
    ds_pod["metadata"]["ownerReferences"] = [
        owner_ref(
            {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "cilium", "uid": "ds-uid"}}
        )
    ]
    app = pod("sabnzbd-7c9d8b5f4-k2j8s", "media", node_name="k3s1")
    found = findings("node-cordoned", [k3s1, node("k3s2"), ds_pod, app])
    assert [f.object.name for f in found] == ["k3s1"]
    f = found[0]
    assert f.message == "Node k3s1 is cordoned for 2d4h: no new pods are scheduled on it"
    assert "status Ready,SchedulingDisabled" in f.evidence
    assert "1 non-DaemonSet pod(s) still running on it (not drained)" in f.evidence
    assert "kubectl uncordon k3s1" in f.hint
    assert f.severity.value == "info"


def test_cordon_without_taint_time_still_reported() -> None:
    found = findings("node-cordoned", [node("k3s2", unschedulable=True)])
    assert found[0].message == "Node k3s2 is cordoned: no new pods are scheduled on it"


def test_silent_on_schedulable_nodes() -> None:
    assert findings("node-cordoned", [node("k3s1"), node("k3s2")]) == []
