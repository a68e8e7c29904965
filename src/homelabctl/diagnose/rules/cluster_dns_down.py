"""Cause rule ``cluster-dns-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("cluster-dns-down", layer=Layer.NETWORK, rank=0, causes={"cluster-dns-unhealthy"})
def cluster_dns_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Cluster DNS is down: every lookup in the cluster fails, and whatever fetches by name fails with it.

    The symptoms are found through the evidence links: a Flux source or a pod whose error names the DNS
    Service (``lookup github.com on 10.43.0.10:53: i/o timeout``, ``kube-dns.kube-system.svc``) is
    downstream of CoreDNS. ``plugin/loop: Loop ... detected`` means CoreDNS forwards to itself (the node's
    resolv.conf points at a local stub resolver): forward to a real upstream instead.
    """
    text = " ".join((cause.message, *cause.evidence)).lower()
    steps = [NextStep("read CoreDNS", "kubectl -n kube-system logs deploy/coredns --tail=50")]
    if "loop" in text:
        steps.insert(0, NextStep("CoreDNS forwards to itself: point `forward .` at a real upstream resolver "
                                 "(K3s: --resolv-conf pointing at a file listing the upstream DNS server)",
                                 "kubectl -n kube-system get configmap coredns -o yaml"))
    steps.append(NextStep("prove resolution after the fix",
                          "kubectl run dnscheck --rm -it --image=busybox --restart=Never -- nslookup kubernetes.default"))
    return Explanation(set(), f"{cause.message}: name resolution fails for everything in the cluster",
                       list(cause.evidence), steps, object=ctx.fix_target(cause.object))
