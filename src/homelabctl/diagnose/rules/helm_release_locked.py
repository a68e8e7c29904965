"""Cause rule ``helm-release-locked``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("helm-release-locked", layer=Layer.PLATFORM, rank=0, causes={"helm-release-pending"})
def helm_release_locked(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Helm release left in ``pending-install/upgrade/rollback`` is a lock: no reconcile can go through.

    helm-controller answers ``another operation (install/upgrade/rollback) is in progress`` until the
    pending release Secret (``sh.helm.release.v1.<name>.v<N>``, linked by the ``release`` edge) is rolled
    back or removed. The Kustomizations that contain or health-check the release wait with it.
    """
    ns = cause.object.namespace or "default"
    name = cause.object.name
    return Explanation(
        set(), f"{cause.message}: the release is locked by an unfinished Helm operation", list(cause.evidence),
        [NextStep("see the release history", f"helm history -n {ns} {name}"),
         NextStep("roll back to the last deployed revision, then let Flux retry",
                  f"helm rollback -n {ns} {name} && flux reconcile helmrelease -n {ns} {name}"),
         NextStep("if there is no revision to roll back to, delete the pending release Secret",
                  f"kubectl -n {ns} delete secret -l owner=helm,name={name},status=pending-upgrade", dangerous=True)])
