from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from homelabctl import kinds
from homelabctl.checks.node._common import taints
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import (
    is_default_class,
    looks_like_csi,
    provisioner,
    registered_drivers,
)
from homelabctl.k8s import events as k8s_events
from homelabctl.k8s import storage
from homelabctl.kube import node_ready_status
from homelabctl.model import Finding, Layer, Resource, Severity

NOT_REGISTERED = "not found in the list of registered CSI drivers"


def _topology_allows(sc: Resource, node: Resource) -> bool:
    """``allowedTopologies``: the node must match one term's label expressions (no terms: everywhere)."""
    terms = storage.allowed_topologies(sc)
    if not terms:
        return True
    return any(all(node.labels.get(key) in values for key, values in term) for term in terms)


def _dedicated(node: Resource) -> bool:
    """A NoSchedule/NoExecute taint other than the node-condition ones: plugins may rightly stay off it."""
    return any(
        t.effect in ("NoSchedule", "NoExecute") and not t.key.startswith("node.kubernetes.io/")
        for t in taints(node)
    )


def _mount_errors(ctx: CheckContext, node: Resource, drivers: set[str]) -> list[str]:
    """FailedMount events on the node's pods that say the driver is not registered."""
    lines = []
    for pod in ctx.index.pods_on_node(node.name):
        for obj in ctx.index.events_for(pod):
            event = k8s_events.event(obj)
            message = event.message
            if NOT_REGISTERED in message and any(d in message for d in drivers):
                lines.append(
                    f"pod {pod.namespace}/{pod.name}: {event.reason} (x{event.count}): "
                    f"{message.strip()[:240]}"
                )
                break
        if len(lines) >= 3:
            break
    return lines


@check(
    "csi-driver-not-registered",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.STORAGE_CLASS, kinds.CSI_NODE, kinds.NODE],
    uses=[kinds.CSI_DRIVER, kinds.POD, kinds.EVENT],
)
def csi_driver_not_registered(ctx: CheckContext) -> Iterator[Finding]:
    """CSI driver a StorageClass needs is not registered on a node.

    Reads every StorageClass's ``provisioner`` (CSI ones: a CSIDriver object exists, a node registers it,
    or the name is a known CSI driver), each node's CSINode ``spec.drivers[].name``, and the FailedMount
    events of the node's pods. A driver missing from one node's CSINode while registered elsewhere means
    its node plugin (and ``node-driver-registrar``) is not working there: pods on that node cannot mount
    those volumes. A driver registered on no node at all is reported once, on its StorageClass. Nodes
    outside a class's ``allowedTopologies`` and nodes with dedicated NoSchedule/NoExecute taints are not
    expected to run the plugin.

    Next step: check the node plugin pod on that node and its ``node-driver-registrar`` logs, the node's
    network, and the kubelet root dir the registrar uses.
    """
    csinodes = {c.name: c for c in ctx.index.all(kinds.CSI_NODE)}
    where: dict[str, list[str]] = defaultdict(list)
    for name, csinode in csinodes.items():
        for driver in registered_drivers(csinode):
            where[driver].append(name)
    declared = {d.name for d in ctx.index.all(kinds.CSI_DRIVER)}
    classes_by_driver = _csi_classes(ctx, declared | set(where))
    if not classes_by_driver:
        return
    nodes = sorted(ctx.index.all(kinds.NODE), key=lambda n: n.name)
    missing: dict[str, dict[str, list[Resource]]] = defaultdict(dict)
    for driver, classes in sorted(classes_by_driver.items()):
        if not where.get(driver):
            yield _registered_nowhere(ctx, driver, classes, csinodes, declared)
            continue
        for node in nodes:
            if node.name in where[driver] or _dedicated(node):
                continue
            needing = [sc for sc in classes if _topology_allows(sc, node)]
            if needing:
                missing[node.name][driver] = needing
    for node in nodes:
        gaps: Mapping[str, list[Resource]] = missing.get(node.name, {})
        if not gaps:
            continue
        own = csinodes.get(node.name)
        drivers = sorted(gaps)
        lines = [
            f"CSINode {node.name} registers: {', '.join(registered_drivers(own)) or '(no drivers)'}"
            if own is not None
            else f"no CSINode object for {node.name} (the kubelet registered none)",
        ]
        for driver in drivers:
            lines.append(
                f"{driver} needed by StorageClass {', '.join(sorted(c.name for c in gaps[driver]))}; "
                f"registered on {', '.join(sorted(where[driver]))}"
            )
        ready = node_ready_status(node)
        if ready != "True":
            lines.append(f"node {node.name} is Ready={ready}: look at the node before the driver")
        if ctx.readable(kinds.EVENT):
            lines += _mount_errors(ctx, node, set(drivers))
        yield ctx.finding(
            node,
            f"CSI driver {' and '.join(drivers)} is not registered on node {node.name}: pods there cannot mount "
            f"{'its' if len(drivers) == 1 else 'their'} volumes",
            evidence=lines,
            hint=(
                f"Verify {node.name}'s network first (a node network failure often looks like a CSI driver bug), then the "
                f"node plugin pod there (`kubectl get pods -A -o wide --field-selector spec.nodeName={node.name} "
                "| grep -i csi`) and its node-driver-registrar logs"
            ),
        )


def _registered_nowhere(
    ctx: CheckContext,
    driver: str,
    classes: list[Resource],
    csinodes: Mapping[str, Resource],
    declared: set[str],
) -> Finding:
    """One finding on the StorageClass most likely meant (the default, the one named after the driver)."""
    sc = max(classes, key=lambda c: (is_default_class(c), c.name == driver, -len(c.name)))
    evidence = [
        f"CSINode {n}: {', '.join(registered_drivers(c)) or '(no drivers)'}"
        for n, c in sorted(csinodes.items())
    ][:8]
    evidence.append(f"CSIDriver {driver}: {'exists' if driver in declared else 'no such object'}")
    evidence.append(f"StorageClasses using it: {', '.join(sorted(c.name for c in classes))}")
    return ctx.finding(
        sc,
        f"CSI driver {driver} is registered on no node: StorageClass "
        f"{', '.join(sorted(c.name for c in classes))} can neither provision nor mount volumes",
        evidence=evidence,
        hint=(
            "Check the driver's node plugin DaemonSet (`kubectl get ds -A | grep -i csi`) and its "
            "node-driver-registrar logs; the registrar's kubelet path must match the kubelet root dir"
        ),
    )


def _csi_classes(ctx: CheckContext, known_drivers: set[str]) -> dict[str, list[Resource]]:
    """StorageClasses by CSI driver (provisioners that are not CSI left out)."""
    classes_by_driver: dict[str, list[Resource]] = defaultdict(list)
    for sc in ctx.index.all(kinds.STORAGE_CLASS):
        prov = provisioner(sc)
        if looks_like_csi(prov, known_drivers):
            classes_by_driver[prov].append(sc)
    return classes_by_driver
