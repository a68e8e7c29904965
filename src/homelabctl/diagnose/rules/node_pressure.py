"""Cause rule ``node-pressure``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import node_scope_accepts
from homelabctl.kube import node_is_k3s
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
    node = ctx.resource(cause.object)
    k3s = node is not None and node_is_k3s(node)
    data_dirs = "/var/lib/rancher /var/lib/kubelet" if k3s else "/var/lib/containerd /var/lib/kubelet"
    crictl = "sudo k3s crictl" if k3s else "sudo crictl"
    text = " ".join((cause.message, *cause.evidence)).lower()
    if "memory" in text and "disk" not in text:
        first = [
            NextStep(
                f"see which pods use the memory on {name}",
                f"kubectl top pods -A --sort-by=memory --field-selector spec.nodeName={name}",
            ),
            NextStep("see the node's own memory use", f"ssh {name} 'free -m; ps aux --sort=-rss | head -15'"),
        ]
    else:
        first = [
            NextStep(
                "see what fills the node (images, logs, emptyDirs)",
                f"ssh {name} 'df -h {data_dirs}; {crictl} images | wc -l'",
            ),
            NextStep("remove unused images", f"ssh {name} {crictl} rmi --prune"),
        ]
    return Explanation(
        set(),
        f"{cause.message}: the kubelet evicts pods and the scheduler avoids the node",
        list(cause.evidence),
        [
            *first,
            NextStep(
                f"delete the Failed (Evicted) pods of {name} once the node recovered",
                f"kubectl delete pods -A --field-selector=status.phase=Failed,spec.nodeName={name}",
                dangerous=True,
            ),
        ],
        accepts=node_scope_accepts(cause.object),
    )
