from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("ks-decryption-missing", layer=Layer.SECURITY, severity=Severity.CRITICAL)
def ks_decryption_missing(ctx: ScanContext) -> Iterator[Finding]:
    """A Flux Kustomization applies SOPS-encrypted files without ``decryption.provider: sops``.

    For every Flux Kustomization, looks at the documents it applies (following its path and
    kustomization.yaml trees) for SOPS metadata. Without ``spec.decryption`` kustomize-controller applies
    the ``ENC[...]`` strings as they are: the Secret is rejected (``illegal base64 data``) or, with
    ``stringData``, created holding ciphertext, and the app that reads it fails. Decryption is per
    Kustomization, so one that lacks it breaks only the namespaces it applies.

    Next step: add ``spec.decryption: {provider: sops, secretRef: {name: sops-age}}`` to the Kustomization
    (the ``sops-age`` Secret holds the age key in flux-system).
    """
    for ks in ctx.graph.kustomizations:
        if ks.decryption_provider == "sops":
            continue
        encrypted = sorted({p.doc.path for p in ks.objects if p.doc.sops_encrypted})
        if not encrypted:
            continue
        shown = ", ".join(encrypted[:3]) + (f" and {len(encrypted) - 3} more" if len(encrypted) > 3 else "")
        provider = (
            f"decryption.provider: {ks.decryption_provider}"
            if ks.decryption_provider
            else "no spec.decryption"
        )
        yield ctx.finding(
            ks.doc,
            f"Kustomization {ks.label} applies {len(encrypted)} SOPS-encrypted file(s) but does not decrypt "
            f"them, so the Secrets reach the cluster as ciphertext or fail to apply",
            evidence=[provider, f"encrypted: {shown}"],
            hint="Add `decryption: {provider: sops, secretRef: {name: sops-age}}` to the Kustomization spec",
            line=ks.doc.line_of("spec"),
        )
