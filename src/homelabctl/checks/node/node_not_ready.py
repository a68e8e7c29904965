from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.kube import node_ready_status
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import parse_time, short_duration


@check(
    "node-not-ready", layer=Layer.NODE, severity=Severity.CRITICAL, requires=[kinds.NODE], uses=[kinds.POD]
)
def node_not_ready(ctx: CheckContext) -> Iterator[Finding]:
    """Node is NotReady or Unknown (kubelet stopped posting status).

    Reads the node's ``Ready`` condition. ``False`` means the kubelet reports itself unhealthy; ``Unknown``
    means the node controller heard nothing from the kubelet for longer than the grace period, which is
    what a dead kubelet, a powered-off machine or a node network failure look like from the API.
    The finding says how long the node has been in that state (from ``lastTransitionTime``) and how many
    pods are still bound to it.

    Next step: check L3/L4 connectivity to the node first (ping, SSH, ``curl -k https://<node>:10250/healthz``),
    then ``systemctl status k3s-agent`` on it; cordon it while you investigate.
    """
    for node in ctx.index.all(kinds.NODE):
        status = node_ready_status(node)
        if status == "True":
            continue
        cond = node.condition("Ready") or {}
        since = parse_time(cond.get("lastTransitionTime"))
        duration = f" for {short_duration(ctx.now - since)}" if since else ""
        state = "NotReady" if status == "False" else "Unknown (kubelet stopped posting status)"
        pods = ctx.index.pods_on_node(node.name)
        evidence = [
            f"Ready={status} reason={cond.get('reason', '?')}: {cond.get('message', '')}".rstrip(": "),
            f"lastTransitionTime={cond.get('lastTransitionTime', '?')}",
        ]
        if cond.get("lastHeartbeatTime"):
            evidence.append(f"lastHeartbeatTime={cond['lastHeartbeatTime']}")
        if pods:
            evidence.append(f"{len(pods)} pod(s) still bound to the node")
        yield ctx.finding(
            node,
            f"Node {node.name} is {state}{duration}",
            evidence=evidence,
            hint=(
                f"Verify L3/L4 connectivity to {node.name} (ping, ssh, kubelet port 10250), then "
                f"`systemctl status k3s-agent` on it; `kubectl cordon {node.name}` while investigating"
            ),
        )
