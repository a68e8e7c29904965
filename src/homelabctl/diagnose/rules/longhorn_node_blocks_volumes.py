"""Cause rule ``longhorn-node-blocks-volumes``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.graph import REPLICA
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import longhorn_placement
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule(
    "longhorn-node-blocks-volumes", layer=Layer.STORAGE, rank=0, causes={"longhorn-node-unschedulable"}
)
def longhorn_node_blocks_volumes(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Longhorn node that refuses replicas while it is the only node a volume's tags admit explains that
    volume, its claim and the pods waiting for it.

    No Replica object records where a replica could not go, so the graph has no edge from the node to the
    volume: the rule adds one (``replica``) for each volume whose ``Scheduled=False``
    (``ReplicaSchedulingFailure``) or degraded robustness leaves its ``nodeSelector``/``diskSelector`` only
    this node, with the selectors as provenance. The fix is the node's scheduling flag (or its disk tags).
    """
    node = ctx.resource(cause.object)
    if node is None or cause.object.namespace is None:
        return None
    nodes = [n for n in ctx.index.all(kinds.LONGHORN_NODE) if n.namespace == cause.object.namespace]
    volumes: set[ObjectRef] = set()
    for volume in ctx.index.all(kinds.LONGHORN_VOLUME):
        placement = longhorn_placement.volume_placement(volume)
        if not placement.unschedulable or volume.namespace != cause.object.namespace:
            continue
        admitted = [n for n in nodes if longhorn_placement.admits(placement, n)]
        if [n.name for n in admitted] != [node.name]:
            continue
        why = longhorn_placement.refuses_replicas(placement, node)
        if not why:
            continue
        ctx.graph.add(
            cause.object,
            REPLICA,
            volume.ref,
            f"nodeSelector={sorted(placement.node_selector)} diskSelector={sorted(placement.disk_selector)} "
            f"admit only {node.name} ({why}); volume: {placement.unschedulable}",
        )
        volumes.add(volume.ref)
    if not volumes:
        return None
    ns, name = cause.object.namespace, cause.object.name
    return Explanation(
        ctx.propagate(volumes, GENERIC_EDGES),
        cause.message,
        list(cause.evidence),
        [
            NextStep(
                "see the node's scheduling flag, tags and disks",
                f"kubectl -n {ns} get nodes.longhorn.io {name} -o yaml",
            ),
            NextStep(
                "allow replicas on the node again (changes the cluster); Longhorn then places the waiting replicas",
                f'kubectl -n {ns} patch nodes.longhorn.io {name} --type merge -p \'{{"spec":{{"allowScheduling":true}}}}\'',
                dangerous=True,
            ),
        ],
    )
