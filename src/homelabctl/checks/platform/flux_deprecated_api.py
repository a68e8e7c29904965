from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.model import Finding, Layer, Severity

# kind -> (deprecated apiVersions, the GA apiVersion that replaces them)
DEPRECATED: dict[str, tuple[frozenset[str], str]] = {
    kinds.HELM_RELEASE: (
        frozenset({f"{kinds.FLUX_HELM}/v2beta1", f"{kinds.FLUX_HELM}/v2beta2"}), f"{kinds.FLUX_HELM}/v2"),
    kinds.FLUX_KUSTOMIZATION: (
        frozenset({f"{kinds.FLUX_KS}/v1beta1", f"{kinds.FLUX_KS}/v1beta2"}), f"{kinds.FLUX_KS}/v1"),
    kinds.GIT_REPOSITORY: (
        frozenset({f"{kinds.FLUX_SOURCE}/v1beta1", f"{kinds.FLUX_SOURCE}/v1beta2"}), f"{kinds.FLUX_SOURCE}/v1"),
    kinds.HELM_REPOSITORY: (
        frozenset({f"{kinds.FLUX_SOURCE}/v1beta1", f"{kinds.FLUX_SOURCE}/v1beta2"}), f"{kinds.FLUX_SOURCE}/v1"),
}


@check("flux-deprecated-api", layer=Layer.PLATFORM, severity=Severity.WARNING, any_of=list(DEPRECATED))
def flux_deprecated_api(ctx: CheckContext) -> Iterator[Finding]:
    """Flux object written against a deprecated API version.

    Reads ``apiVersion`` of HelmReleases (``helm.toolkit.fluxcd.io/v2beta1``/``v2beta2``, replaced by
    ``v2``), Kustomizations (``kustomize.toolkit.fluxcd.io/v1beta1``/``v1beta2``, replaced by ``v1``) and
    GitRepositories/HelmRepositories (``source.toolkit.fluxcd.io/v1beta1``/``v1beta2``, replaced by ``v1``).
    Deprecated versions are dropped by later Flux releases: manifests that still use them stop applying after
    a Flux upgrade, which is exactly when nobody is looking at them. In a snapshot taken from the API the
    version is the one the cluster serves, so an old version there means the installed Flux itself is old.

    Seed: the homelab runs every app as a Flux HelmRelease or Kustomization; a Flux upgrade that drops an
    API version breaks all of them at once.

    Next step: update the manifests in Git to the GA version (newer flux CLIs do it with ``flux migrate``);
    if the cluster serves only the old version, upgrade Flux first (``flux check`` shows the installed one).
    """
    for gk, (old_versions, current) in DEPRECATED.items():
        for res in ctx.index.all(gk):
            if res.api_version not in old_versions:
                continue
            yield ctx.finding(
                res,
                f"{res.kind} {res.namespace}/{res.name} uses deprecated apiVersion {res.api_version}; "
                f"the current one is {current}",
                evidence=[f"apiVersion={res.api_version}", f"replacement: {current}"],
                hint=(f"Change apiVersion to {current} in Git (`flux migrate` in newer flux CLIs rewrites it, "
                      "then review field changes); if the cluster serves only the old version, upgrade Flux "
                      "(`flux check`)"),
            )
