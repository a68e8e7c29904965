"""Pods a cordoned node strands: their volume is pinned to that node (a local-path or local PersistentVolume), so
the scheduler can place them nowhere else, and the cordon keeps them off the one node that holds their data."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import nodes, podrefs, scheduling, storage
from homelabctl.model import ObjectRef
from homelabctl.sources.index import ClusterIndex

# kube-scheduler's filter reasons (NodeUnschedulable and VolumeBinding plugins), as its FailedScheduling message and
# the pod's PodScheduled condition quote them: "0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s)
# had volume node affinity conflict."
CORDONED = "node(s) were unschedulable"
PINNED_ELSEWHERE = "volume node affinity conflict"


class Stranded(msgspec.Struct, frozen=True):
    """A pod that cannot be scheduled because its volume is pinned to a cordoned node, with the scheduler's words."""

    pod: ObjectRef
    claim: str
    volume: str
    line: str


def stranded_by_cordon(index: ClusterIndex) -> dict[str, list[Stranded]]:
    """Cordoned node → the unscheduled pods whose bound PersistentVolume's required node affinity pins it to that
    node and whose scheduler message says both that a node was unschedulable and that the others conflict with
    the volume's node affinity. Pods are walked only when some node is cordoned."""
    cordoned = {node.name for node in index.all(kinds.NODE) if nodes.unschedulable(node)}
    if not cordoned:
        return {}
    found: dict[str, list[Stranded]] = {}
    for pod in scheduling.unscheduled_pods(index):
        line = scheduling.scheduler_says(index, pod, CORDONED, PINNED_ELSEWHERE)
        if not line:
            continue
        for claim_name in podrefs.claims(pod):
            pvc = index.get(kinds.PVC, pod.namespace, claim_name)
            volume = storage.claim(pvc).volume_name if pvc is not None else ""
            pv = index.get(kinds.PV, None, volume) if volume else None
            if pv is None:
                continue
            for host in storage.pv_pinned_hosts(pv):
                if host in cordoned:
                    found.setdefault(host, []).append(Stranded(pod.ref, claim_name, volume, line))
                    break
    return found
