from __future__ import annotations

from typing import Any

from factories_apps import resource_quota, statefulset
from helpers import findings, run_one

LIMITS = {"limits": {"cpu": "1", "memory": "2Gi"}, "requests": {"cpu": "250m", "memory": "1Gi"}}


def _postgres(*, created: int = 0, resources: dict[str, Any] | None = None) -> dict[str, Any]:
    """A StatefulSet that wants one pod and has ``created`` (the API server refused the rest)."""
    sts = statefulset(
        "postgres",
        "databases",
        containers=[
            {"name": "postgres", "image": "docker.io/postgres:16.4", "resources": resources or LIMITS}
        ],
    )
    sts["status"].update({"replicas": created, "currentReplicas": created, "availableReplicas": created})
    return sts


def _quota(used_memory: str, **extra_hard: str) -> dict[str, Any]:
    hard = {"limits.cpu": "4", "limits.memory": "8Gi", "pods": "10", **extra_hard}
    used = {"limits.cpu": "3", "limits.memory": used_memory, "pods": "5", **dict.fromkeys(extra_hard, "0")}
    return resource_quota("databases-quota", "databases", hard, used)


def test_fires_when_one_more_pod_does_not_fit() -> None:
    [found] = findings("quota-leaves-no-room", [_postgres(), _quota("7Gi")])
    assert (found.object.kind, found.object.namespace, found.object.name) == (
        "ResourceQuota",
        "databases",
        "databases-quota",
    )
    assert found.message == (
        "ResourceQuota databases/databases-quota has no room for the pod StatefulSet databases/postgres is "
        "short of: limits.memory 7Gi used + 2Gi asked > 8Gi"
    )
    assert (
        "StatefulSet databases/postgres: one more pod asks limits.memory 2Gi; it has 0 of 1 pods"
        in found.evidence
    )
    assert found.severity.value == "critical"


def test_silent_with_room_left_with_every_pod_created_or_when_it_cannot_judge() -> None:
    assert findings("quota-leaves-no-room", [_postgres(), _quota("6Gi")]) == []
    assert findings("quota-leaves-no-room", [_postgres(created=1), _quota("7Gi")]) == []
    scoped = _quota("7Gi")
    scoped["spec"]["scopes"] = ["NotBestEffort"]  # counts only some pods: not judged
    assert findings("quota-leaves-no-room", [_postgres(), scoped]) == []
    unset = _postgres(resources={"requests": {"cpu": "250m"}})  # limits.memory unset: refused for that
    assert findings("quota-leaves-no-room", [unset, _quota("7Gi")]) == []
    # a GPU quota counts nothing for a pod that asks for no GPU
    assert (
        findings("quota-leaves-no-room", [_postgres(), _quota("6Gi", **{"requests.nvidia.com/gpu": "1"})])
        == []
    )


def test_not_evaluated_without_quotas_captured() -> None:
    assert run_one("quota-leaves-no-room", [_postgres()]).status == "not_evaluated"
