"""Where Longhorn may place a volume's replicas: the volume's node and disk tag selectors against the
Longhorn nodes' tags, scheduling flags and disks."""

from __future__ import annotations

import msgspec

from homelabctl.k8s import conditions
from homelabctl.k8s._raw import Obj, section, strings, text
from homelabctl.k8s.longhorn import longhorn_node

_FAILING_ROBUSTNESS = frozenset({"degraded", "faulted"})


class VolumePlacement(msgspec.Struct, frozen=True):
    node_selector: frozenset[str]
    disk_selector: frozenset[str]
    unschedulable: str
    """Why replicas cannot be placed (the ``Scheduled=False`` condition's message, or the robustness), or
    empty when nothing says so."""


def volume_placement(volume: Obj) -> VolumePlacement:
    spec, status = section(volume, "spec"), section(volume, "status")
    why = ""
    cond = conditions.condition(volume, "Scheduled")
    robustness = text(status.get("robustness"))
    if cond is not None and cond.is_false and cond.reason == "ReplicaSchedulingFailure":
        why = f"Scheduled=False reason=ReplicaSchedulingFailure: {cond.message}".rstrip(": ")
    elif robustness in _FAILING_ROBUSTNESS:
        why = f"robustness={robustness}"
    return VolumePlacement(
        frozenset(strings(spec.get("nodeSelector"))), frozenset(strings(spec.get("diskSelector"))), why
    )


def admits(placement: VolumePlacement, node: Obj) -> bool:
    """Do the volume's selectors admit this Longhorn node (its tags, and a disk with the disk tags)?"""
    info = longhorn_node(node)
    if not placement.node_selector <= info.tags:
        return False
    return any(placement.disk_selector <= disk.tags for disk in info.disk_list)


def refuses_replicas(placement: VolumePlacement, node: Obj) -> str:
    """Why an admitted node takes no replica of this volume (scheduling disabled, no schedulable matching
    disk, not Ready/Schedulable), or empty when it could take one."""
    info = longhorn_node(node)
    if info.allow_scheduling is False:
        return "spec.allowScheduling=false"
    if not any(placement.disk_selector <= d.tags and d.allow_scheduling for d in info.disk_list):
        tags = f" tagged {sorted(placement.disk_selector)}" if placement.disk_selector else ""
        return f"no schedulable disk{tags}"
    for type_ in ("Ready", "Schedulable"):
        cond = conditions.condition(node, type_)
        if cond is not None and cond.is_false:
            return f"{type_}=False"
    return ""
