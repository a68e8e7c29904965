from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from homelabctl import kinds
from homelabctl.checks.network._common import cilium_config, config_line, config_value, selector_text
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import cilium, conditions
from homelabctl.k8s import selectors as k8s_selectors
from homelabctl.kube import node_is_control_plane
from homelabctl.model import Finding, Layer, Nature, Resource, Severity
from homelabctl.selectors import Selector, from_spec

_BAD_CLUSTER_CONDITIONS = (
    "cilium.io/NoMatchingNode",
    "cilium.io/MissingPeerConfigs",
    "cilium.io/ConflictingClusterConfigs",
)


def _selector(res: Resource) -> Selector:
    """Cilium applies a BGP policy with no nodeSelector to every node."""
    return from_spec(cilium.node_selector(res)) or Selector(())


def _peers(res: Resource) -> list[str]:
    return [str(peer) for peer in cilium.bgp_peers(res)]


def _label_gaps(selector_spec: Mapping[str, Any] | None, node: Resource) -> list[tuple[str, str, str | None]]:
    """The ``matchLabels`` a node does not satisfy: (key, wanted value, the node's value or None)."""
    gaps = []
    for key, value in k8s_selectors.match_labels(selector_spec).items():
        have = node.labels.get(key)
        if have != value:
            gaps.append((str(key), str(value), have))
    return gaps


def _gap_text(gaps: list[tuple[str, str, str | None]]) -> str:
    return ", ".join(f"{k}={v} ({'absent' if have is None else f'is {have!r}'})" for k, v, have in gaps)


def _label_hint(selector_spec: Mapping[str, Any] | None, node: str) -> str:
    labels = k8s_selectors.match_labels(selector_spec)
    if labels and not k8s_selectors.has_expressions(selector_spec):
        return f"`kubectl label node {node} " + " ".join(f"{k}={v}" for k, v in labels.items()) + "`"
    return f"label {node} so it matches `{selector_text(selector_spec)}`"


@check(
    "cilium-bgp-peering",
    layer=Layer.NETWORK,
    severity=Severity.WARNING,
    requires=[kinds.NODE],
    any_of=[kinds.CILIUM_BGP_PEERING_POLICY, kinds.CILIUM_BGP_CLUSTER_CONFIG],
    uses=[kinds.CONFIGMAP],
    nature=Nature.CONFIGURATION,
)
def cilium_bgp_peering(ctx: CheckContext) -> Iterator[Finding]:
    """Cilium BGP peering does not cover the worker nodes.

    Reads ``CiliumBGPPeeringPolicy`` and ``CiliumBGPClusterConfig`` (``cilium.io/v2alpha1``): their
    ``nodeSelector`` against the nodes' labels, the cluster configs' status conditions
    (``cilium.io/NoMatchingNode``, ``cilium.io/MissingPeerConfigs``, ``cilium.io/ConflictingClusterConfigs``),
    and ``enable-bgp-control-plane`` in ``cilium-config``. Reports a policy that selects no node, a worker
    node no policy selects (naming the label it lacks), a node selected by more than one peering policy
    (Cilium then applies none to it), and policies that cannot act because the BGP control plane is off.

    Why it matters: a node outside the peering announces nothing, so LoadBalancer IPs whose endpoints
    live there (``externalTrafficPolicy: Local``) blackhole, and the router loses a path.

    Next step: label the node so the selector matches (``kubectl label node <node> <key>=<value>``), and
    check the sessions with ``cilium bgp peers``.
    """
    nodes = list(ctx.index.all(kinds.NODE))
    workers = [n for n in nodes if not node_is_control_plane(n)] or nodes
    policies = list(ctx.index.all(kinds.CILIUM_BGP_PEERING_POLICY))
    configs = list(ctx.index.all(kinds.CILIUM_BGP_CLUSTER_CONFIG))
    if not policies and not configs:
        return
    config = cilium_config(ctx.index)
    if config is not None and config_value(config, "enable-bgp-control-plane") != "true":
        for res in policies + configs:
            yield ctx.finding(
                res,
                f"{res.kind} {res.name} has no effect: the Cilium BGP control plane is disabled",
                evidence=[config_line(config, "enable-bgp-control-plane"), *_peers(res)],
                hint=(
                    "Set `bgpControlPlane.enabled: true` in the Cilium Helm values and restart the agents "
                    "(`kubectl -n kube-system rollout restart ds/cilium`)"
                ),
            )
        return
    covered: dict[str, list[Resource]] = defaultdict(list)
    policy_nodes: dict[str, list[str]] = defaultdict(list)
    for res in policies + configs:
        selector = _selector(res)
        matched = [n.name for n in nodes if selector.matches(n.labels)]
        for name in matched:
            covered[name].append(res)
            if res.kind == "CiliumBGPPeeringPolicy":
                policy_nodes[name].append(res.name)
        bad = [c for c in conditions.conditions(res) if c.type in _BAD_CLUSTER_CONDITIONS and c.is_true]
        if matched and not bad:
            continue
        evidence = [f"nodeSelector: {selector_text(cilium.node_selector(res))}", *_peers(res)]
        evidence += [f"{c.type}=True reason={c.reason or '?'}: {c.message}" for c in bad]
        lacking = [
            f"{n.name} lacks {_gap_text(g)}"
            for n in workers
            if (g := _label_gaps(cilium.node_selector(res), n))
        ]
        evidence += lacking[:6]
        if not matched:
            message = f"{res.kind} {res.name} selects no node: no BGP session is set up"
        else:
            message = f"{res.kind} {res.name} reports " + ", ".join(c.type for c in bad)
        yield ctx.finding(
            res,
            message,
            evidence=evidence,
            hint=(
                f"{_label_hint(cilium.node_selector(res), '<node>')} on the nodes that should peer, or fix "
                "the selector; then `cilium bgp peers`"
            ),
        )
    if not covered:
        return
    all_bgp = policies + configs
    for node in workers:
        if node.name in covered:
            continue
        node_gaps = [(res, g) for res in all_bgp if (g := _label_gaps(cilium.node_selector(res), node))]
        evidence = [f"{res.kind} {res.name} needs {_gap_text(g)}" for res, g in node_gaps]
        evidence += [
            f"{res.kind} {res.name} nodeSelector: {selector_text(cilium.node_selector(res))}"
            for res in all_bgp
            if not any(r is res for r, _ in node_gaps)
        ]
        missing = ", ".join(f"{k}={v}" for k, v, _ in node_gaps[0][1]) if node_gaps else ""
        hint_target = cilium.node_selector(node_gaps[0][0] if node_gaps else all_bgp[0])
        yield ctx.finding(
            node,
            f"Worker node {node.name} is not selected by any Cilium BGP policy"
            + (f" (missing label {missing})" if missing else "")
            + ": it does not announce LoadBalancer IPs to the router",
            evidence=evidence,
            hint=f"{_label_hint(hint_target, node.name)}, then `cilium bgp peers` to see the session come up",
        )
    for node_name, names in policy_nodes.items():
        if len(names) < 2:
            continue
        node_res = ctx.index.get(kinds.NODE, None, node_name)
        if node_res is None:
            continue
        yield ctx.finding(
            node_res,
            f"Node {node_name} is selected by {len(names)} CiliumBGPPeeringPolicies ({', '.join(sorted(names))}): "
            "Cilium refuses to apply any of them to it",
            evidence=[f"CiliumBGPPeeringPolicy {n} selects {node_name}" for n in sorted(names)],
            hint="Make the nodeSelectors disjoint so each node matches exactly one CiliumBGPPeeringPolicy",
        )
