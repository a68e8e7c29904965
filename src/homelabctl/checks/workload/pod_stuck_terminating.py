from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import owner_line
from homelabctl.k8s import pods
from homelabctl.kube import node_ready_status, pod_node
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import parse_time, short_duration

MARGIN = timedelta(minutes=5)
"""Beyond the grace period: the kubelet needs a moment to report the containers gone."""


@check(
    "pod-stuck-terminating",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.NODE],
)
def pod_stuck_terminating(ctx: CheckContext) -> Iterator[Finding]:
    """Pod stuck Terminating well past its grace period.

    Reads ``metadata.deletionTimestamp`` and ``deletionGracePeriodSeconds``: a pod still present five
    minutes after its grace period ran out is stuck. The finding says why when the data shows it: the
    pod's node is NotReady/Unknown or gone (only that node's kubelet can confirm the containers stopped,
    so the API keeps the pod forever), or finalizers hold it. Critical when the node is down or gone:
    the pod's replacement may be blocked (StatefulSets never start a second pod with the same name;
    ReadWriteOnce volumes stay attached to the dead node).

    Next step: bring the node back (``systemctl restart k3s-agent`` on it). Only after confirming the node
    is really down and will not come back with the containers still running, force-delete:
    ``kubectl delete pod --grace-period=0 --force -n NS NAME`` (dangerous: the API forgets the pod without
    the kubelet confirming, so a half-alive node can run two copies writing the same volume).
    """
    nodes_readable = ctx.readable(kinds.NODE)
    for pod in ctx.index.all(kinds.POD):
        stamp = pod.deletion_timestamp
        if stamp is None:  # most pods: not being deleted
            continue
        deleted_at = parse_time(stamp)
        if deleted_at is None:
            continue
        grace = pods.deletion_grace_seconds(pod) or pods.scheduling(pod).termination_grace_seconds or 30
        # deletionTimestamp is already "requested time + grace period"; the margin is on top of it.
        overdue = ctx.now - deleted_at
        if overdue < MARGIN:
            continue
        node_name = pod_node(pod)
        evidence = [
            f"deletionTimestamp={pod.deletion_timestamp}, deletionGracePeriodSeconds={grace}: "
            f"the grace period ended {short_duration(overdue)} ago",
        ]
        severity = Severity.WARNING
        node_text = ""
        if node_name and nodes_readable:
            node = ctx.index.get(kinds.NODE, None, node_name)
            if node is None:
                severity = Severity.CRITICAL
                node_text = f"node {node_name} no longer exists"
                evidence.append(f"node {node_name} is not in the cluster")
            else:
                status = node_ready_status(node)
                if status != "True":
                    severity = Severity.CRITICAL
                    cond = node.condition("Ready") or {}
                    since = parse_time(cond.get("lastTransitionTime"))
                    for_how_long = f" for {short_duration(ctx.now - since)}" if since else ""
                    label = "NotReady" if status == "False" else "Unknown"
                    node_text = f"node {node_name} is {label}{for_how_long}"
                    evidence.append(
                        f"node {node_name} Ready={status} reason={cond.get('reason', '?')} "
                        f"since {cond.get('lastTransitionTime', '?')}: {cond.get('message', '')}".rstrip(": ")
                    )
                else:
                    evidence.append(f"node {node_name} is Ready")
        elif node_name:
            evidence.append(f"node {node_name}: state unknown (Nodes not in the snapshot)")
        else:
            evidence.append("pod was never scheduled to a node")
        finalizers = pods.finalizers(pod)
        if finalizers:
            evidence.append("finalizers: " + ", ".join(finalizers))
        pod_status = pods.pod_status(pod)
        if pod_status.reason:
            evidence.append(f"status.reason={pod_status.reason}: {pod_status.message}".rstrip(": "))
        evidence.append(owner_line(ctx.index, pod))
        force = f"`kubectl delete pod --grace-period=0 --force -n {pod.namespace} {pod.name}`"
        if severity is Severity.CRITICAL:
            hint = (
                f"Recover {node_name} first (`systemctl restart k3s-agent` on it). DANGEROUS, only once you "
                f"have confirmed {node_name} is down and its containers are not running: {force}"
            )
            why = f" because {node_text}"
        elif finalizers:
            hint = (
                f"Find the controller that owns finalizer {finalizers[0]} and why it does not remove it; "
                f"`kubectl get pod -n {pod.namespace} {pod.name} -o jsonpath='{{.metadata.finalizers}}'`"
            )
            why = f" (finalizer {finalizers[0]})"
        else:
            hint = (
                f"Check the kubelet on {node_name or 'its node'} (`journalctl -u k3s-agent`); force-deleting "
                f"({force}) is a last resort once you know the containers are gone"
            )
            why = ""
        yield ctx.finding(
            pod,
            f"Pod {pod.namespace}/{pod.name} has been Terminating for "
            f"{short_duration(overdue + timedelta(seconds=grace))}{why}",
            evidence=evidence,
            hint=hint,
            severity=severity,
        )
