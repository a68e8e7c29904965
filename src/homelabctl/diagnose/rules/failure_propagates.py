"""Cause rule ``failure-propagates``: the generic reading every failing finding gets."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.natures import never_symptoms
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, hint_steps
from homelabctl.model import Finding, Layer

GROUPED_NON_PROPAGATING = frozenset({"node-cordoned"})
"""Findings grouped under causes (``natures.GROUPED_CONFIGURATION``) that make nothing else fail by themselves: a
cordoned node runs its pods."""
__all__ = ["GENERIC_EDGES", "GROUPED_NON_PROPAGATING", "failure_propagates", "propagates"]


def propagates(finding: Finding) -> bool:
    """Can this finding's failure reach other objects? Not when it reports no failure (``natures.never_symptoms``:
    configuration and the state checks that report none), nor for GROUPED_NON_PROPAGATING."""
    return finding.check not in GROUPED_NON_PROPAGATING and finding.check not in never_symptoms()


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
