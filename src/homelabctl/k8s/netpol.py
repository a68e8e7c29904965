"""NetworkPolicies (networking.k8s.io/v1): the pods they select, their policy types and ingress rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, items, mapping, mappings, section, strings, text
from homelabctl.k8s.selectors import selector_text
from homelabctl.selectors import Selector, from_spec


class IpBlock(msgspec.Struct, frozen=True):
    cidr: str
    excepts: tuple[str, ...]


class Peer(msgspec.Struct, frozen=True):
    """One entry of a rule's ``from``. A selector that is present but unreadable is set and selects nothing
    (None); an absent one is not set."""

    pod_selector_set: bool
    pod_selector: Selector | None
    namespace_selector_set: bool
    namespace_selector: Selector | None
    ip_block: IpBlock | None


class IngressRule(msgspec.Struct, frozen=True):
    admits_all: bool
    """No ``from`` (or an empty one): the rule admits every source."""
    peers: tuple[Peer, ...]


class NetworkPolicy(msgspec.Struct, frozen=True):
    pod_selector: Selector
    """``spec.podSelector``; a missing or unreadable one is read as empty, which selects every pod."""
    pod_selector_text: str
    policy_types: tuple[str, ...]
    ingress: tuple[IngressRule, ...]

    @property
    def isolates_ingress(self) -> bool:
        """The API's default: ``policyTypes`` absent means Ingress (plus Egress when egress rules are given)."""
        return not self.policy_types or "Ingress" in self.policy_types


def _peer(peer: Mapping[str, Any]) -> Peer:
    pod_sel, ns_sel = peer.get("podSelector"), peer.get("namespaceSelector")
    block = peer.get("ipBlock")
    ip_block = None
    if isinstance(block, Mapping):
        ip_block = IpBlock(text(block.get("cidr")), strings(block.get("except")))
    return Peer(
        pod_sel is not None,
        from_spec(mapping(pod_sel) if isinstance(pod_sel, Mapping) else None),
        ns_sel is not None,
        from_spec(mapping(ns_sel) if isinstance(ns_sel, Mapping) else None),
        ip_block,
    )


def _rule(rule: object) -> IngressRule:
    peers = mapping(rule).get("from")
    return IngressRule(not peers, tuple(_peer(p) for p in mappings(peers)))


def network_policy(obj: Obj) -> NetworkPolicy:
    spec = section(obj, "spec")
    selector = mapping(spec.get("podSelector"))
    found = from_spec(selector)
    return NetworkPolicy(
        found if found is not None else Selector(()),
        selector_text(selector),
        strings(spec.get("policyTypes")),
        tuple(_rule(r) for r in items(spec.get("ingress"))),
    )


def pod_selector(obj: Obj) -> Mapping[str, Any]:
    """``spec.podSelector`` as written (empty when absent or not a map), for printers that format it themselves."""
    return mapping(section(obj, "spec").get("podSelector"))
