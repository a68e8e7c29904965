from __future__ import annotations

import difflib
from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("ks-path-missing", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def ks_path_missing(ctx: ScanContext) -> Iterator[Finding]:
    """Flux Kustomization ``spec.path`` does not exist in the repository.

    Reads every Flux ``Kustomization`` whose ``sourceRef`` is this repository (the bootstrap
    ``GitRepository`` ``flux-system``, or one with the same URL) and resolves ``spec.path`` from the
    repository root, as kustomize-controller does from the source artifact root. A path that is missing
    or is a file makes the Kustomization fail with ``kustomization path not found`` and nothing under it
    is applied. Paths that still contain ``${VAR}`` after substitution are skipped.

    Next step: fix ``spec.path`` (relative to the repository root, starting with ``./``) or create the
    directory; ``flux build kustomization <name> --path <dir>`` shows what it would apply.
    """
    for ks in ctx.graph.kustomizations:
        if not ks.local or ks.path is None or not ks.reached:
            continue
        line = ks.doc.line_of("spec", "path")
        if ks.path.startswith(".."):
            problem = "points outside the repository"
        elif ks.path in ctx.repo.files:
            problem = "is a file, not a directory"
        elif not ctx.repo.is_dir(ks.path):
            problem = "does not exist in the repository"
        else:
            continue
        evidence = [f"spec.path: {ks.raw_path!r} (resolved to ./{ks.path})", f"sourceRef: {ks.source}"]
        close = difflib.get_close_matches(ks.path, sorted(d for d in ctx.repo.dirs if d), n=2, cutoff=0.75)
        if close:
            evidence.append("similar directories: " + ", ".join(f"./{c}" for c in close))
        yield ctx.finding(
            ks.doc,
            f"Kustomization {ks.label} path {ks.raw_path!r} {problem}, so nothing under it is applied",
            evidence=evidence,
            hint=f"Fix spec.path in {ks.doc.path} (relative to the repository root) or create the directory; "
            f"then `flux build kustomization {ks.name} --path ./<dir>` to preview",
            line=line,
        )
