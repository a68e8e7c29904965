from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check, first_pod_lines
from homelabctl.k8s import cordon_strands
from homelabctl.model import Finding, Layer, Lifecycle, Severity


@check(
    "node-cordon-strands-volumes",
    layer=Layer.NODE,
    severity=Severity.CRITICAL,
    requires=[kinds.NODE, kinds.POD, kinds.PVC, kinds.PV],
    uses=[kinds.EVENT],
    lifecycle=Lifecycle.PREVIEW,
)
def node_cordon_strands_volumes(ctx: CheckContext) -> Iterator[Finding]:
    """Cordoned node that holds the only copy of a pending pod's volume: the pod can run nowhere.

    For each cordoned node (``spec.unschedulable``), reads the pods that are Pending and unscheduled, whose
    scheduler message (the ``PodScheduled`` condition or a ``FailedScheduling`` event) gives both of
    kube-scheduler's reasons ``node(s) were unschedulable`` and ``node(s) had volume node affinity conflict``,
    and one of whose claims is bound to a PersistentVolume whose required node affinity
    (``kubernetes.io/hostname``) names that node: a local-path or local volume lives on that node's disk. One
    finding per node, naming the pods, their claims and volumes.

    Why it matters: a cordon only stops new pods, so it looks harmless, and ``node-cordoned`` reports it as
    information. But a pod whose volume is pinned to the node (evicted by the drain before a reboot, or
    rescheduled since) can be placed nowhere else: every other node conflicts with the volume's affinity and
    the one that fits is cordoned. It stays Pending until the node is uncordoned.

    Next step: ``kubectl uncordon <node>`` when its maintenance is over (the pods schedule at once); if the node
    is to stay out, move the data off it (restore the volume on another node) instead.
    """
    for node, stranded in sorted(cordon_strands.stranded_by_cordon(ctx.index).items()):
        evidence = [
            "spec.unschedulable=true",
            *first_pod_lines(
                (
                    f"pod {s.pod.namespace}/{s.pod.name}: claim {s.claim} → PersistentVolume {s.volume} "
                    f"pinned to {node}; scheduler: {s.line}"
                    for s in stranded
                ),
                len(stranded),
            ),
        ]
        yield ctx.finding(
            ctx.node(node),
            f"Node {node} is cordoned and holds the volumes of {len(stranded)} pending pod(s): they can be "
            "scheduled on no other node",
            evidence=evidence,
            hint=f"`kubectl uncordon {node}` if its maintenance is over; otherwise move the volumes' data off it",
        )
