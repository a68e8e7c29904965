from __future__ import annotations

from collections.abc import Iterator

from homelabctl.k8s import fluxspec
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("values-from-missing", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def values_from_missing(ctx: ScanContext) -> Iterator[Finding]:
    """HelmRelease ``valuesFrom`` or Kustomization ``substituteFrom`` names a Secret/ConfigMap nothing creates.

    Reads ``spec.valuesFrom`` of every HelmRelease and ``spec.postBuild.substituteFrom`` of every Flux
    Kustomization (entries marked ``optional: true`` are skipped) and looks for something in the repo that
    produces that Secret or ConfigMap in the right namespace: a manifest (SOPS-encrypted or not), a
    kustomize ``secretGenerator``/``configMapGenerator``, a SealedSecret, an ExternalSecret target or a
    cert-manager Certificate ``secretName``. If none does, Flux fails the release with ``could not find
    Secret '<ns>/<name>'`` unless someone created it by hand, which the next rebuild will not do.

    Next step: commit the Secret SOPS-encrypted (``sops --encrypt``) next to the HelmRelease, or mark the
    reference ``optional: true`` if the chart works without it.
    """
    for hr in ctx.graph.helm_releases:
        if not ctx.applied(hr.doc):
            continue
        for ref in fluxspec.values_sources(hr.doc.data):
            if ref.optional:
                continue
            i, kind = ref.index, ref.kind
            name = ctx.graph.resolve(hr.doc, ref.name)
            if "${" in name or ctx.graph.produces(kind, hr.namespace, name):
                continue
            key = f" (key {ref.values_key})" if ref.values_key else ""
            yield ctx.finding(
                hr.doc,
                f"HelmRelease {hr.namespace}/{hr.name} reads values from {kind} {hr.namespace}/{name}, which "
                f"nothing in the repo creates",
                evidence=[f"spec.valuesFrom[{i}]: {kind}/{name}{key}"],
                hint=f"Commit the {kind} (SOPS-encrypted if it is a Secret) in namespace {hr.namespace}, or set "
                f"`optional: true` if the chart works without it",
                line=hr.doc.line_of("spec", "valuesFrom", i),
            )
    for ks in ctx.graph.kustomizations:
        if not ks.reached:
            continue
        for kind, name, optional, line in ks.substitute_from:
            if optional or "${" in name or ctx.graph.produces(kind, ks.namespace, name):
                continue
            yield ctx.finding(
                ks.doc,
                f"Kustomization {ks.label} substitutes variables from {kind} {ks.namespace}/{name}, which "
                f"nothing in the repo creates",
                evidence=[f"spec.postBuild.substituteFrom: {kind}/{name}"],
                hint=f"Commit the {kind} in namespace {ks.namespace} (applied by a Kustomization this one "
                f"dependsOn), or set `optional: true`",
                line=line,
            )
