"""Cause rule ``tls-chain``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule(
    "tls-chain", layer=Layer.PLATFORM, rank=1, causes={"certificate-not-ready", "certificate-expiring"}
)
def tls_chain(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Certificate that is not Ready explains the Gateway listeners serving its Secret and their routes."""
    impacted = ctx.reach(cause)
    return Explanation(
        impacted,
        cause.message,
        list(cause.evidence),
        [
            NextStep(
                f"read why {cause.object.kind} {cause.object.namespace}/{cause.object.name} is not ready",
                f"kubectl -n {cause.object.namespace} describe certificate {cause.object.name}",
            ),
            NextStep(
                "read the issuance chain",
                f"kubectl -n {cause.object.namespace} get certificaterequest,order,challenge",
            ),
        ],
        confidence="medium",
    )
