from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("source-ref-missing", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def source_ref_missing(ctx: ScanContext) -> Iterator[Finding]:
    """Flux Kustomization ``sourceRef`` points at a source that is not defined in the repository.

    Reads ``spec.sourceRef`` (kind, name, namespace defaulting to the Kustomization's) of every Flux
    Kustomization and looks it up among the ``GitRepository``/``OCIRepository``/``Bucket`` objects in the
    repository. The bootstrap ``flux-system`` GitRepository counts when its manifest (gotk-sync.yaml) is
    in the repo. kustomize-controller reports ``Source '<kind>/<ns>/<name>' not found`` and applies
    nothing.

    Next step: fix ``sourceRef`` (kind, name and namespace) or add the source manifest.
    """
    for ks in ctx.graph.kustomizations:
        ref = ks.source
        if not ks.reached or ref is None or "${" in ref.name or ctx.graph.source(ref) is not None:
            continue
        similar = [f"{k} {ns}/{n}" for (k, ns, n) in ctx.graph.sources if n == ref.name]
        evidence = [f"spec.sourceRef: {ref}"]
        if similar:
            evidence.append("defined as: " + ", ".join(similar))
        yield ctx.finding(
            ks.doc,
            f"Kustomization {ks.label} reads from {ref}, which is not defined in the repo",
            evidence=evidence,
            hint="Fix spec.sourceRef (kind, name, namespace) or add the source manifest",
            line=ks.doc.line_of("spec", "sourceRef"),
        )
