"""Cause rule ``node-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import (
    NODE_SCOPE,
    csi_symptom_note,
    node_address,
    node_scope_accepts,
    node_service,
    pod_balance,
    stuck_terminating_steps,
)
from homelabctl.model import Finding, Layer


@cause_rule("node-down", layer=Layer.NODE, rank=0, causes={"node-not-ready"})
def node_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node is NotReady/Unknown: its pods, stuck Terminating or stale, are symptoms of the node.

    Everything bound to the node (pods, their controllers when all their failing pods are there, CSI and
    CNI registrations of the node, routes whose only backends ran there) is grouped under it. Next steps
    start with connectivity and the kubelet, and give the force-delete command for pods stuck Terminating,
    marked dangerous. Known case: a node NotReady for three days with 8 pods stuck Terminating.
    """
    node = ctx.resource(cause.object)
    if node is None or node.kind != "Node":
        return None
    impacted = ctx.propagate({node.ref}, NODE_SCOPE)
    evidence = [*cause.evidence, pod_balance(ctx, node.name)]
    note = csi_symptom_note(ctx, impacted)
    if note:
        evidence.append(note)
    stuck = sum(1 for p in ctx.index.pods_on_node(node.name) if p.deletion_timestamp)
    if stuck:
        evidence.append(
            f"{stuck} pod(s) on {node.name} are stuck Terminating: the kubelet cannot confirm deletion"
        )
    unit = node_service(node)
    ip = node_address(node)
    steps = [
        NextStep(
            f"check {node.name} is reachable{f' ({ip})' if ip else ''} and read its kubelet "
            f"({unit}: its status and last 200 log lines)",
            f"{f'ping -c3 {ip}; ' if ip else ''}ssh {node.name} 'sudo systemctl status {unit} --no-pager; "
            f"sudo journalctl -u {unit} -n 200 --no-pager'",
        ),
        NextStep(
            f"restart the kubelet on {node.name} once you read why it stopped",
            f"ssh {node.name} sudo systemctl restart {unit}",
        ),
        NextStep(
            f"cordon {node.name} and move its workloads while it is down",
            f"kubectl cordon {node.name} && kubectl drain {node.name} --ignore-daemonsets --delete-emptydir-data --timeout=2m",
        ),
        *stuck_terminating_steps(ctx, node.name),
    ]
    return Explanation(
        impacted,
        f"{cause.message}; its pods are stale or stuck Terminating and everything scheduled there is down",
        evidence,
        steps,
        accepts=node_scope_accepts(node.ref),
    )
