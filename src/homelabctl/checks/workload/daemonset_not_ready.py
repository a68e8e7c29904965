from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    all_statuses,
    describe_termination,
    first_lines,
    last_terminated,
    limit_lines,
    waiting,
    waiting_reason,
)
from homelabctl.k8s import workloads
from homelabctl.kube import node_ready_status, pod_display_status, pod_is_ready, pod_node, pod_restarts
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_NODES = 8


def _pod_detail(ctx: CheckContext, pod: Resource) -> str:
    detail = f"{pod.name} {pod_display_status(pod)}, restarts={pod_restarts(pod)}"
    for cs, _ in all_statuses(pod):
        reason = waiting_reason(cs)
        if reason:
            message = first_lines(waiting(cs).get("message"), lines=1, width=160)
            term = describe_termination(last_terminated(cs))
            detail += f"; {cs.get('name')} waiting {reason}" + (f": {message}" if message else "")
            if term:
                detail += f"; last terminated {term}"
            break
    node_name = pod_node(pod)
    if node_name:
        node = ctx.index.get(kinds.NODE, None, node_name)
        if node is not None and node_ready_status(node) != "True":
            detail += f" (node Ready={node_ready_status(node)})"
    return detail


@check(
    "daemonset-not-ready",
    layer=Layer.WORKLOAD,
    severity=Severity.WARNING,
    requires=[kinds.DAEMONSET],
    uses=[kinds.POD, kinds.NODE],
)
def daemonset_not_ready(ctx: CheckContext) -> Iterator[Finding]:
    """DaemonSet pods not ready, missing or misscheduled on some nodes.

    Reads ``status.desiredNumberScheduled``, ``currentNumberScheduled``, ``numberReady``,
    ``numberUnavailable`` and ``numberMisscheduled``, then the DaemonSet's pods to say, node by node,
    which pod is not ready and why (waiting reason, last termination, the node's own Ready state).
    A DaemonSet is per-node infrastructure: a CNI agent, a CSI node plugin, a GPU device plugin or a log
    shipper missing on one node breaks that node for everything scheduled there. Critical when no pod of
    it is ready anywhere.

    Next step: look at the nodes named in the evidence first (NotReady, network, disk), then
    ``kubectl logs -n NS POD --previous`` for a pod that crashes on a healthy node.
    """
    for ds in ctx.index.all(kinds.DAEMONSET):
        status = workloads.daemonset_status(ds)
        desired, ready, current = status.desired, status.ready, status.current
        unavailable, misscheduled = status.unavailable, status.misscheduled
        if ready >= desired and unavailable == 0 and misscheduled == 0:
            continue
        evidence = [
            f"desiredNumberScheduled={desired}, currentNumberScheduled={current}, numberReady={ready}, "
            f"numberUnavailable={unavailable}, numberMisscheduled={misscheduled}"
        ]
        per_node = []
        for pod in sorted(ctx.index.children(ds, kinds.POD), key=lambda p: pod_node(p) or ""):
            if pod_is_ready(pod) and not pod.deletion_timestamp:
                continue
            per_node.append(f"node {pod_node(pod) or '(unscheduled)'}: {_pod_detail(ctx, pod)}")
        evidence.extend(limit_lines(per_node, MAX_NODES, "more nodes"))
        if desired > current:
            evidence.append(f"{desired - current} node(s) that should run it have no pod")
        if misscheduled:
            evidence.append(f"{misscheduled} pod(s) run on nodes the DaemonSet no longer selects")
        nodes = [line.split(":", 1)[0].removeprefix("node ") for line in per_node]
        where = f" on {', '.join(nodes[:4])}" + ("…" if len(nodes) > 4 else "") if nodes else ""
        labels = workloads.match_labels(ds)
        selector = ",".join(f"{k}={v}" for k, v in labels.items())
        listing = f"`kubectl get pods -n {ds.namespace} -o wide -l {selector}`" if selector else "its pods"
        yield ctx.finding(
            ds,
            f"DaemonSet {ds.namespace}/{ds.name} has {ready}/{desired} pods ready{where}",
            evidence=evidence,
            hint=(
                f"Check the listed nodes first (`kubectl get nodes`), then {listing} and "
                f"`kubectl logs -n {ds.namespace} POD --previous` for a pod failing on a healthy node"
            ),
            severity=Severity.CRITICAL if ready == 0 and desired > 0 else Severity.WARNING,
        )
