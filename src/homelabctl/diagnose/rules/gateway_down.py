"""Cause rule ``gateway-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import ATTACHES
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("gateway-down", layer=Layer.PLATFORM, rank=1, causes={"gateway-not-accepted"})
def gateway_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Gateway that is not accepted or programmed explains the HTTPRoutes attached to it."""
    impacted = ctx.propagate({cause.object}, (ATTACHES,))
    return Explanation(
        impacted,
        cause.message,
        list(cause.evidence),
        [
            NextStep(
                "read the Gateway status",
                f"kubectl -n {cause.object.namespace} describe gateway {cause.object.name}",
            )
        ],
        confidence="medium",
        accepts=lambda f: f.object == cause.object or f.check == "httproute-not-accepted",
    )
