from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.model import Finding, Layer, Resource, Severity

_WAITING_POD = ("Pending",)
_BAD_CONDITIONS = {"Scheduled": "False", "TooManySnapshots": "True"}


def _workloads(volume: Resource) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = (volume.status.get("kubernetesStatus") or {}).get(
        "workloadsStatus"
    ) or []
    return found


def _claim(volume: Resource) -> str:
    k8s = volume.status.get("kubernetesStatus") or {}
    if k8s.get("pvcName"):
        return f"PVC {k8s.get('namespace')}/{k8s.get('pvcName')}"
    return "no PVC"


def _replicas(ctx: CheckContext, volume: Resource) -> list[Resource]:
    return [
        r
        for r in ctx.index.all(kinds.LONGHORN_REPLICA)
        if r.namespace == volume.namespace
        and (r.spec.get("volumeName") or r.labels.get("longhornvolume")) == volume.name
    ]


def replica_lines(ctx: CheckContext, volume: Resource) -> list[str]:
    """Failed replicas first (``spec.failedAt`` set, or state ``error``), with their node and disk."""
    lines = []
    replicas = sorted(_replicas(ctx, volume), key=lambda r: (not r.spec.get("failedAt"), r.name))
    for replica in replicas:
        failed_at = replica.spec.get("failedAt")
        state = str(replica.status.get("currentState") or "?")
        if not failed_at and state != "error":
            continue
        lines.append(
            f"replica {replica.name} on node {replica.spec.get('nodeID') or '?'} disk "
            f"{replica.spec.get('diskPath') or replica.spec.get('diskID') or '?'}: failed at "
            f"{failed_at or '?'}, state {state}"
        )
    healthy = [
        r for r in replicas if not r.spec.get("failedAt") and r.status.get("currentState") == "running"
    ]
    if replicas:
        lines.append(
            f"{len(healthy)} of {len(replicas)} replicas running: "
            + (", ".join(f"{r.name} on {r.spec.get('nodeID') or '?'}" for r in healthy[:3]) or "none")
        )
    return lines


def _evidence(volume: Resource) -> list[str]:
    status = volume.status
    lines = [
        f"robustness={status.get('robustness') or '?'} state={status.get('state') or '?'} "
        f"numberOfReplicas={volume.spec.get('numberOfReplicas', '?')} "
        f"currentNodeID={status.get('currentNodeID') or '<none>'}",
        f"{_claim(volume)}",
    ]
    for cond in volume.conditions:
        if _BAD_CONDITIONS.get(str(cond.get("type"))) == cond.get("status"):
            lines.append(
                f"{cond.get('type')}={cond.get('status')} reason={cond.get('reason') or '?'}: "
                f"{cond.get('message') or ''}"
            )
    for wl in _workloads(volume)[:3]:
        lines.append(
            f"used by pod {wl.get('podName')} ({wl.get('podStatus')}) of {wl.get('workloadType')} "
            f"{wl.get('workloadName')}"
        )
    return lines


@check(
    "longhorn-volume-degraded",
    layer=Layer.STORAGE,
    severity=Severity.WARNING,
    requires=[kinds.LONGHORN_VOLUME],
    uses=[kinds.LONGHORN_NODE, kinds.LONGHORN_REPLICA],
)
def longhorn_volume_degraded(ctx: CheckContext) -> Iterator[Finding]:
    """Longhorn volume degraded, faulted, or detached while its pod waits for it.

    Reads ``volumes.longhorn.io`` ``status.robustness`` (``degraded``: fewer healthy replicas than
    ``spec.numberOfReplicas``; ``faulted``: no healthy replica left, the data is unreachable), ``status.state``
    and ``status.kubernetesStatus`` (PVC, and pods using the volume), the ``Scheduled`` condition that
    explains why a replica cannot be placed, and the volume's ``replicas.longhorn.io`` (the failed ones,
    with ``spec.failedAt``, their node and disk, and how many still run).

    Severity: faulted is critical, a detached volume whose pod is Pending on it is critical, degraded is a
    warning (one more failure away from faulted).

    Next step: the Longhorn UI's volume page or ``kubectl -n longhorn-system get replicas.longhorn.io -l
    longhornvolume=<volume>``; for a degraded volume make room for a replica (a schedulable node with free
    disk), for a faulted one salvage replicas before anything else.
    """
    for volume in ctx.index.all(kinds.LONGHORN_VOLUME):
        status = volume.status
        robustness = str(status.get("robustness") or "")
        state = str(status.get("state") or "")
        claim = _claim(volume)
        if robustness == "faulted":
            yield ctx.finding(
                volume,
                f"Longhorn volume {volume.name} ({claim}) is faulted: no healthy replica, its data is unreachable",
                evidence=[*_evidence(volume), *replica_lines(ctx, volume)],
                hint=(
                    f"Do not delete it: in the Longhorn UI use 'Salvage' on {volume.name}, or find the newest "
                    f"replica with `kubectl -n {volume.namespace} get replicas.longhorn.io -l "
                    f"longhornvolume={volume.name}`; restore from a backup if none is usable"
                ),
                severity=Severity.CRITICAL,
            )
        elif robustness == "degraded":
            yield ctx.finding(
                volume,
                f"Longhorn volume {volume.name} ({claim}) is degraded: fewer healthy replicas than the "
                f"{volume.spec.get('numberOfReplicas', '?')} it wants",
                evidence=[*_evidence(volume), *replica_lines(ctx, volume)],
                hint=(
                    f"`kubectl -n {volume.namespace} get replicas.longhorn.io -l longhornvolume={volume.name} "
                    "-o wide`; make a schedulable node with free disk available so Longhorn can rebuild"
                ),
            )
        elif state in ("detached", "attaching") and any(
            wl.get("podStatus") in _WAITING_POD for wl in _workloads(volume)
        ):
            waiting = [
                str(wl.get("podName")) for wl in _workloads(volume) if wl.get("podStatus") in _WAITING_POD
            ]
            yield ctx.finding(
                volume,
                f"Longhorn volume {volume.name} ({claim}) is {state} while pod {', '.join(waiting)} waits for it",
                evidence=[*_evidence(volume), *replica_lines(ctx, volume)],
                hint=(
                    f"`kubectl -n {volume.namespace} describe volumes.longhorn.io {volume.name}` and the events of "
                    f"the waiting pod; check longhorn-manager and the CSI plugin on the pod's node"
                ),
                severity=Severity.CRITICAL,
            )
