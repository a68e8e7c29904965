from __future__ import annotations

from datetime import timedelta

from factories_diag import longhorn_replica
from factories_infra import longhorn_volume, pvc
from helpers import findings, run_one


def test_faulted_volume_is_critical() -> None:
    claim = pvc("storage-loki-0", "monitoring", "longhorn")
    vol = longhorn_volume(
        claim,
        robustness="faulted",
        state="detached",
        workload="loki",
        scheduled_message="precheck new replica failed: disks are unavailable",
    )
    found = findings("longhorn-volume-degraded", [vol])
    assert [(f.object.kind, f.object.namespace) for f in found] == [("Volume", "longhorn-system")]
    f = found[0]
    assert f.severity.value == "critical"
    assert f.message == (
        f"Longhorn volume {vol['metadata']['name']} (PVC monitoring/storage-loki-0) is faulted: "
        "no healthy replica, its data is unreachable"
    )
    assert "robustness=faulted state=detached numberOfReplicas=3 currentNodeID=<none>" in f.evidence
    assert (
        "Scheduled=False reason=ReplicaSchedulingFailure: precheck new replica failed: disks are unavailable"
        in f.evidence
    )
    assert "Salvage" in f.hint


def test_degraded_volume_is_a_warning() -> None:
    vol = longhorn_volume(pvc("grafana", "monitoring", "longhorn"), robustness="degraded", workload="grafana")
    found = findings("longhorn-volume-degraded", [vol])
    assert found[0].severity.value == "warning"
    assert "is degraded: fewer healthy replicas than the 3 it wants" in found[0].message
    assert "used by pod grafana-0 (Running) of StatefulSet grafana" in found[0].evidence


def test_detached_volume_with_a_waiting_pod_is_critical() -> None:
    vol = longhorn_volume(
        pvc("config-bazarr-0", "media", "longhorn"),
        robustness="unknown",
        state="detached",
        workload="bazarr",
        pod_status="Pending",
    )
    found = findings("longhorn-volume-degraded", [vol])
    assert found[0].severity.value == "critical"
    assert found[0].message.endswith("is detached while pod bazarr-0 waits for it")


def test_silent_on_healthy_and_idle_detached_volumes() -> None:
    idle = longhorn_volume(pvc("old-backup", "default", "longhorn"), robustness="unknown", state="detached")
    assert (
        findings("longhorn-volume-degraded", [longhorn_volume(pvc("sonarr", "media", "longhorn")), idle])
        == []
    )


def test_not_evaluated_without_longhorn() -> None:
    assert run_one("longhorn-volume-degraded", [pvc("a", "b")]).status == "not_evaluated"


def test_degraded_volume_names_its_failed_replicas_with_node_and_disk() -> None:
    vol = longhorn_volume(
        pvc("data-postgres-0", "databases", "longhorn"), robustness="degraded", workload="postgres"
    )
    name = vol["metadata"]["name"]
    objs = [
        vol,
        longhorn_replica(vol, "1a2b3c4d", "k3s1", failed=timedelta(hours=2)),
        longhorn_replica(vol, "5e6f7a8b", "k3s2"),
        longhorn_replica(vol, "9c0d1e2f", "k3s3"),
    ]
    found = findings("longhorn-volume-degraded", objs)
    lines = [e for e in found[0].evidence if e.startswith("replica ")]
    assert lines == [
        f"replica {name}-r-1a2b3c4d on node k3s1 disk /var/lib/longhorn/: failed at "
        f"{objs[1]['spec']['failedAt']}, state error"
    ]
    assert (
        f"2 of 3 replicas running: {name}-r-5e6f7a8b on k3s2, {name}-r-9c0d1e2f on k3s3" in found[0].evidence
    )
