"""Cause rule ``budget-blocks-drain``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import MENTIONS
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, explanation_from
from homelabctl.k8s import disruption
from homelabctl.k8s.kubectl import pod_node
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("budget-blocks-drain", layer=Layer.WORKLOAD, rank=0, causes={"pdb-blocks-eviction"})
def budget_blocks_drain(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A PodDisruptionBudget that can never allow an eviction explains the pods that drain a cordoned node
    running its pods (the system-upgrade-controller's job, a drain job): they wait on the eviction the budget
    refuses. The edge's provenance names the budget's pod on that node and the drain command."""
    pdb = ctx.resource(cause.object)
    held = disruption.blocked(ctx.index, pdb) if pdb is not None else None
    if held is None:
        return None
    start: set[ObjectRef] = set()
    for drainer in held.drainers:
        node = disruption.drained_node(drainer)
        guarded = next((p for p in held.pods if pod_node(p) == node), None)
        ctx.graph.add(
            cause.object,
            MENTIONS,
            drainer.ref,
            f"pod {drainer.namespace}/{drainer.name} runs kubectl drain {node}; "
            + (f"pod {guarded.namespace}/{guarded.name} there " if guarded is not None else "")
            + "cannot be evicted under the budget",
        )
        start |= ctx.workload_start(drainer.ref)
    return explanation_from(ctx, cause, start, describe_step(cause.object))
