"""node-pod-ips-exhausted: one node's pod CIDR is full; new pods of several workloads there get no IP.

Sandbox errors as the kubelet reports them for Cilium (https://github.com/cilium/cilium/issues/10627) and
host-local IPAM under flannel in K3s (https://github.com/k3s-io/k3s/issues/4682,
https://github.com/k3s-io/k3s/issues/7078).
"""

from __future__ import annotations

from checks.helpers import findings

from factories import node
from factories_apps import CILIUM_RANGE_FULL, HOST_LOCAL_RANGE_FULL, sandbox_stuck_pods


def test_fires_on_the_node_whose_range_is_full() -> None:
    objs = [
        node("k3s1"),
        node("k3s2"),
        *sandbox_stuck_pods("sonarr", "k3s2", CILIUM_RANGE_FULL),
        *sandbox_stuck_pods("radarr", "k3s2", HOST_LOCAL_RANGE_FULL),
    ]
    [finding] = findings("node-pod-ips-exhausted", objs)
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s2")
    assert finding.layer.value == "network"
    assert any("range is full" in e for e in finding.evidence)
    assert any("no IP addresses available in range set" in e for e in finding.evidence)
    assert "ciliumnode k3s2" in finding.hint


def test_silent_for_a_single_workload() -> None:
    assert (
        findings(
            "node-pod-ips-exhausted", [node("k3s2"), *sandbox_stuck_pods("sonarr", "k3s2", CILIUM_RANGE_FULL)]
        )
        == []
    )
