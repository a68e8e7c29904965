"""A ResourceQuota whose state leaves no room for the pod a controller is short of is the cause of that
controller's outage, with no Event to say so; a quota with room left is nobody's cause."""

from __future__ import annotations

from typing import Any

from homelabctl.analysis import analyze

from factories import state
from factories_apps import resource_quota, statefulset


def _objects(used_memory: str) -> list[dict[str, Any]]:
    sts = statefulset(
        "postgres",
        "databases",
        containers=[
            {
                "name": "postgres",
                "image": "docker.io/postgres:16.4",
                "resources": {"limits": {"cpu": "1", "memory": "2Gi"}, "requests": {"memory": "1Gi"}},
            }
        ],
    )
    sts["status"].update({"replicas": 0, "currentReplicas": 0, "availableReplicas": 0})
    sts["status"].pop("readyReplicas", None)
    quota = resource_quota(
        "databases-quota",
        "databases",
        {"limits.cpu": "4", "limits.memory": "8Gi"},
        {"limits.cpu": "3", "limits.memory": used_memory},
    )
    return [sts, quota]


def _names(report: dict[str, Any], ids: list[str]) -> set[tuple[str, str]]:
    return {(f["check"], f["object"]["name"]) for f in report["findings"] if f["id"] in ids}


def test_the_full_quota_is_the_cause_of_the_statefulset_short_of_its_pod() -> None:
    report = analyze(state(_objects("7Gi"))).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "ResourceQuota", "namespace": "databases", "name": "databases-quota"}
    assert ("workload-replicas-unavailable", "postgres") in _names(report, top["symptoms"])
    assert any(link["edge"] == "governs" for link in top["chain"])


def test_a_quota_with_room_left_is_no_cause() -> None:
    report = analyze(state(_objects("5Gi"))).report
    assert all(c["object"]["kind"] != "ResourceQuota" for c in report["root_causes"])
    assert report["root_causes"][0]["object"]["name"] == "postgres"
