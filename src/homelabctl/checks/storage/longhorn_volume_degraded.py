from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions
from homelabctl.k8s.longhorn_volumes import LonghornReplica, LonghornVolume, longhorn_replica, longhorn_volume
from homelabctl.model import Finding, Layer, Resource, Severity

_WAITING_POD = ("Pending",)
_BAD_CONDITIONS = {"Scheduled": "False", "TooManySnapshots": "True"}


def _claim(volume: LonghornVolume) -> str:
    if volume.claim_name:
        return f"PVC {volume.claim_namespace}/{volume.claim_name}"
    return "no PVC"


def _replicas(ctx: CheckContext, volume: Resource) -> list[tuple[Resource, LonghornReplica]]:
    found = []
    for r in ctx.index.all(kinds.LONGHORN_REPLICA):
        if r.namespace != volume.namespace:
            continue
        replica = longhorn_replica(r)
        if (replica.volume_name or r.labels.get("longhornvolume")) == volume.name:
            found.append((r, replica))
    return found


def replica_lines(ctx: CheckContext, volume: Resource) -> list[str]:
    """Failed replicas first (``spec.failedAt`` set, or state ``error``), with their node and disk."""
    lines = []
    replicas = sorted(_replicas(ctx, volume), key=lambda r: (not r[1].failed_at, r[0].name))
    for res, replica in replicas:
        state = replica.current_state or "?"
        if not replica.failed_at and state != "error":
            continue
        lines.append(
            f"replica {res.name} on node {replica.node or '?'} disk {replica.disk or '?'}: failed at "
            f"{replica.failed_at or '?'}, state {state}"
        )
    healthy = [
        (res, replica)
        for res, replica in replicas
        if not replica.failed_at and replica.current_state == "running"
    ]
    if replicas:
        lines.append(
            f"{len(healthy)} of {len(replicas)} replicas running: "
            + (", ".join(f"{res.name} on {r.node or '?'}" for res, r in healthy[:3]) or "none")
        )
    return lines


def _evidence(res: Resource, volume: LonghornVolume) -> list[str]:
    lines = [
        f"robustness={volume.robustness or '?'} state={volume.state or '?'} "
        f"numberOfReplicas={volume.number_of_replicas} "
        f"currentNodeID={volume.current_node or '<none>'}",
        f"{_claim(volume)}",
    ]
    for cond in conditions.conditions(res):
        if _BAD_CONDITIONS.get(cond.type) == cond.status:
            lines.append(f"{cond.type}={cond.status} reason={cond.reason or '?'}: {cond.message}")
    for wl in volume.workloads[:3]:
        lines.append(f"used by pod {wl.pod_name} ({wl.pod_status}) of {wl.workload_type} {wl.workload_name}")
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
        read = longhorn_volume(volume)
        robustness, state = read.robustness, read.state
        claim = _claim(read)
        if robustness == "faulted":
            yield ctx.finding(
                volume,
                f"Longhorn volume {volume.name} ({claim}) is faulted: no healthy replica, its data is unreachable",
                evidence=[*_evidence(volume, read), *replica_lines(ctx, volume)],
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
                f"{read.number_of_replicas} it wants",
                evidence=[*_evidence(volume, read), *replica_lines(ctx, volume)],
                hint=(
                    f"`kubectl -n {volume.namespace} get replicas.longhorn.io -l longhornvolume={volume.name} "
                    "-o wide`; make a schedulable node with free disk available so Longhorn can rebuild"
                ),
            )
        elif state in ("detached", "attaching") and any(
            wl.pod_status in _WAITING_POD for wl in read.workloads
        ):
            waiting = [wl.pod_name for wl in read.workloads if wl.pod_status in _WAITING_POD]
            yield ctx.finding(
                volume,
                f"Longhorn volume {volume.name} ({claim}) is {state} while pod {', '.join(waiting)} waits for it",
                evidence=[*_evidence(volume, read), *replica_lines(ctx, volume)],
                hint=(
                    f"`kubectl -n {volume.namespace} describe volumes.longhorn.io {volume.name}` and the events of "
                    f"the waiting pod; check longhorn-manager and the CSI plugin on the pod's node"
                ),
                severity=Severity.CRITICAL,
            )
