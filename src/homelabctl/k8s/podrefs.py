"""What a pod depends on and where it can be reached: the references the dependency graph follows."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s._raw import Obj, items, mapping, mappings, section, text
from homelabctl.k8s.pods import containers
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex


class Dependency(msgspec.Struct, frozen=True):
    kind: str
    """``PersistentVolumeClaim``, ``Secret`` or ``ConfigMap``."""
    name: str


def dependencies(pod: Obj) -> list[Dependency]:
    """The claims, Secrets and ConfigMaps a pod needs to start: volumes, ``env[].valueFrom`` and ``envFrom``."""
    spec = section(pod, "spec")
    found = []
    for volume in mappings(spec.get("volumes")):
        for kind, field, key in (
            ("PersistentVolumeClaim", "persistentVolumeClaim", "claimName"),
            ("Secret", "secret", "secretName"),
            ("ConfigMap", "configMap", "name"),
        ):
            name = text(mapping(volume.get(field)).get(key))
            if name:
                found.append(Dependency(kind, name))
    for container in containers(spec):
        for env in container.env:
            if env.secret_ref is not None and env.secret_ref[0]:
                found.append(Dependency("Secret", env.secret_ref[0]))
            if env.config_map_ref is not None and env.config_map_ref[0]:
                found.append(Dependency("ConfigMap", env.config_map_ref[0]))
    for container_spec in [*mappings(spec.get("containers")), *mappings(spec.get("initContainers"))]:
        for env_from in mappings(container_spec.get("envFrom")):
            for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                name = text(mapping(env_from.get(key)).get("name"))
                if name:
                    found.append(Dependency(kind, name))
    return found


def pods_needing_secret(index: ClusterIndex, namespace: str | None, secret: str) -> list[Resource]:
    """The pods of ``namespace`` (terminating ones too) that need Secret ``secret`` to start: a volume,
    ``env[].valueFrom`` or ``envFrom`` (:func:`dependencies`)."""
    return [
        pod
        for pod in index.all(kinds.POD)
        if pod.namespace == namespace
        and any(d.kind == "Secret" and d.name == secret for d in dependencies(pod))
    ]


def claims(pod: Obj) -> list[str]:
    """``spec.volumes[].persistentVolumeClaim.claimName``."""
    return [
        name
        for volume in mappings(section(pod, "spec").get("volumes"))
        if (name := text(mapping(volume.get("persistentVolumeClaim")).get("claimName")))
    ]


def nfs_servers(pod: Obj) -> list[str]:
    """Servers of inline ``nfs`` volumes, as written."""
    return [
        server
        for volume in mappings(section(pod, "spec").get("volumes"))
        if (server := text(mapping(volume.get("nfs")).get("server")))
    ]


def host_network(pod: Obj) -> bool:
    return section(pod, "spec").get("hostNetwork") is True


def pod_ip(pod: Obj) -> str:
    return text(section(pod, "status").get("podIP"))


def container_texts(pod: Obj) -> list[list[str]]:
    """Per container (not init), its args and its env values: where a CSI registrar names its socket."""
    return [
        [text(a) for a in items(c.get("args")) if isinstance(a, str | int)]
        + [text(e.get("value")) for e in mappings(c.get("env"))]
        for c in mappings(section(pod, "spec").get("containers"))
    ]
