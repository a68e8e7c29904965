"""K3s's ServiceLB (klipper-lb): each LoadBalancer Service gets a ``svclb-*`` DaemonSet whose pods hold the
Service's ports as hostPorts on the nodes. A port already held there (by another LoadBalancer Service's svclb pod,
or any pod with that hostPort) leaves the new Service's svclb pods unschedulable and the Service without an IP."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import pods, scheduling, services
from homelabctl.k8s._raw import Obj, integer, mappings, section, text
from homelabctl.k8s.pod_trouble import pending_pods
from homelabctl.k8s.pods import required_node_fields
from homelabctl.kube import pod_is_finished
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex

SVCNAME = "svccontroller.k3s.cattle.io/svcname"
SVCNAMESPACE = "svccontroller.k3s.cattle.io/svcnamespace"
# kube-scheduler's NodePorts filter: "0/4 nodes are available: 1 node(s) didn't have free ports for the requested
# pod ports, 3 node(s) didn't match Pod's node affinity/selector."
NO_FREE_PORTS = "didn't have free ports for the requested pod ports"

HostPort = tuple[int, str]
"""(port, protocol)."""


class Holder(msgspec.Struct, frozen=True):
    """A running pod that holds one of the ports on a node, and the LoadBalancer Service it serves (if svclb)."""

    pod: ObjectRef
    node: str
    port: HostPort
    service: ObjectRef | None


class PortClash(msgspec.Struct, frozen=True):
    """A LoadBalancer Service whose svclb pods cannot be scheduled for want of free host ports."""

    service: ObjectRef
    pods: tuple[tuple[ObjectRef, str], ...]
    """The svclb pods that wait, with the scheduler's words."""
    ports: tuple[HostPort, ...]
    holders: tuple[Holder, ...]


def host_ports(pod: Obj) -> list[HostPort]:
    """``hostPort`` (and protocol, default TCP) of every container port that has one."""
    found: list[HostPort] = []
    for container in mappings(section(pod, "spec").get("containers")):
        for port in mappings(container.get("ports")):
            number = integer(port.get("hostPort"))
            if number > 0:
                found.append((number, text(port.get("protocol"), "TCP") or "TCP"))
    return found


def served_service(pod: Resource) -> ObjectRef | None:
    """The Service a svclb pod (or DaemonSet) implements, from ServiceLB's labels."""
    name, namespace = pod.labels.get(SVCNAME), pod.labels.get(SVCNAMESPACE)
    return ObjectRef("Service", namespace, name) if name and namespace else None


def port_clashes(index: ClusterIndex) -> dict[ObjectRef, PortClash]:
    """LoadBalancer Service → its svclb pods the scheduler refused for want of free host ports, with the running
    pods that hold those ports on the nodes the svclb pods are meant for. A clash is reported only when a holder
    is found: without one the scheduler's words alone do not say which port is taken."""
    waiting: dict[ObjectRef, list[tuple[Resource, str]]] = {}
    for pod in pending_pods(index):
        service = served_service(pod)
        if service is None or pods.scheduling(pod).node_name:
            continue
        line = scheduling.scheduler_says(index, pod, NO_FREE_PORTS)
        if line:
            waiting.setdefault(service, []).append((pod, line))
    found: dict[ObjectRef, PortClash] = {}
    for service, refused in waiting.items():
        svc = index.get(kinds.SERVICE, service.namespace, service.name)
        if svc is None or services.service_type(svc) != "LoadBalancer":
            continue
        wanted = {(p.port, p.protocol) for p in services.ports(svc) if p.port}
        wanted |= {hp for pod, _ in refused for hp in host_ports(pod)}
        holders = _holders(index, [pod for pod, _ in refused], wanted, service)
        if holders:
            found[service] = PortClash(
                service,
                tuple((pod.ref, line) for pod, line in refused),
                tuple(sorted({h.port for h in holders})),
                tuple(holders),
            )
    return found


def _holders(
    index: ClusterIndex, refused: list[Resource], wanted: set[HostPort], service: ObjectRef
) -> list[Holder]:
    nodes: list[str] = []
    for pod in refused:
        nodes += [n for n in required_node_fields(section(pod, "spec"), "metadata.name") if n not in nodes]
    if not nodes:
        nodes = [node.name for node in index.all(kinds.NODE)]
    holders: list[Holder] = []
    for node in nodes:
        for pod in index.pods_on_node(node):
            if pod.deletion_timestamp or pod_is_finished(pod) or served_service(pod) == service:
                continue
            holders += [
                Holder(pod.ref, node, hp, served_service(pod)) for hp in host_ports(pod) if hp in wanted
            ]
    return holders
