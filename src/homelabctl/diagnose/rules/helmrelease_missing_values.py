"""Cause rule ``helmrelease-missing-values``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule(
    "helmrelease-missing-values", layer=Layer.PLATFORM, rank=0, causes={"helmrelease-missing-values-ref"}
)
def helmrelease_missing_values(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A HelmRelease's ``valuesFrom`` Secret or ConfigMap does not exist: the release cannot render.

    Its own not-ready finding, the Kustomization that contains it and whatever dependsOn it are grouped
    under the release that holds the reference. Known case: Authentik's missing ``authentik-secret``.
    """
    impacted = ctx.reach(cause)
    ns = cause.object.namespace or "default"
    return Explanation(
        impacted,
        cause.message,
        list(cause.evidence),
        [
            NextStep(
                "create the Secret (SOPS-encrypted in the repo) or fix the name in valuesFrom: see what the "
                "release reads",
                f"kubectl -n {ns} get helmrelease {cause.object.name} -o jsonpath="
                "'{range .spec.valuesFrom[*]}{.kind}/{.name} {.valuesKey}{\"\\n\"}{end}'",
            ),
            NextStep(
                "reconcile the release",
                f"flux reconcile helmrelease {cause.object.name} -n {ns} --with-source",
            ),
        ],
    )
