"""Longhorn volumes and replicas (longhorn.io/v1beta2): health, the claim and pods using them, replica state."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, section, text


class WorkloadUse(msgspec.Struct, frozen=True):
    """One entry of ``status.kubernetesStatus.workloadsStatus``: a pod that uses the volume."""

    pod_name: str
    pod_status: str
    workload_type: str
    workload_name: str


class LonghornVolume(msgspec.Struct, frozen=True):
    robustness: str
    """``healthy``, ``degraded``, ``faulted`` or ``unknown``; empty when not reported."""
    state: str
    """``attached``, ``detached``, ``attaching``..."""
    number_of_replicas: str
    """``spec.numberOfReplicas`` as written; ``?`` when unset."""
    current_node: str
    claim_namespace: str
    claim_name: str
    workloads: tuple[WorkloadUse, ...]


def longhorn_volume(obj: Obj) -> LonghornVolume:
    status = section(obj, "status")
    k8s = mapping(status.get("kubernetesStatus"))
    replicas = section(obj, "spec").get("numberOfReplicas", "?")
    return LonghornVolume(
        text(status.get("robustness")),
        text(status.get("state")),
        text(replicas, "?"),
        text(status.get("currentNodeID")),
        text(k8s.get("namespace")),
        text(k8s.get("pvcName")),
        tuple(
            WorkloadUse(
                text(w.get("podName")),
                text(w.get("podStatus")),
                text(w.get("workloadType")),
                text(w.get("workloadName")),
            )
            for w in mappings(k8s.get("workloadsStatus"))
        ),
    )


class LonghornReplica(msgspec.Struct, frozen=True):
    volume_name: str
    """``spec.volumeName``; empty when unset (the ``longhornvolume`` label says it too)."""
    failed_at: str
    """``spec.failedAt``: when the replica failed; empty for one that has not."""
    node: str
    disk: str
    """``spec.diskPath``, else ``spec.diskID``."""
    current_state: str


def longhorn_replica(obj: Obj) -> LonghornReplica:
    spec = section(obj, "spec")
    return LonghornReplica(
        text(spec.get("volumeName")),
        text(spec.get("failedAt")),
        text(spec.get("nodeID")),
        text(spec.get("diskPath")) or text(spec.get("diskID")),
        text(section(obj, "status").get("currentState")),
    )
