from __future__ import annotations

from typing import Any

from factories import node
from factories_infra import longhorn_node, longhorn_volume, pvc
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


# A volume whose tags admit one node only (https://github.com/longhorn/longhorn/issues/1360): Longhorn's
# Scheduled condition says "precheck new replica failed: nodes are unavailable".
PRECHECK = "precheck new replica failed: nodes are unavailable"


def _tagged_node(name: str, *, allow: bool) -> dict[str, Any]:
    obj = longhorn_node(name, allow_scheduling=allow)
    obj["spec"]["tags"] = ["storage"]
    obj["spec"]["disks"]["nvme-disk-2c7a"] = {
        "allowScheduling": True,
        "diskType": "filesystem",
        "path": "/var/mnt/nvme",
        "storageReserved": 0,
        "tags": ["nvme"],
    }
    return obj


def _volume() -> dict[str, Any]:
    vol = longhorn_volume(
        pvc("frigate-media", "home"),
        robustness="unknown",
        state="detached",
        replicas=1,
        scheduled_message=PRECHECK,
    )
    vol["spec"]["nodeSelector"] = ["storage"]
    vol["spec"]["diskSelector"] = ["nvme"]
    return vol


def test_critical_when_it_is_the_only_node_a_failing_volume_may_use() -> None:
    objs = [longhorn_node("k3s1"), _tagged_node("k3s3", allow=False), _volume()]
    [found] = findings("longhorn-node-unschedulable", objs)
    assert found.object.name == "k3s3" and found.severity.value == "critical"
    assert "only node 1 failing volume(s) may use" in found.message
    assert any("diskSelector=['nvme']" in e and PRECHECK in e for e in found.evidence)


def test_warning_when_another_admitted_node_could_take_the_replica() -> None:
    objs = [_tagged_node("k3s2", allow=True), _tagged_node("k3s3", allow=False), _volume()]
    [found] = findings("longhorn-node-unschedulable", objs)
    assert found.object.name == "k3s3" and found.severity.value == "warning"
