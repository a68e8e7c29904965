from __future__ import annotations

from factories import deployment
from factories_apps import crashloop_status, owned_pod, replicaset, statefulset
from helpers import findings, run_one


def test_deployment_with_no_ready_replica_is_critical_and_lists_its_pods() -> None:
    deploy = deployment("sonarr", "media", replicas=1, ready=0)
    rs = replicaset(deploy)
    crashing = owned_pod(
        rs, "p2x9k", statuses=[crashloop_status("sonarr", "lscr.io/linuxserver/sonarr:4.0.9")], ready=False
    )
    found = findings("workload-replicas-unavailable", [deploy, rs, crashing])
    assert [f.object.name for f in found] == ["sonarr"]
    finding = found[0]
    assert finding.severity.value == "critical"
    assert finding.message == "Deployment media/sonarr has 0/1 replicas ready"
    text = "\n".join(finding.evidence)
    assert "readyReplicas=0, spec.replicas=1" in text
    assert "condition Available=False reason=MinimumReplicasUnavailable" in text
    assert "pod sonarr-7d9f8b6c5d-p2x9k: CrashLoopBackOff on k3s2, restarts=12" in text


def test_partially_ready_statefulset_is_a_warning() -> None:
    found = findings(
        "workload-replicas-unavailable", [statefulset("loki", "monitoring", replicas=3, ready=2)]
    )
    assert [(f.object.kind, f.severity.value) for f in found] == [("StatefulSet", "warning")]
    assert "2/3 replicas ready" in found[0].message


def test_scaled_to_zero_and_healthy_are_silent() -> None:
    bazarr = deployment("bazarr", "media", replicas=0, ready=0)
    assert findings("workload-replicas-unavailable", [bazarr, deployment("radarr", "media")]) == []


def test_not_evaluated_without_workloads() -> None:
    assert run_one("workload-replicas-unavailable", []).status == "not_evaluated"
