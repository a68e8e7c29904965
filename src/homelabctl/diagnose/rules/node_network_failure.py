"""Cause rule ``node-network-failure``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import NODE_SCOPE, csi_symptom_note, node_scope_accepts, pod_balance
from homelabctl.kube import node_ready_status
from homelabctl.model import Finding, Layer


@cause_rule("node-network-failure", layer=Layer.NETWORK, rank=0,
            causes={"node-network-unavailable", "cni-agent-not-ready"})
def node_network_failure(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node's network is down: everything failing on that node follows from it.

    Fires on ``NetworkUnavailable=True`` or a CNI agent (Cilium) that is not ready on a node whose kubelet
    still reports. Pods on that node crash with ``context deadline exceeded``/i/o timeouts and CSI plugins
    fail to register ("driver name driver.longhorn.io not found in the list of registered CSI drivers"):
    those are grouped under the node, with the count of failing pods on that node against the others —
    a node's problem can look cluster-wide. Known case: a node's networking failure first misdiagnosed as
    a K3s CSI driver bug (four hours lost).
    """
    node = ctx.resource(cause.object)
    if node is None or node.kind != "Node":
        return None
    network_unavailable = node.is_condition_true("NetworkUnavailable") is True
    if cause.check == "cni-agent-not-ready" and node_ready_status(node) != "True" and not network_unavailable:
        return None  # the kubelet itself is silent: the stale CNI status is a symptom of the node, not a cause
    impacted = ctx.propagate({node.ref}, NODE_SCOPE)
    symptoms_note = csi_symptom_note(ctx, impacted)
    evidence = [*cause.evidence, pod_balance(ctx, node.name)]
    if symptoms_note:
        evidence.append(symptoms_note)
    return Explanation(
        impacted,
        f"Node {node.name} has lost its pod network; the failures on {node.name} follow from it — "
        "start at the network layer, not at the applications",
        evidence,
        [NextStep(f"verify L3/L4 connectivity from {node.name}: ping the gateway and another node, reach the API "
                  "server on 6443 and the kubelet on 10250", f"ssh {node.name} 'ping -c3 192.168.10.1; "
                  "curl -sk https://<api-server>:6443/healthz'"),
         NextStep("read the Cilium agent on that node", "kubectl -n kube-system exec ds/cilium -- cilium status --brief"),
         NextStep(f"cordon {node.name} while investigating so nothing new lands there", f"kubectl cordon {node.name}"),
         NextStep("after recovery, prove it with a canary pod pinned to the node",
                  f"kubectl run canary --image=busybox --restart=Never --overrides='{{\"spec\":{{\"nodeName\":\"{node.name}\"}}}}' -- wget -qO- http://kubernetes.default.svc")],
        accepts=node_scope_accepts(node.ref),
    )
