from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.knowledge.apis import controller_deprecation
from homelabctl.model import Finding, Layer, Nature, Severity

FLUX_KINDS = (
    kinds.HELM_RELEASE,
    kinds.FLUX_KUSTOMIZATION,
    kinds.GIT_REPOSITORY,
    kinds.HELM_REPOSITORY,
    kinds.OCI_REPOSITORY,
)


@check(
    "flux-deprecated-api",
    layer=Layer.PLATFORM,
    severity=Severity.WARNING,
    any_of=list(FLUX_KINDS),
    nature=Nature.CONFIGURATION,
)
def flux_deprecated_api(ctx: CheckContext) -> Iterator[Finding]:
    """Flux object written against a deprecated API version.

    Reads ``apiVersion`` of HelmReleases (``helm.toolkit.fluxcd.io/v2beta1``/``v2beta2``, replaced by
    ``v2``), Kustomizations (``kustomize.toolkit.fluxcd.io/v1beta1``/``v1beta2``, replaced by ``v1``) and
    GitRepositories/HelmRepositories (``source.toolkit.fluxcd.io/v1beta1``/``v1beta2``, replaced by ``v1``)
    and OCIRepositories (``v1beta1``, replaced by ``v1beta2``): the same table the ``deprecated-api`` scan
    rule reads.
    Deprecated versions are dropped by later Flux releases: manifests that still use them stop applying after
    a Flux upgrade, which is exactly when nobody is looking at them. In a snapshot taken from the API the
    version is the one the cluster serves, so an old version there means the installed Flux itself is old.

    Next step: update the manifests in Git to the GA version (newer flux CLIs do it with ``flux migrate``);
    if the cluster serves only the old version, upgrade Flux first (``flux check`` shows the installed one).
    """
    for gk in FLUX_KINDS:
        for res in ctx.index.all(gk):
            deprecation = controller_deprecation(res.api_version, res.kind)
            if deprecation is None:
                continue
            current = deprecation.replacement
            yield ctx.finding(
                res,
                f"{res.kind} {res.namespace}/{res.name} uses deprecated apiVersion {res.api_version}; "
                f"the current one is {current}",
                evidence=[f"apiVersion={res.api_version}", f"replacement: {current}"],
                hint=(
                    f"Change apiVersion to {current} in Git (`flux migrate` in newer flux CLIs rewrites it, "
                    "then review field changes); if the cluster serves only the old version, upgrade Flux "
                    "(`flux check`)"
                ),
            )
