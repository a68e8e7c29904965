"""node-agent-misses-volumes: Velero's node-agent missing from a node explains the schedules whose
file-system backups of that node's volumes end PartiallyFailed, and no other schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homelabctl.analysis import analyze

from factories import node, state
from factories_platform import GPU_TAINT, app_with_claim, backup, schedule, velero_node_agent_pods


def cluster(*schedules: tuple[dict[str, Any], str]) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = [
        node("k3s1"),
        node("k3s3", taints=[GPU_TAINT]),
        *velero_node_agent_pods("k3s1"),
        *app_with_claim("jellyfin", "k3s3"),
    ]
    for sched, phase in schedules:
        objs += [sched, backup(sched, timedelta(minutes=50), phase=phase, errors=1)]
    return objs


def test_the_agent_explains_the_partially_failed_file_system_backups() -> None:
    hourly = schedule("hourly-media", "0 * * * *", last_backup=timedelta(minutes=50))
    report = analyze(state(cluster((hourly, "PartiallyFailed")))).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "DaemonSet", "namespace": "velero", "name": "node-agent"}
    assert top["rule"] == "node-agent-misses-volumes"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert "hourly-media" in symptoms


def test_a_schedule_failing_for_another_reason_or_without_file_system_backup_stays_apart() -> None:
    refused = schedule("daily", "0 2 * * *", last_backup=timedelta(minutes=50))
    snapshots_only = schedule("weekly", "0 3 * * 0", last_backup=timedelta(minutes=50))
    snapshots_only["spec"]["template"]["defaultVolumesToFsBackup"] = False
    report = analyze(
        state(cluster((refused, "FailedValidation"), (snapshots_only, "PartiallyFailed")))
    ).report
    agent_causes = [c for c in report["root_causes"] if c["object"]["name"] == "node-agent"]
    assert agent_causes, "the node-agent is still a cause of its own"
    symptoms = {
        f["object"]["name"] for c in agent_causes for f in report["findings"] if f["id"] in c["symptoms"]
    }
    assert not symptoms & {"daily", "weekly"}
