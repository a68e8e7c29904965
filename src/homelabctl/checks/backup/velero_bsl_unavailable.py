from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlparse

from homelabctl import kinds
from homelabctl.checks.backup._common import bsl_endpoint, error_tail
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import services, velero
from homelabctl.kube import container_statuses, pod_display_status
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import parse_time, short_duration

# Velero validates every location each minute by default; a location never validated after this is stuck.
VALIDATION_GRACE = timedelta(minutes=10)


def _one_line(text: object, limit: int = 400) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _backend_evidence(ctx: CheckContext, bsl: Resource, url: str) -> list[str]:
    """For an in-cluster s3Url (``http://minio.velero.svc:9000``): the Service's pods and why they fail."""
    host = (urlparse(url).hostname or "").rstrip(".") if "://" in url else ""
    parts = host.split(".")
    if not host or not ctx.readable(kinds.SERVICE):
        return []
    if len(parts) == 1:
        name, namespace, certain = parts[0], bsl.namespace, True
    elif len(parts) == 2 or parts[2] == "svc":
        # "minio.lan" is as plausible as "minio.velero": only a qualified .svc name is surely a Service.
        name, namespace, certain = parts[0], parts[1], len(parts) > 2
    else:
        return []
    service = ctx.index.get(kinds.SERVICE, namespace, name)
    if service is None:
        return [f"Service {namespace}/{name} named in s3Url does not exist"] if certain else []
    selector = services.selector(service)
    if selector is None or selector.empty or not ctx.readable(kinds.POD):
        return []
    pods = ctx.index.select(kinds.POD, service.namespace, selector)
    if not pods:
        return [f"Service {service.namespace}/{service.name} selects no pods"]
    lines = []
    for pod in pods:
        if pod.is_condition_true("Ready"):
            continue
        line = f"backend pod {pod.namespace}/{pod.name}: {pod_display_status(pod)}"
        for cs in container_statuses(pod):
            last = (
                (cs.get("lastState") or {}).get("terminated")
                or (cs.get("state") or {}).get("terminated")
                or {}
            )
            if last.get("message"):
                line += f", last termination: {_one_line(last['message'], 200)}"
                break
        lines.append(line)
    return lines


@check(
    "velero-bsl-unavailable",
    layer=Layer.BACKUP,
    severity=Severity.CRITICAL,
    requires=[kinds.BACKUP_STORAGE_LOCATION],
    uses=[kinds.SERVICE, kinds.POD],
)
def velero_bsl_unavailable(ctx: CheckContext) -> Iterator[Finding]:
    """Velero BackupStorageLocation is Unavailable: backups to it fail.

    Reads ``status.phase`` (Velero validates each location periodically by listing the bucket),
    ``status.message``, ``lastValidationTime``, ``spec.provider``, ``objectStorage.bucket`` and
    ``config.s3Url``. When the s3Url names an in-cluster Service (``http://minio.velero.svc:9000``), the
    Service's pods that are not Ready are added with their last termination message - the usual reason a
    local MinIO location is down. A location that still has no phase 10 minutes after creation was never
    validated (Velero not running) and is a warning.

    Next step: ``velero backup-location get``; fix the storage behind the s3Url (MinIO pod logs,
    credentials Secret, bucket), then watch the phase return to Available.
    """
    for bsl in ctx.index.all(kinds.BACKUP_STORAGE_LOCATION):
        finding = _evaluate(ctx, bsl)
        if finding is not None:
            yield finding


def _evaluate(ctx: CheckContext, bsl: Resource) -> Finding | None:
    location = velero.storage_location(bsl)
    phase = location.phase
    if phase == "Available":
        return None
    url = location.config.get("s3Url", "")
    evidence = [
        f"status.phase={phase or '(none)'}",
        f"provider={location.provider or '?'} bucket={location.bucket or '?'}",
        f"config.s3Url={url}" if url else "",
        f"status.message: {_one_line(location.message)}" if location.message else "",
        f"lastValidationTime={location.last_validation_time}" if location.last_validation_time else "",
        "spec.default=true (backups that name no location go here)" if location.default else "",
    ]
    if url:
        evidence += _backend_evidence(ctx, bsl, url)
    hint = (
        f"`velero backup-location get`; fix the storage behind {bsl_endpoint(bsl)} (pod logs, credentials "
        "Secret, bucket), then check the phase returns to Available"
    )
    if phase == "Unavailable":
        detail = f": {error_tail(location.message)}" if location.message else ""
        return ctx.finding(
            bsl,
            f"BackupStorageLocation {bsl.namespace}/{bsl.name} ({bsl_endpoint(bsl)}) is Unavailable{detail}",
            evidence=evidence,
            hint=hint,
        )
    created = parse_time(bsl.creation_timestamp)
    if phase or created is None or ctx.now - created < VALIDATION_GRACE:
        return None
    return ctx.finding(
        bsl,
        f"BackupStorageLocation {bsl.namespace}/{bsl.name} has not been validated "
        f"{short_duration(ctx.now - created)} after creation",
        evidence=evidence,
        hint="Check that the Velero server runs: `kubectl -n velero get pods`, `velero backup-location get`",
        severity=Severity.WARNING,
    )
