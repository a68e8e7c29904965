from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("yaml-duplicate-key", layer=Layer.PLATFORM, severity=Severity.WARNING)
def yaml_duplicate_key(ctx: ScanContext) -> Iterator[Finding]:
    """A YAML mapping has the same key twice.

    Noted while each document is parsed, for every YAML file in the repository. PyYAML and Helm keep the
    last value silently, so the file "works" when read by hand; kustomize (hence Flux) rejects it with
    ``mapping key "<key>" already defined``, and where it is accepted the first value is lost without a
    word, often the one that was just edited.

    Next step: keep one of the two keys (merge their content if both are mappings).
    """
    for doc in ctx.repo.docs:
        if doc.is_object and not doc.is_kustomize_config and not ctx.applied(doc):
            continue
        for dup in doc.duplicates:
            yield ctx.finding(
                doc,
                f"Key {dup.key!r} appears twice in the same mapping (lines {dup.first_line} and {dup.line}); "
                f"kustomize rejects the file and other readers keep only the last value",
                evidence=[f"line {dup.first_line}: {dup.key}:", f"line {dup.line}: {dup.key}:"],
                hint=f"Remove one of the two {dup.key!r} keys in {doc.path}",
                line=dup.line,
            )
