from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.redact import mask
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc, RepoFile
from homelabctl.scan.rules._common import pod_spec
from homelabctl.scan.secrets import scan_text, sensitive_env_values

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

    Scans every text file the repository tracks (manifests, Helm values, scripts, docs, .env files) for
    private key blocks, well-known token formats (GitHub ``ghp_``/``github_pat_``, GitLab ``glpat-``,
    Slack ``xoxb-``/``xoxp-``, AWS ``AKIA``, age ``AGE-SECRET-KEY-``...) and password-like assignments
    (``password: ...``, ``DB_PASSWORD=...``; placeholders, ``${VAR}`` references and SOPS ``ENC[...]``
    values are skipped), plus literal values of container env vars whose names say they are secrets.
    Kubernetes Secrets are left to ``plain-secret``. The value is shown masked (first 4 characters).

    Seed: credentials handled by hand across sessions (MinIO secrets, Grafana admin, the SOPS age key).

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
            reported.add(number)
            doc = _doc_at(file, number)
            obj: Doc | ObjectRef = doc if doc is not None and doc.is_object else ObjectRef("File", None, path)
            yield ctx.finding(
                obj,
                f"{match.what} committed in clear in {path}:{number}",
                evidence=[f"line {number}: {match.masked}"],
                hint="Move it to a SOPS-encrypted Secret and reference it; rotate it (it is in git history)",
                file=path,
                line=number,
                doc=doc,
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
                reported.add(line)
                yield ctx.finding(
                    doc,
                    f"{doc.kind} {doc.name} sets {name} to a literal secret in {path}:{line}",
                    evidence=[f"{name}: {mask(value)}"],
                    hint=f"Use valueFrom.secretKeyRef to a SOPS-encrypted Secret instead of a literal {name}; "
                         f"rotate the value",
                    line=line,
                )
