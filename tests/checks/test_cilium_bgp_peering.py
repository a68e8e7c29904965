from __future__ import annotations

from factories import node
from factories_infra import bgp_cluster_config, bgp_peering_policy, cilium_config
from helpers import findings, run_one

PEER = {"bgp-policy": "default"}


def _nodes(k3s3_labelled: bool = False) -> list[dict[str, object]]:
    return [
        node("k3s-master1", control_plane=True),
        node("k3s1", labels=PEER),
        node("k3s2", labels=PEER),
        node("k3s3", labels=PEER if k3s3_labelled else None),
    ]


def test_fires_on_worker_missing_the_policy_label() -> None:
    found = findings("cilium-bgp-peering", [*_nodes(), bgp_peering_policy(), cilium_config()])
    assert [(f.object.kind, f.object.name) for f in found] == [("Node", "k3s3")]
    f = found[0]
    assert f.message == (
        "Worker node k3s3 is not selected by any Cilium BGP policy (missing label "
        "bgp-policy=default): it does not announce LoadBalancer IPs to the router"
    )
    assert "CiliumBGPPeeringPolicy bgp-peering-policy needs bgp-policy=default (absent)" in f.evidence
    assert f.hint.startswith("`kubectl label node k3s3 bgp-policy=default`")


def test_fires_on_policy_that_selects_no_node() -> None:
    policy = bgp_peering_policy(match_labels={"bgp": "enabled"})
    found = findings("cilium-bgp-peering", [*_nodes(True), policy])
    assert [(f.object.kind, f.object.name) for f in found] == [
        ("CiliumBGPPeeringPolicy", "bgp-peering-policy")
    ]
    f = found[0]
    assert "selects no node" in f.message
    assert "nodeSelector: bgp=enabled" in f.evidence
    assert "AS64512 → 192.168.10.1/32 AS64513" in f.evidence
    assert "k3s1 lacks bgp=enabled (absent)" in f.evidence


def test_node_in_two_policies_and_disabled_control_plane() -> None:
    objs = [
        *_nodes(True),
        bgp_peering_policy(),
        bgp_peering_policy("second", match_labels={"bgp-policy": "default"}),
    ]
    found = findings("cilium-bgp-peering", objs)
    assert {f.object.name for f in found} == {"k3s1", "k3s2", "k3s3"}
    assert "selected by 2 CiliumBGPPeeringPolicies (bgp-peering-policy, second)" in found[0].message
    off = findings(
        "cilium-bgp-peering",
        [*_nodes(True), bgp_peering_policy(), cilium_config(enable_bgp_control_plane="false")],
    )
    assert [f.object.kind for f in off] == ["CiliumBGPPeeringPolicy"]
    assert "BGP control plane is disabled" in off[0].message


def test_cluster_config_status_conditions_are_reported() -> None:
    cfg = bgp_cluster_config(
        conditions=[
            {
                "type": "cilium.io/MissingPeerConfigs",
                "status": "True",
                "reason": "MissingPeerConfigs",
                "message": "Peer configs missing [cilium-peer]",
                "lastTransitionTime": "2025-06-16T01:00:00Z",
            }
        ]
    )
    found = findings("cilium-bgp-peering", [*_nodes(True), cfg])
    assert [f.object.kind for f in found] == ["CiliumBGPClusterConfig"]
    assert "reports cilium.io/MissingPeerConfigs" in found[0].message
    assert any("Peer configs missing [cilium-peer]" in e for e in found[0].evidence)


def test_silent_when_every_worker_peers() -> None:
    assert findings("cilium-bgp-peering", [*_nodes(True), bgp_peering_policy(), cilium_config()]) == []
    assert findings("cilium-bgp-peering", [*_nodes(), bgp_peering_policy(no_selector=True)]) == []


def test_not_evaluated_without_bgp_resources() -> None:
    assert run_one("cilium-bgp-peering", _nodes()).status == "not_evaluated"
