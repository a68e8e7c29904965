from __future__ import annotations

from collections.abc import Iterator

from homelabctl.k8s import fluxspec
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("helmrelease-depends-on-missing", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def helmrelease_depends_on_missing(ctx: ScanContext) -> Iterator[Finding]:
    """HelmRelease ``dependsOn`` names a HelmRelease that is not defined in the repository.

    Reads ``spec.dependsOn`` of every HelmRelease (the namespace defaults to the HelmRelease's own,
    after kustomize and Flux ``targetNamespace`` overrides) and looks the target up among the repository's
    HelmReleases. helm-controller keeps the release waiting (``dependency ... not found``) forever.

    Next step: fix the name/namespace in ``dependsOn`` or add the missing HelmRelease.
    """
    releases = {(hr.namespace, hr.name) for hr in ctx.graph.helm_releases}
    for hr in ctx.graph.helm_releases:
        if not ctx.applied(hr.doc):
            continue
        for dep in fluxspec.dependencies(hr.doc.data):
            if "${" in dep.name:
                continue
            i = dep.index
            namespace = dep.namespace or hr.namespace
            if (namespace, dep.name) in releases:
                continue
            yield ctx.finding(
                hr.doc,
                f"HelmRelease {hr.namespace}/{hr.name} depends on {namespace}/{dep.name}, which no "
                f"HelmRelease in the repo defines, so it is never installed",
                evidence=[f"spec.dependsOn[{i}]: {namespace}/{dep.name}"],
                hint="Fix spec.dependsOn (name and namespace) or add the missing HelmRelease",
                line=hr.doc.line_of("spec", "dependsOn", i),
            )
