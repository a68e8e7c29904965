"""`homelabctl inventory init`: a first homelab.yaml from what the cluster can tell.

Nodes, their CPU/RAM/OS/GPUs, storage classes grouped into tiers (Longhorn classes resolved to the nodes
whose disks carry their tags, NFS volumes to their servers), the Gateway address, the Cilium IP pool and
BGP sessions, and one app per HTTPRoute hostname. Hardware models, disks and intent are left as TODOs for
the person to complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from homelabctl import kinds
from homelabctl.inventory.model import App
from homelabctl.k8s import flux as k8s_flux
from homelabctl.kube import node_is_control_plane
from homelabctl.model import Resource
from homelabctl.paperwork.cluster import (
    bgp_asns,
    common_domain,
    component_versions,
    gateway_addresses,
    is_default_class,
    lb_ip_pools,
    longhorn_class_nodes,
    memory_gb,
    nfs_backed_classes,
    nfs_server_of,
    node_cpus,
    node_gpus,
    node_internal_ip,
    node_os,
    route_hostnames,
    route_scheme,
    storage_class_parameters,
    storage_class_provisioner,
    technology_of,
)
from homelabctl.sources.base import ClusterState

# Admin UIs with no login of their own: declared must_have_auth so `check` and `docs` flag them if exposed.
ADMIN_UIS = (
    "prometheus",
    "alertmanager",
    "longhorn",
    "grafana",
    "hubble",
    "traefik",
    "kubernetes-dashboard",
    "headlamp",
    "minio",
    "portainer",
)
TIER_NAMES = {"Longhorn": "Replicated Block", "NFS": "Bulk Media", "local-path": "Ephemeral"}
TIER_ORDER = ("Longhorn", "NFS", "local-path")
SCHEMA_NAME = "homelab.schema.json"
SCHEMA_COMMENT = f"# yaml-language-server: $schema=./{SCHEMA_NAME}"


def _title(name: str) -> str:
    return " ".join(part.capitalize() for part in re.split(r"[-_]+", name) if part)


def apps_from_cluster(state: ClusterState) -> list[App]:
    """One app per HTTPRoute hostname (what a person would list in the apps table), sorted by URL."""
    apps: dict[str, App] = {}
    for route in sorted(state.index.all(kinds.HTTPROUTE), key=lambda r: (r.namespace or "", r.name)):
        for hostname in route_hostnames(route):
            if hostname in apps or "*" in hostname:
                continue
            first_label = hostname.split(".")[0]
            slug = route.name if route.name != "default" else first_label
            apps[hostname] = App(
                name=_title(first_label),
                id=re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-") or None,
                namespace=route.namespace or "default",
                stack=route.namespace or "default",
                url=f"{route_scheme(state, route, hostname)}://{hostname}",
                must_have_auth=any(ui in hostname or ui in route.name for ui in ADMIN_UIS),
            )
    return sorted(apps.values(), key=lambda a: (a.stack, a.name))


def _nfs_servers(state: ClusterState) -> set[str]:
    servers = {server[0] for pv in state.index.all(kinds.PV) if (server := nfs_server_of(pv))}
    for sc in state.index.all(kinds.STORAGE_CLASS):
        if technology_of(storage_class_provisioner(sc)) == "NFS" and storage_class_parameters(sc).get(
            "server"
        ):
            servers.add(str(storage_class_parameters(sc)["server"]))
    return servers


def _storage(state: ClusterState, host_names: dict[str, str]) -> list[dict[str, Any]]:
    tiers: dict[str, dict[str, Any]] = {}
    node_names = {n.name for n in state.index.all(kinds.NODE)}
    worker_nodes = sorted(n.name for n in state.index.all(kinds.NODE) if not node_is_control_plane(n))
    nfs_classes = {
        name: {host_names.get(server, server) for server in servers}
        for name, servers in nfs_backed_classes(state).items()
    }
    for sc in sorted(state.index.all(kinds.STORAGE_CLASS), key=lambda s: s.name):
        tech = "NFS" if sc.name in nfs_classes else technology_of(storage_class_provisioner(sc))
        entry: dict[str, Any] = {"name": sc.name}
        if tech == "Longhorn":
            nodes = longhorn_class_nodes(state, sc)
            entry["nodes"] = [n for n in nodes if n in node_names] if nodes is not None else worker_nodes
            replicas = storage_class_parameters(sc).get("numberOfReplicas")
            entry["performance"] = f"{replicas} replica(s)" if replicas else "TODO"
        elif tech == "local-path":
            entry["nodes"] = worker_nodes
        elif tech == "NFS":
            address = storage_class_parameters(sc).get("server")
            hosts = nfs_classes.pop(sc.name, set()) | (
                {host_names.get(address, address)} if address else set()
            )
            if hosts:
                entry["hosts"] = sorted(hosts)
        if is_default_class(sc):
            entry["use_case"] = "Default storage class"
        tiers.setdefault(tech, {"tier": TIER_NAMES.get(tech, tech), "technology": tech, "classes": []})
        tiers[tech]["classes"].append(entry)
    for class_name, hosts in sorted(nfs_classes.items()):
        tier = tiers.setdefault("NFS", {"tier": "Bulk Media", "technology": "NFS", "classes": []})
        tier["classes"].append({"name": class_name or "nfs", "hosts": sorted(hosts)})
    return [
        tiers[t] for t in sorted(tiers, key=lambda t: (TIER_ORDER.index(t) if t in TIER_ORDER else 99, t))
    ]


def _gpu_entries(node: Resource) -> list[dict[str, Any]]:
    gpus = []
    for gpu in node_gpus(node):
        # GPU feature discovery renames time-sliced GPUs "<product>-SHARED".
        product = (gpu.product or "TODO").removesuffix("-SHARED").replace("-", " ")
        entry: dict[str, Any] = {
            "model": product,
            "vram_gb": max(1, round((gpu.memory_mib or 1024) / 1024)),
            "resource": gpu.resource,
        }
        if gpu.sharing in ("time-slicing", "mps"):
            entry["sharing"] = gpu.sharing
            entry["replicas"] = gpu.replicas or gpu.capacity
        gpus.append(entry)
    return gpus


def _node_host(node: Resource, placeholders: bool) -> dict[str, Any]:
    """The host a node runs on, as far as the node tells: CPU threads, memory, OS, address, GPUs."""
    host: dict[str, Any] = {"name": node.name, "kind": "physical"}
    if placeholders:
        host["model"] = "TODO (e.g. Dell R630)"
    cpus, ram, os_image, ip = node_cpus(node), memory_gb(node), node_os(node), node_internal_ip(node)
    if cpus:
        host["cpu"] = {"threads": cpus}
    if ram:
        host["ram_gb"] = ram
    if os_image:
        host["os"] = os_image
    if ip:
        host["addresses"] = [ip]
    gpus = _gpu_entries(node)
    if gpus:
        host["gpus"] = gpus
    return host


def inventory_from_state(state: ClusterState, *, placeholders: bool = True) -> dict[str, Any]:
    """The inventory as plain data (validated by the caller); one host per node, named after it.

    ``placeholders`` writes TODO markers where only a person knows the answer (for `init`); the docs use
    the same data without them when there is no homelab.yaml.
    """
    hosts: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    host_names: dict[str, str] = {}
    for node in sorted(state.index.all(kinds.NODE), key=lambda n: n.name):
        host = _node_host(node, placeholders)
        if host.get("addresses"):
            host_names[host["addresses"][0]] = node.name
        hosts.append(host)
        nodes.append(
            {
                "name": node.name,
                "host": node.name,
                "roles": ["control-plane"] if node_is_control_plane(node) else ["worker"],
            }
        )
    for server in sorted(_nfs_servers(state) - set(host_names)):
        name = "nfs-" + re.sub(r"[^A-Za-z0-9]+", "-", server).strip("-")
        host_names[server] = name
        hosts.append(
            {
                "name": name,
                **({"model": "TODO (the NFS server)"} if placeholders else {}),
                "kind": "physical",
                "role": "NFS storage",
                "addresses": [server],
            }
        )
    network: dict[str, Any] = {}
    versions = component_versions(state)
    if state.index.has(kinds.DAEMONSET) and "Cilium" in versions:
        network["cni"] = f"Cilium {versions['Cilium']}"
    addresses = sorted({a for g in state.index.all(kinds.GATEWAY_KIND) for a in gateway_addresses(g)})
    if addresses:
        network["gateway_ip"] = addresses[0]
    pools = lb_ip_pools(state)
    if pools:
        network["ip_pool"] = pools[0]
    sessions = bgp_asns(state)
    if sessions:
        local, peer, address = sessions[0]
        network["bgp"] = {
            "local_asn": local,
            "peer_asn": peer,
            **({"peer_address": address} if address else {}),
        }
    hostnames = [h for r in state.index.all(kinds.HTTPROUTE) for h in route_hostnames(r)]
    domain = common_domain(hostnames)
    if domain:
        network["domain"] = domain
    apps = apps_from_cluster(state)
    stacks = sorted({a.stack for a in apps})
    cluster: dict[str, Any] = {
        "name": "TODO-cluster-name" if placeholders else "cluster",
        "distribution": "K3s" if _is_k3s(state) else "Kubernetes",
    }
    if state.index.has(kinds.FLUX_KUSTOMIZATION) or state.index.has(kinds.HELM_RELEASE):
        cluster["gitops"] = f"Flux CD {versions['Flux']}" if "Flux" in versions else "Flux CD"
        repos = [url for r in state.index.all(kinds.GIT_REPOSITORY) if (url := k8s_flux.url(r))]
        if repos:
            cluster["repository"] = sorted(repos)[0]
    return {
        "version": 1,
        "cluster": cluster,
        "hosts": hosts,
        "nodes": nodes,
        "storage": _storage(state, host_names),
        "network": network,
        "stacks": [{"name": s, "title": _title(s)} for s in stacks],
        "apps": [_app_dict(a) for a in apps],
    }


def _is_k3s(state: ClusterState) -> bool:
    from homelabctl.kube import node_is_k3s

    return any(node_is_k3s(n) for n in state.index.all(kinds.NODE))


def _app_dict(app: App) -> dict[str, Any]:
    return app.model_dump(exclude_defaults=True, exclude_none=True)


def _with_todos(text: str, todo_notes: Iterable[str]) -> str:
    header = [
        SCHEMA_COMMENT,
        "# Generated by `homelabctl inventory init` from the cluster. Complete the TODOs: hardware models,",
        "# which host runs which VM (kind: vm, host: ...), disks, stacks and app notes; then run",
        f"# `homelabctl inventory check`. {SCHEMA_NAME} (written next to this file by `inventory init",
        f"# --output-file`, or `homelabctl inventory schema --output-file {SCHEMA_NAME}`) gives editors completion.",
    ]
    return "\n".join(header + [f"# {note}" for note in todo_notes]) + "\n" + text


def render_inventory_yaml(data: dict[str, Any]) -> str:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    notes = []
    if not data.get("apps"):
        notes.append("No HTTPRoutes were found: list your apps under `apps:` by hand.")
    return _with_todos(body, notes)
