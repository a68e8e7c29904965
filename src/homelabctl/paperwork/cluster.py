"""Facts the paperwork reads off the cluster: storage backing, GPUs, gateways, routes, component versions.

Every function reads a handful of kinds through the index; none scans every object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.k8s import cilium, gateways, longhorn, nodes, pods, refs, routes, storage
from homelabctl.kube import node_is_control_plane, node_kubelet_version
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState

LONGHORN_PROVISIONER = "driver.longhorn.io"
LOCAL_PATH_PROVISIONERS = ("rancher.io/local-path", "kubernetes.io/no-provisioner")
NFS_PROVISIONERS = (
    "nfs.csi.k8s.io",
    "cluster.local/nfs-subdir-external-provisioner",
    "k8s-sigs.io/nfs-subdir-external-provisioner",
    "nfs-provisioner",
)
HOSTNAME_LABEL = "kubernetes.io/hostname"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
GPU_RESOURCES = ("nvidia.com/gpu", "gpu.intel.com/i915", "amd.com/gpu")

# Workload kinds an app is made of, in the order they are listed.
WORKLOAD_KINDS = (kinds.DEPLOYMENT, kinds.STATEFULSET, kinds.DAEMONSET, kinds.CRONJOB)

# What the paperwork reads on top of the checks (a live source lists exactly these).
PAPERWORK_KINDS = (
    kinds.NODE,
    kinds.POD,
    kinds.SERVICE,
    kinds.PVC,
    kinds.PV,
    kinds.STORAGE_CLASS,
    kinds.DEPLOYMENT,
    kinds.STATEFULSET,
    kinds.DAEMONSET,
    kinds.REPLICASET,
    kinds.JOB,
    kinds.CRONJOB,
    kinds.HTTPROUTE,
    kinds.GATEWAY_KIND,
    kinds.HELM_RELEASE,
    kinds.FLUX_KUSTOMIZATION,
    kinds.GIT_REPOSITORY,
    kinds.LONGHORN_NODE,
    kinds.CILIUM_LB_IP_POOL,
    kinds.CILIUM_BGP_PEERING_POLICY,
    kinds.CILIUM_BGP_CLUSTER_CONFIG,
    kinds.BACKUP_STORAGE_LOCATION,
    kinds.VELERO_SCHEDULE,
)


def storage_class_provisioner(sc: Resource) -> str:
    return storage.provisioner(sc)


def storage_class_parameters(sc: Resource) -> Mapping[str, str]:
    return storage.parameters(sc)


def is_default_class(sc: Resource) -> bool:
    return sc.annotations.get(DEFAULT_CLASS_ANNOTATION) == "true"


def technology_of(provisioner: str) -> str:
    if provisioner == LONGHORN_PROVISIONER:
        return "Longhorn"
    if provisioner in LOCAL_PATH_PROVISIONERS or "local-path" in provisioner:
        return "local-path"
    if provisioner in NFS_PROVISIONERS or "nfs" in provisioner:
        return "NFS"
    return provisioner or "unknown"


def _tags(text: str | None) -> set[str]:
    return {t.strip() for t in (text or "").split(",") if t.strip()}


def longhorn_class_nodes(state: ClusterState, sc: Resource) -> list[str] | None:
    """Nodes whose Longhorn disks can hold this class's replicas (diskSelector/nodeSelector tags), or None
    when Longhorn's Node objects were not read."""
    if not state.availability(kinds.LONGHORN_NODE).readable:
        return None
    params = storage_class_parameters(sc)
    disk_tags, node_tags = _tags(params.get("diskSelector")), _tags(params.get("nodeSelector"))
    nodes = []
    for lh_node in state.index.all(kinds.LONGHORN_NODE):
        info = longhorn.longhorn_node(lh_node)
        if info.allow_scheduling is False or not node_tags <= info.tags:
            continue
        if any(d.allow_scheduling and disk_tags <= d.tags for d in info.disk_list):
            nodes.append(lh_node.name)
    return sorted(nodes)


def nfs_server_of(pv: Resource) -> tuple[str, str] | None:
    """(server, path) of an NFS-backed PV: in-tree ``spec.nfs`` or the csi-driver-nfs attributes (the shared
    reading in :mod:`homelabctl.k8s.refs`), else the server and share of a csi-driver-nfs volume id."""
    share = refs.nfs_share(pv)
    if share is not None:
        return share.server, share.path
    csi = storage.csi_source(pv)
    if csi is not None and csi.driver == "nfs.csi.k8s.io":
        # csi-driver-nfs volume ids are "server#share#subdir#uuid#onDelete".
        parts = csi.volume_handle.split("#")
        if len(parts) >= 2 and parts[0]:
            return parts[0], parts[1]
    return None


def nfs_backed_classes(state: ClusterState) -> dict[str, set[str]]:
    """Storage class → NFS servers, from the PVs: a static class (``kubernetes.io/no-provisioner``) whose
    volumes are NFS mounts is NFS storage, whatever its provisioner says."""
    found: dict[str, set[str]] = {}
    for pv in state.index.all(kinds.PV):
        server = nfs_server_of(pv)
        if server:
            found.setdefault(storage.pv_class(pv), set()).add(server[0])
    return found


def pv_pinned_nodes(pv: Resource) -> list[str]:
    """Nodes a PV is pinned to through required node affinity on the hostname (local-path, local PVs)."""
    return sorted(set(storage.pv_node_affinity_values(pv, HOSTNAME_LABEL)))


def pv_class(pv: Resource) -> str:
    return storage.pv_class(pv)


def pod_claims(pod_spec: Mapping[str, Any]) -> list[str]:
    return [
        str(v["persistentVolumeClaim"]["claimName"])
        for v in pod_spec.get("volumes") or []
        if isinstance(v.get("persistentVolumeClaim"), Mapping) and v["persistentVolumeClaim"].get("claimName")
    ]


def pod_inline_nfs(pod_spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(v["nfs"].get("server", "")), str(v["nfs"].get("path", "")))
        for v in pod_spec.get("volumes") or []
        if isinstance(v.get("nfs"), Mapping)
    ]


class NodeGpu(msgspec.Struct, frozen=True):
    node: str
    resource: str
    capacity: int
    allocatable: int
    product: str | None
    memory_mib: int | None
    sharing: str | None
    replicas: int | None


def node_gpus(node: Resource) -> list[NodeGpu]:
    """GPUs a node advertises, with what NVIDIA's GPU feature discovery labels say about them."""
    capacity = nodes.capacity(node)
    allocatable = nodes.allocatable(node)
    labels = node.labels
    found = []
    for resource in GPU_RESOURCES:
        if resource not in capacity:
            continue
        product = memory = sharing = replicas = None
        if resource == "nvidia.com/gpu":
            product = labels.get("nvidia.com/gpu.product")
            memory = _int(labels.get("nvidia.com/gpu.memory"))
            sharing = labels.get("nvidia.com/gpu.sharing-strategy")
            replicas = _int(labels.get("nvidia.com/gpu.replicas"))
        found.append(
            NodeGpu(
                node.name,
                resource,
                _int(capacity.get(resource)) or 0,
                _int(allocatable.get(resource)) or 0,
                product,
                memory,
                sharing,
                replicas,
            )
        )
    return found


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def memory_gb(node: Resource) -> int | None:
    """Node memory capacity in GB (rounded), from ``status.capacity.memory`` (``395917848Ki``)."""
    text = nodes.capacity(node).get("memory", "")
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi|K|M|G)?", text)
    if not match:
        return None
    factor = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "K": 1000, "M": 1000**2, "G": 1000**3, None: 1}
    return round(int(match.group(1)) * factor[match.group(2)] / 1024**3)


def node_cpus(node: Resource) -> int | None:
    return _int(nodes.capacity(node).get("cpu"))


def node_internal_ip(node: Resource) -> str | None:
    return nodes.address(node, "InternalIP")


def node_os(node: Resource) -> str | None:
    return nodes.os_image(node) or None


def control_plane_nodes(state: ClusterState) -> list[str]:
    return sorted(n.name for n in state.index.all(kinds.NODE) if node_is_control_plane(n))


def cluster_version(state: ClusterState) -> str | None:
    """The kubelet version most nodes run (the server's own when known)."""
    if state.server_version:
        return state.server_version
    versions = [node_kubelet_version(n) for n in state.index.all(kinds.NODE) if node_kubelet_version(n)]
    if not versions:
        return None
    return max(sorted(set(versions)), key=versions.count)


def route_hostnames(route: Resource) -> list[str]:
    return [h.lower() for h in routes.hostnames(route)]


def routes_by_hostname(state: ClusterState) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = {}
    for route in state.index.all(kinds.HTTPROUTE):
        for host in route_hostnames(route):
            found.setdefault(host, []).append(route)
    return found


def route_parent_gateways(state: ClusterState, route: Resource) -> list[tuple[Resource, str | None]]:
    """(Gateway, sectionName) for each parentRef that resolves to a Gateway we have."""
    parents = []
    for ref in routes.parent_refs(route):
        if ref.kind != "Gateway":
            continue
        gateway = state.index.get(kinds.GATEWAY_KIND, ref.namespace, ref.name)
        if gateway is not None:
            parents.append((gateway, ref.section_name or None))
    return parents


def route_scheme(state: ClusterState, route: Resource, hostname: str) -> str:
    """https when the listener the route attaches to (by sectionName, else by hostname) terminates TLS."""
    for gateway, section in route_parent_gateways(state, route):
        for listener in gateways.listeners(gateway):
            if section and listener.name != section:
                continue
            pattern = listener.hostname
            if not section and pattern and not _host_matches(pattern, hostname):
                continue
            if listener.protocol == "HTTPS":
                return "https"
    return "http"


def _host_matches(pattern: str, hostname: str) -> bool:
    if pattern.startswith("*."):
        return hostname.endswith(pattern[1:])
    return pattern == hostname


def route_backend_services(state: ClusterState, route: Resource) -> list[Resource]:
    services = []
    for ref in routes.backend_refs(route):
        if ref.kind != "Service":
            continue
        svc = state.index.get(kinds.SERVICE, ref.namespace, ref.name)
        if svc is not None and svc not in services:
            services.append(svc)
    return services


def gateway_addresses(gateway: Resource) -> list[str]:
    return gateways.addresses(gateway)


def lb_ip_pools(state: ClusterState) -> list[str]:
    return [cidr for pool in state.index.all(kinds.CILIUM_LB_IP_POOL) for cidr in cilium.pool_cidrs(pool)]


def bgp_asns(state: ClusterState) -> list[tuple[int, int, str]]:
    """(local ASN, peer ASN, peer address) from BGP peering policies or the newer BGP cluster configs."""
    sessions: list[tuple[int, int, str]] = []
    for gk in (kinds.CILIUM_BGP_PEERING_POLICY, kinds.CILIUM_BGP_CLUSTER_CONFIG):
        for res in state.index.all(gk):
            for peer in cilium.bgp_peers(res):
                sessions.append(
                    (
                        _int(peer.local_asn) or 0,
                        _int(peer.peer_asn) or 0,
                        "" if peer.peer_address == "None" else peer.peer_address.split("/")[0],
                    )
                )
    return sorted(set(sessions))


_IMAGE_TAG_RE = re.compile(r":(v?\d+\.\d+(?:\.\d+)?[^@]*)(?:@.*)?$")


def image_version(workloads: Iterable[Resource], image_part: str) -> str | None:
    """The tag of the first container image containing ``image_part`` (``cilium/cilium:v1.15.6@sha…``)."""
    for workload in workloads:
        for image in pods.images(pods.pod_spec(workload)):
            if image_part in image:
                match = _IMAGE_TAG_RE.search(image)
                if match:
                    return match.group(1)
    return None


def component_versions(state: ClusterState) -> dict[str, str]:
    """Versions of the platform pieces the architecture section names, read from their images."""
    daemonsets = state.index.all(kinds.DAEMONSET)
    deployments = state.index.all(kinds.DEPLOYMENT)
    found: dict[str, str] = {}
    for name, pool, part in (
        ("Cilium", daemonsets, "cilium/cilium:"),
        ("Longhorn", daemonsets, "longhorn-manager:"),
        ("Velero", deployments, "velero/velero:"),
        ("cert-manager", deployments, "cert-manager-controller:"),
    ):
        version = image_version(pool, part)
        if version:
            found[name] = version
    # Flux's controllers have their own versions; `flux install` labels them with the distribution's.
    flux = sorted(
        {
            str(d.labels.get("app.kubernetes.io/version"))
            for d in deployments
            if d.labels.get("app.kubernetes.io/part-of") == "flux"
            and d.labels.get("app.kubernetes.io/version")
        }
    )
    if flux:
        found["Flux"] = flux[-1]
    return found


def common_domain(hostnames: Sequence[str]) -> str | None:
    """The registrable-looking suffix most route hostnames share (``fletcherlabs.net``)."""
    suffixes = [".".join(h.split(".")[-2:]) for h in hostnames if h.count(".") >= 1]
    if not suffixes:
        return None
    return max(sorted(set(suffixes)), key=suffixes.count)
