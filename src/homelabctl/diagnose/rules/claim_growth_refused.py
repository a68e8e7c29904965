"""Cause rule ``claim-growth-refused``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.evidence import snippet
from homelabctl.diagnose.graph import MENTIONS
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, explanation_from
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("claim-growth-refused", layer=Layer.STORAGE, rank=0, causes={"storage-class-refuses-expansion"})
def claim_growth_refused(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A StorageClass that does not allow expansion (or a claim without one) explains the Flux Kustomization or
    HelmRelease whose apply the API server refused for growing that claim, and what waits on it (``dependsOn``).
    The link is the controller's own words naming the claim (a ``mentions`` edge, the refusal as provenance); the
    claim's workload keeps running on the old size and is no symptom."""
    from homelabctl.k8s import expansion_refusals  # only when the check fired: not imported on every run

    start: set[ObjectRef] = set()
    for refusal in expansion_refusals.expansion_refusals(ctx.index):
        owner = (
            ObjectRef("StorageClass", None, refusal.storage_class)
            if refusal.storage_class and refusal.class_exists
            else refusal.claim
        )
        if owner != cause.object:
            continue
        ctx.graph.add(
            cause.object,
            MENTIONS,
            refusal.reporter,
            f'{refusal.reporter.kind} {refusal.reporter.namespace}/{refusal.reporter.name} Ready: "'
            f'{snippet(refusal.line, expansion_refusals.REFUSED)}"',
        )
        start.add(refusal.reporter)
    return explanation_from(ctx, cause, start, describe_step(cause.object))
