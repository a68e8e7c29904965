"""A Service's named ``targetPort`` resolved against the pods it selects: the endpoint controllers look the name up
in each pod's container ports, and a pod without a port of that name serves nothing on that Service port (the
EndpointSlice lists it in a slice without the port; the Endpoints object leaves it out)."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import services
from homelabctl.k8s._raw import mappings, section, text
from homelabctl.k8s.refs import selects_pods, service_endpoints, service_pods
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex


class Unmatched(msgspec.Struct, frozen=True):
    """A Service whose named targetPorts no Ready pod it selects has, with those pods' port names."""

    service: ObjectRef
    missing: tuple[tuple[str, str], ...]
    """(Service port name or number, targetPort name) per Service port that resolves on no Ready pod."""
    pods: tuple[tuple[str, tuple[str, ...]], ...]
    """(pod name, its container port names) of the Ready pods selected."""


def port_names(pod: Resource) -> tuple[str, ...]:
    """Names of the pod's container ports (app containers and sidecars: init containers that keep running)."""
    spec = section(pod, "spec")
    sidecars = [c for c in mappings(spec.get("initContainers")) if text(c.get("restartPolicy")) == "Always"]
    names: list[str] = []
    for container in [*mappings(spec.get("containers")), *sidecars]:
        names += [name for port in mappings(container.get("ports")) if (name := text(port.get("name")))]
    return tuple(names)


def unmatched_target_ports(
    index: ClusterIndex, *, slices_read: bool, endpoints_read: bool
) -> dict[ObjectRef, Unmatched]:
    """Service → the named targetPorts that none of the Ready pods it selects has, when the endpoint controllers
    agree (its EndpointSlices or Endpoints hold no ready address with one of its ports; a capture without either
    kind says nothing). Only Services with a selector and a named targetPort are looked at, and only when at least
    one selected pod is Ready: without one, the pods are the trouble, not the name."""
    found: dict[ObjectRef, Unmatched] = {}
    for svc in index.all(kinds.SERVICE):
        if not services.has_named_target_port(svc) or not selects_pods(svc):
            continue
        state = service_endpoints(index, svc, slices_read=slices_read, endpoints_read=endpoints_read)
        if state is None or state.ready:
            continue
        named = [p for p in services.ports(svc) if isinstance(p.target_port, str)]
        ready = [p for p in service_pods(index, svc) if p.is_condition_true("Ready") is True]
        if not ready:
            continue
        have = {name for pod in ready for name in port_names(pod)}
        missing = tuple(
            (p.name or str(p.port or ""), str(p.target_port)) for p in named if p.target_port not in have
        )
        if missing:
            found[svc.ref] = Unmatched(
                svc.ref, missing, tuple(sorted((pod.name, port_names(pod)) for pod in ready))
            )
    return found
