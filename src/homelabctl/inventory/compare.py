"""`homelabctl inventory check`: homelab.yaml against the cluster, each difference with its line.

Compared only where the cluster kind could be read: an unreadable kind is reported once as "not compared",
never as "everything declared is missing".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any, Literal

import msgspec

from homelabctl import kinds
from homelabctl.inventory.load import InventoryDocument
from homelabctl.kube import node_is_control_plane
from homelabctl.paperwork.apps import AppResolver
from homelabctl.paperwork.cluster import (
    bgp_asns,
    gateway_addresses,
    lb_ip_pools,
    node_gpus,
    route_scheme,
    routes_by_hostname,
)
from homelabctl.paperwork.context import undeclared_routes
from homelabctl.sources.base import ClusterState

DriftLevel = Literal["error", "warning", "info"]
APP_KINDS = (kinds.DEPLOYMENT, kinds.STATEFULSET, kinds.DAEMONSET, kinds.POD)


class Drift(msgspec.Struct, frozen=True):
    level: DriftLevel
    kind: str
    subject: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "line": self.line,
        }


def compare(doc: InventoryDocument, state: ClusterState) -> list[Drift]:
    return list(_compare(doc, state))


def _compare(doc: InventoryDocument, state: ClusterState) -> Iterator[Drift]:
    inv = doc.inventory
    readable = state.availability
    if readable(kinds.NODE).readable:
        cluster_nodes = {n.name: n for n in state.index.all(kinds.NODE)}
        for i, node in enumerate(inv.nodes):
            found = cluster_nodes.get(node.name)
            if found is None:
                yield Drift(
                    "error",
                    "node-missing",
                    node.name,
                    f"node {node.name} is declared but not in the cluster",
                    doc.line("nodes", i, "name"),
                )
            elif ("control-plane" in node.roles) != node_is_control_plane(found):
                actual = (
                    "a control-plane node" if node_is_control_plane(found) else "not a control-plane node"
                )
                yield Drift(
                    "warning",
                    "node-role",
                    node.name,
                    f"node {node.name} is declared with roles {node.roles} but is {actual}",
                    doc.line("nodes", i, "roles"),
                )
        declared = {n.name for n in inv.nodes}
        for name in sorted(set(cluster_nodes) - declared):
            yield Drift(
                "warning", "node-undeclared", name, f"node {name} is in the cluster but not in homelab.yaml"
            )
        yield from _gpus(doc, cluster_nodes)
    else:
        yield Drift("info", "not-compared", "nodes", f"nodes not compared: {readable(kinds.NODE).reason}")

    resolver = AppResolver(state)
    # "declared but not deployed" is a claim about every kind an app can run as: it needs all of them read
    unread = [gk for gk in APP_KINDS if not readable(gk).readable]
    unread_names = ", ".join(gk.split(".")[0] + "s" for gk in unread)
    workloads_readable = readable(kinds.POD).readable or readable(kinds.DEPLOYMENT).readable
    if not workloads_readable and inv.apps:
        yield Drift(
            "info",
            "not-compared",
            "apps",
            f"apps not compared: {unread_names} not read ({readable(kinds.POD).reason})",
        )
    routes = routes_by_hostname(state)
    for i, app in enumerate(inv.apps):
        if workloads_readable:
            status = resolver.view(app).status
            if status.state == "Not deployed" and unread:
                yield Drift(
                    "info",
                    "not-compared",
                    app.name,
                    f"app {app.name} ({app.namespace}) not compared: not found among the kinds read "
                    f"({unread_names} not read)",
                    doc.line("apps", i, "name"),
                )
            elif status.state in ("Down", "Not deployed"):
                yield Drift(
                    "error",
                    "app-not-running",
                    app.name,
                    f"app {app.name} ({app.namespace}) is declared but {status.state.lower()}: {status.detail}",
                    doc.line("apps", i, "name"),
                )
            elif status.state == "Degraded":
                yield Drift(
                    "warning",
                    "app-degraded",
                    app.name,
                    f"app {app.name} is degraded: {status.detail}",
                    doc.line("apps", i, "name"),
                )
        if app.host and readable(kinds.HTTPROUTE).readable and app.host not in routes:
            yield Drift(
                "warning",
                "app-url-unrouted",
                app.name,
                f"no HTTPRoute serves {app.host} (app {app.name})",
                doc.line("apps", i, "url"),
            )
        elif app.url and app.host in routes:
            served = {route_scheme(state, route, app.host) for route in routes[app.host]}
            scheme = app.url.split("://", 1)[0]
            if scheme not in served:
                yield Drift(
                    "info",
                    "app-url-scheme",
                    app.name,
                    f"app {app.name} declares {app.url}, but its HTTPRoute only attaches to "
                    f"{'/'.join(sorted(served)).upper()} listeners",
                    doc.line("apps", i, "url"),
                )
    if readable(kinds.HTTPROUTE).readable:
        for hostname, namespace, name in undeclared_routes(state, inv.apps):
            yield Drift(
                "warning",
                "route-undeclared",
                hostname,
                f"HTTPRoute {namespace}/{name} serves {hostname}, which no app in homelab.yaml declares",
            )
    else:
        yield Drift(
            "info", "not-compared", "routes", f"routes not compared: {readable(kinds.HTTPROUTE).reason}"
        )

    if readable(kinds.STORAGE_CLASS).readable:
        cluster_classes = {sc.name for sc in state.index.all(kinds.STORAGE_CLASS)}
        declared_classes = set()
        for t, tier in enumerate(inv.storage):
            for c, spec in enumerate(tier.classes):
                declared_classes.add(spec.name)
                if spec.name not in cluster_classes:
                    yield Drift(
                        "error",
                        "storage-class-missing",
                        spec.name,
                        f"storage class {spec.name} is declared but not in the cluster",
                        doc.line("storage", t, "classes", c, "name"),
                    )
        for name in sorted(cluster_classes - declared_classes):
            yield Drift(
                "info",
                "storage-class-undeclared",
                name,
                f"storage class {name} is in the cluster but not in homelab.yaml",
            )
    elif any(tier.classes for tier in inv.storage):
        yield Drift(
            "info",
            "not-compared",
            "storage classes",
            f"storage classes not compared: {readable(kinds.STORAGE_CLASS).reason}",
        )
    yield from _network(doc, state)


def _gpus(doc: InventoryDocument, cluster_nodes: dict[str, Any]) -> Iterator[Drift]:
    inv = doc.inventory
    for h, host in enumerate(inv.hosts):
        if host.planned:
            continue
        for g, gpu in enumerate(host.gpus):
            for node in inv.nodes_on(host.name):
                found = cluster_nodes.get(node.name)
                if found is None:
                    continue
                advertised = [x for x in node_gpus(found) if x.resource == gpu.resource]
                expected = (
                    (gpu.replicas or 1) * gpu.count if gpu.sharing in ("time-slicing", "mps") else gpu.count
                )
                if not advertised:
                    yield Drift(
                        "error",
                        "gpu-missing",
                        node.name,
                        f"node {node.name} does not advertise {gpu.resource} (declared {gpu.model}); "
                        "is the device plugin running?",
                        doc.line("hosts", h, "gpus", g),
                    )
                elif advertised[0].capacity != expected:
                    yield Drift(
                        "warning",
                        "gpu-capacity",
                        node.name,
                        f"node {node.name} advertises {gpu.resource}: {advertised[0].capacity}, homelab.yaml "
                        f"expects {expected} ({gpu.sharing}, replicas {gpu.replicas})",
                        doc.line("hosts", h, "gpus", g, "replicas") or doc.line("hosts", h, "gpus", g),
                    )


def _network(doc: InventoryDocument, state: ClusterState) -> Iterator[Drift]:
    net = doc.inventory.network
    if net.gateway_ip and state.index.has(kinds.GATEWAY_KIND):
        addresses = {a for g in state.index.all(kinds.GATEWAY_KIND) for a in gateway_addresses(g)}
        if addresses and net.gateway_ip not in addresses:
            yield Drift(
                "warning",
                "gateway-ip",
                net.gateway_ip,
                f"no Gateway has address {net.gateway_ip} (they have {', '.join(sorted(addresses))})",
                doc.line("network", "gateway_ip"),
            )
    pools = lb_ip_pools(state)
    if net.ip_pool and pools:
        wanted = ipaddress.ip_network(net.ip_pool, strict=False)
        if all(ipaddress.ip_network(p, strict=False) != wanted for p in pools if _is_cidr(p)):
            yield Drift(
                "warning",
                "ip-pool",
                net.ip_pool,
                f"no CiliumLoadBalancerIPPool has {net.ip_pool} (cluster: {', '.join(pools)})",
                doc.line("network", "ip_pool"),
            )
    sessions = bgp_asns(state)
    bgp = net.bgp
    if (
        bgp
        and sessions
        and not any(local == bgp.local_asn and peer == bgp.peer_asn for local, peer, _ in sessions)
    ):
        found = ", ".join(f"AS {local} ↔ AS {peer}" for local, peer, _ in sessions)
        yield Drift(
            "warning",
            "bgp",
            f"AS {bgp.local_asn}",
            f"BGP declared as AS {bgp.local_asn} ↔ AS {bgp.peer_asn}; the cluster peers {found}",
            doc.line("network", "bgp"),
        )


def _is_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True
