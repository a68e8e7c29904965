from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.scan.registry import ScanContext, rule

_NOT_MANIFESTS = (".sops.yaml", ".homelabctl.yaml", ".pre-commit-config.yaml")


@rule("orphan-yaml", layer=Layer.PLATFORM, severity=Severity.INFO)
def orphan_yaml(ctx: ScanContext) -> Iterator[Finding]:
    """Kubernetes YAML files that no Flux Kustomization or kustomization.yaml reaches (once per directory).

    Follows the Flux graph from the bootstrap Kustomization (or from every kustomization.yaml nobody
    includes, in a repo without Flux) and lists, per directory, the files holding Kubernetes objects that
    nothing applies. They are either dead (and mislead the next person reading the repo, who assumes the
    cluster runs them) or meant to be applied and forgotten in a ``resources:`` list. Files of vendored
    Helm charts and YAML that is not a Kubernetes object are not counted.

    Next step: add the file to its directory's kustomization.yaml ``resources``, or delete it.
    """
    graph = ctx.graph
    if not graph.kustomizations and not graph.all_kustomize_dirs():
        return
    by_dir: dict[str, list[str]] = defaultdict(list)
    for path, file in ctx.repo.files.items():
        if not file.docs or path in graph.reached_files or file.name in _NOT_MANIFESTS:
            continue
        if not any(doc.is_object for doc in file.docs):
            continue
        by_dir[file.dir].append(path)
    for directory, paths in sorted(by_dir.items()):
        paths.sort()
        first = ctx.repo.files[paths[0]]
        kinds = sorted({d.kind for p in paths for d in ctx.repo.files[p].docs if d.is_object})
        shown = ", ".join(p.rsplit("/", 1)[-1] for p in paths[:8]) + (", ..." if len(paths) > 8 else "")
        yield ctx.finding(
            ObjectRef("Directory", None, f"./{directory}" if directory else "."),
            f"{len(paths)} YAML file(s) in ./{directory} are not applied by any Flux Kustomization or "
            f"kustomization.yaml",
            evidence=[f"files: {shown}", f"kinds: {', '.join(kinds)}"],
            hint="Add them to the directory's kustomization.yaml resources (or the Flux Kustomization path), "
            "or delete them",
            doc=first.docs[0],
            line=first.docs[0].line,
        )
