"""Cause rule ``csi-unregistered-everywhere``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import csi_accepts, csi_failure_scope
from homelabctl.model import Finding, Layer


@cause_rule("csi-unregistered-everywhere", layer=Layer.STORAGE, rank=1, causes={"csi-driver-not-registered"})
def csi_unregistered_everywhere(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A CSI driver is missing from every node's CSINode: one cause, not one failure per node.

    Only applies when the driver is unregistered on all nodes (on one node, the node itself is the usual
    cause). Mount failures, pending PVCs and crashing plugin pods of that storage are grouped under it.
    """
    unregistered = ctx.by_check.get("csi-driver-not-registered", [])
    nodes = ctx.index.all(kinds.NODE)
    if len(nodes) < 2 or len({f.object.name for f in unregistered}) < len(nodes):
        return None
    impacted = csi_failure_scope(ctx, "driver.longhorn.io", "longhorn-system")
    return Explanation(
        impacted,
        "The CSI driver is registered on no node: check the plugin DaemonSet, its hostPaths and the kubelet root dir",
        [*cause.evidence, f"{len(unregistered)}/{len(nodes)} nodes lack the driver"],
        [NextStep("read the registrar sidecar of the CSI plugin",
                  "kubectl -n longhorn-system logs ds/longhorn-csi-plugin -c node-driver-registrar --tail=50")],
        confidence="medium", accepts=csi_accepts)
