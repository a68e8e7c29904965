"""Config files a container rejected: its crash message quotes a path that a ConfigMap volume of its pod mounts,
so the ConfigMap key behind that file is what the container failed on (``/etc/coredns/custom/home.server:3 -
Error during parsing: Unknown directive 'k8s_gateway'`` names key ``home.server`` of ``coredns-custom``, mounted
at ``/etc/coredns/custom``)."""

from __future__ import annotations

import posixpath

import msgspec

from homelabctl import kinds
from homelabctl.k8s import meta
from homelabctl.k8s._raw import mapping, mappings, section, text
from homelabctl.k8s.kubectl import pod_is_ready
from homelabctl.k8s.pod_trouble import pods_with_state_messages
from homelabctl.k8s.pods import ContainerStatus, VolumeMount, container_statuses, containers
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex

_PATH = LazyPattern(r"(?<![\w.:/-])(/[\w.@+-]+(?:/[\w.@+-]+)+)")
_MAX_TEXT = 2048


class RejectedFile(msgspec.Struct, frozen=True):
    """A ConfigMap key whose mounted file a failing container's last words quote."""

    config_map: ObjectRef
    key: str
    path: str
    pod: ObjectRef
    container: str
    line: str


def _config_map_volumes(pod: Resource) -> dict[str, tuple[str, dict[str, str]]]:
    """Volume name → (ConfigMap name, file path in the volume → key); an empty map when every key is a file."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for volume in mappings(section(pod, "spec").get("volumes")):
        source = mapping(volume.get("configMap"))
        name = text(source.get("name"))
        if name:
            paths = {text(i.get("path")): text(i.get("key")) for i in mappings(source.get("items"))}
            found[text(volume.get("name"))] = (name, paths)
    return found


def _key_for(relative: str, paths: dict[str, str]) -> str:
    """The ConfigMap key a file at ``relative`` inside the volume comes from ("" when none)."""
    if paths:
        return paths.get(relative, "")
    return relative if "/" not in relative else ""


def _last_words(cs: ContainerStatus) -> list[str]:
    """What a container that is not running said when it stopped: its state's and its last state's messages."""
    if cs.state.running:
        return []
    return [m[:_MAX_TEXT] for m in (cs.state.message, cs.last_state.message) if m]


def rejected_files(index: ClusterIndex) -> list[RejectedFile]:
    """The ConfigMap keys the failing containers of pods that are not Ready quote by their mounted path, one per
    (ConfigMap, key, pod); only keys the ConfigMap in the snapshot carries."""
    found: dict[tuple[ObjectRef, str, ObjectRef], RejectedFile] = {}
    for pod in pods_with_state_messages(index):
        if pod.deletion_timestamp or pod_is_ready(pod):
            continue
        volumes: dict[str, tuple[str, dict[str, str]]] | None = None
        specs = {c.name: c for c in containers(section(pod, "spec"))}
        for cs in (*container_statuses(pod, init=True), *container_statuses(pod)):
            for message in _last_words(cs):
                # a path has two slashes at least: most messages are not searched (nor the pattern compiled)
                quoted = [p.rstrip(".") for p in _PATH.findall(message)] if message.count("/") > 1 else []
                spec = specs.get(cs.name)
                if not quoted or spec is None:
                    continue
                if volumes is None:
                    volumes = _config_map_volumes(pod)
                for path in quoted:
                    hit = _mounted(path, spec.volume_mounts, volumes)
                    if hit is None:
                        continue
                    name, key = hit
                    cm = index.get(kinds.CONFIGMAP, pod.namespace, name)
                    if cm is None or key not in meta.data_keys(cm):
                        continue
                    line = " ".join(message.split())[:300]
                    entry = RejectedFile(cm.ref, key, path, pod.ref, cs.name, line)
                    found.setdefault((cm.ref, key, pod.ref), entry)
    return sorted(
        found.values(), key=lambda r: (r.config_map.namespace or "", r.config_map.name, r.key, r.pod.name)
    )


def _mounted(
    path: str, mounts: tuple[VolumeMount, ...], volumes: dict[str, tuple[str, dict[str, str]]]
) -> tuple[str, str] | None:
    """(ConfigMap name, key) of the file ``path`` in the container's ConfigMap mounts (the deepest mount wins)."""
    path = posixpath.normpath(path)
    best: tuple[int, str, str] | None = None
    for mount in mounts:
        mount_path = posixpath.normpath(mount.mount_path) if mount.mount_path else ""
        volume = volumes.get(mount.name)
        if volume is None or not mount_path.startswith("/"):
            continue
        name, paths = volume
        if mount.sub_path:
            key = _key_for(mount.sub_path, paths) if path == mount_path else ""
        elif path.startswith(mount_path.rstrip("/") + "/"):
            key = _key_for(path[len(mount_path.rstrip("/")) + 1 :], paths)
        else:
            key = ""
        if key and (best is None or len(mount_path) > best[0]):
            best = (len(mount_path), name, key)
    return (best[1], best[2]) if best else None
