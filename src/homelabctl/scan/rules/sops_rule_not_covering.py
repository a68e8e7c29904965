from __future__ import annotations

import re
from collections.abc import Iterator

import msgspec

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc, RepoFile
from homelabctl.scan.walk import iter_parents


class CreationRule(msgspec.Struct, frozen=True):
    index: int
    line: int
    path_regex: str | None
    encrypted_regex: str | None
    unencrypted_regex: str | None


def _rules(file: RepoFile) -> list[CreationRule] | None:
    if not file.docs or not isinstance(file.docs[0].data, dict):
        return None
    doc = file.docs[0]
    out = []
    for i, item in enumerate(doc.data.get("creation_rules") or []):
        if isinstance(item, dict):
            out.append(
                CreationRule(
                    i,
                    doc.line_of("creation_rules", i),
                    str(item["path_regex"]) if item.get("path_regex") is not None else None,
                    str(item["encrypted_regex"]) if item.get("encrypted_regex") is not None else None,
                    str(item["unencrypted_regex"]) if item.get("unencrypted_regex") is not None else None,
                )
            )
    return out


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


@rule("sops-rule-not-covering", layer=Layer.SECURITY, severity=Severity.WARNING)
def sops_rule_not_covering(ctx: ScanContext) -> Iterator[Finding]:
    """``.sops.yaml`` creation rules do not cover a file that holds a Secret.

    For every file with a ``Secret`` (encrypted or not), finds the nearest ``.sops.yaml`` above it and
    applies its ``creation_rules`` the way sops does: the first rule whose ``path_regex`` matches the
    file's path relative to the ``.sops.yaml`` (a rule without ``path_regex`` matches everything) wins.
    With no matching rule ``sops --encrypt`` fails with "no matching creation rules found", which is how a
    Secret ends up committed in clear "for now". A rule whose ``encrypted_regex``/``unencrypted_regex``
    leaves ``data``/``stringData`` unencrypted is reported too. Silent when the repo has no
    ``.sops.yaml``.

    Next step: add or widen a creation rule, e.g. ``path_regex: .*\\.sops\\.ya?ml$`` or
    ``path_regex: clusters/.*`` with ``encrypted_regex: ^(data|stringData)$``.
    """
    configs = {f.dir: f for f in ctx.repo.files.values() if f.name == ".sops.yaml"}
    if not configs:
        return
    parsed = {d: _rules(f) for d, f in configs.items()}
    seen: set[str] = set()
    secret_docs: list[Doc] = [d for d in ctx.repo.of_kind("Secret") if d.api_version == "v1"]
    secret_docs += [d for d in ctx.repo.objects if d.sops_encrypted and d.kind != "Secret"]
    for doc in secret_docs:
        if doc.path in seen:
            continue
        seen.add(doc.path)
        base = next((p for p in iter_parents(doc.path) if p in configs), None)
        if base is None:
            continue
        config = configs[base]
        rules = parsed[base]
        if rules is None:
            continue
        rel = doc.path[len(base) + 1 :] if base else doc.path
        match = next((r for r in rules if r.path_regex is None or _search(r.path_regex, rel)), None)
        if match is None:
            yield ctx.finding(
                doc,
                f"No creation rule in {config.path} matches {rel}, so `sops --encrypt` refuses this "
                f"{doc.kind} file",
                evidence=[
                    f"path_regex tried: {', '.join(repr(r.path_regex) for r in rules) or '(no rules)'}",
                    f"file: {rel} (relative to {config.path})",
                ],
                hint=f"Add a creation rule whose path_regex matches {rel} (with encrypted_regex: "
                f"^(data|stringData)$) in {config.path}",
            )
            continue
        leaks = []
        for field in ("data", "stringData"):
            if match.encrypted_regex is not None and not _search(match.encrypted_regex, field):
                leaks.append(f"encrypted_regex {match.encrypted_regex!r} does not match {field!r}")
            if match.unencrypted_regex is not None and _search(match.unencrypted_regex, field):
                leaks.append(f"unencrypted_regex {match.unencrypted_regex!r} matches {field!r}")
        if leaks and doc.kind == "Secret":
            yield ctx.finding(
                doc,
                f"The creation rule in {config.path} that covers {rel} leaves the Secret's values unencrypted",
                evidence=[f"creation_rules[{match.index}] (line {match.line})", *leaks],
                hint="Use encrypted_regex: ^(data|stringData)$ for Kubernetes Secrets",
            )
