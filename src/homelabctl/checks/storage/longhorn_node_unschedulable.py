from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, longhorn, longhorn_placement
from homelabctl.kube import node_is_control_plane
from homelabctl.model import Finding, Layer, Resource, Severity

_CONDITIONS = ("Ready", "Schedulable", "MountPropagation")


@check(
    "longhorn-node-unschedulable",
    layer=Layer.STORAGE,
    severity=Severity.WARNING,
    requires=[kinds.LONGHORN_NODE],
    uses=[kinds.NODE, kinds.LONGHORN_VOLUME],
)
def longhorn_node_unschedulable(ctx: CheckContext) -> Iterator[Finding]:
    """Longhorn node not Ready, not schedulable, or with scheduling disabled.

    Reads ``nodes.longhorn.io``: ``spec.allowScheduling``, the ``Ready``, ``Schedulable`` and
    ``MountPropagation`` conditions (``False`` with Longhorn's reason and message), and whether every disk
    has ``allowScheduling: false``. A control-plane node with scheduling disabled on purpose is reported
    as info. Reads Longhorn volumes whose replicas cannot be placed (``Scheduled=False`` with
    ``ReplicaSchedulingFailure``, or robustness ``degraded``/``faulted``) with their ``nodeSelector`` and
    ``diskSelector`` tags: a node that is the only one those tags admit, and that refuses replicas
    (scheduling disabled, no schedulable disk with the tags, not Ready), is critical, with the volumes it
    blocks as evidence.

    Why it matters: Longhorn places no replica on such a node; StorageClasses whose ``nodeSelector`` or
    ``diskSelector`` only match it (the Optane/NVMe/SAS tiers of one server) cannot provision at all, and
    other volumes stay degraded. Without mount propagation the CSI plugin cannot mount volumes there.

    Next step: Longhorn UI → Node → Edit node and disks, or ``kubectl -n longhorn-system patch
    nodes.longhorn.io <node> --type merge -p '{"spec":{"allowScheduling":true}}'``.
    """
    lh_nodes = list(ctx.index.all(kinds.LONGHORN_NODE))
    blocked = _sole_blocker(ctx, lh_nodes)
    for lh_node in lh_nodes:
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
        blocks = blocked.get(lh_node.name, [])
        for why, line in blocks:
            if why.startswith("no schedulable disk") and why not in problems:
                problems.append(why)
            evidence.append(line)
        if not problems:
            continue
        k8s_node = ctx.index.get(kinds.NODE, None, lh_node.name)
        on_purpose = (
            problems == ["scheduling disabled"]
            and k8s_node is not None
            and node_is_control_plane(k8s_node)
            and not blocks
        )
        yield ctx.finding(
            lh_node,
            f"Longhorn node {lh_node.name}: {', '.join(problems)}; no new replicas are placed on it"
            + (f", and it is the only node {len(blocks)} failing volume(s) may use" if blocks else ""),
            evidence=evidence,
            hint=(
                f"Longhorn UI → Node {lh_node.name}, or `kubectl -n {lh_node.namespace} patch nodes.longhorn.io "
                f'{lh_node.name} --type merge -p \'{{"spec":{{"allowScheduling":true}}}}\'`; for Ready=False '
                f"check the longhorn-manager pod on {lh_node.name}"
            ),
            severity=Severity.INFO if on_purpose else Severity.CRITICAL if blocks else None,
        )


def _sole_blocker(ctx: CheckContext, lh_nodes: list[Resource]) -> dict[str, list[tuple[str, str]]]:
    """Longhorn node name → (why it refuses, evidence line) for each volume whose replicas cannot be placed
    and whose node/disk selectors admit that node alone."""
    found: dict[str, list[tuple[str, str]]] = {}
    for volume in ctx.index.all(kinds.LONGHORN_VOLUME):
        placement = longhorn_placement.volume_placement(volume)
        if not placement.unschedulable:
            continue
        admitted = [
            n for n in lh_nodes if n.namespace == volume.namespace and longhorn_placement.admits(placement, n)
        ]
        if len(admitted) != 1:
            continue
        why = longhorn_placement.refuses_replicas(placement, admitted[0])
        if not why:
            continue
        selectors = (
            f"nodeSelector={sorted(placement.node_selector)} diskSelector={sorted(placement.disk_selector)}"
        )
        found.setdefault(admitted[0].name, []).append(
            (
                why,
                f"only candidate of volume {volume.name} ({selectors}), which cannot place its replicas: "
                f"{placement.unschedulable}; here: {why}",
            )
        )
    return found
