"""Cause rule ``failure-propagates``: the generic reading every failing finding gets."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, hint_steps
from homelabctl.model import Finding, Layer

CONFIGURATION_CHECKS = frozenset(
    {
        "flux-dependency-missing",
        "flux-deprecated-api",
        "gpu-pod-no-priority-class",
        "gpu-namespace-no-quota",
        "kubelet-version-skew",
        "single-control-plane",
        "important-data-on-local-path",
        "default-storage-class",
        "cilium-gateway-api-config",
        "cilium-bgp-peering",
        "flux-suspended",
        "velero-no-offsite",
        "no-node-problem-detector",
        "admin-ui-exposed-without-auth",
        "pod-restarts",
    }
)
"""Findings about how something is configured, not about something failing. They can be a cause
(a wildcard on an HTTP-01 issuer), but never a symptom: a deprecated apiVersion on a HelmRelease that
cannot find its values Secret is a second problem, not a consequence of the first."""

NON_PROPAGATING = CONFIGURATION_CHECKS | {"node-cordoned"}
__all__ = ["CONFIGURATION_CHECKS", "GENERIC_EDGES", "NON_PROPAGATING", "failure_propagates", "propagates"]
"""Configuration findings, and states that do not make anything else fail (a cordoned node runs its pods)."""


def propagates(finding: Finding) -> bool:
    return finding.check not in NON_PROPAGATING


@cause_rule("failure-propagates", layer=Layer.WORKLOAD, rank=1, causes=set())
def failure_propagates(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Any failing object explains the failures its failure reaches in the dependency graph.

    Applies to every finding about something failing that no specific rule explains. The reach follows
    every edge of the graph — controllers, Services and their endpoints, routes, mounts, Flux sources and
    dependencies, webhooks, NetworkPolicies, external hosts — and the evidence links read from messages
    (an object whose events name this one). A controller or Service joins only when all its failing
    members are reached. The object to fix is a pod's top-level controller.
    """
    target = ctx.fix_target(cause.object)
    steps = hint_steps(cause.hint)
    if not any(step.command for step in steps):
        steps.append(describe_step(target))
    return Explanation(
        set(),
        cause.message,
        list(cause.evidence),
        steps,
        confidence="medium",
        object=target if target != cause.object else None,
    )
