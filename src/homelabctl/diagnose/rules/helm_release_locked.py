"""Cause rule ``helm-release-locked``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer, Resource


@cause_rule("helm-release-locked", layer=Layer.PLATFORM, rank=0, causes={"helm-release-pending"})
def helm_release_locked(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Helm release left in ``pending-install/upgrade/rollback`` is a lock: no reconcile can go through.

    helm-controller answers ``another operation (install/upgrade/rollback) is in progress`` until the
    pending release Secret (``sh.helm.release.v1.<name>.v<N>``, linked by the ``release`` edge) is rolled
    back or removed. The Kustomizations that contain or health-check the release wait with it.
    """
    ns = cause.object.namespace or "default"
    pending = _pending_secret(ctx, cause)
    release = (
        pending.labels.get("name", cause.object.name) if pending is not None else _release_name(ctx, cause)
    )
    storage = (pending.namespace if pending is not None else None) or ns
    flux = (
        f" && flux reconcile helmrelease -n {ns} {cause.object.name}"
        if cause.object.kind == "HelmRelease"
        else ""
    )
    steps = [
        NextStep("see the release history", f"helm history -n {storage} {release}"),
        NextStep(
            "roll back to the last deployed revision, then let Flux retry",
            f"helm rollback -n {storage} {release}{flux}",
        ),
    ]
    if pending is not None:
        steps.append(
            NextStep(
                f"if there is no revision to roll back to, delete the {pending.labels.get('status')} "
                f"release Secret {storage}/{pending.name}",
                f"kubectl -n {storage} delete secret {pending.name}",
                dangerous=True,
            )
        )
    else:
        steps.append(
            NextStep(
                "if there is no revision to roll back to, delete the pending release Secret",
                f"kubectl -n {storage} delete secret -l 'owner=helm,name={release},"
                "status in (pending-install,pending-upgrade,pending-rollback)'",
                dangerous=True,
            )
        )
    return Explanation(
        set(),
        f"{cause.message}: the release is locked by an unfinished Helm operation",
        list(cause.evidence),
        steps,
    )


def _release_name(ctx: RuleContext, cause: Finding) -> str:
    """Helm's name for the release of a HelmRelease: ``spec.releaseName``, else ``<targetNamespace>-<name>``
    when a target namespace is set, else the HelmRelease's name."""
    hr = ctx.resource(cause.object)
    if hr is None or hr.kind != "HelmRelease":
        return cause.object.name
    if hr.spec.get("releaseName"):
        return str(hr.spec["releaseName"])
    target = hr.spec.get("targetNamespace")
    return f"{target}-{hr.name}" if target and target != hr.namespace else hr.name


def _pending_secret(ctx: RuleContext, cause: Finding) -> Resource | None:
    """The Helm storage Secret (``owner=helm``) of the release in a ``pending-*`` status, newest version."""
    hr = ctx.resource(cause.object)
    name = _release_name(ctx, cause)
    storage = {cause.object.namespace}
    if hr is not None:
        storage |= {str(hr.spec.get("storageNamespace") or hr.spec.get("targetNamespace") or hr.namespace)}
    found = [
        s
        for s in ctx.index.all(kinds.SECRET)
        if s.namespace in storage
        and s.labels.get("owner") == "helm"
        and s.labels.get("name") == name
        and str(s.labels.get("status") or "").startswith("pending-")
    ]
    return (
        max(
            found,
            key=lambda s: (
                int(s.labels.get("version") or 0) if str(s.labels.get("version") or "").isdigit() else 0
            ),
        )
        if found
        else None
    )
