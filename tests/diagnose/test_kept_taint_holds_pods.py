"""kept-taint-holds-pods: the node keeping the cloud provider's uninitialized taint is the cause of the pods pinned
to it, their workload and what it serves; not the workload."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import node, state
from factories_apps import UNINITIALIZED_TAINT, pinned_app


def test_the_node_keeping_the_taint_is_the_cause_of_the_pinned_pod() -> None:
    objs = [node("k3s1"), node("k3s4", taints=[UNINITIALIZED_TAINT]), *pinned_app("frigate", "k3s4")]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": None, "name": "k3s4"}
    assert top["rule"] == "kept-taint-holds-pods"
    held = {(f["check"], f["object"]["kind"]) for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {("pod-pending", "Pod"), ("workload-replicas-unavailable", "Deployment")} <= held
    assert any(link["to"]["kind"] == "Pod" for link in top["chain"])


def test_a_pod_meant_for_another_node_is_not_held_by_the_taint() -> None:
    other = (
        "0/2 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector."
    )
    objs = [node("k3s1"), node("k3s4", taints=[UNINITIALIZED_TAINT]), *pinned_app("frigate", "k3s1", other)]
    report = analyze(state(objs)).report
    assert all(rc["rule"] != "kept-taint-holds-pods" for rc in report["root_causes"])
