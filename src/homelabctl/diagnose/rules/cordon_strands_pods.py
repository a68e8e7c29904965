"""Cause rule ``cordon-strands-pods``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps, link_pods_refused_on_node
from homelabctl.k8s import cordon_strands
from homelabctl.model import Finding, Layer


@cause_rule("cordon-strands-pods", layer=Layer.NODE, rank=0, causes={"node-cordon-strands-volumes"})
def cordon_strands_pods(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A cordoned node that holds a pending pod's pinned volume explains that pod, its workload and what the
    workload serves, and nothing else: its other pods run, and pods that could go elsewhere are not held. The
    pods are linked by the scheduler's own words (the ``runs-on`` edge's provenance). The cordon itself (the
    node's ``node-cordoned`` finding) is the node's own state and is grouped with it."""
    node = cause.object.name
    stranded = cordon_strands.stranded_by_cordon(ctx.index).get(node, [])
    start = link_pods_refused_on_node(ctx, cause, ((s.pod, s.line) for s in stranded))
    if not start:
        return None
    steps = [
        NextStep(
            f"see what is still cordoned and why ({node} shows SchedulingDisabled)", "kubectl get nodes"
        ),
        *hint_steps(cause.hint),
    ]
    return Explanation(ctx.propagate(start, GENERIC_EDGES), cause.message, list(cause.evidence), steps)
