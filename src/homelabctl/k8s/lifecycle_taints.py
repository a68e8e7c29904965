"""Pods held off a node by a taint that the node's own lifecycle should have lifted: the cloud provider's
``node.cloudprovider.kubernetes.io/uninitialized`` (a kubelet started with ``--cloud-provider=external`` sets it;
only a cloud controller manager removes it), or the node controller's ``not-ready``/``unreachable`` taints left
on a node that reports Ready. A pod meant for that node (its nodeSelector matches the node's labels, or its
required node affinity names it) waits Pending for as long as the taint stays."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import nodes, pods, scheduling
from homelabctl.k8s._raw import section
from homelabctl.k8s.kubectl import node_ready_status
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex


class Held(msgspec.Struct, frozen=True):
    """A pending pod meant for the node, with the taint it does not tolerate and the scheduler's words."""

    pod: ObjectRef
    taint: nodes.Taint
    line: str


def _meant_for(pod: Resource, node: Resource) -> bool:
    """The pod can only go to this node: its nodeSelector (non-empty) is all in the node's labels, or its
    required node affinity names the node (a DaemonSet pod's ``metadata.name`` field)."""
    spec = section(pod, "spec")
    if node.name in pods.required_node_fields(spec, "metadata.name"):
        return True
    wanted = pods.node_selector(spec)
    return bool(wanted) and all(node.labels.get(k) == v for k, v in wanted.items())


def held_by_kept_taints(index: ClusterIndex) -> dict[str, list[Held]]:
    """Node → the unscheduled pods meant for it that do not tolerate one of its kept taints and whose scheduler
    message names that taint (``had untolerated taint {key: value}``, or the older ``had taint {key: value}, that
    the pod didn't tolerate``). Pods are walked only when some node keeps such a taint."""
    tainted = {
        node.name: (node, kept)
        for node in index.all(kinds.NODE)
        if (kept := nodes.kept_taints(node, node_ready_status(node) == "True"))
    }
    if not tainted:
        return {}
    found: dict[str, list[Held]] = {}
    for pod in scheduling.unscheduled_pods(index):
        tolerations = pods.tolerations(section(pod, "spec"))
        for name, (node, kept) in tainted.items():
            if not _meant_for(pod, node):
                continue
            for taint in kept:
                if any(t.tolerates(taint.key, taint.value, taint.effect) for t in tolerations):
                    continue
                line = scheduling.scheduler_says(index, pod, f"taint {{{taint.key}")
                if line:
                    found.setdefault(name, []).append(Held(pod.ref, taint, line))
                    break
    return found
