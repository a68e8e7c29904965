from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check, first_pod_lines
from homelabctl.k8s import nodes
from homelabctl.k8s.kubectl import node_ready_status
from homelabctl.model import Finding, Layer, Lifecycle, Severity


@check(
    "node-taint-holds-pods",
    layer=Layer.NODE,
    severity=Severity.CRITICAL,
    requires=[kinds.NODE, kinds.POD],
    uses=[kinds.EVENT],
    lifecycle=Lifecycle.PREVIEW,
)
def node_taint_holds_pods(ctx: CheckContext) -> Iterator[Finding]:
    """Node keeps a taint its lifecycle should have lifted, and the pods meant for it cannot be scheduled.

    Reads each node's ``NoSchedule``/``NoExecute`` taints that a controller removes once the node is set up:
    ``node.cloudprovider.kubernetes.io/uninitialized`` (set by a kubelet started with
    ``--cloud-provider=external``; only a cloud controller manager lifts it, and K3s runs none when started
    with ``disable-cloud-controller``), and ``node.kubernetes.io/not-ready`` or ``unreachable`` on a node that
    reports Ready. Then the Pending, unscheduled pods meant for that node (their ``nodeSelector`` matches its
    labels, or their required node affinity names it) that do not tolerate the taint and whose scheduler
    message (the ``PodScheduled`` condition or a ``FailedScheduling`` event) names it (``had untolerated taint
    {key: value}``). One finding per node, naming the taints and the pods; a node whose kept taint holds no pod
    is not reported here (``node-unreachable-taint`` reports a Ready node's condition taints by themselves).

    Why it matters: the node looks Ready and runs its DaemonSets that tolerate everything, but nothing else
    lands on it; a workload pinned there (a USB accelerator, a local disk) waits Pending indefinitely.

    Next step: run the cloud controller the kubelet expects, or start the kubelet without
    ``--cloud-provider=external`` (K3s: the server's cloud controller or ``--kubelet-arg`` on the agent), then
    remove the taint (``kubectl taint node <node> <key>:<effect>-``).
    """
    if not any(nodes.kept_taints(n, node_ready_status(n) == "True") for n in ctx.index.all(kinds.NODE)):
        return
    # Imported here: most clusters have no such taint, and every module imported costs each run memory.
    from homelabctl.k8s import lifecycle_taints

    for node, held in sorted(lifecycle_taints.held_by_kept_taints(ctx.index).items()):
        taints = sorted({h.taint.text for h in held})
        evidence = [f"taint {t}" for t in taints]
        evidence += first_pod_lines(
            (f"pod {h.pod.namespace}/{h.pod.name}: scheduler: {h.line}" for h in held), len(held)
        )
        keys = sorted({h.taint.key for h in held})
        yield ctx.finding(
            ctx.node(node),
            f"Node {node} still carries {', '.join(taints)}, which its controllers should have removed: "
            f"{len(held)} pending pod(s) meant for it cannot be scheduled",
            evidence=evidence,
            hint=(
                "If the kubelet runs with --cloud-provider=external, run the cloud controller manager or restart "
                "it without that flag; then "
                + " && ".join(f"`kubectl taint node {node} {key}-`" for key in keys)
            ),
        )
