"""Cause rule ``kept-taint-holds-pods``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps, link_pods_refused_on_node
from homelabctl.model import Finding, Layer


@cause_rule("kept-taint-holds-pods", layer=Layer.NODE, rank=0, causes={"node-taint-holds-pods"})
def kept_taint_holds_pods(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node keeping a taint its lifecycle should have lifted (the cloud provider's uninitialized taint, or
    not-ready on a Ready node) explains the pending pods meant for it (nodeSelector or required affinity), their
    workloads and what those serve, and nothing else: the pods already on it run. The pods are linked by the
    scheduler's own words naming the taint (the ``runs-on`` edge's provenance)."""
    from homelabctl.k8s import lifecycle_taints  # only when the check fired: not imported on every run

    node = cause.object.name
    held = lifecycle_taints.held_by_kept_taints(ctx.index).get(node, [])
    start = link_pods_refused_on_node(ctx, cause, ((h.pod, h.line) for h in held))
    if not start:
        return None
    steps = [
        NextStep(f"see the node's taints and providerID ({node})", f"kubectl describe node {node}"),
        *hint_steps(cause.hint),
    ]
    return Explanation(ctx.propagate(start, GENERIC_EDGES), cause.message, list(cause.evidence), steps)
