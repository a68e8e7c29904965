"""Pods a node cannot start because a CSI driver their volumes need is not registered on it.

The kubelet mounts a pod's volumes before it starts any of its containers, and a CSI volume mounts only
through the driver's node plugin registered on that node (its CSINode lists the driver). A pod scheduled
there, none of whose containers has started, that needs a driver the node's CSINode does not list, waits
for that registration: the node's state shows it without the FailedMount events, which live an hour.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.k8s import podrefs, pods, storage
from homelabctl.k8s._raw import mapping, mappings, section, strings, text
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

NOT_STARTED = frozenset({"ContainerCreating", "PodInitializing"})
"""The kubelet's waiting reasons for containers it has not created yet (``PodInitializing``: a container
behind init containers that have not run)."""


class BlockedMount(msgspec.Struct, frozen=True):
    """A pod waiting on a node for a CSI driver the node has not registered."""

    pod: Resource
    driver: str
    volume: str
    """What needs the driver: ``PVC <name> (PersistentVolume <name>)`` or ``inline volume <name>``."""


def blocked_mounts(index: ClusterIndex, node: str) -> list[BlockedMount]:
    """The pods on ``node`` that wait to mount a CSI volume whose driver its CSINode does not list. Empty when
    the node's CSINode was not captured: what is registered there is then unknown, not missing."""
    csinode = index.get(kinds.CSI_NODE, None, node)
    if csinode is None:
        return []
    registered = set(storage.csi_node_drivers(csinode))
    found = []
    for pod in index.pods_on_node(node):
        if not _not_started(pod):
            continue
        for driver, volume in _csi_volumes(index, pod):
            if driver not in registered:
                found.append(BlockedMount(pod, driver, volume))
                break
    return found


def _not_started(pod: Resource) -> bool:
    if text(section(pod, "status").get("phase")) != "Pending" or pod.metadata.get("deletionTimestamp"):
        return False
    statuses = pods.all_container_statuses(pod)
    return all(s.state.waiting and s.state.reason in NOT_STARTED for s in statuses)


def _csi_volumes(index: ClusterIndex, pod: Resource) -> Iterator[tuple[str, str]]:
    for volume in mappings(section(pod, "spec").get("volumes")):
        inline = text(mapping(volume.get("csi")).get("driver"))
        if inline:
            yield inline, f"inline volume {text(volume.get('name'))}"
    for claim_name in podrefs.claims(pod):
        claim = index.get(kinds.PVC, pod.namespace, claim_name)
        volume_name = storage.claim(claim).volume_name if claim is not None else None
        pv = index.get(kinds.PV, None, volume_name) if volume_name else None
        source = storage.csi_source(pv) if pv is not None else None
        if source is not None and source.driver:
            yield source.driver, f"PVC {claim_name} (PersistentVolume {volume_name})"


def driver_from_path(path: str) -> str | None:
    """The CSI driver a kubelet path belongs to: ``<kubelet root>/plugins/<driver>/csi.sock`` → ``<driver>``."""
    parts = path.rstrip("/").split("/")
    if "plugins" in parts:
        i = parts.index("plugins")
        if i + 1 < len(parts) and parts[i + 1] and not parts[i + 1].endswith(".sock"):
            return parts[i + 1]
    return None


def node_plugin_drivers(pod_spec: Mapping[str, Any]) -> set[str]:
    """The CSI drivers a pod registers with its node's kubelet, when it is a driver's node plugin: its
    ``hostPath`` volumes under ``plugins/<driver>`` and its registrar's ``--kubelet-registration-path``."""
    found = set()
    for volume in mappings(pod_spec.get("volumes")):
        driver = driver_from_path(text(mapping(volume.get("hostPath")).get("path")))
        if driver:
            found.add(driver)
    for container in [*mappings(pod_spec.get("containers")), *mappings(pod_spec.get("initContainers"))]:
        for arg in [*strings(container.get("args")), *strings(container.get("command"))]:
            if arg.startswith("--kubelet-registration-path="):
                driver = driver_from_path(arg.split("=", 1)[1])
                if driver:
                    found.add(driver)
    return found
