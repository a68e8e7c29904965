from __future__ import annotations

from factories import node
from factories_apps import daemonset, node_problem_detector
from helpers import findings, run_one


def test_fires_info_when_no_daemonset_runs_it() -> None:
    cilium = daemonset(
        "cilium",
        "kube-system",
        labels={"k8s-app": "cilium"},
        containers=[{"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.15.6"}],
    )
    found = findings("no-node-problem-detector", [cilium, node("tethys"), node("styx", ready="Unknown")])
    assert [(f.object.kind, f.object.name) for f in found] == [("Cluster", "cluster")]
    assert found[0].severity.value == "info"
    assert "node-problem-detector is not deployed" in found[0].message
    assert found[0].evidence == (
        "none of the 1 DaemonSet(s) runs node-problem-detector",
        "2 node(s) report only the kubelet's own conditions",
    )


def test_silent_when_deployed_even_under_another_name() -> None:
    assert findings("no-node-problem-detector", [node_problem_detector()]) == []
    renamed = daemonset(
        "npd",
        "kube-system",
        labels={"app": "npd"},
        containers=[
            {"name": "npd", "image": "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.19"}
        ],
    )
    assert findings("no-node-problem-detector", [renamed]) == []


def test_not_evaluated_without_daemonsets() -> None:
    assert run_one("no-node-problem-detector", [node("tethys")]).status == "not_evaluated"
