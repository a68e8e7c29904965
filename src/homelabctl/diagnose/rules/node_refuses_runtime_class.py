"""Cause rule ``node-refuses-runtime-class``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import node_refusal_explanation
from homelabctl.k8s import runtime_handlers
from homelabctl.model import Finding, Layer


@cause_rule(
    "node-refuses-runtime-class",
    layer=Layer.NODE,
    rank=0,
    causes={"node-runtime-handler-missing"},
)
def node_refuses_runtime_class(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node whose container runtime lacks a RuntimeClass's handler explains the pods it refused, and only
    those: the node's other pods start there, so the rule follows the pods the kubelet's sandbox errors
    name (their words are the provenance of the ``runs-on`` edge), then their controllers, Services and
    routes."""
    node = cause.object.name
    first = NextStep(
        f"see the runtime's handlers on {node}", f"kubectl get runtimeclass; kubectl describe node {node}"
    )
    return node_refusal_explanation(ctx, cause, runtime_handlers.refused_by_node(ctx.index), first)
