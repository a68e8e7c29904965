from __future__ import annotations

from datetime import timedelta

from factories import node
from factories_infra import cilium_daemonset, cilium_pod
from helpers import findings


def test_fires_with_condition_and_agent_state() -> None:
    k3s1 = node("k3s1", conditions={"NetworkUnavailable": "True"}, since=timedelta(minutes=47))
    ds = cilium_daemonset()
    agent = cilium_pod(ds, "k3s1", "x7k2p", ready=False, waiting="CrashLoopBackOff")
    found = findings(
        "node-network-unavailable",
        [k3s1, node("k3s2", conditions={"NetworkUnavailable": "False"}), ds, agent],
    )
    assert [f.object.name for f in found] == ["k3s1"]
    f = found[0]
    assert f.message == "Node k3s1 reports NetworkUnavailable for 47m: its pod network is not configured"
    assert any(e.startswith("NetworkUnavailable=True reason=CiliumIsDown since 47m") for e in f.evidence)
    assert "Cilium agent kube-system/cilium-x7k2p: CrashLoopBackOff" in f.evidence
    assert "networkctl list" in f.hint
    assert f.severity.value == "critical"


def test_silent_when_cilium_reports_the_network_up() -> None:
    objs = [node("k3s1", conditions={"NetworkUnavailable": "False"}), node("k3s2")]
    assert findings("node-network-unavailable", objs) == []
