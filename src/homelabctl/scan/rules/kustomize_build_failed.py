from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.scan.kustomize import kustomization_file
from homelabctl.scan.registry import ScanContext, rule


@rule("kustomize-build-failed", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def kustomize_build_failed(ctx: ScanContext) -> Iterator[Finding]:
    """``kubectl kustomize`` fails on a kustomization that a Flux Kustomization builds.

    Trees with patches, replacements or generators are rendered with the real kustomize (``kubectl
    kustomize`` on a private copy of the repository's own files, with kustomize's default load restrictor)
    because their output cannot be reproduced by following files. A patch whose target does not exist, a duplicate
    resource id or a malformed generator fails the build here exactly as it fails in Flux, and nothing of
    that Kustomization is applied. Trees with missing files are reported by ``kustomize-resource-missing``
    instead; trees with remote bases, configurations, transformers, generators or Helm charts are never
    fetched and are listed as "not rendered: remote" input errors. Skipped with ``--no-render``.

    Next step: run the same ``kubectl kustomize <dir>`` locally and fix the entry it names.
    """
    for directory, result in sorted(ctx.graph.render_errors.items()):
        if not result.error or result.not_rendered:
            continue
        rel = kustomization_file(ctx.repo, directory)
        file = ctx.repo.files.get(rel) if rel else None
        doc = file.docs[0] if file and file.docs else None
        yield ctx.finding(
            ObjectRef("Kustomization", None, directory or "."),
            f"kustomize build of ./{directory} fails: {result.error}",
            evidence=[f"kubectl kustomize ./{directory}: {result.error}"],
            hint=f"Run `kubectl kustomize ./{directory}` and fix what it names",
            doc=doc,
            file=rel,
            line=1 if doc is None else None,
        )
