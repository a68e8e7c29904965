"""Cause rule ``upstream-dns-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.graph import EXTERNAL_HOST, MENTIONS, external
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import dns_upstream
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("upstream-dns-down", layer=Layer.NETWORK, rank=0, causes={"upstream-dns-unreachable"})
def upstream_dns_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A DNS server outside the cluster that stopped answering explains every lookup that failed through it:
    the cluster DNS Service that forwards to it, the objects whose events name the failed lookups, and the
    external hosts those lookups were for (a registry that looks "unreachable" only because its name did
    not resolve).

    Each edge keeps its words as provenance: the Corefile ``forward`` line for the cluster DNS, the
    ``lookup NAME on SERVER:53`` message for the objects and the hosts.
    """
    failures = dns_upstream.upstream_failures(ctx.index).get(cause.object.name)
    if failures is None:
        return None
    start: set[ObjectRef] = set()
    if failures.via_cluster_dns:
        for dns in ctx.graph.cluster_dns():
            ctx.graph.add(
                cause.object, MENTIONS, dns, f"ConfigMap kube-system/coredns: {failures.forward_line}"
            )
            start.add(dns)
    for line in failures.lines:
        where, _, words = line.partition(": ")
        for name in failures.names:
            host = external(name)
            if f"lookup {name} on" in words and host in ctx.by_object and host.kind == EXTERNAL_HOST:
                ctx.graph.add(cause.object, MENTIONS, host, f'{where}: "{words}"')
                start.add(host)
    for kind, namespace, name in failures.objects:
        ref = ObjectRef(kind, namespace, name)
        if ctx.graph.exists(ref):
            start |= ctx.workload_start(ref)
    server = cause.object.name
    probe = sorted(failures.names)[0]
    steps = [
        NextStep(
            "ask the server directly, from a node or any machine on its network", f"dig @{server} {probe}"
        ),
        NextStep(
            "see where the cluster DNS forwards external names",
            "kubectl -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}'",
        ),
        NextStep(
            f"bring the resolver at {server} back, or point CoreDNS's forward (and the nodes' resolv.conf) at a "
            "second resolver (changes the cluster)",
            "kubectl -n kube-system edit configmap coredns",
            dangerous=True,
        ),
    ]
    return Explanation(ctx.propagate(start, GENERIC_EDGES), cause.message, list(cause.evidence), steps)
