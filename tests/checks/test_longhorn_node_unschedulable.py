from __future__ import annotations

from factories import node
from factories_infra import longhorn_node
from helpers import findings, run_one


def test_fires_on_worker_with_scheduling_disabled() -> None:
    found = findings(
        "longhorn-node-unschedulable", [node("k3s3"), longhorn_node("k3s3", allow_scheduling=False)]
    )
    assert [(f.object.kind, f.object.name) for f in found] == [("Node", "k3s3")]
    f = found[0]
    assert f.message == "Longhorn node k3s3: scheduling disabled; no new replicas are placed on it"
    assert "spec.allowScheduling=false" in f.evidence
    assert 'allowScheduling":true' in f.hint
    assert f.severity.value == "warning"


def test_conditions_carry_longhorns_reason() -> None:
    found = findings(
        "longhorn-node-unschedulable", [longhorn_node("k3s1", ready=False, mount_propagation=False)]
    )
    assert "Ready=False, MountPropagation=False" in found[0].message
    assert any(e.startswith("Ready=False reason=ManagerPodDown") for e in found[0].evidence)


def test_control_plane_kept_out_on_purpose_is_info() -> None:
    found = findings(
        "longhorn-node-unschedulable",
        [node("k3s-master1", control_plane=True), longhorn_node("k3s-master1", allow_scheduling=False)],
    )
    assert found[0].severity.value == "info"


def test_silent_on_healthy_nodes() -> None:
    assert findings("longhorn-node-unschedulable", [longhorn_node("k3s1"), longhorn_node("k3s3")]) == []


def test_not_evaluated_without_longhorn_nodes() -> None:
    assert run_one("longhorn-node-unschedulable", [node("k3s1")]).status == "not_evaluated"
