"""Scopes and helpers several cause rules share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from homelabctl import kinds
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import (
    BACKS_UP,
    BINDS,
    HOLDS,
    MOUNTS,
    OWNS,
    REGISTERS,
    REPLICA,
    ROUTES,
    RUNS_ON,
    SELECTS,
)
from homelabctl.diagnose.model import NextStep
from homelabctl.model import Finding, ObjectRef

NODE_SCOPE = (RUNS_ON, REGISTERS, OWNS, SELECTS, ROUTES, BACKS_UP, HOLDS, MOUNTS, REPLICA)
STORAGE_SCOPE = (BINDS, MOUNTS, OWNS, SELECTS, ROUTES, BACKS_UP)
NODE_SYMPTOM_CHECKS_ON_NODE = frozenset({
    "node-not-ready", "node-unreachable-taint", "node-pressure", "cni-agent-not-ready", "node-network-unavailable",
    "csi-driver-not-registered", "node-cordoned",
})


def node_scope_accepts(node: ObjectRef) -> Callable[[Finding], bool]:
    def accepts(finding: Finding) -> bool:
        if finding.object == node:
            return finding.check in NODE_SYMPTOM_CHECKS_ON_NODE
        return True

    return accepts


def pod_balance(ctx: RuleContext, node_name: str) -> str:
    """'4/5 failing pods are on k3s1; 0/31 pods on other nodes fail' — the line that says 'node, not app'."""
    on_node = ctx.index.pods_on_node(node_name)
    failing_here = sum(1 for p in on_node if ctx.failing(p.ref))
    failing_pods = {f.object for f in ctx.findings if f.object.kind == "Pod"}
    others = len(ctx.index.all(kinds.POD)) - len(on_node)
    here = {p.ref for p in on_node}
    failing_elsewhere = sum(1 for ref in failing_pods if ref not in here)
    return (f"{failing_here}/{len(on_node)} pods on {node_name} have findings; "
            f"{failing_elsewhere}/{max(others, 0)} pods on other nodes do")


def csi_symptom_note(ctx: RuleContext, symptoms: Iterable[ObjectRef]) -> str | None:
    texts = [e for ref in symptoms for f in ctx.by_object.get(ref, []) for e in (f.message, *f.evidence)]
    if any(re.search(r"not found in the list of registered CSI drivers|context deadline exceeded|i/o timeout", t)
           for t in texts):
        return ("CSI errors ('driver not registered', 'context deadline exceeded') on this node are symptoms of "
                "the node, not a CSI driver bug")
    return None


def stuck_terminating_steps(ctx: RuleContext, node_name: str) -> list[NextStep]:
    steps = []
    for pod in ctx.index.pods_on_node(node_name):
        if pod.deletion_timestamp:
            steps.append(NextStep(
                f"force-delete pod {pod.namespace}/{pod.name} stuck Terminating — only once you are sure "
                f"{node_name} is down and will not come back with the pod still running",
                f"kubectl delete pod --grace-period=0 --force -n {pod.namespace} {pod.name}",
                dangerous=True))
    return steps


def csi_failure_scope(ctx: RuleContext, driver: str, namespace: str) -> set[ObjectRef]:
    start: set[ObjectRef] = {ObjectRef("CSIDriver", None, driver)}
    for node in ctx.index.all(kinds.NODE):
        start.add(ObjectRef("CSINode", None, node.name))
        start.add(node.ref)
    for pod in ctx.index.all(kinds.POD):
        if pod.namespace == namespace:
            start.add(pod.ref)
    return ctx.propagate(start, STORAGE_SCOPE)


def csi_accepts(finding: Finding) -> bool:
    if finding.object.kind == "Node" and finding.object.namespace is None:
        return finding.check == "csi-driver-not-registered"
    return True
