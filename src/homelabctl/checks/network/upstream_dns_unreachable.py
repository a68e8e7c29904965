from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import dns_upstream, refs
from homelabctl.model import Finding, Layer, Severity

MIN_NAMES = 2
"""Distinct names failing through one server: one name failing can be that name's own zone."""
MAX_LINES = 5


@check(
    "upstream-dns-unreachable",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    any_of=[kinds.EVENT, kinds.GIT_REPOSITORY, kinds.HELM_REPOSITORY, kinds.OCI_REPOSITORY],
    uses=[kinds.SERVICE, kinds.CONFIGMAP, kinds.DEPLOYMENT, kinds.POD, kinds.NODE],
)
def upstream_dns_unreachable(ctx: CheckContext) -> Iterator[Finding]:
    """The DNS server outside the cluster that resolves external names does not answer.

    Reads Warning events and Flux sources' failing conditions (which outlive the events) for Go's resolver
    errors, which name the server asked: ``lookup github.com on
    192.168.10.53:53: read udp ...: i/o timeout`` (a node's own resolver, e.g. for image pulls) and ``lookup
    github.com on 10.43.0.10:53: server misbehaving`` (the cluster DNS answered SERVFAIL: it is up, its
    upstream is not). Lookups through the cluster DNS Service are charged to the upstream its Corefile
    forwards to (``forward . 192.168.10.53`` in ConfigMap ``kube-system/coredns``), and only while the
    CoreDNS pods are all ready. A server at a Service, pod or node address is in the cluster, not an external
    host. One finding on ``ExternalHost <server>`` when two or more distinct names
    failed through it.

    Why it matters: every external name fails at once - Flux cannot clone or fetch charts, nodes cannot
    pull images - while cluster names still resolve and CoreDNS looks healthy. The errors name github.com,
    ghcr.io and chart hosts, which are all fine: the resolver in between is down (a Pi-hole or router VM that
    did not come back after a reboot is the usual homelab case).

    Next step: from a node, ``dig @SERVER github.com``; bring the resolver back, or point CoreDNS's
    ``forward`` (and the nodes' resolv.conf) at a second resolver.
    """
    found = dns_upstream.upstream_failures(ctx.index)
    for upstream, entry in sorted(found.items()):
        if len(entry.names) < MIN_NAMES:
            continue
        evidence = [f"names that failed through it: {', '.join(sorted(entry.names))}"]
        if entry.via_cluster_dns:
            evidence.append(
                f"the cluster DNS forwards external names to it (ConfigMap kube-system/coredns: {entry.forward_line}); "
                "its 'server misbehaving' answers mean CoreDNS is up and its upstream is not"
            )
        evidence.extend(sorted(entry.lines)[:MAX_LINES])
        yield ctx.finding(
            refs.external_host(upstream),
            f"DNS server {upstream} does not resolve external names: {len(entry.names)} names failed through it "
            f"({', '.join(sorted(entry.names)[:MAX_LINES])})",
            evidence=evidence,
            hint=(
                f"From a node: `dig @{upstream} github.com`; bring the resolver at {upstream} back, or point "
                "CoreDNS's forward (`kubectl -n kube-system edit configmap coredns`) and the nodes' resolv.conf at "
                "a second resolver"
            ),
        )
