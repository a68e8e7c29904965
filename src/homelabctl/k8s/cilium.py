"""Cilium CRDs: BGP peering policies and cluster configs, LoadBalancer IP pools."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, raw_of, section, text


def node_selector(res: Obj) -> Mapping[str, Any] | None:
    """``spec.nodeSelector`` (a LabelSelector) of a BGP policy or cluster config; None when unset."""
    found = section(res, "spec").get("nodeSelector")
    return found if isinstance(found, Mapping) else None


class BgpPeer(msgspec.Struct, frozen=True):
    local_asn: str
    peer_address: str
    peer_asn: str

    def __str__(self) -> str:
        return f"AS{self.local_asn} → {self.peer_address} AS{self.peer_asn}"


def bgp_peers(res: Obj) -> list[BgpPeer]:
    """Peers of a CiliumBGPPeeringPolicy (``virtualRouters[].neighbors``) or a CiliumBGPClusterConfig
    (``bgpInstances[].peers``)."""
    spec = section(res, "spec")
    if text(raw_of(res).get("kind")) == "CiliumBGPPeeringPolicy":
        return [
            BgpPeer(
                text(vr.get("localASN"), "None"),
                text(nb.get("peerAddress"), "None"),
                text(nb.get("peerASN"), "None"),
            )
            for vr in mappings(spec.get("virtualRouters"))
            for nb in mappings(vr.get("neighbors"))
        ]
    return [
        BgpPeer(
            text(inst.get("localASN"), "None"),
            text(peer.get("peerAddress"), "None"),
            text(peer.get("peerASN"), "None"),
        )
        for inst in mappings(spec.get("bgpInstances"))
        for peer in mappings(inst.get("peers"))
    ]


class LbPool(msgspec.Struct, frozen=True):
    disabled: bool
    blocks: tuple[str, ...]
    """``cidr`` or ``start-stop`` of each block (``spec.blocks``, or the older ``spec.cidrs``)."""
    service_selector: Mapping[str, Any] | None


def lb_pool(pool: Obj) -> LbPool:
    spec = section(pool, "spec")
    blocks = []
    for block in mappings(spec.get("blocks")) or mappings(spec.get("cidrs")):
        if text(block.get("cidr")):
            blocks.append(text(block.get("cidr")))
        elif text(block.get("start")):
            blocks.append(f"{text(block.get('start'))}-{text(block.get('stop')) or text(block.get('start'))}")
    selector = spec.get("serviceSelector")
    return LbPool(
        bool(spec.get("disabled")),
        tuple(blocks),
        mapping(selector) if isinstance(selector, Mapping) and selector else None,
    )


def pool_cidrs(pool: Obj) -> list[str]:
    """The ``cidr`` of every block in ``spec.blocks`` and the older ``spec.cidrs``."""
    spec = section(pool, "spec")
    return [
        cidr
        for block in [*mappings(spec.get("blocks")), *mappings(spec.get("cidrs"))]
        if (cidr := text(block.get("cidr")))
    ]
