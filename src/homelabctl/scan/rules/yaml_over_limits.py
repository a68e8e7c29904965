from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("yaml-over-limits", layer=Layer.SECURITY, severity=Severity.WARNING)
def yaml_over_limits(ctx: ScanContext) -> Iterator[Finding]:
    """A YAML document expands beyond any real manifest (an alias bomb) or aliases itself, and was not read.

    YAML anchors and aliases let a few hundred bytes stand for billions of nodes ("billion laughs"). The
    scan measures each document with its aliases expanded before anything reads it, and refuses one over
    200,000 nodes or with a recursive alias, instead of running out of memory. The API server refuses such
    a document too (go-yaml: "document contains excessive aliasing"), so it is never applied; in a pull
    request it is at best a mistake and at worst an attack on the tools that read the repository.

    Next step: remove the document, or write the repeated parts out without aliases.
    """
    for path, file in sorted(ctx.repo.files.items()):
        if file.over_limit is None:
            continue
        line, why = file.over_limit
        yield ctx.finding(
            ObjectRef("File", None, path),
            f"{path}: {why}",
            evidence=[f"{path}:{line or 1}: {why}"],
            hint="Remove the document or write it out without aliases; nothing in it was checked",
            file=path,
            line=line or 1,
        )
