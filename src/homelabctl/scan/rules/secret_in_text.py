from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.redact import mask
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc, RepoFile
from homelabctl.scan.rules._common import pod_spec
from homelabctl.scan.secrets import (
    SecretMatch,
    Strength,
    fingerprint,
    looks_random,
    scan_text,
    sensitive_env_values,
    severity_for,
)

_SKIP_FILES = (".sops.yaml",)


def _doc_at(file: RepoFile, line: int) -> Doc | None:
    for doc in file.docs:
        if doc.line <= line <= doc.end_line:
            return doc
    return None


def _skipped_ranges(file: RepoFile) -> list[tuple[int, int]]:
    """Secrets are plain-secret's business; SOPS files hold ciphertext, not secrets."""
    ranges = []
    for doc in file.docs:
        if doc.sops_encrypted or (doc.is_object and doc.kind == "Secret"):
            ranges.append((doc.line - 1, doc.end_line))
    return ranges


@rule("secret-in-text", layer=Layer.SECURITY, severity=Severity.CRITICAL)
def secret_in_text(ctx: ScanContext) -> Iterator[Finding]:
    """A private key, access token or password is committed in clear in a text file.

    Scans every text file the repository tracks (manifests, Helm values, scripts, docs, .env files) with
    detect-secrets' detectors (private keys, GitHub, GitLab, Slack, Stripe, AWS, JWT, npm, PyPI...) and
    the homelab formats it lacks: K3s server and agent join tokens (``K10...::server:...``, also
    base64-encoded), age secret keys, Tailscale auth keys, Cloudflare API tokens, B2 and S3 keys, Authentik
    and oauth2-proxy secrets, WireGuard private keys, passwords in URLs and in ``PGPASSWORD=``/``--password``
    forms, and values of secret-named keys (a UUID there is a secret: Proxmox token secrets are UUIDs). Placeholders (``PLACEHOLDER``, ``CHANGEME``, ``YOUR_..._HERE``, ``<...>``),
    references (``${VAR}``, ``\\${VAR}``, ``$VAR``, ``{{ .Values.x }}``, ``!env_var X``), command
    substitutions (``$(openssl rand -hex 32)``) and prose are not secrets. Critical: a credential format,
    or a long random value under a secret-named key; warning: a typed password, a password hash, or a
    random value in documentation, examples or tests. Kubernetes Secrets are left to ``plain-secret``. The value is shown
    masked (first 4 characters).

    Next step: move the value into a SOPS-encrypted Secret and reference it (``secretKeyRef``,
    ``valuesFrom``), rotate it, and purge it from history (``git filter-repo``) if the repo is shared.
    """
    for path, file in sorted(ctx.repo.files.items()):
        if file.text is None or file.name in _SKIP_FILES:
            continue
        skip = _skipped_ranges(file) if file.docs else []
        reported: set[int] = set()
        for number, match in scan_text(file.text):
            if any(start < number <= end for start, end in skip) or number in reported:
                continue
            severity = severity_for(match, path)
            if severity is None:
                continue
            reported.add(number)
            doc = _doc_at(file, number)
            obj: Doc | ObjectRef = doc if doc is not None and doc.is_object else ObjectRef("File", None, path)
            kind = "" if match.strength is not Strength.WEAK else " (a typed value: weak, or test data)"
            yield ctx.finding(
                obj,
                f"{match.what} committed in clear in {path}:{number}{kind}",
                evidence=[f"line {number}: {match.masked}"],
                hint=_hint(match),
                file=path,
                line=number,
                doc=doc,
                severity=severity,
                fingerprint=fingerprint(path, match.value),
            )
        for doc in file.docs:
            found = pod_spec(doc) if doc.is_object else None
            if found is None:
                continue
            spec, prefix = found
            for name, value, sub in sensitive_env_values(spec):
                line = doc.line_of(*prefix, *sub)
                if line in reported:
                    continue
                strength = Strength.RANDOM if looks_random(value) else Strength.WEAK
                severity = severity_for(SecretMatch(name, value, 0, strength), path)
                if severity is None:
                    continue
                reported.add(line)
                yield ctx.finding(
                    doc,
                    f"{doc.kind} {doc.name} sets {name} to a literal secret in {path}:{line}",
                    evidence=[f"{name}: {mask(value)}"],
                    hint=f"Use valueFrom.secretKeyRef to a SOPS-encrypted Secret instead of a literal {name}; "
                    f"rotate the value",
                    line=line,
                    severity=severity,
                    fingerprint=fingerprint(path, value),
                )


def _hint(match: SecretMatch) -> str:
    if match.what.startswith("K3s"):
        return (
            "Rotate it (`k3s token rotate` on a server, then update every node's config), keep it in a "
            "SOPS-encrypted file, and purge it from history (`git filter-repo --replace-text`)"
        )
    return "Move it to a SOPS-encrypted Secret and reference it; rotate it (it is in git history)"
