from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.node._common import UNSCHEDULABLE_TAINT, taint_added, taint_line, taints
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import nodes
from homelabctl.kube import node_display_status, pod_is_finished
from homelabctl.model import Finding, Layer, Nature, Severity
from homelabctl.timeutil import short_duration


@check(
    "node-cordoned",
    layer=Layer.NODE,
    severity=Severity.INFO,
    requires=[kinds.NODE],
    uses=[kinds.POD],
    nature=Nature.CONFIGURATION,
)
def node_cordoned(ctx: CheckContext) -> Iterator[Finding]:
    """Node is cordoned (SchedulingDisabled).

    Reads ``spec.unschedulable`` and the ``node.kubernetes.io/unschedulable`` taint, whose ``timeAdded``
    tells how long the cordon has been in place, and counts the pods (DaemonSets aside) still running there.

    Why it matters: a cordon is a maintenance tool that is easy to forget; a forgotten one quietly removes
    a node's capacity from the scheduler.

    Next step: ``kubectl uncordon <node>`` once the node is healthy, or finish the maintenance with
    ``kubectl drain``.
    """
    for node in ctx.index.all(kinds.NODE):
        if not nodes.unschedulable(node):
            continue
        cordon = [t for t in taints(node) if t.key == UNSCHEDULABLE_TAINT]
        added = next((a for t in cordon if (a := taint_added(t)) is not None), None)
        duration = f" for {short_duration(ctx.now - added)}" if added is not None else ""
        evidence = ["spec.unschedulable=true", f"status {node_display_status(node)}"]
        evidence += [taint_line(t, ctx.now) for t in cordon]
        remaining = [
            p
            for p in ctx.index.pods_on_node(node.name)
            if not pod_is_finished(p)
            and not p.deletion_timestamp
            and (p.controller_owner or {}).get("kind") != "DaemonSet"
        ]
        if remaining:
            evidence.append(f"{len(remaining)} non-DaemonSet pod(s) still running on it (not drained)")
        yield ctx.finding(
            node,
            f"Node {node.name} is cordoned{duration}: no new pods are scheduled on it",
            evidence=evidence,
            hint=(
                f"`kubectl uncordon {node.name}` if the maintenance is over; otherwise finish it with "
                f"`kubectl drain {node.name} --ignore-daemonsets --delete-emptydir-data`"
            ),
        )
