from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.network._common import (
    NOT_READY_GRACE,
    cilium_agent_pods,
    cilium_daemonset,
    daemon_pod_target,
    first_failing_container,
    pod_problem_lines,
    unready_for,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, workloads
from homelabctl.k8s import pods as k8s_pods
from homelabctl.kube import (
    node_ready_status,
    pod_display_status,
    pod_is_finished,
    pod_is_ready,
    pod_template_spec,
)
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.selectors import from_spec


def _node_evidence(node: Resource) -> list[str]:
    lines = []
    ready = node_ready_status(node)
    if ready != "True":
        lines.append(f"node {node.name} itself is Ready={ready}: the pod status may be stale")
    network = conditions.condition(node, "NetworkUnavailable")
    if network is not None and network.is_true:
        lines.append(f"NetworkUnavailable=True reason={network.reason or '?'}: {network.message}")
    return lines


def _daemonset_line(ds: Resource) -> str:
    s = workloads.daemonset_status(ds)
    return (
        f"DaemonSet {ds.namespace}/{ds.name}: desired={s.desired} current={s.current} ready={s.ready} "
        f"unavailable={s.unavailable}"
    )


@check(
    "cni-agent-not-ready",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.NODE, kinds.POD],
    uses=[kinds.DAEMONSET],
)
def cni_agent_not_ready(ctx: CheckContext) -> Iterator[Finding]:
    """Cilium agent not Ready, or missing, on a node.

    Reads the Cilium agent DaemonSet (``kube-system/cilium``, pods labelled ``k8s-app=cilium``), matches its
    pods to nodes (``spec.nodeName``, or the ``metadata.name`` node affinity the DaemonSet controller sets
    on a pod not yet scheduled), and reports each node whose agent pod is not Ready, or which has none
    although the DaemonSet's node selector matches it. Silent on clusters without Cilium.

    Why it matters: the agent programs the node's eBPF datapath; without it pods on that node get no
    network (new pods stay in ``ContainerCreating``, existing ones lose services and DNS), and everything
    above (CSI, Flux, apps) fails there with misleading errors.

    Next step: read the agent's logs and status on that node (``cilium-dbg status``), and check the node's
    own connectivity before anything above it.
    """
    ds = cilium_daemonset(ctx.index)
    pods = cilium_agent_pods(ctx.index)
    if ds is None and not pods:
        return
    by_node: dict[str, list[Resource]] = defaultdict(list)
    for pod in pods:
        target = daemon_pod_target(pod)
        if target and not pod_is_finished(pod):
            by_node[target].append(pod)
    selector = from_spec(k8s_pods.node_selector(pod_template_spec(ds))) if ds is not None else None
    namespace = ds.namespace if ds is not None else (pods[0].namespace or "kube-system")
    for node in ctx.index.all(kinds.NODE):
        node_pods = by_node.get(node.name, [])
        if not node_pods:
            if selector is not None and not selector.matches(node.labels):
                continue
            evidence = [_daemonset_line(ds)] if ds is not None else []
            evidence.append(f"no pod labelled k8s-app=cilium is bound to or targets node {node.name}")
            evidence += _node_evidence(node)
            yield ctx.finding(
                node,
                f"No Cilium agent runs on node {node.name}: pods there get no pod network",
                evidence=evidence,
                hint=(
                    f"`kubectl -n {namespace} describe ds cilium` (look for scheduling errors and taints "
                    f"on {node.name}), then `kubectl describe node {node.name}`"
                ),
            )
            continue
        if any(pod_is_ready(p) and not p.deletion_timestamp for p in node_pods):
            continue
        pod = max(node_pods, key=lambda p: (not p.deletion_timestamp, p.creation_timestamp or ""))
        age = unready_for(pod, ctx.now)
        if age is not None and age < NOT_READY_GRACE and node_ready_status(node) == "True":
            continue
        container = first_failing_container(pod) or "cilium-agent"
        yield ctx.finding(
            node,
            f"Cilium agent {pod.name} on node {node.name} is not Ready ({pod_display_status(pod)}): "
            "pod networking on the node is down or degraded",
            evidence=[*pod_problem_lines(pod), *_node_evidence(node)],
            hint=(
                f"`kubectl -n {pod.namespace} logs {pod.name} -c {container} --previous` and "
                f"`kubectl -n {pod.namespace} exec {pod.name} -c cilium-agent -- cilium-dbg status --verbose`; "
                f"verify {node.name}'s own L3 connectivity first (ping, ssh, `ip -br addr`)"
            ),
        )
