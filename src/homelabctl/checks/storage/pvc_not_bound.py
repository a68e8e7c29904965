from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import claim_class, claim_users, event_time, provisioner
from homelabctl.checks.workload._common import event_lines, first_lines
from homelabctl.k8s import events as k8s_events
from homelabctl.k8s import storage
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import parse_time, short_duration

PENDING_GRACE = timedelta(minutes=2)
"""Dynamic provisioning normally binds within seconds to a minute."""
_REASONS = (
    "ProvisioningFailed",
    "ExternalProvisioning",
    "FailedBinding",
    "Provisioning",
    "VolumeMismatch",
    "ClaimLost",
    "ClaimMisbound",
)


def _why(ctx: CheckContext, claim: Resource, sc_name: str | None, sc: Resource | None) -> str:
    """The shortest true explanation: a failure event, a missing class, or the provisioner being waited on."""
    failures = sorted(
        (
            e
            for e in ctx.index.events_for(claim)
            if k8s_events.event(e).reason in ("ProvisioningFailed", "FailedBinding")
        ),
        key=event_time,
        reverse=True,
    )
    if failures:
        return first_lines(k8s_events.event(failures[0]).message, lines=1, width=200)
    if sc_name is None:
        return "it names no StorageClass and none is marked default"
    if sc is None and ctx.readable(kinds.STORAGE_CLASS):
        return f"StorageClass {sc_name} does not exist"
    if sc is not None:
        return f"waiting for provisioner {provisioner(sc)}"
    return ""


@check(
    "pvc-not-bound",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.PVC],
    uses=[kinds.STORAGE_CLASS, kinds.POD, kinds.PV, kinds.EVENT],
)
def pvc_not_bound(ctx: CheckContext) -> Iterator[Finding]:
    """PersistentVolumeClaim Pending or Lost.

    Reads each PVC's ``status.phase``, its StorageClass (provisioner, ``volumeBindingMode``; the default
    class when it names none), its events (``ProvisioningFailed``, ``ExternalProvisioning``,
    ``FailedBinding``) and the pods that mount it. A ``Pending`` claim of a ``WaitForFirstConsumer`` class
    that no pod uses yet is normal and skipped, as are claims younger than two minutes. ``Lost`` means the
    bound PersistentVolume is gone.

    Critical when a pod uses the claim (that pod cannot start), warning otherwise.

    Next step: ``kubectl describe pvc``; for a CSI class check the provisioner's controller pods and that
    the driver is registered on the nodes (``kubectl get csinode``).
    """
    # the pods by claim are read (once per run, k8s.memo) only for a claim that is reported: most are not
    pods_readable = ctx.readable(kinds.POD)
    for claim in ctx.index.all(kinds.PVC):
        phase = storage.claim_phase(claim) or "Pending"
        if phase not in ("Pending", "Lost"):
            continue
        info = storage.claim(claim)
        created = parse_time(claim.creation_timestamp)
        age = ctx.now - created if created is not None else None
        if phase == "Pending" and age is not None and age < PENDING_GRACE:
            continue
        pods = claim_users(ctx.index).get((claim.namespace, claim.name), []) if pods_readable else []
        sc_name = claim_class(claim, ctx.index)
        sc = ctx.index.get(kinds.STORAGE_CLASS, None, sc_name) if sc_name else None
        mode = storage.binding_mode(sc) if sc is not None else None
        if phase == "Pending" and mode == "WaitForFirstConsumer" and not pods:
            continue
        named = info.storage_class
        evidence = [
            f"phase={phase}, storageClassName={named if named is not None else '<unset>'}"
            + (f" (default class {sc_name})" if named is None and sc_name else ""),
            f"requests {info.requested or '?'} {','.join(info.access_modes)}",
        ]
        if sc is not None:
            evidence.append(
                f"StorageClass {sc.name}: provisioner {provisioner(sc)}, volumeBindingMode {mode}"
            )
        evidence += event_lines(ctx.index, claim, _REASONS, now=ctx.now)
        if pods:
            evidence.append("used by " + ", ".join(f"pod {p.name}" for p in pods[:5]))
        duration = f" for {short_duration(age)}" if age is not None else ""
        if phase == "Lost":
            volume = info.volume_name or "?"
            gone = ctx.readable(kinds.PV) and ctx.index.get(kinds.PV, None, str(volume)) is None
            evidence.append(f"volumeName={volume}" + (" (no such PersistentVolume)" if gone else ""))
            message = f"PVC {claim.namespace}/{claim.name} is Lost: its PersistentVolume {volume} is gone"
            hint = (
                "The data behind it is unreachable: restore the PV from backup (Velero) or recreate the "
                f"claim; `kubectl -n {claim.namespace} describe pvc {claim.name}`"
            )
        else:
            why = _why(ctx, claim, sc_name, sc)
            message = f"PVC {claim.namespace}/{claim.name} is Pending{duration}" + (f": {why}" if why else "")
            hint = f"`kubectl -n {claim.namespace} describe pvc {claim.name}`"
            if sc is not None:
                hint += (
                    f"; check the {provisioner(sc)} controller pods and that the driver is registered on "
                    "the nodes (`kubectl get csinode -o yaml`)"
                )
            elif sc_name is None:
                hint += "; set storageClassName or mark a StorageClass default"
        yield ctx.finding(
            claim, message, evidence=evidence, hint=hint, severity=None if pods else Severity.WARNING
        )
