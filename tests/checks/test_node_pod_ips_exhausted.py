"""node-pod-ips-exhausted: one node's pod CIDR is full; new pods of several workloads there get no IP.

Sandbox errors as the kubelet reports them for Cilium (https://github.com/cilium/cilium/issues/10627) and
host-local IPAM under flannel in K3s (https://github.com/k3s-io/k3s/issues/4682,
https://github.com/k3s-io/k3s/issues/7078).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings

from factories import container_status, deployment, event, node
from factories_apps import owned_pod, replicaset

CILIUM = (
    'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "57ae1891": '
    'plugin type="cilium-cni" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] '
    "postIpamFailure  range is full"
)
HOST_LOCAL = (
    'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "36bde45b": '
    'plugin type="flannel" failed (add): failed to delegate add: failed to allocate for range 0: no IP addresses available in range set: '
    "10.42.2.1-10.42.2.254"
)


def _stuck(name: str, node_name: str, message: str) -> list[dict[str, Any]]:
    dep = deployment(name, "media", ready=0)
    rs = replicaset(dep)
    status = container_status(name, f"ghcr.io/example/{name}:1.0.0", state="waiting", ready=False)
    p = owned_pod(rs, "h2cbw", node_name=node_name, phase="Pending", statuses=[status], ready=False)
    return [dep, rs, p, event(p, "FailedCreatePodSandBox", message, count=96)]


def test_fires_on_the_node_whose_range_is_full() -> None:
    objs = [
        node("k3s1"),
        node("k3s2"),
        *_stuck("sonarr", "k3s2", CILIUM),
        *_stuck("radarr", "k3s2", HOST_LOCAL),
    ]
    [finding] = findings("node-pod-ips-exhausted", objs)
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s2")
    assert finding.layer.value == "network"
    assert any("range is full" in e for e in finding.evidence)
    assert any("no IP addresses available in range set" in e for e in finding.evidence)
    assert "ciliumnode k3s2" in finding.hint


def test_silent_for_a_single_workload() -> None:
    assert findings("node-pod-ips-exhausted", [node("k3s2"), *_stuck("sonarr", "k3s2", CILIUM)]) == []
