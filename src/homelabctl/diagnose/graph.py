"""The dependency graph: which object's failure can make which other object fail.

Edges point from the thing depended on to the thing that depends on it ("impacts"), each with a type, so
a rule can follow only the relations that make sense for its cause (a node's failure reaches its pods,
a pod's failure reaches its controller, the Service selecting it and the routes behind that Service).

Built once per run in one pass over the kinds that carry references; every lookup after that is a dict
access. Objects that are referenced but missing (a Secret that does not exist) are still graph nodes: a
missing object is a perfectly good cause.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any
from urllib.parse import urlparse

from homelabctl import kinds
from homelabctl.model import ObjectRef, Resource
from homelabctl.selectors import from_spec
from homelabctl.sources.base import ClusterState

# Edge types. Rules name the ones they follow.
RUNS_ON = "runs-on"            # Node → Pod
OWNS = "owns"                  # Pod → ReplicaSet → Deployment, Pod → DaemonSet/StatefulSet/Job → CronJob
SELECTS = "selects"            # Pod → Service selecting it
ROUTES = "routes"              # Service → HTTPRoute/Ingress using it as backend
ATTACHES = "attaches"          # Gateway → HTTPRoute
MOUNTS = "mounts"              # PVC/Secret/ConfigMap → Pod
BINDS = "binds"                # PV → PVC, StorageClass → PVC, CSIDriver → StorageClass
REGISTERS = "registers"        # Node → CSINode / Longhorn Node / CiliumNode
VALUES = "values"              # Secret/ConfigMap → HelmRelease (valuesFrom)
SOURCE = "source"              # GitRepository/HelmRepository/OCIRepository → Kustomization/HelmRelease
DEPENDS = "depends-on"         # Kustomization → Kustomization that dependsOn it (same for HelmRelease)
CONTAINS = "contains"          # HelmRelease/Kustomization → Kustomization whose inventory holds it
ISSUES = "issues"              # Issuer/ClusterIssuer → Certificate
STORES = "stores"              # Certificate → its Secret
SERVES_TLS = "serves-tls"      # Secret → Gateway listener using it
BACKS_UP = "backs-up"          # Service (object store) → BackupStorageLocation → Schedule; VSL → Schedule
HOLDS = "holds"                # Pod → ReadWriteOnce PVC it mounts: a pod on a dead node keeps the volume attached
REPLICA = "replica"            # Node → Longhorn Volume whose controller says a replica there is the problem

ALL_EDGES = frozenset({RUNS_ON, OWNS, SELECTS, ROUTES, ATTACHES, MOUNTS, BINDS, REGISTERS, VALUES, SOURCE,
                       DEPENDS, CONTAINS, ISSUES, STORES, SERVES_TLS, BACKS_UP, HOLDS, REPLICA})

_FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io"
_NODE_IN_MESSAGE = re.compile(r"\bnode ([a-z0-9][a-z0-9.-]*)")


def _items(value: Any) -> list[Mapping[str, Any]]:
    """The mapping entries of a list field; anything else a hand-written object put there is ignored."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _ref(kind: str, namespace: str | None, name: str) -> ObjectRef:
    return ObjectRef(kind, namespace or None, name)


class DependencyGraph:
    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self.index = state.index
        # edge type -> source -> targets (and the reverse): flat dicts, because building is the hot path
        self._out: dict[str, dict[ObjectRef, set[ObjectRef]]] = {edge: {} for edge in ALL_EDGES}
        self._in: dict[str, dict[ObjectRef, set[ObjectRef]]] = {edge: {} for edge in ALL_EDGES}
        self._build()

    # -- construction ----------------------------------------------------------------------------------
    def add(self, cause: ObjectRef, edge: str, dependent: ObjectRef) -> None:
        if cause != dependent:
            out = self._out[edge]
            targets = out.get(cause)
            if targets is None:
                out[cause] = {dependent}
            else:
                targets.add(dependent)
            back = self._in[edge]
            sources = back.get(dependent)
            if sources is None:
                back[dependent] = {cause}
            else:
                sources.add(cause)

    def _build(self) -> None:
        index = self.index
        for pod in index.all(kinds.POD):
            self._pod_edges(pod)
        for gk in (kinds.REPLICASET, kinds.JOB):
            for res in index.all(gk):
                owner = index.owner(res)
                if owner is not None:
                    self.add(res.ref, OWNS, owner.ref)
        for svc in index.all(kinds.SERVICE):
            selector = svc.spec.get("selector")
            if selector:
                for pod in index.select(kinds.POD, svc.namespace, from_spec(selector)):
                    self.add(pod.ref, SELECTS, svc.ref)
        for node in index.all(kinds.NODE):
            self.add(node.ref, REGISTERS, _ref("CSINode", None, node.name))
            self.add(node.ref, REGISTERS, _ref("Node", "longhorn-system", node.name))
            self.add(node.ref, REGISTERS, _ref("CiliumNode", None, node.name))
        self._storage_edges()
        self._route_edges()
        self._flux_edges()
        self._cert_edges()
        self._velero_edges()

    def _pod_edges(self, pod: Resource) -> None:
        spec = pod.spec
        node = spec.get("nodeName")
        if node:
            self.add(_ref("Node", None, str(node)), RUNS_ON, pod.ref)
        owner = self.index.owner(pod)
        if owner is not None:
            self.add(pod.ref, OWNS, owner.ref)
        else:
            for ref in pod.owner_references:
                self.add(pod.ref, OWNS, _ref(str(ref.get("kind", "")), pod.namespace, str(ref.get("name", ""))))
        ns = pod.namespace
        for volume in _items(spec.get("volumes")):
            claim = _map(volume.get("persistentVolumeClaim")).get("claimName")
            if claim:
                claim_ref = _ref("PersistentVolumeClaim", ns, str(claim))
                self.add(claim_ref, MOUNTS, pod.ref)
                if self._read_write_once(ns, str(claim)):
                    self.add(pod.ref, HOLDS, claim_ref)
            secret = _map(volume.get("secret")).get("secretName")
            if secret:
                self.add(_ref("Secret", ns, str(secret)), MOUNTS, pod.ref)
            cm = _map(volume.get("configMap")).get("name")
            if cm:
                self.add(_ref("ConfigMap", ns, str(cm)), MOUNTS, pod.ref)
        for container in [*_items(spec.get("containers")), *_items(spec.get("initContainers"))]:
            for env in _items(container.get("env")):
                source = _map(env.get("valueFrom"))
                if _map(source.get("secretKeyRef")).get("name"):
                    self.add(_ref("Secret", ns, str(source["secretKeyRef"]["name"])), MOUNTS, pod.ref)
                if _map(source.get("configMapKeyRef")).get("name"):
                    self.add(_ref("ConfigMap", ns, str(source["configMapKeyRef"]["name"])), MOUNTS, pod.ref)
            for env_from in _items(container.get("envFrom")):
                if _map(env_from.get("secretRef")).get("name"):
                    self.add(_ref("Secret", ns, str(env_from["secretRef"]["name"])), MOUNTS, pod.ref)
                if _map(env_from.get("configMapRef")).get("name"):
                    self.add(_ref("ConfigMap", ns, str(env_from["configMapRef"]["name"])), MOUNTS, pod.ref)

    def _read_write_once(self, namespace: str | None, claim: str) -> bool:
        pvc = self.index.get(kinds.PVC, namespace, claim)
        if pvc is None:
            return False
        modes = pvc.spec.get("accessModes") or pvc.status.get("accessModes") or []
        return "ReadWriteOnce" in modes or "ReadWriteOncePod" in modes

    def _storage_edges(self) -> None:
        index = self.index
        for pvc in index.all(kinds.PVC):
            sc = pvc.spec.get("storageClassName")
            if sc:
                self.add(_ref("StorageClass", None, str(sc)), BINDS, pvc.ref)
            volume = pvc.spec.get("volumeName")
            if volume:
                self.add(_ref("PersistentVolume", None, str(volume)), BINDS, pvc.ref)
        node_names = {node.name for node in index.all(kinds.NODE)}
        for volume in index.all(kinds.LONGHORN_VOLUME):
            # only what Longhorn itself wrote: "disks are unavailable: node k3s1 is not ready"
            for cond in volume.conditions:
                for name in _NODE_IN_MESSAGE.findall(str(cond.get("message") or "")):
                    if name in node_names:
                        self.add(_ref("Node", None, name), REPLICA, volume.ref)
        for sc in index.all(kinds.STORAGE_CLASS):
            provisioner = sc.raw.get("provisioner")
            if provisioner:
                self.add(_ref("CSIDriver", None, str(provisioner)), BINDS, sc.ref)

    def _route_edges(self) -> None:
        index = self.index
        for route in index.all(kinds.HTTPROUTE):
            for parent in _items(route.spec.get("parentRefs")):
                if parent.get("kind", "Gateway") == "Gateway":
                    self.add(_ref("Gateway", parent.get("namespace") or route.namespace, str(parent.get("name", ""))),
                             ATTACHES, route.ref)
            for rule in _items(route.spec.get("rules")):
                for backend in _items(rule.get("backendRefs")):
                    if backend.get("kind", "Service") == "Service":
                        self.add(_ref("Service", backend.get("namespace") or route.namespace,
                                      str(backend.get("name", ""))), ROUTES, route.ref)
        for ingress in index.all(kinds.INGRESS):
            for rule in _items(ingress.spec.get("rules")):
                for path in _items(_map(rule.get("http")).get("paths")):
                    svc = _map(_map(path.get("backend")).get("service")).get("name")
                    if svc:
                        self.add(_ref("Service", ingress.namespace, str(svc)), ROUTES, ingress.ref)

    def _flux_edges(self) -> None:
        index = self.index
        for gk in (kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE):
            for res in index.all(gk):
                spec = res.spec
                source = _map(spec.get("sourceRef")) or _map(_map(_map(spec.get("chart")).get("spec")).get("sourceRef"))
                if source.get("name"):
                    self.add(_ref(str(source.get("kind", "GitRepository")), source.get("namespace") or res.namespace,
                                  str(source["name"])), SOURCE, res.ref)
                chart_ref = _map(spec.get("chartRef"))
                if chart_ref.get("name"):
                    self.add(_ref(str(chart_ref.get("kind", "OCIRepository")),
                                  chart_ref.get("namespace") or res.namespace, str(chart_ref["name"])), SOURCE, res.ref)
                for dep in _items(spec.get("dependsOn")):
                    if dep.get("name"):
                        self.add(_ref(res.kind, dep.get("namespace") or res.namespace, str(dep["name"])), DEPENDS, res.ref)
                for ref in _items(spec.get("valuesFrom")):
                    if ref.get("name"):
                        self.add(_ref(str(ref.get("kind", "ConfigMap")), res.namespace, str(ref["name"])), VALUES, res.ref)
                for entry in _items(_map(res.status.get("inventory")).get("entries")):
                    member = _inventory_ref(str(entry.get("id", "")))
                    if member is not None and member.kind in ("HelmRelease", "Kustomization"):
                        self.add(member, CONTAINS, res.ref)

    def _cert_edges(self) -> None:
        index = self.index
        for cert in index.all(kinds.CERTIFICATE):
            issuer = _map(cert.spec.get("issuerRef"))
            if issuer.get("name"):
                kind = str(issuer.get("kind", "Issuer"))
                self.add(_ref(kind, None if kind == "ClusterIssuer" else cert.namespace, str(issuer["name"])),
                         ISSUES, cert.ref)
            secret = cert.spec.get("secretName")
            if secret:
                self.add(cert.ref, STORES, _ref("Secret", cert.namespace, str(secret)))
        for gateway in index.all(kinds.GATEWAY_KIND):
            for listener in _items(gateway.spec.get("listeners")):
                for ref in _items(_map(listener.get("tls")).get("certificateRefs")):
                    if ref.get("kind", "Secret") == "Secret" and ref.get("name"):
                        self.add(_ref("Secret", ref.get("namespace") or gateway.namespace, str(ref["name"])),
                                 SERVES_TLS, gateway.ref)

    def _velero_edges(self) -> None:
        index = self.index
        for bsl in index.all(kinds.BACKUP_STORAGE_LOCATION):
            service = in_cluster_service(str(_map(bsl.spec.get("config")).get("s3Url", "")), bsl.namespace)
            if service is not None:
                self.add(service, BACKS_UP, bsl.ref)
        snapshot_locations = index.all(kinds.VOLUME_SNAPSHOT_LOCATION)
        for schedule in index.all(kinds.VELERO_SCHEDULE):
            template = _map(schedule.spec.get("template"))
            location = template.get("storageLocation") or "default"
            self.add(_ref("BackupStorageLocation", schedule.namespace, str(location)), BACKS_UP, schedule.ref)
            if template.get("snapshotVolumes") is not False:
                wanted = {str(v) for v in template.get("volumeSnapshotLocations") or [] if isinstance(v, str)}
                for vsl in snapshot_locations:
                    if vsl.namespace == schedule.namespace and (not wanted or vsl.name in wanted):
                        self.add(vsl.ref, BACKS_UP, schedule.ref)

    # -- queries ---------------------------------------------------------------------------------------
    def dependents(self, ref: ObjectRef, edges: Iterable[str] = ALL_EDGES) -> set[ObjectRef]:
        """Everything whose failure ``ref``'s failure can explain, following only ``edges``."""
        allowed = frozenset(edges)
        seen: set[ObjectRef] = set()
        queue = deque([ref])
        while queue:
            current = queue.popleft()
            for edge in allowed:
                for target in self._out[edge].get(current, ()):
                    if target not in seen and target != ref:
                        seen.add(target)
                        queue.append(target)
        return seen

    def direct(self, ref: ObjectRef, edge: str) -> set[ObjectRef]:
        return self._out[edge].get(ref, set())

    def dependencies(self, ref: ObjectRef, edge: str) -> set[ObjectRef]:
        return self._in[edge].get(ref, set())

    def edges(self) -> Iterator[tuple[ObjectRef, str, ObjectRef]]:
        for edge, by_source in self._out.items():
            for source, targets in by_source.items():
                for target in targets:
                    yield source, edge, target

    def resource(self, ref: ObjectRef) -> Resource | None:
        """The object behind a ref, or None when it is missing (or its kind is ambiguous and absent)."""
        for info_gk in _gks_for_kind(ref.kind):
            found = self.index.get(info_gk, ref.namespace, ref.name)
            if found is not None:
                return found
        return None

    def exists(self, ref: ObjectRef) -> bool:
        return self.resource(ref) is not None


@cache
def _gks_for_kind(kind: str) -> tuple[str, ...]:
    """Every rule asks this for every object it resolves; the catalogue never changes during a run."""
    if "." in kind:
        return (kind,)
    matches = [info.gk for info in kinds.KINDS if info.kind == kind]
    core_first = sorted(matches, key=lambda gk: "." in gk)
    return tuple(core_first) or (kind,)


def _inventory_ref(entry_id: str) -> ObjectRef | None:
    """Flux inventory ids: ``<namespace>_<name>_<group>_<kind>`` (namespace empty for cluster objects)."""
    parts = entry_id.split("_")
    if len(parts) < 4:
        return None
    namespace, name, kind = parts[0], "_".join(parts[1:-2]), parts[-1]
    return ObjectRef(kind, namespace or None, name)


def in_cluster_service(url: str, default_namespace: str | None) -> ObjectRef | None:
    """``http://minio.velero.svc:9000`` → Service velero/minio; None for anything outside the cluster."""
    if not url:
        return None
    host = urlparse(url if "://" in url else f"http://{url}").hostname or ""
    if not host:
        return None
    labels = host.split(".")
    if len(labels) >= 3 and labels[2] == "svc":
        return ObjectRef("Service", labels[1], labels[0])
    if len(labels) == 2 and default_namespace:
        return ObjectRef("Service", labels[1], labels[0])
    if len(labels) == 1 and default_namespace and not host.replace("-", "").isdigit():
        return ObjectRef("Service", default_namespace, labels[0])
    return None


def findings_index(findings: Iterable[Any]) -> Mapping[ObjectRef, list[Any]]:
    by_object: dict[ObjectRef, list[Any]] = defaultdict(list)
    for finding in findings:
        by_object[finding.object].append(finding)
    return by_object
