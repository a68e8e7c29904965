from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import claim_users, event_time, provisioner
from homelabctl.checks.workload._common import first_lines, owner_line
from homelabctl.k8s import events, storage
from homelabctl.k8s.refs import storage_class_in_message
from homelabctl.model import Finding, Layer, Severity

MAX_CLASSES = 6


@check(
    "pvc-storage-class-missing",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.PVC, kinds.STORAGE_CLASS],
    uses=[kinds.EVENT, kinds.POD],
)
def pvc_storage_class_missing(ctx: CheckContext) -> Iterator[Finding]:
    """PersistentVolumeClaim names a StorageClass that does not exist.

    Reads each unbound PVC's ``spec.storageClassName`` (or the legacy
    ``volume.beta.kubernetes.io/storage-class`` annotation), the StorageClasses that exist, the claim's
    ``ProvisioningFailed`` events (``storageclass.storage.k8s.io "x" not found`` from
    persistentvolume-controller) and the pods waiting for it. Fires when the named class is absent; a
    claim with ``storageClassName: ""`` (static binding) or none at all (the default class) is
    ``pvc-not-bound``'s concern. Not evaluated when StorageClasses were not read.

    Why it matters: nothing will ever provision the volume, so the pod stays Pending on "unbound
    immediate PersistentVolumeClaims" - usually a typo or a class renamed in values while the claim kept
    the old name.

    Next step: ``kubectl get storageclass``; ``storageClassName`` is immutable, so fix it in Git and
    recreate the claim (for a StatefulSet, its ``volumeClaimTemplates`` and the claim).
    """
    classes = sorted(ctx.index.all(kinds.STORAGE_CLASS), key=lambda sc: sc.name)
    existing = [sc.name for sc in classes]
    # the pods by claim are read (once per run, k8s.memo) only for a claim that is reported: most are not
    pods_readable = ctx.readable(kinds.POD)
    for claim in ctx.index.all(kinds.PVC):
        read = storage.claim(claim)
        if read.phase == "Bound":
            continue
        named = read.storage_class
        if named is None:
            named = claim.annotations.get("volume.beta.kubernetes.io/storage-class")
        if not named or str(named) in existing:
            continue
        name = str(named)
        evidence = [
            f"storageClassName={name}: no such StorageClass",
            "StorageClasses that exist: "
            + (", ".join(f"{sc.name} ({provisioner(sc)})" for sc in classes[:MAX_CLASSES]) or "none"),
        ]
        found = sorted(
            (
                e
                for e in ctx.index.events_for(claim)
                if storage_class_in_message(events.event(e).message) == name
            ),
            key=event_time,
            reverse=True,
        )
        if found:
            newest = events.event(found[0])
            evidence.append(
                f"event {newest.reason or '?'} (x{newest.count}): {first_lines(newest.message, lines=1)}"
            )
        pods = claim_users(ctx.index).get((claim.namespace, claim.name), []) if pods_readable else []
        if pods:
            evidence.append("waited on by " + ", ".join(f"pod {p.name}" for p in pods[:5]))
            owner = owner_line(ctx.index, pods[0])
            if owner:
                evidence.append(f"pods {owner}")
        yield ctx.finding(
            claim,
            f"PVC {claim.namespace}/{claim.name} asks for StorageClass {name}, which does not exist",
            evidence=evidence,
            hint=(
                f"`kubectl get storageclass`; storageClassName is immutable: fix it in Git (one of "
                f"{', '.join(existing[:MAX_CLASSES]) or 'a class you create'}) and recreate the claim "
                f"(`kubectl -n {claim.namespace} delete pvc {claim.name}` once nothing needs it)"
            ),
        )
