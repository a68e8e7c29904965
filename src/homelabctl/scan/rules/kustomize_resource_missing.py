from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("kustomize-resource-missing", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def kustomize_resource_missing(ctx: ScanContext) -> Iterator[Finding]:
    """A kustomization.yaml lists a resource, component, patch or generator file that does not exist.

    Reads every ``kustomization.yaml`` in the repository and resolves ``resources``, ``components``,
    ``crds``, ``patches[].path``, ``patchesStrategicMerge``, ``patchesJson6902[].path``, generator
    ``files``/``envs`` and ``configurations`` against the directory it sits in. A missing entry, a
    directory without its own kustomization.yaml, or a path that leaves the repository makes
    ``kustomize build`` (and so the Flux Kustomization that builds it) fail as a whole.

    Next step: fix or remove the entry; ``kubectl kustomize <dir>`` reproduces the error locally.
    """
    for directory in ctx.graph.all_kustomize_dirs():
        kd = ctx.graph.kz.dir(directory)
        if kd.doc is None or (ctx.graph.kustomizations and kd.doc.path not in ctx.graph.reached_files):
            continue
        for missing in kd.missing:
            yield ctx.finding(
                ObjectRef("Kustomization", None, directory or "."),
                f"{kd.doc.path} lists {missing.field} entry {missing.entry!r}, which {missing.why}",
                evidence=[f"{missing.field}: {missing.entry}", f"resolved from ./{directory or ''}"],
                hint=f"Fix or remove the entry, then `kubectl kustomize ./{directory}` to check the build",
                doc=kd.doc,
                line=missing.line,
            )
