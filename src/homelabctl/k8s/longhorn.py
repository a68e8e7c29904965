"""Longhorn: nodes (longhorn.io/v1beta2) and their disks."""

from __future__ import annotations

from dataclasses import dataclass

from homelabctl.k8s._raw import Obj, mapping, section


@dataclass(frozen=True, slots=True)
class LonghornNode:
    allow_scheduling: bool | None
    """``spec.allowScheduling``; None when unset."""
    disks: int
    schedulable_disks: int
    """Disks whose ``allowScheduling`` is not false."""


def longhorn_node(obj: Obj) -> LonghornNode:
    spec = section(obj, "spec")
    allow = spec.get("allowScheduling")
    disks = [mapping(d) for d in mapping(spec.get("disks")).values()]
    return LonghornNode(allow if isinstance(allow, bool) else None, len(disks),
                        sum(1 for d in disks if d.get("allowScheduling") is not False))
