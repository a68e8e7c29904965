"""Cause rule ``node-pressure``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import node_scope_accepts
from homelabctl.model import Finding, Layer


@cause_rule("node-pressure", layer=Layer.NODE, rank=0, causes={"node-pressure"})
def node_pressure(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node under disk, memory or PID pressure evicts its pods and refuses new ones.

    Evicted pods (``The node was low on resource: ephemeral-storage``) run on the node; pods Pending on
    ``untolerated taint {node.kubernetes.io/disk-pressure: }`` are linked to the tainted nodes by those
    words. Free the resource on the node; the kubelet lifts the taint by itself.
    """
    if cause.object.kind != "Node":
        return None
    name = cause.object.name
    return Explanation(
        set(), f"{cause.message}: the kubelet evicts pods and the scheduler avoids the node", list(cause.evidence),
        [NextStep("see what fills the node (images, logs, emptyDirs)",
                  f"ssh {name} 'df -h /var/lib/rancher; sudo k3s crictl images | wc -l'"),
         NextStep("remove unused images", f"ssh {name} sudo k3s crictl rmi --prune"),
         NextStep("delete the Failed (Evicted) pods once the node recovered",
                  "kubectl delete pods -A --field-selector=status.phase=Failed")],
        accepts=node_scope_accepts(cause.object))
