from __future__ import annotations

from datetime import timedelta

from factories import node, pod
from helpers import findings, run_one


def test_fires_on_disk_pressure_with_taint_and_evicted_pods() -> None:
    k3s1 = node(
        "k3s1",
        conditions={"DiskPressure": "True"},
        since=timedelta(hours=3),
        taints=[{"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"}],
    )
    evicted = pod(
        "sonarr-6d9c7b8f5-x2x9q", "media", node_name="k3s1", phase="Failed", status_reason="Evicted"
    )
    found = findings("node-pressure", [k3s1, node("k3s2"), evicted])
    assert [f.object.name for f in found] == ["k3s1"]
    f = found[0]
    assert f.message == "Node k3s1 reports DiskPressure for 3h"
    assert any(e.startswith("DiskPressure=True reason=KubeletHasDiskPressure since 3h") for e in f.evidence)
    assert "taint node.kubernetes.io/disk-pressure:NoSchedule" in f.evidence
    assert any("1 pod(s) evicted from the node: media/sonarr-6d9c7b8f5-x2x9q" in e for e in f.evidence)
    assert "crictl rmi --prune" in f.hint
    assert f.severity.value == "warning"


def test_lists_every_pressure_condition_of_a_node() -> None:
    found = findings(
        "node-pressure", [node("k3s3", conditions={"MemoryPressure": "True", "PIDPressure": "True"})]
    )
    assert found[0].message.startswith("Node k3s3 reports MemoryPressure and PIDPressure")
    assert "kubectl top pods" in found[0].hint and "podPidsLimit" in found[0].hint


def test_silent_on_healthy_and_unknown_nodes() -> None:
    # An Unknown node reports Unknown pressure conditions: that is node-not-ready's business.
    assert findings("node-pressure", [node("k3s1"), node("styx", ready="Unknown")]) == []


def test_not_evaluated_without_nodes() -> None:
    assert run_one("node-pressure", [pod("web-1")]).status == "not_evaluated"
