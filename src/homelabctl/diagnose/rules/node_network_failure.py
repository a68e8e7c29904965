"""Cause rule ``node-network-failure``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import (
    NODE_SCOPE,
    api_server_url,
    bgp_peer,
    cni_agent,
    csi_symptom_note,
    failing_container,
    node_address,
    node_scope_accepts,
    node_service,
    peer_node,
    pod_balance,
    pod_read_step,
)
from homelabctl.k8s import pods as k8s_pods
from homelabctl.kube import node_ready_status
from homelabctl.model import Finding, Layer, Resource


def cni_steps(ctx: RuleContext, node: Resource) -> list[NextStep]:
    """Read the pod network agent on that node: its pod's last crash, its status from inside when it runs."""
    agent = cni_agent(ctx, node)
    if agent is None:
        return [
            NextStep(
                f"find the pod network (CNI) agent of {node.name} and read its log",
                f"kubectl get pods -A -o wide --field-selector spec.nodeName={node.name}",
            )
        ]
    if agent.pod is not None:
        steps = [pod_read_step(agent.pod, f"read the {agent.cni} agent on {node.name}")]
        failing = failing_container(agent.pod)
        runs = k8s_pods.phase(agent.pod) == "Running" and (failing is None or not failing.crashlooping)
        if (
            runs and agent.status_command and agent.container
        ):  # a crash-looping container cannot be exec'ed into
            steps.append(
                NextStep(
                    f"ask the {agent.cni} agent on {node.name} for its status",
                    f"kubectl -n {agent.pod.namespace} exec {agent.pod.name} -c {agent.container} -- "
                    f"{agent.status_command}",
                )
            )
        return steps
    if agent.daemonset is not None:
        ds = agent.daemonset
        return [
            NextStep(
                f"the {agent.cni} DaemonSet {ds.namespace}/{ds.name} runs no pod on {node.name}: read why",
                f"kubectl -n {ds.namespace} describe daemonset {ds.name}",
            )
        ]
    return [
        NextStep(
            f"{agent.cni} runs inside the {node_service(node)} service on {node.name}: read its log",
            f"ssh {node.name} 'sudo journalctl -u {node_service(node)} -n 2000 --no-pager | grep -i flannel | "
            "tail -50'",
        )
    ]


def connectivity_step(ctx: RuleContext, node: Resource) -> NextStep:
    """Ping the node, then from it the router and another node, and ask the API server for its health."""
    ip = node_address(node)
    router = bgp_peer(ctx.index, node)
    peer = peer_node(ctx.index, node)
    peer_ip = node_address(peer) if peer is not None else None
    api = api_server_url(ctx.state, node)
    targets = [
        f"the BGP peer {router}" if router else "your default gateway (`ip route` on the node shows it)"
    ]
    if peer is not None and peer_ip:
        targets.append(f"node {peer.name} ({peer_ip})")
    remote = [f"ping -c3 {t}" for t in (router, peer_ip) if t]
    if api:
        remote.append(f"curl -sk {api}/healthz")
    text = (
        f"verify L3/L4 connectivity of {node.name}{f' ({ip})' if ip else ''}: from it, ping "
        f"{' and '.join(targets)} and reach the API server{f' ({api})' if api else ''} "
        f"and the kubelet port 10250 from another node"
    )
    local = f"ping -c3 {ip}; " if ip else ""
    command = (
        f"{local}ssh {node.name} '{'; '.join(remote)}'" if remote else (f"ping -c3 {ip}" if ip else None)
    )
    return NextStep(text, command)


def network_steps(ctx: RuleContext, node: Resource) -> list[NextStep]:
    return [
        *cni_steps(ctx, node),
        connectivity_step(ctx, node),
        NextStep(
            f"cordon {node.name} while investigating so nothing new lands there",
            f"kubectl cordon {node.name}",
        ),
        NextStep(
            "after recovery, prove it with a canary pod pinned to the node",
            f'kubectl run canary --image=busybox --restart=Never --overrides=\'{{"spec":{{"nodeName":'
            f'"{node.name}"}}}}\' -- wget -qO- http://kubernetes.default.svc',
        ),
    ]


@cause_rule(
    "node-network-failure",
    layer=Layer.NETWORK,
    rank=0,
    causes={"node-network-unavailable", "cni-agent-not-ready"},
)
def node_network_failure(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node's network is down: everything failing on that node follows from it.

    Fires on ``NetworkUnavailable=True`` or a CNI agent (Cilium) that is not ready on a node whose kubelet
    still reports. Pods on that node crash with ``context deadline exceeded``/i/o timeouts and CSI plugins
    fail to register ("driver name driver.longhorn.io not found in the list of registered CSI drivers"):
    those are grouped under the node, with the count of failing pods on that node against the others —
    a node's problem can look cluster-wide. When the node is Ready, its other pods run and only its own
    agent pod fails while the agent runs on every other node, the agent's DaemonSet is the cause instead
    (the node's network failure is its consequence). Known case: a node's networking failure first misdiagnosed as
    a K3s CSI driver bug (four hours lost).
    """
    node = ctx.resource(cause.object)
    if node is None or node.kind != "Node":
        return None
    network_unavailable = node.is_condition_true("NetworkUnavailable") is True
    if cause.check == "cni-agent-not-ready" and node_ready_status(node) != "True" and not network_unavailable:
        return (
            None  # the kubelet itself is silent: the stale CNI status is a symptom of the node, not a cause
        )
    if node.ref in ctx.agent_nodes:
        return None  # the node is Ready and only its agent fails: the agent's DaemonSet is the cause
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
        network_steps(ctx, node),
        accepts=node_scope_accepts(node.ref),
    )
