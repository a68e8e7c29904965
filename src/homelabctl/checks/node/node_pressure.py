from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.node._common import (
    PRESSURE_TAINTS,
    condition_line,
    condition_since,
    taint_line,
    taints,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, pods
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import short_duration

_HINTS = {
    "DiskPressure": (
        "free disk on {node}: `crictl rmi --prune`, old logs under /var/log, and what grows under "
        "/var/lib/rancher/k3s (K3s evicts pods below 5% free on nodefs/imagefs)"
    ),
    "MemoryPressure": (
        "find the memory hogs on {node}: `kubectl top pods -A --sort-by=memory` for its pods, and give "
        "workloads memory limits so the kubelet stops evicting"
    ),
    "PIDPressure": (
        "find the process leak on {node}: `ps -eLf | wc -l` and per-container thread counts; set "
        "`podPidsLimit` in the kubelet config"
    ),
}


@check("node-pressure", layer=Layer.NODE, severity=Severity.WARNING, requires=[kinds.NODE], uses=[kinds.POD])
def node_pressure(ctx: CheckContext) -> Iterator[Finding]:
    """Node reports MemoryPressure, DiskPressure or PIDPressure.

    Reads the node's ``MemoryPressure``, ``DiskPressure`` and ``PIDPressure`` conditions (``True`` means the
    kubelet crossed an eviction threshold), the matching ``node.kubernetes.io/*-pressure`` taints, and the
    pods the kubelet already evicted from the node (``status.reason=Evicted``).

    Why it matters: under pressure the kubelet evicts pods and the scheduler stops placing new ones there;
    on a small homelab node this looks like workloads restarting "at random". K3s evicts when less than 5%
    of the node or image filesystem is free.

    Next step: free the resource on that node (the hint names the usual suspects per condition), then
    watch the condition go back to ``False``.
    """
    for node in ctx.index.all(kinds.NODE):
        active = [
            cond for cond in conditions.conditions(node) if cond.type in PRESSURE_TAINTS and cond.is_true
        ]
        if not active:
            continue
        types = [cond.type for cond in active]
        evidence = [condition_line(cond, ctx.now) for cond in active]
        wanted_taints = {PRESSURE_TAINTS[t] for t in types}
        evidence += [taint_line(t, ctx.now) for t in taints(node) if t.key in wanted_taints]
        evicted = [p for p in ctx.index.pods_on_node(node.name) if pods.pod_status(p).reason == "Evicted"]
        if evicted:
            names = ", ".join(f"{p.namespace}/{p.name}" for p in evicted[:5])
            more = f" and {len(evicted) - 5} more" if len(evicted) > 5 else ""
            evidence.append(f"{len(evicted)} pod(s) evicted from the node: {names}{more}")
        ages = [age for age in (condition_since(c, ctx.now) for c in active) if age is not None]
        longest = max(ages) if ages else None
        duration = f" for {short_duration(longest)}" if longest is not None else ""
        yield ctx.finding(
            node,
            f"Node {node.name} reports {' and '.join(types)}{duration}",
            evidence=evidence,
            hint="; ".join(_HINTS[t].format(node=node.name) for t in types)
            + f"; `kubectl describe node {node.name}` shows the thresholds crossed",
        )
