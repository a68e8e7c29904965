from __future__ import annotations

from collections.abc import Iterator

from homelabctl.k8s import flux
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule

_KINDS = ("Kustomization", "HelmRelease", "GitRepository", "HelmRepository", "OCIRepository", "Bucket")


@rule("flux-suspended-in-git", layer=Layer.PLATFORM, severity=Severity.WARNING)
def flux_suspended_in_git(ctx: ScanContext) -> Iterator[Finding]:
    """A Flux object is committed with ``spec.suspend: true``: Git itself tells Flux to ignore Git.

    Reads ``spec.suspend`` on the Flux Kustomizations, HelmReleases and sources the repository applies.
    ``flux suspend`` is an emergency measure taken on the cluster; written into the repository it survives
    every reconcile, every re-bootstrap and every restore, so the object keeps whatever was last applied
    and no later commit reaches it. The cluster check ``flux-suspended`` sees a suspension on the cluster;
    this rule sees the one that Git will put back after ``flux resume``.

    Next step: delete ``suspend: true`` from the manifest (or set it to false) and commit; if the pin is
    deliberate, record why in the ignore file so the next reader knows.
    """
    for doc in ctx.objects(*_KINDS):
        if ".toolkit.fluxcd.io/" not in doc.api_version or not flux.suspended(doc.data):
            continue
        yield ctx.finding(
            doc,
            f"{doc.kind} {doc.namespace or 'flux-system'}/{doc.name} is committed with spec.suspend: true, "
            "so Flux never applies a later commit to it, even after `flux resume`",
            evidence=["spec.suspend: true"],
            hint="Remove `suspend: true` from the manifest and commit (or ignore the finding with a reason "
            "when the pin is deliberate)",
        )
