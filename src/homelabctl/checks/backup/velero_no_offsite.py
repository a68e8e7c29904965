from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.backup._common import bsl_endpoint, bsl_summary, endpoint_locality
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import velero
from homelabctl.model import Finding, Layer, Nature, Resource, Severity


def _locality(bsl: Resource) -> str:
    return endpoint_locality(velero.storage_location(bsl).config.get("s3Url", ""))


@check(
    "velero-no-offsite",
    layer=Layer.BACKUP,
    severity=Severity.WARNING,
    requires=[kinds.BACKUP_STORAGE_LOCATION],
    uses=[kinds.VELERO_SCHEDULE],
    nature=Nature.CONFIGURATION,
    areas=["resilience"],
)
def velero_no_offsite(ctx: CheckContext) -> Iterator[Finding]:
    """No Velero backup leaves the building: every location is in the cluster or on the home network.

    Reads each BackupStorageLocation's ``config.s3Url``: a Service name (``minio``, ``*.svc``,
    ``*.cluster.local``) is in-cluster, a private address (RFC 1918, ``.lan``/``.local``) is on-site; no
    s3Url (AWS S3, GCS, Azure) or a public host (Backblaze B2, Wasabi...) is offsite. When every location
    is in-cluster or on-site, losing the cluster or the house loses the backups with it. When an offsite
    location exists but no Schedule writes to it (``spec.template.storageLocation``, default location when
    empty), it is reported too: the offsite copy exists only on paper.

    Next step: add an offsite BackupStorageLocation (e.g. Backblaze B2 via its S3 endpoint) and point at
    least the daily/critical Schedule at it (``spec.template.storageLocation``).
    """
    bsls = sorted(
        ctx.index.all(kinds.BACKUP_STORAGE_LOCATION),
        key=lambda b: (not velero.storage_location(b).default, b.name),
    )
    if not bsls:
        return
    offsite = [b for b in bsls if _locality(b) == "remote"]
    anchor = bsls[0]  # the default location when there is one: where un-targeted backups go
    if not offsite:
        evidence = [f"{bsl_summary(b)} [{_locality(b)}]" for b in bsls]
        where = sorted({_locality(b) for b in bsls})
        yield ctx.finding(
            anchor,
            f"All {len(bsls)} Velero backup location(s) are {' or '.join(where)} "
            f"({', '.join(bsl_endpoint(b) for b in bsls[:3])}): no copy survives losing the cluster or the site",
            evidence=evidence,
            hint=(
                "Add an offsite BackupStorageLocation (e.g. Backblaze B2's S3 endpoint) and set "
                "spec.template.storageLocation of the important Schedules to it"
            ),
        )
        return
    if not ctx.readable(kinds.VELERO_SCHEDULE):
        return
    default = next((b.name for b in bsls if velero.storage_location(b).default), None)
    schedules = list(ctx.index.all(kinds.VELERO_SCHEDULE))
    targets = {
        velero.schedule(s).storage_location or default or ""
        for s in schedules
        if not velero.schedule(s).paused
    }
    offsite_names = {b.name for b in offsite}
    if not schedules or targets & offsite_names:
        return
    evidence = [f"{bsl_summary(b)} [remote]" for b in offsite]
    evidence += [
        f"Schedule {s.name} -> {velero.schedule(s).storage_location or default or '?'}"
        + (" (paused)" if velero.schedule(s).paused else "")
        for s in schedules
    ]
    target = offsite[0]
    yield ctx.finding(
        target,
        f"Offsite backup location {target.name} ({bsl_endpoint(target)}) exists but no active Schedule writes to it",
        evidence=evidence,
        hint=f"Set spec.template.storageLocation: {target.name} on the Schedules whose data must survive the site",
    )
