"""velero-node-agent-missing: Velero's file-system backup agent skips a node where pods with volumes run.

A DaemonSet without a toleration for a node's taint reports every pod it wants as ready; Velero then fails
the volumes on that node ("daemonset pod not found in running state in node ...",
https://github.com/velero-io/velero/issues/6763, https://github.com/velero-io/velero/issues/4752).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from checks.helpers import findings

from factories import deployment, node
from factories_apps import daemonset, owned_pod, replicaset
from factories_platform import GPU_TAINT, app_with_claim, backup, schedule, velero_node_agent_pods


def nodes() -> list[dict[str, Any]]:
    return [node("k3s1"), node("k3s2"), node("k3s3", taints=[GPU_TAINT])]


def test_fires_on_the_agent_missing_from_a_tainted_node_with_volumes() -> None:
    hourly = schedule("hourly", "0 * * * *", last_backup=timedelta(minutes=58))
    objs = [
        *nodes(),
        *velero_node_agent_pods("k3s1", "k3s2"),
        *app_with_claim("jellyfin", "k3s3"),
        hourly,
        backup(hourly, timedelta(minutes=58), phase="PartiallyFailed", errors=1),
        backup(hourly, timedelta(hours=2)),
    ]
    [finding] = findings("velero-node-agent-missing", objs)
    assert (finding.object.kind, finding.object.name) == ("DaemonSet", "node-agent")
    assert finding.severity.value == "critical" and finding.layer.value == "backup"
    assert any(
        e.startswith("node k3s3: its taint nvidia.com/gpu=present:NoSchedule is not tolerated")
        and "jellyfin-config" in e
        for e in finding.evidence
    )
    assert "node-agent pods run on: k3s1, k3s2" in finding.evidence
    assert any("PartiallyFailed" in e for e in finding.evidence)


def test_a_warning_while_backups_still_succeed() -> None:
    [finding] = findings(
        "velero-node-agent-missing",
        [*nodes(), *velero_node_agent_pods("k3s1"), *app_with_claim("jellyfin", "k3s2")],
    )
    assert finding.severity.value == "warning"
    assert any(e.startswith("node k3s2: no node-agent pod runs there") for e in finding.evidence)


def test_silent_when_the_skipped_node_runs_no_pod_with_volumes() -> None:
    objs = [
        *nodes(),
        *velero_node_agent_pods("k3s1", "k3s2"),
        *app_with_claim("sonarr", "k3s2"),
        *deployment_pod_on("k3s3"),
    ]
    assert findings("velero-node-agent-missing", objs) == []


def test_silent_when_the_agent_tolerates_the_taint() -> None:
    objs = [*nodes(), *velero_node_agent_pods("k3s1", "k3s2", "k3s3"), *app_with_claim("jellyfin", "k3s3")]
    assert findings("velero-node-agent-missing", objs) == []


def test_silent_without_a_node_agent() -> None:
    objs = [*nodes(), *app_with_claim("jellyfin", "k3s3"), daemonset("fluent-bit", "logging", desired=2)]
    assert findings("velero-node-agent-missing", objs) == []


def deployment_pod_on(node_name: str) -> list[dict[str, Any]]:
    dep = deployment("whoami", "default")
    rs = replicaset(dep)
    return [dep, rs, owned_pod(rs, "fghij", node_name=node_name)]
