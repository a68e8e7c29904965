"""Cause rule ``node-network-suspect``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.graph import RUNS_ON
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules.node_network_failure import network_steps
from homelabctl.model import Finding, Layer


@cause_rule(
    "node-network-suspect",
    layer=Layer.NETWORK,
    rank=0,
    causes={"pod-crashloop", "workload-replicas-unavailable", "pod-oomkilled", "service-no-ready-endpoints"},
)
def node_network_suspect(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Several workloads on one Ready node time out towards other nodes: the node's network is the cause.

    Decided by correlation, not by any one app: on one node whose kubelet reports Ready, pods of two or
    more different workloads fail with ``i/o timeout``/``context deadline exceeded``/``no route to host``
    towards pods or Services running on other nodes, and no pod on another node reports such timeouts.
    One node cause is reported (an MTU mismatch, a broken CNI route or VXLAN on that node) instead of one
    cause per application; the evidence lists one timeout message per workload.
    """
    for node, (pods, evidence) in sorted(ctx.node_suspects.items(), key=lambda item: item[0].name):
        if not ctx.start(cause) & pods:
            continue
        res = ctx.resource(node)
        if res is None:
            return None
        impacted = ctx.propagate(pods, GENERIC_EDGES - {RUNS_ON})
        return Explanation(
            impacted | {node},
            f"Pods of several workloads on {node.name} time out towards other nodes while the rest of the cluster "
            f"does not: suspect the network of {node.name} (MTU, CNI routes/overlay), not the applications",
            evidence,
            network_steps(ctx, res),
            confidence="medium",
            object=node,
            layer=Layer.NETWORK,
        )
    return None
