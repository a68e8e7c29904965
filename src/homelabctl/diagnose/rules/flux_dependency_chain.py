"""Cause rule ``flux-dependency-chain``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("flux-dependency-chain", layer=Layer.PLATFORM, rank=1, causes={"flux-not-ready"})
def flux_dependency_chain(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Flux object that failed on its own explains the ones that dependsOn, contain or health-check it.

    Objects waiting with reason DependencyNotReady are never a cause themselves; the first object in
    the chain that failed for a reason of its own is.
    """
    if "DependencyNotReady" in " ".join((cause.message, *cause.evidence)):
        return None
    impacted = ctx.reach(cause)
    kind = cause.object.kind.lower()
    return Explanation(
        impacted,
        cause.message,
        list(cause.evidence),
        [
            NextStep("read the controller's view", f"flux get {kind}s -A --status-selector ready=false"),
            NextStep(
                "reconcile after fixing",
                f"flux reconcile {kind} {cause.object.name} -n {cause.object.namespace} --with-source",
            ),
        ],
        confidence="medium",
    )
