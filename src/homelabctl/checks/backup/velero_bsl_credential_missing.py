from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.backup._common import bsl_endpoint
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import meta, velero
from homelabctl.model import Finding, Layer, Nature, Severity


@check(
    "velero-bsl-credential-missing",
    layer=Layer.BACKUP,
    severity=Severity.CRITICAL,
    requires=[kinds.BACKUP_STORAGE_LOCATION, kinds.SECRET],
    nature=Nature.CONFIGURATION,
)
def velero_bsl_credential_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Velero BackupStorageLocation names a credentials Secret (or key) that does not exist.

    Reads ``spec.credential`` (``name`` and ``key`` of a Secret in the location's namespace) and looks the
    Secret and the key up; values are never read, only key names. Without it Velero cannot authenticate to
    the bucket and the location goes Unavailable, or backups fail with an access error. Locations without
    ``spec.credential`` use the Velero server's own mounted credentials and are not judged here.

    Next step: create the Secret with the expected key (an AWS-style credentials file:
    ``[default]`` / ``aws_access_key_id`` / ``aws_secret_access_key``) or fix ``spec.credential``:
    ``kubectl -n <namespace> get secret <name> -o jsonpath='{.data}' | jq keys``.
    """
    for bsl in ctx.index.all(kinds.BACKUP_STORAGE_LOCATION):
        location = velero.storage_location(bsl)
        if location.credential is None or not location.credential[0]:
            continue
        name, key = location.credential
        label = f"BackupStorageLocation {bsl.namespace}/{bsl.name}"
        evidence = [
            f"spec.credential: name={name} key={key or '(none)'}",
            f"endpoint={bsl_endpoint(bsl)} phase={location.phase or '(none)'}",
        ]
        if location.message:
            evidence.append(f"status.message: {' '.join(location.message.split())[:300]}")
        secret = ctx.index.get(kinds.SECRET, bsl.namespace, name)
        hint = (
            f"Create Secret {bsl.namespace}/{name} with key {key or 'cloud'} (an AWS-style credentials file) or "
            f"fix spec.credential; `kubectl -n {bsl.namespace} get secrets`"
        )
        if secret is None:
            yield ctx.finding(
                bsl,
                f"{label} uses credentials Secret {bsl.namespace}/{name}, which does not exist",
                evidence=evidence,
                hint=hint,
            )
            continue
        keys = meta.data_keys(secret)
        if key and key not in keys:
            evidence.append(f"Secret {bsl.namespace}/{name} keys: {', '.join(sorted(keys)) or 'none'}")
            yield ctx.finding(
                bsl,
                f"{label} reads key {key!r} from Secret {bsl.namespace}/{name}, which has no such key",
                evidence=evidence,
                hint=hint,
            )
