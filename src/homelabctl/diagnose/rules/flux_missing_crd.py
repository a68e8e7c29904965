"""Cause rule ``flux-missing-crd``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer

_MISSING = LazyPattern(
    r"""kind\s+"?([A-Za-z0-9]+)"?\s+(?:in version|apiVersion)\s+"?([a-z0-9.-]+/)?v[0-9a-z]+"""
)


def _crd_step(cause: Finding) -> NextStep:
    """Look for the CRDs of the group the failing object's apiVersion names (``no matches for kind "K" in
    version "group/v1"``); a kind without a group is looked up among the API resources."""
    for text in (*cause.evidence, cause.message):
        match = _MISSING.search(text)
        if match and match.group(2):
            group = match.group(2).rstrip("/")
            return NextStep(
                f"see whether any CRD of {group} (kind {match.group(1)}) is installed",
                f"kubectl get crds | grep -i {group}",
            )
        if match:
            return NextStep(
                f"see whether the API serves kind {match.group(1)}",
                f"kubectl api-resources | grep -iw {match.group(1)}",
            )
    ns = cause.object.namespace or "flux-system"
    return NextStep(
        "read which kind the Kustomization could not apply",
        f"kubectl -n {ns} describe kustomization {cause.object.name}",
    )


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
        [
            _crd_step(cause),
            NextStep(
                "reconcile once the CRDs exist",
                f"flux reconcile kustomization {cause.object.name} -n {cause.object.namespace or 'flux-system'} --with-source",
            ),
        ],
    )
