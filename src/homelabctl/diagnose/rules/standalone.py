"""Cause rule ``standalone``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import OWNS
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, hint_steps
from homelabctl.model import Finding, Layer


@cause_rule("standalone", layer=Layer.WORKLOAD, rank=2, causes=set())
def standalone(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A critical finding nothing else explains is a root cause of its own.

    Other findings on the same object, and its controller when all of the controller's failing pods are
    explained, are grouped under it. The layer shown is the finding's own.
    """
    impacted = ctx.propagate(ctx.workload_start(cause.object), (OWNS,))
    target = ctx.fix_target(cause.object)
    steps = hint_steps(cause.hint)
    if not any(step.command for step in steps):
        steps.append(describe_step(target))
    return Explanation(
        impacted,
        cause.message,
        list(cause.evidence),
        steps,
        confidence="medium",
        object=target if target != cause.object else None,
    )
