"""Services: selector, ports, type, load-balancer addresses."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, opt_integer, section, string_map, text
from homelabctl.selectors import Selector, from_spec


class ServicePort(msgspec.Struct, frozen=True):
    name: str
    port: int | None
    target_port: int | str | None
    """A number, a container port name, or None (then it equals ``port``)."""
    protocol: str = "TCP"
    app_protocol: str = ""


def has_named_target_port(svc: Obj) -> bool:
    """Some ``spec.ports[].targetPort`` is a container port name rather than a number."""
    return any(isinstance(p.get("targetPort"), str) for p in mappings(section(svc, "spec").get("ports")))


def ports(svc: Obj) -> tuple[ServicePort, ...]:
    found = []
    for sp in mappings(section(svc, "spec").get("ports")):
        raw_target = sp.get("targetPort")
        target: int | str | None = (
            opt_integer(raw_target) if isinstance(raw_target, int) else (text(raw_target) or None)
        )
        found.append(
            ServicePort(
                text(sp.get("name")),
                opt_integer(sp.get("port")),
                target,
                text(sp.get("protocol"), "TCP") or "TCP",
                text(sp.get("appProtocol")),
            )
        )
    return tuple(found)


def port(svc: Obj, wanted: object) -> ServicePort | None:
    """The Service port a reference names: by number, or by name when the reference is a string."""
    for sp in ports(svc):
        if (sp.port is not None and sp.port == wanted) or (isinstance(wanted, str) and sp.name == wanted):
            return sp
    return None


def selector(svc: Obj) -> Selector | None:
    """The pod selector; None for a Service without one (it selects nothing, endpoints are managed by hand)."""
    value = section(svc, "spec").get("selector")
    if not isinstance(value, Mapping):
        return None
    return from_spec(string_map(value))


def selector_labels(svc: Obj) -> dict[str, str]:
    """``spec.selector`` as written (a plain label map); empty when unset or not a map."""
    return string_map(section(svc, "spec").get("selector"))


def cluster_ip(svc: Obj) -> str:
    """``spec.clusterIP``: ``None`` for a headless Service, empty before the API server allocates one."""
    return text(section(svc, "spec").get("clusterIP"))


def service_type(svc: Obj) -> str:
    return text(section(svc, "spec").get("type"), "ClusterIP") or "ClusterIP"


def load_balancer_ips(svc: Obj) -> list[str]:
    ingress = mapping(section(svc, "status").get("loadBalancer")).get("ingress")
    return [ip for entry in mappings(ingress) if (ip := text(entry.get("ip")) or text(entry.get("hostname")))]


def load_balancer_class(svc: Obj) -> str:
    return text(section(svc, "spec").get("loadBalancerClass"))


def requested_load_balancer_ip(svc: Obj) -> str:
    """The deprecated ``spec.loadBalancerIP``."""
    return text(section(svc, "spec").get("loadBalancerIP"))
