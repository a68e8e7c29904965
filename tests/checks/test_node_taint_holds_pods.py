"""node-taint-holds-pods: a node keeping the cloud provider's uninitialized taint (or not-ready while Ready) holds
the pods pinned to it Pending (https://github.com/kubernetes/cloud-provider-openstack/issues/2200)."""

from __future__ import annotations

from checks.helpers import findings

from factories import node
from factories_apps import UNINITIALIZED_TAINT, pinned_app

NOT_READY = {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}


def test_fires_on_the_node_keeping_the_uninitialized_taint() -> None:
    objs = [node("k3s1"), node("k3s4", taints=[UNINITIALIZED_TAINT]), *pinned_app("frigate", "k3s4")]
    [finding] = findings("node-taint-holds-pods", objs)
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s4")
    assert finding.severity.value == "critical" and finding.layer.value == "node"
    assert "1 pending pod(s)" in finding.message
    assert any("untolerated taint" in e for e in finding.evidence)
    assert "kubectl taint node k3s4 node.cloudprovider.kubernetes.io/uninitialized-" in finding.hint


def test_fires_on_a_ready_node_keeping_the_not_ready_taint() -> None:
    words = "0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) didn't match Pod's node affinity/selector."
    objs = [node("k3s1"), node("k3s4", taints=[NOT_READY]), *pinned_app("frigate", "k3s4", words)]
    [finding] = findings("node-taint-holds-pods", objs)
    assert finding.object.name == "k3s4"


def test_silent_when_the_not_ready_node_is_down() -> None:
    words = "0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) didn't match Pod's node affinity/selector."
    objs = [
        node("k3s1"),
        node("k3s4", ready="False", taints=[NOT_READY]),
        *pinned_app("frigate", "k3s4", words),
    ]
    assert findings("node-taint-holds-pods", objs) == []


def test_silent_when_the_pod_is_meant_for_another_node() -> None:
    objs = [node("k3s1"), node("k3s4", taints=[UNINITIALIZED_TAINT]), *pinned_app("frigate", "k3s1")]
    assert findings("node-taint-holds-pods", objs) == []


def test_silent_when_the_pod_tolerates_the_taint() -> None:
    objs = [node("k3s1"), node("k3s4", taints=[UNINITIALIZED_TAINT]), *pinned_app("frigate", "k3s4")]
    objs[4]["spec"]["tolerations"] = [
        {"key": "node.cloudprovider.kubernetes.io/uninitialized", "operator": "Exists"}
    ]
    assert findings("node-taint-holds-pods", objs) == []


def test_silent_when_the_scheduler_gives_another_reason() -> None:
    other = (
        "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector."
    )
    objs = [node("k3s1"), node("k3s4", taints=[UNINITIALIZED_TAINT]), *pinned_app("frigate", "k3s4", other)]
    assert findings("node-taint-holds-pods", objs) == []
