from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.rules._common import as_dict, is_enc
from homelabctl.scan.secrets import decode_secret_value


@rule("plain-secret", layer=Layer.SECURITY, severity=Severity.CRITICAL)
def plain_secret(ctx: ScanContext) -> Iterator[Finding]:
    """A Kubernetes Secret is committed in plain text (not SOPS-encrypted).

    Reads every ``Secret`` manifest in the repository, applied or not (git keeps it either way). A Secret
    is encrypted when SOPS wrote its ``sops:`` metadata block and its values are ``ENC[...]``; otherwise
    every ``data`` (base64 is an encoding, not encryption) and ``stringData`` value is readable by anyone
    who can read the repository, its forks and its history. Only key names and value lengths are shown.
    Values that are Flux ``${VAR}`` placeholders do not count.

    Seed: "SOPS: added decryption config but used plain secret as workaround" for oauth2-proxy.

    Next step: ``sops --encrypt --in-place <file>`` (with a ``.sops.yaml`` rule covering it), make the
    Flux Kustomization decrypt (``spec.decryption.provider: sops``), and rotate the value: it is in the
    git history now.
    """
    for doc in ctx.repo.of_kind("Secret"):
        if doc.api_version != "v1" or doc.sops_encrypted:
            continue
        readable: list[str] = []
        first_line = 0
        for field, encoded in (("data", True), ("stringData", False)):
            for key, value in as_dict(doc.data.get(field)).items():
                if value in (None, "") or is_enc(value):
                    continue
                raw = decode_secret_value(value, base64_encoded=encoded)
                size = f"{len(raw)} bytes" if raw is not None else "not valid base64"
                readable.append(f"{field}.{key}: {size}")
                first_line = first_line or doc.line_of(field, str(key))
        if not readable:
            continue
        shown = readable[:6] + ([f"... {len(readable) - 6} more key(s)"] if len(readable) > 6 else [])
        yield ctx.finding(
            doc,
            f"Secret {ctx.graph.namespace_of(doc) or 'default'}/{doc.name} is committed in plain text "
            f"({len(readable)} readable value(s), no SOPS encryption)",
            evidence=shown,
            hint=f"`sops --encrypt --in-place {doc.path}` (a .sops.yaml creation rule must cover it), set "
                 f"decryption.provider: sops on the Flux Kustomization, and rotate the values",
            line=first_line or doc.line,
        )
