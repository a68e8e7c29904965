"""Which DNS server failed a lookup: Go's resolver names it (``lookup github.com on 10.43.0.10:53: server
misbehaving``), and CoreDNS's Corefile names the upstream it forwards external names to (``forward .
192.168.10.53``)."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from homelabctl import kinds
from homelabctl.k8s import graphrefs, podrefs
from homelabctl.k8s._raw import Obj, text
from homelabctl.k8s.cluster_dns import dns_services, forward_targets
from homelabctl.k8s.conditions import conditions
from homelabctl.k8s.events import event
from homelabctl.k8s.meta import data
from homelabctl.k8s.services import cluster_ip
from homelabctl.k8s.workloads import replicas
from homelabctl.knowledge.net_errors import NAMED_LOOKUP
from homelabctl.lazyre import LazyPattern
from homelabctl.sources.index import ClusterIndex

_OUTCOME = LazyPattern(
    r": (server misbehaving|(?:read|dial|write) udp [^\s]{0,60} ?[^\s]{0,60}: i/o timeout|i/o timeout)"
)
"""What follows ``lookup <name> on <resolver>:53`` when the resolver gave no usable answer."""
_MAX_TEXT = 4096


class FailedLookup(msgspec.Struct, frozen=True):
    name: str
    """The name that was looked up (``github.com``)."""
    resolver: str
    """The DNS server that did not answer it (``10.43.0.10``, ``192.168.10.53``)."""
    words: str
    """The words that say so."""
    answered: bool
    """``server misbehaving``: the resolver answered (SERVFAIL), so it is up and its own upstream failed."""


def failed_lookups(message: str) -> Iterator[FailedLookup]:
    text = message[:_MAX_TEXT]
    for m in NAMED_LOOKUP.finditer(text):
        outcome = _OUTCOME.match(text, m.end())
        if outcome is None:
            continue
        yield FailedLookup(
            m.group(1).lower().rstrip("."),
            m.group(2).lower(),
            text[m.start() : outcome.end()],
            outcome.group(1) == "server misbehaving",
        )


def corefile_forwards(configmap: Obj) -> tuple[list[str], str]:
    """(upstream hosts, the Corefile line) of ``forward .`` in the CoreDNS ConfigMap's ``Corefile``;
    ``/etc/resolv.conf`` (the node's resolver, unknown here) is left out."""
    return forward_targets(text(data(configmap).get("Corefile")))


class UpstreamFailures(msgspec.Struct):
    """What failed through one DNS server outside the cluster."""

    names: set[str] = msgspec.field(default_factory=set)
    lines: list[str] = msgspec.field(default_factory=list)
    """``Kind ns/name: the words``, one per object and message."""
    objects: set[tuple[str, str | None, str]] = msgspec.field(default_factory=set)
    """(kind, namespace, name) of the objects whose events carry the failures."""
    via_cluster_dns: bool = False
    forward_line: str = ""


def _cluster_dns_ready(index: ClusterIndex) -> bool:
    """Are the cluster DNS pods all ready? Only then is 'server misbehaving' from its IP its upstream's fault."""
    deploy = index.get(kinds.DEPLOYMENT, "kube-system", "coredns")
    if deploy is None:
        return True
    counts = replicas(deploy)
    return counts.desired > 0 and counts.ready >= counts.desired


_SOURCE_GKS = (
    kinds.GIT_REPOSITORY,
    kinds.HELM_REPOSITORY,
    kinds.OCI_REPOSITORY,
    kinds.HELM_CHART,
    f"Bucket.{kinds.FLUX_SOURCE}",
)
"""Flux sources keep their last fetch error in their conditions, after the events about it have expired."""


def _cluster_addresses(index: ClusterIndex) -> set[str]:
    """Service ClusterIPs, pod IPs and node addresses: a DNS server at one of them is in the cluster."""
    found: set[str] = set()
    for svc in index.all(kinds.SERVICE):
        found.update(graphrefs.cluster_ips(svc))
    for pod in index.all(kinds.POD):
        ip = podrefs.pod_ip(pod)
        if ip:
            found.add(ip)
    for node in index.all(kinds.NODE):
        found.update(graphrefs.node_addresses(node))
    return found


def _messages(index: ClusterIndex) -> Iterator[tuple[tuple[str, str | None, str], str]]:
    """(involved object, message): Warning events, then the failing conditions of Flux sources."""
    for ev in index.all(kinds.EVENT):
        info = event(ev)
        if info.type == "Warning" and "lookup " in info.message:
            yield info.involved, info.message
    for gk in _SOURCE_GKS:
        for source in index.all(gk):
            for cond in conditions(source):
                if cond.message and "lookup " in cond.message and not cond.is_true:
                    yield (source.kind, source.namespace, source.name), cond.message


def upstream_failures(index: ClusterIndex) -> dict[str, UpstreamFailures]:
    """DNS server → the lookups Warning events (and Flux sources' conditions) say it failed. A lookup through
    the cluster DNS Service counts against the upstream CoreDNS forwards to, and only when CoreDNS answered
    (``server misbehaving``) and its pods are all ready; a lookup naming another server counts against that
    server when it is outside the cluster (no Service, pod or node has its address: an in-cluster resolver
    is a workload, not an external host)."""
    dns_ips = {cluster_ip(svc) for svc in dns_services(index)} - {"", "None"}
    coredns = index.get(kinds.CONFIGMAP, "kube-system", "coredns")
    forwards, forward_line = corefile_forwards(coredns) if coredns is not None else ([], "")
    ready = _cluster_dns_ready(index)
    inside: set[str] | None = None
    found: dict[str, UpstreamFailures] = {}
    for involved, message in _messages(index):
        for lookup in failed_lookups(message):
            via_cluster = lookup.resolver in dns_ips
            if via_cluster and not (lookup.answered and ready):
                continue
            if not via_cluster:
                if inside is None:
                    inside = _cluster_addresses(index)
                if lookup.resolver in inside:
                    continue
            kind, namespace, name = involved
            line = f"{kind} {namespace + '/' if namespace else ''}{name}: {lookup.words}"
            for upstream in forwards if via_cluster else [lookup.resolver]:
                entry = found.setdefault(upstream, UpstreamFailures())
                entry.names.add(lookup.name)
                entry.objects.add(involved)
                if via_cluster:
                    entry.via_cluster_dns = True
                    entry.forward_line = forward_line
                if line not in entry.lines:
                    entry.lines.append(line)
    return found
