"""Cause rule ``helm-release-locked``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import graphrefs
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
        held = graphrefs.helm_storage(pending)
        pending_status = held.status if held is not None else "pending"
        steps.append(
            NextStep(
                f"if there is no revision to roll back to, delete the {pending_status} "
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
    wiring = graphrefs.flux_wiring(hr)
    if wiring.target_namespace == hr.namespace:
        return hr.name  # a target namespace that is its own adds no prefix
    return wiring.release_name


def _pending_secret(ctx: RuleContext, cause: Finding) -> Resource | None:
    """The Helm storage Secret (``owner=helm``) of the release in a ``pending-*`` status, newest version."""
    hr = ctx.resource(cause.object)
    name = _release_name(ctx, cause)
    storage = {cause.object.namespace}
    if hr is not None:
        storage |= {graphrefs.flux_wiring(hr).storage_namespace}
    found = [
        (held.version, s)
        for s in ctx.index.all(kinds.SECRET)
        if s.namespace in storage
        and (held := graphrefs.helm_storage(s)) is not None
        and held.release == name
        and held.status.startswith("pending-")
    ]
    return max(found, key=lambda item: item[0])[1] if found else None
