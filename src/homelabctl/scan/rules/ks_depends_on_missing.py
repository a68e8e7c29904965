from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("ks-depends-on-missing", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def ks_depends_on_missing(ctx: ScanContext) -> Iterator[Finding]:
    """Flux Kustomization ``dependsOn`` names a Kustomization that is not defined in the repository.

    Reads ``spec.dependsOn`` of every Flux Kustomization (the namespace defaults to the Kustomization's
    own) and looks the target up among the Flux Kustomizations found in the repository. kustomize-controller
    waits for a dependency that never appears (``dependency '<ns>/<name>' not found``) and never applies
    the dependent Kustomization. A same-named Kustomization in another namespace is shown, since a missing
    ``namespace:`` is the usual cause.

    Next step: fix the name/namespace in ``dependsOn`` or add the missing Kustomization.
    """
    known = ctx.graph.ks_by_key
    for ks in ctx.graph.kustomizations:
        if not ks.reached:
            continue
        for namespace, name, line in ks.depends_on:
            if (namespace, name) in known or "${" in name:
                continue
            elsewhere = [k.label for (ns, n), k in known.items() if n == name and ns != namespace]
            evidence = [f"spec.dependsOn: {namespace}/{name}"]
            if elsewhere:
                evidence.append("defined in another namespace: " + ", ".join(elsewhere))
            yield ctx.finding(
                ks.doc,
                f"Kustomization {ks.label} depends on {namespace}/{name}, which no Kustomization in the repo "
                f"defines, so it never reconciles",
                evidence=evidence,
                hint="Fix spec.dependsOn (name and namespace) or add the missing Kustomization",
                line=line,
            )
