"""NetworkPolicies (networking.k8s.io/v1): the pods they select, their policy types, their ingress and egress
rules, and whether a rule's peer is a given pod."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.k8s._raw import Obj, items, mapping, mappings, section, strings, text
from homelabctl.k8s.pods import pod_ip
from homelabctl.k8s.selectors import selector_text
from homelabctl.model import Resource
from homelabctl.selectors import Selector, from_spec
from homelabctl.sources.index import ClusterIndex


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


class EgressRule(msgspec.Struct, frozen=True):
    reaches_all: bool
    """No ``to`` (or an empty one): the rule lets traffic out to every destination (on its ports)."""
    peers: tuple[Peer, ...]
    ports: tuple[tuple[str, str], ...]
    """(protocol, port as written: a number or a port name); empty: every port."""


class NetworkPolicy(msgspec.Struct, frozen=True):
    pod_selector: Selector
    """``spec.podSelector``; a missing or unreadable one is read as empty, which selects every pod."""
    pod_selector_text: str
    policy_types: tuple[str, ...]
    ingress: tuple[IngressRule, ...]
    egress: tuple[EgressRule, ...] = ()

    @property
    def isolates_ingress(self) -> bool:
        """The API's default: ``policyTypes`` absent means Ingress (plus Egress when egress rules are given)."""
        return not self.policy_types or "Ingress" in self.policy_types

    @property
    def isolates_egress(self) -> bool:
        return "Egress" in self.policy_types or (not self.policy_types and bool(self.egress))


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


def _egress_rule(rule: object) -> EgressRule:
    raw = mapping(rule)
    peers = raw.get("to")
    ports = tuple(
        (text(p.get("protocol"), "TCP") or "TCP", text(p.get("port"))) for p in mappings(raw.get("ports"))
    )
    return EgressRule(not peers, tuple(_peer(p) for p in mappings(peers)), ports)


def network_policy(obj: Obj) -> NetworkPolicy:
    spec = section(obj, "spec")
    selector = mapping(spec.get("podSelector"))
    found = from_spec(selector)
    return NetworkPolicy(
        found if found is not None else Selector(()),
        selector_text(selector),
        strings(spec.get("policyTypes")),
        tuple(_rule(r) for r in items(spec.get("ingress"))),
        tuple(_egress_rule(r) for r in items(spec.get("egress"))),
    )


def pod_selector(obj: Obj) -> Mapping[str, Any]:
    """``spec.podSelector`` as written (empty when absent or not a map), for printers that format it themselves."""
    return mapping(section(obj, "spec").get("podSelector"))


def _ip_in_block(ip: str, block: IpBlock) -> bool:
    try:
        address = ipaddress.ip_address(ip)
        if address not in ipaddress.ip_network(block.cidr, strict=False):
            return False
        return not any(address in ipaddress.ip_network(e, strict=False) for e in block.excepts)
    except ValueError:
        return False


def _namespace_labels(index: ClusterIndex, name: str | None) -> Mapping[str, str]:
    ns = index.get(kinds.NAMESPACE, None, name or "")
    return ns.labels if ns is not None else {"kubernetes.io/metadata.name": name or ""}


def peer_is(index: ClusterIndex, policy_namespace: str | None, peer: Peer, pod: Resource) -> bool:
    """Whether a rule's peer (``from`` or ``to`` entry) is ``pod``: its IP in the ipBlock, or its namespace and
    labels matched by the selectors (no namespaceSelector: the policy's own namespace)."""
    if peer.ip_block is not None:
        return _ip_in_block(pod_ip(pod), peer.ip_block)
    if not peer.namespace_selector_set:
        ns_ok = pod.namespace == policy_namespace
    else:
        selector = peer.namespace_selector
        ns_ok = selector is not None and selector.matches(_namespace_labels(index, pod.namespace))
    pod_selector = peer.pod_selector
    pod_ok = not peer.pod_selector_set or (pod_selector is not None and pod_selector.matches(pod.labels))
    return ns_ok and pod_ok and (peer.pod_selector_set or peer.namespace_selector_set)
