"""Evidence read across findings before the ranking: what one node's failures have in common.

Two readings, both decided by the cluster's own state rather than by which incident it looks like:

* **Agent, not node.** A node's pod network agent (the CNI DaemonSet's pod there) crash-loops while the
  node is Ready (its kubelet posts status), other pods on it run and the agent runs on every other node:
  the node's network failure is the agent's consequence. The agent pod gets a ``node-agent`` edge to the
  node, and the node's own finding no longer explains its pods. A NotReady node stays the cause.
* **One node's network.** On one Ready node, pods of two or more different workloads fail with timeouts
  towards pods or Services whose pods run on *other* nodes, while no pod on another node reports such
  timeouts: the shared factor is that node's network (MTU, CNI, routes), not N applications.
"""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose import links
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.evidence import Readings, snippet
from homelabctl.diagnose.graph import EGRESS, EXTERNAL, EXTERNAL_HOST, NODE_AGENT, SELECTS
from homelabctl.diagnose.rules._common import cni_agent, failing_container
from homelabctl.k8s import podrefs
from homelabctl.k8s import pods as k8s_pods
from homelabctl.kube import node_ready_status, pod_is_finished, pod_is_ready
from homelabctl.model import ObjectRef, Resource

NETWORK_AGENT_CHECKS = frozenset({"cni-agent-not-ready", "node-network-unavailable"})
NODE_DOWN_CHECKS = frozenset({"node-not-ready", "node-unreachable-taint"})
MIN_WORKLOADS = 2
"""Distinct workloads on one node that must time out towards other nodes before the node is suspected."""
MAX_PODS = 200
"""Failing pods read for timeouts; a cluster-wide outage needs no more to show it is not one node."""


NETWORK_DOWN_CHECKS = frozenset({"node-network-unavailable", "cni-agent-not-ready"})
HOST_CHECKS = frozenset({"image-registry-failing"})
"""Findings on an ``ExternalHost`` made of failures seen from pods: the nodes those pods run on matter."""


def correlate(ctx: RuleContext, readings: Readings | None = None) -> None:
    _agent_nodes(ctx)
    _node_suspects(ctx, readings if readings is not None else Readings(ctx.index))
    _node_egress(ctx)


def _agent_nodes(ctx: RuleContext) -> None:
    for check in sorted(NETWORK_AGENT_CHECKS):
        for finding in ctx.by_check.get(check, ()):
            node = ctx.resource(finding.object)
            if node is None or node.kind != "Node" or finding.object in ctx.agent_nodes:
                continue
            why = agent_failure(ctx, node)
            if why is None:
                continue
            pod, evidence = why
            ctx.agent_nodes[node.ref] = evidence
            ctx.graph.add(pod.ref, NODE_AGENT, node.ref, evidence)


def _network_down(ctx: RuleContext, node: ObjectRef) -> bool:
    if node in ctx.node_suspects:
        return True
    return node not in ctx.agent_nodes and any(
        f.check in NETWORK_DOWN_CHECKS for f in ctx.by_object.get(node, ())
    )


def _node_egress(ctx: RuleContext) -> None:
    """A host outside the cluster that only pods on nodes whose network is down fail to reach is not failing:
    those nodes cannot get out. Each such node gets an ``egress`` edge to the host, so the host's finding is
    the node's symptom."""
    for check in sorted(HOST_CHECKS):
        for finding in ctx.by_check.get(check, ()):
            host = finding.object
            if host.kind != EXTERNAL_HOST:
                continue
            nodes: dict[str, int] = {}
            for ref in ctx.graph.direct(host, EXTERNAL):
                if ref.kind != "Pod" or not ctx.failing(ref):
                    continue
                pod = ctx.resource(ref)
                name = k8s_pods.node_name(pod) if pod is not None else None
                if name is None:
                    nodes = {}
                    break  # a pod that failed without a node: the node is not why
                nodes[name] = nodes.get(name, 0) + 1
            down = [ObjectRef("Node", None, name) for name in sorted(nodes)]
            if not down or not all(_network_down(ctx, node) for node in down):
                continue
            for node in down:
                ctx.graph.add(
                    node,
                    EGRESS,
                    host,
                    f"{nodes[node.name]} pod(s) failing to reach {host.name} all run on node(s) whose network "
                    f"is down ({', '.join(n.name for n in down)}); no pod elsewhere fails to",
                )


def agent_failure(ctx: RuleContext, node: Resource) -> tuple[Resource, str] | None:
    """The node's network agent pod when it is what fails: the node Ready, its other pods running, the same
    DaemonSet's pods Ready on every other node it runs on. None when the node itself is down."""
    if node_ready_status(node) != "True" or any(
        f.check in NODE_DOWN_CHECKS for f in ctx.by_object.get(node.ref, ())
    ):
        return None
    agent = cni_agent(ctx, node)
    if agent is None or agent.pod is None or agent.daemonset is None:
        return None
    pod = agent.pod
    if pod_is_ready(pod) and failing_container(pod) is None:
        return None
    siblings = [
        p
        for p in ctx.index.children(agent.daemonset)
        if p.kind == "Pod" and p.ref != pod.ref and not pod_is_finished(p)
    ]
    if not siblings or not all(pod_is_ready(p) for p in siblings):
        return None
    running = sum(
        1 for p in ctx.index.pods_on_node(node.name) if p.ref != pod.ref and k8s_pods.phase(p) == "Running"
    )
    if not running:
        return None
    return pod, (
        f"node {node.name} is Ready and runs {running} other pod(s), the {agent.cni} agent pod "
        f"{pod.namespace}/{pod.name} there is not, and {len(siblings)} agent pod(s) on other nodes are "
        "Ready: the agent is the cause, the node's network its consequence"
    )


def _node_of(ctx: RuleContext, ref: ObjectRef) -> set[str]:
    """The nodes a message's target runs on: a pod's node, a Service's pods' nodes."""
    res = ctx.resource(ref)
    if res is None:
        return set()
    if res.kind == "Pod":
        node = k8s_pods.node_name(res)
        return {node} if node else set()
    if res.kind == "Service":
        nodes = set()
        for member in ctx.graph.members(ref, SELECTS):
            pod = ctx.resource(member)
            node = k8s_pods.node_name(pod) if pod is not None and pod.kind == "Pod" else None
            if node:
                nodes.add(node)
        return nodes
    return set()


def _timeouts(ctx: RuleContext, readings: Readings, pod: Resource) -> list[tuple[str, set[str]]]:
    """(the words, the nodes the timed-out targets run on) for each timeout message of the pod."""
    out = []
    for where, raw in readings.texts(pod):
        text = links.clip(raw)
        words = readings.words(text)
        match = words.timeout
        if match is None:
            continue
        targets: set[ObjectRef] = set()
        for ip, _ in words.ips:
            found = ctx.graph.service_by_ip(ip)
            if found is not None:
                targets.add(found)
        for mention in [*words.service_dns, *words.short_services]:
            targets.add(ObjectRef("Service", mention.namespace, mention.name))
        nodes = {n for t in targets if t != pod.ref for n in _node_of(ctx, t)}
        if nodes:
            out.append((f'{where}: "{snippet(text, match.group(0))}"', nodes))
    return out


def _node_suspects(ctx: RuleContext, readings: Readings) -> None:
    failing_pods: list[Resource] = []
    for ref in sorted(ctx.by_object, key=str):
        if ref.kind in ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
            res = ctx.resource(ref)
            if res is None:
                continue
            pods = (
                [res]
                if res.kind == "Pod"
                else [p for p in ctx.index.children(res) if p.kind == "Pod"]
                + [
                    g
                    for c in ctx.index.children(res)
                    if c.kind == "ReplicaSet"
                    for g in ctx.index.children(c)
                ]
            )
            failing_pods += [p for p in pods if not pod_is_ready(p) or ref == p.ref]
        if len(failing_pods) >= MAX_PODS:
            break
    by_node: dict[str, dict[ObjectRef, list[str]]] = {}
    pods_by_node: dict[str, set[ObjectRef]] = {}
    seen: set[ObjectRef] = set()
    for pod in failing_pods:
        node_name = k8s_pods.node_name(pod)
        if pod.ref in seen or not node_name or podrefs.host_network(pod):
            continue
        seen.add(pod.ref)
        node = node_name
        remote = [words for words, nodes in _timeouts(ctx, readings, pod) if nodes - {node}]
        if remote:
            workload = ctx.index.top_owner(pod).ref
            by_node.setdefault(node, {}).setdefault(workload, []).extend(remote[:1])
            pods_by_node.setdefault(node, set()).add(pod.ref)
    for name, workloads in by_node.items():
        if len(workloads) < MIN_WORKLOADS or any(other != name for other in by_node):
            continue
        node_res = ctx.index.get(kinds.NODE, None, name)
        if node_res is None or node_ready_status(node_res) != "True" or node_res.ref in ctx.agent_nodes:
            continue
        evidence = [
            f"{len(workloads)} workloads on {name} time out towards pods on other nodes; no pod on another "
            "node reports such timeouts"
        ]
        evidence += [f"{w}: {words[0]}" for w, words in sorted(workloads.items())]
        ctx.node_suspects[node_res.ref] = (pods_by_node[name], evidence)
