"""node-resource-exhausted: one node's inotify/file limit (or disk) breaks several unrelated workloads there.

Messages as promtail, Jellyfin (.NET) and the NVIDIA device plugin print them
(https://github.com/NVIDIA/gpu-operator/issues/441, https://github.com/kubernetes/kops/pull/2913).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings

from factories import container_status, deployment, node
from factories_apps import daemonset, owned_pod, replicaset

PROMTAIL = 'level=error caller=main.go:170 msg="error creating promtail" error="failed to make file target manager: too many open files"'
JELLYFIN = (
    "[02:58:51] [FTL] [1] Main: Error while starting server\nSystem.IO.IOException: The configured user limit (128) "
    "on the number of inotify instances has been reached, or the per-process limit on the number of open file "
    "descriptors has been reached."
)


def _crashing(owner: dict[str, Any], suffix: str, node_name: str, message: str) -> dict[str, Any]:
    container = owner["spec"]["template"]["spec"]["containers"][0]
    status = container_status(
        container["name"],
        container["image"],
        state="waiting",
        reason="CrashLoopBackOff",
        ready=False,
        restarts=40,
        last_terminated={"message": message},
    )
    return owned_pod(owner, suffix, node_name=node_name, statuses=[status], ready=False)


def _objects(jellyfin_node: str) -> list[dict[str, Any]]:
    promtail = daemonset("promtail", "monitoring", desired=2, ready=1)
    jelly = deployment("jellyfin", "media", ready=0)
    rs = replicaset(jelly)
    healthy = owned_pod(promtail, "a1b2c", node_name="k3s1")
    return [
        node("k3s1"),
        node("k3s3"),
        promtail,
        jelly,
        rs,
        healthy,
        _crashing(promtail, "pwmj6", "k3s3", PROMTAIL),
        _crashing(rs, "mrtbj", jellyfin_node, JELLYFIN),
    ]


def test_fires_on_the_node_naming_both_workloads() -> None:
    [finding] = findings("node-resource-exhausted", _objects("k3s3"))
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s3")
    assert "open files / inotify" in finding.message
    assert (
        "DaemonSet monitoring/promtail" in finding.message and "Deployment media/jellyfin" in finding.message
    )
    assert any("user limit (128)" in e for e in finding.evidence)
    assert "ssh k3s3 sysctl fs.inotify.max_user_instances" in finding.hint


def test_silent_when_the_same_error_is_on_two_nodes() -> None:
    """Not node-local: one workload per node is an application's problem (or the cluster's), not a node's."""
    assert findings("node-resource-exhausted", _objects("k3s1")) == []
