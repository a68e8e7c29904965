from __future__ import annotations

from datetime import timedelta

from factories import node, pod, ts
from factories_infra import cilium_daemonset, cilium_pod
from helpers import findings, run_one


def _nodes() -> list[dict[str, object]]:
    return [node("k3s-master1", control_plane=True), node("k3s1"), node("k3s2")]


def test_fires_on_crashlooping_agent_with_its_termination_message() -> None:
    ds = cilium_daemonset(desired=3, ready=2)
    bad = cilium_pod(
        ds,
        "k3s1",
        "x7k2p",
        ready=False,
        waiting="CrashLoopBackOff",
        restarts=14,
        message="back-off 5m0s restarting failed container=cilium-agent pod=cilium-x7k2p_kube-system",
        last_message='level=fatal msg="failed to start: daemon creation failed: unable to reach '
        'kube-apiserver: context deadline exceeded"',
    )
    objs = [*_nodes(), ds, cilium_pod(ds, "k3s-master1", "a1b2c"), bad, cilium_pod(ds, "k3s2", "q9w8e")]
    found = findings("cni-agent-not-ready", objs)
    assert [f.object.kind + "/" + f.object.name for f in found] == ["Node/k3s1"]
    f = found[0]
    assert f.message == (
        "Cilium agent cilium-x7k2p on node k3s1 is not Ready (CrashLoopBackOff): pod networking on "
        "the node is down or degraded"
    )
    assert "pod kube-system/cilium-x7k2p: CrashLoopBackOff, 0/1 ready, 14 restarts" in f.evidence
    assert any("container cilium-agent waiting: CrashLoopBackOff" in e for e in f.evidence)
    assert any("unable to reach kube-apiserver: context deadline exceeded" in e for e in f.evidence)
    assert "logs cilium-x7k2p -c cilium-agent --previous" in f.hint and "cilium-dbg status" in f.hint
    assert f.severity.value == "critical"


def test_fires_when_a_node_has_no_agent_pod() -> None:
    ds = cilium_daemonset(desired=3, ready=2)
    objs = [*_nodes(), ds, cilium_pod(ds, "k3s-master1", "a1b2c"), cilium_pod(ds, "k3s1", "x7k2p")]
    found = findings("cni-agent-not-ready", objs)
    assert [f.object.name for f in found] == ["k3s2"]
    assert found[0].message == "No Cilium agent runs on node k3s2: pods there get no pod network"
    assert "DaemonSet kube-system/cilium: desired=3 current=3 ready=2 unavailable=1" in found[0].evidence


def test_pending_agent_is_matched_to_its_node_through_affinity() -> None:
    ds = cilium_daemonset()
    pending = cilium_pod(ds, "k3s2", "p3nd1", ready=False, waiting="ContainerCreating")
    del pending["spec"]["nodeName"]
    pending["status"]["phase"] = "Pending"
    objs = [*_nodes(), ds, cilium_pod(ds, "k3s-master1", "a1b2c"), cilium_pod(ds, "k3s1", "x7k2p"), pending]
    found = findings("cni-agent-not-ready", objs)
    assert [f.object.name for f in found] == ["k3s2"]
    assert "cilium-p3nd1" in found[0].message


def test_node_outside_the_daemonset_selector_is_not_expected_to_run_it() -> None:
    ds = cilium_daemonset(node_selector={"kubernetes.io/os": "linux", "cni": "cilium"})
    objs = [node("k3s1", labels={"cni": "cilium"}), node("win1"), ds, cilium_pod(ds, "k3s1", "x7k2p")]
    assert findings("cni-agent-not-ready", objs) == []


def test_silent_when_all_agents_ready_and_on_clusters_without_cilium() -> None:
    ds = cilium_daemonset()
    healthy = [
        *_nodes(),
        ds,
        *(cilium_pod(ds, n, s) for n, s in (("k3s-master1", "a1b2c"), ("k3s1", "x7k2p"), ("k3s2", "q9w8e"))),
    ]
    assert findings("cni-agent-not-ready", healthy) == []
    assert findings("cni-agent-not-ready", [*_nodes(), pod("flannel-free", node_name="k3s1")]) == []


def test_recently_restarted_agent_gets_a_grace_period() -> None:
    ds = cilium_daemonset()
    starting = cilium_pod(ds, "k3s1", "x7k2p", ready=False)
    for cond in starting["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond["lastTransitionTime"] = ts(timedelta(seconds=40))
    objs = [node("k3s1"), ds, starting]
    assert findings("cni-agent-not-ready", objs) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("cni-agent-not-ready", [node("k3s1")]).status == "not_evaluated"
