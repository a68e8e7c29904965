"""Readings shared by the storage checks: StorageClasses, claims and their users, CSI drivers, kubelet dirs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.k8s import events, pods, storage
from homelabctl.k8s.csi_mounts import driver_from_path
from homelabctl.k8s.memo import remembered
from homelabctl.knowledge.csi import (
    K3S_KUBELET_DIR as K3S_KUBELET_DIR,
)
from homelabctl.knowledge.csi import (
    KNOWN_CSI_DRIVERS as KNOWN_CSI_DRIVERS,
)
from homelabctl.knowledge.csi import (
    KUBELET_ROOTS as KUBELET_ROOTS,
)
from homelabctl.knowledge.csi import (
    LOCAL_PATH_PROVISIONER as LOCAL_PATH_PROVISIONER,
)
from homelabctl.knowledge.csi import (
    NON_CSI_PROVISIONERS as NON_CSI_PROVISIONERS,
)
from homelabctl.knowledge.csi import (
    STANDARD_KUBELET_DIR as STANDARD_KUBELET_DIR,
)
from homelabctl.knowledge.csi import (
    kubelet_root_of as kubelet_root_of,
)
from homelabctl.kube import pod_is_finished, pod_template_spec
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


# -- StorageClasses and claims --------------------------------------------------------------------------------
def is_default_class(sc: Resource) -> bool:
    return any(sc.annotations.get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS)


def default_classes(index: ClusterIndex) -> list[Resource]:
    return [sc for sc in index.all(kinds.STORAGE_CLASS) if is_default_class(sc)]


def provisioner(sc: Resource) -> str:
    return storage.provisioner(sc)


def effective_default(index: ClusterIndex) -> Resource | None:
    """The class the admission plugin gives a claim without ``storageClassName``: the newest default."""
    defaults = default_classes(index)
    return max(defaults, key=lambda sc: (sc.creation_timestamp or "", sc.name)) if defaults else None


def claim_class(claim: Resource, index: ClusterIndex) -> str | None:
    """The StorageClass name a PVC uses; the default class when it names none; None for ``""``."""
    name = storage.claim_class_name(claim)
    if name is None:
        legacy = claim.annotations.get("volume.beta.kubernetes.io/storage-class")
        if legacy:
            return str(legacy)
        default = effective_default(index)
        return default.name if default is not None else None
    return name or None


def pod_claims(pod: Resource) -> list[str]:
    """Claim names a pod mounts, including generic ephemeral volumes (``<pod>-<volume>``)."""
    return pods.claim_names(pod)


def claim_users(index: ClusterIndex) -> dict[tuple[str | None, str], list[Resource]]:
    """(namespace, claim) → the live pods that mount it. One pass over the pods, once per index and run
    (k8s.memo): three claim checks ask."""
    return remembered("storage.claim_users", index, lambda: _claim_users(index))


def _claim_users(index: ClusterIndex) -> dict[tuple[str | None, str], list[Resource]]:
    users: dict[tuple[str | None, str], list[Resource]] = defaultdict(list)
    for pod in index.all(kinds.POD):
        if pod_is_finished(pod):
            continue
        for claim in pod_claims(pod):
            users[(pod.namespace, claim)].append(pod)
    return dict(users)


def event_time(event: Resource) -> str:
    return events.event(event).last_seen


def event_count(event: Resource) -> int:
    return events.event(event).count


# -- CSI -------------------------------------------------------------------------------------------------------
def registered_drivers(csinode: Resource | None) -> list[str]:
    return storage.csi_node_drivers(csinode)


def looks_like_csi(name: str, known: Iterable[str] = ()) -> bool:
    """Whether a provisioner is a CSI driver (in-tree ``kubernetes.io/*`` and local-path are not)."""
    if not name or name.startswith("kubernetes.io/") or name in NON_CSI_PROVISIONERS:
        return False
    return name in set(known) or name in KNOWN_CSI_DRIVERS or "csi" in name.lower()


# -- kubelet root dirs -------------------------------------------------------------------------------------------
class KubeletPaths(msgspec.Struct):
    """Where a DaemonSet's pods expect the kubelet: host paths and the registrar's registration path."""

    daemonset: Resource
    paths: list[tuple[str, str]] = msgspec.field(default_factory=list)
    """(what, host path) for every reference under a kubelet root dir."""
    drivers: set[str] = msgspec.field(default_factory=set)
    """CSI driver names seen in ``plugins/<driver>`` paths."""

    @property
    def roots(self) -> set[str]:
        return {root for _, path in self.paths if (root := kubelet_root_of(path)) is not None}


def kubelet_paths(ds: Resource) -> KubeletPaths:
    spec = pod_template_spec(ds)
    found = KubeletPaths(ds)
    for volume in spec.get("volumes") or []:
        path = str((volume.get("hostPath") or {}).get("path") or "")
        if path and kubelet_root_of(path):
            found.paths.append((f"hostPath volume {volume.get('name')}", path))
            driver = driver_from_path(path)
            if driver:
                found.drivers.add(driver)
    for container in _containers(spec):
        for arg in [*(container.get("args") or []), *(container.get("command") or [])]:
            text = str(arg)
            if text.startswith("--kubelet-registration-path="):
                path = text.split("=", 1)[1]
                found.paths.append((f"container {container.get('name')} {text.split('=', 1)[0]}", path))
                driver = driver_from_path(path)
                if driver:
                    found.drivers.add(driver)
        for env in container.get("env") or []:
            if env.get("name") in ("KUBELET_ROOT_DIR", "KUBELET_DIR", "DRIVER_REG_SOCK_PATH") and env.get(
                "value"
            ):
                path = str(env["value"])
                if kubelet_root_of(path):
                    found.paths.append((f"container {container.get('name')} env {env.get('name')}", path))
    return found


def _containers(spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from spec.get("containers") or []
    yield from spec.get("initContainers") or []
