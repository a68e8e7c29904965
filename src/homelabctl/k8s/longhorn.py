"""Longhorn: nodes (longhorn.io/v1beta2) and their disks."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, section, strings


class Disk(msgspec.Struct, frozen=True):
    allow_scheduling: bool
    tags: frozenset[str]


class LonghornNode(msgspec.Struct, frozen=True):
    allow_scheduling: bool | None
    """``spec.allowScheduling``; None when unset."""
    tags: frozenset[str]
    disk_list: tuple[Disk, ...]

    @property
    def disks(self) -> int:
        return len(self.disk_list)

    @property
    def schedulable_disks(self) -> int:
        """Disks whose ``allowScheduling`` is not false."""
        return sum(1 for d in self.disk_list if d.allow_scheduling)


def longhorn_node(obj: Obj) -> LonghornNode:
    spec = section(obj, "spec")
    allow = spec.get("allowScheduling")
    disks = tuple(
        Disk(mapping(d).get("allowScheduling") is not False, frozenset(strings(mapping(d).get("tags"))))
        for d in mapping(spec.get("disks")).values()
    )
    return LonghornNode(
        allow if isinstance(allow, bool) else None, frozenset(strings(spec.get("tags"))), disks
    )
