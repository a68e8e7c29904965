from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.network._common import cilium_agent_pods, daemon_pod_target
from homelabctl.checks.node._common import condition_line, condition_since
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions
from homelabctl.kube import node_ready_status, pod_display_status
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import short_duration


@check(
    "node-network-unavailable",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.NODE],
    uses=[kinds.POD],
)
def node_network_unavailable(ctx: CheckContext) -> Iterator[Finding]:
    """Node reports NetworkUnavailable.

    Reads the node's ``NetworkUnavailable`` condition, which the CNI sets (Cilium: ``False`` with reason
    ``CiliumIsUp`` once its agent has configured the node). ``True`` means the node's pod network or routes
    are not set up, so pods there cannot reach other nodes, services or DNS. The node's Cilium agent pod
    status is added as evidence when it is in the snapshot.

    Next step: check the CNI agent on that node, then the host: ``ip -br link``, ``ip route``,
    ``networkctl list`` (is systemd-networkd or NetworkManager managing ``cilium_*``/``lxc*`` devices?).
    """
    agents = (
        {daemon_pod_target(p): p for p in cilium_agent_pods(ctx.index)} if ctx.readable(kinds.POD) else {}
    )
    for node in ctx.index.all(kinds.NODE):
        cond = conditions.condition(node, "NetworkUnavailable")
        if cond is None or not cond.is_true:
            continue
        age = condition_since(cond, ctx.now)
        duration = f" for {short_duration(age)}" if age is not None else ""
        evidence = [condition_line(cond, ctx.now), f"Ready={node_ready_status(node)}"]
        agent = agents.get(node.name)
        if agent is not None:
            evidence.append(f"Cilium agent {agent.namespace}/{agent.name}: {pod_display_status(agent)}")
        yield ctx.finding(
            node,
            f"Node {node.name} reports NetworkUnavailable{duration}: its pod network is not configured",
            evidence=evidence,
            hint=(
                f"Check the CNI agent on {node.name} first, then on the host `ip -br link`, `ip route` and "
                "`networkctl list` (systemd-networkd must not manage cilium_*/lxc* interfaces)"
            ),
        )
