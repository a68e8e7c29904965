from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, longhorn
from homelabctl.kube import node_is_control_plane
from homelabctl.model import Finding, Layer, Severity

_CONDITIONS = ("Ready", "Schedulable", "MountPropagation")


@check(
    "longhorn-node-unschedulable",
    layer=Layer.STORAGE,
    severity=Severity.WARNING,
    requires=[kinds.LONGHORN_NODE],
    uses=[kinds.NODE],
)
def longhorn_node_unschedulable(ctx: CheckContext) -> Iterator[Finding]:
    """Longhorn node not Ready, not schedulable, or with scheduling disabled.

    Reads ``nodes.longhorn.io``: ``spec.allowScheduling``, the ``Ready``, ``Schedulable`` and
    ``MountPropagation`` conditions (``False`` with Longhorn's reason and message), and whether every disk
    has ``allowScheduling: false``. A control-plane node with scheduling disabled on purpose is reported
    as info.

    Why it matters: Longhorn places no replica on such a node; StorageClasses whose ``nodeSelector`` or
    ``diskSelector`` only match it (the Optane/NVMe/SAS tiers of one server) cannot provision at all, and
    other volumes stay degraded. Without mount propagation the CSI plugin cannot mount volumes there.

    Next step: Longhorn UI → Node → Edit node and disks, or ``kubectl -n longhorn-system patch
    nodes.longhorn.io <node> --type merge -p '{"spec":{"allowScheduling":true}}'``.
    """
    for lh_node in ctx.index.all(kinds.LONGHORN_NODE):
        problems = []
        evidence = []
        info = longhorn.longhorn_node(lh_node)
        if info.allow_scheduling is False:
            problems.append("scheduling disabled")
            evidence.append("spec.allowScheduling=false")
        if info.disks and not info.schedulable_disks:
            problems.append("all disks unschedulable")
            evidence.append(f"all {info.disks} disk(s) have allowScheduling=false")
        for type_ in _CONDITIONS:
            cond = conditions.condition(lh_node, type_)
            if cond is not None and cond.is_false:
                problems.append(f"{type_}=False")
                evidence.append(f"{type_}=False reason={cond.reason or '?'}: {cond.message}")
        if not problems:
            continue
        k8s_node = ctx.index.get(kinds.NODE, None, lh_node.name)
        on_purpose = (
            problems == ["scheduling disabled"] and k8s_node is not None and node_is_control_plane(k8s_node)
        )
        yield ctx.finding(
            lh_node,
            f"Longhorn node {lh_node.name}: {', '.join(problems)}; no new replicas are placed on it",
            evidence=evidence,
            hint=(
                f"Longhorn UI → Node {lh_node.name}, or `kubectl -n {lh_node.namespace} patch nodes.longhorn.io "
                f'{lh_node.name} --type merge -p \'{{"spec":{{"allowScheduling":true}}}}\'`; for Ready=False '
                f"check the longhorn-manager pod on {lh_node.name}"
            ),
            severity=Severity.INFO if on_purpose else None,
        )
