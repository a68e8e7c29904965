"""Cause rule ``upstream-resolver-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.graph import RESOLVES
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule(
    "upstream-resolver-down",
    layer=Layer.NETWORK,
    rank=0,
    causes={
        "upstream-dns-unreachable",
        "image-registry-failing",
        "flux-source-failed",
        "pod-image-pull",
        "workload-replicas-unavailable",
    },
)
def upstream_resolver_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A DNS resolver outside the cluster that does not answer is one cause for every name looked up through it.

    Read from the words of the failures: ``lookup <name> on <resolver>:53`` with ``i/o timeout`` or
    ``server misbehaving``, where the resolver is no Service, pod or node of the cluster (the nodes' own
    resolver, asked for image pulls), or is the cluster DNS while CoreDNS is healthy and its Corefile's
    ``forward .`` names that resolver. When lookups of several different names (a registry, a git host, a
    chart repository) all fail through it, the resolver is the ``ExternalHost`` to fix, and the hosts' and
    sources' findings are its symptoms. A cluster DNS that itself fails stays the cause (``cluster-dns-down``).
    """
    start = ctx.start(cause)
    for resolver, (names, evidence) in sorted(ctx.graph.shared_resolvers.items()):
        if resolver not in start and not start & ctx.graph.direct(resolver, RESOLVES):
            continue
        impacted = ctx.propagate({resolver}, GENERIC_EDGES)
        dns = ctx.graph.cluster_dns()
        namespace = dns[0].namespace if dns else "kube-system"
        steps = [
            NextStep(
                f"ask the resolver {resolver.name} yourself from a node",
                f"dig @{resolver.name} {names[0]} +time=2 +tries=1",
            ),
            NextStep(
                f"bring {resolver.name} back, or point the nodes' resolv.conf and CoreDNS's `forward .` at a "
                "resolver that answers",
                f"kubectl -n {namespace} get configmap coredns -o yaml",
            ),
        ]
        return Explanation(
            impacted,
            f"DNS resolver {resolver.name} does not answer: lookups of {len(names)} names through it fail "
            f"({', '.join(names[:4])}{', ...' if len(names) > 4 else ''})",
            [*evidence, *cause.evidence[:2]],
            steps,
            object=resolver,
            layer=Layer.NETWORK,
        )
    return None
