"""Cause rule ``flux-missing-crd``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("flux-missing-crd", layer=Layer.PLATFORM, rank=0, causes={"flux-missing-crd"})
def flux_missing_crd(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Flux Kustomization applies objects whose CRD is not installed; everything that dependsOn it waits.

    "no matches for kind" in the Kustomization's Ready message. The Kustomization's own not-ready finding
    and every Kustomization or HelmRelease that ``dependsOn`` it (transitively, "dependency ... is not
    ready") are grouped under it. Known case: an Intel GPU plugin Kustomization without its CRDs.
    """
    impacted = ctx.reach(cause)
    return Explanation(
        impacted,
        f"{cause.message}; install the CRDs first (their own Kustomization, listed in dependsOn)",
        list(cause.evidence),
        [NextStep("see which CRD is missing", "kubectl get crds | grep -i <group>"),
         NextStep("reconcile once the CRDs exist",
                  f"flux reconcile kustomization {cause.object.name} -n {cause.object.namespace or 'flux-system'} --with-source")])
