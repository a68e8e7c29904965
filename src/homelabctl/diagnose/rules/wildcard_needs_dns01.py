"""Cause rule ``wildcard-needs-dns01``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("wildcard-needs-dns01", layer=Layer.PLATFORM, rank=0, causes={"certificate-wildcard-http01"})
def wildcard_needs_dns01(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A wildcard Certificate on an issuer with only HTTP-01 solvers can never be issued.

    Let's Encrypt validates wildcard names only over DNS-01. The Certificate stays not Ready, its Secret
    never appears, and the Gateway listener that serves it reports an invalid certificate ref: all grouped
    under the issuer mismatch.
    """
    impacted = ctx.reach(cause)
    return Explanation(
        impacted, f"{cause.message}: Let's Encrypt issues wildcard names only over DNS-01", list(cause.evidence),
        [NextStep("add a dns01 solver (e.g. Cloudflare API token) to the issuer, selected for the wildcard name"),
         NextStep("watch the retry", f"kubectl -n {cause.object.namespace} describe certificate {cause.object.name}")])
