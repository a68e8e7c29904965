from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.redact import SENSITIVE_KEY_RE
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.rules._common import as_dict, is_enc
from homelabctl.scan.secrets import (
    Strength,
    decode_secret_value,
    fingerprint,
    is_placeholder,
    judge_secret_value,
)


@rule("plain-secret", layer=Layer.SECURITY, severity=Severity.CRITICAL)
def plain_secret(ctx: ScanContext) -> Iterator[Finding]:
    """A Kubernetes Secret is committed in plain text (not SOPS-encrypted).

    Reads every ``Secret`` manifest in the repository, applied or not (git keeps it either way). A Secret
    is encrypted when SOPS wrote its ``sops:`` metadata block and its values are ``ENC[...]``; otherwise
    every ``data`` (base64 is an encoding, not encryption) and ``stringData`` value is readable by anyone
    who can read the repository, its forks and its history. Each value is decoded and judged: a known
    credential format inside it (a K3s join token, an age key...) is named. Only key names and value
    lengths are shown. Values that are Flux ``${VAR}`` references do not count; a Secret whose values
    are all placeholders (``CHANGEME``, ``<password>``, ``REPLACE_ME``; plain values under keys that do not
    name a secret, such as ``client-id: grafana``, count as neither) is a template: info, not critical.

    Next step: ``sops --encrypt --in-place <file>`` (with a ``.sops.yaml`` rule covering it), make the
    Flux Kustomization decrypt (``spec.decryption.provider: sops``), and rotate the value: it is in the
    git history now.
    """
    for doc in ctx.repo.of_kind("Secret"):
        if doc.api_version != "v1" or doc.sops_encrypted:
            continue
        readable: list[str] = []
        real = 0
        prints: list[str] = []
        first_line = 0
        for field, encoded in (("data", True), ("stringData", False)):
            for key, value in as_dict(doc.data.get(field)).items():
                if value in (None, "") or is_enc(value):
                    continue
                raw = decode_secret_value(value, base64_encoded=encoded)
                if raw is None:
                    placeholder = is_placeholder(str(value))
                    readable.append(
                        f"{field}.{key}: " + ("placeholder" if placeholder else "not valid base64")
                    )
                    real += 0 if placeholder else 1
                    first_line = first_line or doc.line_of(field, str(key))
                    continue
                verdict = judge_secret_value(raw, str(key), doc.name)
                label = f"{field}.{key}: {len(raw)} bytes"
                if verdict.placeholder:
                    label += " (placeholder)"
                elif verdict.strength is Strength.WEAK and not SENSITIVE_KEY_RE.search(str(key)):
                    label += " (not a secret-named key)"  # client-id: grafana, username: admin
                else:
                    real += 1
                    prints.append(fingerprint(f"{doc.path}:{key}", raw.hex()))
                    if verdict.what:
                        label += f" ({verdict.what})"
                readable.append(label)
                first_line = first_line or doc.line_of(field, str(key))
        if not readable:
            continue
        shown = readable[:6] + ([f"... {len(readable) - 6} more key(s)"] if len(readable) > 6 else [])
        name = f"{ctx.graph.namespace_of(doc) or 'default'}/{doc.name}"
        if real:
            yield ctx.finding(
                doc,
                f"Secret {name} is committed in plain text ({real} readable value(s), no SOPS encryption)",
                evidence=shown,
                hint=f"`sops --encrypt --in-place {doc.path}` (a .sops.yaml creation rule must cover it), set "
                f"decryption.provider: sops on the Flux Kustomization, and rotate the values",
                line=first_line or doc.line,
                fingerprint=":".join(sorted(prints)),
            )
        else:
            yield ctx.finding(
                doc,
                f"Secret {name} is an unencrypted template: every value is a placeholder",
                evidence=shown,
                hint=f"Fine as a template; encrypt it (`sops --encrypt --in-place {doc.path}`) before putting "
                f"real values in, or generate it from a SOPS-encrypted source",
                line=first_line or doc.line,
                severity=Severity.INFO,
            )
