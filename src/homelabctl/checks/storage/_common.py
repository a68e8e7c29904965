"""Readings shared by the storage checks: StorageClasses, claims and their users, CSI drivers, kubelet dirs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from homelabctl import kinds
from homelabctl.kube import K3S_KUBELET_DIR, STANDARD_KUBELET_DIR, pod_is_finished, pod_template_spec
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

LOCAL_PATH_PROVISIONER = "rancher.io/local-path"
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
NON_CSI_PROVISIONERS = frozenset({
    LOCAL_PATH_PROVISIONER, "kubernetes.io/no-provisioner", "k8s.io/minikube-hostpath", "microk8s.io/hostpath",
    "openebs.io/local",
})
KNOWN_CSI_DRIVERS = frozenset({"driver.longhorn.io", "topolvm.io", "driver.harvesterhci.io"})
"""CSI drivers whose names do not contain "csi"."""
KUBELET_ROOTS = (K3S_KUBELET_DIR, STANDARD_KUBELET_DIR)


# -- StorageClasses and claims --------------------------------------------------------------------------------
def is_default_class(sc: Resource) -> bool:
    return any(sc.annotations.get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS)


def default_classes(index: ClusterIndex) -> list[Resource]:
    return [sc for sc in index.all(kinds.STORAGE_CLASS) if is_default_class(sc)]


def provisioner(sc: Resource) -> str:
    return str(sc.raw.get("provisioner") or "")


def effective_default(index: ClusterIndex) -> Resource | None:
    """The class the admission plugin gives a claim without ``storageClassName``: the newest default."""
    defaults = default_classes(index)
    return max(defaults, key=lambda sc: (sc.creation_timestamp or "", sc.name)) if defaults else None


def claim_class(claim: Resource, index: ClusterIndex) -> str | None:
    """The StorageClass name a PVC uses; the default class when it names none; None for ``""``."""
    name = claim.spec.get("storageClassName")
    if name is None:
        legacy = claim.annotations.get("volume.beta.kubernetes.io/storage-class")
        if legacy:
            return str(legacy)
        default = effective_default(index)
        return default.name if default is not None else None
    return str(name) or None


def pod_claims(pod: Resource) -> list[str]:
    """Claim names a pod mounts, including generic ephemeral volumes (``<pod>-<volume>``)."""
    names = []
    for volume in pod.spec.get("volumes") or []:
        claim = volume.get("persistentVolumeClaim")
        if claim and claim.get("claimName"):
            names.append(str(claim["claimName"]))
        elif volume.get("ephemeral"):
            names.append(f"{pod.name}-{volume.get('name')}")
    return names


def claim_users(index: ClusterIndex) -> dict[tuple[str | None, str], list[Resource]]:
    """(namespace, claim) → the live pods that mount it. One pass over the pods."""
    users: dict[tuple[str | None, str], list[Resource]] = defaultdict(list)
    for pod in index.all(kinds.POD):
        if pod_is_finished(pod):
            continue
        for claim in pod_claims(pod):
            users[(pod.namespace, claim)].append(pod)
    return users


def event_time(event: Resource) -> str:
    raw = event.raw
    series = raw.get("series") or {}
    return str(series.get("lastObservedTime") or raw.get("lastTimestamp") or raw.get("eventTime")
               or event.creation_timestamp or "")


def event_count(event: Resource) -> int:
    raw = event.raw
    return int(raw.get("count") or (raw.get("series") or {}).get("count") or 1)


# -- CSI -------------------------------------------------------------------------------------------------------
def registered_drivers(csinode: Resource | None) -> list[str]:
    if csinode is None:
        return []
    return [str(d.get("name")) for d in csinode.spec.get("drivers") or [] if d.get("name")]


def looks_like_csi(name: str, known: Iterable[str] = ()) -> bool:
    """Whether a provisioner is a CSI driver (in-tree ``kubernetes.io/*`` and local-path are not)."""
    if not name or name.startswith("kubernetes.io/") or name in NON_CSI_PROVISIONERS:
        return False
    return name in set(known) or name in KNOWN_CSI_DRIVERS or "csi" in name.lower()


# -- kubelet root dirs -------------------------------------------------------------------------------------------
def kubelet_root_of(path: str) -> str | None:
    """Which kubelet root dir (K3s or standard) a host path lives under, if any."""
    clean = path.rstrip("/") or "/"
    for root in KUBELET_ROOTS:
        if clean == root or clean.startswith(root + "/"):
            return root
    return None


@dataclass
class KubeletPaths:
    """Where a DaemonSet's pods expect the kubelet: host paths and the registrar's registration path."""

    daemonset: Resource
    paths: list[tuple[str, str]] = field(default_factory=list)
    """(what, host path) for every reference under a kubelet root dir."""
    drivers: set[str] = field(default_factory=set)
    """CSI driver names seen in ``plugins/<driver>`` paths."""

    @property
    def roots(self) -> set[str]:
        return {root for _, path in self.paths if (root := kubelet_root_of(path)) is not None}


def _driver_from_path(path: str) -> str | None:
    parts = path.rstrip("/").split("/")
    if "plugins" in parts:
        i = parts.index("plugins")
        if i + 1 < len(parts) and parts[i + 1] and not parts[i + 1].endswith(".sock"):
            return parts[i + 1]
    return None


def kubelet_paths(ds: Resource) -> KubeletPaths:
    spec = pod_template_spec(ds)
    found = KubeletPaths(ds)
    for volume in spec.get("volumes") or []:
        path = str((volume.get("hostPath") or {}).get("path") or "")
        if path and kubelet_root_of(path):
            found.paths.append((f"hostPath volume {volume.get('name')}", path))
            driver = _driver_from_path(path)
            if driver:
                found.drivers.add(driver)
    for container in _containers(spec):
        for arg in [*(container.get("args") or []), *(container.get("command") or [])]:
            text = str(arg)
            if text.startswith("--kubelet-registration-path="):
                path = text.split("=", 1)[1]
                found.paths.append((f"container {container.get('name')} {text.split('=', 1)[0]}", path))
                driver = _driver_from_path(path)
                if driver:
                    found.drivers.add(driver)
        for env in container.get("env") or []:
            if env.get("name") in ("KUBELET_ROOT_DIR", "KUBELET_DIR", "DRIVER_REG_SOCK_PATH") and env.get("value"):
                path = str(env["value"])
                if kubelet_root_of(path):
                    found.paths.append((f"container {container.get('name')} env {env.get('name')}", path))
    return found


def _containers(spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from spec.get("containers") or []
    yield from spec.get("initContainers") or []
