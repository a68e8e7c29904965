from __future__ import annotations

from datetime import timedelta

from factories import container_status, node
from factories_apps import crashloop_status, daemonset, owned_pod
from helpers import findings, run_one

IMAGE = "longhornio/longhorn-manager:v1.6.2"


def test_lists_per_node_which_pods_are_not_ready() -> None:
    ds = daemonset(
        "longhorn-manager",
        "longhorn-system",
        desired=4,
        ready=2,
        labels={"app": "longhorn-manager"},
        containers=[{"name": "longhorn-manager", "image": IMAGE}],
    )
    pods = [
        owned_pod(ds, "aaaaa", node_name="k3s-master1"),
        owned_pod(
            ds,
            "bbbbb",
            node_name="k3s1",
            ready=False,
            statuses=[
                crashloop_status("longhorn-manager", IMAGE, restarts=41, message="context deadline exceeded")
            ],
        ),
        owned_pod(ds, "ccccc", node_name="k3s2"),
        owned_pod(
            ds,
            "ddddd",
            node_name="k3s3",
            ready=False,
            statuses=[container_status("longhorn-manager", IMAGE, ready=False)],
        ),
    ]
    nodes = [node("k3s1", ready="False", since=timedelta(hours=5)), node("k3s3")]
    found = findings("daemonset-not-ready", [ds, *pods, *nodes])
    assert [f.object.name for f in found] == ["longhorn-manager"]
    finding = found[0]
    assert finding.severity.value == "warning"
    assert finding.message == "DaemonSet longhorn-system/longhorn-manager has 2/4 pods ready on k3s1, k3s3"
    text = "\n".join(finding.evidence)
    assert "desiredNumberScheduled=4" in text and "numberUnavailable=2" in text
    assert (
        "node k3s1: longhorn-manager-bbbbb CrashLoopBackOff, restarts=41; longhorn-manager waiting "
        "CrashLoopBackOff"
    ) in text
    assert "context deadline exceeded" in text and "(node Ready=False)" in text
    assert "node k3s3: longhorn-manager-ddddd" in text
    assert "k3s-master1" not in text
    assert "-l app=longhorn-manager" in finding.hint


def test_nothing_ready_is_critical_and_missing_pods_are_counted() -> None:
    ds = daemonset("nvidia-device-plugin", "kube-system", desired=2, ready=0, current=1)
    found = findings("daemonset-not-ready", [ds])
    assert found[0].severity.value == "critical"
    assert "1 node(s) that should run it have no pod" in found[0].evidence


def test_silent_when_all_ready() -> None:
    assert findings("daemonset-not-ready", [daemonset("cilium", "kube-system")]) == []


def test_not_evaluated_without_daemonsets() -> None:
    assert run_one("daemonset-not-ready", [node("k3s1")]).status == "not_evaluated"
