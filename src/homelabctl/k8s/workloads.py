"""Deployments, StatefulSets, ReplicaSets, DaemonSets and Jobs: replica counts."""

from __future__ import annotations

from dataclasses import dataclass

from homelabctl.k8s._raw import Obj, integer, raw_of, section, text


@dataclass(frozen=True, slots=True)
class Replicas:
    desired: int
    ready: int
    available: int
    updated: int


def replicas(workload: Obj) -> Replicas:
    """A DaemonSet's scheduled/ready numbers, else ``spec.replicas`` (1 when unset, as the API defaults it)
    against ``status``. A value that is not a number (``replicas: "zzz"``) reads as the default."""
    raw = raw_of(workload)
    status = section(raw, "status")
    if text(raw.get("kind")) == "DaemonSet":
        return Replicas(integer(status.get("desiredNumberScheduled")), integer(status.get("numberReady")),
                        integer(status.get("numberAvailable")), integer(status.get("updatedNumberScheduled")))
    desired = max(integer(section(raw, "spec").get("replicas"), 1), 0)
    return Replicas(desired, integer(status.get("readyReplicas")), integer(status.get("availableReplicas")),
                    integer(status.get("updatedReplicas")))
