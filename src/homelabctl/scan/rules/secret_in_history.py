from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.scan.history import HistoryError, scan_history
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import ScanError
from homelabctl.scan.rules._common import as_dict
from homelabctl.scan.secrets import decode_secret_value, fingerprint, scan_text


def _current_fingerprints(ctx: ScanContext, paths: set[str]) -> set[str]:
    """Secrets still in the work tree: those are reported by secret-in-text and plain-secret already."""
    out: set[str] = set()
    for path in paths:
        file = ctx.repo.files.get(path)
        if file is None or file.text is None:
            continue
        for _line, match in scan_text(file.text):
            out.add(fingerprint(path, match.value))
        for doc in file.docs:
            if doc.kind != "Secret" or doc.sops_encrypted:
                continue
            name = f"{doc.namespace or 'default'}/{doc.name or '?'}"
            for field, encoded in (("data", True), ("stringData", False)):
                for key, value in as_dict(doc.data.get(field)).items():
                    raw = decode_secret_value(value, base64_encoded=encoded)
                    if raw:
                        out.add(fingerprint(f"{path}:{name}:{key}", raw.hex()))
    return out


@rule("secret-in-history", layer=Layer.SECURITY, severity=Severity.CRITICAL, history=True)
def secret_in_history(ctx: ScanContext) -> Iterator[Finding]:
    """A secret was committed in clear at some point and is still in the git history (``--history``).

    Reads every commit reachable from any ref (``git log -p --all``, with the repository's git config
    neutralised) and runs the ``secret-in-text`` detectors over the lines each commit added; YAML files
    whose added lines look like Secret content are read whole at that commit (``git cat-file``) to find
    plain Kubernetes Secrets. Each secret is reported once, with the commit that first added it, and only
    when the work tree no longer holds it (otherwise ``secret-in-text``/``plain-secret`` already report
    it). Deleting a file does not un-leak it: every clone, fork and CI cache keeps the history, so a
    real-looking secret is critical until it is rotated; a typed password is a warning.

    Next step: rotate the credential first (that is what closes it); then, if the repository is or was
    shared, rewrite history (``git filter-repo --replace-text``) and force-push.
    """
    try:
        history = scan_history(ctx.repo.root, limit=ctx.options.history_limit)
    except HistoryError as exc:
        ctx.errors.append(ScanError("(git history)", None, str(exc)))
        return
    current = _current_fingerprints(ctx, {h.path for h in history.hits})
    for hit in history.hits:
        if hit.fingerprint in current:
            continue
        obj = (
            ObjectRef("Secret", *hit.object_name.split("/", 1))
            if hit.object_name
            else ObjectRef("Commit", None, hit.commit.short)
        )
        still = "a file that still exists" if hit.path in ctx.repo.files else "a file deleted since"
        yield ctx.finding(
            obj,
            f"{hit.what} was committed in clear in {hit.commit.short} ({hit.path}, {still}) and is still "
            f"in the git history",
            evidence=[
                f"commit {hit.commit.sha} {hit.commit.date}: {hit.commit.subject}",
                f"{hit.path}:{hit.line}: {hit.masked}",
            ],
            hint="Rotate it: anyone with a clone has it. Then purge it with `git filter-repo --replace-text` "
            "and force-push if the repo is shared",
            file=hit.path,
            line=hit.line,
            severity=hit.severity,
            fingerprint=hit.fingerprint,
        )
